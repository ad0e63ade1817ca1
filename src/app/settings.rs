//! The team's planner settings: objective weights, weekly hours, time limit, review intervals.

use super::access::{ADMINS, EVERYONE};
use super::{Access, AppResult};
use crate::planner::PlannerSettings;
use crate::store;

pub async fn planner(access: &Access<'_>) -> AppResult<PlannerSettings> {
    access.allow(EVERYONE)?;
    Ok(store::accounts::planner_settings(access.db, access.team()).await?)
}

/// Replaces the team's planner settings (admins only); audited with the change.
pub async fn set_planner(
    access: &Access<'_>,
    settings: PlannerSettings,
) -> AppResult<PlannerSettings> {
    access.allow(ADMINS)?;
    settings.validate()?;
    store::accounts::set_planner_settings(access.db, access.caller, &settings).await?;
    Ok(settings)
}
