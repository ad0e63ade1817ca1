//! The JSON API under `/api/v1`. Each handler parses the request, calls one use case in `app`
//! and renders its answer; each resource module registers its routes together with their
//! OpenAPI paths (`routes`), so the service and its document are built from one list.

pub mod allocations;
pub mod auth;
pub mod bookings;
pub mod capacity;
pub mod case_plans;
pub mod casework_views;
pub mod catalogue;
pub mod cohorts;
pub mod error;
pub mod guard;
pub mod health;
pub mod openapi;
pub mod plans;
pub mod proposals;
pub mod provision;
pub mod reports;
pub mod settings;
pub mod views;
pub mod young_people;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub use error::ApiError;

/// Every route of the service with its OpenAPI path: the health checks, and the API under
/// `/api/v1`. The server and the document are both built from this one list.
pub fn services(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(utoipa_actix_web::scope("/api/v1").configure(routes));
}

/// Every route under `/api/v1`, with its OpenAPI path.
pub fn routes(cfg: &mut ServiceConfig) {
    openapi::routes(cfg);
    catalogue::routes(cfg);
    provision::routes(cfg);
    plans::routes(cfg);
    allocations::routes(cfg);
    cohorts::routes(cfg);
    bookings::routes(cfg);
    capacity::routes(cfg);
    settings::routes(cfg);
    young_people::routes(cfg);
    case_plans::routes(cfg);
    proposals::routes(cfg);
    reports::routes(cfg);
}

/// Largest body of an ordinary request (a catalogue entry, a provision record, a booking);
/// planning documents may be as large as the configured `body_limit_bytes`.
pub const SMALL_BODY_LIMIT: usize = 256 * 1024;

/// The store's version as a strong entity tag.
pub fn etag(version: i64) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

/// A JSON answer carrying the record's version as its `ETag`.
pub fn with_etag(status: StatusCode, version: i64, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::ETag(etag(version)))
        .json(body)
}

/// The version an update is based on, from `If-Match` (absent: `None`, refused by the use
/// case with 428 once it knows the record exists and the caller may change it).
pub fn if_match_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::invalid("If-Match", "not a valid entity tag"))?;
    let tag = value.trim().trim_start_matches("W/").trim_matches('"');
    tag.parse()
        .map(Some)
        .map_err(|_| ApiError::invalid("If-Match", "expected the ETag from a previous read"))
}

/// An ordinary body as UTF-8 JSON of type `T` (413 above `SMALL_BODY_LIMIT`, 422 naming the
/// field otherwise).
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > SMALL_BODY_LIMIT {
        return Err(ApiError::TooLarge(SMALL_BODY_LIMIT));
    }
    parse_document(body)
}

/// A planning document (bounded by the configured body limit) as JSON of type `T`.
pub fn parse_document<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text =
        std::str::from_utf8(body).map_err(|_| ApiError::invalid("(document)", "not UTF-8"))?;
    Ok(crate::domain::validation::parse_json(text)?)
}
