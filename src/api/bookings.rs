//! Bookings: book a child into a cohort (with an optional `Idempotency-Key`), cancel, move.

use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, delete, post, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::BookingView;
use super::{ApiError, parse_body};
use crate::accounts::Caller;
use crate::app::capacity::{Answers, Booked, Idempotency};
use crate::app::{self, Access, AppError, access};
use crate::domain::{FieldErrors, input};

pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_booking)
        .service(cancel_booking)
        .service(move_booking);
}

/// Group names as given for the rival-group check: at most 20, each a plain name.
pub fn check_groups(groups: &[String], errors: &mut FieldErrors) {
    if groups.len() > 20 {
        errors.push("gang_affiliations", "at most 20 groups");
    }
    for (k, g) in groups.iter().enumerate() {
        input::check_name(&format!("gang_affiliations[{k}]"), g, errors);
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingInput {
    /// The child's pseudonymous case reference.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,64}$", min_length = 1, max_length = 64)]
    pub reference: String,
    /// Groups the child is affiliated with (for the rival-group check).
    #[serde(default)]
    pub gang_affiliations: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveInput {
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,64}$", min_length = 1, max_length = 64)]
    pub reference: String,
    /// The cohort the child leaves.
    pub from: String,
    /// The cohort the child joins.
    pub to: String,
}

/// The `Idempotency-Key` header, if sent (an sf-string: the quotes are optional here), with the
/// fingerprint of the request it stands for (sha256 of method, path and body).
pub(crate) fn idempotency(req: &HttpRequest, body: &[u8]) -> Result<Option<Idempotency>, ApiError> {
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
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update(b" ");
    hash.update(req.path());
    hash.update(b"\n");
    hash.update(body);
    Ok(Some(Idempotency {
        key,
        fingerprint: hex::encode(hash.finalize()),
    }))
}

/// A refusal as the client was answered: kept under the key so a retry gets the same.
pub(crate) fn as_answered(error: &AppError) -> (u16, String) {
    let error = ApiError::from(match error {
        AppError::Invalid(e) => AppError::Invalid(e.clone()),
        AppError::Conflict(m) => AppError::Conflict(m.clone()),
        AppError::Forbidden => AppError::Forbidden,
        AppError::NotFound => AppError::NotFound,
        AppError::Stale => AppError::Stale,
        AppError::VersionRequired => AppError::VersionRequired,
        AppError::Busy | AppError::TimedOut | AppError::Internal(_) => AppError::Busy,
    });
    let body = error
        .error_response()
        .into_body()
        .try_into_bytes()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    (error.status_code().as_u16(), body)
}

/// Books a child into a cohort: 201 with the booking; 409 when the cohort is full, the child is
/// already booked, or (group work) a member belongs to a rival group. With `Idempotency-Key` a
/// retry returns the first response; the same key with another request is 422; while the first
/// is still being processed, 409.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = BookingInput, responses((status = 201, body = BookingView), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/cohorts/{id}/bookings")]
pub async fn create_booking(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let key = idempotency(&req, &body)?;
    let input: BookingInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    input::check_reference("reference", &input.reference, &mut errors);
    check_groups(&input.gang_affiliations, &mut errors);
    errors.into_result(())?;
    let groups: Vec<String> = input
        .gang_affiliations
        .iter()
        .map(|g| g.trim().to_string())
        .collect();
    let access = Access::new(&db, &caller);
    let answers = Answers {
        booked: &|b| serde_json::to_string(&BookingView::from(b.clone())).unwrap_or_default(),
        refused: &as_answered,
    };
    match app::capacity::book(&access, &id, &input.reference, &groups, key, &answers).await? {
        Booked::Created(booking) => Ok(HttpResponse::Created().json(BookingView::from(booking))),
        Booked::Replay { status, body } => Ok(HttpResponse::build(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(body)),
    }
}

/// Cancels a booking and frees the place. The booking is addressed by its id (from the booking
/// or the cohort's `bookings`), never by the child's case reference: URLs end up in logs.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "cohort id"), ("booking_id" = String, Path, description = "the booking's id (a UUID)")), responses((status = 204), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[delete("/cohorts/{id}/bookings/{booking_id}")]
pub async fn cancel_booking(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (cohort, booking_id) = path.into_inner();
    app::capacity::cancel_booking(&Access::new(&db, &caller), &cohort, &booking_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves a child from one cohort to another: both or neither (409 when the target is full or
/// unsafe, 404 when the child is not booked in `from`).
#[utoipa::path(tag = "capacity", security(("bearer" = [])), request_body = MoveInput, responses((status = 200, body = BookingView), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/bookings/move")]
pub async fn move_booking(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let input: MoveInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    input::check_reference("reference", &input.reference, &mut errors);
    if input.from == input.to {
        errors.push("to", "must differ from 'from'");
    }
    errors.into_result(())?;
    let booking = app::capacity::move_booking(
        &Access::new(&db, &caller),
        &input.reference,
        &input.from,
        &input.to,
    )
    .await?;
    Ok(HttpResponse::Ok().json(BookingView::from(booking)))
}
