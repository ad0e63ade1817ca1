//! The OpenAPI document, generated from the handlers' annotations (nothing is downloaded).

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    allocations, bookings, capacity, catalogue, cohorts, health, plans, provision, settings,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "intervention-planner", description = "Catalogue, local provision and sequenced intervention plans for youth justice services."),
    paths(
        health::live,
        health::ready,
        catalogue::list_needs,
        catalogue::list_interventions,
        catalogue::get_intervention,
        catalogue::intervention_history,
        catalogue::create_intervention,
        catalogue::update_intervention,
        catalogue::retire_intervention,
        provision::list_provision,
        provision::get_provision,
        provision::create_provision,
        provision::update_provision,
        provision::delete_provision,
        plans::preview,
        allocations::preview,
        cohorts::list_cohorts,
        cohorts::create_cohort,
        cohorts::get_cohort,
        cohorts::update_cohort,
        cohorts::sync_cohorts,
        bookings::create_booking,
        bookings::cancel_booking,
        bookings::move_booking,
        capacity::get_waiting_list,
        capacity::add_to_waiting_list,
        capacity::remove_from_waiting_list,
        capacity::list_facilitators,
        capacity::create_facilitator,
        capacity::get_rivalries,
        capacity::put_rivalries,
        capacity::utilisation,
        capacity::at_risk,
        settings::get_planner_settings,
        settings::put_planner_settings,
        openapi_json,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document. Like every route under `/api/v1`, it needs a token (any role).
#[utoipa::path(context_path = "/api/v1", tag = "meta", security(("bearer" = [])), responses((status = 200, description = "OpenAPI 3.1 document"), (status = 401, body = super::error::ErrorBody)))]
#[get("/openapi.json")]
pub async fn openapi_json(_caller: crate::accounts::Caller) -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
