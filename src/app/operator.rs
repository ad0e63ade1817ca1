//! What the person running the service does from its machine (the command line): tokens, the
//! catalogue files, a team's settings for planning from a file. No caller: the operator has the
//! machine, and so the database, already.

use sea_orm::DatabaseConnection;

use super::{AppError, AppResult};
use crate::accounts::Role;
use crate::domain::Catalogue;
use crate::planner::PlannerSettings;
use crate::store::accounts::NewToken;
use crate::store::catalogue::ImportSummary;
use crate::store::{self, StoreError};

/// A user with `role` in `team` and their token (shown once; only its hash is kept). Unknown
/// team: `NotFound`.
pub async fn create_token(
    db: &DatabaseConnection,
    team: &str,
    role: Role,
    label: &str,
) -> AppResult<NewToken> {
    Ok(store::accounts::create_token(db, team, role, label).await?)
}

/// A new token for an existing user of `team` (the demo's case managers, whose caseloads are
/// stored). No such user in the team: `NotFound`.
pub async fn create_token_for_user(
    db: &DatabaseConnection,
    team: &str,
    user: &str,
    label: &str,
) -> AppResult<NewToken> {
    Ok(store::accounts::create_token_for_user(db, team, user, label).await?)
}

/// Revokes a token, given the token or its id. Unknown: `NotFound`.
pub async fn revoke_token(db: &DatabaseConnection, token_or_id: &str) -> AppResult<()> {
    Ok(store::accounts::revoke_token(db, token_or_id).await?)
}

/// Imports a validated catalogue into a team in one transaction. Unknown team: `NotFound`.
pub async fn import_catalogue(
    db: &DatabaseConnection,
    team: &str,
    catalogue: &Catalogue,
) -> AppResult<ImportSummary> {
    if !store::accounts::team_exists(db, team).await? {
        return Err(AppError::NotFound);
    }
    Ok(store::catalogue::import(db, team, catalogue, "catalogue import").await?)
}

/// A team's catalogue, every intervention in its current version.
pub async fn export_catalogue(db: &DatabaseConnection, team: &str) -> AppResult<Catalogue> {
    Ok(Catalogue {
        needs: store::catalogue::list_needs(db, team).await?,
        interventions: store::catalogue::list(db, team)
            .await?
            .into_iter()
            .map(|s| s.intervention)
            .collect(),
    })
}

/// A team's planner settings. Unknown team: `NotFound`.
pub async fn planner_settings(db: &DatabaseConnection, team: &str) -> AppResult<PlannerSettings> {
    match store::accounts::planner_settings(db, team).await {
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        other => Ok(other?),
    }
}
