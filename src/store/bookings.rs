//! Bookings: a child holding a place in a cohort. Race-free on both backends:
//!
//! * Every change to a cohort's bookings (book, cancel, move) starts with one conditional UPDATE
//!   of the cohort's row (`filled = filled ± 1 … WHERE filled < places` / `filled > 0`) inside a
//!   write transaction, and checks rows affected. Nothing is read first and written later.
//! * SQLite: `store::begin_write` begins IMMEDIATE, so the whole transaction holds the
//!   database's write lock; writers are serialised.
//! * PostgreSQL (default READ COMMITTED): the UPDATE takes the cohort row's lock until commit. A
//!   concurrent UPDATE of the same row waits, then re-evaluates `filled < places` against the
//!   committed row (EvalPlanQual), so the cohort can never be over-filled; the CHECK
//!   `filled <= places` is the backstop. While we hold that lock no other transaction can change
//!   this cohort's bookings, and each later statement of ours takes a fresh snapshot that
//!   includes every booking committed before we got the lock: reading the cohort's bookings for
//!   the rival-group check after the UPDATE therefore sees exactly the members at our commit.
//! * Locks are always taken cohort row first, then booking rows; a move takes its two cohort
//!   rows in id order, so two opposite moves cannot deadlock.
//! * A duplicate (cohort, child) is refused by the unique key, not by a pre-check.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::audit::AuditAction;
use super::capacity_entities::{bookings, cohorts, waiting_list};
use super::cohorts::{conflict_on_unique, find_model};
use super::entities::interventions;
use super::finish;
use super::idempotency::Claim;
use super::{StoreError, StoreResult, audit, begin_write, now};
use crate::accounts::Caller;
use crate::domain::problem::rivals_of;

/// A booking as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Booking {
    pub id: String,
    pub cohort: String,
    /// The child's pseudonymous case reference.
    pub reference: String,
    pub gang_affiliations: Vec<String>,
    pub booked_at: String,
    pub booked_by: String,
}

fn read(model: bookings::Model) -> StoreResult<Booking> {
    Ok(Booking {
        gang_affiliations: serde_json::from_str(&model.gang_affiliations)?,
        id: model.id,
        cohort: model.cohort_id,
        reference: model.child_reference,
        booked_at: model.booked_at,
        booked_by: model.booked_by,
    })
}

/// The cohort's bookings, oldest first.
pub async fn list_for_cohort(
    db: &impl ConnectionTrait,
    team: &str,
    cohort: &str,
) -> StoreResult<Vec<Booking>> {
    bookings::Entity::find()
        .filter(bookings::Column::TeamId.eq(team))
        .filter(bookings::Column::CohortId.eq(cohort))
        .order_by_asc(bookings::Column::BookedAt)
        .order_by_asc(bookings::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// `filled = filled + delta` on one cohort row, only while it stays within `0..=places`.
async fn shift_filled(
    txn: &DatabaseTransaction,
    team: &str,
    cohort: &str,
    delta: i64,
) -> StoreResult<bool> {
    let mut update = cohorts::Entity::update_many()
        .col_expr(
            cohorts::Column::Filled,
            Expr::col(cohorts::Column::Filled).add(delta),
        )
        .col_expr(
            cohorts::Column::Version,
            Expr::col(cohorts::Column::Version).add(1),
        )
        .col_expr(cohorts::Column::UpdatedAt, Expr::value(now()))
        .filter(cohorts::Column::TeamId.eq(team))
        .filter(cohorts::Column::Id.eq(cohort));
    update = if delta > 0 {
        update.filter(Expr::col(cohorts::Column::Filled).lt(Expr::col(cohorts::Column::Places)))
    } else {
        update.filter(cohorts::Column::Filled.gt(0))
    };
    Ok(update.exec(txn).await?.rows_affected == 1)
}

/// Refuses (409) a child whose groups are rivals of a member's, in a cohort of a group-format
/// intervention. Runs after the cohort row's conditional UPDATE: see the module comment.
async fn check_rivals(
    txn: &DatabaseTransaction,
    team: &str,
    cohort: &cohorts::Model,
    reference: &str,
    groups: &[String],
) -> StoreResult<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let rivals = rivals_of(groups, &super::rivalries::get(txn, team).await?);
    if rivals.is_empty() {
        return Ok(());
    }
    let provision = super::provision::get(txn, team, &cohort.provision_id).await?;
    let format = interventions::Entity::find_by_id((
        team.to_string(),
        provision.provision.intervention.clone(),
    ))
    .one(txn)
    .await?
    .map(|iv| iv.format);
    if format.as_deref() != Some("group") {
        return Ok(());
    }
    for member in list_for_cohort(txn, team, &cohort.id).await? {
        if member.reference == reference {
            continue;
        }
        if let Some(group) = member
            .gang_affiliations
            .iter()
            .find(|g| rivals.contains(g.as_str()))
        {
            return Err(StoreError::Conflict(format!(
                "cohort '{}' is a group session with a member of {group}, a rival group of \
                 this child's ({}): book another cohort or a one-to-one alternative",
                cohort.id,
                groups.join(", ")
            )));
        }
    }
    Ok(())
}

/// Books one child into one cohort inside `txn`; see the module comment. Every booking, whoever
/// makes it (a coordinator, a cohort sync), goes through here.
pub(crate) async fn book_in(
    txn: &DatabaseTransaction,
    caller: &Caller,
    cohort_id: &str,
    reference: &str,
    groups: &[String],
) -> StoreResult<Booking> {
    let team = caller.team_id.as_str();
    if !shift_filled(txn, team, cohort_id, 1).await? {
        let cohort = find_model(txn, team, cohort_id).await?;
        return Err(StoreError::Conflict(format!(
            "cohort '{cohort_id}' is full ({} of {} places filled)",
            cohort.filled, cohort.places
        )));
    }
    let cohort = find_model(txn, team, cohort_id).await?;
    check_rivals(txn, team, &cohort, reference, groups).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let row = bookings::ActiveModel {
        id: Set(id.clone()),
        team_id: Set(team.to_string()),
        cohort_id: Set(cohort_id.to_string()),
        child_reference: Set(reference.to_string()),
        gang_affiliations: Set(serde_json::to_string(groups)?),
        booked_at: Set(now()),
        booked_by: Set(caller.user_id.clone()),
    };
    bookings::Entity::insert(row)
        .exec_without_returning(txn)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("{reference} is already booked into cohort '{cohort_id}'")
            })
        })?;
    // A booked child no longer waits for this provision.
    waiting_list::Entity::delete_many()
        .filter(waiting_list::Column::TeamId.eq(team))
        .filter(waiting_list::Column::ProvisionId.eq(cohort.provision_id.clone()))
        .filter(waiting_list::Column::ChildReference.eq(reference))
        .exec(txn)
        .await?;
    audit::record(
        txn,
        caller,
        AuditAction::BookingCreate,
        &format!("cohort:{cohort_id} child:{reference}"),
    )
    .await?;
    read(
        bookings::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

/// Which booking of a cohort: by its id (the API's address, so that no case reference is ever
/// in a URL) or by the child's reference (a move, which takes it in the body).
#[derive(Debug, Clone, Copy)]
enum Which<'a> {
    Id(&'a str),
    Child(&'a str),
}

/// Removes a booking inside `txn`: the cohort row first (`filled - 1`), then the booking; if
/// there was no booking, the caller rolls the decrement back.
async fn cancel_in(
    txn: &DatabaseTransaction,
    caller: &Caller,
    cohort_id: &str,
    which: Which<'_>,
) -> StoreResult<bookings::Model> {
    let team = caller.team_id.as_str();
    if !shift_filled(txn, team, cohort_id, -1).await? {
        return Err(StoreError::NotFound);
    }
    let find = bookings::Entity::find()
        .filter(bookings::Column::TeamId.eq(team))
        .filter(bookings::Column::CohortId.eq(cohort_id));
    let find = match which {
        Which::Id(id) => find.filter(bookings::Column::Id.eq(id)),
        Which::Child(reference) => find.filter(bookings::Column::ChildReference.eq(reference)),
    };
    let booking = find.one(txn).await?.ok_or(StoreError::NotFound)?;
    let deleted = bookings::Entity::delete_many()
        .filter(bookings::Column::TeamId.eq(team))
        .filter(bookings::Column::Id.eq(booking.id.clone()))
        .exec(txn)
        .await?;
    if deleted.rows_affected != 1 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        txn,
        caller,
        AuditAction::BookingCancel,
        &format!("cohort:{cohort_id} child:{}", booking.child_reference),
    )
    .await?;
    Ok(booking)
}

/// Cancels booking `booking_id` of a cohort inside `txn` (a plan replaced or closed).
pub(crate) async fn cancel_in_txn(
    txn: &DatabaseTransaction,
    caller: &Caller,
    cohort_id: &str,
    booking_id: &str,
) -> StoreResult<()> {
    cancel_in(txn, caller, cohort_id, Which::Id(booking_id))
        .await
        .map(|_| ())
}

/// Books a child into a cohort: 409 when full, already booked, or a rival group's member is in
/// the (group) cohort; 404 when there is no such cohort in the caller's team. With `claim`, the
/// idempotency key is completed in the same transaction with the answer its function renders
/// for the booking.
pub async fn book(
    db: &DatabaseConnection,
    caller: &Caller,
    cohort_id: &str,
    reference: &str,
    groups: &[String],
    claim: Option<(&Claim, &dyn Fn(&Booking) -> String)>,
) -> StoreResult<Booking> {
    let txn = begin_write(db).await?;
    let out = async {
        let booking = book_in(&txn, caller, cohort_id, reference, groups).await?;
        if let Some((claim, answer)) = claim {
            super::idempotency::complete(&txn, claim, 201, &answer(&booking)).await?;
        }
        Ok(booking)
    }
    .await;
    finish(txn, out).await
}

/// Cancels the booking `booking_id` of a cohort and frees its place, in one transaction (404
/// when the cohort has no such booking in the caller's team).
pub async fn cancel(
    db: &DatabaseConnection,
    caller: &Caller,
    cohort_id: &str,
    booking_id: &str,
) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    let out = cancel_in(&txn, caller, cohort_id, Which::Id(booking_id))
        .await
        .map(|_| ());
    finish(txn, out).await
}

/// Moves a child from one cohort to another in one transaction: both happen or neither. The
/// two cohort rows are locked in id order.
pub async fn move_booking(
    db: &DatabaseConnection,
    caller: &Caller,
    reference: &str,
    from: &str,
    to: &str,
) -> StoreResult<Booking> {
    let txn = begin_write(db).await?;
    let out = async {
        // Lock order by cohort id; the target's groups come from the old booking, so when the
        // target is locked first, read them (without changing anything) before booking.
        let groups_of = |b: &bookings::Model| -> StoreResult<Vec<String>> {
            Ok(serde_json::from_str(&b.gang_affiliations)?)
        };
        let booking = if from < to {
            let old = cancel_in(&txn, caller, from, Which::Child(reference)).await?;
            book_in(&txn, caller, to, reference, &groups_of(&old)?).await?
        } else {
            let old = bookings::Entity::find()
                .filter(bookings::Column::TeamId.eq(caller.team_id.as_str()))
                .filter(bookings::Column::CohortId.eq(from))
                .filter(bookings::Column::ChildReference.eq(reference))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let booking = book_in(&txn, caller, to, reference, &groups_of(&old)?).await?;
            cancel_in(&txn, caller, from, Which::Child(reference)).await?;
            booking
        };
        audit::record(
            &txn,
            caller,
            AuditAction::BookingMove,
            &format!("from:{from} to:{to} child:{reference}"),
        )
        .await?;
        Ok(booking)
    }
    .await;
    finish(txn, out).await
}
