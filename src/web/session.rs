//! The signed-in user of a page, from the session cookie. Without a live session a page
//! redirects to sign-in; the cookie is `__Host-` prefixed (Secure, Path=/, no Domain), HttpOnly
//! and SameSite=Lax (a link from elsewhere opens a page; a form from elsewhere fails CSRF anyway).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use sea_orm::DatabaseConnection;

use super::WebError;
use crate::app::sign_in::{self, SessionPolicy, SignedIn};

pub const COOKIE: &str = "__Host-ip-session";

/// A page's caller: the signed-in user and the route pattern the audit records.
pub struct Page(pub SignedIn);

impl FromRequest for Page {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Page, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let db = req.app_data::<web::Data<DatabaseConnection>>().cloned();
        let policy = req
            .app_data::<web::Data<SessionPolicy>>()
            .map(|p| *p.get_ref())
            .unwrap_or_default();
        let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
        let route = format!(
            "{} {}",
            req.method(),
            req.match_pattern().unwrap_or_else(|| "(unmatched)".into())
        );
        Box::pin(async move {
            let (Some(db), Some(cookie)) = (db, cookie) else {
                return Err(WebError::SignIn);
            };
            let mut signed_in = sign_in::resume(&db, &cookie, policy)
                .await?
                .ok_or(WebError::SignIn)?;
            signed_in.caller.route = route;
            Ok(Page(signed_in))
        })
    }
}

pub fn session_cookie(value: &str) -> Cookie<'static> {
    Cookie::build(COOKIE, value.to_string())
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish()
}

pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build(COOKIE, "")
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(Duration::ZERO)
        .finish()
}
