//! Planning for one child and allocating across a caseload, on the team's catalogue and
//! provision, with the solver's work bounded: how big a model may be, how many solves run at
//! once, and how long one may take.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::access::{COORDINATORS, PLANNERS};
use super::{Access, AppError, AppResult};
use crate::allocation::{self, Allocation, AllocationSettings};
use crate::domain::plan::Plan;
use crate::domain::problem::{Caseload, Order};
use crate::domain::{Catalogue, FieldErrors, Participant, PlanningProblem, Provision};
use crate::planner::{self, PlanError};
use crate::store::audit::AuditAction;
use crate::store::{self, StoreResult};

/// Limits on the solver's work (configuration `[solver]`, see the README).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolverLimits {
    /// Ordinary plans solved at once (default: the number of cores).
    pub slots: usize,
    /// Large solves (allocations, plans above `large_above`) at once (default: cores − 1, at
    /// least 1), so that they never hold every core and ordinary plans stay fast.
    pub large_slots: usize,
    /// A plan whose model bound exceeds this many candidate starts is a large solve.
    pub large_above: usize,
    /// Most candidate starts one child's model may have (refused with 422 above it).
    pub max_candidates_per_case: usize,
    /// Most candidate starts a caseload's model may have in all.
    pub max_candidates: usize,
    /// Most cases in one allocation.
    pub max_cases: usize,
    /// Seconds a request may wait beyond its solver time limit before it is answered 503 (the
    /// work goes on, holding its slot, until the solver stops).
    pub grace_seconds: f64,
}

impl Default for SolverLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        SolverLimits {
            slots: cores,
            large_slots: cores.saturating_sub(1).max(1),
            large_above: 20_000,
            max_candidates_per_case: 60_000,
            max_candidates: 4_000_000,
            max_cases: 1_000,
            grace_seconds: 5.0,
        }
    }
}

/// The solver slots of one process: a solve takes a slot or is refused at once (503), never
/// queued into a timeout.
#[derive(Clone)]
pub struct Solvers {
    limits: SolverLimits,
    ordinary: Arc<Semaphore>,
    large: Arc<Semaphore>,
}

impl Solvers {
    pub fn new(limits: SolverLimits) -> Solvers {
        Solvers {
            ordinary: Arc::new(Semaphore::new(limits.slots.max(1))),
            large: Arc::new(Semaphore::new(limits.large_slots.max(1))),
            limits,
        }
    }

    pub fn limits(&self) -> &SolverLimits {
        &self.limits
    }

    fn take(&self, large: bool) -> AppResult<OwnedSemaphorePermit> {
        let pool = if large { &self.large } else { &self.ordinary };
        pool.clone().try_acquire_owned().map_err(|_| AppError::Busy)
    }

    /// Runs `work` on a blocking thread holding a slot; the slot is freed when the work ends,
    /// even if the request has been answered 503 for taking too long.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        large: bool,
        time_limit_seconds: f64,
        work: impl FnOnce() -> Result<T, PlanError> + Send + 'static,
    ) -> AppResult<T> {
        let permit = self.take(large)?;
        let task = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        });
        let bound = Duration::from_secs_f64(time_limit_seconds + self.limits.grace_seconds);
        match tokio::time::timeout(bound, task).await {
            Err(_) => Err(AppError::TimedOut),
            Ok(Err(e)) => Err(AppError::internal(anyhow::anyhow!(
                "solver task failed: {e}"
            ))),
            Ok(Ok(out)) => Ok(out?),
        }
    }
}

/// An upper bound on the candidate starts the planner weighs for one order: every intervention
/// in every week of the order, and every provision's starts (its weeks, when rolling).
pub(crate) fn candidate_bound(
    order: &Order,
    catalogue: Option<&Catalogue>,
    provision: &[Provision],
) -> usize {
    let weeks = usize::try_from((order.end - order.start).num_days().max(0) / 7 + 1).unwrap_or(0);
    let offered: usize = provision
        .iter()
        .map(|p| if p.rolling { weeks } else { p.starts.len() })
        .sum();
    catalogue.map_or(0, |c| c.interventions.len()) * weeks + offered
}

pub(crate) fn too_large(field: &str, bound: usize, most: usize) -> AppError {
    AppError::invalid(
        field,
        format!(
            "the planning model would weigh up to {bound} candidate starts, more than the {most} \
             allowed: plan fewer cases at once, or narrow the catalogue or provision"
        ),
    )
}

/// The team's provision as the planner sees it: every booking is a participant of its cohort
/// (bookings are the record of who holds a place; participants listed in a record are places
/// held outside the service). A stored record that no longer fits the catalogue is left out
/// and reported in the log by its id, rather than refusing every plan of the team.
pub async fn team_provision(
    db: &sea_orm::DatabaseConnection,
    team: &str,
    catalogue: &Catalogue,
) -> StoreResult<Vec<Provision>> {
    let mut offer = Vec::new();
    for stored in store::provision::list(db, team).await? {
        let mut errors = FieldErrors::default();
        stored
            .provision
            .validate("provision", Some(catalogue), &mut errors);
        if errors.is_empty() {
            offer.push(stored.provision);
        } else {
            tracing::warn!(
                provision = %stored.provision.id,
                problems = errors.0.len(),
                "a stored provision record does not fit the catalogue; left out of planning"
            );
        }
    }
    for cohort in store::cohorts::list(db, team).await? {
        let Some(p) = offer.iter_mut().find(|p| p.id == cohort.provision) else {
            continue;
        };
        let runs = match cohort.start {
            Some(day) => !p.rolling && p.starts.contains(&day),
            None => p.rolling,
        };
        if !runs {
            continue;
        }
        for booking in store::bookings::list_for_cohort(db, team, &cohort.id).await? {
            let listed = p
                .participants
                .iter_mut()
                .find(|q| q.reference == booking.reference && q.start == cohort.start);
            if let Some(q) = listed {
                // A booking in a rolling pool holds its place until it is cancelled, whatever
                // the record says: plan with the places the booking rules will allow.
                q.until = None;
            } else {
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

/// What a document leaves out, from the team: its catalogue; its provision with the bookings
/// and the team's recorded rival groups.
async fn complete(
    db: &sea_orm::DatabaseConnection,
    team: &str,
    catalogue: &mut Option<Catalogue>,
    provision: &mut Option<Vec<Provision>>,
    rivalries: &mut Vec<(String, String)>,
) -> StoreResult<()> {
    let known = match catalogue {
        Some(known) => known,
        None => catalogue.insert(store::catalogue::planning_catalogue(db, team).await?),
    };
    if provision.is_none() {
        *provision = Some(team_provision(db, team, known).await?);
        for pair in store::rivalries::get(db, team).await? {
            if !rivalries.contains(&pair) {
                rivalries.push(pair);
            }
        }
    }
    Ok(())
}

/// Fills a planning document from the team (the command line's `--team`, and the preview).
pub async fn complete_problem(
    db: &sea_orm::DatabaseConnection,
    team: &str,
    problem: &mut PlanningProblem,
) -> StoreResult<()> {
    complete(
        db,
        team,
        &mut problem.catalogue,
        &mut problem.provision,
        &mut problem.rivalries,
    )
    .await
}

pub async fn complete_caseload(
    db: &sea_orm::DatabaseConnection,
    team: &str,
    caseload: &mut Caseload,
) -> StoreResult<()> {
    complete(
        db,
        team,
        &mut caseload.catalogue,
        &mut caseload.provision,
        &mut caseload.rivalries,
    )
    .await
}

/// Plans one young person without saving anything. The read of the child's document is
/// audited (who asked, for which reference).
pub async fn preview_plan(
    access: &Access<'_>,
    solvers: &Solvers,
    mut problem: PlanningProblem,
) -> AppResult<Plan> {
    access.allow(PLANNERS)?;
    complete_problem(access.db, access.team(), &mut problem).await?;
    let settings = store::accounts::planner_settings(access.db, access.team()).await?;
    let bound = candidate_bound(
        &problem.order,
        problem.catalogue.as_ref(),
        problem.provision.as_deref().unwrap_or_default(),
    );
    if bound > solvers.limits.max_candidates_per_case {
        return Err(too_large(
            "(document)",
            bound,
            solvers.limits.max_candidates_per_case,
        ));
    }
    access
        .audit_read(AuditAction::PlanPreview, &problem.young_person.reference)
        .await?;
    let limit = settings.time_limit_seconds;
    let large = bound > solvers.limits.large_above;
    solvers
        .run(large, limit, move || planner::plan(&problem, &settings))
        .await
}

/// Allocates shared places across a caseload without saving anything.
pub async fn preview_allocation(
    access: &Access<'_>,
    solvers: &Solvers,
    mut caseload: Caseload,
) -> AppResult<Allocation> {
    access.allow(COORDINATORS)?;
    let most = solvers.limits.max_cases;
    if caseload.cases.len() > most {
        return Err(AppError::invalid(
            "cases",
            format!("at most {most} cases at once"),
        ));
    }
    complete_caseload(access.db, access.team(), &mut caseload).await?;
    let settings = store::accounts::planner_settings(access.db, access.team()).await?;
    let catalogue = caseload.catalogue.as_ref();
    let provision = caseload.provision.as_deref().unwrap_or_default();
    let mut total = 0;
    for (k, case) in caseload.cases.iter().enumerate() {
        let bound = candidate_bound(&case.order, catalogue, provision);
        if bound > solvers.limits.max_candidates_per_case {
            return Err(too_large(
                &format!("cases[{k}]"),
                bound,
                solvers.limits.max_candidates_per_case,
            ));
        }
        total += bound;
    }
    if total > solvers.limits.max_candidates {
        return Err(too_large("cases", total, solvers.limits.max_candidates));
    }
    let references: Vec<&str> = caseload
        .cases
        .iter()
        .map(|c| c.young_person.reference.as_str())
        .collect();
    access
        .audit_read(AuditAction::AllocationPreview, &references.join(","))
        .await?;
    let limits = AllocationSettings::default();
    let limit = limits.time_limit_seconds;
    solvers
        .run(true, limit, move || {
            allocation::allocate(&caseload, &settings, &limits)
        })
        .await
}
