//! The team's planner settings: objective weights, weekly hours, time limit, review intervals.

use actix_web::{HttpResponse, get, put, web};
use sea_orm::DatabaseConnection;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{ApiError, parse_body};
use crate::accounts::Caller;
use crate::app::{self, Access, access};
use crate::planner::PlannerSettings;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_planner_settings)
        .service(put_planner_settings);
}

#[utoipa::path(tag = "settings", security(("bearer" = [])), responses((status = 200, body = PlannerSettings)))]
#[get("/settings/planner")]
pub async fn get_planner_settings(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    let settings = app::settings::planner(&Access::new(&db, &caller)).await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// Replaces the team's planner settings (admins only); missing fields take their defaults.
#[utoipa::path(tag = "settings", security(("bearer" = [])), request_body = PlannerSettings, responses((status = 200, body = PlannerSettings), (status = 422, body = super::error::ErrorBody)))]
#[put("/settings/planner")]
pub async fn put_planner_settings(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::ADMINS)?;
    let settings: PlannerSettings = parse_body(&body)?;
    let saved = app::settings::set_planner(&Access::new(&db, &caller), settings).await?;
    Ok(HttpResponse::Ok().json(saved))
}
