//! No failure from input, bounded work, least data, and the shape of every answer.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::capacity::{book, cohort, in_days, provision};
use crate::helpers::{TestApp, repo_path};
use crate::on_each_backend;

/// Every error is the JSON shape, and every answer carries the security headers.
fn assert_hardened(response: &reqwest::Response) {
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    if response.status().as_u16() >= 400 {
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{} answered {:?}",
            response.status(),
            headers.get("content-type")
        );
    }
}

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    assert_hardened(&response);
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON error body"))
}

async fn framework_errors_are_json(app: TestApp) {
    // An address with no route, a method a route does not have, a query that does not parse.
    let (status, body) = error_of(app.get(&app.coordinator, "/api/v1/nothing-here").await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let response = app
        .client
        .patch(app.url("/api/v1/provision"))
        .bearer_auth(&app.coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    error_of(response).await;
    let (status, body) = error_of(
        app.get(&app.coordinator, "/api/v1/interventions?age=%3Cscript%3E")
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(!body.to_string().contains("script"), "{body}");
    // A body over the route's limit: 413, in the JSON shape.
    let huge = json!({"id": "x".repeat(300 * 1024)});
    let (status, body) = error_of(
        app.post_json(&app.coordinator, "/api/v1/provision", &huge)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("too_large"))
    );
    // Successful answers carry the headers too.
    assert_hardened(&app.get(&app.coordinator, "/api/v1/needs").await);
    assert_hardened(&app.get("", "/health/live").await);
}

on_each_backend!(
    framework_errors_are_json_with_security_headers,
    framework_errors_are_json
);

async fn extreme_values_are_refused(app: TestApp) {
    let (status, body) = error_of(
        app.get(
            &app.manager,
            "/api/v1/capacity/utilisation?from=%2B262142-12-31",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("from"))
    );

    let mut record = json!({"id": "far-kcp", "intervention": "knife-crime-programme",
        "provider": "YOS", "area": "Holloway", "places": 8, "starts": ["+262142-12-27"]});
    let (status, body) = error_of(
        app.post_json(&app.coordinator, "/api/v1/provision", &record)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("starts")),
        "{body}"
    );

    record["starts"] = json!([in_days(30)]);
    for (field, value, expected) in [
        ("provider", json!("nul\u{0}byte"), "provider"),
        ("area", json!("evil\u{202E}txt"), "area"),
        ("area", json!("<script>alert(1)</script>"), "area"),
        ("provider", json!("x".repeat(30_000)), "provider"),
        ("places", json!(i64::MAX), "places"),
    ] {
        let mut bad = record.clone();
        bad[field] = value;
        let (status, body) = error_of(
            app.post_json(&app.coordinator, "/api/v1/provision", &bad)
                .await,
        )
        .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (422, Some(expected)),
            "{body}"
        );
    }
    // Nothing was stored by the refusals.
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/provision/far-kcp")
            .await
            .status(),
        404
    );
    let mut entry = crate::catalogue::new_entry("long-programme");
    entry["sessions"] = json!(i64::MAX);
    let (status, body) = error_of(
        app.post_json(&app.coordinator, "/api/v1/interventions", &entry)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("sessions"))
    );
}

on_each_backend!(
    extreme_values_are_refused_naming_the_field,
    extreme_values_are_refused
);

/// Stored data can never make planning fail: cohorts stay on their provision's starts, and a
/// start with bookings cannot be removed.
async fn cohorts_stay_on_their_starts(app: TestApp) {
    let (first, second) = (in_days(20), in_days(34));
    provision(
        &app,
        "held-kcp",
        "knife-crime-programme",
        &[first, second],
        6,
    )
    .await;
    let (status, body) = error_of(
        app.post_json(
            &app.coordinator,
            "/api/v1/cohorts",
            &json!({"provision": "held-kcp", "start": in_days(21)}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("start"))
    );

    let booked = cohort(&app, "held-kcp", first, 6).await;
    let empty = cohort(&app, "held-kcp", second, 6).await;
    assert_eq!(
        book(&app, &app.coordinator, &booked, "HK-1", &[])
            .await
            .status(),
        201
    );
    app.assert_occupancy_consistent().await;

    let read = app
        .get(&app.coordinator, "/api/v1/provision/held-kcp")
        .await;
    let tag = read.headers()["etag"].to_str().unwrap().to_string();
    let mut record: Value = read.json().await.unwrap();
    record
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k != "version" && k != "updated_at");
    // Removing the booked start: 409, and nothing changes.
    record["starts"] = json!([second]);
    let (status, _) = error_of(
        app.put_json(
            &app.coordinator,
            "/api/v1/provision/held-kcp",
            Some(&tag),
            &record,
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    // Removing the empty one is fine, and its cohort goes with it.
    record["starts"] = json!([first]);
    let response = app
        .put_json(
            &app.coordinator,
            "/api/v1/provision/held-kcp",
            Some(&tag),
            &record,
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    assert_eq!(
        app.get(&app.coordinator, &format!("/api/v1/cohorts/{empty}"))
            .await
            .status(),
        404
    );
    app.assert_occupancy_consistent().await;
    // A delete must say which version it is based on, and the provision has cohorts.
    let (status, _) = error_of(
        app.delete(&app.coordinator, "/api/v1/provision/held-kcp", None)
            .await,
    )
    .await;
    assert_eq!(status, 428);

    // Every plan on the team's stored provision still answers.
    let problem: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path("catalogue/demo/example-problem.json")).unwrap(),
    )
    .unwrap();
    let mut stored = problem.clone();
    let object = stored.as_object_mut().unwrap();
    object.remove("catalogue");
    object.remove("provision");
    let response = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &stored)
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

on_each_backend!(
    cohorts_stay_on_their_provision_starts,
    cohorts_stay_on_their_starts
);

async fn empty_caseloads_allocate_to_nothing(app: TestApp) {
    let caseload = json!({"as_of": "2026-12-01", "cases": []});
    let response = app
        .post_json(&app.coordinator, "/api/v1/allocations/preview", &caseload)
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["plans"], json!([]));
}

on_each_backend!(
    an_empty_caseload_is_an_empty_allocation,
    empty_caseloads_allocate_to_nothing
);

/// Managers see aggregates: no child's reference through provision records.
async fn managers_see_no_participants(app: TestApp) {
    let record = json!({"id": "named-kcp", "intervention": "knife-crime-programme",
        "provider": "YOS", "area": "Holloway", "places": 8, "starts": [in_days(30)],
        "participants": [{"reference": "NP-0001", "gang_affiliations": ["Group A"]}]});
    let response = app
        .post_json(&app.coordinator, "/api/v1/provision", &record)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    for path in ["/api/v1/provision", "/api/v1/provision/named-kcp"] {
        let text = app.get(&app.manager, path).await.text().await.unwrap();
        assert!(!text.contains("NP-0001"), "{path}: {text}");
        let text = app.get(&app.coordinator, path).await.text().await.unwrap();
        assert!(text.contains("NP-0001"), "{path}");
    }
    // The coordinators' reads were audited; the managers' returned no child.
    let audited = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT action FROM audit_events WHERE action = 'provision.participants.read'",
        ))
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
}

on_each_backend!(
    managers_read_no_child_references_in_provision,
    managers_see_no_participants
);

/// Solves beyond the slots are answered 503 with `Retry-After` at once, not queued.
async fn solves_beyond_the_slots_are_refused(app: TestApp) {
    let caseload: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path("catalogue/demo/caseload-demo-a.json")).unwrap(),
    )
    .unwrap();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(
                app.client
                    .post(app.url("/api/v1/allocations/preview"))
                    .bearer_auth(&app.coordinator)
                    .json(&caseload)
                    .send(),
            )
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap());
    }
    let statuses: Vec<u16> = answers
        .iter()
        .map(|r| r.as_ref().unwrap().status().as_u16())
        .collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(statuses.contains(&503), "{statuses:?}");
    for answer in answers {
        let answer = answer.unwrap();
        if answer.status() == 503 {
            assert_eq!(answer.headers()["retry-after"], "5");
            let body: Value = answer.json().await.unwrap();
            assert_eq!(body["error"]["code"], "busy");
        }
    }
}

async fn one_large_slot(backend: crate::helpers::Backend) {
    let limits = intervention_planner::configuration::SolverLimits {
        large_slots: 1,
        ..Default::default()
    };
    let app = TestApp::builder(backend).solver(limits).spawn().await;
    solves_beyond_the_slots_are_refused(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solves_beyond_the_slots_get_503_at_once() {
    // SQLite only: the slots are the process's, whatever the store.
    one_large_slot(crate::helpers::Backend::Sqlite).await;
}
