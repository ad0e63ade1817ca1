//! A child's plans (build, accept, start, close, agreement), reviews, checks, and the overdue
//! reviews of a caseload.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::bookings::{as_answered, idempotency};
use super::casework_views::{
    CasePlanView, CheckView, OverdueCountView, OverdueListView, OverdueView, ReviewView,
};
use super::young_people::CaseloadQuery;
use super::{ApiError, if_match_version, parse_body, views, with_etag};
use crate::accounts::Caller;
use crate::app::Access;
use crate::app::case_plans::{self, AcceptAnswers, Accepted};
use crate::app::casework::CASE_WORKERS;
use crate::app::planning::Solvers;
use crate::app::reviews::{self, OverdueView as Overdues};
use crate::domain::case_plan::{Agreement, BuildRequest, PlanState, ReviewRecord};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(build_plan)
        .service(list_plans)
        .service(get_plan)
        .service(accept_plan)
        .service(set_state)
        .service(record_agreement)
        .service(list_reviews)
        .service(record_review)
        .service(checks)
        .service(overdue);
}

/// Builds a new plan version (a draft) from the child's latest assessment and order and the
/// team's provision. Items of the live plan that have started are kept; `pins` are kept too;
/// `exclusions` leave interventions out with their reason.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), request_body = BuildRequest, responses((status = 201, body = CasePlanView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody), (status = 503, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/plans")]
pub async fn build_plan(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let request: BuildRequest = if body.is_empty() {
        BuildRequest::default()
    } else {
        parse_body(&body)?
    };
    let plan = case_plans::build_plan(&Access::new(&db, &caller), &solvers, &id, request).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        plan.version,
        &CasePlanView::from(plan),
    ))
}

/// Every version of the child's plan. Coordinators see the items and places only.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<CasePlanView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/plans")]
pub async fn list_plans(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = case_plans::list_plans(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, CasePlanView>(list)))
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("plan_id" = String, Path)), responses((status = 200, body = CasePlanView), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/plans/{plan_id}")]
pub async fn get_plan(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, plan_id) = path.into_inner();
    let plan = case_plans::get_plan(&Access::new(&db, &caller), &id, &plan_id).await?;
    Ok(with_etag(
        StatusCode::OK,
        plan.version,
        &CasePlanView::from(plan),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInput {
    /// The child's and carer's agreement, when recorded at acceptance.
    #[serde(default)]
    pub agreement: Option<Agreement>,
}

/// Accepts a draft: books its places (all or none: 409 naming the cohort when one has gone),
/// releases the places of the version it replaces that it no longer uses, and schedules its
/// reviews. `If-Match` required; with `Idempotency-Key` a retry gets the first answer.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("plan_id" = String, Path), ("If-Match" = String, Header), ("Idempotency-Key" = Option<String>, Header)), request_body = AcceptInput, responses((status = 200, body = CasePlanView), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/plans/{plan_id}/accept")]
pub async fn accept_plan(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let (id, plan_id) = path.into_inner();
    let version = if_match_version(&req)?;
    let key = idempotency(&req, &body)?;
    let input: AcceptInput = if body.is_empty() {
        AcceptInput::default()
    } else {
        parse_body(&body)?
    };
    let answers = AcceptAnswers {
        accepted: &|p| serde_json::to_string(&CasePlanView::from(p.clone())).unwrap_or_default(),
        refused: &as_answered,
    };
    let access = Access::new(&db, &caller);
    match case_plans::accept_plan(
        &access,
        &id,
        &plan_id,
        version,
        input.agreement,
        key,
        &answers,
    )
    .await?
    {
        Accepted::Plan(plan) => Ok(with_etag(
            StatusCode::OK,
            plan.version,
            &CasePlanView::from(*plan),
        )),
        Accepted::Replay { status, body } => Ok(HttpResponse::build(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(body)),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateInput {
    /// `active` (work has begun) or `closed`.
    pub state: PlanState,
    /// Why it is closed.
    #[serde(default)]
    pub reason: String,
}

/// Starts (`active`) or closes a plan; closing frees the places of items not yet started and
/// cancels its due reviews.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("plan_id" = String, Path), ("If-Match" = String, Header)), request_body = StateInput, responses((status = 200, body = CasePlanView), (status = 409, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/plans/{plan_id}/state")]
pub async fn set_state(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let (id, plan_id) = path.into_inner();
    let version = if_match_version(&req)?;
    let input: StateInput = parse_body(&body)?;
    let plan = case_plans::set_plan_state(
        &Access::new(&db, &caller),
        &id,
        &plan_id,
        version,
        input.state,
        &input.reason,
    )
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        plan.version,
        &CasePlanView::from(plan),
    ))
}

/// Records the child's and carer's agreement to a plan version.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("plan_id" = String, Path), ("If-Match" = String, Header)), request_body = Agreement, responses((status = 200, body = CasePlanView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/young-people/{id}/plans/{plan_id}/agreement")]
pub async fn record_agreement(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let (id, plan_id) = path.into_inner();
    let version = if_match_version(&req)?;
    let agreement: Agreement = parse_body(&body)?;
    let plan = case_plans::record_agreement(
        &Access::new(&db, &caller),
        &id,
        &plan_id,
        version,
        agreement,
    )
    .await?;
    Ok(with_etag(
        StatusCode::OK,
        plan.version,
        &CasePlanView::from(plan),
    ))
}

/// The child's reviews, soonest due first.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<ReviewView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/reviews")]
pub async fn list_reviews(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = reviews::list_reviews(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, ReviewView>(list)))
}

/// Records a review: per item, sessions offered and attended, status (an early end with its
/// reason), and per need achieved (1), partly (0.5) or not (0) with the level now.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("review_id" = String, Path), ("If-Match" = String, Header)), request_body = ReviewRecord, responses((status = 200, body = ReviewView), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/young-people/{id}/reviews/{review_id}")]
pub async fn record_review(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let (id, review_id) = path.into_inner();
    let version = if_match_version(&req)?;
    let record: ReviewRecord = parse_body(&body)?;
    let review =
        reviews::record_review(&Access::new(&db, &caller), &id, &review_id, version, record)
            .await?;
    Ok(with_etag(
        StatusCode::OK,
        review.version,
        &ReviewView::from(review),
    ))
}

/// What the case manager must act on for this child: the plan's flags, items with no
/// assessed need behind them, a plan not accepted within 15 working days of the order's start,
/// a risk management plan without contingency actions, overdue reviews.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<CheckView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/checks")]
pub async fn checks(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = reviews::checks(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, CheckView>(list)))
}

/// Overdue reviews of the team (`mine=true`: of the caller's caseload). Managers get how many
/// each case manager has, not the children.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(CaseloadQuery), responses((status = 200, body = OverdueListView), (status = 403, body = super::error::ErrorBody)))]
#[get("/reviews/overdue")]
pub async fn overdue(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<CaseloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = match reviews::overdue(&Access::new(&db, &caller), query.mine).await? {
        Overdues::Reviews(list) => OverdueListView {
            reviews: Some(views::all::<_, OverdueView>(list)),
            counts: None,
        },
        Overdues::Counts(counts) => OverdueListView {
            reviews: None,
            counts: Some(
                counts
                    .into_iter()
                    .map(|(case_manager, overdue)| OverdueCountView {
                        case_manager,
                        overdue,
                    })
                    .collect(),
            ),
        },
    };
    Ok(HttpResponse::Ok().json(view))
}
