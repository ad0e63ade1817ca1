//! The team's planner settings: objective weights, weekly hours, time limit, review intervals.

use actix_web::{HttpResponse, get, put, web};
use sea_orm::DatabaseConnection;

use super::auth::{EVERYONE, allow};
use super::{ApiError, parse_body};
use crate::accounts::{Caller, Role};
use crate::planner::PlannerSettings;
use crate::store;

#[utoipa::path(context_path = "/api/v1", tag = "settings", security(("bearer" = [])), responses((status = 200, body = PlannerSettings)))]
#[get("/settings/planner")]
pub async fn get_planner_settings(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    Ok(HttpResponse::Ok().json(store::accounts::planner_settings(&db, &caller.team_id).await?))
}

/// Replaces the team's planner settings (admins only); missing fields take their defaults.
#[utoipa::path(context_path = "/api/v1", tag = "settings", security(("bearer" = [])), request_body = PlannerSettings, responses((status = 200, body = PlannerSettings), (status = 422, body = super::error::ErrorBody)))]
#[put("/settings/planner")]
pub async fn put_planner_settings(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, &[Role::Admin])?;
    let settings: PlannerSettings = parse_body(&body)?;
    settings.validate()?;
    store::accounts::set_planner_settings(&db, &caller.team_id, &settings).await?;
    Ok(HttpResponse::Ok().json(settings))
}
