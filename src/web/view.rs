//! What every page's template gets besides its own content: the signed-in user, the navigation
//! their role sees, the CSRF token for its forms; and the response every page is sent with.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use serde_json::{Value, json};

use super::WebError;
use super::error::{PAGE_POLICY, REFERRER_POLICY};
use crate::accounts::Role;
use crate::app::sign_in::SignedIn;
use crate::domain::FieldErrors;
use crate::render::Renderer;

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    text: &'static str,
    current: bool,
}

/// The sections a role sees, in order: each is a page its role may open.
fn navigation(role: Role, current: &str) -> Vec<NavItem> {
    let items: &[(&str, &str)] = match role {
        Role::CaseManager => &[("/caseload", "My caseload"), ("/catalogue", "Catalogue")],
        Role::Coordinator => &[
            ("/provision", "Provision"),
            ("/gaps", "Provision gaps"),
            ("/what-if", "What if"),
            ("/catalogue", "Catalogue"),
        ],
        Role::Manager => &[
            ("/gaps", "Provision gaps"),
            ("/what-if", "What if"),
            ("/reviews", "Overdue reviews"),
            ("/catalogue", "Catalogue"),
        ],
        Role::Admin => &[
            ("/caseload", "Caseload"),
            ("/provision", "Provision"),
            ("/gaps", "Provision gaps"),
            ("/what-if", "What if"),
            ("/reviews", "Overdue reviews"),
            ("/catalogue", "Catalogue"),
        ],
    };
    items
        .iter()
        .map(|(href, text)| NavItem {
            href,
            text,
            current: *href == current,
        })
        .collect()
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::CaseManager => "Case manager",
        Role::Coordinator => "Intervention coordinator",
        Role::Manager => "Manager",
        Role::Admin => "Administrator",
    }
}

/// Renders `template` with `content` and the layout's values, as a page that is never stored
/// (pages hold children's data) and may load only the service's own files.
pub fn page(
    renderer: &Renderer,
    template: &str,
    title: &str,
    user: Option<&SignedIn>,
    current: &str,
    content: Value,
) -> Result<HttpResponse, WebError> {
    let mut view = match content {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    view.insert("title".into(), json!(title));
    if let Some(user) = user {
        view.insert(
            "layout".into(),
            json!({
                "user_name": user.name,
                "role": role_name(user.caller.role),
                "team": user.caller.team_id,
                "csrf": user.csrf_token,
                "navigation": navigation(user.caller.role, current),
            }),
        );
    }
    let html = renderer.page(template, &Value::Object(view))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .insert_header((header::REFERRER_POLICY, REFERRER_POLICY))
        .body(html))
}

/// After a form that changed something: back to a page (303, so a reload does not resend it).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

/// The errors of a refused form as the error summary lists them.
pub fn error_list(errors: &FieldErrors) -> Vec<Value> {
    errors
        .0
        .iter()
        .map(|e| json!({"text": format!("{}: {}", crate::render::format::words(&e.field), e.message)}))
        .collect()
}

/// A plan flag as the pages show it: its words and how loud its tag is (red: the child's or
/// others' safety).
pub fn flag(code: crate::domain::plan::FlagCode) -> serde_json::Value {
    use crate::domain::plan::FlagCode::*;
    let (label, safety) = match code {
        NoOffendingFocusedWork => ("No offending-focused work", false),
        HighRiskNoOffendingWork => ("High risk of serious harm, no offending-focused work", true),
        OffendingNeedUnmet => ("Offending-related need unmet", false),
        ConsiderMappa => ("Consider MAPPA", true),
        NoRiskPlan => ("No risk management plan", true),
        SafetyAndWellbeingPlan => ("Safety and wellbeing plan needed", true),
        TransitionAt18 => (
            "Turns 18 during the order: plan the move to adult services",
            false,
        ),
        RequirementUnplanned => ("An order requirement has no planned work", false),
        WorkEndsEarly => ("The planned work ends long before the order", false),
        OrderOutsideLimits => ("The order's length is outside the law's limits", false),
    };
    json!({
        "code": code.as_str(),
        "label": label,
        "classes": if safety { "govuk-tag--red" } else { "govuk-tag--orange" },
    })
}

/// "1 item", "2 items".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
