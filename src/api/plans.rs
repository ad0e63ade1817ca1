//! Plan previews: the planner over HTTP (docs/planning.md §1).

use actix_web::{HttpResponse, post, web};
use sea_orm::DatabaseConnection;

use super::auth::{PLANNERS, allow};
use super::{ApiError, parse_body};
use crate::accounts::Caller;
use crate::domain::PlanningProblem;
use crate::domain::plan::Plan;
use crate::{planning, store};

/// Plans one young person without saving anything. A document without `catalogue` or
/// `provision` uses the team's. The same document gives the same plan as `plan --input`.
#[utoipa::path(context_path = "/api/v1", tag = "plans", security(("bearer" = [])), request_body = PlanningProblem, responses((status = 200, body = Plan), (status = 422, body = super::error::ErrorBody)))]
#[post("/plans/preview")]
pub async fn preview(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, PLANNERS)?;
    let mut problem: PlanningProblem = parse_body(&body)?;
    planning::complete(&db, &caller.team_id, &mut problem).await?;
    let settings = store::accounts::planner_settings(&db, &caller.team_id).await?;
    // A plan is about a child: record who asked, in the audit trail (not the logs).
    store::audit::record(
        db.get_ref(),
        &caller,
        "plan.preview",
        &problem.young_person.reference,
    )
    .await?;
    let plan = planning::plan_off_runtime(problem, settings).await?;
    Ok(HttpResponse::Ok().json(plan))
}
