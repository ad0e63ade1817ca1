//! The authorisation matrix: every route (the API from its OpenAPI document, the pages from
//! `web::ROUTES`) × every role × own team and another team → the expected answer. A route
//! without a row here fails the test, as does a row for a route that does not exist.
//!
//! - No credentials: the API answers 401; a page sends the browser to sign in (303).
//! - A role the route does not serve: 403.
//! - A role it serves, on its own team's record: anything but 401/403 (the empty request may
//!   well be refused as invalid, 404 or 422: the role was let through).
//! - The same record's address used by a member of another team: 404, as if it did not exist;
//!   a change sent with no body may be refused as invalid (422) before anything is looked up,
//!   which tells the caller nothing about the record either.

use std::collections::BTreeSet;

use intervention_planner::accounts::Role;
use intervention_planner::app::demo_cases;
use intervention_planner::web;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::Value;

use crate::helpers::{TestApp, repo_path};
use crate::on_each_backend;
use crate::pages::{browser, sign_in_as, user_with_password};

const ALL: &[Role] = &[
    Role::CaseManager,
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
];
const COORDINATORS: &[Role] = &[Role::Coordinator, Role::Admin];
const CASE_WORKERS: &[Role] = &[Role::CaseManager, Role::Admin];
const PLANNERS: &[Role] = &[Role::CaseManager, Role::Coordinator, Role::Admin];
const OVERDUE: &[Role] = &[Role::CaseManager, Role::Manager, Role::Admin];
const REPORTS: &[Role] = &[Role::Manager, Role::Coordinator, Role::Admin];
const ADMINS: &[Role] = &[Role::Admin];
/// No credentials needed (health checks, the design system's files, the sign-in form).
const PUBLIC: &[Role] = &[];

/// Who each route serves. `(method, path, roles)`; paths as the router spells them.
const MATRIX: &[(&str, &str, &[Role])] = &[
    ("GET", "/health/live", PUBLIC),
    ("GET", "/health/ready", PUBLIC),
    ("GET", "/api/v1/openapi.json", ALL),
    ("GET", "/api/v1/needs", ALL),
    ("GET", "/api/v1/interventions", ALL),
    ("POST", "/api/v1/interventions", COORDINATORS),
    ("GET", "/api/v1/interventions/{id}", ALL),
    ("PUT", "/api/v1/interventions/{id}", COORDINATORS),
    ("GET", "/api/v1/interventions/{id}/history", ALL),
    ("POST", "/api/v1/interventions/{id}/retire", COORDINATORS),
    ("GET", "/api/v1/provision", ALL),
    ("POST", "/api/v1/provision", COORDINATORS),
    ("GET", "/api/v1/provision/{id}", ALL),
    ("PUT", "/api/v1/provision/{id}", COORDINATORS),
    ("DELETE", "/api/v1/provision/{id}", COORDINATORS),
    ("POST", "/api/v1/plans/preview", PLANNERS),
    ("POST", "/api/v1/allocations/preview", COORDINATORS),
    ("GET", "/api/v1/settings/planner", ALL),
    ("PUT", "/api/v1/settings/planner", ADMINS),
    ("GET", "/api/v1/cohorts", ALL),
    ("POST", "/api/v1/cohorts", COORDINATORS),
    ("GET", "/api/v1/cohorts/{id}", ALL),
    ("PUT", "/api/v1/cohorts/{id}", COORDINATORS),
    ("POST", "/api/v1/provision/{id}/cohorts/sync", COORDINATORS),
    ("POST", "/api/v1/cohorts/{id}/bookings", COORDINATORS),
    (
        "DELETE",
        "/api/v1/cohorts/{id}/bookings/{booking_id}",
        COORDINATORS,
    ),
    ("POST", "/api/v1/bookings/move", COORDINATORS),
    ("GET", "/api/v1/provision/{id}/waiting-list", ALL),
    ("POST", "/api/v1/provision/{id}/waiting-list", COORDINATORS),
    (
        "DELETE",
        "/api/v1/provision/{id}/waiting-list/{entry_id}",
        COORDINATORS,
    ),
    ("GET", "/api/v1/facilitators", ALL),
    ("POST", "/api/v1/facilitators", COORDINATORS),
    ("GET", "/api/v1/rivalries", ALL),
    ("PUT", "/api/v1/rivalries", COORDINATORS),
    ("GET", "/api/v1/capacity/utilisation", ALL),
    ("GET", "/api/v1/capacity/at-risk", ALL),
    ("GET", "/api/v1/young-people", CASE_WORKERS),
    ("POST", "/api/v1/young-people", CASE_WORKERS),
    ("GET", "/api/v1/young-people/{id}", CASE_WORKERS),
    ("PUT", "/api/v1/young-people/{id}", CASE_WORKERS),
    ("GET", "/api/v1/young-people/{id}/history", CASE_WORKERS),
    ("GET", "/api/v1/young-people/{id}/assessments", CASE_WORKERS),
    (
        "POST",
        "/api/v1/young-people/{id}/assessments",
        CASE_WORKERS,
    ),
    ("GET", "/api/v1/young-people/{id}/orders", CASE_WORKERS),
    ("POST", "/api/v1/young-people/{id}/orders", CASE_WORKERS),
    (
        "PUT",
        "/api/v1/young-people/{id}/orders/{order_id}",
        CASE_WORKERS,
    ),
    ("GET", "/api/v1/young-people/{id}/risk-plans", CASE_WORKERS),
    ("POST", "/api/v1/young-people/{id}/risk-plans", CASE_WORKERS),
    ("PUT", "/api/v1/young-people/{id}/risk-plans", CASE_WORKERS),
    (
        "GET",
        "/api/v1/young-people/{id}/partner-decisions",
        CASE_WORKERS,
    ),
    (
        "POST",
        "/api/v1/young-people/{id}/partner-decisions",
        CASE_WORKERS,
    ),
    (
        "PUT",
        "/api/v1/young-people/{id}/partner-decisions/{decision_id}",
        CASE_WORKERS,
    ),
    ("POST", "/api/v1/young-people/{id}/events", CASE_WORKERS),
    ("POST", "/api/v1/young-people/{id}/plans", CASE_WORKERS),
    ("GET", "/api/v1/young-people/{id}/plans", PLANNERS),
    ("GET", "/api/v1/young-people/{id}/plans/{plan_id}", PLANNERS),
    (
        "POST",
        "/api/v1/young-people/{id}/plans/{plan_id}/accept",
        CASE_WORKERS,
    ),
    (
        "POST",
        "/api/v1/young-people/{id}/plans/{plan_id}/state",
        CASE_WORKERS,
    ),
    (
        "PUT",
        "/api/v1/young-people/{id}/plans/{plan_id}/agreement",
        CASE_WORKERS,
    ),
    ("GET", "/api/v1/young-people/{id}/reviews", CASE_WORKERS),
    (
        "PUT",
        "/api/v1/young-people/{id}/reviews/{review_id}",
        CASE_WORKERS,
    ),
    ("GET", "/api/v1/young-people/{id}/checks", CASE_WORKERS),
    ("GET", "/api/v1/reviews/overdue", OVERDUE),
    ("POST", "/api/v1/young-people/{id}/proposals", CASE_WORKERS),
    ("GET", "/api/v1/young-people/{id}/proposals", CASE_WORKERS),
    (
        "GET",
        "/api/v1/young-people/{id}/proposals/{proposal_id}",
        CASE_WORKERS,
    ),
    (
        "GET",
        "/api/v1/young-people/{id}/proposals/{proposal_id}/html",
        CASE_WORKERS,
    ),
    (
        "GET",
        "/api/v1/young-people/{id}/proposals/{proposal_id}/text",
        CASE_WORKERS,
    ),
    (
        "POST",
        "/api/v1/young-people/{id}/proposals/{proposal_id}/finalise",
        CASE_WORKERS,
    ),
    ("GET", "/api/v1/reports/provision-gaps", REPORTS),
    ("GET", "/api/v1/reports/provision-gaps.csv", REPORTS),
    (
        "GET",
        "/api/v1/reports/provision-gaps/charts/{chart}",
        REPORTS,
    ),
    ("POST", "/api/v1/reports/what-if", REPORTS),
    // The pages.
    ("GET", "/", ALL),
    ("GET", "/sign-in", PUBLIC),
    ("POST", "/sign-in", PUBLIC),
    ("POST", "/sign-out", ALL),
    ("GET", "/assets/{file:.*}", PUBLIC),
    ("GET", "/catalogue", ALL),
    ("GET", "/catalogue/{id}", ALL),
    ("GET", "/caseload", CASE_WORKERS),
    ("GET", "/children/{id}", CASE_WORKERS),
    ("POST", "/children/{id}/plans", CASE_WORKERS),
    ("GET", "/children/{id}/plans/{plan_id}", CASE_WORKERS),
    (
        "POST",
        "/children/{id}/plans/{plan_id}/accept",
        CASE_WORKERS,
    ),
    ("POST", "/children/{id}/reviews/{review_id}", CASE_WORKERS),
    ("POST", "/children/{id}/proposals", CASE_WORKERS),
    (
        "GET",
        "/children/{id}/proposals/{proposal_id}",
        CASE_WORKERS,
    ),
    ("GET", "/provision", COORDINATORS),
    ("GET", "/provision/{id}", COORDINATORS),
    ("GET", "/gaps", REPORTS),
    ("GET", "/gaps/provision-gaps.csv", REPORTS),
    ("GET", "/gaps/charts/{chart}", REPORTS),
    ("GET", "/what-if", REPORTS),
    ("POST", "/what-if", REPORTS),
    ("GET", "/reviews", OVERDUE),
];

const ROLES: [Role; 4] = [
    Role::CaseManager,
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
];
const NOWHERE: &str = "00000000-0000-4000-8000-000000000000";

/// Demo-a's records, to put in the addresses.
struct Ids {
    child: String,
    plan: String,
    provision: String,
    intervention: String,
    cohort: String,
}

/// The address of a route, with demo-a's records where the route names one; and whether the
/// address names a record of demo-a (another team must get 404 for it).
fn address(path: &str, ids: &Ids) -> (String, bool) {
    let names_record = path.contains("{id}")
        && !path.starts_with("/catalogue")
        && !path.contains("/interventions/");
    let id = if path.contains("young-people/{id}") || path.starts_with("/children/{id}") {
        &ids.child
    } else if path.contains("provision/{id}") {
        &ids.provision
    } else if path.contains("cohorts/{id}") {
        &ids.cohort
    } else {
        &ids.intervention
    };
    let filled = path
        .replace("{id}", id)
        .replace("{plan_id}", &ids.plan)
        .replace("{chart}", "unmet-demand")
        .replace("{file:.*}", "govuk-frontend.css")
        .replace("{proposal_id}", NOWHERE)
        .replace("{review_id}", NOWHERE)
        .replace("{order_id}", NOWHERE)
        .replace("{decision_id}", NOWHERE)
        .replace("{booking_id}", NOWHERE)
        .replace("{entry_id}", "999999");
    (filled, names_record)
}

/// A caller: an API token, or a page session with its CSRF token.
enum Credentials {
    Token(String),
    Session { cookie: String, csrf: String },
}

async fn credentials(app: &TestApp, team: &str, role: Role, page: bool) -> Credentials {
    if page {
        let user =
            user_with_password(app, team, role, &format!("{team}:matrix-{}", role.as_str())).await;
        let cookie = sign_in_as(app, &user).await;
        let value = cookie.split_once('=').unwrap().1;
        let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(value.as_bytes()));
        let session = intervention_planner::store::sign_in::session(&app.db, &id)
            .await
            .unwrap()
            .unwrap();
        Credentials::Session {
            cookie,
            csrf: session.csrf_token,
        }
    } else {
        Credentials::Token(
            intervention_planner::store::accounts::create_token(&app.db, team, role, "matrix")
                .await
                .unwrap()
                .token,
        )
    }
}

async fn send(
    app: &TestApp,
    method: &str,
    url: &str,
    who: Option<&Credentials>,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = browser().request(method.clone(), app.url(url));
    match who {
        Some(Credentials::Token(token)) => request = request.bearer_auth(token),
        Some(Credentials::Session { cookie, csrf }) => {
            request = request.header(COOKIE, cookie);
            if method == reqwest::Method::POST {
                request = request
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(format!("_csrf={csrf}"));
            }
        }
        None => {}
    }
    request.send().await.unwrap()
}

async fn the_matrix(app: TestApp) {
    demo_cases::load(&app.db, &repo_path("catalogue"), &["demo-a"])
        .await
        .unwrap();
    // Every route the service has: the API's document and the pages' list.
    let document: Value = app
        .get(&app.admin, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let mut routes: BTreeSet<(String, String)> = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    for (method, path) in web::ROUTES {
        routes.insert((method.to_string(), path.to_string()));
    }
    let rows: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = routes.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:?}"
    );

    let children =
        intervention_planner::store::case_records::list_children(&app.db, "demo-a", None)
            .await
            .unwrap();
    let child = children[0].id.clone();
    let plan = intervention_planner::store::case_plans::list(&app.db, "demo-a", &child)
        .await
        .unwrap()
        .last()
        .map(|p| p.id.clone())
        .unwrap_or_else(|| NOWHERE.into());
    let provision = intervention_planner::store::provision::list(&app.db, "demo-a")
        .await
        .unwrap()[0]
        .provision
        .clone();
    let cohorts: Value = app
        .get(&app.admin, "/api/v1/cohorts")
        .await
        .json()
        .await
        .unwrap();
    let ids = Ids {
        child,
        plan,
        intervention: provision.intervention.clone(),
        provision: provision.id.clone(),
        cohort: cohorts[0]["id"].as_str().unwrap_or(NOWHERE).to_string(),
    };

    let mut callers = Vec::new();
    for team in ["demo-a", "demo-b"] {
        for role in ROLES {
            let api = credentials(&app, team, role, false).await;
            let page = credentials(&app, team, role, true).await;
            callers.push((team, role, api, page));
        }
    }
    let mut wrong = Vec::new();
    for (method, path, roles) in MATRIX {
        let page = !path.starts_with("/api/") && !path.starts_with("/health");
        let (url, names_record) = address(path, &ids);
        // Without credentials.
        let status = send(&app, method, &url, None).await.status().as_u16();
        let expected_anonymous = if roles.is_empty() {
            status != 401 && status != 403 && status < 500
        } else if page {
            status == 303
        } else {
            status == 401
        };
        if !expected_anonymous {
            wrong.push(format!("{method} {path} without credentials: {status}"));
        }
        if roles.is_empty() {
            continue;
        }
        for (team, role, api, session) in &callers {
            let who = if page { session } else { api };
            // Signing out ends the session: each caller signs out with a session of its own.
            let fresh;
            let who = if *path == "/sign-out" {
                fresh = credentials(&app, team, *role, true).await;
                &fresh
            } else {
                who
            };
            let response = send(&app, method, &url, Some(who)).await;
            let status = response.status().as_u16();
            let to_sign_in = response
                .headers()
                .get(LOCATION)
                .is_some_and(|l| l == "/sign-in")
                && *path != "/sign-out";
            let own = *team == "demo-a";
            let ok = if !roles.contains(role) {
                status == 403
            } else if !own && names_record {
                status == 404 || (*method != "GET" && status == 422)
            } else {
                status != 401 && status != 403 && status < 500 && !to_sign_in
            };
            if !ok {
                wrong.push(format!(
                    "{method} {path} as {} of {team}: {status}",
                    role.as_str()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers not as the matrix says:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

on_each_backend!(authorisation_matrix_covers_every_route, the_matrix);
