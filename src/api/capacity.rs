//! Waiting lists, facilitators, the team's rival groups, and the coordinator views
//! (utilisation, cohorts at risk).

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::views::{self, AtRiskView, FacilitatorView, TeamUtilisationView, WaitingEntryView};
use super::{ApiError, parse_body};
use crate::accounts::Caller;
use crate::app::{self, Access, access};
use crate::domain::{FieldErrors, input};
use crate::store::capacity_views::Window;
use crate::store::cohorts::today;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_waiting_list)
        .service(add_to_waiting_list)
        .service(remove_from_waiting_list)
        .service(list_facilitators)
        .service(create_facilitator)
        .service(get_rivalries)
        .service(put_rivalries)
        .service(utilisation)
        .service(at_risk);
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WaitingInput {
    /// The child's pseudonymous case reference.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,64}$", min_length = 1, max_length = 64)]
    pub reference: String,
}

/// The provision's waiting list in order, each with the place they would get next.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id")), responses((status = 200, body = Vec<WaitingEntryView>), (status = 404, body = super::error::ErrorBody)))]
#[get("/provision/{id}/waiting-list")]
pub async fn get_waiting_list(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = app::capacity::waiting_list(&Access::new(&db, &caller), &id).await?;
    Ok(HttpResponse::Ok().json(views::all::<_, WaitingEntryView>(list)))
}

/// Adds a child at the end of the provision's waiting list (409 if already on it).
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id")), request_body = WaitingInput, responses((status = 201, body = WaitingEntryView), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/provision/{id}/waiting-list")]
pub async fn add_to_waiting_list(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let input: WaitingInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    input::check_reference("reference", &input.reference, &mut errors);
    errors.into_result(())?;
    let entry =
        app::capacity::add_to_waiting_list(&Access::new(&db, &caller), &id, &input.reference)
            .await?;
    Ok(HttpResponse::Created().json(WaitingEntryView::from(entry)))
}

/// Takes a child off the provision's waiting list. The entry is addressed by its id (from the
/// list), never by the child's case reference: URLs end up in logs.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id"), ("entry_id" = i64, Path, description = "the waiting-list entry's id")), responses((status = 204), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[delete("/provision/{id}/waiting-list/{entry_id}")]
pub async fn remove_from_waiting_list(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (provision, entry_id) = path.into_inner();
    // Anything but an entry id (a case reference, say) addresses nothing.
    let entry_id: i64 = entry_id.parse().map_err(|_| ApiError::NotFound)?;
    app::capacity::remove_from_waiting_list(&Access::new(&db, &caller), &provision, entry_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FacilitatorQuery {
    /// Only those trained in this intervention.
    pub intervention: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FacilitatorInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^<>]*\S[^<>]*$")]
    pub name: String,
    /// The intervention they are trained to deliver.
    pub intervention: String,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::date")]
    pub trained_on: NaiveDate,
}

#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(FacilitatorQuery), responses((status = 200, body = Vec<FacilitatorView>)))]
#[get("/facilitators")]
pub async fn list_facilitators(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<FacilitatorQuery>,
) -> Result<HttpResponse, ApiError> {
    let list =
        app::capacity::facilitators(&Access::new(&db, &caller), query.intervention.as_deref())
            .await?;
    Ok(HttpResponse::Ok().json(views::all::<_, FacilitatorView>(list)))
}

#[utoipa::path(tag = "capacity", security(("bearer" = [])), request_body = FacilitatorInput, responses((status = 201, body = FacilitatorView), (status = 422, body = super::error::ErrorBody)))]
#[post("/facilitators")]
pub async fn create_facilitator(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let input: FacilitatorInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    input::check_name("name", &input.name, &mut errors);
    errors.into_result(())?;
    let saved = app::capacity::create_facilitator(
        &Access::new(&db, &caller),
        input.name.trim(),
        &input.intervention,
        input.trained_on,
    )
    .await?;
    Ok(HttpResponse::Created().json(FacilitatorView::from(saved)))
}

/// The team's rival groups: members of two rival groups are never booked into one group cohort.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Rivalries {
    #[schema(value_type = Vec<Vec<String>>, example = json!([["Group A", "Group B"]]))]
    pub rivalries: Vec<(String, String)>,
}

#[utoipa::path(tag = "capacity", security(("bearer" = [])), responses((status = 200, body = Rivalries)))]
#[get("/rivalries")]
pub async fn get_rivalries(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    let rivalries = app::capacity::rivalries(&Access::new(&db, &caller)).await?;
    Ok(HttpResponse::Ok().json(Rivalries { rivalries }))
}

/// Replaces the team's rival groups.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), request_body = Rivalries, responses((status = 200, body = Rivalries), (status = 422, body = super::error::ErrorBody)))]
#[put("/rivalries")]
pub async fn put_rivalries(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The caller may do this before their document is read.
    Access::new(&db, &caller).allow(access::COORDINATORS)?;
    let input: Rivalries = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    if input.rivalries.len() > 500 {
        errors.push("rivalries", "at most 500 pairs");
    }
    let mut pairs = Vec::new();
    for (k, (a, b)) in input.rivalries.iter().enumerate() {
        let (a, b) = (a.trim(), b.trim());
        let field = format!("rivalries[{k}]");
        let mut names = FieldErrors::default();
        input::check_name(&field, a, &mut names);
        input::check_name(&field, b, &mut names);
        if !names.is_empty() || a == b {
            errors.push(
                field,
                "two different group names of 1 to 200 characters, without '<' or '>'",
            );
        }
        pairs.push((a.to_string(), b.to_string()));
    }
    errors.into_result(())?;
    let rivalries = app::capacity::set_rivalries(&Access::new(&db, &caller), &pairs).await?;
    Ok(HttpResponse::Ok().json(Rivalries { rivalries }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ViewQuery {
    /// How many weeks ahead (1 to 104; default 12).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 104)]
    pub weeks: Option<String>,
    /// The first day (default today); the at-risk view is judged as on this day.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
}

fn window(query: &ViewQuery) -> Result<Window, ApiError> {
    let mut errors = FieldErrors::default();
    let weeks = match query.weeks.as_deref().map(str::parse::<i64>) {
        None => 12,
        Some(Ok(w)) if (1..=104).contains(&w) => w,
        Some(_) => {
            errors.push("weeks", "a whole number of weeks from 1 to 104");
            12
        }
    };
    let from = match query.from.as_deref() {
        None => today(),
        Some(text) => input::parse_date(text).unwrap_or_else(|message| {
            errors.push("from", message);
            today()
        }),
    };
    errors
        .into_result(Window::weeks(from, weeks))
        .map_err(Into::into)
}

/// Places, filled, free and waiting per provision and per cohort starting in the window
/// (rolling pools always included).
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(ViewQuery), responses((status = 200, body = TeamUtilisationView), (status = 422, body = super::error::ErrorBody)))]
#[get("/capacity/utilisation")]
pub async fn utilisation(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, ApiError> {
    let window = window(&query)?;
    let view = app::capacity::utilisation(&Access::new(&db, &caller), window).await?;
    Ok(HttpResponse::Ok().json(TeamUtilisationView::from(view)))
}

/// Cohorts in the window at risk, each with its reasons: `under_filled` (less than half full
/// within 2 weeks of the start), `no_trained_facilitator`, `oversubscribed`.
#[utoipa::path(tag = "capacity", security(("bearer" = [])), params(ViewQuery), responses((status = 200, body = AtRiskView), (status = 422, body = super::error::ErrorBody)))]
#[get("/capacity/at-risk")]
pub async fn at_risk(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, ApiError> {
    let window = window(&query)?;
    let view = app::capacity::at_risk(&Access::new(&db, &caller), window).await?;
    Ok(HttpResponse::Ok().json(AtRiskView::from(view)))
}
