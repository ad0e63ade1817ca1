//! A child's plans: built by the planner from their records and the team's provision, then
//! accepted (places booked, reviews scheduled), started, closed, or replaced by a new version
//! that keeps the work already started (docs/casework.md, "Plans").

use super::capacity::{Idempotency, KeyState, claim_key, settle};
use super::casework::{CASE_WORKERS, PLAN_READERS, audit_child_read, child_of};
use super::planning::{Solvers, candidate_bound, complete_problem, too_large};
use super::{Access, AppError, AppResult, based_on};
use crate::accounts::Role;
use crate::domain::Plan;
use crate::domain::PlanningProblem;
use crate::domain::case_plan::{
    Agreement, BuildRequest, CaseInputs, Place, PlanDocument, PlanState, ReviewKind,
    booking_groups, changes_between, planning_problem,
};
use crate::domain::casework::{Assessment, OrderRecord, PartnerDecision, RiskPlans};
use crate::domain::plan::ReviewKind as ScheduledKind;
use crate::domain::problem::{CASE_MANAGER, KeptItem, Order};
use crate::domain::{FieldError, FieldErrors};
use crate::planner;
use crate::store::case_plans::{Acceptance, StoredPlan, WantedPlace};
use crate::store::case_records::{RecordKind, Stored, StoredChild};
use crate::store::reviews::NewReview;
use crate::store::{self, cohorts::today};

/// The latest record of a kind, or 422 naming what must be recorded first.
async fn required<T: serde::de::DeserializeOwned>(
    access: &Access<'_>,
    child: &str,
    kind: RecordKind,
    missing: &str,
) -> AppResult<Stored<T>> {
    store::case_records::latest(access.db, access.team(), child, kind)
        .await?
        .ok_or_else(|| AppError::invalid(kind.as_str(), missing))
}

/// Every pair of the team's children kept apart, by reference.
async fn team_non_associations(access: &Access<'_>) -> AppResult<Vec<(String, String)>> {
    let children = store::case_records::list_children(access.db, access.team(), None).await?;
    let mut pairs = Vec::new();
    for c in &children {
        for other in &c.record.non_associations {
            pairs.push((c.record.reference.clone(), other.clone()));
        }
    }
    Ok(pairs)
}

/// What the planner reads of a child: their record, latest assessment and order, risk plans
/// and partner decisions.
pub(crate) struct ChildRecords {
    pub child: StoredChild,
    pub assessment: Stored<Assessment>,
    pub order: Stored<OrderRecord>,
    pub risk: Option<Stored<RiskPlans>>,
    pub decisions: Vec<PartnerDecision>,
}

/// The child's records, or 422 naming the record to make first (`what` is the work, e.g.
/// "building a plan").
pub(crate) async fn child_records(
    access: &Access<'_>,
    child_id: &str,
    what: &str,
) -> AppResult<ChildRecords> {
    let child = child_of(access, child_id).await?;
    let team = access.team();
    let assessment = required(
        access,
        &child.id,
        RecordKind::Assessment,
        &format!("record an assessment before {what}"),
    )
    .await?;
    let order = required(
        access,
        &child.id,
        RecordKind::Order,
        &format!("record the order before {what}"),
    )
    .await?;
    let risk =
        store::case_records::latest(access.db, team, &child.id, RecordKind::RiskPlans).await?;
    let decisions =
        store::case_records::list(access.db, team, &child.id, RecordKind::PartnerDecision)
            .await?
            .into_iter()
            .map(|d| d.document)
            .collect();
    Ok(ChildRecords {
        child,
        assessment,
        order,
        risk,
        decisions,
    })
}

/// The planning document for the child under `order`, completed with the team's catalogue
/// and provision; the child's own bookings are places they may plan into again.
pub(crate) async fn case_problem(
    access: &Access<'_>,
    records: &ChildRecords,
    order: &Order,
    request: &BuildRequest,
    keep: Vec<KeptItem>,
    as_of: chrono::NaiveDate,
) -> AppResult<PlanningProblem> {
    let team = access.team();
    let rivalries = store::rivalries::get(access.db, team).await?;
    let pairs = team_non_associations(access).await?;
    let mut problem = planning_problem(&CaseInputs {
        as_of,
        child: &records.child.record,
        assessment: &records.assessment.document,
        order,
        risk_plans: records.risk.as_ref().map(|r| &r.document),
        decisions: &records.decisions,
        request,
        keep,
        rivalries: &rivalries,
        non_associations: &pairs,
    });
    complete_problem(access.db, team, &mut problem).await?;
    let reference = &records.child.record.reference;
    for p in problem.provision.iter_mut().flatten() {
        p.participants.retain(|q| &q.reference != reference);
    }
    Ok(problem)
}

/// Plans one child within the solver's limits (422 when the model would be too large).
pub(crate) async fn solve(
    access: &Access<'_>,
    solvers: &Solvers,
    problem: PlanningProblem,
) -> AppResult<Plan> {
    let bound = candidate_bound(
        &problem.order,
        problem.catalogue.as_ref(),
        problem.provision.as_deref().unwrap_or_default(),
    );
    let most = solvers.limits().max_candidates_per_case;
    if bound > most {
        return Err(too_large("order", bound, most));
    }
    let settings = store::accounts::planner_settings(access.db, access.team()).await?;
    let limit = settings.time_limit_seconds;
    let large = bound > solvers.limits().large_above;
    solvers
        .run(large, limit, move || planner::plan(&problem, &settings))
        .await
}

/// Runs the planner for the child on their latest assessment and order and stores the plan as
/// a new draft version. Items of the live plan that have started are kept as they are; the
/// request's pins are kept too; its exclusions and every partner bar in force are honoured.
pub async fn build_plan(
    access: &Access<'_>,
    solvers: &Solvers,
    child_id: &str,
    request: BuildRequest,
) -> AppResult<StoredPlan> {
    access.allow(CASE_WORKERS)?;
    request.validate()?;
    let records = child_records(access, child_id, "building a plan").await?;
    let child = &records.child;
    let order = &records.order;
    let live = store::case_plans::live(access.db, access.team(), &child.id).await?;
    let as_of = today();
    let started: Vec<KeptItem> = live
        .as_ref()
        .map(|p| {
            p.document
                .plan
                .items
                .iter()
                .filter(|i| i.start <= as_of)
                .filter(|i| {
                    !request
                        .pins
                        .iter()
                        .any(|k| k.intervention == i.intervention)
                })
                .map(|i| KeptItem {
                    intervention: i.intervention.clone(),
                    provision: i.provision.clone(),
                    start: i.start,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut keep = request.pins.clone();
    keep.extend(started.iter().cloned());
    let problem = case_problem(
        access,
        &records,
        &order.document.order,
        &request,
        keep,
        as_of,
    )
    .await?;
    let pins = request.pins.len();
    let plan = solve(access, solvers, problem).await.map_err(|e| match e {
        AppError::Invalid(errors) => AppError::Invalid(as_request_fields(errors, pins)),
        other => other,
    })?;
    let mut changes = Vec::new();
    if let Some(previous) = &live {
        if !request.reason.trim().is_empty() {
            changes.push(format!("why: {}", request.reason.trim()));
        }
        changes.extend(changes_between(&previous.document.plan, &plan));
    }
    let document = PlanDocument {
        as_of,
        plan,
        request,
        kept: started,
        changes,
        agreement: None,
        places: Vec::new(),
        closed_reason: None,
    };
    Ok(
        store::case_plans::create_draft(access.db, access.caller, &child.id, &order.id, &document)
            .await?,
    )
}

/// The planner's field names for what the request said: `keep[k]` is pin `k` for the first
/// `pins` items (the rest are the started items, kept by the service).
fn as_request_fields(errors: FieldErrors, pins: usize) -> FieldErrors {
    FieldErrors(
        errors
            .0
            .into_iter()
            .map(|e| {
                let field = match e.field.strip_prefix("keep[").and_then(|rest| {
                    let (k, tail) = rest.split_once(']')?;
                    Some((k.parse::<usize>().ok()?, tail.to_string()))
                }) {
                    Some((k, tail)) if k < pins => format!("pins[{k}]{tail}"),
                    _ => e.field,
                };
                FieldError {
                    field,
                    message: e.message,
                }
            })
            .collect(),
    )
}

/// What a role may see of a plan: a coordinator sees the items and the places they hold, not
/// the needs, gaps, flags and reasons that come from the assessment.
fn least_data(access: &Access<'_>, mut plan: StoredPlan) -> StoredPlan {
    if access.caller.role == Role::Coordinator {
        let d = &mut plan.document;
        for item in &mut d.plan.items {
            item.addresses.clear();
            item.rationale.clear();
        }
        d.plan.gaps.clear();
        d.plan.flags.clear();
        d.request = BuildRequest::default();
        d.changes.clear();
        d.agreement = None;
        d.closed_reason = None;
    }
    plan
}

pub async fn list_plans(access: &Access<'_>, child_id: &str) -> AppResult<Vec<StoredPlan>> {
    access.allow(PLAN_READERS)?;
    let child = child_of(access, child_id).await?;
    audit_child_read(access, &child, "plans").await?;
    Ok(store::case_plans::list(access.db, access.team(), &child.id)
        .await?
        .into_iter()
        .map(|p| least_data(access, p))
        .collect())
}

pub async fn get_plan(access: &Access<'_>, child_id: &str, plan_id: &str) -> AppResult<StoredPlan> {
    access.allow(PLAN_READERS)?;
    let child = child_of(access, child_id).await?;
    let plan = store::case_plans::get(access.db, access.team(), &child.id, plan_id).await?;
    audit_child_read(access, &child, &format!("plan:{plan_id}")).await?;
    Ok(least_data(access, plan))
}

/// What accepting a plan answers (a replay of the first answer, with a key).
pub enum Accepted {
    Plan(Box<StoredPlan>),
    Replay { status: u16, body: String },
}

pub struct AcceptAnswers<'a> {
    pub accepted: &'a dyn Fn(&StoredPlan) -> String,
    pub refused: &'a dyn Fn(&AppError) -> (u16, String),
}

/// Accepts a draft: its places are booked and its reviews scheduled in one transaction with
/// the change (409 naming the cohort when a place has gone; nothing is stored then).
pub async fn accept_plan(
    access: &Access<'_>,
    child_id: &str,
    plan_id: &str,
    version: Option<i64>,
    agreement: Option<Agreement>,
    idempotency: Option<Idempotency>,
    answers: &AcceptAnswers<'_>,
) -> AppResult<Accepted> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let plan = store::case_plans::get(access.db, access.team(), &child.id, plan_id).await?;
    let version = based_on(version)?;
    if let Some(a) = &agreement {
        a.validate()?;
    }
    let acceptance = acceptance_for(access, &child.record, &plan, agreement).await?;
    let Some(idempotency) = idempotency else {
        let accepted = store::case_plans::accept(
            access.db,
            access.caller,
            &child.id,
            plan_id,
            version,
            acceptance,
            None,
        )
        .await?;
        return Ok(Accepted::Plan(Box::new(accepted)));
    };
    let claim = match claim_key(access, &idempotency).await? {
        KeyState::Fresh(claim) => claim,
        KeyState::Answered { status, body } => return Ok(Accepted::Replay { status, body }),
    };
    let accepted = store::case_plans::accept(
        access.db,
        access.caller,
        &child.id,
        plan_id,
        version,
        acceptance,
        Some((&claim, answers.accepted)),
    )
    .await
    .map_err(AppError::from);
    settle(access, &claim, accepted, answers.refused)
        .await
        .map(|plan| Accepted::Plan(Box::new(plan)))
}

/// The places a plan needs and the reviews it schedules (from the plan's own schedule, those
/// due from today).
async fn acceptance_for(
    access: &Access<'_>,
    child: &crate::domain::casework::ChildRecord,
    plan: &StoredPlan,
    agreement: Option<Agreement>,
) -> AppResult<Acceptance> {
    let offer = store::provision::list(access.db, access.team()).await?;
    let mut places = Vec::new();
    for item in &plan.document.plan.items {
        if item.provision == CASE_MANAGER {
            continue;
        }
        let Some(stored) = offer.iter().find(|p| p.provision.id == item.provision) else {
            return Err(AppError::Conflict(format!(
                "provision '{}' of {} no longer exists: build the plan again",
                item.provision, item.intervention
            )));
        };
        let p = &stored.provision;
        places.push(WantedPlace {
            intervention: item.intervention.clone(),
            provision: p.clone(),
            start: (!p.rolling).then_some(item.start),
        });
    }
    let today = today();
    let reviews = plan
        .document
        .plan
        .reviews
        .iter()
        .filter(|r| r.due >= today)
        .map(|r| match r.kind {
            ScheduledKind::Plan => NewReview {
                kind: ReviewKind::Plan,
                intervention: None,
                due: r.due,
                reason: "scheduled plan review".into(),
                plan_id: None,
            },
            ScheduledKind::ItemOutcome => NewReview {
                kind: ReviewKind::ItemOutcome,
                intervention: r.intervention.clone(),
                due: r.due,
                reason: format!(
                    "outcome of {}",
                    r.intervention.as_deref().unwrap_or("an item")
                ),
                plan_id: None,
            },
        })
        .collect();
    Ok(Acceptance {
        reference: child.reference.clone(),
        groups: booking_groups(child),
        places,
        reviews,
        agreement,
        today,
    })
}

/// Starts or closes a plan. Closing frees the places of items not yet started.
pub async fn set_plan_state(
    access: &Access<'_>,
    child_id: &str,
    plan_id: &str,
    version: Option<i64>,
    to: PlanState,
    reason: &str,
) -> AppResult<StoredPlan> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    store::case_plans::get(access.db, access.team(), &child.id, plan_id).await?;
    let version = based_on(version)?;
    if !matches!(to, PlanState::Active | PlanState::Closed) {
        return Err(AppError::invalid(
            "state",
            "a plan is started (active) or closed here; it is accepted through accept",
        ));
    }
    if to == PlanState::Closed && reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "say why the plan is closed"));
    }
    let today = today();
    let not_started = move |plan: &StoredPlan| -> Vec<Place> {
        plan.document
            .places
            .iter()
            .filter(|place| {
                plan.document
                    .plan
                    .items
                    .iter()
                    .find(|i| i.intervention == place.intervention)
                    .is_none_or(|i| i.start > today)
            })
            .cloned()
            .collect()
    };
    Ok(store::case_plans::set_state(
        access.db,
        access.caller,
        &child.id,
        plan_id,
        version,
        to,
        reason.trim(),
        &not_started,
    )
    .await?)
}

pub async fn record_agreement(
    access: &Access<'_>,
    child_id: &str,
    plan_id: &str,
    version: Option<i64>,
    agreement: Agreement,
) -> AppResult<StoredPlan> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    store::case_plans::get(access.db, access.team(), &child.id, plan_id).await?;
    let version = based_on(version)?;
    agreement.validate()?;
    Ok(store::case_plans::set_agreement(
        access.db,
        access.caller,
        &child.id,
        plan_id,
        version,
        &agreement,
    )
    .await?)
}
