//! Command-line interface. Exit codes: 0 success, 1 operational failure, 2 invalid input.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::validation::parse_json;
use crate::domain::{FieldErrors, PlanningProblem};
use crate::planner::{self, PlanError, PlannerSettings};

#[derive(Parser, Debug)]
#[command(
    name = "intervention-planner",
    version,
    about = "Plans and sequences interventions for children supervised by youth justice services"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Plan one young person from a planning document (CONTRACT §1.1); prints the plan.
    Plan {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
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

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
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

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Plan { input, format } => plan_command(&input, format),
    }
}

fn read(path: &PathBuf) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::Invalid(FieldErrors(vec![crate::domain::FieldError {
            field: "--input".into(),
            message: format!("cannot read {}: {e}", path.display()),
        }]))
    })
}

fn plan_command(input: &PathBuf, format: OutputFormat) -> Result<(), CliError> {
    let text = read(input)?;
    let problem: PlanningProblem = parse_json(&text).map_err(FieldErrors::from)?;
    let settings = PlannerSettings::default();
    let plan = planner::plan(&problem, &settings).map_err(|e| match e {
        PlanError::Invalid(errors) => CliError::Invalid(errors),
        PlanError::Solver(e) => CliError::Other(e.into()),
    })?;
    match format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&plan).map_err(anyhow::Error::from)?
        ),
        OutputFormat::Text => print!("{}", planner::text::render(&problem, &plan)),
    }
    Ok(())
}
