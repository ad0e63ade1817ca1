//! The pages: server-rendered HTML from `templates/pages/`, working without JavaScript, for
//! case managers, coordinators and managers (docs/pages.md). Each handler reads a session
//! (`session::Page`), calls the same use cases as the API (`app`), and renders a view. Every form
//! carries the session's CSRF token (`csrf`); every page sets its own Content-Security-Policy.

pub mod assets;
pub mod csrf;
pub mod error;
pub mod form;
pub mod pages;
pub mod session;
pub mod view;

use actix_web::web;

pub use error::WebError;

/// Every page route, as (method, pattern): the authorisation matrix test walks this list, and
/// a route registered without a row here fails it.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("POST", "/sign-out"),
    ("GET", "/assets/{file:.*}"),
    ("GET", "/catalogue"),
    ("GET", "/catalogue/{id}"),
    ("GET", "/caseload"),
    ("GET", "/children/{id}"),
    ("POST", "/children/{id}/plans"),
    ("GET", "/children/{id}/plans/{plan_id}"),
    ("POST", "/children/{id}/plans/{plan_id}/accept"),
    ("POST", "/children/{id}/reviews/{review_id}"),
    ("POST", "/children/{id}/proposals"),
    ("GET", "/children/{id}/proposals/{proposal_id}"),
    ("GET", "/provision"),
    ("GET", "/provision/{id}"),
    ("GET", "/gaps"),
    ("GET", "/gaps/provision-gaps.csv"),
    ("GET", "/gaps/charts/{chart}"),
    ("GET", "/what-if"),
    ("POST", "/what-if"),
    ("GET", "/reviews"),
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    use pages::*;
    cfg.route("/", web::get().to(home::home))
        .route("/sign-in", web::get().to(sign_in::form))
        .route("/sign-in", web::post().to(sign_in::submit))
        .route("/sign-out", web::post().to(sign_in::sign_out))
        .route("/assets/{file:.*}", web::get().to(assets::serve))
        .route("/catalogue", web::get().to(catalogue::list))
        .route("/catalogue/{id}", web::get().to(catalogue::show))
        .route("/caseload", web::get().to(caseload::caseload))
        .route("/children/{id}", web::get().to(caseload::child))
        .route("/children/{id}/plans", web::post().to(plans::build))
        .route("/children/{id}/plans/{plan_id}", web::get().to(plans::show))
        .route(
            "/children/{id}/plans/{plan_id}/accept",
            web::post().to(plans::accept),
        )
        .route(
            "/children/{id}/reviews/{review_id}",
            web::post().to(plans::record_review),
        )
        .route(
            "/children/{id}/proposals",
            web::post().to(plans::build_proposal),
        )
        .route(
            "/children/{id}/proposals/{proposal_id}",
            web::get().to(plans::proposal),
        )
        .route("/provision", web::get().to(provision::list))
        .route("/provision/{id}", web::get().to(provision::show))
        .route("/gaps", web::get().to(gaps::gaps))
        .route("/gaps/provision-gaps.csv", web::get().to(gaps::csv))
        .route("/gaps/charts/{chart}", web::get().to(gaps::chart))
        .route("/what-if", web::get().to(gaps::what_if_form))
        .route("/what-if", web::post().to(gaps::what_if))
        .route("/reviews", web::get().to(gaps::overdue_reviews));
}
