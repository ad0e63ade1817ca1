//! Needs and the intervention catalogue.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{COORDINATORS, EVERYONE, allow};
use super::{ApiError, etag, if_match_version, parse_body};
use crate::accounts::Caller;
use crate::domain::{Catalogue, Evidence, FieldErrors, Format, Intervention, Need};
use crate::store::{self, catalogue::StoredIntervention};

/// The need areas assessed for each young person.
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = Vec<Need>)))]
#[get("/needs")]
pub async fn list_needs(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    Ok(HttpResponse::Ok().json(store::catalogue::list_needs(db.get_ref(), &caller.team_id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// A need id the intervention addresses.
    pub need: Option<String>,
    pub category: Option<String>,
    pub evidence: Option<Evidence>,
    /// An age the intervention accepts.
    pub age: Option<i64>,
    pub format: Option<Format>,
    /// Free text, matched against id, name and description.
    pub q: Option<String>,
    /// Include retired entries (default false).
    #[serde(default)]
    pub include_retired: bool,
}

impl Search {
    fn matches(&self, s: &StoredIntervention) -> bool {
        let iv = &s.intervention;
        let text = self
            .q
            .as_deref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        (self.include_retired || !s.retired)
            && self.need.as_ref().is_none_or(|n| iv.addresses.contains(n))
            && self.category.as_ref().is_none_or(|c| &iv.category == c)
            && self.evidence.is_none_or(|e| iv.evidence == e)
            && self.format.is_none_or(|f| iv.format == f)
            && self.age.is_none_or(|a| {
                iv.min_age.is_none_or(|m| m <= a) && iv.max_age.is_none_or(|m| a <= m)
            })
            && text.is_none_or(|q| {
                iv.id.contains(&q)
                    || iv.name.to_lowercase().contains(&q)
                    || iv
                        .description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(&q))
            })
    }
}

/// Lists and searches the catalogue.
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), params(Search), responses((status = 200, body = Vec<StoredIntervention>), (status = 422, body = super::error::ErrorBody)))]
#[get("/interventions")]
pub async fn list_interventions(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    query: web::Query<Search>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let found: Vec<StoredIntervention> = store::catalogue::list(db.get_ref(), &caller.team_id)
        .await?
        .into_iter()
        .filter(|s| query.matches(s))
        .collect();
    Ok(HttpResponse::Ok().json(found))
}

fn with_etag(status: actix_web::http::StatusCode, s: &StoredIntervention) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::ETag(etag(s.version)))
        .json(s)
}

/// One intervention, with its version as the ETag.
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = StoredIntervention), (status = 404, body = super::error::ErrorBody)))]
#[get("/interventions/{id}")]
pub async fn get_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    let found = store::catalogue::get(db.get_ref(), &caller.team_id, &id).await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, &found))
}

/// Every version of an intervention, oldest first.
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<store::catalogue::InterventionVersion>)))]
#[get("/interventions/{id}/history")]
pub async fn intervention_history(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, EVERYONE)?;
    Ok(HttpResponse::Ok().json(store::catalogue::history(&db, &caller.team_id, &id).await?))
}

/// Checks an entry on its own and against the rest of the team's catalogue (needs exist,
/// prerequisites exist, no cycle). Field names are relative to the entry.
async fn check_entry(
    db: &DatabaseConnection,
    team: &str,
    entry: &Intervention,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::default();
    entry.validate_catalogue_entry("entry", &mut errors);
    let mut interventions: Vec<Intervention> = store::catalogue::list(db, team)
        .await?
        .into_iter()
        .map(|s| s.intervention)
        .filter(|i| i.id != entry.id)
        .collect();
    interventions.push(entry.clone());
    let last = interventions.len() - 1;
    let catalogue = Catalogue {
        needs: store::catalogue::list_needs(db, team).await?,
        interventions,
    };
    let mut whole = FieldErrors::default();
    catalogue.validate("catalogue", &mut whole);
    let mine = format!("catalogue.interventions[{last}]");
    for e in whole.0 {
        if let Some(rest) = e.field.strip_prefix(&mine) {
            errors.push(format!("entry{rest}"), e.message);
        } else if e.message.contains("prerequisite cycle") {
            errors.push("entry.requires", e.message);
        }
    }
    for e in errors.0.iter_mut() {
        e.field = e
            .field
            .trim_start_matches("entry")
            .trim_start_matches('.')
            .to_string();
    }
    let mut seen = std::collections::BTreeSet::new();
    errors
        .0
        .retain(|e| seen.insert((e.field.clone(), e.message.clone())));
    Ok(errors.into_result(())?)
}

/// Adds an intervention to the team's catalogue.
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), request_body = Intervention, responses((status = 201, body = StoredIntervention), (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[post("/interventions")]
pub async fn create_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let entry: Intervention = parse_body(&body)?;
    check_entry(&db, &caller.team_id, &entry).await?;
    let saved = store::catalogue::create(&db, &caller.team_id, &entry, &caller.user_id).await?;
    Ok(with_etag(actix_web::http::StatusCode::CREATED, &saved))
}

/// Replaces an intervention; send `If-Match` with the ETag you read (412 if it changed since).
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), request_body = Intervention, responses((status = 200, body = StoredIntervention), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
#[put("/interventions/{id}")]
pub async fn update_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    store::catalogue::get(db.get_ref(), &caller.team_id, &id).await?;
    let version = if_match_version(&req)?;
    let entry: Intervention = parse_body(&body)?;
    if entry.id != *id {
        return Err(ApiError::invalid("id", "must match the id in the address"));
    }
    check_entry(&db, &caller.team_id, &entry).await?;
    let saved = store::catalogue::update(
        &db,
        &caller.team_id,
        &entry,
        version,
        false,
        &caller.user_id,
    )
    .await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, &saved))
}

/// Retires an intervention: it is no longer planned, and its history is kept.
#[utoipa::path(context_path = "/api/v1", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = String, Header)), responses((status = 200, body = StoredIntervention), (status = 412, body = super::error::ErrorBody), (status = 428, body = super::error::ErrorBody)))]
#[post("/interventions/{id}/retire")]
pub async fn retire_intervention(
    caller: Caller,
    db: web::Data<DatabaseConnection>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    allow(&caller, COORDINATORS)?;
    let current = store::catalogue::get(db.get_ref(), &caller.team_id, &id).await?;
    let version = if_match_version(&req)?;
    let saved = store::catalogue::update(
        &db,
        &caller.team_id,
        &current.intervention,
        version,
        true,
        &caller.user_id,
    )
    .await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, &saved))
}
