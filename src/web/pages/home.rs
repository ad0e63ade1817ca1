//! The start page: each role's main page.

use actix_web::HttpResponse;

use crate::accounts::Role;
use crate::web::session::Page;
use crate::web::view::see_other;

pub async fn home(page: Page) -> HttpResponse {
    see_other(match page.0.caller.role {
        Role::CaseManager => "/caseload",
        Role::Coordinator => "/provision",
        Role::Manager => "/gaps",
        Role::Admin => "/caseload",
    })
}
