//! Bookings: book a child into a cohort (with an optional `Idempotency-Key`), cancel, move.

use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, delete, post, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::ApiError;
use super::auth::COORDINATORS;
use super::auth::allow;
use super::parse_body;
use crate::accounts::Caller;
use crate::domain::FieldErrors;
use crate::store::bookings::Booking;
use crate::store::idempotency::{Begin, Claim};
use crate::store::{self};

pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Checks a child's case reference: pseudonymous (letters, digits, `-`, `_`, `.`; no spaces, so
/// not a name), 1 to 64 characters.
pub fn check_reference(field: &str, reference: &str, errors: &mut FieldErrors) {
    let ok = (1..=64).contains(&reference.len())
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        errors.push(
            field,
            "a case reference such as YP-0001: 1 to 64 letters, digits, '-', '_' or '.', never a name",
        );
    }
}

fn check_groups(groups: &[String], errors: &mut FieldErrors) {
    if groups.len() > 20 {
        errors.push("gang_affiliations", "at most 20 groups");
    }
    for (k, g) in groups.iter().enumerate() {
        if g.trim().is_empty() || g.chars().count() > 200 {
            errors.push(
                format!("gang_affiliations[{k}]"),
                "a group name of 1 to 200 characters",
            );
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingInput {
    /// The child's pseudonymous case reference.
    pub reference: String,
    /// Groups the child is affiliated with (for the rival-group check).
    #[serde(default)]
    pub gang_affiliations: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveInput {
    pub reference: String,
    /// The cohort the child leaves.
    pub from: String,
    /// The cohort the child joins.
    pub to: String,
}

/// The `Idempotency-Key` header, if sent (an sf-string: the quotes are optional here).
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_default();
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::invalid(
            IDEMPOTENCY_KEY,
            "a key of 1 to 255 visible characters, such as a UUID",
        ));
    }
    Ok(Some(key))
}

/// sha256 of method, path and body: the request a key stands for.
fn fingerprint(req: &HttpRequest, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update(b" ");
    hash.update(req.path());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

fn created(booking: &Booking) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_string(booking).map_err(ApiError::internal)?;
    Ok(HttpResponse::Created()
        .content_type("application/json")
        .body(body))
}

async fn book(
    db: &DatabaseConnection,
    caller: &Caller,
    cohort: &str,
    body: &[u8],
    claim: Option<&Claim>,
) -> Result<Booking, ApiError> {
    let input: BookingInput = parse_body(body)?;
    let mut errors = FieldErrors::default();
    check_reference("reference", &input.reference, &mut errors);
    check_groups(&input.gang_affiliations, &mut errors);
    errors.into_result(())?;
    let groups: Vec<String> = input
        .gang_affiliations
        .iter()
        .map(|g| g.trim().to_string())
        .collect();
    Ok(store::bookings::book(db, caller, cohort, &input.reference, &groups, claim).await?)
}

/// Stores a refusal (4xx) as the key's response, so a retry gets the same answer; after a
/// server-side failure the key is released, so a retry is processed afresh.
async fn settle_failure(db: &DatabaseConnection, claim: &Claim, error: &ApiError) {
    let status = error.status_code();
    let outcome = if status.is_client_error() {
        let body = error
            .error_response()
            .into_body()
            .try_into_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        store::idempotency::complete(db, claim, status.as_u16(), &body).await
    } else {
        store::idempotency::release(db, claim).await
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not settle an idempotency key");
    }
}

/// Books a child into a cohort: 201 with the booking; 409 when the cohort is full, the child is
/// already booked, or (group work) a member belongs to a rival group. With `Idempotency-Key` a
/// retry returns the first response; the same key with another request is 422; while the first
/// is still being processed, 409.
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = BookingInput, responses((status = 201, body = Booking), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/cohorts/{id}/bookings")]
pub async fn create_booking(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let Some(key) = idempotency_key(&req)? else {
        return created(&book(&db, &caller, &id, &body, None).await?);
    };
    match store::idempotency::begin(&db, &caller, &key, &fingerprint(&req, &body)).await? {
        Begin::Replay { status, body } => Ok(HttpResponse::build(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(body)),
        Begin::InFlight => Err(ApiError::Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly".into(),
        )),
        Begin::Mismatch => Err(ApiError::invalid(
            IDEMPOTENCY_KEY,
            "this key was already used with a different request",
        )),
        Begin::Claimed(claim) => match book(&db, &caller, &id, &body, Some(&claim)).await {
            Ok(booking) => created(&booking),
            Err(e) => {
                settle_failure(&db, &claim, &e).await;
                Err(e)
            }
        },
    }
}

/// Cancels a booking and frees the place. The booking is addressed by its id (from the booking
/// or the cohort's `bookings`), never by the child's case reference: URLs end up in logs.
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "cohort id"), ("booking_id" = String, Path, description = "the booking's id (a UUID)")), responses((status = 204), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[delete("/cohorts/{id}/bookings/{booking_id}")]
pub async fn cancel_booking(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let (cohort, booking_id) = path.into_inner();
    store::bookings::cancel(&db, &caller, &cohort, &booking_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves a child from one cohort to another: both or neither (409 when the target is full or
/// unsafe, 404 when the child is not booked in `from`).
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), request_body = MoveInput, responses((status = 200, body = Booking), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/bookings/move")]
pub async fn move_booking(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let input: MoveInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    check_reference("reference", &input.reference, &mut errors);
    if input.from == input.to {
        errors.push("to", "must differ from 'from'");
    }
    errors.into_result(())?;
    let booking =
        store::bookings::move_booking(&db, &caller, &input.reference, &input.from, &input.to)
            .await?;
    Ok(HttpResponse::Ok().json(booking))
}
