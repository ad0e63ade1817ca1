//! Glue between the store and the pure planner: fills in what a document leaves out, and runs
//! the solver off the async runtime.

use sea_orm::DatabaseConnection;

use crate::domain::PlanningProblem;
use crate::domain::problem::Caseload;
use crate::planner::allocation::{self, Allocation, AllocationSettings};
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

/// The same for a caseload document.
pub async fn complete_caseload(db: &DatabaseConnection, team: &str, caseload: &mut Caseload) -> StoreResult<()> {
    if caseload.catalogue.is_none() {
        caseload.catalogue = Some(store::catalogue::planning_catalogue(db, team).await?);
    }
    if caseload.provision.is_none() {
        caseload.provision = Some(store::provision::list(db, team).await?.into_iter().map(|s| s.provision).collect());
    }
    Ok(())
}

/// Allocates on a blocking thread.
pub async fn allocate_off_runtime(
    caseload: Caseload,
    settings: PlannerSettings,
    limits: AllocationSettings,
) -> Result<Allocation, PlanError> {
    tokio::task::spawn_blocking(move || allocation::allocate(&caseload, &settings, &limits))
        .await
        .unwrap_or_else(|e| Err(PlanError::Solver(planner::model::SolverFailure::new(format!("allocation task failed: {e}")))))
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
