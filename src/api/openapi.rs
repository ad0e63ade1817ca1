//! The OpenAPI document, generated from the routes as they are registered (`api::services`):
//! a route cannot be served without being documented. Nothing is downloaded.

use std::sync::LazyLock;

use actix_web::{App, HttpResponse, get};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

#[derive(OpenApi)]
#[openapi(
    info(title = "intervention-planner", description = "Catalogue, local provision and sequenced intervention plans for youth justice services."),
    components(schemas(super::error::ErrorBody)),
    modifiers(&BearerAuth, &CommonResponses),
)]
struct ApiDoc;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(openapi_json);
}

/// The document of every registered route.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .configure(super::services)
        .split_for_parts();
    let mut base = ApiDoc::openapi();
    base.merge(std::mem::take(&mut doc));
    // Modifiers run on the base alone; run them again over the merged paths.
    BearerAuth.modify(&mut base);
    CommonResponses.modify(&mut base);
    base
}

static DOCUMENT: LazyLock<serde_json::Value> =
    LazyLock::new(|| serde_json::to_value(document()).expect("the document serialises"));

/// The methods the document lists for a concrete path (`/api/v1/cohorts/abc` matches
/// `/api/v1/cohorts/{id}`): empty when no route has this address.
pub fn methods_at(path: &str) -> Vec<String> {
    let asked: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut methods = Vec::new();
    for (template, item) in DOCUMENT["paths"].as_object().into_iter().flatten() {
        let parts: Vec<&str> = template.split('/').collect();
        let matches = parts.len() == asked.len()
            && parts
                .iter()
                .zip(&asked)
                .all(|(t, a)| t.starts_with('{') || t == a);
        if matches {
            for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
                methods.push(method.to_uppercase());
            }
        }
    }
    methods
}

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

/// The answers every route can give, added where the route's own list leaves them out: 401
/// and 403 behind a token, 404 for an address with an id, 413 and 422 for a body or a query,
/// 500 everywhere.
struct CommonResponses;

fn error(description: &str) -> RefOr<Response> {
    RefOr::T(
        utoipa::openapi::ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                utoipa::openapi::content::ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn complete(path: &str, operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let has_parameter = |place: utoipa::openapi::path::ParameterIn| {
        operation.parameters.as_ref().is_some_and(|ps| {
            ps.iter()
                .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
        })
    };
    use utoipa::openapi::path::ParameterIn;
    let has_query = has_parameter(ParameterIn::Query);
    let has_header = has_parameter(ParameterIn::Header);
    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| error(description));
    };
    if secured {
        add("401", "no valid bearer token");
        add("403", "the caller's role may not use this route");
    }
    if path.contains('{') {
        add("404", "nothing with this id in the caller's team");
    }
    if has_body {
        add("413", "the body is larger than this route accepts");
        add(
            "422",
            "the body is not valid; `field` names the first field at fault",
        );
    }
    if has_query {
        add("422", "a query parameter is not valid");
    }
    if has_header {
        add("422", "a header (If-Match, Idempotency-Key) is not valid");
    }
    add("500", "something went wrong on our side");
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let PathItem {
                get,
                put,
                post,
                delete,
                ..
            } = item;
            for operation in [get, put, post, delete].into_iter().flatten() {
                complete(path, operation);
            }
        }
    }
}

/// This document. Like every route under `/api/v1`, it needs a token (any role).
#[utoipa::path(tag = "meta", security(("bearer" = [])), responses((status = 200, description = "OpenAPI 3.1 document"), (status = 401, body = super::error::ErrorBody)))]
#[get("/openapi.json")]
pub async fn openapi_json(_caller: crate::accounts::Caller) -> HttpResponse {
    HttpResponse::Ok().json(&*DOCUMENT)
}
