//! The OpenAPI document: built from the registered routes, so every route is in it; every
//! component it refers to exists under one name; every status a route can give is listed.

use serde_json::Value;

use crate::helpers::{Backend, TestApp};
use crate::schema_check;

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref"
                    && let Some(r) = v.as_str()
                {
                    out.push(r.trim_start_matches("#/components/schemas/").to_string());
                }
                refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_is_served_and_every_status_listed() {
    let app = TestApp::builder(Backend::Sqlite).spawn().await;
    let document: Value = app
        .get(&app.coordinator, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let mut used = Vec::new();
    refs(&document, &mut used);
    for name in &used {
        assert!(schemas.contains_key(name), "missing component {name}");
    }
    // The two place-use views are two components, each under its own name.
    assert!(schemas.contains_key("TeamUtilisationView") && schemas.contains_key("AllocatedPlaces"));

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}");
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            if !secured {
                continue;
            }
            for status in ["401", "403"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path}: 404");
            }
            if operation.get("requestBody").is_some() {
                assert!(responses.contains_key("422"), "{method} {path}: 422");
            }
            // Served: without a token the route answers 401, not "no such route".
            let url = app.url(&path.replace('{', "x").replace('}', ""));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = app
                .client
                .request(method.clone(), url)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 401, "{method} {path}");
        }
    }
}

/// Checks an answer's body against the schema its route documents for its status.
async fn fits(
    document: &Value,
    method: &str,
    template: &str,
    response: reqwest::Response,
) -> Value {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let schema = schema_check::response_schema(document, method, template, status)
        .unwrap_or_else(|| panic!("{method} {template}: {status} has no JSON schema: {body}"));
    let problems = schema_check::check(document, schema, &body);
    assert!(
        problems.is_empty(),
        "{method} {template} {status}: {problems:#?}"
    );
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_fit_their_documented_schemas() {
    use crate::capacity::{in_days, provision};
    use serde_json::json;
    let app = TestApp::builder(Backend::Sqlite).spawn().await;
    let doc: Value = serde_json::to_value(intervention_planner::api::openapi::document()).unwrap();
    let c = &app.coordinator;
    for (template, path) in [
        ("/api/v1/needs", "/api/v1/needs"),
        ("/api/v1/interventions", "/api/v1/interventions"),
        (
            "/api/v1/interventions/{id}",
            "/api/v1/interventions/knife-crime-programme",
        ),
        (
            "/api/v1/interventions/{id}/history",
            "/api/v1/interventions/knife-crime-programme/history",
        ),
        ("/api/v1/provision", "/api/v1/provision"),
        ("/api/v1/cohorts", "/api/v1/cohorts"),
        ("/api/v1/facilitators", "/api/v1/facilitators"),
        ("/api/v1/rivalries", "/api/v1/rivalries"),
        (
            "/api/v1/capacity/utilisation",
            "/api/v1/capacity/utilisation",
        ),
        ("/api/v1/capacity/at-risk", "/api/v1/capacity/at-risk"),
        ("/api/v1/settings/planner", "/api/v1/settings/planner"),
        (
            "/api/v1/interventions/{id}",
            "/api/v1/interventions/no-such-thing",
        ),
        (
            "/api/v1/capacity/utilisation",
            "/api/v1/capacity/utilisation?from=2026-02-30",
        ),
    ] {
        fits(&doc, "GET", template, app.get(c, path).await).await;
    }
    fits(
        &doc,
        "GET",
        "/api/v1/needs",
        app.get("not-a-token", "/api/v1/needs").await,
    )
    .await;

    provision(&app, "fit-kcp", "knife-crime-programme", &[in_days(20)], 6).await;
    fits(
        &doc,
        "GET",
        "/api/v1/provision/{id}",
        app.get(c, "/api/v1/provision/fit-kcp").await,
    )
    .await;
    let cohort = fits(
        &doc,
        "POST",
        "/api/v1/cohorts",
        app.post_json(
            c,
            "/api/v1/cohorts",
            &json!({"provision": "fit-kcp", "start": in_days(20)}),
        )
        .await,
    )
    .await;
    let id = cohort["id"].as_str().unwrap().to_string();
    let booking = json!({"reference": "FT-1", "gang_affiliations": ["Group A"]});
    let url = format!("/api/v1/cohorts/{id}/bookings");
    fits(
        &doc,
        "POST",
        "/api/v1/cohorts/{id}/bookings",
        app.post_json(c, &url, &booking).await,
    )
    .await;
    fits(
        &doc,
        "POST",
        "/api/v1/cohorts/{id}/bookings",
        app.post_json(c, &url, &booking).await,
    )
    .await;
    fits(
        &doc,
        "GET",
        "/api/v1/cohorts/{id}",
        app.get(c, &format!("/api/v1/cohorts/{id}")).await,
    )
    .await;
    fits(
        &doc,
        "POST",
        "/api/v1/provision/{id}/waiting-list",
        app.post_json(
            c,
            "/api/v1/provision/fit-kcp/waiting-list",
            &json!({"reference": "FT-2"}),
        )
        .await,
    )
    .await;
    fits(
        &doc,
        "GET",
        "/api/v1/provision/{id}/waiting-list",
        app.get(&app.manager, "/api/v1/provision/fit-kcp/waiting-list")
            .await,
    )
    .await;
    fits(
        &doc,
        "POST",
        "/api/v1/provision/{id}/cohorts/sync",
        app.post_json(c, "/api/v1/provision/fit-kcp/cohorts/sync", &json!({}))
            .await,
    )
    .await;

    let problem: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::helpers::repo_path(
            "catalogue/demo/example-problem.json",
        ))
        .unwrap(),
    )
    .unwrap();
    fits(
        &doc,
        "POST",
        "/api/v1/plans/preview",
        app.post_json(c, "/api/v1/plans/preview", &problem).await,
    )
    .await;
    let mut bad = problem.clone();
    bad["young_person"]["needs"][0]["level"] = json!("enormous");
    fits(
        &doc,
        "POST",
        "/api/v1/plans/preview",
        app.post_json(c, "/api/v1/plans/preview", &bad).await,
    )
    .await;
    let mut caseload: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::helpers::repo_path(
            "catalogue/demo/caseload-demo-a.json",
        ))
        .unwrap(),
    )
    .unwrap();
    caseload["cases"].as_array_mut().unwrap().truncate(3);
    fits(
        &doc,
        "POST",
        "/api/v1/allocations/preview",
        app.post_json(c, "/api/v1/allocations/preview", &caseload)
            .await,
    )
    .await;
}
