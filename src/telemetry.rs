//! Logging with `tracing`: plain or JSON lines on stderr. Request spans carry a request id; no
//! request bodies, tokens or personal data are logged.
//!
//! A request's root span ([`RootSpan`]) records its method, the route's *pattern*
//! (`/api/v1/cohorts/{id}/bookings/{booking_id}`), never the path or query string it was called
//! with, the status, the request id, and on failure the error's code and a message that holds
//! no request data. The request id is returned in `X-Request-Id` ([`request_id_header`]), so
//! support can find a request in the logs without anyone quoting personal data.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::api::ApiError;
use crate::configuration::LogFormat;

pub fn init(format: LogFormat, filter: &str) {
    // sqlx logs every statement at info: keep it quiet unless asked.
    let filter = EnvFilter::try_new(format!("{filter},sqlx=warn,sea_orm=warn"))
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // A line as each request's span closes: its route, status, request id and timing, the
    // access log (and nothing from the path, query or body; see `RootSpan`).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Plain => builder.try_init(),
    };
}

/// The response header that carries the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The route of a request that matched none.
pub const UNMATCHED: &str = "unmatched";

/// The root span of every request, for `TracingLogger::<RootSpan>::new()`. Unlike
/// `DefaultRootSpanBuilder` it records no `http.target` (path and query: case references have
/// been sent there), user agent, client address or error `Debug` output.
pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| UNMATCHED.to_string());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.status_code = Empty,
            request_id = %request_id,
            error.code = Empty,
            error.message = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error) = match outcome {
            Ok(response) => (response.status(), response.response().error()),
            Err(error) => (error.as_response_error().status_code(), Some(error)),
        };
        span.record("http.status_code", status.as_u16());
        if let Some(error) = error {
            let (code, message) = safe_error(error, status);
            span.record("error.code", code);
            span.record("error.message", message.as_str());
        }
    }
}

/// An error's code and a message that holds no request data: the API's own errors say what kind
/// of failure it was; anything else (the framework's, whose messages can quote the input) only
/// its status.
fn safe_error(error: &Error, status: actix_web::http::StatusCode) -> (&'static str, String) {
    match error.as_error::<ApiError>() {
        Some(api) => (api.code(), api.log_message()),
        None => (
            "http_error",
            status.canonical_reason().unwrap_or("error").to_string(),
        ),
    }
}

/// Middleware (`actix_web::middleware::from_fn`) that returns the request id given by
/// `TracingLogger` in an `X-Request-Id` header; register it inside (before) `TracingLogger`.
/// Handlers' errors are responses by then, so every response gets it.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut response = next.call(req).await?;
    if let Some(id) = id
        && let Ok(value) = HeaderValue::from_str(&id.to_string())
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}
