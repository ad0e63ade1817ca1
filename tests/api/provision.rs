use serde_json::json;

use crate::helpers::TestApp;
use crate::on_each_backend;

async fn another_teams_provision_is_404(app: TestApp) {
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/provision/kcp-2027")
            .await
            .status(),
        200
    );
    let response = app
        .get(&app.other_team_coordinator, "/api/v1/provision/kcp-2027")
        .await;
    assert_eq!(response.status(), 404);
    // Nor can they change or delete it.
    let response = app
        .client
        .delete(app.url("/api/v1/provision/kcp-2027"))
        .bearer_auth(&app.other_team_coordinator)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let list: Vec<serde_json::Value> = app
        .get(&app.other_team_coordinator, "/api/v1/provision")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.iter().all(|p| p["id"] != "kcp-2027"));
    // demo-a, as the inspection found, has no gang-exit provision; demo-b does.
    let a: Vec<serde_json::Value> = app
        .get(&app.coordinator, "/api/v1/provision")
        .await
        .json()
        .await
        .unwrap();
    assert!(a.iter().all(|p| p["intervention"] != "gang-exit-mentoring"));
    assert!(
        list.iter()
            .any(|p| p["intervention"] == "gang-exit-mentoring")
    );
}
on_each_backend!(
    a_token_of_demo_b_gets_404_on_demo_a_provision,
    another_teams_provision_is_404
);

async fn provision_crud(app: TestApp) {
    let offer = json!({"id": "anger-upper-street", "intervention": "anger-management", "provider": "YOS",
        "area": "Upper Street", "rolling": true, "places": 3});
    let response = app
        .post_json(&app.coordinator, "/api/v1/provision", &offer)
        .await;
    assert_eq!(response.status(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();

    let bad =
        json!({"id": "bad-one", "intervention": "no-such-thing", "rolling": true, "places": -1});
    let response = app
        .post_json(&app.coordinator, "/api/v1/provision", &bad)
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"intervention") && fields.contains(&"places"),
        "{fields:?}"
    );

    let mut changed = offer.clone();
    changed["places"] = json!(4);
    let put = |tag: Option<String>| {
        let mut request = app
            .client
            .put(app.url("/api/v1/provision/anger-upper-street"))
            .bearer_auth(&app.coordinator)
            .json(&changed);
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    assert_eq!(put(None).await.unwrap().status(), 428);
    let response = put(Some(etag.clone())).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(put(Some(etag.clone())).await.unwrap().status(), 412);
    let current: serde_json::Value = app
        .get(&app.coordinator, "/api/v1/provision/anger-upper-street")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["places"], 4);
    assert_eq!(current["version"], 2);
    let response = app
        .client
        .delete(app.url("/api/v1/provision/anger-upper-street"))
        .bearer_auth(&app.coordinator)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/provision/anger-upper-street")
            .await
            .status(),
        404
    );
}
on_each_backend!(provision_create_update_delete_with_versions, provision_crud);

async fn delete(app: &TestApp, id: &str) -> reqwest::Response {
    let etag = app
        .get(&app.coordinator, &format!("/api/v1/provision/{id}"))
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    app.client
        .delete(app.url(&format!("/api/v1/provision/{id}")))
        .bearer_auth(&app.coordinator)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap()
}

async fn assert_conflict(response: reqwest::Response, mentions: &str) {
    assert_eq!(response.status(), 409);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conflict");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(mentions), "{message}");
    assert!(!message.contains("DEL-"), "names no child: {message}");
}

async fn provision_in_use_is_409(app: TestApp) {
    // A waiting list keeps a provision: 409, not a foreign-key failure (500).
    let offer = json!({"id": "del-waiting", "intervention": "anger-management", "provider": "YOS",
        "area": "Upper Street", "rolling": true, "places": 2});
    let response = app
        .post_json(&app.coordinator, "/api/v1/provision", &offer)
        .await;
    assert_eq!(response.status(), 201);
    let path = "/api/v1/provision/del-waiting/waiting-list";
    let response = app
        .post_json(&app.coordinator, path, &json!({"reference": "DEL-1"}))
        .await;
    assert_eq!(response.status(), 201);
    let entry: serde_json::Value = response.json().await.unwrap();
    assert_conflict(delete(&app, "del-waiting").await, "waiting list").await;
    // Nothing changed: the provision and its list are still there.
    let list: Vec<serde_json::Value> = app.get(&app.coordinator, path).await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    let response = app
        .client
        .delete(app.url(&format!("{path}/{}", entry["id"])))
        .bearer_auth(&app.coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(delete(&app, "del-waiting").await.status(), 204);

    // So do cohorts (and their bookings).
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/provision/kcp-2027/cohorts/sync",
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_conflict(delete(&app, "kcp-2027").await, "cohort").await;
    assert_eq!(
        app.get(&app.coordinator, "/api/v1/provision/kcp-2027")
            .await
            .status(),
        200
    );
    // A stale If-Match is still 412, whatever the dependants.
    let response = app
        .client
        .delete(app.url("/api/v1/provision/kcp-2027"))
        .bearer_auth(&app.coordinator)
        .header("If-Match", "\"999\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 412);
}
on_each_backend!(
    deleting_a_provision_with_cohorts_or_a_waiting_list_is_409,
    provision_in_use_is_409
);
