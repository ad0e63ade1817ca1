//! Case records: young people and what is recorded about them (docs/casework.md). Case
//! managers (and admins) keep them; coordinators see only plans and the places they hold;
//! managers see aggregates, never a child's record. Every read is audited, once.

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Access, AppError, AppResult, based_on};
use crate::accounts::Role;
use crate::domain::case_plan::ReviewKind;
use crate::domain::casework::{
    Assessment, CaseEvent, ChildRecord, OrderRecord, PartnerDecision, RiskPlans, add_working_days,
};
use crate::store::audit::AuditAction;
use crate::store::case_records::{HistoryEntry, RecordKind, Stored, StoredChild};
use crate::store::reviews::{NewReview, StoredReview};
use crate::store::{self, cohorts::today};

/// Those who keep children's records and plans.
pub const CASE_WORKERS: &[Role] = &[Role::CaseManager, Role::Admin];
/// Those who may see a child's plans and the places they hold (not the assessments behind).
pub const PLAN_READERS: &[Role] = &[Role::CaseManager, Role::Coordinator, Role::Admin];

/// Working days within which a significant change is reviewed.
pub const SIGNIFICANT_CHANGE_REVIEW_WORKING_DAYS: u32 = 10;

/// The child `id` in the caller's team (404 otherwise: another team's child does not exist).
pub(crate) async fn child_of(access: &Access<'_>, id: &str) -> AppResult<StoredChild> {
    Ok(store::case_records::get_child(access.db, access.team(), id).await?)
}

/// Audits one read of `what` about a child.
pub(crate) async fn audit_child_read(
    access: &Access<'_>,
    child: &StoredChild,
    what: &str,
) -> AppResult<()> {
    access
        .audit_read(
            AuditAction::ChildRead,
            &format!("child:{} {what}", child.record.reference),
        )
        .await
}

pub async fn create_child(access: &Access<'_>, record: ChildRecord) -> AppResult<StoredChild> {
    access.allow(CASE_WORKERS)?;
    record.validate(today())?;
    check_case_manager(access, &record).await?;
    Ok(store::case_records::create_child(access.db, access.caller, &record).await?)
}

/// The case manager named must be a user of the team.
async fn check_case_manager(access: &Access<'_>, record: &ChildRecord) -> AppResult<()> {
    if let Some(user) = &record.case_manager
        && !store::accounts::user_in_team(access.db, access.team(), user).await?
    {
        return Err(AppError::invalid("case_manager", "not a user of your team"));
    }
    Ok(())
}

/// The team's young people; `mine`: only those the caller holds. One audit entry names every
/// child returned.
pub async fn list_children(access: &Access<'_>, mine: bool) -> AppResult<Vec<StoredChild>> {
    access.allow(CASE_WORKERS)?;
    let holder = mine.then_some(access.caller.user_id.as_str());
    let children = store::case_records::list_children(access.db, access.team(), holder).await?;
    if !children.is_empty() {
        let references: Vec<&str> = children
            .iter()
            .map(|c| c.record.reference.as_str())
            .collect();
        access
            .audit_read(
                AuditAction::ChildRead,
                &format!("children:{}", references.join(",")),
            )
            .await?;
    }
    Ok(children)
}

pub async fn get_child(access: &Access<'_>, id: &str) -> AppResult<StoredChild> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, id).await?;
    audit_child_read(access, &child, "record").await?;
    Ok(child)
}

pub async fn update_child(
    access: &Access<'_>,
    id: &str,
    version: Option<i64>,
    record: ChildRecord,
) -> AppResult<StoredChild> {
    access.allow(CASE_WORKERS)?;
    child_of(access, id).await?;
    let version = based_on(version)?;
    record.validate(today())?;
    check_case_manager(access, &record).await?;
    Ok(store::case_records::update_child(access.db, access.caller, id, &record, version).await?)
}

/// Records a new assessment. When it changes a level that drives the plan (likelihood, risk
/// of serious harm, safety and wellbeing, intervention level) and a plan is live, a
/// significant-change review falls due.
pub async fn add_assessment(
    access: &Access<'_>,
    child_id: &str,
    assessment: Assessment,
) -> AppResult<Stored<Assessment>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    assessment.validate(&catalogue, today())?;
    let before: Option<Stored<Assessment>> =
        store::case_records::latest(access.db, access.team(), &child.id, RecordKind::Assessment)
            .await?;
    let live = store::case_plans::live(access.db, access.team(), &child.id).await?;
    let review = match (&before, &live) {
        (Some(before), Some(_)) => {
            let changes = assessment.level_changes(&before.document);
            (!changes.is_empty()).then(|| NewReview {
                kind: ReviewKind::SignificantChange,
                intervention: None,
                due: add_working_days(
                    assessment.assessed_on,
                    SIGNIFICANT_CHANGE_REVIEW_WORKING_DAYS,
                ),
                reason: format!("new assessment: {}", changes.join("; ")),
                plan_id: None,
            })
        }
        _ => None,
    };
    Ok(store::case_records::add_assessment(
        access.db,
        access.caller,
        &child.id,
        &assessment,
        review.as_ref(),
    )
    .await?)
}

/// A significant change in the child's life: the plan is reviewed within 10 working days.
pub async fn record_event(
    access: &Access<'_>,
    child_id: &str,
    event: CaseEvent,
) -> AppResult<StoredReview> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    event.validate(today())?;
    let review = NewReview {
        kind: ReviewKind::SignificantChange,
        intervention: None,
        due: add_working_days(event.occurred_on, SIGNIFICANT_CHANGE_REVIEW_WORKING_DAYS),
        reason: format!("{} on {}", event.kind.label(), event.occurred_on),
        plan_id: None,
    };
    let document = serde_json::to_value(&event).map_err(AppError::internal)?;
    Ok(
        store::reviews::add_for_event(access.db, access.caller, &child.id, &review, &document)
            .await?,
    )
}

/// The kinds a case manager adds and changes through one route each.
pub trait CaseRecord: Serialize + DeserializeOwned + Send + Sync {
    const KIND: RecordKind;
    /// Only one record of the kind per child (risk plans).
    const SINGLE: bool = false;
    fn check(
        &self,
        catalogue: &crate::domain::Catalogue,
        today: NaiveDate,
    ) -> Result<(), crate::domain::FieldErrors>;
}

impl CaseRecord for Assessment {
    const KIND: RecordKind = RecordKind::Assessment;
    fn check(
        &self,
        catalogue: &crate::domain::Catalogue,
        today: NaiveDate,
    ) -> Result<(), crate::domain::FieldErrors> {
        self.validate(catalogue, today)
    }
}

impl CaseRecord for OrderRecord {
    const KIND: RecordKind = RecordKind::Order;
    fn check(
        &self,
        _: &crate::domain::Catalogue,
        _: NaiveDate,
    ) -> Result<(), crate::domain::FieldErrors> {
        self.validate()
    }
}

impl CaseRecord for RiskPlans {
    const KIND: RecordKind = RecordKind::RiskPlans;
    const SINGLE: bool = true;
    fn check(
        &self,
        _: &crate::domain::Catalogue,
        _: NaiveDate,
    ) -> Result<(), crate::domain::FieldErrors> {
        self.validate()
    }
}

impl CaseRecord for PartnerDecision {
    const KIND: RecordKind = RecordKind::PartnerDecision;
    fn check(
        &self,
        catalogue: &crate::domain::Catalogue,
        _: NaiveDate,
    ) -> Result<(), crate::domain::FieldErrors> {
        self.validate(catalogue)
    }
}

/// Adds an order, a partner decision or (once) the risk plans. Assessments go through
/// `add_assessment`, which also schedules a significant-change review.
pub async fn add_record<T: CaseRecord>(
    access: &Access<'_>,
    child_id: &str,
    document: T,
) -> AppResult<Stored<T>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    document.check(&catalogue, today())?;
    if T::SINGLE
        && store::case_records::latest::<serde_json::Value>(
            access.db,
            access.team(),
            &child.id,
            T::KIND,
        )
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "this child's {} exist: change them with PUT and If-Match",
            T::KIND.as_str().replace('_', " ")
        )));
    }
    Ok(store::case_records::add(access.db, access.caller, &child.id, T::KIND, &document).await?)
}

pub async fn update_record<T: CaseRecord>(
    access: &Access<'_>,
    child_id: &str,
    id: &str,
    version: Option<i64>,
    document: T,
) -> AppResult<Stored<T>> {
    access.allow(CASE_WORKERS)?;
    if T::KIND == RecordKind::Assessment {
        return Err(AppError::Conflict(
            "an assessment is never changed: record a new one".into(),
        ));
    }
    let child = child_of(access, child_id).await?;
    store::case_records::get::<serde_json::Value>(access.db, access.team(), &child.id, T::KIND, id)
        .await?;
    let version = based_on(version)?;
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    document.check(&catalogue, today())?;
    Ok(store::case_records::update(
        access.db,
        access.caller,
        &child.id,
        T::KIND,
        id,
        &document,
        version,
    )
    .await?)
}

/// A child's records of one kind. Coordinators and managers never see assessments, risk
/// plans, orders or partner decisions.
pub async fn list_records<T: CaseRecord>(
    access: &Access<'_>,
    child_id: &str,
) -> AppResult<Vec<Stored<T>>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    audit_child_read(access, &child, T::KIND.as_str()).await?;
    Ok(store::case_records::list(access.db, access.team(), &child.id, T::KIND).await?)
}

pub async fn get_record<T: CaseRecord>(
    access: &Access<'_>,
    child_id: &str,
    id: &str,
) -> AppResult<Stored<T>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let found = store::case_records::get(access.db, access.team(), &child.id, T::KIND, id).await?;
    audit_child_read(access, &child, &format!("{}:{id}", T::KIND.as_str())).await?;
    Ok(found)
}

/// Every version of every record about the child, oldest first.
pub async fn history(access: &Access<'_>, child_id: &str) -> AppResult<Vec<HistoryEntry>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    audit_child_read(access, &child, "history").await?;
    Ok(store::case_records::history(access.db, access.team(), &child.id).await?)
}

/// Changes the child's risk plans (the one record of its kind), with `If-Match`.
pub async fn update_risk_plans(
    access: &Access<'_>,
    child_id: &str,
    version: Option<i64>,
    plans: RiskPlans,
) -> AppResult<Stored<RiskPlans>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let current = store::case_records::latest::<RiskPlans>(
        access.db,
        access.team(),
        &child.id,
        RecordKind::RiskPlans,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    update_record(access, child_id, &current.id, version, plans).await
}
