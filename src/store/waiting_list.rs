//! A provision's waiting list: children waiting for a place, in the order they were added.
//! Booking a child into one of the provision's cohorts takes them off it.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set, SqlErr,
};
use serde::Serialize;

use super::audit::AuditAction;
use super::capacity_entities::{cohorts, waiting_list};
use super::cohorts::parse_date;
use super::finish;
use super::{StoreError, StoreResult, audit, begin_write, now};
use crate::accounts::Caller;

/// One child on a waiting list, with the place they would get if places were given out in
/// list order: the earliest joinable cohort that still has a free place after everyone ahead of
/// them has had one (none: `next_cohort` and `next_start` are null).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingEntry {
    /// The entry's id: the address to remove it by (a case reference is never put in a URL).
    pub id: i64,
    /// 1 for the first in line.
    pub position: usize,
    /// The child's case reference (left out for roles that see aggregates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub added_at: String,
    pub next_cohort: Option<String>,
    /// The next cohort's start; for a rolling pool, the day the place is free (today).
    pub next_start: Option<NaiveDate>,
}

/// The free places of joinable cohorts (not yet started; a rolling pool counts from `today`),
/// one entry per place, earliest first.
pub fn free_places(
    cohorts: &[cohorts::Model],
    today: NaiveDate,
) -> StoreResult<Vec<(String, NaiveDate)>> {
    let mut open = Vec::new();
    for c in cohorts {
        let start = match &c.start {
            Some(text) => parse_date(text)?,
            None => today,
        };
        if start < today {
            continue;
        }
        open.push((start, c.id.clone(), (c.places - c.filled).max(0)));
    }
    open.sort();
    Ok(open
        .into_iter()
        .flat_map(|(start, id, free)| std::iter::repeat_n((id, start), free as usize))
        .collect())
}

pub(crate) async fn cohorts_of(
    db: &impl ConnectionTrait,
    team: &str,
    provision: &str,
) -> StoreResult<Vec<cohorts::Model>> {
    Ok(cohorts::Entity::find()
        .filter(cohorts::Column::TeamId.eq(team))
        .filter(cohorts::Column::ProvisionId.eq(provision))
        .all(db)
        .await?)
}

/// The provision's waiting list in order. `with_references`: whether the caller's role sees
/// case references; when it does the read is recorded in the audit trail.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Caller,
    provision: &str,
    today: NaiveDate,
    with_references: bool,
) -> StoreResult<Vec<WaitingEntry>> {
    let team = caller.team_id.as_str();
    super::provision::get(db, team, provision).await?;
    let rows = waiting_list::Entity::find()
        .filter(waiting_list::Column::TeamId.eq(team))
        .filter(waiting_list::Column::ProvisionId.eq(provision))
        .order_by_asc(waiting_list::Column::AddedAt)
        .order_by_asc(waiting_list::Column::Id)
        .all(db)
        .await?;
    let mut places = free_places(&cohorts_of(db, team, provision).await?, today)?.into_iter();
    if with_references && !rows.is_empty() {
        audit::record(
            db,
            caller,
            AuditAction::WaitingListRead,
            &format!("provision:{provision}"),
        )
        .await?;
    }
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(k, row)| {
            let place = places.next();
            WaitingEntry {
                id: row.id,
                position: k + 1,
                reference: with_references.then_some(row.child_reference),
                added_at: row.added_at,
                next_start: place.as_ref().map(|p| p.1),
                next_cohort: place.map(|p| p.0),
            }
        })
        .collect())
}

/// Adds a child at the end of the provision's list and returns the entry's id: 409 if already
/// on it, 404 if there is no such provision in the caller's team.
pub async fn add(
    db: &DatabaseConnection,
    caller: &Caller,
    provision: &str,
    reference: &str,
) -> StoreResult<i64> {
    let team = caller.team_id.as_str();
    super::provision::get(db, team, provision).await?;
    let txn = begin_write(db).await?;
    let out = async {
        let entry = waiting_list::ActiveModel {
            team_id: Set(team.to_string()),
            provision_id: Set(provision.to_string()),
            child_reference: Set(reference.to_string()),
            added_at: Set(now()),
            added_by: Set(caller.user_id.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(format!(
                "{reference} is already on the waiting list of '{provision}'"
            )),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::NotFound,
            _ => StoreError::Db(e),
        })?;
        audit::record(
            &txn,
            caller,
            AuditAction::WaitingListAdd,
            &format!("provision:{provision} child:{reference}"),
        )
        .await?;
        Ok(entry.id)
    }
    .await;
    finish(txn, out).await
}

/// Takes the entry `entry_id` off the provision's list (404 if the provision of the caller's
/// team has no such entry).
pub async fn remove(
    db: &DatabaseConnection,
    caller: &Caller,
    provision: &str,
    entry_id: i64,
) -> StoreResult<()> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let out = async {
        let scoped = |id: i64| {
            Condition::all()
                .add(waiting_list::Column::TeamId.eq(team))
                .add(waiting_list::Column::ProvisionId.eq(provision))
                .add(waiting_list::Column::Id.eq(id))
        };
        let entry = waiting_list::Entity::find()
            .filter(scoped(entry_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let deleted = waiting_list::Entity::delete_many()
            .filter(scoped(entry_id))
            .exec(&txn)
            .await?;
        if deleted.rows_affected != 1 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &txn,
            caller,
            AuditAction::WaitingListRemove,
            &format!("provision:{provision} child:{}", entry.child_reference),
        )
        .await
    }
    .await;
    finish(txn, out).await
}

/// How many children wait for each of the team's provisions.
pub async fn counts(
    db: &impl ConnectionTrait,
    team: &str,
) -> StoreResult<std::collections::BTreeMap<String, i64>> {
    let mut out = std::collections::BTreeMap::new();
    for row in waiting_list::Entity::find()
        .filter(waiting_list::Column::TeamId.eq(team))
        .all(db)
        .await?
    {
        *out.entry(row.provision_id).or_insert(0) += 1;
    }
    Ok(out)
}
