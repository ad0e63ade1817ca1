//! The JSON API under `/api/v1`: thin handlers over the store and the planner.

pub mod allocations;
pub mod auth;
pub mod bookings;
pub mod capacity;
pub mod catalogue;
pub mod cohorts;
pub mod error;
pub mod health;
pub mod openapi;
pub mod plans;
pub mod provision;
pub mod settings;

use actix_web::HttpRequest;
use actix_web::http::header;

pub use error::ApiError;

/// The store's version as a strong entity tag.
pub fn etag(version: i64) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

/// The version an update is based on, from `If-Match` (428 when missing).
pub fn if_match_version(req: &HttpRequest) -> Result<i64, ApiError> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::invalid("If-Match", "not a valid entity tag"))?;
    let tag = value.trim().trim_start_matches("W/").trim_matches('"');
    tag.parse()
        .map_err(|_| ApiError::invalid("If-Match", "expected the ETag from a previous read"))
}

/// The body as UTF-8 JSON of type `T` (422 naming the field otherwise).
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text =
        std::str::from_utf8(body).map_err(|_| ApiError::invalid("(document)", "not UTF-8"))?;
    Ok(crate::domain::validation::parse_json(text)?)
}
