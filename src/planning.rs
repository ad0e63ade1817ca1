//! Glue between the store and the pure planner: fills in what a document leaves out, and runs
//! the solver off the async runtime.

use sea_orm::DatabaseConnection;

use crate::allocation::{self, Allocation, AllocationSettings};
use crate::domain::plan::Plan;
use crate::domain::problem::Caseload;
use crate::domain::{Participant, PlanningProblem, Provision};
use crate::planner::{self, PlanError, PlannerSettings};
use crate::store::{self, StoreResult};

/// The team's provision as the planner sees it: every booking is a participant of its cohort
/// (a rolling place is held until cancelled).
pub async fn team_provision(db: &DatabaseConnection, team: &str) -> StoreResult<Vec<Provision>> {
    let mut offer: Vec<Provision> = store::provision::list(db, team)
        .await?
        .into_iter()
        .map(|s| s.provision)
        .collect();
    for cohort in store::cohorts::list(db, team).await? {
        let Some(p) = offer.iter_mut().find(|p| p.id == cohort.provision) else {
            continue;
        };
        for booking in store::bookings::list_for_cohort(db, team, &cohort.id).await? {
            let listed = p
                .participants
                .iter()
                .any(|q| q.reference == booking.reference && q.start == cohort.start);
            if !listed {
                p.participants.push(Participant {
                    reference: booking.reference,
                    gang_affiliations: booking.gang_affiliations,
                    start: cohort.start,
                    until: None,
                });
            }
        }
    }
    Ok(offer)
}

/// Adds the team's recorded rivalries to a document's own.
async fn with_team_rivalries(
    db: &DatabaseConnection,
    team: &str,
    rivalries: &mut Vec<(String, String)>,
) -> StoreResult<()> {
    for pair in store::rivalries::get(db, team).await? {
        if !rivalries.contains(&pair) {
            rivalries.push(pair);
        }
    }
    Ok(())
}

/// A document that leaves out `catalogue` or `provision` uses the team's stored ones; with the
/// team's provision come its bookings and its recorded rivalries.
pub async fn complete(
    db: &DatabaseConnection,
    team: &str,
    problem: &mut PlanningProblem,
) -> StoreResult<()> {
    if problem.catalogue.is_none() {
        problem.catalogue = Some(store::catalogue::planning_catalogue(db, team).await?);
    }
    if problem.provision.is_none() {
        problem.provision = Some(team_provision(db, team).await?);
        with_team_rivalries(db, team, &mut problem.rivalries).await?;
    }
    Ok(())
}

/// The same for a caseload document.
pub async fn complete_caseload(
    db: &DatabaseConnection,
    team: &str,
    caseload: &mut Caseload,
) -> StoreResult<()> {
    if caseload.catalogue.is_none() {
        caseload.catalogue = Some(store::catalogue::planning_catalogue(db, team).await?);
    }
    if caseload.provision.is_none() {
        caseload.provision = Some(team_provision(db, team).await?);
        with_team_rivalries(db, team, &mut caseload.rivalries).await?;
    }
    Ok(())
}

/// Allocates on a blocking thread: the solver is CPU-bound.
pub async fn allocate_off_runtime(
    caseload: Caseload,
    settings: PlannerSettings,
    limits: AllocationSettings,
) -> Result<Allocation, PlanError> {
    off_runtime(move || allocation::allocate(&caseload, &settings, &limits)).await
}

/// Plans on a blocking thread: the solver is CPU-bound.
pub async fn plan_off_runtime(
    problem: PlanningProblem,
    settings: PlannerSettings,
) -> Result<Plan, PlanError> {
    off_runtime(move || planner::plan(&problem, &settings)).await
}

async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PlanError> + Send + 'static,
) -> Result<T, PlanError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(PlanError::Solver(planner::model::SolverFailure::new(
            format!("solver task failed: {e}"),
        )))
    })
}
