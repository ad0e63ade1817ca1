//! The caller's team's provision: create, read, update, delete.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use sea_orm::DatabaseConnection;
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{self, ProvisionView};
use super::{ApiError, if_match_version, parse_body, with_etag};
use crate::accounts::Caller;
use crate::app::{self, Access, access};
use crate::domain::Provision;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_provision)
        .service(create_provision)
        .service(get_provision)
        .service(update_provision)
        .service(delete_provision);
}

/// The team's provision. Managers get no participants (children's references); for others a
/// read that returns any is audited.
#[utoipa::path(tag = "provision", security(("bearer" = [])), responses((status = 200, body = Vec<ProvisionView>)))]
#[get("/provision")]
pub async fn list_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    let list = app::provision::list(&Access::new(&db, &caller)).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, ProvisionView>(list)))
}

#[utoipa::path(tag = "provision", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = ProvisionView), (status = 404, body = super::error::ErrorBody)))]
#[get("/provision/{id}")]
pub async fn get_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = app::provision::get(&Access::new(&db, &caller), &id).await?;
    Ok(with_etag(
        StatusCode::OK,
        found.version,
        &ProvisionView::from(found),
    ))
}

#[utoipa::path(tag = "provision", security(("bearer" = [])), request_body = Provision, responses((status = 201, body = ProvisionView), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/provision")]
pub async fn create_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let p: Provision = parse_body(&body)?;
    let saved = app::provision::create(&Access::new(&db, &caller), p).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        saved.version,
        &ProvisionView::from(saved),
    ))
}

/// Replaces a provision record. A start (or the rolling pool) that has bookings cannot be
/// removed (409); an empty cohort on a removed start goes with it.
#[utoipa::path(tag = "provision", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = Provision, responses((status = 200, body = ProvisionView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/provision/{id}")]
pub async fn update_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let version = if_match_version(&req)?;
    let p: Provision = parse_body(&body)?;
    let saved = app::provision::update(&Access::new(&db, &caller), &id, version, p).await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &ProvisionView::from(saved),
    ))
}

/// Deletes a provision: 409 while it has cohorts or a waiting list.
#[utoipa::path(tag = "provision", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), responses((status = 204), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[delete("/provision/{id}")]
pub async fn delete_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let version = if_match_version(&req)?;
    app::provision::delete(&Access::new(&db, &caller), &id, version).await?;
    Ok(HttpResponse::NoContent().finish())
}
