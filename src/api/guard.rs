//! What every response gets, whichever layer answered: the security headers, and for every
//! error the JSON shape of `api::error` (the framework's own 404, 405, 413 and query errors
//! included), never a plain-text body that might echo the request.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError};

use super::ApiError;

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    // Answers hold children's data: never kept by a browser or a proxy.
    ("cache-control", "no-store"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
];

pub async fn harden(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let answered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            // The API's JSON errors, and the pages' own error pages (`web::error`).
            v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
        });
    let mut response = if status.as_u16() >= 400 && !answered {
        let (request, old) = response.into_parts();
        let mut json = ApiError::Http(status).error_response();
        // Keep what tells the client how to retry or which methods exist.
        for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
            if let Some(value) = old.headers().get(&name) {
                json.headers_mut().insert(name.clone(), value.clone());
            }
        }
        ServiceResponse::new(request, json)
    } else {
        response.map_into_boxed_body()
    };
    for (name, value) in SECURITY_HEADERS {
        let name = HeaderName::from_static(name);
        // A rendered document or page sets its own policy (`render`, `web`), and the design
        // system's files their own caching; everything else is never stored.
        if (name == header::CONTENT_SECURITY_POLICY
            || name == header::CACHE_CONTROL
            || name == header::REFERRER_POLICY)
            && response.headers().contains_key(&name)
        {
            continue;
        }
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    Ok(response)
}

/// No route at this address: 404; a route at this address without this method: 405 with
/// `Allow`.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    // A browser asking for a page that does not exist gets the pages' own 404 page.
    let wants_page = !req.path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if wants_page {
        return crate::web::WebError::NotFound.error_response();
    }
    let methods = super::openapi::methods_at(req.path());
    if methods.is_empty() {
        return ApiError::NotFound.error_response();
    }
    let mut response =
        ApiError::Http(actix_web::http::StatusCode::METHOD_NOT_ALLOWED).error_response();
    if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// A query string that does not parse: 422 without echoing it.
pub fn query_error(_: actix_web::error::QueryPayloadError, _: &HttpRequest) -> Error {
    ApiError::invalid(
        "(query)",
        "a query parameter is not valid; see the route's parameters in the OpenAPI document",
    )
    .into()
}
