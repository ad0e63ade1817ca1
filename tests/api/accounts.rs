use crate::helpers::TestApp;
use crate::on_each_backend;

async fn missing_or_revoked_token_is_401(app: TestApp) {
    let response = app
        .client
        .get(app.url("/api/v1/needs"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "{:?}", app.backend);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");

    assert_eq!(
        app.get("ipt_not-a-real-token", "/api/v1/needs")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/needs").await.status(),
        200
    );
    intervention_planner::store::accounts::revoke_token(&app.db, &app.coordinator)
        .await
        .unwrap();
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/needs").await.status(),
        401
    );
}
on_each_backend!(
    missing_or_revoked_token_gets_401,
    missing_or_revoked_token_is_401
);

async fn role_not_allowed_is_403(app: TestApp) {
    let entry = crate::catalogue::new_entry("mentoring-plus");
    let response = app
        .post_json(&app.manager, "/api/v1/interventions", &entry)
        .await;
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    let response = app
        .post_json(&app.case_manager, "/api/v1/interventions", &entry)
        .await;
    assert_eq!(response.status(), 403);
    // Nothing was created by the refused calls; an admin may.
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/interventions/mentoring-plus")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.post_json(&app.admin, "/api/v1/interventions", &entry)
            .await
            .status(),
        201
    );
}
on_each_backend!(a_role_not_allowed_gets_403, role_not_allowed_is_403);

async fn health_and_openapi(app: TestApp) {
    assert_eq!(
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let anonymous = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let doc: serde_json::Value = app
        .get(&app.case_manager, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for route in [
        "/health/live",
        "/health/ready",
        "/api/v1/needs",
        "/api/v1/interventions",
        "/api/v1/interventions/{id}",
        "/api/v1/interventions/{id}/history",
        "/api/v1/interventions/{id}/retire",
        "/api/v1/provision",
        "/api/v1/provision/{id}",
        "/api/v1/plans/preview",
        "/api/v1/allocations/preview",
        "/api/v1/cohorts",
        "/api/v1/cohorts/{id}",
        "/api/v1/cohorts/{id}/bookings",
        "/api/v1/cohorts/{id}/bookings/{booking_id}",
        "/api/v1/bookings/move",
        "/api/v1/provision/{id}/cohorts/sync",
        "/api/v1/provision/{id}/waiting-list",
        "/api/v1/provision/{id}/waiting-list/{entry_id}",
        "/api/v1/facilitators",
        "/api/v1/rivalries",
        "/api/v1/capacity/utilisation",
        "/api/v1/capacity/at-risk",
        "/api/v1/openapi.json",
        "/api/v1/settings/planner",
    ] {
        assert!(
            paths.contains(&route),
            "{route} missing from the OpenAPI document"
        );
    }
    assert_eq!(doc["info"]["title"], "intervention-planner");
    // No route takes a child's case reference in its path or query string (where it would end
    // up in access logs, proxies and browser history): references travel in bodies only.
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(
            !path.contains("reference") && !path.contains("child"),
            "{path} addresses a child by reference"
        );
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase();
                assert!(
                    !(name.contains("reference") || name.contains("child"))
                        || parameter["in"] == "header",
                    "{method} {path} takes {name} in its {}",
                    parameter["in"]
                );
            }
        }
    }
}
on_each_backend!(health_and_openapi_cover_every_route, health_and_openapi);

async fn planner_settings_per_team(app: TestApp) {
    let mut settings: serde_json::Value = app
        .get(&app.coordinator, "/api/v1/settings/planner")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["intensity"]["enhanced"]["max_hours_per_week"], 6.0);
    settings["intensity"]["enhanced"]["max_hours_per_week"] = serde_json::json!(0);
    let put = |token: &str, body: &serde_json::Value| {
        app.client
            .put(app.url("/api/v1/settings/planner"))
            .bearer_auth(token)
            .json(body)
            .send()
    };
    let response = put(&app.admin, &settings).await.unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["error"]["field"],
        "intensity.enhanced.max_hours_per_week"
    );
    settings["intensity"]["enhanced"]["max_hours_per_week"] = serde_json::json!(1.5);
    assert_eq!(
        put(&app.coordinator, &settings).await.unwrap().status(),
        403
    );
    assert_eq!(put(&app.admin, &settings).await.unwrap().status(), 200);
    // A young person at the enhanced level with no limit of their own now gets the team's 1.5
    // hours: the knife-crime programme (2 hours a week) cannot be planned.
    let problem = serde_json::json!({
        "as_of": "2026-12-07",
        "young_person": {"reference": "A-0998", "date_of_birth": "2010-05-01", "gender": "male",
            "needs": [{"need": "weapon_carrying", "level": "high"}],
            "likelihood_of_reoffending": "medium", "risk_of_serious_harm": "medium", "safety_and_wellbeing": "low"},
        "order": {"type": "referral_order", "start": "2026-12-07", "end": "2027-12-06"}
    });
    let plan: serde_json::Value = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &problem)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["intervention"] != "knife-crime-programme"),
        "{plan}"
    );
    // demo-b keeps its own settings.
    let other: serde_json::Value = app
        .get(&app.other_team_coordinator, "/api/v1/settings/planner")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["intensity"]["enhanced"]["max_hours_per_week"], 6.0);
}
on_each_backend!(planner_settings_belong_to_a_team, planner_settings_per_team);

async fn every_response_carries_a_request_id(app: TestApp) {
    let responses = [
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .unwrap(),
        app.get(&app.coordinator, "/api/v1/needs").await,
        app.client
            .get(app.url("/api/v1/needs"))
            .send()
            .await
            .unwrap(),
        app.get(&app.coordinator, "/api/v1/cohorts/no-such-cohort")
            .await,
        app.get(&app.coordinator, "/no/such/route?reference=YP-1")
            .await,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for response in responses {
        let status = response.status();
        let id = response
            .headers()
            .get("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id on a {status} response"))
            .to_str()
            .unwrap()
            .to_string();
        let parsed = uuid::Uuid::parse_str(&id).expect("X-Request-Id is a UUID");
        assert_eq!(parsed.get_version_num(), 4, "{id}");
        assert!(seen.insert(id), "request ids are unique per request");
    }
}
on_each_backend!(
    every_response_carries_an_x_request_id,
    every_response_carries_a_request_id
);
