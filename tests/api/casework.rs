//! Case records, the plan lifecycle and reviews, end to end on the real app and database.

use chrono::{Duration, NaiveDate};
use intervention_planner::store::casework_entities::case_plans;
use intervention_planner::store::entities::audit_events;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_each_backend;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn created(response: reqwest::Response) -> (String, Value) {
    let status = response.status();
    let tag = response
        .headers()
        .get("ETag")
        .map(|t| t.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    (tag, body)
}

fn assessment(risk: &str) -> Value {
    json!({
        "assessed_on": today(),
        "needs": [
            {"need": "vehicle_offending", "level": "high", "linked_to_offending": true},
            {"need": "ete", "level": "medium"}
        ],
        "likelihood_of_reoffending": "medium",
        "risk_of_serious_harm": risk,
        "safety_and_wellbeing": "low"
    })
}

/// A 15-year-old with vehicle offending on a 12-month youth rehabilitation order that began two
/// weeks ago.
async fn child_with_records(app: &TestApp, reference: &str) -> String {
    let (_, child) = created(
        app.post_json(
            &app.case_manager,
            "/api/v1/young-people",
            &json!({"reference": reference, "name": "Test Child", "date_of_birth": today() - Duration::days(15 * 365 + 100),
                    "gender": "male", "ethnicity": "White British", "looked_after": false}),
        )
        .await,
    )
    .await;
    let id = child["id"].as_str().unwrap().to_string();
    created(
        app.post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/assessments"),
            &assessment("medium"),
        )
        .await,
    )
    .await;
    created(
        app.post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/orders"),
            &json!({"type": "youth_rehabilitation_order", "start": today() - Duration::days(14), "end": today() + Duration::days(350),
                    "requirements": ["supervision", "activity"], "offence": "Aggravated vehicle taking"}),
        )
        .await,
    )
    .await;
    id
}

fn motor_pin() -> Value {
    json!({"pins": [{"intervention": "motor-project", "provision": "motor-2027", "start": "2027-02-01"}]})
}

async fn build(app: &TestApp, id: &str, body: Value) -> (String, Value) {
    created(
        app.post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/plans"),
            &body,
        )
        .await,
    )
    .await
}

async fn accept(app: &TestApp, id: &str, plan: &Value, tag: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/young-people/{id}/plans/{}/accept",
            plan["id"].as_str().unwrap()
        )))
        .bearer_auth(&app.case_manager)
        .header("If-Match", tag)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"agreement": {"child_agrees": true, "carer_agrees": true, "recorded_on": today(), "note": "Agreed at the planning meeting"}}))
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

fn items(plan: &Value) -> Vec<String> {
    plan["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["intervention"].as_str().unwrap().to_string())
        .collect()
}

/// Create a child, an assessment and an order → build → accept (places booked) → record a
/// review → a new assessment raises the risk → a significant-change review falls due →
/// replan keeps the started item → the history shows both versions and what changed.
async fn the_plan_lifecycle_end_to_end(app: TestApp) {
    let id = child_with_records(&app, "T-0001").await;
    // The case manager pins the group motor project (one-to-one work alone would be planned).
    let (tag, draft) = build(&app, &id, motor_pin()).await;
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["number"], 1);
    let planned = items(&draft);
    assert!(
        planned.contains(&"motor-project".to_string()),
        "{planned:?}"
    );

    // Accept: places are booked in the same transaction.
    let response = accept(&app, &id, &draft, &tag).await;
    let (_, accepted) = created(response).await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["agreement"]["child_agrees"], true);
    let places = accepted["places"].as_array().unwrap();
    let motor = places
        .iter()
        .find(|p| p["intervention"] == "motor-project")
        .expect("a motor project place");
    let cohort = get(
        &app,
        &app.coordinator,
        &format!("/api/v1/cohorts/{}", motor["cohort"].as_str().unwrap()),
    )
    .await;
    assert!(
        cohort["bookings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["reference"] == "T-0001"),
        "{cohort}"
    );
    app.assert_occupancy_consistent().await;

    // Reviews were scheduled from the plan; record the first one with an item outcome.
    let reviews = get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/reviews"),
    )
    .await;
    let reviews = reviews.as_array().unwrap();
    assert!(reviews.iter().any(|r| r["kind"] == "plan"), "{reviews:?}");
    let first = &reviews[0];
    let first_item = &accepted["plan"]["items"][0];
    let outcomes: Vec<Value> = first_item["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| json!({"need": n, "achieved": 0.5, "level_after": "medium"}))
        .collect();
    let record = json!({"reviewed_on": today(), "summary": "Attending well; seen with his mother.",
        "items": [{"intervention": first_item["intervention"], "sessions_offered": 3, "sessions_attended": 2,
                   "status": "ongoing", "outcomes": outcomes}]});
    let path = format!(
        "/api/v1/young-people/{id}/reviews/{}",
        first["id"].as_str().unwrap()
    );
    let stale = app
        .put_json(&app.case_manager, &path, Some("\"99\""), &record)
        .await;
    assert_eq!(stale.status(), 412, "a stale update is refused");
    let response = app
        .put_json(
            &app.case_manager,
            &path,
            Some(&format!("\"{}\"", first["version"])),
            &record,
        )
        .await;
    let (_, recorded) = created(response).await;
    assert_eq!(recorded["state"], "recorded");

    // A new assessment raises the risk of serious harm: a significant-change review is due.
    created(
        app.post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/assessments"),
            &assessment("high"),
        )
        .await,
    )
    .await;
    let reviews = get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/reviews"),
    )
    .await;
    let change = reviews
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "significant_change")
        .expect("a significant-change review");
    assert!(
        change["reason"]
            .as_str()
            .unwrap()
            .contains("risk of serious harm medium → high"),
        "{change}"
    );

    // Time passes: the first item has started (its start moved into the past in the store).
    let started = first_item["intervention"].as_str().unwrap().to_string();
    let started_on = today() - Duration::days(7);
    let row = case_plans::Entity::find()
        .filter(case_plans::Column::Id.eq(accepted["id"].as_str().unwrap()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut document: Value = serde_json::from_str(&row.document).unwrap();
    document["plan"]["items"][0]["start"] = json!(started_on);
    case_plans::Entity::update(case_plans::ActiveModel {
        team_id: Set(row.team_id.clone()),
        id: Set(row.id.clone()),
        document: Set(document.to_string()),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();

    let (tag2, second) = build(
        &app,
        &id,
        json!({"reason": "risk of serious harm raised to high"}),
    )
    .await;
    assert_eq!(second["number"], 2);
    let kept = second["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["intervention"] == started.as_str())
        .expect("the started item is kept");
    assert_eq!(kept["start"], json!(started_on));
    assert!(
        kept["rationale"]
            .as_str()
            .unwrap()
            .contains("Kept from the previous version of the plan"),
        "{kept}"
    );
    assert_eq!(second["kept"][0]["intervention"], started.as_str());
    let changes = second["changes"].as_array().unwrap();
    assert_eq!(changes[0], "why: risk of serious harm raised to high");

    let (_, second) = created(accept(&app, &id, &second, &tag2).await).await;
    assert_eq!(second["state"], "accepted");
    let plans = get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/plans"),
    )
    .await;
    let states: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["superseded", "accepted"]);
    let history = get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/history"),
    )
    .await;
    let plan_changes: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["record"].as_str().unwrap().starts_with("plan:"))
        .map(|h| h["change"].as_str().unwrap().to_string())
        .collect();
    for change in ["created", "accepted", "superseded"] {
        assert!(
            plan_changes.iter().filter(|c| *c == change).count() >= 1,
            "{plan_changes:?}"
        );
    }
    app.assert_occupancy_consistent().await;
}
on_each_backend!(plan_lifecycle_end_to_end, the_plan_lifecycle_end_to_end);

/// Two plans compete for the last place of a cohort, accepted at once: exactly one wins; the
/// other gets 409 naming the cohort, and nothing of it is stored.
async fn concurrent_acceptances_never_overbook(app: TestApp) {
    // One place in the motor project's February cohort.
    let response = app
        .post_json(
            &app.coordinator,
            "/api/v1/cohorts",
            &json!({"provision": "motor-2027", "start": "2027-02-01", "places": 1}),
        )
        .await;
    let (_, cohort) = created(response).await;
    let cohort_id = cohort["id"].as_str().unwrap().to_string();
    let mut drafts = Vec::new();
    for reference in ["T-0101", "T-0102"] {
        let id = child_with_records(&app, reference).await;
        let (tag, draft) = build(&app, &id, motor_pin()).await;
        let motor = draft["plan"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["intervention"] == "motor-project")
            .cloned()
            .expect("motor project planned");
        assert_eq!(motor["start"], "2027-02-01");
        drafts.push((id, draft, tag));
    }
    let (a, b) = tokio::join!(
        accept(&app, &drafts[0].0, &drafts[0].1, &drafts[0].2),
        accept(&app, &drafts[1].0, &drafts[1].1, &drafts[1].2)
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    let bodies = [a.text().await.unwrap(), b.text().await.unwrap()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{bodies:?}");
    let refusal = bodies
        .iter()
        .find(|b| b.contains("full"))
        .expect("a refusal");
    assert!(refusal.contains(&cohort_id), "{refusal}");
    let after = get(
        &app,
        &app.coordinator,
        &format!("/api/v1/cohorts/{cohort_id}"),
    )
    .await;
    assert_eq!(after["filled"], 1);
    // The loser's plan is still a draft holding nothing.
    let mut drafts_left = 0;
    for (id, draft, _) in &drafts {
        let plan = get(
            &app,
            &app.case_manager,
            &format!(
                "/api/v1/young-people/{id}/plans/{}",
                draft["id"].as_str().unwrap()
            ),
        )
        .await;
        if plan["state"] == "draft" {
            drafts_left += 1;
            assert_eq!(plan["places"], json!([]));
        }
    }
    assert_eq!(drafts_left, 1);
    app.assert_occupancy_consistent().await;
}
on_each_backend!(
    concurrent_acceptances_one_wins,
    concurrent_acceptances_never_overbook
);

async fn child_reads(app: &TestApp) -> u64 {
    audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("child.read"))
        .count(&app.db)
        .await
        .unwrap()
}

/// Every read of a child's record leaves exactly one audit entry (with its route); a
/// coordinator cannot read assessments or risk plans; a manager sees no child; another team
/// gets 404; an overdue review is in the case manager's and the team's lists.
async fn records_are_scoped_audited_and_overdue_reviews_listed(app: TestApp) {
    let id = child_with_records(&app, "T-0201").await;
    let before = child_reads(&app).await;
    get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}"),
    )
    .await;
    assert_eq!(child_reads(&app).await, before + 1);
    get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/assessments"),
    )
    .await;
    assert_eq!(child_reads(&app).await, before + 2);
    let last = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("child.read"))
        .order_by_desc(audit_events::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.route, "GET /api/v1/young-people/{id}/assessments");
    assert!(!last.route.contains(&id), "no ids in the audited route");

    for path in ["assessments", "risk-plans", "orders", "partner-decisions"] {
        let response = app
            .get(
                &app.coordinator,
                &format!("/api/v1/young-people/{id}/{path}"),
            )
            .await;
        assert_eq!(response.status(), 403, "coordinator reading {path}");
    }
    let response = app
        .get(&app.manager, &format!("/api/v1/young-people/{id}"))
        .await;
    assert_eq!(response.status(), 403, "a manager sees aggregates only");
    let response = app
        .get(
            &app.other_team_coordinator,
            &format!("/api/v1/young-people/{id}/plans"),
        )
        .await;
    assert_eq!(
        response.status(),
        404,
        "another team's child does not exist"
    );

    // A missing episode a month ago: its review is overdue.
    let response = app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/events"),
            &json!({"kind": "missing_episode", "occurred_on": today() - Duration::days(30), "note": "Missing overnight"}),
        )
        .await;
    let (_, review) = created(response).await;
    assert_eq!(review["kind"], "significant_change");
    let team = get(&app, &app.case_manager, "/api/v1/reviews/overdue").await;
    assert!(
        team["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["reference"] == "T-0201"),
        "{team}"
    );
    let counts = get(&app, &app.manager, "/api/v1/reviews/overdue").await;
    assert!(counts.get("reviews").is_none(), "{counts}");
    assert!(!counts.to_string().contains("T-0201"));
    let checks = get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/checks"),
    )
    .await;
    assert!(
        checks
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "review_overdue"),
        "{checks}"
    );
    // Allocated to nobody: not in the caller's own list.
    let mine = get(&app, &app.case_manager, "/api/v1/reviews/overdue?mine=true").await;
    assert_eq!(mine["reviews"], json!([]));
}
on_each_backend!(
    records_scoped_audited_overdue_listed,
    records_are_scoped_audited_and_overdue_reviews_listed
);

/// A police bar recorded as a partner decision excludes the project from the next plan, and
/// the gap says so with the recorded reason.
async fn a_partner_bar_excludes_the_project(app: TestApp) {
    let id = child_with_records(&app, "T-0301").await;
    let response = app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/partner-decisions"),
            &json!({"agency": "Police", "decision": "bar_from_intervention", "intervention": "motor-project",
                    "reason": "Intelligence links him to thefts with another participant", "decided_on": today(),
                    "agreed_by": "YOS manager", "challenged": true, "challenge_outcome": "pending"}),
        )
        .await;
    created(response).await;
    let (_, plan) = build(
        &app,
        &id,
        json!({"exclusions": [{"intervention": "vehicle-crime-one-to-one", "reason": "Worker on long-term leave"}]}),
    )
    .await;
    assert!(!items(&plan).contains(&"motor-project".to_string()));
    let gap = plan["plan"]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["need"] == "vehicle_offending")
        .expect("a vehicle offending gap");
    assert_eq!(gap["reason"], "excluded");
    let detail = gap["detail"].as_str().unwrap();
    assert!(detail.contains("barred by Police"), "{detail}");
    assert!(
        detail.contains("Intelligence links him to thefts with another participant"),
        "{detail}"
    );
    assert!(detail.contains("Worker on long-term leave"), "{detail}");

    // Bad input names the field and changes nothing.
    let response = app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/partner-decisions"),
            &json!({"agency": "Police", "decision": "bar_from_intervention", "reason": "x",
                    "decided_on": today(), "agreed_by": "YOS manager"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body.to_string().contains("intervention"), "{body}");
    let decisions = get(
        &app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/partner-decisions"),
    )
    .await;
    assert_eq!(decisions.as_array().unwrap().len(), 1);
}
on_each_backend!(
    partner_bar_excludes_project,
    a_partner_bar_excludes_the_project
);

/// Ids of real records (a child with an accepted plan, its order, a decision, a review) for
/// the fuzzer to aim at, so that it reaches past "not found".
pub async fn records_to_fuzz(app: &TestApp) -> Vec<String> {
    let id = child_with_records(app, "FZ-0001").await;
    let (tag, draft) = build(app, &id, json!({})).await;
    created(accept(app, &id, &draft, &tag).await).await;
    let (_, decision) = created(
        app.post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/partner-decisions"),
            &json!({"agency": "Police", "decision": "other", "reason": "r", "decided_on": today(), "agreed_by": "YOS manager"}),
        )
        .await,
    )
    .await;
    let orders = get(
        app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/orders"),
    )
    .await;
    let reviews = get(
        app,
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/reviews"),
    )
    .await;
    let (_, plan2) = build(app, &id, json!({})).await;
    let mut ids = vec![
        id.clone(),
        draft["id"].as_str().unwrap().to_string(),
        plan2["id"].as_str().unwrap().to_string(),
        decision["id"].as_str().unwrap().to_string(),
        orders[0]["id"].as_str().unwrap().to_string(),
    ];
    ids.extend(
        reviews
            .as_array()
            .unwrap()
            .iter()
            .take(2)
            .map(|r| r["id"].as_str().unwrap().to_string()),
    );
    ids
}

/// `demo` stores each team's 40 children with records, plans (most accepted, some drafts),
/// recorded reviews and a few overdue ones; loading twice changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_caseload_is_stored_once() {
    use intervention_planner::app::demo_cases;
    use intervention_planner::store::casework_entities::{record_history, reviews};
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let catalogue = crate::helpers::repo_path("catalogue");
    let first = demo_cases::load(&app.db, &catalogue, &["demo-b"])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(first.created, 40);
    assert!(first.accepted >= 30, "{} accepted", first.accepted);
    assert!(first.drafts >= 3, "{} drafts", first.drafts);
    let recorded = reviews::Entity::find()
        .filter(reviews::Column::State.eq("recorded"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(recorded >= 10, "{recorded} reviews recorded");
    let history = record_history::Entity::find().count(&app.db).await.unwrap();
    app.assert_occupancy_consistent().await;

    let again = demo_cases::load(&app.db, &catalogue, &["demo-b"])
        .await
        .unwrap()
        .remove(0);
    assert_eq!((again.created, again.existing), (0, 40));
    assert_eq!(
        record_history::Entity::find().count(&app.db).await.unwrap(),
        history,
        "a second load changes nothing"
    );

    // The demo team's second case manager sees their overdue reviews; nobody else's.
    let token = intervention_planner::store::accounts::create_token_for_user(
        &app.db,
        "demo-b",
        &demo_cases::demo_case_managers("demo-b")[1],
        "test",
    )
    .await
    .unwrap()
    .token;
    let mine = get(&app, &token, "/api/v1/reviews/overdue?mine=true").await;
    let list = mine["reviews"].as_array().unwrap();
    assert!(!list.is_empty(), "{mine}");
    let caseload = get(&app, &token, "/api/v1/young-people?mine=true").await;
    assert_eq!(caseload.as_array().unwrap().len(), 20);
}
