//! Glue between the store and the pure planner: fills in what a document leaves out, and runs
//! the solver off the async runtime.

use sea_orm::DatabaseConnection;

use crate::domain::PlanningProblem;
use crate::domain::plan::Plan;
use crate::planner::{self, PlanError, PlannerSettings};
use crate::store::{self, StoreResult};

/// A document that leaves out `catalogue` or `provision` uses the team's stored ones.
pub async fn complete(
    db: &DatabaseConnection,
    team: &str,
    problem: &mut PlanningProblem,
) -> StoreResult<()> {
    if problem.catalogue.is_none() {
        problem.catalogue = Some(store::catalogue::planning_catalogue(db, team).await?);
    }
    if problem.provision.is_none() {
        problem.provision = Some(
            store::provision::list(db, team)
                .await?
                .into_iter()
                .map(|s| s.provision)
                .collect(),
        );
    }
    Ok(())
}

/// Plans on a blocking thread: the solver is CPU-bound.
pub async fn plan_off_runtime(
    problem: PlanningProblem,
    settings: PlannerSettings,
) -> Result<Plan, PlanError> {
    tokio::task::spawn_blocking(move || planner::plan(&problem, &settings))
        .await
        .unwrap_or_else(|e| {
            Err(PlanError::Solver(planner::model::SolverFailure::new(
                format!("planner task failed: {e}"),
            )))
        })
}
