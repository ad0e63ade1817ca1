//! A child's pre-sentence proposals: build, list, read (JSON, printable HTML, plain text),
//! finalise.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{ApiError, if_match_version, parse_body, views, with_etag};
use crate::accounts::Caller;
use crate::app::Access;
use crate::app::casework::CASE_WORKERS;
use crate::app::planning::Solvers;
use crate::app::proposals;
use crate::domain::proposal::{ProposalDocument, ProposalRequest};
use crate::render::Renderer;
use crate::store::proposals::StoredProposal;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(build_proposal)
        .service(list_proposals)
        .service(get_proposal)
        .service(proposal_html)
        .service(proposal_text)
        .service(finalise_proposal);
}

/// A proposal as the API shows it: the document, without the child's name or date of birth
/// (the rendered report carries those).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    pub id: String,
    /// 1, 2, … per child.
    pub number: i64,
    /// `draft` or `finalised`.
    pub state: String,
    pub document: ProposalDocument,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
}

impl From<StoredProposal> for ProposalView {
    fn from(p: StoredProposal) -> Self {
        ProposalView {
            id: p.id,
            number: p.number,
            state: p.state.as_str().to_string(),
            document: p.document,
            version: p.version,
            created_at: p.created_at,
            created_by: p.created_by,
            finalised_at: p.finalised_at,
            finalised_by: p.finalised_by,
        }
    }
}

/// Builds a proposal for a child whose order on record is `proposed`. With `recommended`
/// (and optionally `alternative`) the case manager's packages are checked against the
/// statutory limits (422 naming the rule) and planned; without, the service plans a referral
/// order and a youth rehabilitation order and recommends one, the other beside it.
#[utoipa::path(tag = "proposals", security(("bearer" = [])), params(("id" = String, Path)), request_body = ProposalRequest, responses((status = 201, body = ProposalView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody), (status = 503, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/proposals")]
pub async fn build_proposal(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let request: ProposalRequest = if body.is_empty() {
        ProposalRequest::default()
    } else {
        parse_body(&body)?
    };
    let proposal =
        proposals::build_proposal(&Access::new(&db, &caller), &solvers, &id, request).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        proposal.version,
        &ProposalView::from(proposal),
    ))
}

#[utoipa::path(tag = "proposals", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<ProposalView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/proposals")]
pub async fn list_proposals(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = proposals::list_proposals(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, ProposalView>(list)))
}

#[utoipa::path(tag = "proposals", security(("bearer" = [])), params(("id" = String, Path), ("proposal_id" = String, Path)), responses((status = 200, body = ProposalView), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/proposals/{proposal_id}")]
pub async fn get_proposal(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, proposal_id) = path.into_inner();
    let (_, proposal) =
        proposals::get_proposal(&Access::new(&db, &caller), &id, &proposal_id).await?;
    Ok(with_etag(
        StatusCode::OK,
        proposal.version,
        &ProposalView::from(proposal),
    ))
}

enum Format {
    Html,
    Text,
}

/// The court report in `format`, after the audited read of the proposal.
async fn rendered(
    access: &Access<'_>,
    renderer: &Renderer,
    path: (String, String),
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let (id, proposal_id) = path;
    let (child, proposal) = proposals::get_proposal(access, &id, &proposal_id).await?;
    let view = proposals::court_report_view(&child, &proposal);
    let internal = |e: crate::render::RenderError| ApiError::Internal(e.into());
    Ok(match format {
        Format::Html => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, renderer.policy("proposal")))
            .body(renderer.html("proposal", &view).map_err(internal)?),
        Format::Text => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(renderer.text("proposal", &view).map_err(internal)?),
    })
}

/// The proposal as a printable page for the court (A4, print stylesheet).
#[utoipa::path(tag = "proposals", security(("bearer" = [])), params(("id" = String, Path), ("proposal_id" = String, Path)), responses((status = 200, content_type = "text/html", body = String), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/proposals/{proposal_id}/html")]
pub async fn proposal_html(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let access = Access::new(&db, &caller);
    rendered(&access, &renderer, path.into_inner(), Format::Html).await
}

/// The proposal as plain text to paste into a pre-sentence report.
#[utoipa::path(tag = "proposals", security(("bearer" = [])), params(("id" = String, Path), ("proposal_id" = String, Path)), responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = super::error::ErrorBody)))]
#[get("/young-people/{id}/proposals/{proposal_id}/text")]
pub async fn proposal_text(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let access = Access::new(&db, &caller);
    rendered(&access, &renderer, path.into_inner(), Format::Text).await
}

/// Finalises a draft (`If-Match` required). A child at high or very high risk of serious
/// harm needs a risk management plan with contingency actions first (422). A finalised
/// proposal is never changed (409): build a new one.
#[utoipa::path(tag = "proposals", security(("bearer" = [])), params(("id" = String, Path), ("proposal_id" = String, Path), ("If-Match" = String, Header)), responses((status = 200, body = ProposalView), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 412, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[post("/young-people/{id}/proposals/{proposal_id}/finalise")]
pub async fn finalise_proposal(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    Access::new(&db, &caller).allow(CASE_WORKERS)?;
    let (id, proposal_id) = path.into_inner();
    let version = if_match_version(&req)?;
    let proposal =
        proposals::finalise_proposal(&Access::new(&db, &caller), &id, &proposal_id, version)
            .await?;
    Ok(with_etag(
        StatusCode::OK,
        proposal.version,
        &ProposalView::from(proposal),
    ))
}
