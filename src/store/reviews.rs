//! Reviews: due from a plan's schedule or a significant change, then recorded (once; a
//! correction is a new version). A due review whose date has passed is overdue.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};

use super::audit::{self, AuditAction};
use super::case_records::{get_child, write_history};
use super::casework_entities::reviews;
use super::cohorts::parse_date;
use super::{StoreError, StoreResult, begin_write, finish, now};
use crate::accounts::Caller;
use crate::domain::case_plan::{ReviewKind, ReviewRecord};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Due,
    Recorded,
    /// Its plan was replaced or closed before it fell due.
    Cancelled,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Due => "due",
            ReviewState::Recorded => "recorded",
            ReviewState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> ReviewState {
        match s {
            "recorded" => ReviewState::Recorded,
            "cancelled" => ReviewState::Cancelled,
            _ => ReviewState::Due,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub kind: ReviewKind,
    pub intervention: Option<String>,
    pub due: NaiveDate,
    pub reason: String,
    pub plan_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredReview {
    pub id: String,
    pub young_person_id: String,
    pub plan_id: Option<String>,
    pub kind: ReviewKind,
    pub intervention: Option<String>,
    pub due: NaiveDate,
    pub reason: String,
    pub state: ReviewState,
    pub record: Option<ReviewRecord>,
    pub version: i64,
    pub recorded_at: Option<String>,
    pub recorded_by: Option<String>,
}

fn read(m: reviews::Model) -> StoreResult<StoredReview> {
    Ok(StoredReview {
        kind: ReviewKind::parse(&m.kind).unwrap_or(ReviewKind::Plan),
        due: parse_date(&m.due)?,
        state: ReviewState::parse(&m.state),
        record: m.record.as_deref().map(serde_json::from_str).transpose()?,
        id: m.id,
        young_person_id: m.young_person_id,
        plan_id: m.plan_id,
        intervention: m.intervention_id,
        reason: m.reason,
        version: m.version,
        recorded_at: m.recorded_at,
        recorded_by: m.recorded_by,
    })
}

pub(crate) async fn add_in(
    txn: &DatabaseTransaction,
    caller: &Caller,
    young_person_id: &str,
    review: &NewReview,
) -> StoreResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    reviews::Entity::insert(reviews::ActiveModel {
        team_id: Set(caller.team_id.clone()),
        id: Set(id.clone()),
        young_person_id: Set(young_person_id.to_string()),
        plan_id: Set(review.plan_id.clone()),
        kind: Set(review.kind.as_str().to_string()),
        intervention_id: Set(review.intervention.clone()),
        due: Set(review.due.to_string()),
        reason: Set(review.reason.clone()),
        state: Set(ReviewState::Due.as_str().to_string()),
        record: Set(None),
        version: Set(1),
        created_at: Set(now()),
        recorded_at: Set(None),
        recorded_by: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(id)
}

/// A review falling due on a significant change (a new offence, custody, a missing episode),
/// recorded in the young person's history with the event.
pub async fn add_for_event(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    review: &NewReview,
    event: &serde_json::Value,
) -> StoreResult<StoredReview> {
    let txn = begin_write(db).await?;
    let out = async {
        let child = get_child(&txn, &caller.team_id, young_person_id).await?;
        let id = add_in(&txn, caller, young_person_id, review).await?;
        write_history(
            &txn,
            caller,
            young_person_id,
            &format!("event:{id}"),
            1,
            "recorded",
            &event.to_string(),
        )
        .await?;
        audit::record(
            &txn,
            caller,
            AuditAction::RecordCreate,
            &format!("child:{} event:{id}", child.record.reference),
        )
        .await?;
        get(&txn, &caller.team_id, young_person_id, &id).await
    }
    .await;
    finish(txn, out).await
}

pub async fn get(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    id: &str,
) -> StoreResult<StoredReview> {
    let m = reviews::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .filter(|m| m.young_person_id == young_person_id)
        .ok_or(StoreError::NotFound)?;
    read(m)
}

/// A young person's reviews, soonest due first (cancelled ones left out).
pub async fn list_for_child(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
) -> StoreResult<Vec<StoredReview>> {
    reviews::Entity::find()
        .filter(reviews::Column::TeamId.eq(team))
        .filter(reviews::Column::YoungPersonId.eq(young_person_id))
        .filter(reviews::Column::State.ne(ReviewState::Cancelled.as_str()))
        .order_by_asc(reviews::Column::Due)
        .order_by_asc(reviews::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Every review of the team (cancelled ones left out), by young person, soonest due first.
pub async fn list_for_team(
    db: &impl ConnectionTrait,
    team: &str,
) -> StoreResult<Vec<StoredReview>> {
    reviews::Entity::find()
        .filter(reviews::Column::TeamId.eq(team))
        .filter(reviews::Column::State.ne(ReviewState::Cancelled.as_str()))
        .order_by_asc(reviews::Column::YoungPersonId)
        .order_by_asc(reviews::Column::Due)
        .order_by_asc(reviews::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// The team's reviews still due before `today`, oldest first.
pub async fn overdue(
    db: &impl ConnectionTrait,
    team: &str,
    today: NaiveDate,
) -> StoreResult<Vec<StoredReview>> {
    reviews::Entity::find()
        .filter(reviews::Column::TeamId.eq(team))
        .filter(reviews::Column::State.eq(ReviewState::Due.as_str()))
        .filter(reviews::Column::Due.lt(today.to_string()))
        .order_by_asc(reviews::Column::Due)
        .order_by_asc(reviews::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Cancels a plan's reviews that are still due (the plan was replaced or closed).
pub(crate) async fn cancel_due_for_plan(
    txn: &DatabaseTransaction,
    team: &str,
    plan_id: &str,
) -> StoreResult<()> {
    reviews::Entity::update_many()
        .col_expr(
            reviews::Column::State,
            Expr::value(ReviewState::Cancelled.as_str()),
        )
        .col_expr(
            reviews::Column::Version,
            Expr::col(reviews::Column::Version).add(1),
        )
        .filter(reviews::Column::TeamId.eq(team))
        .filter(reviews::Column::PlanId.eq(plan_id))
        .filter(reviews::Column::State.eq(ReviewState::Due.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Records a review if `expected_version` is current (a recorded review may be corrected the
/// same way: each version is kept in the history).
pub async fn record(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    id: &str,
    record: &ReviewRecord,
    expected_version: i64,
) -> StoreResult<StoredReview> {
    let team = caller.team_id.as_str();
    let text = serde_json::to_string(record)?;
    let txn = begin_write(db).await?;
    let out = async {
        let current = get(&txn, team, young_person_id, id).await?;
        if current.state == ReviewState::Cancelled {
            return Err(StoreError::Conflict(
                "this review was cancelled when its plan was replaced or closed".into(),
            ));
        }
        let child = get_child(&txn, team, young_person_id).await?;
        let updated = reviews::Entity::update_many()
            .col_expr(
                reviews::Column::State,
                Expr::value(ReviewState::Recorded.as_str()),
            )
            .col_expr(reviews::Column::Record, Expr::value(Some(text.clone())))
            .col_expr(
                reviews::Column::Version,
                Expr::col(reviews::Column::Version).add(1),
            )
            .col_expr(reviews::Column::RecordedAt, Expr::value(Some(now())))
            .col_expr(
                reviews::Column::RecordedBy,
                Expr::value(Some(caller.user_id.clone())),
            )
            .filter(reviews::Column::TeamId.eq(team))
            .filter(reviews::Column::Id.eq(id))
            .filter(reviews::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Stale {
                current: current.version,
            });
        }
        write_history(
            &txn,
            caller,
            young_person_id,
            &format!("review:{id}"),
            expected_version + 1,
            "recorded",
            &text,
        )
        .await?;
        audit::record(
            &txn,
            caller,
            AuditAction::ReviewRecord,
            &format!("child:{} review:{id}", child.record.reference),
        )
        .await?;
        get(&txn, team, young_person_id, id).await
    }
    .await;
    finish(txn, out).await
}
