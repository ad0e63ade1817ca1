//! Pre-sentence proposals end to end: the statutory limits refuse what a court could not
//! impose, the service recommends a package from the plans of both disposals, the court
//! report renders as HTML and text, and a high-risk child's proposal waits for contingency
//! actions before it is finalised.

use chrono::{Duration, NaiveDate};
use intervention_planner::store::entities::audit_events;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_each_backend;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn ok(response: reqwest::Response) -> (String, Value) {
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

/// A child aged 15 at conviction, at high risk of serious harm, awaiting sentence for a
/// knife offence: weapon carrying and violence linked to offending.
async fn awaiting_sentence(app: &TestApp, reference: &str, order_type: &str) -> String {
    let (_, child) = ok(app
        .post_json(
            &app.case_manager,
            "/api/v1/young-people",
            &json!({"reference": reference, "name": "Jordan Example", "date_of_birth": today() - Duration::days(15 * 365 + 120),
                    "gender": "male"}),
        )
        .await)
    .await;
    let id = child["id"].as_str().unwrap().to_string();
    ok(app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/assessments"),
            &json!({"assessed_on": today(), "needs": [
                        {"need": "weapon_carrying", "level": "high", "linked_to_offending": true, "linked_to_harm": true},
                        {"need": "violence", "level": "medium", "linked_to_offending": true},
                        {"need": "ete", "level": "medium"}],
                    "likelihood_of_reoffending": "medium", "risk_of_serious_harm": "high", "safety_and_wellbeing": "medium"}),
        )
        .await)
    .await;
    ok(app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/orders"),
            &json!({"type": order_type, "start": today() + Duration::days(14), "end": today() + Duration::days(14 + 273),
                    "offence": "Possession of a bladed article"}),
        )
        .await)
    .await;
    id
}

async fn propose(app: &TestApp, id: &str, body: &Value) -> reqwest::Response {
    app.post_json(
        &app.case_manager,
        &format!("/api/v1/young-people/{id}/proposals"),
        body,
    )
    .await
}

async fn finalise(app: &TestApp, id: &str, proposal: &str, tag: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!(
            "/api/v1/young-people/{id}/proposals/{proposal}/finalise"
        )))
        .bearer_auth(&app.case_manager);
    if let Some(tag) = tag {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

async fn error_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    body["error"].clone()
}

async fn proposals_end_to_end(app: TestApp) {
    let id = awaiting_sentence(&app, "PSR-0001", "proposed").await;

    // Unpaid work for a 15-year-old: refused, naming the rule; nothing stored.
    let unpaid = json!({"reasons": "Work he can do in the community.", "recommended": {"disposal": "youth_rehabilitation_order", "months": 9, "requirements": [
        {"requirement": "supervision"}, {"requirement": "unpaid_work", "hours": 80}]}});
    let error = error_of(propose(&app, &id, &unpaid).await, 422).await;
    assert_eq!(
        error["field"], "recommended.requirements[1].requirement",
        "{error}"
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("only for a child aged 16 or 17"),
        "{message}"
    );
    assert!(message.contains("Sentencing Act 2020"), "{message}");
    // Electronic monitoring alone, and an over-long activity requirement: refused too.
    let tag_alone = json!({"reasons": "Monitoring only.", "recommended": {"disposal": "youth_rehabilitation_order", "requirements": [
        {"requirement": "electronic_monitoring"}]}});
    let error = error_of(propose(&app, &id, &tag_alone).await, 422).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("together with another requirement"),
        "{error}"
    );
    let listed = app
        .get(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/proposals"),
        )
        .await;
    assert_eq!(
        listed.json::<Value>().await.unwrap(),
        json!([]),
        "a refused proposal stores nothing"
    );

    // No package named: the service plans both disposals and recommends one.
    let (tag, proposal) = ok(propose(
        &app,
        &id,
        &json!({"summary": "Jordan pleaded guilty.\nHe wants to return to school.",
                "prepared_by": "Sam Case Manager",
                "referral_conditions": {"imprisonable": true, "pleaded_guilty": true, "first_conviction": false}}),
    )
    .await)
    .await;
    let document = &proposal["document"];
    assert_eq!(proposal["state"], "draft");
    assert_eq!(document["chosen_by"], "service");
    assert_eq!(
        document["recommended"]["disposal"], "youth_rehabilitation_order",
        "intensive level (high risk of serious harm): {}",
        document["why"]
    );
    assert_eq!(document["alternative"]["disposal"], "referral_order");
    let sections = document["recommended"]["sections"].as_array().unwrap();
    assert_eq!(sections[0]["under"], "yro:supervision");
    for section in sections {
        for item in section["items"].as_array().unwrap() {
            assert!(!item["name"].as_str().unwrap().is_empty());
        }
    }
    let requirements = document["recommended"]["requirements"].as_array().unwrap();
    assert!(
        !requirements
            .iter()
            .any(|r| r["requirement"] == "unpaid_work"),
        "never derived for a 15-year-old: {requirements:?}"
    );
    let text = serde_json::to_string(&proposal).unwrap();
    assert!(!text.contains("Jordan Example"), "the JSON carries no name");

    // The court report: printable HTML and plain text, with the child's identity.
    let pid = proposal["id"].as_str().unwrap();
    let page = app
        .get(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/proposals/{pid}/html"),
        )
        .await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("style-src 'sha256-") && !policy.contains("script"),
        "{policy}"
    );
    let html = page.text().await.unwrap();
    for words in [
        "Sentence proposal for Jordan Example",
        "PSR-0001",
        "@page { size: A4",
        "Alternative for the court to consider",
        "Supervision requirement",
        "cannot be finalised until they are recorded",
    ] {
        assert!(html.contains(words), "{words} missing from the page");
    }
    let plain = app
        .get(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/proposals/{pid}/text"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        plain.contains("RECOMMENDATION") && plain.contains("Possession of a bladed article"),
        "{plain}"
    );
    assert!(!plain.contains('<'), "plain text has no markup");

    // High risk of serious harm, no contingency actions: not finalised.
    let error = error_of(finalise(&app, &id, pid, None).await, 428).await;
    assert_eq!(error["code"], "if_match_required");
    let error = error_of(finalise(&app, &id, pid, Some(&tag)).await, 422).await;
    assert_eq!(error["field"], "risk_management.contingency", "{error}");
    ok(app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{id}/risk-plans"),
            &json!({"risk_management": {"summary": "Risk to peers in the area of the offence",
                    "contingency": ["If he is found carrying a knife, the YOS police officer and case manager meet the same day"]}}),
        )
        .await)
    .await;
    let (_, done) = ok(finalise(&app, &id, pid, Some(&tag)).await).await;
    assert_eq!(done["state"], "finalised");
    assert_eq!(
        done["document"]["risk"]["contingency"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(done["finalised_by"].is_string());
    let again = finalise(&app, &id, pid, Some(&format!("\"{}\"", done["version"]))).await;
    assert_eq!(again.status(), 409, "a finalised proposal never changes");

    // The case manager's own package with an alternative beside it.
    let (_, own) = ok(propose(
        &app,
        &id,
        &json!({
        "reasons": "He needs the structure of requirements the court can enforce.",
        "recommended": {"disposal": "youth_rehabilitation_order", "months": 9, "requirements": [
            {"requirement": "supervision"}, {"requirement": "activity", "days": 30}]},
        "alternative": {"disposal": "referral_order", "months": 9}}),
    )
    .await)
    .await;
    assert_eq!(own["number"], 2);
    assert_eq!(own["document"]["chosen_by"], "case_manager");
    assert!(
        own["document"]["recommended"]["description"]
            .as_str()
            .unwrap()
            .contains("an activity requirement (30 days)")
    );
    // A court report needs the summary, the signer and the referral conditions to be final.
    let own_id = own["id"].as_str().unwrap();
    let error = error_of(finalise(&app, &id, own_id, Some("\"1\"")).await, 422).await;
    assert_eq!(error["field"], "summary", "{error}");
    // A case manager's package needs their reasons.
    let error = error_of(
        propose(
            &app,
            &id,
            &json!({"recommended": {"disposal": "referral_order", "months": 6}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error["field"], "reasons");

    // Intensive supervision and surveillance: the form of the order, with an extended activity
    // requirement, supervision and a monitored curfew, and only past the custody threshold.
    let iss = |days: u32, threshold: &str| {
        json!({"reasons": "Offending has escalated despite a referral order.",
            "recommended": {"disposal": "youth_rehabilitation_order", "months": 12, "custody_threshold": threshold,
            "requirements": [{"requirement": "intensive_supervision_and_surveillance"}, {"requirement": "supervision"},
                {"requirement": "activity", "days": days}, {"requirement": "curfew", "hours_per_day": 8, "months": 4},
                {"requirement": "electronic_monitoring"}]}})
    };
    let error = error_of(propose(&app, &id, &iss(120, "")).await, 422).await;
    assert_eq!(error["field"], "recommended.custody_threshold", "{error}");
    let error = error_of(
        propose(&app, &id, &iss(60, "Second knife offence on bail")).await,
        422,
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("extended activity requirement of 91 to 180 days"),
        "{error}"
    );
    let (_, intensive) =
        ok(propose(&app, &id, &iss(120, "Second knife offence on bail")).await).await;
    let package = &intensive["document"]["recommended"];
    let description = package["description"].as_str().unwrap();
    assert!(
        description.starts_with("A youth rehabilitation order with intensive supervision and surveillance for 12 months: an extended activity requirement (120 days)")
            && description.ends_with("electronically monitored"),
        "{description}"
    );
    let headings: Vec<&str> = package["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["heading"].as_str().unwrap())
        .collect();
    assert!(
        !headings
            .iter()
            .any(|h| h.contains("intensive supervision") || h.contains("electronic monitoring")),
        "{headings:?}"
    );
    assert_eq!(package["intervention_level"], "intensive");

    // Who may: case managers and admins; not coordinators or managers.
    for token in [&app.coordinator, &app.manager] {
        let denied = app
            .get(
                token,
                &format!("/api/v1/young-people/{id}/proposals/{pid}/html"),
            )
            .await;
        assert_eq!(denied.status(), 403);
    }
    // Every read of a proposal is audited.
    let reads = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("child.read"))
        .filter(audit_events::Column::Subject.contains("proposal"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(reads >= 3, "{reads} audited reads");

    // A child already sentenced gets no pre-sentence proposal.
    let sentenced = awaiting_sentence(&app, "PSR-0002", "referral_order").await;
    let error = error_of(propose(&app, &sentenced, &json!({})).await, 422).await;
    assert_eq!(error["field"], "order");
}

on_each_backend!(pre_sentence_proposals, proposals_end_to_end);
