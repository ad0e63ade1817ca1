//! Cohorts of the caller's team: list, create, read (with its bookings for coordinators), edit
//! (ETag/If-Match), and sync from a provision's starts.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{self, BookingView, CohortView, SyncView};
use super::{ApiError, if_match_version, parse_body, with_etag};
use crate::accounts::Caller;
use crate::app::{self, Access, access, capacity::CohortRequest};
use crate::domain::{FieldErrors, input};
use crate::store::cohorts::CohortChange;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_cohorts)
        .service(create_cohort)
        .service(get_cohort)
        .service(update_cohort)
        .service(sync_cohorts);
}

fn valid_cohort_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 120
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn check_common(
    places: Option<i64>,
    area: &str,
    facilitators: &[String],
    errors: &mut FieldErrors,
) {
    if places.is_some_and(|p| !(0..=1000).contains(&p)) {
        errors.push("places", "must be between 0 and 1000");
    }
    if !area.trim().is_empty() {
        input::check_name("area", area, errors);
    }
    if facilitators.len() > 50 {
        errors.push("facilitators", "at most 50 facilitators");
    }
}

/// A new cohort. Without `id` it is `<provision>-<yyyymmdd>` (or `<provision>-rolling`);
/// without `places`, the provision's.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCohortInput {
    pub id: Option<String>,
    pub provision: String,
    /// Required for fixed-start provision; absent for a rolling provision's pool.
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::input::optional_date")]
    pub start: Option<NaiveDate>,
    pub places: Option<i64>,
    /// Empty or absent: the provision's area.
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub facilitators: Vec<String>,
}

/// A cohort's editable fields (the whole set: absent `area`/`facilitators` clear them).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CohortEdit {
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::domain::input::optional_date")]
    pub start: Option<NaiveDate>,
    /// Cannot go below the places already filled.
    pub places: i64,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub facilitators: Vec<String>,
}

/// A cohort, and for coordinators and admins its bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDetail {
    #[serde(flatten)]
    pub cohort: CohortView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookings: Option<Vec<BookingView>>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CohortQuery {
    /// Only this provision's cohorts.
    pub provision: Option<String>,
}

/// The team's cohorts, by provision and start.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(CohortQuery), responses((status = 200, body = Vec<CohortView>)))]
#[get("/cohorts")]
pub async fn list_cohorts(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<CohortQuery>,
) -> Result<HttpResponse, ApiError> {
    let list =
        app::capacity::cohorts(&Access::new(&db, &caller), query.provision.as_deref()).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, CohortView>(list)))
}

/// Creates a cohort on one of its provision's starts (422 `start` otherwise).
#[utoipa::path(tag = "capacity", security(("bearer" = [])), request_body = NewCohortInput, responses((status = 201, body = CohortView), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/cohorts")]
pub async fn create_cohort(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let input: NewCohortInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    if input.id.as_deref().is_some_and(|id| !valid_cohort_id(id)) {
        errors.push(
            "id",
            "must be lowercase letters, digits and hyphens, at most 120",
        );
    }
    check_common(input.places, &input.area, &input.facilitators, &mut errors);
    errors.into_result(())?;
    let request = CohortRequest {
        id: input.id,
        provision: input.provision,
        start: input.start,
        places: input.places,
        area: input.area.trim().to_string(),
        facilitators: input.facilitators,
    };
    let saved = app::capacity::create_cohort(&Access::new(&db, &caller), request).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        saved.version,
        &CohortView::from(saved),
    ))
}

/// A cohort; coordinators and admins also get its bookings (the read is audited).
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = CohortDetail), (status = 404, body = super::error::ErrorBody)))]
#[get("/cohorts/{id}")]
pub async fn get_cohort(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (cohort, bookings) = app::capacity::cohort(&Access::new(&db, &caller), &id).await?;
    let version = cohort.version;
    Ok(with_etag(
        StatusCode::OK,
        version,
        &CohortDetail {
            cohort: cohort.into(),
            bookings: bookings.map(views::all),
        },
    ))
}

/// Edits a cohort: start (one of its provision's), places (not below those filled: 422
/// `places`), area, facilitators.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = CohortEdit, responses((status = 200, body = CohortView), (status = 404, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[put("/cohorts/{id}")]
pub async fn update_cohort(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let version = if_match_version(&req)?;
    let edit: CohortEdit = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    check_common(
        Some(edit.places),
        &edit.area,
        &edit.facilitators,
        &mut errors,
    );
    errors.into_result(())?;
    let change = CohortChange {
        start: edit.start,
        places: edit.places,
        area: edit.area.trim().to_string(),
        facilitators: edit.facilitators,
    };
    let saved =
        app::capacity::update_cohort(&Access::new(&db, &caller), &id, version, change).await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &CohortView::from(saved),
    ))
}

/// Creates the provision's missing cohorts (one per start, or its rolling pool) with its places,
/// booking the participants it lists through the booking rules (places, rival groups); existing
/// cohorts are left alone, so it is idempotent.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id")), responses((status = 200, body = SyncView), (status = 404, body = super::error::ErrorBody)))]
#[post("/provision/{id}/cohorts/sync")]
pub async fn sync_cohorts(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let report = app::capacity::sync_cohorts(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(SyncView::from(report)))
}
