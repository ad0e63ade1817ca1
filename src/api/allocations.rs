//! Caseload allocation over HTTP (docs/planning.md §1).

use actix_web::{HttpResponse, post, web};
use sea_orm::DatabaseConnection;

use super::auth::{COORDINATORS, allow};
use super::{ApiError, parse_body};
use crate::accounts::Caller;
use crate::allocation::{Allocation, AllocationSettings};
use crate::domain::problem::Caseload;
use crate::{planning, store};

/// Allocates shared places across a caseload without saving anything. A document without
/// `provision` (or `catalogue`) uses the team's stored ones.
#[utoipa::path(context_path = "/api/v1", tag = "plans", security(("bearer" = [])), request_body = Caseload, responses((status = 200, body = Allocation), (status = 422, body = super::error::ErrorBody)))]
#[post("/allocations/preview")]
pub async fn preview(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let mut caseload: Caseload = parse_body(&body)?;
    if caseload.cases.len() > 1000 {
        return Err(ApiError::invalid("cases", "at most 1000 cases at once"));
    }
    planning::complete_caseload(&db, &caller.team_id, &mut caseload).await?;
    let settings = store::accounts::planner_settings(&db, &caller.team_id).await?;
    let references: Vec<&str> = caseload
        .cases
        .iter()
        .map(|c| c.young_person.reference.as_str())
        .collect();
    store::audit::record(
        db.get_ref(),
        &caller,
        "allocation.preview",
        &references.join(","),
    )
    .await?;
    let allocation =
        planning::allocate_off_runtime(caseload, settings, AllocationSettings::default()).await?;
    Ok(HttpResponse::Ok().json(allocation))
}
