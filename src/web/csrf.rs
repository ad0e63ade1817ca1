//! Cross-site request forgery: every form carries the session's token in `_csrf`, compared in
//! constant time; a request whose `Origin` names another site is refused as well. Either failing
//! is 403 and nothing changes.

use actix_web::HttpRequest;
use actix_web::http::header;

use super::WebError;
use crate::app::sign_in::SignedIn;

pub const FIELD: &str = "_csrf";

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses a cross-site `Origin` (browsers send it with every form POST).
pub fn check_origin(req: &HttpRequest) -> Result<(), WebError> {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let host = req.connection_info().host().to_string();
    let origin = origin.to_str().unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    if origin_host == host {
        Ok(())
    } else {
        Err(WebError::Csrf)
    }
}

/// The form's token against the session's.
pub fn check(req: &HttpRequest, session: &SignedIn, token: Option<&str>) -> Result<(), WebError> {
    check_origin(req)?;
    match token {
        Some(token) if same(token.as_bytes(), session.csrf_token.as_bytes()) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}
