//! Cohorts and bookings: never over-filled under concurrency, idempotent retries, cancel, move,
//! rival groups, tenancy, roles, ETags.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use intervention_planner::store::capacity_entities::{bookings, cohorts};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_each_backend;

pub fn in_days(days: i64) -> NaiveDate {
    chrono::Utc::now().date_naive() + Duration::days(days)
}

/// A fixed-start provision of `intervention` with the given starts and places.
pub async fn provision(
    app: &TestApp,
    id: &str,
    intervention: &str,
    starts: &[NaiveDate],
    places: i64,
) {
    let mut body = json!({"id": id, "intervention": intervention, "provider": "YOS",
        "area": "Holloway", "places": places});
    if starts.is_empty() {
        body["rolling"] = json!(true);
    } else {
        body["starts"] = json!(starts);
    }
    let response = app
        .post_json(&app.coordinator, "/api/v1/provision", &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

pub async fn cohort(app: &TestApp, provision: &str, start: NaiveDate, places: i64) -> String {
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/cohorts",
            &json!({"provision": provision, "start": start, "places": places}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_string()
}

pub async fn book(
    app: &TestApp,
    token: &str,
    cohort: &str,
    reference: &str,
    groups: &[&str],
) -> reqwest::Response {
    app.post_json(
        token,
        &format!("/api/v1/cohorts/{cohort}/bookings"),
        &json!({"reference": reference, "gang_affiliations": groups}),
    )
    .await
}

pub async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn filled_of(app: &TestApp, cohort: &str) -> Option<i64> {
    get_json(app, &app.coordinator, &format!("/api/v1/cohorts/{cohort}")).await["filled"].as_i64()
}

/// Every cohort's `filled` equals its number of bookings, and never passes its places.
async fn assert_filled_matches_bookings(app: &TestApp) {
    let mut counted: BTreeMap<(String, String), i64> = BTreeMap::new();
    for b in bookings::Entity::find().all(&app.db).await.unwrap() {
        *counted.entry((b.team_id, b.cohort_id)).or_default() += 1;
    }
    for c in cohorts::Entity::find().all(&app.db).await.unwrap() {
        let n = counted
            .get(&(c.team_id.clone(), c.id.clone()))
            .copied()
            .unwrap_or(0);
        assert_eq!(
            c.filled, n,
            "cohort {} filled {} but {n} bookings",
            c.id, c.filled
        );
        assert!(c.filled <= c.places, "cohort {} over-filled", c.id);
    }
}

async fn concurrent_bookings_never_overfill(app: TestApp) {
    let started = Instant::now();
    provision(
        &app,
        "race-kcp",
        "knife-crime-programme",
        &(0..20)
            .map(|round| in_days(30 + 7 * round))
            .collect::<Vec<_>>(),
        10,
    )
    .await;
    for round in 0..20 {
        let id = cohort(&app, "race-kcp", in_days(30 + 7 * round), 10).await;
        let url = app.url(&format!("/api/v1/cohorts/{id}/bookings"));
        let tasks: Vec<_> = (0..50)
            .map(|k| {
                let (client, url, token) =
                    (app.client.clone(), url.clone(), app.coordinator.clone());
                tokio::spawn(async move {
                    client
                        .post(url)
                        .bearer_auth(token)
                        .json(&json!({"reference": format!("R{round}-{k}")}))
                        .send()
                        .await
                        .expect("request")
                        .status()
                        .as_u16()
                })
            })
            .collect();
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        for task in tasks {
            *statuses.entry(task.await.unwrap()).or_default() += 1;
        }
        assert_eq!(
            statuses,
            BTreeMap::from([(201, 10), (409, 40)]),
            "round {round}"
        );
        let c = get_json(&app, &app.coordinator, &format!("/api/v1/cohorts/{id}")).await;
        assert_eq!(
            (c["filled"].as_i64(), c["free"].as_i64()),
            (Some(10), Some(0))
        );
        assert_eq!(c["bookings"].as_array().unwrap().len(), 10);
    }
    assert_filled_matches_bookings(&app).await;
    eprintln!(
        "{:?}: 20 rounds of 50 concurrent bookings in {:.1?}",
        app.backend,
        started.elapsed()
    );
}
on_each_backend!(
    capacity_fifty_concurrent_bookings_fill_exactly_ten_places,
    concurrent_bookings_never_overfill
);

async fn idempotency_key_books_once(app: TestApp) {
    provision(&app, "idem-kcp", "knife-crime-programme", &[in_days(60)], 5).await;
    let id = cohort(&app, "idem-kcp", in_days(60), 5).await;
    let url = app.url(&format!("/api/v1/cohorts/{id}/bookings"));
    let body = json!({"reference": "IDEM-1", "gang_affiliations": []});
    let send = |key: &'static str, body: Value| {
        let (client, url, token) = (app.client.clone(), url.clone(), app.coordinator.clone());
        async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| tokio::spawn(send("key-1", body.clone())))
        .collect();
    let mut created = Vec::new();
    for task in tasks {
        let (status, text) = task.await.unwrap();
        match status {
            201 => created.push(text),
            409 => assert!(text.contains("still being processed"), "{text}"),
            other => panic!("unexpected {other}: {text}"),
        }
    }
    assert!(!created.is_empty());
    let first = created[0].clone();
    assert!(created.iter().all(|t| *t == first), "{created:?}");
    for _ in 0..20 {
        assert_eq!(send("key-1", body.clone()).await, (201, first.clone()));
    }
    let c = get_json(&app, &app.coordinator, &format!("/api/v1/cohorts/{id}")).await;
    assert_eq!(c["filled"], 1);
    assert_eq!(c["bookings"][0]["reference"], "IDEM-1");
    // The same key with another request is refused, naming the header.
    let (status, text) = send("key-1", json!({"reference": "IDEM-2"})).await;
    assert_eq!(status, 422, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["field"], "Idempotency-Key");
    // A refusal is replayed too: a duplicate booking under a new key is 409, then 409 again.
    assert_eq!(send("key-2", body.clone()).await.0, 409);
    assert_eq!(send("key-2", body.clone()).await.0, 409);
    // Keys belong to a user: another coordinator's "key-1" is a new request.
    let response = app
        .client
        .post(url.clone())
        .bearer_auth(&app.admin)
        .header("Idempotency-Key", "key-1")
        .json(&json!({"reference": "IDEM-3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_filled_matches_bookings(&app).await;
}
on_each_backend!(
    capacity_idempotency_key_books_once_and_replays,
    idempotency_key_books_once
);

async fn cancel_and_move(app: TestApp) {
    let (d1, d2) = (in_days(40), in_days(47));
    provision(&app, "move-kcp", "knife-crime-programme", &[d1, d2], 1).await;
    let sync: Value = app
        .post_json(
            &app.coordinator,
            "/api/v1/provision/move-kcp/cohorts/sync",
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let a = sync["created"][0]["id"].as_str().unwrap().to_string();
    let b = sync["created"][1]["id"].as_str().unwrap().to_string();
    assert!(a < b);

    let response = book(&app, &app.coordinator, &a, "MV-1", &[]).await;
    assert_eq!(response.status(), 201);
    let booking: Value = response.json().await.unwrap();
    let booking_id = booking["id"].as_str().unwrap().to_string();
    uuid::Uuid::parse_str(&booking_id).expect("a booking's id is a UUID");
    assert_eq!(
        book(&app, &app.coordinator, &a, "MV-2", &[]).await.status(),
        409
    );
    // Cancelling, addressed by the booking's id (never the child's reference), frees the place.
    let cancel = |cohort: String, booking: String| {
        app.client
            .delete(app.url(&format!("/api/v1/cohorts/{cohort}/bookings/{booking}")))
            .bearer_auth(&app.coordinator)
            .send()
    };
    // The case reference is not an address: the booking stays.
    assert_eq!(
        cancel(a.clone(), "MV-1".into()).await.unwrap().status(),
        404
    );
    assert_eq!(filled_of(&app, &a).await, Some(1));
    // Managers and case managers cannot cancel; another cohort's path does not find it.
    for token in [&app.manager, &app.case_manager] {
        let response = app
            .client
            .delete(app.url(&format!("/api/v1/cohorts/{a}/bookings/{booking_id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
    }
    assert_eq!(
        cancel(b.clone(), booking_id.clone())
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        cancel(a.clone(), booking_id.clone())
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        cancel(a.clone(), booking_id.clone())
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(filled_of(&app, &a).await, Some(0));
    assert_eq!(
        book(&app, &app.coordinator, &a, "MV-2", &[]).await.status(),
        201
    );

    let moving = |reference: &str, from: &str, to: &str| {
        let body = json!({"reference": reference, "from": from, "to": to});
        let app = &app;
        async move {
            app.post_json(&app.coordinator, "/api/v1/bookings/move", &body)
                .await
        }
    };
    // a → b (locks in id order), then back b → a once a is free.
    let response = moving("MV-2", &a, &b).await;
    assert_eq!(response.status(), 200);
    let moved: Value = response.json().await.unwrap();
    assert_eq!(
        (moved["cohort"].as_str(), moved["reference"].as_str()),
        (Some(b.as_str()), Some("MV-2"))
    );
    let filled = |id: String| {
        let app = &app;
        async move {
            get_json(app, &app.coordinator, &format!("/api/v1/cohorts/{id}")).await["filled"]
                .as_i64()
        }
    };
    assert_eq!(
        (filled(a.clone()).await, filled(b.clone()).await),
        (Some(0), Some(1))
    );
    assert_eq!(moving("MV-2", &b, &a).await.status(), 200);
    assert_eq!(
        (filled(a.clone()).await, filled(b.clone()).await),
        (Some(1), Some(0))
    );
    // Into a full cohort: refused, and the child keeps the old place.
    assert_eq!(
        book(&app, &app.coordinator, &b, "MV-3", &[]).await.status(),
        201
    );
    assert_eq!(moving("MV-2", &a, &b).await.status(), 409);
    assert_eq!(moving("MV-3", &b, &a).await.status(), 409);
    assert_eq!(
        (filled(a.clone()).await, filled(b.clone()).await),
        (Some(1), Some(1))
    );
    // Not booked where it says: 404; same cohort twice: 422 naming `to`.
    assert_eq!(moving("MV-9", &a, &b).await.status(), 404);
    let response = moving("MV-2", &a, &a).await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "to"
    );
    assert_filled_matches_bookings(&app).await;
}
on_each_backend!(
    capacity_cancel_frees_a_place_and_move_is_atomic,
    cancel_and_move
);

async fn rival_groups_refused(app: TestApp) {
    let put = |token: &str, body: Value| {
        app.client
            .put(app.url("/api/v1/rivalries"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let pairs = json!({"rivalries": [["Southside", "Northside"]]});
    assert_eq!(
        put(&app.manager, pairs.clone()).await.unwrap().status(),
        403
    );
    let response = put(&app.coordinator, json!({"rivalries": [["A", "A"]]}))
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "rivalries[0]"
    );
    assert_eq!(put(&app.coordinator, pairs).await.unwrap().status(), 200);
    let stored = get_json(&app, &app.case_manager, "/api/v1/rivalries").await;
    assert_eq!(stored, json!({"rivalries": [["Northside", "Southside"]]}));
    // demo-b has none.
    let other = get_json(&app, &app.other_team_coordinator, "/api/v1/rivalries").await;
    assert_eq!(other, json!({"rivalries": []}));

    // A group programme: a Southside member is refused where a Northside member is booked.
    provision(
        &app,
        "rival-kcp",
        "knife-crime-programme",
        &[in_days(50), in_days(57)],
        6,
    )
    .await;
    let group = cohort(&app, "rival-kcp", in_days(50), 6).await;
    assert_eq!(
        book(&app, &app.coordinator, &group, "RV-N", &["Northside"])
            .await
            .status(),
        201
    );
    let response = book(&app, &app.coordinator, &group, "RV-S", &["Southside"]).await;
    assert_eq!(response.status(), 409);
    let message = response.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("rival") && message.contains("Northside"),
        "{message}"
    );
    assert!(
        !message.contains("RV-N"),
        "the message must not name the other child: {message}"
    );
    assert_eq!(
        book(&app, &app.coordinator, &group, "RV-E", &["Eastside"])
            .await
            .status(),
        201
    );
    let c = get_json(&app, &app.coordinator, &format!("/api/v1/cohorts/{group}")).await;
    assert_eq!(c["filled"], 2, "the refused booking left no place taken");

    // Racing rivals: 20 concurrent bookings, alternately Northside and Southside, into an empty
    // group cohort with room for all. Exactly one side gets in; the rest are refused.
    let race = cohort(&app, "rival-kcp", in_days(57), 30).await;
    let url = app.url(&format!("/api/v1/cohorts/{race}/bookings"));
    let tasks: Vec<_> = (0..20)
        .map(|k| {
            let (client, url, token) = (app.client.clone(), url.clone(), app.coordinator.clone());
            let group = if k % 2 == 0 { "Northside" } else { "Southside" };
            tokio::spawn(async move {
                let body = json!({"reference": format!("RR-{k}"), "gang_affiliations": [group]});
                let response = client.post(url).bearer_auth(token).json(&body).send().await;
                (group, response.expect("request").status().as_u16())
            })
        })
        .collect();
    let mut admitted = std::collections::BTreeSet::new();
    for task in tasks {
        match task.await.unwrap() {
            (group, 201) => {
                admitted.insert(group);
            }
            (_, 409) => {}
            (_, other) => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(
        admitted.len(),
        1,
        "both rival groups were admitted: {admitted:?}"
    );
    let c = get_json(&app, &app.coordinator, &format!("/api/v1/cohorts/{race}")).await;
    assert_eq!(c["filled"], 10);

    // One-to-one work is not a group: both may be booked into the same pool.
    provision(&app, "rival-anger", "anger-management", &[], 4).await;
    let sync: Value = app
        .post_json(
            &app.coordinator,
            "/api/v1/provision/rival-anger/cohorts/sync",
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let pool = sync["created"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(pool, "rival-anger-rolling");
    assert_eq!(
        book(&app, &app.coordinator, &pool, "RV-N", &["Northside"])
            .await
            .status(),
        201
    );
    assert_eq!(
        book(&app, &app.coordinator, &pool, "RV-S", &["Southside"])
            .await
            .status(),
        201
    );
    assert_filled_matches_bookings(&app).await;
}
on_each_backend!(
    capacity_rival_groups_are_not_booked_together,
    rival_groups_refused
);

async fn tenancy_roles_and_versions(app: TestApp) {
    provision(&app, "ten-kcp", "knife-crime-programme", &[in_days(70)], 3).await;
    let id = cohort(&app, "ten-kcp", in_days(70), 3).await;
    let path = format!("/api/v1/cohorts/{id}");
    // Another team's cohort is 404, whatever the verb.
    let other = &app.other_team_coordinator;
    assert_eq!(app.get(other, &path).await.status(), 404);
    assert_eq!(book(&app, other, &id, "TN-1", &[]).await.status(), 404);
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(other)
        .header("If-Match", "\"1\"")
        .json(&json!({"places": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let list: Vec<Value> = get_json(&app, other, "/api/v1/cohorts")
        .await
        .as_array()
        .unwrap()
        .clone();
    assert!(list.iter().all(|c| c["id"] != id.as_str()));
    let response = app
        .post_json(other, "/api/v1/provision/ten-kcp/cohorts/sync", &json!({}))
        .await;
    assert_eq!(response.status(), 404);

    // Managers and case managers read but do not book; managers see no children.
    assert_eq!(
        book(&app, &app.manager, &id, "TN-1", &[]).await.status(),
        403
    );
    assert_eq!(
        book(&app, &app.case_manager, &id, "TN-1", &[])
            .await
            .status(),
        403
    );
    assert_eq!(
        book(&app, &app.coordinator, &id, "TN-1", &[])
            .await
            .status(),
        201
    );
    assert_eq!(
        book(&app, &app.coordinator, &id, "TN-1", &[])
            .await
            .status(),
        409
    );
    let response = book(&app, &app.admin, &id, "TN-2", &[]).await;
    assert_eq!(response.status(), 201);
    let tn2 = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another team cannot cancel it, even knowing its id.
    let response = app
        .client
        .delete(app.url(&format!("{path}/bookings/{tn2}")))
        .bearer_auth(other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let seen = get_json(&app, &app.manager, &path).await;
    assert_eq!(seen["filled"], 2);
    assert!(seen.get("bookings").is_none(), "{seen}");
    // A name is not a case reference.
    let response = book(&app, &app.coordinator, &id, "Jane Smith", &[]).await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "reference"
    );

    // Edits need the ETag; places cannot go below those filled.
    let response = app.get(&app.coordinator, &path).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let put = |tag: Option<&str>, body: Value| {
        let mut request = app
            .client
            .put(app.url(&path))
            .bearer_auth(&app.coordinator)
            .json(&body);
        if let Some(tag) = tag {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    let edit = |places: i64| json!({"start": in_days(70), "places": places, "area": "Archway"});
    assert_eq!(put(None, edit(4)).await.unwrap().status(), 428);
    assert_eq!(put(Some("\"1\""), edit(4)).await.unwrap().status(), 412);
    let response = put(Some(&etag), edit(1)).await.unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "places"
    );
    let response = put(Some(&etag), edit(2)).await.unwrap();
    assert_eq!(response.status(), 200);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(
        (saved["places"].as_i64(), saved["free"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(saved["area"], "Archway");
    assert_eq!(
        book(&app, &app.coordinator, &id, "TN-3", &[])
            .await
            .status(),
        409
    );
    let response = put(Some(&etag), edit(3)).await.unwrap();
    assert_eq!(response.status(), 412, "the ETag changed with the edit");
    // Bad input names its field.
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/cohorts",
            &json!({"provision": "ten-kcp", "start": "2027-02-30"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "start"
    );
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/cohorts",
            &json!({"provision": "no-such", "start": in_days(9)}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["field"],
        "provision"
    );
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/cohorts",
            &json!({"provision": "ten-kcp", "start": in_days(70)}),
        )
        .await;
    assert_eq!(response.status(), 409, "one cohort per provision and start");
    assert_filled_matches_bookings(&app).await;
}
on_each_backend!(
    capacity_tenancy_roles_and_versions,
    tenancy_roles_and_versions
);
