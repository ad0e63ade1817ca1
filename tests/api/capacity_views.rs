//! Sync from provision, waiting lists, facilitators, and the coordinator views.

use serde_json::{Value, json};

use crate::capacity::{book, get_json, in_days, provision};
use crate::helpers::TestApp;
use crate::on_each_backend;

async fn sync_is_idempotent_and_books_participants(app: TestApp) {
    // demo-a's knife-crime programme lists four participants in its first cohort.
    let path = "/api/v1/provision/kcp-2027/cohorts/sync";
    let first: Value = app
        .post_json(&app.coordinator, path, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = first["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["kcp-2027-20270111", "kcp-2027-20270419"]);
    assert_eq!(first["participants_booked"], 4);
    assert_eq!(first["created"][0]["filled"], 4);
    assert_eq!(first["created"][0]["places"], 6);
    assert_eq!(first["created"][0]["area"], "Holloway");
    let again: Value = app
        .post_json(&app.coordinator, path, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["created"], json!([]));
    assert_eq!(
        again["existing"],
        json!(["kcp-2027-20270111", "kcp-2027-20270419"])
    );
    let response = app.post_json(&app.manager, path, &json!({})).await;
    assert_eq!(response.status(), 403);
    let list = get_json(
        &app,
        &app.case_manager,
        "/api/v1/cohorts?provision=kcp-2027",
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}
on_each_backend!(
    capacity_sync_creates_cohorts_once,
    sync_is_idempotent_and_books_participants
);

async fn waiting_list_positions(app: TestApp) {
    let (d1, d2) = (in_days(21), in_days(35));
    provision(&app, "wl-kcp", "knife-crime-programme", &[d1, d2], 2).await;
    app.post_json(
        &app.coordinator,
        "/api/v1/provision/wl-kcp/cohorts/sync",
        &json!({}),
    )
    .await;
    let (c1, c2) = (
        format!("wl-kcp-{}", d1.format("%Y%m%d")),
        format!("wl-kcp-{}", d2.format("%Y%m%d")),
    );
    assert_eq!(
        book(&app, &app.coordinator, &c1, "WL-0", &[])
            .await
            .status(),
        201
    );
    let path = "/api/v1/provision/wl-kcp/waiting-list";
    let mut entry_ids = Vec::new();
    for (k, reference) in ["WL-1", "WL-2", "WL-3", "WL-4"].iter().enumerate() {
        let response = app
            .post_json(&app.coordinator, path, &json!({"reference": reference}))
            .await;
        assert_eq!(response.status(), 201);
        let entry: Value = response.json().await.unwrap();
        assert_eq!(entry["position"], k + 1);
        assert_eq!(entry["reference"], *reference);
        entry_ids.push(entry["id"].as_i64().expect("an entry's id"));
    }
    let response = app
        .post_json(&app.coordinator, path, &json!({"reference": "WL-2"}))
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        app.post_json(&app.manager, path, &json!({"reference": "WL-5"}))
            .await
            .status(),
        403
    );
    // Free places in start order: one in c1, two in c2; the fourth in line has none.
    let list = get_json(&app, &app.coordinator, path).await;
    let view: Vec<(i64, &str, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["position"].as_i64().unwrap(),
                e["reference"].as_str().unwrap(),
                e["next_cohort"].clone(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (1, "WL-1", json!(c1)),
            (2, "WL-2", json!(c2)),
            (3, "WL-3", json!(c2)),
            (4, "WL-4", Value::Null)
        ]
    );
    assert_eq!(list[0]["next_start"], json!(d1));
    assert!(list[3]["next_start"].is_null());
    let listed: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, entry_ids, "the list shows each entry's id");
    // Removing one (addressed by its entry id, never the child's reference) moves the rest up;
    // booking one takes them off the list.
    let remove = |token: &str, entry: String| {
        app.client
            .delete(app.url(&format!("{path}/{entry}")))
            .bearer_auth(token)
            .send()
    };
    let wl2 = entry_ids[1].to_string();
    assert_eq!(
        remove(&app.coordinator, "WL-2".into())
            .await
            .unwrap()
            .status(),
        404,
        "a case reference is not an address"
    );
    assert_eq!(
        remove(&app.manager, wl2.clone()).await.unwrap().status(),
        403
    );
    assert_eq!(
        remove(&app.other_team_coordinator, wl2.clone())
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client
            .delete(app.url(&format!("/api/v1/provision/kcp-2027/waiting-list/{wl2}")))
            .bearer_auth(&app.coordinator)
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "an entry of another provision"
    );
    assert_eq!(
        remove(&app.coordinator, wl2.clone())
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        remove(&app.coordinator, wl2.clone())
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        book(&app, &app.coordinator, &c1, "WL-1", &[])
            .await
            .status(),
        201
    );
    let list = get_json(&app, &app.coordinator, path).await;
    let view: Vec<(i64, &str, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["position"].as_i64().unwrap(),
                e["reference"].as_str().unwrap(),
                e["next_cohort"].clone(),
            )
        })
        .collect();
    assert_eq!(view, [(1, "WL-3", json!(c2)), (2, "WL-4", json!(c2))]);
    // Managers see positions, not children; other teams see nothing.
    let seen = get_json(&app, &app.manager, path).await;
    assert!(seen[0].get("reference").is_none(), "{seen}");
    assert_eq!(seen[0]["id"], entry_ids[2]);
    assert_eq!(
        app.get(&app.other_team_coordinator, path).await.status(),
        404
    );
    let response = app
        .post_json(
            &app.other_team_coordinator,
            path,
            &json!({"reference": "WL-9"}),
        )
        .await;
    assert_eq!(response.status(), 404);
}
on_each_backend!(
    capacity_waiting_list_positions_and_next_places,
    waiting_list_positions
);

async fn facilitator(app: &TestApp, intervention: &str, trained_days: i64) -> String {
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/facilitators",
            &json!({"name": "Sam Facilitator", "intervention": intervention, "trained_on": in_days(trained_days)}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn reasons(at_risk: &Value, cohort: &str) -> Vec<String> {
    at_risk["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cohort"] == cohort)
        .flat_map(|c| {
            c["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_string())
        })
        .collect()
}

async fn at_risk_and_utilisation(app: TestApp) {
    let start = in_days(10);
    provision(&app, "risk-kcp", "knife-crime-programme", &[start], 6).await;
    app.post_json(
        &app.coordinator,
        "/api/v1/provision/risk-kcp/cohorts/sync",
        &json!({}),
    )
    .await;
    let id = format!("risk-kcp-{}", start.format("%Y%m%d"));
    let view = "/api/v1/capacity/at-risk";
    let risk = get_json(&app, &app.manager, view).await;
    assert_eq!(
        reasons(&risk, &id),
        ["under_filled", "no_trained_facilitator"]
    );

    // Facilitators: trained too late, or in something else, do not count.
    let late = facilitator(&app, "knife-crime-programme", 20).await;
    let other = facilitator(&app, "motivational-work", -100).await;
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/facilitators",
            &json!({"name": "X", "intervention": "nope", "trained_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "intervention"
    );
    let put = |facilitators: Vec<String>| {
        let app = &app;
        let path = format!("/api/v1/cohorts/{id}");
        async move {
            let response = app.get(&app.coordinator, &path).await;
            let etag = response.headers()["etag"].to_str().unwrap().to_string();
            app.client
                .put(app.url(&path))
                .bearer_auth(&app.coordinator)
                .header("If-Match", etag)
                .json(&json!({"start": start, "places": 6, "facilitators": facilitators}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(put(vec![late.clone(), other.clone()]).await.status(), 200);
    let risk = get_json(&app, &app.coordinator, view).await;
    assert_eq!(
        reasons(&risk, &id),
        ["under_filled", "no_trained_facilitator"]
    );
    let detail = risk["cohorts"][0]["reasons"][1]["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("none of the 2"), "{detail}");
    let response = put(vec!["no-such-person".into()]).await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "facilitators[0]"
    );
    let trained = facilitator(&app, "knife-crime-programme", -30).await;
    assert_eq!(put(vec![late, trained.clone()]).await.status(), 200);
    let list = get_json(
        &app,
        &app.case_manager,
        "/api/v1/facilitators?intervention=knife-crime-programme",
    )
    .await;
    // The two made here, beside the demo's own facilitators of the programme.
    let mine: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["name"].as_str().unwrap().starts_with("Demo facilitator"))
        .collect();
    assert_eq!(mine.len(), 2, "{list}");
    let risk = get_json(&app, &app.coordinator, view).await;
    assert_eq!(reasons(&risk, &id), ["under_filled"]);

    // Three booked of six: no longer under-filled. Four waiting for three places: oversubscribed.
    for k in 0..3 {
        assert_eq!(
            book(&app, &app.coordinator, &id, &format!("AR-{k}"), &[])
                .await
                .status(),
            201
        );
    }
    for k in 0..4 {
        let response = app
            .post_json(
                &app.coordinator,
                "/api/v1/provision/risk-kcp/waiting-list",
                &json!({"reference": format!("AW-{k}")}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let risk = get_json(&app, &app.coordinator, view).await;
    assert_eq!(reasons(&risk, &id), ["oversubscribed"]);
    // Judged as on a day after the start, the cohort is out of the window.
    let later = get_json(
        &app,
        &app.coordinator,
        &format!("{view}?from={}", in_days(11)),
    )
    .await;
    assert!(reasons(&later, &id).is_empty());

    let use_ = get_json(&app, &app.manager, "/api/v1/capacity/utilisation?weeks=4").await;
    let p = use_["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provision"] == "risk-kcp")
        .unwrap()
        .clone();
    assert_eq!(
        (
            p["places"].as_i64(),
            p["filled"].as_i64(),
            p["free"].as_i64(),
            p["waiting"].as_i64()
        ),
        (Some(6), Some(3), Some(3), Some(4))
    );
    assert_eq!(p["cohorts"][0]["cohort"], id.as_str());
    let short = get_json(&app, &app.manager, "/api/v1/capacity/utilisation?weeks=1").await;
    let p = short["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provision"] == "risk-kcp")
        .unwrap()
        .clone();
    assert_eq!(
        p["cohorts"],
        json!([]),
        "a cohort starting after the window is left out"
    );
    for (query, field) in [
        ("weeks=0", "weeks"),
        ("weeks=x", "weeks"),
        ("from=2027-13-01", "from"),
    ] {
        let response = app
            .get(
                &app.manager,
                &format!("/api/v1/capacity/utilisation?{query}"),
            )
            .await;
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"]["field"],
            field
        );
    }
    // demo-b sees none of it.
    let theirs = get_json(&app, &app.other_team_coordinator, view).await;
    assert!(reasons(&theirs, &id).is_empty());
    let facilitators = get_json(&app, &app.other_team_coordinator, "/api/v1/facilitators").await;
    // Only demo-b's own (the demo's), none of those made here for demo-a.
    assert!(
        facilitators
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"].as_str().unwrap().starts_with("Demo facilitator")),
        "{facilitators}"
    );
}
on_each_backend!(
    capacity_at_risk_reasons_and_utilisation,
    at_risk_and_utilisation
);
