//! Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"): one row per (team,
//! user, key) with the request's fingerprint and, once done, its response. Claiming a key is one
//! `INSERT … ON CONFLICT DO NOTHING`: of concurrent requests with one key exactly one inserts
//! (PostgreSQL makes the others wait for the inserter's commit, SQLite serialises the writers),
//! the others read the row and replay it or answer "in flight".

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::capacity_entities::idempotency_keys;
use super::finish;
use super::{StoreResult, begin_write, now};
use crate::accounts::Caller;

/// A claim that is still in flight after this long is taken to be abandoned (the process died
/// between claiming and completing) and may be claimed again.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::minutes(2);
/// Completed keys are kept this long; then the key may be used again.
const KEPT_FOR: chrono::Duration = chrono::Duration::hours(24);

/// The right to process a request under a key; complete it or release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    team_id: String,
    user_id: String,
    key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First use of the key: process the request.
    Claimed(Claim),
    /// The key's request was processed: answer with this.
    Replay { status: u16, body: String },
    /// The key's request is being processed now.
    InFlight,
    /// The key was used with another request.
    Mismatch,
}

/// A key's state as stored (`state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyState {
    /// Claimed; its request is being processed.
    InFlight,
    /// Its response is stored.
    Done,
}

impl KeyState {
    fn as_str(self) -> &'static str {
        match self {
            KeyState::InFlight => "in_flight",
            KeyState::Done => "done",
        }
    }
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn by_key(claim: &Claim) -> sea_orm::Select<idempotency_keys::Entity> {
    idempotency_keys::Entity::find()
        .filter(idempotency_keys::Column::TeamId.eq(claim.team_id.as_str()))
        .filter(idempotency_keys::Column::UserId.eq(claim.user_id.as_str()))
        .filter(idempotency_keys::Column::Key.eq(claim.key.as_str()))
}

/// Claims `key` for the caller, or says what to answer instead.
pub async fn begin(
    db: &DatabaseConnection,
    caller: &Caller,
    key: &str,
    fingerprint: &str,
) -> StoreResult<Begin> {
    let claim = Claim {
        team_id: caller.team_id.clone(),
        user_id: caller.user_id.clone(),
        key: key.to_string(),
    };
    let txn = begin_write(db).await?;
    let out = async {
        // Expired keys of this user go first, so that an expired key can be claimed again.
        idempotency_keys::Entity::delete_many()
            .filter(idempotency_keys::Column::TeamId.eq(claim.team_id.as_str()))
            .filter(idempotency_keys::Column::UserId.eq(claim.user_id.as_str()))
            .filter(idempotency_keys::Column::CreatedAt.lt(stamp(chrono::Utc::now() - KEPT_FOR)))
            .exec(&txn)
            .await?;
        let inserted = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
            team_id: Set(claim.team_id.clone()),
            user_id: Set(claim.user_id.clone()),
            key: Set(claim.key.clone()),
            fingerprint: Set(fingerprint.to_string()),
            state: Set(KeyState::InFlight.as_str().into()),
            response_status: Set(None),
            response_body: Set(None),
            created_at: Set(now()),
        })
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
        if inserted == 1 {
            return Ok(Begin::Claimed(claim.clone()));
        }
        let Some(row) = by_key(&claim).one(&txn).await? else {
            return Ok(Begin::InFlight);
        };
        if row.fingerprint != fingerprint {
            return Ok(Begin::Mismatch);
        }
        if row.state == KeyState::Done.as_str() {
            return Ok(Begin::Replay {
                status: row
                    .response_status
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(500),
                body: row.response_body.unwrap_or_default(),
            });
        }
        if row.created_at < stamp(chrono::Utc::now() - ABANDONED_AFTER) {
            // Take over an abandoned claim; the condition makes only one taker win.
            let taken = idempotency_keys::Entity::update_many()
                .col_expr(idempotency_keys::Column::CreatedAt, Expr::value(now()))
                .filter(idempotency_keys::Column::TeamId.eq(claim.team_id.as_str()))
                .filter(idempotency_keys::Column::UserId.eq(claim.user_id.as_str()))
                .filter(idempotency_keys::Column::Key.eq(claim.key.as_str()))
                .filter(idempotency_keys::Column::State.eq(KeyState::InFlight.as_str()))
                .filter(idempotency_keys::Column::CreatedAt.eq(row.created_at))
                .exec(&txn)
                .await?;
            if taken.rows_affected == 1 {
                return Ok(Begin::Claimed(claim.clone()));
            }
        }
        Ok(Begin::InFlight)
    }
    .await;
    finish(txn, out).await
}

/// Stores the response of a claimed key (in the caller's transaction when it has one, so the
/// effect and the stored response commit together).
pub async fn complete(
    db: &impl ConnectionTrait,
    claim: &Claim,
    status: u16,
    body: &str,
) -> StoreResult<()> {
    idempotency_keys::Entity::update_many()
        .col_expr(
            idempotency_keys::Column::State,
            Expr::value(KeyState::Done.as_str()),
        )
        .col_expr(
            idempotency_keys::Column::ResponseStatus,
            Expr::value(i64::from(status)),
        )
        .col_expr(
            idempotency_keys::Column::ResponseBody,
            Expr::value(body.to_string()),
        )
        .filter(idempotency_keys::Column::TeamId.eq(claim.team_id.as_str()))
        .filter(idempotency_keys::Column::UserId.eq(claim.user_id.as_str()))
        .filter(idempotency_keys::Column::Key.eq(claim.key.as_str()))
        .filter(idempotency_keys::Column::State.eq(KeyState::InFlight.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a claimed key up (after a server-side failure), so that a retry is processed afresh.
pub async fn release(db: &DatabaseConnection, claim: &Claim) -> StoreResult<()> {
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::TeamId.eq(claim.team_id.as_str()))
        .filter(idempotency_keys::Column::UserId.eq(claim.user_id.as_str()))
        .filter(idempotency_keys::Column::Key.eq(claim.key.as_str()))
        .filter(idempotency_keys::Column::State.eq(KeyState::InFlight.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
