//! Reviews and the checks a case manager sees on a child's plan (docs/casework.md, "Reviews"
//! and "Checks"): what is due, what is overdue, and what an inspector would ask about.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::casework::{CASE_WORKERS, audit_child_read, child_of};
use super::{Access, AppResult, based_on};
use crate::accounts::Role;
use crate::domain::case_plan::{PlanState, ReviewKind, ReviewRecord};
use crate::domain::casework::{Assessment, OrderRecord, RiskPlans, add_working_days};
use crate::store::audit::AuditAction;
use crate::store::case_records::RecordKind;
use crate::store::reviews::StoredReview;
use crate::store::{self, cohorts::today};

/// Working days from the order's start within which a plan is accepted.
pub const PLAN_WITHIN_WORKING_DAYS: u32 = 15;

pub async fn list_reviews(access: &Access<'_>, child_id: &str) -> AppResult<Vec<StoredReview>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    audit_child_read(access, &child, "reviews").await?;
    Ok(store::reviews::list_for_child(access.db, access.team(), &child.id).await?)
}

/// Records a review: per item of the plan reviewed, sessions, status and outcomes.
pub async fn record_review(
    access: &Access<'_>,
    child_id: &str,
    review_id: &str,
    version: Option<i64>,
    record: ReviewRecord,
) -> AppResult<StoredReview> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let review = store::reviews::get(access.db, access.team(), &child.id, review_id).await?;
    let version = based_on(version)?;
    let plan = match &review.plan_id {
        Some(id) => Some(store::case_plans::get(access.db, access.team(), &child.id, id).await?),
        None => store::case_plans::live(access.db, access.team(), &child.id).await?,
    };
    record.validate(plan.as_ref().map(|p| &p.document.plan), today())?;
    Ok(store::reviews::record(
        access.db,
        access.caller,
        &child.id,
        review_id,
        &record,
        version,
    )
    .await?)
}

/// An overdue review, for the case manager's and the team's lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub young_person_id: String,
    pub reference: String,
    pub case_manager: Option<String>,
    pub review: StoredReview,
    pub days_overdue: i64,
}

/// What a caller sees of overdue reviews: case managers and admins the reviews; managers only
/// how many each case manager has.
pub enum OverdueView {
    Reviews(Vec<Overdue>),
    Counts(BTreeMap<String, usize>),
}

/// Reviews overdue in the team (`mine`: of the caller's children only).
pub async fn overdue(access: &Access<'_>, mine: bool) -> AppResult<OverdueView> {
    access.allow(&[Role::CaseManager, Role::Manager, Role::Admin])?;
    let today = today();
    let children = store::case_records::list_children(access.db, access.team(), None).await?;
    let by_id: BTreeMap<&str, _> = children.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut list = Vec::new();
    for review in store::reviews::overdue(access.db, access.team(), today).await? {
        let Some(child) = by_id.get(review.young_person_id.as_str()) else {
            continue;
        };
        let case_manager = child.record.case_manager.clone();
        if mine && case_manager.as_deref() != Some(access.caller.user_id.as_str()) {
            continue;
        }
        list.push(Overdue {
            young_person_id: child.id.clone(),
            reference: child.record.reference.clone(),
            case_manager,
            days_overdue: (today - review.due).num_days(),
            review,
        });
    }
    if access.caller.role == Role::Manager {
        let mut counts = BTreeMap::new();
        for o in &list {
            let holder = o
                .case_manager
                .clone()
                .unwrap_or_else(|| "(unallocated)".into());
            *counts.entry(holder).or_insert(0) += 1;
        }
        return Ok(OverdueView::Counts(counts));
    }
    if !list.is_empty() {
        let references: Vec<&str> = list.iter().map(|o| o.reference.as_str()).collect();
        access
            .audit_read(
                AuditAction::ReviewsRead,
                &format!("children:{}", references.join(",")),
            )
            .await?;
    }
    Ok(OverdueView::Reviews(list))
}

/// Something on a child's plan a case manager must act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// A flag code of the plan (docs/planning.md), or `item_without_need`, `plan_late`,
    /// `no_contingency_plan`, `review_overdue`.
    pub code: String,
    pub detail: String,
}

fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// The checks on a child's current plan (the live one, else the newest draft).
pub async fn checks(access: &Access<'_>, child_id: &str) -> AppResult<Vec<Check>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let team = access.team();
    let plans = store::case_plans::list(access.db, team, &child.id).await?;
    let current = plans
        .iter()
        .rfind(|p| p.state.is_live())
        .or_else(|| plans.iter().rfind(|p| p.state == PlanState::Draft));
    let mut checks = Vec::new();
    if let Some(plan) = current {
        let p = &plan.document.plan;
        for flag in &p.flags {
            checks.push(Check {
                code: flag.code.as_str().to_string(),
                detail: flag.detail.clone(),
            });
        }
        for item in &p.items {
            let prepares = p.items.iter().any(|o| o.after.contains(&item.intervention));
            if item.addresses.is_empty() && !item.assessment && item.under.is_none() && !prepares {
                checks.push(Check {
                    code: "item_without_need".into(),
                    detail: format!(
                        "{} meets no assessed need, serves no requirement of the order and \
                         prepares for no other item: say why it is in the plan, or take it out",
                        item.intervention
                    ),
                });
            }
        }
    }
    let today = today();
    if let Some(order) =
        store::case_records::latest::<OrderRecord>(access.db, team, &child.id, RecordKind::Order)
            .await?
    {
        let deadline = add_working_days(order.document.order.start, PLAN_WITHIN_WORKING_DAYS);
        let history = store::case_records::history(access.db, team, &child.id).await?;
        let first_accepted = history
            .iter()
            .filter(|h| h.record.starts_with("plan:") && h.change == "accepted")
            .filter_map(|h| h.changed_at.get(..10))
            .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .min();
        let late = match first_accepted {
            Some(day) => (day > deadline).then(|| {
                format!(
                    "the first plan was accepted on {}, after {} ({PLAN_WITHIN_WORKING_DAYS} \
                     working days from the order's start)",
                    long_date(day),
                    long_date(deadline)
                )
            }),
            None => (today > deadline).then(|| {
                format!(
                    "no plan has been accepted, and {} ({PLAN_WITHIN_WORKING_DAYS} working \
                     days from the order's start) has passed",
                    long_date(deadline)
                )
            }),
        };
        if let Some(detail) = late {
            checks.push(Check {
                code: "plan_late".into(),
                detail,
            });
        }
    }
    let assessment = store::case_records::latest::<Assessment>(
        access.db,
        team,
        &child.id,
        RecordKind::Assessment,
    )
    .await?;
    if let Some(a) = assessment
        && a.document.risk_of_serious_harm.is_high_or_above()
    {
        let plans = store::case_records::latest::<RiskPlans>(
            access.db,
            team,
            &child.id,
            RecordKind::RiskPlans,
        )
        .await?;
        let has = plans.is_some_and(|p| {
            p.document
                .contingency()
                .iter()
                .any(|c| !c.trim().is_empty())
        });
        if !has {
            checks.push(Check {
                code: "no_contingency_plan".into(),
                detail: format!(
                    "risk of serious harm is {}: the risk management plan needs contingency \
                     actions (what will be done if the risk rises)",
                    a.document.risk_of_serious_harm.as_str().replace('_', " ")
                ),
            });
        }
    }
    for review in store::reviews::list_for_child(access.db, team, &child.id).await? {
        if review.state == store::reviews::ReviewState::Due && review.due < today {
            let what = match review.kind {
                ReviewKind::Plan => "the plan review".to_string(),
                ReviewKind::ItemOutcome => format!(
                    "the outcome review of {}",
                    review.intervention.as_deref().unwrap_or("an item")
                ),
                ReviewKind::SignificantChange => {
                    format!("the significant-change review ({})", review.reason)
                }
            };
            checks.push(Check {
                code: "review_overdue".into(),
                detail: format!(
                    "{what} was due on {} ({} days ago)",
                    long_date(review.due),
                    (today - review.due).num_days()
                ),
            });
        }
    }
    audit_child_read(access, &child, "checks").await?;
    Ok(checks)
}
