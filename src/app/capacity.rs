//! Places: cohorts, bookings, waiting lists, facilitators, rival groups, and the coordinators'
//! views of them. Bookings are the one record of who holds a place.

use chrono::NaiveDate;

use super::access::{COORDINATORS, EVERYONE};
use super::{Access, AppError, AppResult, based_on};
use crate::store::audit::AuditAction;
use crate::store::bookings::Booking;
use crate::store::capacity_views::{self, AtRisk, TeamUtilisation, Window};
use crate::store::cohorts::{Cohort, CohortChange, NewCohort, SyncReport, today};
use crate::store::facilitators::Facilitator;
use crate::store::idempotency::{Begin, Claim};
use crate::store::waiting_list::WaitingEntry;
use crate::store::{self, StoreError};

pub async fn cohorts(access: &Access<'_>, provision: Option<&str>) -> AppResult<Vec<Cohort>> {
    access.allow(EVERYONE)?;
    let mut list = store::cohorts::list(access.db, access.team()).await?;
    if let Some(p) = provision {
        list.retain(|c| c.provision == p);
    }
    Ok(list)
}

/// A new cohort; without `places`, the provision's.
pub struct CohortRequest {
    pub id: Option<String>,
    pub provision: String,
    pub start: Option<NaiveDate>,
    pub places: Option<i64>,
    pub area: String,
    pub facilitators: Vec<String>,
}

pub async fn create_cohort(access: &Access<'_>, request: CohortRequest) -> AppResult<Cohort> {
    access.allow(COORDINATORS)?;
    let places = match request.places {
        Some(p) => p,
        None => match store::provision::get(access.db, access.team(), &request.provision).await {
            Ok(p) => p.provision.places,
            Err(StoreError::NotFound) => {
                return Err(AppError::invalid(
                    "provision",
                    format!("unknown provision '{}'", request.provision),
                ));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let new = NewCohort {
        id: request.id,
        provision: request.provision,
        start: request.start,
        places,
        area: request.area,
        facilitators: request.facilitators,
    };
    Ok(store::cohorts::create(access.db, access.caller, &new).await?)
}

/// A cohort, and for those who manage bookings its bookings (that read is audited).
pub async fn cohort(access: &Access<'_>, id: &str) -> AppResult<(Cohort, Option<Vec<Booking>>)> {
    access.allow(EVERYONE)?;
    let cohort = store::cohorts::get(access.db, access.team(), id).await?;
    if !access.caller.is(COORDINATORS) {
        return Ok((cohort, None));
    }
    let list = store::bookings::list_for_cohort(access.db, access.team(), id).await?;
    if !list.is_empty() {
        access
            .audit_read(AuditAction::CohortBookingsRead, &format!("cohort:{id}"))
            .await?;
    }
    Ok((cohort, Some(list)))
}

pub async fn update_cohort(
    access: &Access<'_>,
    id: &str,
    version: Option<i64>,
    change: CohortChange,
) -> AppResult<Cohort> {
    access.allow(COORDINATORS)?;
    store::cohorts::get(access.db, access.team(), id).await?;
    let version = based_on(version)?;
    Ok(store::cohorts::update(access.db, access.caller, id, &change, version).await?)
}

/// Creates the provision's missing cohorts, booking its listed participants through the
/// booking rules.
pub async fn sync_cohorts(access: &Access<'_>, provision: &str) -> AppResult<SyncReport> {
    access.allow(COORDINATORS)?;
    Ok(store::cohorts::sync(access.db, access.caller, provision).await?)
}

/// An `Idempotency-Key` and the fingerprint of the request it stands for.
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

/// What a booking request comes to.
pub enum Booked {
    Created(Booking),
    /// The key's first request was answered with this: answer it again.
    Replay {
        status: u16,
        body: String,
    },
}

/// How the caller answers a booking and a refusal (status, body): with a key, the first answer
/// is kept so that a retry gets the same.
pub struct Answers<'a> {
    pub booked: &'a dyn Fn(&Booking) -> String,
    pub refused: &'a dyn Fn(&AppError) -> (u16, String),
}

/// Books a child into a cohort. With a key, a retry gets the first answer.
pub async fn book(
    access: &Access<'_>,
    cohort: &str,
    reference: &str,
    groups: &[String],
    idempotency: Option<Idempotency>,
    answers: &Answers<'_>,
) -> AppResult<Booked> {
    access.allow(COORDINATORS)?;
    let Some(idempotency) = idempotency else {
        let booking =
            store::bookings::book(access.db, access.caller, cohort, reference, groups, None)
                .await?;
        return Ok(Booked::Created(booking));
    };
    let claim = match claim_key(access, &idempotency).await? {
        KeyState::Fresh(claim) => claim,
        KeyState::Answered { status, body } => return Ok(Booked::Replay { status, body }),
    };
    let booked = store::bookings::book(
        access.db,
        access.caller,
        cohort,
        reference,
        groups,
        Some((&claim, answers.booked)),
    )
    .await
    .map_err(AppError::from);
    settle(access, &claim, booked, answers.refused)
        .await
        .map(Booked::Created)
}

/// Where an `Idempotency-Key` stands when its request arrives.
pub(crate) enum KeyState {
    /// First use: process the request, then `settle` the claim.
    Fresh(Claim),
    /// The key's first request was answered with this: answer it again.
    Answered { status: u16, body: String },
}

/// Claims the key for this request; a key in use or used with another request is refused.
pub(crate) async fn claim_key(
    access: &Access<'_>,
    idempotency: &Idempotency,
) -> AppResult<KeyState> {
    let begun = store::idempotency::begin(
        access.db,
        access.caller,
        &idempotency.key,
        &idempotency.fingerprint,
    )
    .await?;
    match begun {
        Begin::Claimed(claim) => Ok(KeyState::Fresh(claim)),
        Begin::Replay { status, body } => Ok(KeyState::Answered { status, body }),
        Begin::InFlight => Err(AppError::Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly".into(),
        )),
        Begin::Mismatch => Err(AppError::invalid(
            "Idempotency-Key",
            "this key was already used with a different request",
        )),
    }
}

/// Passes on the outcome of a claimed request; a failure settles the key first (the success
/// completed it in the request's own transaction).
pub(crate) async fn settle<T>(
    access: &Access<'_>,
    claim: &Claim,
    outcome: AppResult<T>,
    refusal: &dyn Fn(&AppError) -> (u16, String),
) -> AppResult<T> {
    if let Err(e) = &outcome {
        settle_failure(access, claim, e, refusal).await;
    }
    outcome
}

/// Stores a refusal (4xx) as the key's answer, so a retry gets the same; after a failure on
/// our side the key is released, so a retry is processed afresh.
async fn settle_failure(
    access: &Access<'_>,
    claim: &Claim,
    error: &AppError,
    refusal: &dyn Fn(&AppError) -> (u16, String),
) {
    let outcome = if matches!(error, AppError::Internal(_)) {
        store::idempotency::release(access.db, claim).await
    } else {
        let (status, body) = refusal(error);
        store::idempotency::complete(access.db, claim, status, &body).await
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not settle an idempotency key");
    }
}

pub async fn cancel_booking(access: &Access<'_>, cohort: &str, booking: &str) -> AppResult<()> {
    access.allow(COORDINATORS)?;
    Ok(store::bookings::cancel(access.db, access.caller, cohort, booking).await?)
}

/// Moves a child from one cohort to another: both or neither.
pub async fn move_booking(
    access: &Access<'_>,
    reference: &str,
    from: &str,
    to: &str,
) -> AppResult<Booking> {
    access.allow(COORDINATORS)?;
    Ok(store::bookings::move_booking(access.db, access.caller, reference, from, to).await?)
}

/// The provision's waiting list in order; references only for those who see children.
pub async fn waiting_list(access: &Access<'_>, provision: &str) -> AppResult<Vec<WaitingEntry>> {
    access.allow(EVERYONE)?;
    Ok(store::waiting_list::list(
        access.db,
        access.caller,
        provision,
        today(),
        access.sees_children(),
    )
    .await?)
}

pub async fn add_to_waiting_list(
    access: &Access<'_>,
    provision: &str,
    reference: &str,
) -> AppResult<WaitingEntry> {
    access.allow(COORDINATORS)?;
    let entry_id = store::waiting_list::add(access.db, access.caller, provision, reference).await?;
    store::waiting_list::list(access.db, access.caller, provision, today(), true)
        .await?
        .into_iter()
        .find(|e| e.id == entry_id)
        .ok_or(AppError::NotFound)
}

pub async fn remove_from_waiting_list(
    access: &Access<'_>,
    provision: &str,
    entry_id: i64,
) -> AppResult<()> {
    access.allow(COORDINATORS)?;
    Ok(store::waiting_list::remove(access.db, access.caller, provision, entry_id).await?)
}

pub async fn facilitators(
    access: &Access<'_>,
    intervention: Option<&str>,
) -> AppResult<Vec<Facilitator>> {
    access.allow(EVERYONE)?;
    Ok(store::facilitators::list(access.db, access.team(), intervention).await?)
}

pub async fn create_facilitator(
    access: &Access<'_>,
    name: &str,
    intervention: &str,
    trained_on: NaiveDate,
) -> AppResult<Facilitator> {
    access.allow(COORDINATORS)?;
    match store::catalogue::get(access.db, access.team(), intervention).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::invalid(
                "intervention",
                format!("unknown intervention '{intervention}'"),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(
        store::facilitators::create(access.db, access.caller, name, intervention, trained_on)
            .await?,
    )
}

pub async fn rivalries(access: &Access<'_>) -> AppResult<Vec<(String, String)>> {
    access.allow(EVERYONE)?;
    Ok(store::rivalries::get(access.db, access.team()).await?)
}

pub async fn set_rivalries(
    access: &Access<'_>,
    pairs: &[(String, String)],
) -> AppResult<Vec<(String, String)>> {
    access.allow(COORDINATORS)?;
    Ok(store::rivalries::set(access.db, access.caller, pairs).await?)
}

pub async fn utilisation(access: &Access<'_>, window: Window) -> AppResult<TeamUtilisation> {
    access.allow(EVERYONE)?;
    let inputs = capacity_views::inputs(access.db, access.team()).await?;
    Ok(capacity_views::utilisation(&inputs, window))
}

pub async fn at_risk(access: &Access<'_>, window: Window) -> AppResult<AtRisk> {
    access.allow(EVERYONE)?;
    let inputs = capacity_views::inputs(access.db, access.team()).await?;
    Ok(capacity_views::at_risk(&inputs, window))
}
