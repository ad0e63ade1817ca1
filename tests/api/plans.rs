use serde_json::{Value, json};

use crate::helpers::{TestApp, repo_path};
use crate::on_each_backend;

fn scenarios() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.extend(
        std::fs::read_dir(repo_path("tests/scenarios"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path())),
    );
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn without_seconds(mut plan: Value) -> Value {
    plan["solver"].as_object_mut().unwrap().remove("seconds");
    plan
}

async fn scenarios_through_the_api(app: TestApp) {
    for case in scenarios() {
        let problem = &case["problem"];
        let response = app
            .post_json(&app.case_manager, "/api/v1/plans/preview", problem)
            .await;
        assert_eq!(response.status(), 200, "{}", case["name"]);
        let from_api: Value = response.json().await.unwrap();
        let parsed: intervention_planner::domain::PlanningProblem =
            serde_json::from_value(problem.clone()).unwrap();
        let direct = intervention_planner::planner::plan(&parsed, &Default::default()).unwrap();
        assert_eq!(
            without_seconds(from_api.clone()),
            without_seconds(serde_json::to_value(direct).unwrap()),
            "{}",
            case["name"]
        );
        let expect = &case["expect"];
        if let Some(gaps) = expect["gaps"].as_object() {
            for (need, reason) in gaps {
                let gap = from_api["gaps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|g| g["need"] == *need);
                assert_eq!(
                    gap.map(|g| &g["reason"]),
                    Some(reason),
                    "{}: {need}",
                    case["name"]
                );
            }
        }
        for item in expect["items_include"].as_array().into_iter().flatten() {
            assert!(
                from_api["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["intervention"] == *item),
                "{}: {item}",
                case["name"]
            );
        }
    }
}
on_each_backend!(
    every_scenario_holds_through_the_api,
    scenarios_through_the_api
);

async fn team_catalogue_fills_a_bare_document(app: TestApp) {
    let problem = json!({
        "as_of": "2026-12-07",
        "young_person": {"reference": "A-0999", "date_of_birth": "2010-05-01", "gender": "male",
            "needs": [{"need": "gang_involvement", "level": "high"}, {"need": "weapon_carrying", "level": "high"}],
            "likelihood_of_reoffending": "high", "risk_of_serious_harm": "medium", "safety_and_wellbeing": "medium",
            "gang_affiliations": ["Southside"]},
        "order": {"type": "youth_rehabilitation_order", "start": "2026-12-07", "end": "2027-12-06"},
        "rivalries": [["Northside", "Southside"]]
    });
    let response = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &problem)
        .await;
    assert_eq!(response.status(), 200);
    let plan: Value = response.json().await.unwrap();
    let gang = plan["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["need"] == "gang_involvement")
        .expect("gang gap");
    assert_eq!(gang["reason"], "no_provision", "{plan}");
    // The January knife-crime cohort holds a Northside member: a Southside child goes elsewhere.
    for item in plan["items"].as_array().unwrap() {
        if item["intervention"] == "knife-crime-programme" {
            assert_ne!(item["start"], "2027-01-11", "{plan}");
        }
    }
    // demo-b provides gang exit work.
    let response = app
        .post_json(
            &app.other_team_coordinator,
            "/api/v1/plans/preview",
            &problem,
        )
        .await;
    let plan: Value = response.json().await.unwrap();
    assert!(
        plan["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["need"] != "gang_involvement"),
        "{plan}"
    );
    // Each preview is in the audit trail.
    use intervention_planner::store::entities::audit_events;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("plan.preview"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.subject == "A-0999"));
}
on_each_backend!(
    a_document_without_catalogue_uses_the_teams,
    team_catalogue_fills_a_bare_document
);

async fn invalid_problem_names_the_field(app: TestApp) {
    let mut problem = scenarios()[0]["problem"].clone();
    problem["order"]["end"] = json!("2025-12-01");
    let response = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &problem)
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "order.end");

    let mut problem = scenarios()[0]["problem"].clone();
    problem["young_person"]["needs"][1]["level"] = json!("severe");
    let body: Value = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &problem)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["field"], "young_person.needs[1].level");

    let mut problem = scenarios()[0]["problem"].clone();
    problem["young_person"]["needs"][0]["need"] = json!("astrology");
    let body: Value = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &problem)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["field"], "young_person.needs[0].need");

    let mut problem = scenarios()[0]["problem"].clone();
    problem["as_of"] = json!("2026-13-40");
    let body: Value = app
        .post_json(&app.case_manager, "/api/v1/plans/preview", &problem)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["field"], "as_of");

    assert_eq!(
        app.post_json(&app.manager, "/api/v1/plans/preview", &problem)
            .await
            .status(),
        403
    );
}
on_each_backend!(
    an_invalid_planning_document_gets_422_naming_the_field,
    invalid_problem_names_the_field
);

async fn allocation_preview_uses_the_teams_provision(app: TestApp) {
    let caseload: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path("catalogue/demo/caseload-demo-a.json")).unwrap(),
    )
    .unwrap();
    assert!(caseload.get("provision").is_none());
    let response = app
        .post_json(&app.coordinator, "/api/v1/allocations/preview", &caseload)
        .await;
    assert_eq!(response.status(), 200);
    let allocation: Value = response.json().await.unwrap();
    let plans = allocation["plans"].as_array().unwrap();
    assert_eq!(plans.len(), caseload["cases"].as_array().unwrap().len());
    assert!(["optimal", "feasible"].contains(&allocation["solver"]["status"].as_str().unwrap()));
    // demo-a has no gang-exit provision: every gang-involved young person has that gap.
    for (case, plan) in caseload["cases"].as_array().unwrap().iter().zip(plans) {
        let gang = case["young_person"]["needs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["need"] == "gang_involvement");
        if gang {
            let gap = plan["gaps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["need"] == "gang_involvement")
                .unwrap();
            assert_eq!(gap["reason"], "no_provision");
        }
    }
    // No cohort is over-filled.
    for row in allocation["utilisation"].as_array().unwrap() {
        let used = row["held"].as_i64().unwrap() + row["allocated"].as_i64().unwrap();
        if row["rolling"] == false {
            assert!(used <= row["places"].as_i64().unwrap(), "{row}");
        }
    }
    assert_eq!(
        app.post_json(&app.case_manager, "/api/v1/allocations/preview", &caseload)
            .await
            .status(),
        403
    );
    let mut bad = caseload.clone();
    bad["cases"][3]["order"]["type"] = json!("life_sentence");
    let body: Value = app
        .post_json(&app.coordinator, "/api/v1/allocations/preview", &bad)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["field"], "cases[3].order.type");
}
on_each_backend!(
    an_allocation_preview_uses_the_teams_provision,
    allocation_preview_uses_the_teams_provision
);

async fn bookings_and_rivalries_are_planned_around(app: TestApp) {
    let sync = app
        .post_json(
            &app.coordinator,
            "/api/v1/provision/kcp-2027/cohorts/sync",
            &json!({}),
        )
        .await;
    assert!(sync.status().is_success(), "{}", sync.status());
    // The January cohort had 4 of 6 places held: two bookings fill it.
    for reference in ["A-0950", "A-0951"] {
        let booked = app
            .post_json(
                &app.coordinator,
                "/api/v1/cohorts/kcp-2027-20270111/bookings",
                &json!({"reference": reference, "gang_affiliations": []}),
            )
            .await;
        assert_eq!(booked.status(), 201);
    }
    let problem = |groups: Value| {
        json!({
            "as_of": "2026-12-07",
            "young_person": {"reference": "A-0997", "date_of_birth": "2010-05-01", "gender": "male",
                "needs": [{"need": "weapon_carrying", "level": "high"}],
                "likelihood_of_reoffending": "medium", "risk_of_serious_harm": "medium", "safety_and_wellbeing": "low",
                "gang_affiliations": groups,
                // The case manager's own weapons work would meet the need without a place.
                "exclusions": [{"intervention": "weapons-awareness-one-to-one", "by": "test", "reason": "places are what this test is about"}]},
            "order": {"type": "youth_rehabilitation_order", "start": "2026-12-07", "end": "2027-12-06"}
        })
    };
    let knife_starts = |plan: &Value| -> Vec<String> {
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["intervention"] == "knife-crime-programme")
            .map(|i| i["start"].as_str().unwrap().to_string())
            .collect()
    };
    let plan: Value = app
        .post_json(
            &app.case_manager,
            "/api/v1/plans/preview",
            &problem(json!([])),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        knife_starts(&plan),
        vec!["2027-04-19"],
        "the booked-out January cohort is not used: {plan}"
    );

    // A Westside member booked into April, and the team records Southside and Westside as rivals:
    // a Southside young person cannot join either cohort.
    let booked = app
        .post_json(
            &app.coordinator,
            "/api/v1/cohorts/kcp-2027-20270419/bookings",
            &json!({"reference": "A-0952", "gang_affiliations": ["Westside"]}),
        )
        .await;
    assert_eq!(booked.status(), 201);
    let put = app
        .client
        .put(app.url("/api/v1/rivalries"))
        .bearer_auth(&app.coordinator)
        .json(&json!({"rivalries": [["Southside", "Westside"]]}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let plan: Value = app
        .post_json(
            &app.case_manager,
            "/api/v1/plans/preview",
            &problem(json!(["Southside"])),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(knife_starts(&plan).is_empty(), "{plan}");
    let plan: Value = app
        .post_json(
            &app.case_manager,
            "/api/v1/plans/preview",
            &problem(json!(["Northside"])),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(knife_starts(&plan), vec!["2027-04-19"], "{plan}");
}
on_each_backend!(
    bookings_and_team_rivalries_reach_the_planner,
    bookings_and_rivalries_are_planned_around
);
