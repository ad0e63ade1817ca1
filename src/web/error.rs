//! The pages' one error type, mapped to a response once: a redirect to sign-in, or a short
//! HTML page that says what happened and what to do. Causes are logged, never shown.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use crate::app::AppError;
use crate::render::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign in to continue")]
    SignIn,
    #[error("your role may not see this page")]
    Forbidden,
    #[error("the form has expired or did not come from this service")]
    Csrf,
    #[error("page not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("the planner is busy; try again in a few seconds")]
    Busy,
    #[error("something went wrong on our side")]
    Internal(#[source] anyhow::Error),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Forbidden => WebError::Forbidden,
            AppError::NotFound => WebError::NotFound,
            AppError::Conflict(m) => WebError::Conflict(m),
            AppError::Stale => WebError::Conflict(
                "the record changed while you were reading it; open it again".into(),
            ),
            AppError::VersionRequired => WebError::Conflict(
                "the page did not say which version it showed; open it again".into(),
            ),
            AppError::Busy | AppError::TimedOut => WebError::Busy,
            AppError::Invalid(errors) => WebError::Conflict(
                errors
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => WebError::Internal(other.into()),
        }
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        WebError::from(AppError::from(e))
    }
}

impl From<RenderError> for WebError {
    fn from(e: RenderError) -> Self {
        WebError::Internal(e.into())
    }
}

/// The policy of a page: its own scripts and styles, nothing from elsewhere, never framed.
pub const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Pages send no referrer to other sites, and their own address to the service itself: with
/// `no-referrer` a browser's form posts carry `Origin: null`, which the CSRF check must refuse.
pub const REFERRER_POLICY: &str = "same-origin";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::SignIn => StatusCode::SEE_OTHER,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "page failed");
        }
        if matches!(self, WebError::SignIn) {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/sign-in"))
                .finish();
        }
        let (title, advice) = match self {
            WebError::Forbidden => (
                "You cannot see this page",
                "Your role does not include it. Ask your manager if you need it.",
            ),
            WebError::Csrf => (
                "The form could not be sent",
                "Go back, reload the page and send the form again.",
            ),
            WebError::NotFound => (
                "Page not found",
                "Check the address, or go back to the start.",
            ),
            WebError::Conflict(_) => ("That could not be done", "Go back and check the details."),
            WebError::Busy => ("The planner is busy", "Wait a few seconds and try again."),
            _ => (
                "Sorry, there is a problem with the service",
                "Try again later.",
            ),
        };
        let detail = match self {
            WebError::Conflict(message) => {
                format!("<p class=\"govuk-body\">{}</p>", escape(message))
            }
            _ => String::new(),
        };
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\" class=\"govuk-template\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} – Intervention planner</title>\
             <link rel=\"stylesheet\" href=\"/assets/govuk-frontend.css\"></head>\
             <body class=\"govuk-template__body\"><div class=\"govuk-width-container\">\
             <main class=\"govuk-main-wrapper\" id=\"main-content\">\
             <h1 class=\"govuk-heading-l\">{title}</h1>{detail}<p class=\"govuk-body\">{advice}</p>\
             <p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/\">Go to the start</a></p>\
             </main></div></body></html>"
        );
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
            .insert_header((header::REFERRER_POLICY, REFERRER_POLICY))
            .body(body)
    }
}
