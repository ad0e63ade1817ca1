//! Young people and their records: assessments, orders, risk plans, partner decisions,
//! significant events and the history of every change. Addressed by record ids (UUIDs), never
//! by a case reference or a name.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::casework_views::{
    AssessmentView, ChildView, HistoryView, OrderView, PartnerDecisionView, ReviewView,
    RiskPlansView,
};
use super::views;
use super::{ApiError, if_match_version, parse_body, with_etag};
use crate::accounts::Caller;
use crate::app::casework::{self, CASE_WORKERS, CaseRecord};
use crate::app::{Access, AppError};
use crate::domain::casework::{
    Assessment, CaseEvent, ChildRecord, OrderRecord, PartnerDecision, RiskPlans,
};
use crate::store::case_records::Stored;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_children)
        .service(create_child)
        .service(get_child)
        .service(update_child)
        .service(history)
        .service(add_assessment)
        .service(list_assessments)
        .service(add_order)
        .service(list_orders)
        .service(update_order)
        .service(get_risk_plans)
        .service(create_risk_plans)
        .service(update_risk_plans)
        .service(add_partner_decision)
        .service(list_partner_decisions)
        .service(update_partner_decision)
        .service(record_event);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadQuery {
    /// Only the children the caller holds as case manager.
    #[serde(default)]
    pub mine: bool,
}

/// The team's young people (`mine=true`: the caller's caseload). Case managers and admins.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(CaseloadQuery), responses((status = 200, body = Vec<ChildView>), (status = 403, body = super::error::ErrorBody)))]
#[get("/young-people")]
pub async fn list_children(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<CaseloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let list = casework::list_children(&Access::new(&db, &caller), query.mine).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, ChildView>(list)))
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), request_body = ChildRecord, responses((status = 201, body = ChildView), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people")]
pub async fn create_child(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let record: ChildRecord = parse_body(&body)?;
    let saved = casework::create_child(&Access::new(&db, &caller), record).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        saved.version,
        &ChildView::from(saved),
    ))
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = ChildView), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}")]
pub async fn get_child(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = casework::get_child(&Access::new(&db, &caller), &id).await?;
    Ok(with_etag(
        StatusCode::OK,
        found.version,
        &ChildView::from(found),
    ))
}

/// Replaces the record (`If-Match` required; the case reference cannot change).
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = ChildRecord, responses((status = 200, body = ChildView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/young-people/{id}")]
pub async fn update_child(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let version = if_match_version(&req)?;
    let record: ChildRecord = parse_body(&body)?;
    let saved = casework::update_child(&Access::new(&db, &caller), &id, version, record).await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &ChildView::from(saved),
    ))
}

/// Every version of every record about the child, oldest first, with who and when.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<HistoryView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/history")]
pub async fn history(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = casework::history(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, HistoryView>(list)))
}

/// Records a new assessment. A change of likelihood, risk of serious harm, safety and
/// wellbeing or intervention level, while a plan is live, makes a significant-change review due.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), request_body = Assessment, responses((status = 201, body = AssessmentView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/assessments")]
pub async fn add_assessment(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let assessment: Assessment = parse_body(&body)?;
    let saved = casework::add_assessment(&Access::new(&db, &caller), &id, assessment).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        saved.version,
        &AssessmentView::from(saved),
    ))
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<AssessmentView>), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/assessments")]
pub async fn list_assessments(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    list::<Assessment, AssessmentView>(&Access::new(&db, &caller), &id).await
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), request_body = OrderRecord, responses((status = 201, body = OrderView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/orders")]
pub async fn add_order(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    add::<OrderRecord, OrderView>(&Access::new(&db, &caller), &id, &body).await
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<OrderView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/orders")]
pub async fn list_orders(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    list::<OrderRecord, OrderView>(&Access::new(&db, &caller), &id).await
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("order_id" = String, Path), ("If-Match" = String, Header)), request_body = OrderRecord, responses((status = 200, body = OrderView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/young-people/{id}/orders/{order_id}")]
pub async fn update_order(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, order_id) = path.into_inner();
    update::<OrderRecord, OrderView>(&Access::new(&db, &caller), &id, &order_id, &req, &body).await
}

/// The risk management plan and the safety and wellbeing plan (404 until recorded).
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = RiskPlansView), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/risk-plans")]
pub async fn get_risk_plans(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = casework::list_records::<RiskPlans>(&Access::new(&db, &caller), &id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(with_etag(
        StatusCode::OK,
        found.version,
        &RiskPlansView::from(found),
    ))
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), request_body = RiskPlans, responses((status = 201, body = RiskPlansView), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/risk-plans")]
pub async fn create_risk_plans(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    add::<RiskPlans, RiskPlansView>(&Access::new(&db, &caller), &id, &body).await
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = RiskPlans, responses((status = 200, body = RiskPlansView), (status = 404, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/young-people/{id}/risk-plans")]
pub async fn update_risk_plans(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let version = if_match_version(&req)?;
    let plans: RiskPlans = parse_body(&body)?;
    let access = Access::new(&db, &caller);
    let saved = casework::update_risk_plans(&access, &id, version, plans).await?;
    Ok(with_etag(
        StatusCode::OK,
        saved.version,
        &RiskPlansView::from(saved),
    ))
}

/// Records a partner agency's decision. A bar in force excludes the intervention from the
/// child's next plan, and the gap gives the agency and the recorded reason.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), request_body = PartnerDecision, responses((status = 201, body = PartnerDecisionView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/partner-decisions")]
pub async fn add_partner_decision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    add::<PartnerDecision, PartnerDecisionView>(&Access::new(&db, &caller), &id, &body).await
}

#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<PartnerDecisionView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/partner-decisions")]
pub async fn list_partner_decisions(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    list::<PartnerDecision, PartnerDecisionView>(&Access::new(&db, &caller), &id).await
}

/// Changes a decision (a challenge and its outcome, an end date), with `If-Match`.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path), ("decision_id" = String, Path), ("If-Match" = String, Header)), request_body = PartnerDecision, responses((status = 200, body = PartnerDecisionView), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/young-people/{id}/partner-decisions/{decision_id}")]
pub async fn update_partner_decision(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, decision_id) = path.into_inner();
    let access = Access::new(&db, &caller);
    update::<PartnerDecision, PartnerDecisionView>(&access, &id, &decision_id, &req, &body).await
}

/// Records a significant change (a new offence, custody, a missing episode): a review of the
/// plan falls due within 10 working days.
#[utoipa::path(tag = "casework", security(("bearer" = [])), params(("id" = String, Path)), request_body = CaseEvent, responses((status = 201, body = ReviewView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/events")]
pub async fn record_event(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let event: CaseEvent = parse_body(&body)?;
    let review = casework::record_event(&Access::new(&db, &caller), &id, event).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        review.version,
        &ReviewView::from(review),
    ))
}

/// Adds a record of kind `T` and answers with its view `V` and ETag. The role is checked before
/// the body is read, so a caller without it learns nothing from a validation error.
async fn add<T, V>(
    access: &Access<'_>,
    child_id: &str,
    body: &[u8],
) -> Result<HttpResponse, ApiError>
where
    T: CaseRecord,
    V: From<Stored<T>> + Serialize,
{
    access.allow(CASE_WORKERS)?;
    let document: T = parse_body(body)?;
    let saved = casework::add_record(access, child_id, document).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        saved.version,
        &V::from(saved),
    ))
}

/// Replaces a record of kind `T` at the version named by `If-Match`.
async fn update<T, V>(
    access: &Access<'_>,
    child_id: &str,
    record_id: &str,
    req: &HttpRequest,
    body: &[u8],
) -> Result<HttpResponse, ApiError>
where
    T: CaseRecord,
    V: From<Stored<T>> + Serialize,
{
    access.allow(CASE_WORKERS)?;
    let version = if_match_version(req)?;
    let document: T = parse_body(body)?;
    let saved = casework::update_record(access, child_id, record_id, version, document).await?;
    Ok(with_etag(StatusCode::OK, saved.version, &V::from(saved)))
}

async fn list<T, V>(access: &Access<'_>, child_id: &str) -> Result<HttpResponse, ApiError>
where
    T: CaseRecord,
    V: From<Stored<T>> + Serialize,
{
    let list = casework::list_records::<T>(access, child_id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, V>(list)))
}
