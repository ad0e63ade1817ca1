//! The managers' reports: the provision-gap picture (JSON, CSV, SVG charts) and the what-if.
//! Aggregates only: no answer carries a child's name, reference or date of birth.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{ApiError, parse_body};
use crate::accounts::Caller;
use crate::app::Access;
use crate::app::planning::Solvers;
use crate::app::reports::{self, REPORT_READERS, Scope};
use crate::reports::charts::{self, CHARTS};
use crate::reports::provision_gaps::ProvisionGapReport;
use crate::reports::what_if::{WhatIfAnswer, WhatIfRequest};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(provision_gaps)
        .service(provision_gaps_csv)
        .service(provision_gaps_chart)
        .service(what_if);
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeParam {
    /// The caller's team.
    #[default]
    Team,
    /// Every team (admins only).
    AllTeams,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `team` (default) or `all_teams` (admins).
    #[serde(default)]
    #[param(inline)]
    pub scope: ScopeParam,
}

impl ReportQuery {
    fn scope(&self) -> Scope {
        match self.scope {
            ScopeParam::Team => Scope::Team,
            ScopeParam::AllTeams => Scope::AllTeams,
        }
    }
}

/// A chart of the report: where to get it and what it shows, in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChartLink {
    pub name: String,
    pub title: String,
    /// The chart's text alternative (the same numbers in words).
    pub text: String,
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionGapView {
    #[serde(flatten)]
    pub report: ProvisionGapReport,
    pub charts: Vec<ChartLink>,
    /// How to read the counts.
    pub suppression: String,
}

/// The provision-gap picture of the live caseload: per need the demand, local provision,
/// unmet need by reason and the funnel; needs with no provision; provision with no trained
/// facilitator; reviews on time; plans without offending-focused work; partner decisions;
/// each intervention's outcomes. Counts of 1 to 4 are `null`.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(ReportQuery), responses((status = 200, body = ProvisionGapView), (status = 403, body = super::error::ErrorBody)))]
#[get("/reports/provision-gaps")]
pub async fn provision_gaps(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = reports::provision_gaps(&Access::new(&db, &caller), query.scope()).await?;
    let scope = match query.scope {
        ScopeParam::Team => "team",
        ScopeParam::AllTeams => "all_teams",
    };
    let mut links = Vec::new();
    for name in CHARTS {
        if let Some(Ok(chart)) = charts::chart(&report, name) {
            links.push(ChartLink {
                name: name.to_string(),
                title: chart.title,
                text: chart.text,
                href: format!("/api/v1/reports/provision-gaps/charts/{name}?scope={scope}"),
            });
        }
    }
    Ok(HttpResponse::Ok().json(ProvisionGapView {
        report,
        charts: links,
        suppression: "a count of 1 to 4 children is shown as null (\"<5\" in the CSV), and so is \
                      any rate or mean over fewer than 5"
            .into(),
    }))
}

/// The provision-gap picture as CSV, one row per need (cells that a spreadsheet would read as
/// a formula are neutralised).
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(ReportQuery), responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = super::error::ErrorBody)))]
#[get("/reports/provision-gaps.csv")]
pub async fn provision_gaps_csv(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = reports::provision_gaps(&Access::new(&db, &caller), query.scope()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"provision-gaps.csv\"",
        ))
        .body(crate::reports::csv::provision_gaps(&report)))
}

/// One chart of the provision-gap picture as SVG (`unmet-demand`, `funnel`), with its text
/// alternative as the SVG's title and description.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("chart" = String, Path), ReportQuery), responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = super::error::ErrorBody)))]
#[get("/reports/provision-gaps/charts/{chart}")]
pub async fn provision_gaps_chart(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    chart: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = Access::new(&db, &caller);
    access.allow(REPORT_READERS)?;
    if !CHARTS.contains(&chart.as_str()) {
        return Err(ApiError::NotFound);
    }
    let report = reports::provision_gaps(&access, query.scope()).await?;
    let drawn = charts::chart(&report, &chart)
        .ok_or(ApiError::NotFound)?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("chart {chart}: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .body(drawn.svg))
}

/// What if the offer changed? Tries `changes` (add places from a date, set places, set a
/// wait, drop a cohort or a provision, train facilitators) on a copy of the team's offer and
/// compares the unmet need of two fresh allocations of the live caseload, today's and the
/// changed one, by need and risk of serious harm. Nothing is stored.
#[utoipa::path(tag = "reports", security(("bearer" = [])), request_body = WhatIfRequest, responses((status = 200, body = WhatIfAnswer), (status = 403, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody), (status = 503, body = super::error::ErrorBody)))]
#[post("/reports/what-if")]
pub async fn what_if(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = Access::new(&db, &caller);
    access.allow(REPORT_READERS)?;
    let request: WhatIfRequest = parse_body(&body)?;
    let answer = reports::what_if(&access, &solvers, request).await?;
    Ok(HttpResponse::Ok().json(answer))
}
