//! Command-line interface. Exit codes: 0 success, 1 operational failure, 2 invalid input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sea_orm::DatabaseConnection;

use crate::accounts::Role;
use crate::app::{self, AppError};
use crate::configuration::Settings;
use crate::domain::validation::parse_json;
use crate::domain::{FieldError, FieldErrors, PlanningProblem};
use crate::planner::{self, PlanError, PlannerSettings};
use crate::{catalogue_files, startup, store, telemetry};

#[derive(Parser, Debug)]
#[command(
    name = "intervention-planner",
    version,
    about = "Plans and sequences interventions for children supervised by youth justice services"
)]
pub struct Cli {
    /// Database URL (sqlite://path or postgres://…); overrides DATABASE_URL and the file.
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// Configuration file (TOML); default ./intervention-planner.toml when present.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (migrates first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Load the demo teams first (as `demo` does).
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Check, import or export the catalogue files.
    Catalogue {
        #[command(subcommand)]
        action: CatalogueAction,
    },
    /// Load the demo catalogue, the provision of teams demo-a and demo-b and their 40 children
    /// each as case records with plans and reviews (idempotent).
    Demo,
    /// Manage API bearer tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Users who sign in to the pages: add one, set a password, disable one.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Plan one young person from a planning document (docs/planning.md §1); prints the plan.
    Plan {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// Team whose stored catalogue and provision fill a document that leaves them out.
        #[arg(long)]
        team: Option<String>,
        /// Seconds the solver may take; after it the best plan found is returned (`feasible`).
        #[arg(long)]
        time_limit: Option<f64>,
        /// With `--format text`, add the solver's figures.
        #[arg(long)]
        verbose: bool,
    },
    /// Allocate a caseload's shared places in one optimisation (docs/planning.md §1).
    Allocate {
        #[arg(long)]
        input: PathBuf,
        /// Team whose stored catalogue and provision fill a document that leaves them out.
        #[arg(long)]
        team: Option<String>,
        /// Seconds the whole allocation may take, explaining the plans included (default 10).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Relative MIP gap at which to stop (default 0.005).
        #[arg(long)]
        mip_gap: Option<f64>,
        /// Also write the joint model to this file (.mps or .lp), e.g. for another solver.
        #[arg(long)]
        export_model: Option<PathBuf>,
    },
    /// Write a generated caseload document (with catalogue and a realistic provision).
    Generate {
        #[arg(long)]
        cases: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The document's as_of date (default 2026-12-07).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// A hard caseload: its own random catalogue of 60 interventions over 20 needs, and
        /// scarce places.
        #[arg(long)]
        hard: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogueAction {
    /// Check every file; prints every problem with file and field, exits 2 if any.
    Validate { dir: PathBuf },
    /// Validate, then import into a team's catalogue (all or nothing; idempotent).
    Import {
        dir: PathBuf,
        #[arg(long)]
        team: String,
    },
    /// Write a team's catalogue as files.
    Export {
        dir: PathBuf,
        #[arg(long)]
        team: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// Create a user with a role and print their bearer token (shown once).
    Create {
        #[arg(long)]
        team: String,
        /// The new user's role (not with `--user`).
        #[arg(
            long,
            value_enum,
            required_unless_present = "user",
            conflicts_with = "user"
        )]
        role: Option<Role>,
        /// A token for an existing user of the team instead, such as a demo case manager
        /// (`demo-a:case-manager-1`), whose caseload is stored.
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value = "api user")]
        label: String,
    },
    /// Revoke a token (give the token or its id).
    Revoke { token: String },
}

/// Passwords are read from the first line of standard input, never from an argument (which
/// other users of the machine can see).
#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Add a user to a team with a role and a password (from standard input).
    Add {
        #[arg(long)]
        team: String,
        /// The user name they sign in with, such as `north:j.smith`.
        #[arg(long)]
        user: String,
        /// Their name as the pages show it.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: Role,
    },
    /// Set a user's password (from standard input); this also enables a disabled user.
    Password {
        #[arg(long)]
        user: String,
    },
    /// Disable a user: every session of theirs ends at once and they cannot sign in.
    Disable {
        #[arg(long)]
        user: String,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Json,
    Text,
}

/// An error the command line reports: invalid input exits 2, anything else 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<FieldErrors> for CliError {
    fn from(e: FieldErrors) -> Self {
        CliError::Invalid(e)
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(errors) => CliError::Invalid(errors),
            other => CliError::Other(other.into()),
        }
    }
}

impl From<PlanError> for CliError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Invalid(errors) => CliError::Invalid(errors),
            PlanError::Solver(e) => CliError::Other(e.into()),
        }
    }
}

impl From<FieldError> for CliError {
    fn from(e: FieldError) -> Self {
        CliError::Invalid(e.into())
    }
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        CliError::Other(e.into())
    }
}

impl From<sea_orm::DbErr> for CliError {
    fn from(e: sea_orm::DbErr) -> Self {
        CliError::Other(e.into())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = Settings::load(cli.config.as_deref())
        .map_err(CliError::Other)
        .and_then(|mut settings| {
            if let Some(url) = &cli.database {
                settings.database_url = url.clone();
            }
            telemetry::init(settings.log_format, &settings.log_level);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)?;
            runtime.block_on(run(cli.command, settings))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Invalid(errors)) => {
            eprintln!("invalid input:");
            for e in &errors.0 {
                eprintln!("  {e}");
            }
            ExitCode::from(2)
        }
        Err(CliError::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn open(settings: &Settings) -> Result<DatabaseConnection, CliError> {
    let db = store::connect_pool(&settings.database_url, settings.pool_size)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    store::migrate(&db)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(db)
}

async fn run(command: Command, settings: Settings) -> Result<(), CliError> {
    match command {
        Command::Serve { bind, demo } => serve(bind, demo, &settings).await,
        Command::Migrate => {
            open(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Catalogue { action } => catalogue_command(action, &settings).await,
        Command::Demo => {
            let db = open(&settings).await?;
            load_demo(&db, &settings.catalogue_dir).await
        }
        Command::Token { action } => token_command(action, &settings).await,
        Command::User { action } => user_command(action, &settings).await,
        Command::Allocate {
            input,
            team,
            time_limit,
            mip_gap,
            export_model,
        } => {
            let mut limits = crate::allocation::AllocationSettings {
                export_model,
                ..Default::default()
            };
            if let Some(seconds) = time_limit {
                limits.time_limit_seconds = seconds;
            }
            if let Some(gap) = mip_gap {
                limits.mip_rel_gap = gap;
            }
            limits.validate()?;
            allocate_command(&input, team.as_deref(), limits, &settings).await
        }
        Command::Generate {
            cases,
            seed,
            as_of,
            hard,
        } => generate_command(cases, seed, as_of, hard, &settings),
        Command::Plan {
            input,
            format,
            team,
            time_limit,
            verbose,
        } => {
            let output = PlanOutput { format, verbose };
            plan_command(&input, output, team.as_deref(), time_limit, &settings).await
        }
    }
}

async fn serve(bind: Option<String>, demo: bool, settings: &Settings) -> Result<(), CliError> {
    let db = open(settings).await?;
    if demo {
        load_demo(&db, &settings.catalogue_dir).await?;
    }
    let address = bind.unwrap_or_else(|| settings.bind.clone());
    let app = startup::Application::build(&address, db.clone(), settings)?;
    if demo {
        print_demo_sign_ins(&db, app.port()).await?;
    }
    tracing::info!(port = app.port(), "serving on {address}");
    app.run_until_stopped().await.map_err(anyhow::Error::from)?;
    Ok(())
}

/// `NotFound` from a use case, as the command-line argument that named nothing.
fn no_such(field: &str, message: String) -> impl FnOnce(AppError) -> CliError {
    let field = field.to_string();
    move |e| match e {
        AppError::NotFound => CliError::Invalid(FieldError { field, message }.into()),
        other => other.into(),
    }
}

async fn token_command(action: TokenAction, settings: &Settings) -> Result<(), CliError> {
    let db = open(settings).await?;
    match action {
        TokenAction::Create {
            team,
            role,
            user,
            label,
        } => {
            let created = match (user, role) {
                (Some(user), _) => app::operator::create_token_for_user(&db, &team, &user, &label)
                    .await
                    .map_err(no_such(
                        "--user",
                        format!("no user '{user}' in team '{team}'"),
                    ))?,
                (None, Some(role)) => app::operator::create_token(&db, &team, role, &label)
                    .await
                    .map_err(no_such("--team", format!("no team '{team}'")))?,
                (None, None) => {
                    return Err(FieldError {
                        field: "--role".into(),
                        message: "give --role, or --user for an existing user".into(),
                    }
                    .into());
                }
            };
            println!("{}", created.token);
            eprintln!("token id {} (use it to revoke)", created.token_id);
        }
        TokenAction::Revoke { token } => {
            app::operator::revoke_token(&db, &token)
                .await
                .map_err(no_such("token", "no such token".into()))?;
            println!("revoked");
        }
    }
    Ok(())
}

fn password_from_stdin() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(anyhow::Error::from)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn user_command(action: UserAction, settings: &Settings) -> Result<(), CliError> {
    let db = open(settings).await?;
    match action {
        UserAction::Add {
            team,
            user,
            name,
            role,
        } => {
            if !store::accounts::team_exists(&db, &team).await? {
                return Err(FieldError {
                    field: "--team".into(),
                    message: format!("no team '{team}'"),
                }
                .into());
            }
            let password = password_from_stdin()?;
            // Checked before the user is added, so a refused password adds nobody.
            if password.chars().count() < app::sign_in::MINIMUM_PASSWORD_LENGTH {
                return Err(FieldError {
                    field: "password".into(),
                    message: format!(
                        "must be at least {} characters",
                        app::sign_in::MINIMUM_PASSWORD_LENGTH
                    ),
                }
                .into());
            }
            store::accounts::ensure_user(&db, &team, &user, &name, role).await?;
            app::sign_in::set_password(&db, &user, &password).await?;
            println!("added {user} ({}) to {team}", role.as_str());
        }
        UserAction::Password { user } => {
            let password = password_from_stdin()?;
            app::sign_in::set_password(&db, &user, &password)
                .await
                .map_err(no_such("--user", format!("no user '{user}'")))?;
            println!("password set for {user}");
        }
        UserAction::Disable { user } => {
            app::sign_in::disable_user(&db, &user)
                .await
                .map_err(no_such("--user", format!("no user '{user}'")))?;
            println!("{user} disabled; their sessions have ended");
        }
    }
    Ok(())
}

fn generate_command(
    cases: usize,
    seed: u64,
    as_of: Option<chrono::NaiveDate>,
    hard: bool,
    settings: &Settings,
) -> Result<(), CliError> {
    if !(1..=5000).contains(&cases) {
        return Err(FieldError {
            field: "--cases".into(),
            message: "must be 1 to 5000".into(),
        }
        .into());
    }
    let as_of = as_of.unwrap_or(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date"));
    let caseload = if hard {
        planner::generate::hard_caseload(cases, seed, as_of)
    } else {
        let catalogue = catalogue_files::load_dir(&settings.catalogue_dir)?;
        planner::generate::caseload(&catalogue, cases, seed, as_of)
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&caseload).map_err(anyhow::Error::from)?
    );
    Ok(())
}

async fn catalogue_command(action: CatalogueAction, settings: &Settings) -> Result<(), CliError> {
    match action {
        CatalogueAction::Validate { dir } => {
            let catalogue = catalogue_files::load_dir(&dir)?;
            println!(
                "{}: {} needs, {} interventions, all valid",
                dir.display(),
                catalogue.needs.len(),
                catalogue.interventions.len()
            );
            Ok(())
        }
        CatalogueAction::Import { dir, team } => {
            let catalogue = catalogue_files::load_dir(&dir)?;
            let db = open(settings).await?;
            let summary = app::operator::import_catalogue(&db, &team, &catalogue)
                .await
                .map_err(no_such("--team", format!("no team '{team}'")))?;
            println!(
                "{team}: {} needs; interventions {} created, {} updated, {} unchanged",
                summary.needs, summary.created, summary.updated, summary.unchanged
            );
            Ok(())
        }
        CatalogueAction::Export { dir, team } => {
            let db = open(settings).await?;
            let catalogue = app::operator::export_catalogue(&db, &team).await?;
            catalogue_files::write_dir(&dir, &catalogue)?;
            println!("written to {}", dir.display());
            Ok(())
        }
    }
}

/// Gives each demo user of each demo team (one per role) a new password and prints the
/// sign-ins, once, on the terminal (never in the logs).
async fn print_demo_sign_ins(db: &DatabaseConnection, port: u16) -> Result<(), CliError> {
    println!("\nOpen http://127.0.0.1:{port}/ and sign in as one of these demo users:");
    for (team, _) in app::demo::DEMO_TEAMS {
        for (user, name, role) in app::sign_in::demo_users(team) {
            store::accounts::ensure_user(db, team, &user, name, role).await?;
            let password = app::sign_in::reset_demo_password(db, &user).await?;
            println!(
                "  {:<14} user {:<26} password {password}",
                role.as_str(),
                user
            );
        }
    }
    println!("(new passwords each time the demo is served)\n");
    Ok(())
}

/// Loads the demo teams (`app::demo`) and says what changed.
pub async fn load_demo(db: &DatabaseConnection, catalogue_dir: &Path) -> Result<(), CliError> {
    for loaded in app::demo::load(db, catalogue_dir).await? {
        let i = &loaded.interventions;
        println!(
            "{}: interventions {} created, {} updated, {} unchanged; provision {} records, {} changed",
            loaded.team,
            i.created,
            i.updated,
            i.unchanged,
            loaded.provision_records,
            loaded.provision_changed
        );
    }
    let teams: Vec<&str> = app::demo::DEMO_TEAMS.iter().map(|(t, _)| *t).collect();
    for cases in app::demo_cases::load(db, catalogue_dir, &teams).await? {
        println!(
            "{}: children {} created ({} plans accepted, {} drafts), {} already stored",
            cases.team, cases.created, cases.accepted, cases.drafts, cases.existing
        );
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        FieldError {
            field: "--input".into(),
            message: format!("cannot read {}: {e}", path.display()),
        }
        .into()
    })
}

/// The store and team whose catalogue and provision fill a document that leaves them out.
async fn store_for<'t>(
    team: Option<&'t str>,
    settings: &Settings,
) -> Result<(DatabaseConnection, &'t str), CliError> {
    let Some(team) = team else {
        return Err(FieldError {
            field: "catalogue".into(),
            message: "the document has no catalogue or provision: include them, or name a --team whose stored ones to use".into(),
        }
        .into());
    };
    Ok((open(settings).await?, team))
}

struct PlanOutput {
    format: OutputFormat,
    verbose: bool,
}

async fn plan_command(
    input: &Path,
    output: PlanOutput,
    team: Option<&str>,
    time_limit: Option<f64>,
    settings: &Settings,
) -> Result<(), CliError> {
    let text = read(input)?;
    let mut problem: PlanningProblem = parse_json(&text)?;
    let mut planner_settings = PlannerSettings::default();
    if problem.catalogue.is_none() || problem.provision.is_none() {
        let (db, team) = store_for(team, settings).await?;
        app::planning::complete_problem(&db, team, &mut problem).await?;
        planner_settings = app::operator::planner_settings(&db, team)
            .await
            .map_err(no_such("--team", format!("no team '{team}'")))?;
    }
    if let Some(seconds) = time_limit {
        planner_settings.time_limit_seconds = seconds;
        planner_settings.validate()?;
    }
    let plan = planner::plan(&problem, &planner_settings)?;
    match output.format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&plan).map_err(anyhow::Error::from)?
        ),
        OutputFormat::Text => print!(
            "{}",
            planner::text::render(
                &problem,
                &plan,
                &planner::text::TextOptions {
                    verbose: output.verbose
                }
            )
        ),
    }
    Ok(())
}

async fn allocate_command(
    input: &Path,
    team: Option<&str>,
    limits: crate::allocation::AllocationSettings,
    settings: &Settings,
) -> Result<(), CliError> {
    let text = read(input)?;
    let mut caseload: crate::domain::problem::Caseload = parse_json(&text)?;
    let mut planner_settings = PlannerSettings::default();
    if caseload.catalogue.is_none() || caseload.provision.is_none() {
        let (db, team) = store_for(team, settings).await?;
        app::planning::complete_caseload(&db, team, &mut caseload).await?;
        planner_settings = app::operator::planner_settings(&db, team)
            .await
            .map_err(no_such("--team", format!("no team '{team}'")))?;
    }
    let allocation = crate::allocation::allocate(&caseload, &planner_settings, &limits)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&allocation).map_err(anyhow::Error::from)?
    );
    Ok(())
}
