//! The caller's team's provision: create, read, update, delete.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use sea_orm::DatabaseConnection;

use super::auth::{COORDINATORS, EVERYONE, allow};
use super::{ApiError, etag, if_match_version};
use crate::accounts::Caller;
use crate::domain::{FieldErrors, Provision};
use crate::store::{self, provision::StoredProvision};

fn with_etag(status: StatusCode, p: &StoredProvision) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::ETag(etag(p.version)))
        .json(p)
}

async fn parse_checked(
    db: &DatabaseConnection,
    team: &str,
    body: &[u8],
) -> Result<Provision, ApiError> {
    let p: Provision = super::parse_body(body)?;
    let mut errors = FieldErrors::default();
    let catalogue = store::catalogue::planning_catalogue(db, team).await?;
    p.validate("entry", Some(&catalogue), &mut errors);
    for e in errors.0.iter_mut() {
        e.field = e
            .field
            .trim_start_matches("entry")
            .trim_start_matches('.')
            .to_string();
    }
    Ok(errors.into_result(p)?)
}

/// The team's provision.
#[utoipa::path(context_path = "/api/v1", tag = "provision", security(("bearer" = [])), responses((status = 200, body = Vec<StoredProvision>)))]
#[get("/provision")]
pub async fn list_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    Ok(HttpResponse::Ok().json(store::provision::list(db.get_ref(), &caller.team_id).await?))
}

#[utoipa::path(context_path = "/api/v1", tag = "provision", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = StoredProvision), (status = 404, body = super::error::ErrorBody)))]
#[get("/provision/{id}")]
pub async fn get_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let found = store::provision::get(db.get_ref(), &caller.team_id, &id).await?;
    Ok(with_etag(StatusCode::OK, &found))
}

#[utoipa::path(context_path = "/api/v1", tag = "provision", security(("bearer" = [])), request_body = Provision, responses((status = 201, body = StoredProvision), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/provision")]
pub async fn create_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let p = parse_checked(&db, &caller.team_id, &body).await?;
    let saved = store::provision::create(&db, &caller.team_id, &p).await?;
    Ok(with_etag(StatusCode::CREATED, &saved))
}

#[utoipa::path(context_path = "/api/v1", tag = "provision", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = Provision, responses((status = 200, body = StoredProvision), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/provision/{id}")]
pub async fn update_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    store::provision::get(db.get_ref(), &caller.team_id, &id).await?;
    let version = if_match_version(&req)?;
    let p = parse_checked(&db, &caller.team_id, &body).await?;
    if p.id != *id {
        return Err(ApiError::invalid("id", "must match the id in the address"));
    }
    let saved = store::provision::update(&db, &caller.team_id, &p, version).await?;
    Ok(with_etag(StatusCode::OK, &saved))
}

/// Deletes a provision: 409 while it has cohorts or a waiting list.
#[utoipa::path(context_path = "/api/v1", tag = "provision", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), responses((status = 204), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[delete("/provision/{id}")]
pub async fn delete_provision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    store::provision::get(db.get_ref(), &caller.team_id, &id).await?;
    let version = if_match_version(&req)?;
    store::provision::delete(&db, &caller.team_id, &id, version).await?;
    Ok(HttpResponse::NoContent().finish())
}
