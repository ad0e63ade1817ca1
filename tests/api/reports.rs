//! The managers' reports on the demo-a caseload: the provision-gap picture shows gang exit
//! needed and provided nowhere, the knife-crime programme's wait and the motor project's police
//! bars; no report answer (JSON, CSV, charts, what-if) carries a child's name, reference or
//! date of birth; a what-if adding gang-exit places shows the gang-involvement gaps falling and
//! leaves the stored provision as it was.

use intervention_planner::app::demo_cases;
use intervention_planner::store::casework_entities::young_people;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_each_backend;

async fn body(response: reqwest::Response, content: &str) -> String {
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with(content), "{kind}");
    response.text().await.unwrap()
}

/// Every name, case reference and date of birth on record (ISO and as words).
async fn identities(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for row in young_people::Entity::find().all(&app.db).await.unwrap() {
        let record: Value = serde_json::from_str(&row.document).unwrap();
        out.push(row.reference.clone());
        out.push(record["name"].as_str().unwrap().to_string());
        let dob = record["date_of_birth"].as_str().unwrap();
        out.push(dob.to_string());
        let day = chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d").unwrap();
        out.push(day.format("%-d %B %Y").to_string());
    }
    out
}

fn assert_no_identity(what: &str, text: &str, identities: &[String]) {
    for id in identities {
        assert!(!text.contains(id.as_str()), "{what} carries '{id}'");
    }
}

fn need<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["need"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

async fn the_managers_picture(app: TestApp) {
    demo_cases::load(
        &app.db,
        &crate::helpers::repo_path("catalogue"),
        &["demo-a"],
    )
    .await
    .unwrap();
    let people = identities(&app).await;

    // A demo child awaiting sentence gets a proposal, printable and as text.
    let children: Value = app
        .get(&app.case_manager, "/api/v1/young-people")
        .await
        .json()
        .await
        .unwrap();
    let awaiting = children
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == "A-0020")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let built = app
        .post_json(
            &app.case_manager,
            &format!("/api/v1/young-people/{awaiting}/proposals"),
            &json!({"summary": "Pleaded guilty at the first hearing.", "prepared_by": "Demo Case Manager"}),
        )
        .await;
    assert_eq!(built.status(), 201);
    let proposal: Value = built.json().await.unwrap();
    let pid = proposal["id"].as_str().unwrap();
    let base = format!("/api/v1/young-people/{awaiting}/proposals/{pid}");
    let html = body(
        app.get(&app.case_manager, &format!("{base}/html")).await,
        "text/html",
    )
    .await;
    assert!(html.contains("Sentence proposal for Demo child A-0020"));
    let text = body(
        app.get(&app.case_manager, &format!("{base}/text")).await,
        "text/plain",
    )
    .await;
    assert!(text.contains("RECOMMENDATION") && text.contains("Prepared by Demo Case Manager"));
    assert!(people.len() >= 160, "{} identities", people.len());

    let text = body(
        app.get(&app.manager, "/api/v1/reports/provision-gaps")
            .await,
        "application/json",
    )
    .await;
    assert_no_identity("the report", &text, &people);
    let report: Value = serde_json::from_str(&text).unwrap();

    // Gang exit: needed by children, provided nowhere; the count and their risk levels.
    let gang = report["unprovided"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["need"] == "gang_involvement")
        .unwrap_or_else(|| {
            panic!(
                "gang involvement not listed as unprovided: {}",
                report["unprovided"]
            )
        });
    let children = gang["children"]
        .as_u64()
        .expect("at least 5 children, shown");
    assert!(children >= 5, "{gang}");
    let levels: Vec<&str> = gang["by_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["risk_of_serious_harm"].as_str().unwrap())
        .collect();
    assert!(!levels.is_empty(), "{gang}");
    assert!(
        gang["interventions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == "Gang exit mentoring")
    );
    let row = need(&report, "gang_involvement");
    assert_eq!(row["provision"], json!([]));
    assert_eq!(
        row["unmet"], row["children"],
        "every gang-involved child is unmet: {row}"
    );

    // The knife-crime programme's waiting time.
    let weapons = need(&report, "weapon_carrying");
    let kcp = weapons["provision"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["intervention"] == "knife-crime-programme")
        .unwrap();
    assert_eq!(kcp["wait_days"], 21);
    assert!(kcp["free_places_next_12_weeks"].is_i64());

    // The motor project's police bars.
    let police = report["partner_decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"].as_str().unwrap().eq_ignore_ascii_case("police"))
        .unwrap();
    let bars = police["bars_in_force"].as_array().unwrap();
    assert!(
        bars.iter()
            .any(|b| b["intervention"] == "motor-project" && b["name"] == "Motor project"),
        "{police}"
    );

    // Reviews on time, outcomes per intervention with "never evaluated", the funnel.
    assert!(
        report["reviews"]["due"].as_u64().unwrap() >= 5,
        "{}",
        report["reviews"]
    );
    let outcomes = report["interventions"].as_array().unwrap();
    assert!(outcomes.iter().any(|i| i["never_evaluated"] == true));
    assert!(outcomes.iter().any(|i| i["never_evaluated"] == false));
    assert!(report["offending_funnel"]["identified"].as_u64().unwrap() >= 5);
    // Small counts are suppressed, never shown.
    assert!(
        !text.contains("\":1,") && !text.contains("\":2,") || report_has_only_big_counts(&report)
    );

    // Charts: SVG with a text alternative; the JSON lists them.
    let charts = report["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 2);
    for chart in charts {
        let svg = body(
            app.get(&app.manager, chart["href"].as_str().unwrap()).await,
            "image/svg+xml",
        )
        .await;
        assert!(
            svg.contains("<title id=\"chart-title\">") && svg.contains("<desc id=\"chart-desc\">")
        );
        assert!(svg.contains(&chart["title"].as_str().unwrap().replace('&', "&amp;")));
        assert_no_identity("a chart", &svg, &people);
    }
    assert!(
        charts[0]["text"]
            .as_str()
            .unwrap()
            .contains("Gang involvement"),
        "{}",
        charts[0]["text"]
    );

    // CSV: one row per need, small counts "<5", identities absent.
    let csv = body(
        app.get(&app.manager, "/api/v1/reports/provision-gaps.csv")
            .await,
        "text/csv",
    )
    .await;
    assert_no_identity("the CSV", &csv, &people);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("need,name,offending_related,children")
    );
    assert_eq!(lines.count(), report["needs"].as_array().unwrap().len());
    assert!(csv.contains("gang_involvement,Gang involvement,true,"));

    // Who may: managers, coordinators, admins (all teams: admins only).
    assert_eq!(
        app.get(&app.case_manager, "/api/v1/reports/provision-gaps")
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get(
            &app.manager,
            "/api/v1/reports/provision-gaps?scope=all_teams"
        )
        .await
        .status(),
        403
    );
    let all = body(
        app.get(&app.admin, "/api/v1/reports/provision-gaps?scope=all_teams")
            .await,
        "application/json",
    )
    .await;
    assert_no_identity("the report of every team", &all, &people);
    let all: Value = serde_json::from_str(&all).unwrap();
    assert_eq!(all["teams"], json!(["demo-a", "demo-b"]));

    // What if 8 gang-exit places were commissioned from next week?
    let stored_before: Value = app
        .get(&app.coordinator, "/api/v1/provision")
        .await
        .json()
        .await
        .unwrap();
    let from = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
    let answer = app
        .post_json(&app.manager, "/api/v1/reports/what-if", &json!({"changes": [
            {"change": "add_places", "intervention": "gang-exit-mentoring", "places": 8, "from": from, "area": "Holloway", "outreach": true},
            {"change": "train_facilitators", "intervention": "gang-exit-mentoring", "count": 2}]}))
        .await;
    let text = body(answer, "application/json").await;
    assert_no_identity("the what-if", &text, &people);
    let answer: Value = serde_json::from_str(&text).unwrap();
    let gang = answer["difference"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["need"] == "gang_involvement")
        .unwrap();
    assert_eq!(gang["direction"], "fewer", "{gang}");
    assert_eq!(answer["stored"], false);
    let stored_after: Value = app
        .get(&app.coordinator, "/api/v1/provision")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored_before, stored_after, "a what-if stores nothing");

    // A change naming nothing known is refused naming the field.
    let refused = app
        .post_json(
            &app.manager,
            "/api/v1/reports/what-if",
            &json!({"changes": [{"change": "set_wait", "provision": "nope", "wait_days": 3}]}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["field"], "changes[0].provision");
}

/// Whether every count in the report is 0 or at least 5 (so "\":1," could only be another
/// field): walks the JSON.
fn report_has_only_big_counts(report: &Value) -> bool {
    fn walk(v: &Value, key: &str) -> bool {
        match v {
            Value::Object(map) => map.iter().all(|(k, v)| walk(v, k)),
            Value::Array(list) => list.iter().all(|v| walk(v, key)),
            Value::Number(n) => {
                let counted = [
                    "children",
                    "unmet",
                    "low",
                    "medium",
                    "high",
                    "identified",
                    "planned",
                    "started",
                    "completed",
                    "due",
                    "on_time",
                    "late_or_overdue",
                    "decisions",
                    "challenged",
                    "evaluated",
                    "ended_early",
                ];
                !counted.contains(&key) || n.as_u64().is_none_or(|n| n == 0 || n >= 5)
            }
            _ => true,
        }
    }
    walk(report, "")
}

on_each_backend!(provision_gaps_and_what_if, the_managers_picture);
