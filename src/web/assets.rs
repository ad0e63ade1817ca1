//! The design system's files (`static/assets`, built by `frontend/build.sh`), compiled into the
//! binary so that it serves the same pages wherever it runs.

use actix_web::{HttpResponse, web};

use super::WebError;

const FILES: &[(&str, &str, &[u8])] = &[
    // The service's own icon (no GOV.UK crown).
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
    (
        "govuk-frontend.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/assets/govuk-frontend.css"),
    ),
    (
        "moj-frontend.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/assets/moj-frontend.css"),
    ),
    (
        "govuk-frontend.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/assets/govuk-frontend.min.js"),
    ),
    (
        "init.mjs",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/assets/init.mjs"),
    ),
    (
        "images/icon-progress-tick.svg",
        "image/svg+xml",
        include_bytes!("../../static/assets/images/icon-progress-tick.svg"),
    ),
    (
        "images/icon-document.svg",
        "image/svg+xml",
        include_bytes!("../../static/assets/images/icon-document.svg"),
    ),
    (
        "images/icon-close-cross-black.svg",
        "image/svg+xml",
        include_bytes!("../../static/assets/images/icon-close-cross-black.svg"),
    ),
    (
        "images/icon-toggle-plus-minus.svg",
        "image/svg+xml",
        include_bytes!("../../static/assets/images/icon-toggle-plus-minus.svg"),
    ),
];

/// Public (no session): the files hold no personal data, so browsers may keep them an hour.
pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, WebError> {
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(name, _, _)| *name == file.as_str())
        .ok_or(WebError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(*bytes))
}
