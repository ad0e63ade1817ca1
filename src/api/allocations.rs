//! Caseload allocation over HTTP (docs/planning.md §1).

use actix_web::{HttpResponse, post, web};
use sea_orm::DatabaseConnection;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{ApiError, parse_document};
use crate::accounts::Caller;
use crate::allocation::Allocation;
use crate::app::{self, Access, access, planning::Solvers};
use crate::domain::problem::Caseload;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(preview);
}

/// Allocates shared places across a caseload without saving anything. A document without
/// `provision` (or `catalogue`) uses the team's stored ones. 503 with `Retry-After` when every
/// large-solve slot is taken.
#[utoipa::path(tag = "plans", security(("bearer" = [])), request_body = Caseload, responses((status = 200, body = Allocation), (status = 422, body = super::error::ErrorBody), (status = 503, body = super::error::ErrorBody)))]
#[post("/allocations/preview")]
pub async fn preview(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let caseload: Caseload = parse_document(&body)?;
    let allocation =
        app::planning::preview_allocation(&Access::new(&db, &caller), &solvers, caseload).await?;
    Ok(HttpResponse::Ok().json(allocation))
}
