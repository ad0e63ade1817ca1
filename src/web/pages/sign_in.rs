//! Signing in and out. The sign-in form has no session yet, so it is protected from other sites
//! by the Origin check (and the session cookie's SameSite); signing out needs the CSRF token.

use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::app::sign_in::{self, Refused};
use crate::render::Renderer;
use crate::web::form::Form;
use crate::web::session::{Page, removal_cookie, session_cookie};
use crate::web::view::{page, see_other};
use crate::web::{WebError, csrf};

pub async fn form(renderer: web::Data<Renderer>) -> Result<HttpResponse, WebError> {
    page(&renderer, "sign-in", "Sign in", None, "", json!({}))
}

pub async fn submit(
    req: HttpRequest,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    csrf::check_origin(&req)?;
    let form = Form::parse(&body)?;
    let (user, password) = (form.get("user"), form.get("password"));
    let mut errors = Vec::new();
    if user.is_empty() {
        errors.push(json!({"text": "Enter your user name", "href": "#user"}));
    }
    if password.is_empty() {
        errors.push(json!({"text": "Enter your password", "href": "#password"}));
    }
    if errors.is_empty() {
        let client = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default();
        match sign_in::sign_in(&db, user, password, &client).await? {
            Ok(session) => {
                let mut response = see_other("/");
                response
                    .add_cookie(&session_cookie(&session.cookie))
                    .map_err(|e| WebError::Internal(e.into()))?;
                return Ok(response);
            }
            Err(Refused::WrongNameOrPassword) => errors.push(json!({
                "text": "The user name or password is not right",
                "href": "#user"
            })),
            Err(Refused::LockedOut) => errors.push(json!({
                "text": "Too many failed sign-ins: wait 15 minutes, or ask an administrator",
                "href": "#user"
            })),
        }
    }
    let mut response = page(
        &renderer,
        "sign-in",
        "Sign in",
        None,
        "",
        json!({
            "user_error": errors.iter().find(|e| e["href"] == "#user").map(|e| e["text"].clone()),
            "password_error": errors.iter().find(|e| e["href"] == "#password").map(|e| e["text"].clone()),
            "errors": errors,
            "user": user,
        }),
    )?;
    *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

pub async fn sign_out(
    req: HttpRequest,
    page: Page,
    db: web::Data<DatabaseConnection>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    Form::checked(&req, &page.0, &body)?;
    sign_in::sign_out(&db, &page.0.session_id).await?;
    let mut response = see_other("/sign-in");
    response
        .add_cookie(&removal_cookie())
        .map_err(|e| WebError::Internal(e.into()))?;
    Ok(response)
}
