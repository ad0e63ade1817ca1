//! Needs and the intervention catalogue.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{self, InterventionVersionView, InterventionView};
use super::{ApiError, if_match_version, parse_body, with_etag};
use crate::accounts::Caller;
use crate::app::{self, Access, access, catalogue::Filter};
use crate::domain::{Evidence, Format, Intervention, Need};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_needs)
        .service(list_interventions)
        .service(create_intervention)
        .service(intervention_history)
        .service(retire_intervention)
        .service(get_intervention)
        .service(update_intervention);
}

/// The need areas assessed for each young person.
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = Vec<Need>)))]
#[get("/needs")]
pub async fn list_needs(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    let needs = app::catalogue::needs(&Access::new(&db, &caller)).await?;
    Ok(HttpResponse::Ok().json(needs))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// A need id the intervention addresses.
    pub need: Option<String>,
    pub category: Option<String>,
    pub evidence: Option<Evidence>,
    /// An age the intervention accepts.
    #[param(minimum = 0, maximum = 25)]
    pub age: Option<i64>,
    pub format: Option<Format>,
    /// Free text, matched against id, name and description.
    pub q: Option<String>,
    /// Include retired entries (default false).
    #[serde(default)]
    pub include_retired: bool,
}

impl From<Search> for Filter {
    fn from(s: Search) -> Filter {
        Filter {
            need: s.need,
            category: s.category,
            evidence: s.evidence,
            age: s.age,
            format: s.format,
            text: s.q,
            include_retired: s.include_retired,
        }
    }
}

/// Lists and searches the catalogue.
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), params(Search), responses((status = 200, body = Vec<InterventionView>), (status = 422, body = super::error::ErrorBody)))]
#[get("/interventions")]
pub async fn list_interventions(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<Search>,
) -> Result<HttpResponse, ApiError> {
    if query.age.is_some_and(|a| !(0..=25).contains(&a)) {
        return Err(ApiError::invalid("age", "an age from 0 to 25"));
    }
    let filter = Filter::from(query.into_inner());
    let found = app::catalogue::search(&Access::new(&db, &caller), &filter).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, InterventionView>(found)))
}

/// One intervention, with its version as the ETag.
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = InterventionView), (status = 404, body = super::error::ErrorBody)))]
#[get("/interventions/{id}")]
pub async fn get_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = app::catalogue::get(&Access::new(&db, &caller), &id).await?;
    Ok(with_etag(
        StatusCode::OK,
        found.version,
        &InterventionView::from(found),
    ))
}

/// Every version of an intervention, oldest first.
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<InterventionVersionView>)))]
#[get("/interventions/{id}/history")]
pub async fn intervention_history(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let versions = app::catalogue::history(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, InterventionVersionView>(versions)))
}

/// Adds an intervention to the team's catalogue.
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), request_body = Intervention, responses((status = 201, body = InterventionView), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/interventions")]
pub async fn create_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let entry: Intervention = parse_body(&body)?;
    let saved = app::catalogue::create(&Access::new(&db, &caller), entry).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        saved.version,
        &InterventionView::from(saved),
    ))
}

/// Replaces an intervention; send `If-Match` with the ETag you read (412 if it changed since).
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = Intervention, responses((status = 200, body = InterventionView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/interventions/{id}")]
pub async fn update_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let version = if_match_version(&req)?;
    let entry: Intervention = parse_body(&body)?;
    let saved = app::catalogue::update(&Access::new(&db, &caller), &id, version, entry).await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &InterventionView::from(saved),
    ))
}

/// Retires an intervention: it is no longer planned, and its history is kept.
#[utoipa::path(tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), responses((status = 200, body = InterventionView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[post("/interventions/{id}/retire")]
pub async fn retire_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let version = if_match_version(&req)?;
    let saved = app::catalogue::retire(&Access::new(&db, &caller), &id, version).await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &InterventionView::from(saved),
    ))
}
