//! The demo teams: the catalogue and each team's provision, loaded from `catalogue/` so that
//! every view has data from the first run. Loading twice changes nothing.

use std::path::Path;

use sea_orm::DatabaseConnection;

use super::AppResult;
use crate::accounts::{Caller, Role};
use crate::catalogue_files;
use crate::domain::validation::parse_json;
use crate::domain::{FieldError, FieldErrors, Provision};
use crate::store::{self, catalogue::ImportSummary};

pub const DEMO_TEAMS: &[(&str, &str)] = &[
    ("demo-a", "Demo A (inner-city service)"),
    ("demo-b", "Demo B (county service)"),
];

/// What loading did for one team.
pub struct Loaded {
    pub team: &'static str,
    pub interventions: ImportSummary,
    pub provision_records: usize,
    pub provision_changed: usize,
}

/// The service itself, as the author of the demo's writes in the audit trail.
fn loader(team: &str) -> Caller {
    Caller {
        team_id: team.to_string(),
        user_id: "system:demo".into(),
        role: Role::Admin,
        route: "demo".into(),
    }
}

/// Loads the catalogue into both demo teams, and each team's provision.
pub async fn load(db: &DatabaseConnection, catalogue_dir: &Path) -> AppResult<Vec<Loaded>> {
    let catalogue = catalogue_files::load_dir(catalogue_dir)?;
    let mut loaded = Vec::new();
    for (team, name) in DEMO_TEAMS {
        store::accounts::ensure_team(db, team, name).await?;
        let interventions = store::catalogue::import(db, team, &catalogue, "demo").await?;
        let path = catalogue_dir
            .join("demo")
            .join(format!("provision-{team}.json"));
        let text = std::fs::read_to_string(&path).map_err(|e| FieldError {
            field: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })?;
        let offer: Vec<Provision> = parse_json(&text).map_err(|e| FieldError {
            field: format!("{}: {}", path.display(), e.field),
            message: e.message,
        })?;
        let mut errors = FieldErrors::default();
        for (k, p) in offer.iter().enumerate() {
            p.validate(
                &format!("{}: [{k}]", path.display()),
                Some(&catalogue),
                &mut errors,
            );
        }
        errors.into_result(())?;
        let changed = store::provision::load(db, &loader(team), &offer).await?;
        staff(db, team, &catalogue, &offer).await?;
        loaded.push(Loaded {
            team,
            interventions,
            provision_records: offer.len(),
            provision_changed: changed,
        });
    }
    Ok(loaded)
}

/// Provision the demo leaves without a trained facilitator, so that the managers' report has
/// one to show.
const UNSTAFFED: &[(&str, &str)] = &[("demo-a", "substance-treatment-upper")];

/// Two trained facilitators for each intervention the team provides that needs them (once:
/// an intervention with facilitators already is left alone).
async fn staff(
    db: &DatabaseConnection,
    team: &str,
    catalogue: &crate::domain::Catalogue,
    offer: &[Provision],
) -> AppResult<()> {
    let caller = loader(team);
    let today = store::cohorts::today();
    for p in offer {
        if UNSTAFFED.contains(&(team, p.id.as_str())) {
            continue;
        }
        let Some(iv) = catalogue.intervention(&p.intervention) else {
            continue;
        };
        if iv.facilitator_training_required != Some(true)
            || !store::facilitators::list(db, team, Some(&iv.id))
                .await?
                .is_empty()
        {
            continue;
        }
        for k in 1..=2 {
            let name = format!("Demo facilitator {k} ({})", iv.name);
            store::facilitators::create(db, &caller, &name, &iv.id, today).await?;
        }
    }
    Ok(())
}
