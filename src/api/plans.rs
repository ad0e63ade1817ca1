//! Plan previews: the planner over HTTP (docs/planning.md §1).

use actix_web::{HttpResponse, post, web};
use sea_orm::DatabaseConnection;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{ApiError, parse_document};
use crate::accounts::Caller;
use crate::app::{self, Access, access, planning::Solvers};
use crate::domain::PlanningProblem;
use crate::domain::plan::Plan;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(preview);
}

/// Plans one young person without saving anything. A document without `catalogue` or
/// `provision` uses the team's. The same document gives the same plan as `plan --input`.
/// 503 with `Retry-After` when every solver slot is taken.
#[utoipa::path(tag = "plans", security(("bearer" = [])), request_body = PlanningProblem, responses((status = 200, body = Plan), (status = 422, body = super::error::ErrorBody), (status = 503, body = super::error::ErrorBody)))]
#[post("/plans/preview")]
pub async fn preview(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::PLANNERS)?;
    let problem: PlanningProblem = parse_document(&body)?;
    let plan = app::planning::preview_plan(&Access::new(&db, &caller), &solvers, problem).await?;
    Ok(HttpResponse::Ok().json(plan))
}
