//! The API's one error type, mapped to HTTP once. The body is always
//! `{"error": {"code", "message", "field"}}` (docs/planning.md §5); causes are logged, not shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppError;
use crate::domain::{FieldError, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("your role may not do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("the request is not valid")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("the record has changed since you read it; read it again")]
    PreconditionFailed,
    #[error("send If-Match with the ETag from your last read")]
    PreconditionRequired,
    #[error("the planner is busy with other requests; try again in a few seconds")]
    Busy,
    #[error(
        "the planner did not finish within its time limit; try again later, or plan fewer cases at once"
    )]
    TimedOut,
    #[error("the request body is larger than the {0} bytes this route accepts")]
    TooLarge(usize),
    /// An error the framework answered before any handler ran (404, 405, 413, …).
    #[error("{}", .0.canonical_reason().unwrap_or("the request could not be answered"))]
    Http(StatusCode),
    #[error("something went wrong on our side")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(FieldErrors(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }]))
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> ApiError {
        ApiError::Internal(e.into())
    }

    /// The `code` of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Invalid(_) => "invalid",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed => "stale",
            ApiError::PreconditionRequired => "if_match_required",
            ApiError::Busy => "busy",
            ApiError::TimedOut => "timed_out",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Http(status) => match status.as_u16() {
                404 => "not_found",
                405 => "method_not_allowed",
                413 => "too_large",
                415 => "unsupported_media_type",
                s if s >= 500 => "internal",
                _ => "bad_request",
            },
            ApiError::Internal(_) => "internal",
        }
    }

    /// What may go into the logs: the kind of failure, never the data of the request. A
    /// conflict's message can name the child the request was about, a 422's quote the input, so
    /// neither is logged (the client gets them in the body).
    pub fn log_message(&self) -> String {
        match self {
            ApiError::Invalid(errors) => {
                format!(
                    "the request is not valid ({} field error(s))",
                    errors.0.len()
                )
            }
            ApiError::Conflict(_) => "the request conflicts with the current state".into(),
            other => other.to_string(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound => ApiError::NotFound,
            AppError::Invalid(errors) => ApiError::Invalid(errors),
            AppError::Conflict(message) => ApiError::Conflict(message),
            AppError::Stale => ApiError::PreconditionFailed,
            AppError::VersionRequired => ApiError::PreconditionRequired,
            AppError::Busy => ApiError::Busy,
            AppError::TimedOut => ApiError::TimedOut,
            AppError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::Invalid(e)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(e.into())
    }
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// The first field at fault, when the error is about input.
    pub field: Option<String>,
    /// Every field at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Busy | ApiError::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Http(status) => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let code = self.code();
        let (message, field, errors) = match self {
            ApiError::Invalid(errors) => {
                let first = errors.first().cloned();
                (
                    first
                        .as_ref()
                        .map_or("the request is not valid".into(), |e| e.to_string()),
                    first.map(|e| e.field),
                    errors.0.clone(),
                )
            }
            other => (other.to_string(), None, Vec::new()),
        };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if matches!(self, ApiError::Busy | ApiError::TimedOut) {
            response.insert_header(("Retry-After", "5"));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message,
                field,
                errors,
            },
        })
    }
}
