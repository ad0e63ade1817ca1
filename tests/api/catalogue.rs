use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_each_backend;

pub fn new_entry(id: &str) -> Value {
    json!({
        "id": id, "name": "Sports mentoring", "category": "mentoring",
        "addresses": ["lifestyle_peers", "motivation"], "offending_focused": true, "format": "one_to_one",
        "sessions": 10, "sessions_per_week": 1, "hours_per_session": 1.5, "min_age": 10, "max_age": 17,
        "requires": [], "evidence": "research_supported",
        "description": "Weekly one-to-one mentoring through sport.",
        "evidence_source": "Youth Endowment Fund toolkit: mentoring",
        "provider_type": "voluntary", "facilitator_training_required": true,
        "order_requirements": ["yro_activity", "referral_order_contract"],
        "referral": {"how": "Referral form", "to": "Mentoring coordinator", "criteria": "Aged 10-17", "usual_wait_days": 7}
    })
}

async fn ids(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app
        .get(&app.coordinator, &format!("/api/v1/interventions{query}"))
        .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

async fn search_filters(app: TestApp) {
    let found = ids(&app, "?need=weapon_carrying").await;
    let names: Vec<&str> = found.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(names.contains(&"knife-crime-programme"), "{names:?}");
    assert!(found.iter().all(|i| {
        i["addresses"]
            .as_array()
            .unwrap()
            .contains(&json!("weapon_carrying"))
    }));

    let found = ids(&app, "?category=knife_crime").await;
    assert!(!found.is_empty() && found.iter().all(|i| i["category"] == "knife_crime"));
    let found = ids(&app, "?evidence=research_supported").await;
    assert!(!found.is_empty() && found.iter().all(|i| i["evidence"] == "research_supported"));
    let found = ids(&app, "?format=group").await;
    assert!(!found.is_empty() && found.iter().all(|i| i["format"] == "group"));
    let found = ids(&app, "?age=11").await;
    assert!(
        found
            .iter()
            .all(|i| i["min_age"].as_i64().unwrap_or(0) <= 11
                && i["max_age"].as_i64().unwrap_or(99) >= 11)
    );
    assert!(
        found.iter().all(|i| i["id"] != "knife-crime-programme"),
        "knife crime is 12+"
    );
    let found = ids(&app, "?q=KNIFE&need=weapon_carrying").await;
    assert!(found.iter().any(|i| i["id"] == "knife-crime-programme"));
    let all = ids(&app, "").await;
    assert!(all.len() >= 30);

    let response = app
        .get(&app.coordinator, "/api/v1/interventions?evidence=excellent")
        .await;
    assert!(response.status().is_client_error());
}
on_each_backend!(
    search_by_need_category_evidence_age_format_and_text,
    search_filters
);

async fn create_then_stale_update(app: TestApp) {
    let entry = new_entry("sports-mentoring");
    let response = app
        .post_json(&app.coordinator, "/api/v1/interventions", &entry)
        .await;
    assert_eq!(response.status(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(
        app.post_json(&app.coordinator, "/api/v1/interventions", &entry)
            .await
            .status(),
        409
    );

    let response = app
        .get(&app.case_manager, "/api/v1/interventions/sports-mentoring")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);

    let mut changed = entry.clone();
    changed["sessions"] = json!(12);
    let put = |tag: Option<&str>| {
        let mut request = app
            .client
            .put(app.url("/api/v1/interventions/sports-mentoring"))
            .bearer_auth(&app.coordinator)
            .json(&changed);
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_eq!(put(None).await.unwrap().status(), 428);
    let response = put(Some(&etag)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_ne!(response.headers()["etag"].to_str().unwrap(), etag);
    let response = put(Some(&etag)).await.unwrap();
    assert_eq!(response.status(), 412);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "stale");
    let current: Value = app
        .get(&app.coordinator, "/api/v1/interventions/sports-mentoring")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["sessions"], 12);
    assert_eq!(current["version"], 2);
}
on_each_backend!(
    create_then_a_stale_update_gets_412,
    create_then_stale_update
);

async fn bad_input_names_the_field(app: TestApp) {
    for (change, field) in [
        (json!({"sessions": 0}), "sessions"),
        (json!({"addresses": ["no_such_need"]}), "addresses[0]"),
        (json!({"requires": ["no-such-intervention"]}), "requires[0]"),
        (json!({"min_age": 17, "max_age": 12}), "min_age"),
        (json!({"category": "astrology"}), "category"),
    ] {
        let mut entry = new_entry("bad-entry");
        for (k, v) in change.as_object().unwrap() {
            entry[k] = v.clone();
        }
        let response = app
            .post_json(&app.coordinator, "/api/v1/interventions", &entry)
            .await;
        assert_eq!(response.status(), 422, "{change}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let mut entry = new_entry("bad-entry");
    entry["format"] = json!("webinar");
    let body: Value = app
        .post_json(&app.coordinator, "/api/v1/interventions", &entry)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["field"], "format", "{body}");
    // A cycle through an existing entry: motivational-work requiring the knife crime programme.
    let current: Value = app
        .get(&app.coordinator, "/api/v1/interventions/motivational-work")
        .await
        .json()
        .await
        .unwrap();
    let mut cyclic = current.clone();
    cyclic["requires"] = json!(["knife-crime-programme"]);
    let response = app
        .client
        .put(app.url("/api/v1/interventions/motivational-work"))
        .bearer_auth(&app.coordinator)
        .header("If-Match", format!("\"{}\"", current["version"]))
        .json(&cyclic)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "requires", "{body}");
    // Nothing changed.
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/interventions/bad-entry")
            .await
            .status(),
        404
    );
    let after: Value = app
        .get(&app.coordinator, "/api/v1/interventions/motivational-work")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, current);
}
on_each_backend!(
    bad_input_gets_422_naming_the_field,
    bad_input_names_the_field
);

async fn retire_keeps_history(app: TestApp) {
    let response = app
        .get(&app.coordinator, "/api/v1/interventions/anger-management")
        .await;
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let retire = app
        .client
        .post(app.url("/api/v1/interventions/anger-management/retire"))
        .bearer_auth(&app.coordinator)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(retire.status(), 200);
    let body: Value = retire.json().await.unwrap();
    assert_eq!(body["retired"], true);
    let active = ids(&app, "?need=violence").await;
    assert!(active.iter().all(|i| i["id"] != "anger-management"));
    let all = ids(&app, "?need=violence&include_retired=true").await;
    assert!(
        all.iter()
            .any(|i| i["id"] == "anger-management" && i["retired"] == true)
    );
    let history: Vec<Value> = app
        .get(
            &app.coordinator,
            "/api/v1/interventions/anger-management/history",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["retired"], false);
    assert_eq!(history[1]["retired"], true);
    // A retired entry is no longer planned from the team's catalogue.
    let catalogue = intervention_planner::store::catalogue::planning_catalogue(&app.db, "demo-a")
        .await
        .unwrap();
    assert!(catalogue.intervention("anger-management").is_none());
}
on_each_backend!(
    retire_hides_from_planning_and_keeps_history,
    retire_keeps_history
);
