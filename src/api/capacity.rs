//! Waiting lists, facilitators, the team's rival groups, and the coordinator views
//! (utilisation, cohorts at risk).

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiError;
use super::auth::COORDINATORS;
use super::auth::{EVERYONE, allow};
use super::bookings::check_reference;
use super::cohorts::sees_children;
use super::parse_body;
use crate::accounts::Caller;
use crate::domain::FieldErrors;
use crate::store::capacity_views::{self, AtRisk, Utilisation, Window};
use crate::store::cohorts::today;
use crate::store::facilitators::Facilitator;
use crate::store::waiting_list::WaitingEntry;
use crate::store::{self, StoreError};

#[derive(Debug, Deserialize, ToSchema)]
pub struct WaitingInput {
    /// The child's pseudonymous case reference.
    pub reference: String,
}

/// The provision's waiting list in order, each with the place they would get next.
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id")), responses((status = 200, body = Vec<WaitingEntry>), (status = 404, body = super::error::ErrorBody)))]
#[get("/provision/{id}/waiting-list")]
pub async fn get_waiting_list(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let list =
        store::waiting_list::list(&db, &caller, &id, today(), sees_children(&caller)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Adds a child at the end of the provision's waiting list (409 if already on it).
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id")), request_body = WaitingInput, responses((status = 201, body = WaitingEntry), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/provision/{id}/waiting-list")]
pub async fn add_to_waiting_list(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let input: WaitingInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    check_reference("reference", &input.reference, &mut errors);
    errors.into_result(())?;
    let entry_id = store::waiting_list::add(&db, &caller, &id, &input.reference).await?;
    let entry = store::waiting_list::list(&db, &caller, &id, today(), true)
        .await?
        .into_iter()
        .find(|e| e.id == entry_id)
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Created().json(entry))
}

/// Takes a child off the provision's waiting list. The entry is addressed by its id (from the
/// list), never by the child's case reference: URLs end up in logs.
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(("id" = String, Path, description = "provision id"), ("entry_id" = i64, Path, description = "the waiting-list entry's id")), responses((status = 204), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
#[delete("/provision/{id}/waiting-list/{entry_id}")]
pub async fn remove_from_waiting_list(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let (provision, entry_id) = path.into_inner();
    // Anything but an entry id (a case reference, say) addresses nothing.
    let entry_id: i64 = entry_id.parse().map_err(|_| ApiError::NotFound)?;
    store::waiting_list::remove(&db, &caller, &provision, entry_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FacilitatorQuery {
    /// Only those trained in this intervention.
    pub intervention: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FacilitatorInput {
    pub name: String,
    /// The intervention they are trained to deliver.
    pub intervention: String,
    #[schema(value_type = String, format = Date)]
    pub trained_on: NaiveDate,
}

#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(FacilitatorQuery), responses((status = 200, body = Vec<Facilitator>)))]
#[get("/facilitators")]
pub async fn list_facilitators(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<FacilitatorQuery>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let list =
        store::facilitators::list(db.get_ref(), &caller.team_id, query.intervention.as_deref())
            .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), request_body = FacilitatorInput, responses((status = 201, body = Facilitator), (status = 422, body = super::error::ErrorBody)))]
#[post("/facilitators")]
pub async fn create_facilitator(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let input: FacilitatorInput = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("name", "must be 1 to 200 characters");
    }
    match store::catalogue::get(db.get_ref(), &caller.team_id, &input.intervention).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => errors.push(
            "intervention",
            format!("unknown intervention '{}'", input.intervention),
        ),
        Err(e) => return Err(e.into()),
    }
    errors.into_result(())?;
    let saved =
        store::facilitators::create(&db, &caller, name, &input.intervention, input.trained_on)
            .await?;
    Ok(HttpResponse::Created().json(saved))
}

/// The team's rival groups: members of two rival groups are never booked into one group cohort.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Rivalries {
    #[schema(value_type = Vec<Vec<String>>, example = json!([["Group A", "Group B"]]))]
    pub rivalries: Vec<(String, String)>,
}

#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), responses((status = 200, body = Rivalries)))]
#[get("/rivalries")]
pub async fn get_rivalries(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let rivalries = store::rivalries::get(db.get_ref(), &caller.team_id).await?;
    Ok(HttpResponse::Ok().json(Rivalries { rivalries }))
}

/// Replaces the team's rival groups.
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), request_body = Rivalries, responses((status = 200, body = Rivalries), (status = 422, body = super::error::ErrorBody)))]
#[put("/rivalries")]
pub async fn put_rivalries(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let input: Rivalries = parse_body(&body)?;
    let mut errors = FieldErrors::default();
    if input.rivalries.len() > 500 {
        errors.push("rivalries", "at most 500 pairs");
    }
    let mut pairs = Vec::new();
    for (k, (a, b)) in input.rivalries.iter().enumerate() {
        let (a, b) = (a.trim(), b.trim());
        let sized = |g: &str| !g.is_empty() && g.chars().count() <= 200;
        if !sized(a) || !sized(b) || a == b {
            errors.push(
                format!("rivalries[{k}]"),
                "two different group names of 1 to 200 characters",
            );
        }
        pairs.push((a.to_string(), b.to_string()));
    }
    errors.into_result(())?;
    let rivalries = store::rivalries::set(&db, &caller, &pairs).await?;
    Ok(HttpResponse::Ok().json(Rivalries { rivalries }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ViewQuery {
    /// How many weeks ahead (1 to 104; default 12).
    #[param(value_type = Option<u32>)]
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
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.push("from", "invalid date, expected YYYY-MM-DD");
            today()
        }),
    };
    errors
        .into_result(Window::weeks(from, weeks))
        .map_err(Into::into)
}

/// Places, filled, free and waiting per provision and per cohort starting in the window
/// (rolling pools always included).
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(ViewQuery), responses((status = 200, body = Utilisation), (status = 422, body = super::error::ErrorBody)))]
#[get("/capacity/utilisation")]
pub async fn utilisation(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let window = window(&query)?;
    let inputs = capacity_views::inputs(db.get_ref(), &caller.team_id).await?;
    Ok(HttpResponse::Ok().json(capacity_views::utilisation(&inputs, window)))
}

/// Cohorts in the window at risk, each with its reasons: `under_filled` (less than half full
/// within 2 weeks of the start), `no_trained_facilitator`, `oversubscribed`.
#[utoipa::path(context_path = "/api/v1", tag = "capacity", security(("bearer" = [])), params(ViewQuery), responses((status = 200, body = AtRisk), (status = 422, body = super::error::ErrorBody)))]
#[get("/capacity/at-risk")]
pub async fn at_risk(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let window = window(&query)?;
    let inputs = capacity_views::inputs(db.get_ref(), &caller.team_id).await?;
    Ok(HttpResponse::Ok().json(capacity_views::at_risk(&inputs, window)))
}
