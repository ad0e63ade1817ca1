//! Bearer-token authentication as an extractor: a handler that takes a `Caller` is protected.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use sea_orm::DatabaseConnection;

use super::ApiError;
use crate::accounts::Caller;
use crate::app;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let db = req.app_data::<web::Data<DatabaseConnection>>().cloned();
        let token = req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        // The route's pattern, not its path: a path can hold ids, and the audit keeps no URL.
        let route = format!(
            "{} {}",
            req.method(),
            req.match_pattern().unwrap_or_else(|| "(unmatched)".into())
        );
        Box::pin(async move {
            let (Some(db), Some(token)) = (db, token) else {
                return Err(ApiError::Unauthorized);
            };
            let mut caller = app::access::authenticate(&db, &token)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            caller.route = route;
            Ok(caller)
        })
    }
}
