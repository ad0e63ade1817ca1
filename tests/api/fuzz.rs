//! Input fuzzing: every documented route gets random and extreme values in its path, its query
//! and each field of a valid body, and never answers a server error; every answer is the JSON
//! error shape with the security headers. A new route without a row here fails the coverage
//! test.
//!
//! CI runs `FUZZ_CASES` (default 12) mutations per route; the long form is
//! `FUZZ_CASES=2000 cargo test --test api fuzz` (see the README). `FUZZ_SEED` replays a run.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::capacity::in_days;
use crate::helpers::{Backend, TestApp, repo_path};

/// One documented operation: its method, its path template, and a valid body to mutate.
struct Route {
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    query: &'static [&'static str],
}

fn demo(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo_path(file)).unwrap()).unwrap()
}

fn routes() -> Vec<Route> {
    let provision = json!({"id": "fuzz-kcp", "intervention": "knife-crime-programme",
        "provider": "YOS", "area": "Holloway", "places": 8, "starts": [in_days(30)],
        "participants": [{"reference": "FZ-1", "gang_affiliations": ["Group A"]}]});
    let mut caseload = demo("catalogue/demo/caseload-demo-a.json");
    caseload["cases"].as_array_mut().unwrap().truncate(2);
    let route = |method, path, body: Option<Value>, query| Route {
        method,
        path,
        body,
        query,
    };
    let mut list = vec![
        route("GET", "/health/live", None, &[]),
        route("GET", "/health/ready", None, &[]),
        route("GET", "/api/v1/openapi.json", None, &[]),
        route("GET", "/api/v1/needs", None, &[]),
        route(
            "GET",
            "/api/v1/interventions",
            None,
            &[
                "need",
                "category",
                "evidence",
                "age",
                "format",
                "q",
                "include_retired",
            ],
        ),
        route(
            "POST",
            "/api/v1/interventions",
            Some(crate::catalogue::new_entry("fuzz-entry")),
            &[],
        ),
        route("GET", "/api/v1/interventions/{id}", None, &[]),
        route(
            "PUT",
            "/api/v1/interventions/{id}",
            Some(crate::catalogue::new_entry("fuzz-entry")),
            &[],
        ),
        route("GET", "/api/v1/interventions/{id}/history", None, &[]),
        route("POST", "/api/v1/interventions/{id}/retire", None, &[]),
        route("GET", "/api/v1/provision", None, &[]),
        route("POST", "/api/v1/provision", Some(provision.clone()), &[]),
        route("GET", "/api/v1/provision/{id}", None, &[]),
        route("PUT", "/api/v1/provision/{id}", Some(provision), &[]),
        route("DELETE", "/api/v1/provision/{id}", None, &[]),
        route(
            "POST",
            "/api/v1/plans/preview",
            Some(demo("catalogue/demo/example-problem.json")),
            &[],
        ),
        route("POST", "/api/v1/allocations/preview", Some(caseload), &[]),
        route("GET", "/api/v1/cohorts", None, &["provision"]),
        route(
            "POST",
            "/api/v1/cohorts",
            Some(
                json!({"provision": "fuzz-kcp", "start": in_days(30), "places": 4,
                "area": "Holloway", "facilitators": []}),
            ),
            &[],
        ),
        route("GET", "/api/v1/cohorts/{id}", None, &[]),
        route(
            "PUT",
            "/api/v1/cohorts/{id}",
            Some(json!({"start": in_days(30), "places": 4, "area": "", "facilitators": []})),
            &[],
        ),
        route("POST", "/api/v1/provision/{id}/cohorts/sync", None, &[]),
        route(
            "POST",
            "/api/v1/cohorts/{id}/bookings",
            Some(json!({"reference": "FZ-2", "gang_affiliations": ["Group B"]})),
            &[],
        ),
        route(
            "DELETE",
            "/api/v1/cohorts/{id}/bookings/{booking_id}",
            None,
            &[],
        ),
        route(
            "POST",
            "/api/v1/bookings/move",
            Some(json!({"reference": "FZ-2", "from": "a", "to": "b"})),
            &[],
        ),
        route("GET", "/api/v1/provision/{id}/waiting-list", None, &[]),
        route(
            "POST",
            "/api/v1/provision/{id}/waiting-list",
            Some(json!({"reference": "FZ-3"})),
            &[],
        ),
        route(
            "DELETE",
            "/api/v1/provision/{id}/waiting-list/{entry_id}",
            None,
            &[],
        ),
        route("GET", "/api/v1/facilitators", None, &["intervention"]),
        route(
            "POST",
            "/api/v1/facilitators",
            Some(
                json!({"name": "Sam Jones", "intervention": "knife-crime-programme",
                "trained_on": "2026-01-05"}),
            ),
            &[],
        ),
        route("GET", "/api/v1/rivalries", None, &[]),
        route(
            "PUT",
            "/api/v1/rivalries",
            Some(json!({"rivalries": [["Group A", "Group B"]]})),
            &[],
        ),
        route(
            "GET",
            "/api/v1/capacity/utilisation",
            None,
            &["weeks", "from"],
        ),
        route("GET", "/api/v1/capacity/at-risk", None, &["weeks", "from"]),
        route("GET", "/api/v1/settings/planner", None, &[]),
        route(
            "PUT",
            "/api/v1/settings/planner",
            Some(json!({"time_limit_seconds": 2.0})),
            &[],
        ),
    ];
    list.extend(casework_routes());
    list
}

fn casework_routes() -> Vec<Route> {
    let child = json!({"reference": "FZ-9", "name": "Fuzz Child", "date_of_birth": "2011-05-01",
        "gender": "female", "gang_affiliations": ["Group A"], "unsafe_areas": ["Archway"],
        "non_associations": ["FZ-8"]});
    let assessment = json!({"assessed_on": in_days(-1), "needs": [{"need": "ete", "level": "medium",
        "linked_to_offending": true}], "likelihood_of_reoffending": "medium",
        "risk_of_serious_harm": "medium", "safety_and_wellbeing": "low",
        "intervention_level": "intensive", "override_reason": "recent escalation"});
    let order = json!({"type": "youth_rehabilitation_order", "start": in_days(-7), "end": in_days(300),
        "requirements": ["supervision", "activity"], "offence": "Robbery"});
    let risk = json!({"risk_management": {"summary": "s", "contingency": ["c"]},
        "safety_and_wellbeing": {"summary": "s", "actions": ["a"]}});
    let decision = json!({"agency": "Police", "decision": "bar_from_intervention",
        "intervention": "motor-project", "reason": "r", "decided_on": in_days(-2),
        "agreed_by": "YOS manager", "challenged": true, "challenge_outcome": "pending"});
    let agreement = json!({"child_agrees": true, "carer_agrees": false, "recorded_on": in_days(0), "note": "n"});
    let review = json!({"reviewed_on": in_days(0), "summary": "s", "items": [{"intervention": "ete-support",
        "sessions_offered": 4, "sessions_attended": 3, "status": "ended_early", "ended_early": "moved",
        "outcomes": [{"need": "ete", "achieved": 0.5, "level_after": "low"}]}]});
    let route = |method, path, body: Option<Value>, query| Route {
        method,
        path,
        body,
        query,
    };
    let yp = "/api/v1/young-people/{id}";
    vec![
        route("GET", "/api/v1/young-people", None, &["mine"]),
        route("POST", "/api/v1/young-people", Some(child.clone()), &[]),
        route("GET", yp, None, &[]),
        route("PUT", yp, Some(child), &[]),
        route("GET", "/api/v1/young-people/{id}/history", None, &[]),
        route("GET", "/api/v1/young-people/{id}/assessments", None, &[]),
        route(
            "POST",
            "/api/v1/young-people/{id}/assessments",
            Some(assessment),
            &[],
        ),
        route("GET", "/api/v1/young-people/{id}/orders", None, &[]),
        route(
            "POST",
            "/api/v1/young-people/{id}/orders",
            Some(order.clone()),
            &[],
        ),
        route(
            "PUT",
            "/api/v1/young-people/{id}/orders/{order_id}",
            Some(order),
            &[],
        ),
        route("GET", "/api/v1/young-people/{id}/risk-plans", None, &[]),
        route(
            "POST",
            "/api/v1/young-people/{id}/risk-plans",
            Some(risk.clone()),
            &[],
        ),
        route(
            "PUT",
            "/api/v1/young-people/{id}/risk-plans",
            Some(risk),
            &[],
        ),
        route(
            "GET",
            "/api/v1/young-people/{id}/partner-decisions",
            None,
            &[],
        ),
        route(
            "POST",
            "/api/v1/young-people/{id}/partner-decisions",
            Some(decision.clone()),
            &[],
        ),
        route(
            "PUT",
            "/api/v1/young-people/{id}/partner-decisions/{decision_id}",
            Some(decision),
            &[],
        ),
        route(
            "POST",
            "/api/v1/young-people/{id}/events",
            Some(json!({"kind": "custody", "occurred_on": in_days(-3), "note": "remanded"})),
            &[],
        ),
        route(
            "POST",
            "/api/v1/young-people/{id}/plans",
            Some(
                json!({"reason": "r", "pins": [{"intervention": "ete-support", "provision": "ete-rolling",
                "start": in_days(14)}], "exclusions": [{"intervention": "mentoring", "reason": "x"}]}),
            ),
            &[],
        ),
        route("GET", "/api/v1/young-people/{id}/plans", None, &[]),
        route(
            "GET",
            "/api/v1/young-people/{id}/plans/{plan_id}",
            None,
            &[],
        ),
        route(
            "POST",
            "/api/v1/young-people/{id}/plans/{plan_id}/accept",
            Some(json!({"agreement": agreement.clone()})),
            &[],
        ),
        route(
            "POST",
            "/api/v1/young-people/{id}/plans/{plan_id}/state",
            Some(json!({"state": "closed", "reason": "order revoked"})),
            &[],
        ),
        route(
            "PUT",
            "/api/v1/young-people/{id}/plans/{plan_id}/agreement",
            Some(agreement),
            &[],
        ),
        route("GET", "/api/v1/young-people/{id}/reviews", None, &[]),
        route(
            "PUT",
            "/api/v1/young-people/{id}/reviews/{review_id}",
            Some(review),
            &[],
        ),
        route("GET", "/api/v1/young-people/{id}/checks", None, &[]),
        route("GET", "/api/v1/reviews/overdue", None, &["mine"]),
        route(
            "POST",
            "/api/v1/young-people/{id}/proposals",
            Some(
                json!({"summary": "s", "convicted_on": in_days(-1), "reasons": "r", "prepared_by": "Sam Case Manager",
                "referral_conditions": {"imprisonable": true, "pleaded_guilty": true, "first_conviction": false},
                "recommended": {"disposal": "youth_rehabilitation_order", "months": 9,
                    "requirements": [{"requirement": "supervision"}, {"requirement": "activity", "days": 30},
                        {"requirement": "curfew", "hours_per_day": 8, "months": 3}]},
                "alternative": {"disposal": "referral_order", "months": 6}}),
            ),
            &[],
        ),
        route("GET", "/api/v1/young-people/{id}/proposals", None, &[]),
        route(
            "GET",
            "/api/v1/young-people/{id}/proposals/{proposal_id}",
            None,
            &[],
        ),
        route(
            "GET",
            "/api/v1/young-people/{id}/proposals/{proposal_id}/html",
            None,
            &[],
        ),
        route(
            "GET",
            "/api/v1/young-people/{id}/proposals/{proposal_id}/text",
            None,
            &[],
        ),
        route(
            "POST",
            "/api/v1/young-people/{id}/proposals/{proposal_id}/finalise",
            None,
            &[],
        ),
        route("GET", "/api/v1/reports/provision-gaps", None, &["scope"]),
        route(
            "GET",
            "/api/v1/reports/provision-gaps.csv",
            None,
            &["scope"],
        ),
        route(
            "GET",
            "/api/v1/reports/provision-gaps/charts/{chart}",
            None,
            &["scope"],
        ),
        route(
            "POST",
            "/api/v1/reports/what-if",
            Some(json!({"changes": [
                {"change": "add_places", "intervention": "gang-exit-mentoring", "places": 8, "from": in_days(30), "area": "Holloway", "outreach": true, "wait_days": 7},
                {"change": "set_places", "provision": "fuzz-kcp", "places": 4},
                {"change": "set_wait", "provision": "fuzz-kcp", "wait_days": 3},
                {"change": "drop_cohort", "provision": "fuzz-kcp", "start": in_days(35)},
                {"change": "drop_provision", "provision": "fuzz-kcp-rolling"},
                {"change": "train_facilitators", "intervention": "knife-crime-programme", "count": 2}]})),
            &[],
        ),
    ]
}

/// A random or extreme JSON value.
fn extreme(rng: &mut StdRng) -> Value {
    match rng.random_range(0..24) {
        0 => json!(i64::MAX),
        1 => json!(i64::MIN),
        2 => json!(-1),
        3 => json!(0),
        4 => json!(1e308),
        5 => json!(-0.5),
        6 => json!(""),
        7 => json!("x".repeat(rng.random_range(1000..40_000))),
        8 => json!("nul\u{0}"),
        9 => json!("rtl\u{202E}override"),
        10 => json!("+262142-12-31"),
        11 => json!("-262143-01-01"),
        12 => json!("9999-12-31"),
        13 => json!("2026-02-30"),
        14 => Value::Null,
        15 => json!(true),
        16 => json!([]),
        17 => json!({}),
        18 => json!([[[[[[[[[[]]]]]]]]]]),
        19 => json!("<script>alert(1)</script>"),
        20 => json!("../../etc/passwd"),
        21 => json!(rng.random::<i32>()),
        22 => json!(rng.random::<f64>() * 1e6),
        _ => json!("ünïcödé 😀"),
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every place in a document a value can be replaced: JSON pointers to each node.
fn pointers(value: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (k, v) in items.iter().enumerate().take(3) {
                pointers(v, format!("{here}/{k}"), out);
            }
        }
        _ => {}
    }
}

fn mutate(seed: &Value, rng: &mut StdRng) -> Value {
    let mut body = seed.clone();
    let mut all = Vec::new();
    pointers(&body, String::new(), &mut all);
    for _ in 0..rng.random_range(1..=3) {
        let at = &all[rng.random_range(0..all.len())];
        let value = extreme(rng);
        if at.is_empty() {
            body = value;
            break;
        }
        if let Some(slot) = body.pointer_mut(at) {
            *slot = value;
        }
    }
    body
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn send(
    app: &TestApp,
    token: &str,
    route: &Route,
    rng: &mut StdRng,
    records: &[String],
) -> (String, reqwest::Response) {
    let mut path = route.path.to_string();
    for param in [
        "{id}",
        "{booking_id}",
        "{entry_id}",
        "{order_id}",
        "{decision_id}",
        "{plan_id}",
        "{review_id}",
        "{proposal_id}",
        "{chart}",
    ] {
        if path.contains(param) {
            let mut known: Vec<String> = [
                "knife-crime-programme",
                "fuzz-kcp",
                "1",
                "fuzz-kcp-rolling",
                "funnel",
            ]
            .map(String::from)
            .to_vec();
            known.extend(records.iter().cloned());
            let value = if rng.random_bool(0.5) {
                known[rng.random_range(0..known.len())].to_string()
            } else {
                as_text(&extreme(rng))
            };
            path = path.replace(param, &encode(&value));
        }
    }
    let mut query = Vec::new();
    for name in route.query {
        if rng.random_bool(0.6) {
            query.push(format!("{name}={}", encode(&as_text(&extreme(rng)))));
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method, app.url(&path))
        .bearer_auth(token);
    if rng.random_bool(0.5) {
        request = request.header(
            "If-Match",
            if rng.random_bool(0.5) {
                "\"1\""
            } else {
                "garbage"
            },
        );
    }
    let body = route.body.as_ref().map(|seed| mutate(seed, rng));
    if let Some(body) = &body {
        request = request.json(body);
    }
    let shown = format!(
        "{} {path} {}",
        route.method,
        body.map(|b| b.to_string().chars().take(300).collect::<String>())
            .unwrap_or_default()
    );
    (
        shown,
        request
            .send()
            .await
            .expect("an answer, not a closed connection"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_survives_random_and_extreme_input() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261201);
    let app = TestApp::builder(Backend::Sqlite).spawn().await;
    let records = crate::casework::records_to_fuzz(&app).await;
    let mut rng = StdRng::seed_from_u64(seed);
    for route in routes() {
        for case in 0..cases {
            // Mostly the coordinator and admin, who reach the most code.
            let token = match case % 4 {
                0 | 1 => &app.coordinator,
                2 => &app.admin,
                _ => &app.case_manager,
            };
            let (shown, response) = send(&app, token, &route, &mut rng, &records).await;
            let status = response.status().as_u16();
            assert!(status < 500, "seed {seed}: {status} for {shown}");
            assert_eq!(
                response.headers()["x-content-type-options"],
                "nosniff",
                "seed {seed}: {shown}"
            );
            if status >= 400 {
                let body: Value = response
                    .json()
                    .await
                    .unwrap_or_else(|e| panic!("seed {seed}: no JSON error for {shown}: {e}"));
                assert!(
                    body["error"]["code"].is_string(),
                    "seed {seed}: {body} for {shown}"
                );
            }
        }
    }
    app.assert_occupancy_consistent().await;
}

/// Every documented operation has a row above, and every row is documented.
#[tokio::test]
async fn the_fuzz_table_covers_every_documented_route() {
    let document = serde_json::to_value(intervention_planner::api::openapi::document()).unwrap();
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                documented.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let mut fuzzed: Vec<String> = routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    documented.sort();
    fuzzed.sort();
    assert_eq!(documented, fuzzed);
}
