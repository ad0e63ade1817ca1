//! A team's local offer: what is actually provided, where, and with how many places.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, SqlErr,
};
use serde::Serialize;

use super::audit::{self, AuditAction};
use super::capacity_entities::{cohort_facilitators, cohorts, waiting_list};
use super::entities::provision;
use super::finish;
use super::{StoreError, StoreResult, begin_write, now};
use crate::accounts::Caller;
use crate::domain::Provision;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredProvision {
    #[serde(flatten)]
    pub provision: Provision,
    pub version: i64,
    pub updated_at: String,
}

fn stored(model: provision::Model) -> StoreResult<StoredProvision> {
    Ok(StoredProvision {
        provision: serde_json::from_str(&model.document)?,
        version: model.version,
        updated_at: model.updated_at,
    })
}

pub async fn list(db: &impl ConnectionTrait, team: &str) -> StoreResult<Vec<StoredProvision>> {
    provision::Entity::find()
        .filter(provision::Column::TeamId.eq(team))
        .order_by_asc(provision::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(stored)
        .collect()
}

pub async fn get(db: &impl ConnectionTrait, team: &str, id: &str) -> StoreResult<StoredProvision> {
    let model = provision::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    stored(model)
}

fn row(team: &str, p: &Provision, version: i64) -> StoreResult<provision::ActiveModel> {
    Ok(provision::ActiveModel {
        team_id: Set(team.to_string()),
        id: Set(p.id.clone()),
        intervention_id: Set(p.intervention.clone()),
        document: Set(serde_json::to_string(p)?),
        version: Set(version),
        updated_at: Set(now()),
    })
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    p: &Provision,
) -> StoreResult<StoredProvision> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    if provision::Entity::find_by_id((team.to_string(), p.id.clone()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "a provision '{}' already exists",
            p.id
        )));
    }
    provision::Entity::insert(row(team, p, 1)?)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        caller,
        AuditAction::ProvisionCreate,
        &format!("provision:{}", p.id),
    )
    .await?;
    let saved = get(&txn, team, &p.id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces a provision record if `expected_version` is still current.
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    p: &Provision,
    expected_version: i64,
) -> StoreResult<StoredProvision> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let current = get(&txn, team, &p.id).await?;
    let out = async {
        keep_booked_starts(&txn, team, p).await?;
        replace(&txn, team, p, expected_version, current.version).await?;
        audit::record(
            &txn,
            caller,
            AuditAction::ProvisionUpdate,
            &format!("provision:{}", p.id),
        )
        .await?;
        get(&txn, team, &p.id).await
    }
    .await;
    finish(txn, out).await
}

/// A provision's cohorts must stay among its starts: a start (or the rolling pool) that has
/// bookings cannot be removed (409: cancel or move them first); an empty cohort whose start is
/// removed goes with it.
async fn keep_booked_starts(
    txn: &DatabaseTransaction,
    team: &str,
    p: &Provision,
) -> StoreResult<()> {
    let existing = cohorts::Entity::find()
        .filter(cohorts::Column::TeamId.eq(team))
        .filter(cohorts::Column::ProvisionId.eq(p.id.clone()))
        .all(txn)
        .await?;
    let mut orphaned = Vec::new();
    for cohort in existing {
        let kept = match cohort.start.as_deref() {
            None => p.rolling,
            Some(day) => !p.rolling && p.starts.iter().any(|s| s.to_string() == day),
        };
        if kept {
            continue;
        }
        if cohort.filled > 0 {
            let which = cohort.start.as_deref().unwrap_or("the rolling pool");
            return Err(StoreError::Conflict(format!(
                "the cohort starting {which} has {} booking(s): cancel or move them before \
                 removing its start",
                cohort.filled
            )));
        }
        orphaned.push(cohort.id);
    }
    if !orphaned.is_empty() {
        cohort_facilitators::Entity::delete_many()
            .filter(cohort_facilitators::Column::TeamId.eq(team))
            .filter(cohort_facilitators::Column::CohortId.is_in(orphaned.clone()))
            .exec(txn)
            .await?;
        cohorts::Entity::delete_many()
            .filter(cohorts::Column::TeamId.eq(team))
            .filter(cohorts::Column::Id.is_in(orphaned))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Writes the new document if `expected_version` is still current.
async fn replace(
    txn: &DatabaseTransaction,
    team: &str,
    p: &Provision,
    expected_version: i64,
    current_version: i64,
) -> StoreResult<()> {
    let result = provision::Entity::update_many()
        .col_expr(
            provision::Column::InterventionId,
            Expr::value(p.intervention.clone()),
        )
        .col_expr(
            provision::Column::Document,
            Expr::value(serde_json::to_string(p)?),
        )
        .col_expr(provision::Column::UpdatedAt, Expr::value(now()))
        .col_expr(
            provision::Column::Version,
            Expr::col(provision::Column::Version).add(1),
        )
        .filter(provision::Column::TeamId.eq(team))
        .filter(provision::Column::Id.eq(p.id.clone()))
        .filter(provision::Column::Version.eq(expected_version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(StoreError::Stale {
            current: current_version,
        });
    }
    Ok(())
}

/// Deletes a provision if `expected_version` is still current (412 otherwise) and nothing
/// depends on it: a provision with cohorts or a waiting list is refused (409), checked in the
/// same write transaction as the delete. A dependant committed concurrently on PostgreSQL (after
/// the check, before the delete) makes the foreign key refuse the delete: also a 409.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &Caller,
    id: &str,
    expected_version: i64,
) -> StoreResult<()> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let out = async {
        let current = get(&txn, team, id).await?;
        let stale = StoreError::Stale {
            current: current.version,
        };
        if current.version != expected_version {
            return Err(stale);
        }
        let (cohorts, waiting) = dependants(&txn, team, id).await?;
        if cohorts > 0 || waiting > 0 {
            return Err(StoreError::Conflict(in_use_message(id, cohorts, waiting)));
        }
        let result = provision::Entity::delete_many()
            .filter(provision::Column::TeamId.eq(team))
            .filter(provision::Column::Id.eq(id))
            .filter(provision::Column::Version.eq(expected_version))
            .exec(&txn)
            .await
            .map_err(|e| match e.sql_err() {
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::Conflict(format!(
                    "provision '{id}' cannot be deleted: cohorts or a waiting list were \
                         just added to it"
                )),
                _ => StoreError::Db(e),
            })?;
        if result.rows_affected != 1 {
            return Err(stale);
        }
        audit::record(
            &txn,
            caller,
            AuditAction::ProvisionDelete,
            &format!("provision:{id}"),
        )
        .await
    }
    .await;
    finish(txn, out).await
}

/// How many cohorts and waiting-list entries the provision has.
async fn dependants(db: &impl ConnectionTrait, team: &str, id: &str) -> StoreResult<(u64, u64)> {
    let cohorts = cohorts::Entity::find()
        .filter(cohorts::Column::TeamId.eq(team))
        .filter(cohorts::Column::ProvisionId.eq(id))
        .count(db)
        .await?;
    let waiting = waiting_list::Entity::find()
        .filter(waiting_list::Column::TeamId.eq(team))
        .filter(waiting_list::Column::ProvisionId.eq(id))
        .count(db)
        .await?;
    Ok((cohorts, waiting))
}

/// Says what keeps a provision, in counts (never which children).
fn in_use_message(id: &str, cohorts: u64, waiting: u64) -> String {
    let mut parts = Vec::new();
    if cohorts > 0 {
        let s = if cohorts == 1 { "" } else { "s" };
        parts.push(format!("{cohorts} cohort{s}"));
    }
    if waiting > 0 {
        let who = if waiting == 1 { "child" } else { "children" };
        parts.push(format!("{waiting} {who} on its waiting list"));
    }
    format!(
        "provision '{id}' cannot be deleted while it has {}",
        parts.join(" and ")
    )
}

/// Loads a team's offer from a file: inserts what is new, updates what changed, keeps the rest.
/// Running it twice changes nothing.
pub async fn load(
    db: &DatabaseConnection,
    caller: &Caller,
    offer: &[Provision],
) -> StoreResult<usize> {
    let team = caller.team_id.as_str();
    let mut changed = 0;
    for p in offer {
        match get(db, team, &p.id).await {
            Ok(current) if current.provision == *p => {}
            Ok(current) => {
                update(db, caller, p, current.version).await?;
                changed += 1;
            }
            Err(StoreError::NotFound) => {
                create(db, caller, p).await?;
                changed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}
