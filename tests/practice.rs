//! The rules of practice (docs/planning.md §3), one test each, on a single plan and on the same
//! young person allocated as a caseload of one: both must keep every rule alike.

use serde_json::{Value, json};

use intervention_planner::allocation::{AllocationSettings, allocate};
use intervention_planner::domain::PlanningProblem;
use intervention_planner::domain::plan::{GapReason, Plan};
use intervention_planner::domain::problem::Caseload;
use intervention_planner::planner::text::{TextOptions, render};
use intervention_planner::planner::{self, PlannerSettings};

fn need(id: &str, offending_related: bool) -> Value {
    json!({"id": id, "name": id.replace('_', " "), "offending_related": offending_related})
}

/// An intervention with the contract's fields; `extra` adds or replaces any.
fn intervention(id: &str, addresses: &[&str], extra: Value) -> Value {
    let mut iv = json!({
        "id": id, "name": format!("The {}", id.replace('-', " ")), "category": "violence",
        "addresses": addresses, "offending_focused": true, "format": "one_to_one",
        "sessions": 4, "sessions_per_week": 1, "hours_per_session": 1.0, "evidence": "promising"
    });
    for (k, v) in extra.as_object().unwrap() {
        iv[k] = v.clone();
    }
    iv
}

fn rolling(id: &str, intervention: &str, extra: Value) -> Value {
    let mut p = json!({"id": id, "intervention": intervention, "provider": "YOS",
                       "area": "Holloway", "rolling": true, "places": 4});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

/// A 15-year-old boy on a 40-week referral order from 5 January 2026 (planned that day), at the
/// intensive level (10 hours, 4 items), with the given needs, catalogue and provision.
fn problem(needs: Value, catalogue_needs: Value, interventions: Value, provision: Value) -> Value {
    json!({
        "as_of": "2026-01-05",
        "young_person": {
            "reference": "YP-0001", "date_of_birth": "2010-04-02", "gender": "male",
            "needs": needs, "likelihood_of_reoffending": "high",
            "risk_of_serious_harm": "medium", "safety_and_wellbeing": "medium"
        },
        "order": {"type": "referral_order", "start": "2026-01-05", "end": "2026-10-11"},
        "catalogue": {"needs": catalogue_needs, "interventions": interventions},
        "provision": provision
    })
}

/// The plan of `doc` made alone, and made as a caseload of one.
fn plans(doc: &Value) -> Vec<Plan> {
    let problem: PlanningProblem = serde_json::from_value(doc.clone()).unwrap();
    let settings = PlannerSettings::default();
    let alone = planner::plan(&problem, &settings).expect("plans");
    let caseload = Caseload {
        as_of: problem.as_of,
        rivalries: problem.rivalries.clone(),
        catalogue: problem.catalogue.clone(),
        provision: problem.provision.clone(),
        cases: vec![
            serde_json::from_value(json!({
                "young_person": doc["young_person"], "order": doc["order"]
            }))
            .unwrap(),
        ],
    };
    // A limit no test machine reaches, so the answer never depends on the build's speed.
    let limits = AllocationSettings {
        time_limit_seconds: 60.0,
        ..AllocationSettings::default()
    };
    let allocated = allocate(&caseload, &settings, &limits)
        .expect("allocates")
        .plans
        .remove(0);
    vec![alone, allocated]
}

/// The plan of `doc` as `plan --format text` prints it.
fn text_of(doc: &Value) -> String {
    let problem: PlanningProblem = serde_json::from_value(doc.clone()).unwrap();
    let plan = planner::plan(&problem, &PlannerSettings::default()).expect("plans");
    render(&problem, &plan, &TextOptions { verbose: false })
}

fn items(plan: &Plan) -> Vec<&str> {
    plan.items.iter().map(|i| i.intervention.as_str()).collect()
}

fn item<'p>(plan: &'p Plan, id: &str) -> &'p intervention_planner::domain::plan::PlanItem {
    plan.items
        .iter()
        .find(|i| i.intervention == id)
        .unwrap_or_else(|| panic!("{id} not planned: {:?}", items(plan)))
}

fn gap<'p>(plan: &'p Plan, need: &str) -> &'p intervention_planner::domain::plan::Gap {
    plan.gaps
        .iter()
        .find(|g| g.need == need)
        .unwrap_or_else(|| panic!("no gap for {need}: {:?}", plan.gaps))
}

/// The plan's flag with this code; fails the test, listing the flags, when there is none.
fn the_flag<'p>(plan: &'p Plan, code: &str) -> &'p intervention_planner::domain::plan::Flag {
    plan.flags
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code} flag: {:?}", plan.flags))
}

fn flagged(plan: &Plan, code: &str) -> bool {
    plan.flags.iter().any(|f| f.code.as_str() == code)
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// One medium lifestyle need and a rolling unpaid work provision (a reparation item delivered
/// only under an unpaid work requirement), with `extra` fields on the intervention.
fn unpaid_work_problem(extra: Value) -> Value {
    let mut fields = json!({"delivered_under": ["yro:unpaid_work"], "category": "reparation"});
    for (k, v) in extra.as_object().unwrap() {
        fields[k] = v.clone();
    }
    problem(
        json!([{"need": "lifestyle", "level": "medium"}]),
        json!([need("lifestyle", true)]),
        json!([intervention("unpaid-work", &["lifestyle"], fields)]),
        json!([rolling("unpaid", "unpaid-work", json!({}))]),
    )
}

#[test]
fn unpaid_work_is_not_permitted_under_a_referral_order_but_is_under_a_yro_with_it() {
    let mut doc = unpaid_work_problem(json!({}));
    for plan in plans(&doc) {
        assert!(plan.items.is_empty(), "{:?}", items(&plan));
        let g = gap(&plan, "lifestyle");
        assert_eq!(g.reason, GapReason::NotPermitted);
        assert!(
            g.detail.contains("unpaid work requirement") && g.detail.contains("referral order"),
            "{}",
            g.detail
        );
    }
    // The action names who can change what the order permits: the panel for a referral order.
    assert!(
        text_of(&doc).contains("raise it with the youth offender panel"),
        "{}",
        text_of(&doc)
    );
    doc["order"] = json!({"type": "youth_rehabilitation_order", "start": "2026-01-05",
                          "end": "2026-10-11", "requirements": ["supervision", "unpaid_work"]});
    for plan in plans(&doc) {
        assert_eq!(items(&plan), vec!["unpaid-work"]);
        assert_eq!(plan.items[0].under.as_deref(), Some("yro:unpaid_work"));
        assert!(!flagged(&plan, "requirement_unplanned"), "{:?}", plan.flags);
    }
    doc["order"]["requirements"] = json!(["supervision", "activity"]);
    for plan in plans(&doc) {
        assert_eq!(gap(&plan, "lifestyle").reason, GapReason::NotPermitted);
        let flag = the_flag(&plan, "requirement_unplanned");
        assert!(flag.detail.contains("activity"), "{}", flag.detail);
    }
    // The court, for a youth rehabilitation order.
    assert!(
        text_of(&doc).contains("ask the court to amend the order's requirements"),
        "{}",
        text_of(&doc)
    );
}

#[test]
fn a_requirement_the_young_person_is_too_young_for_is_sent_back_to_the_court() {
    // Unpaid work is only for 16 or 17-year-olds; this young person is 15 for the whole order.
    let mut doc = unpaid_work_problem(json!({"min_age": 16}));
    doc["order"] = json!({"type": "youth_rehabilitation_order", "start": "2026-01-05",
                          "end": "2026-10-11", "requirements": ["supervision", "unpaid_work"]});
    doc["young_person"]["date_of_birth"] = json!("2011-01-01");
    for plan in plans(&doc) {
        assert!(plan.items.is_empty(), "{:?}", plan.items);
        let flag = the_flag(&plan, "requirement_unplanned");
        assert!(
            flag.detail
                .contains("cannot be delivered as the order stands")
                && flag.detail.contains("ask the court to amend it")
                && !flag.detail.contains("Plan it"),
            "{}",
            flag.detail
        );
    }
    // Old enough: the same order's requirement is simply planned.
    doc["young_person"]["date_of_birth"] = json!("2009-04-02");
    for plan in plans(&doc) {
        assert!(!flagged(&plan, "requirement_unplanned"), "{:?}", plan.flags);
    }
}

#[test]
fn a_detention_and_training_order_plans_from_the_licence_start() {
    let mut doc = problem(
        json!([{"need": "violence", "level": "high"}]),
        json!([need("violence", true)]),
        json!([intervention("anger", &["violence"], json!({}))]),
        json!([rolling("anger-rolling", "anger", json!({}))]),
    );
    doc["order"] =
        json!({"type": "detention_and_training_order", "start": "2026-01-05", "end": "2026-12-27"});
    for plan in plans(&doc) {
        // Halfway from 5 January to 27 December 2026 is 1 July; the first order week on or
        // after it starts 6 July.
        assert_eq!(item(&plan, "anger").start, date("2026-07-06"));
    }
    doc["order"]["licence_start"] = json!("2026-04-01");
    for plan in plans(&doc) {
        assert_eq!(item(&plan, "anger").start, date("2026-04-06"));
    }
}

#[test]
fn a_child_under_ten_on_the_order_start_is_refused_naming_the_field() {
    let mut doc = problem(json!([]), json!([]), json!([]), json!([]));
    doc["young_person"]["date_of_birth"] = json!("2016-03-01");
    let problem: PlanningProblem = serde_json::from_value(doc).unwrap();
    let err = planner::plan(&problem, &PlannerSettings::default()).unwrap_err();
    let planner::PlanError::Invalid(errors) = err else {
        panic!("expected invalid input")
    };
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.field == "young_person.date_of_birth"),
        "{errors:?}"
    );
}

#[test]
fn an_assessment_never_meets_a_need_but_is_planned_and_comes_first() {
    let interventions = json!([
        intervention("hsb-assessment", &["hsb"], json!({"kind": "assessment"})),
        intervention("hsb-treatment", &["hsb"], json!({"sessions": 12}))
    ]);
    let needs = json!([{"need": "hsb", "level": "high"}]);
    // Only the assessment is provided: it is planned, and the need is still a gap that says so.
    let doc = problem(
        needs.clone(),
        json!([need("hsb", true)]),
        interventions.clone(),
        json!([rolling("assess", "hsb-assessment", json!({}))]),
    );
    for plan in plans(&doc) {
        assert_eq!(items(&plan), vec!["hsb-assessment"]);
        assert!(plan.items[0].assessment && plan.items[0].addresses.is_empty());
        let g = gap(&plan, "hsb");
        assert_eq!(g.reason, GapReason::NoProvision);
        assert!(g.detail.contains("hsb assessment"), "{}", g.detail);
        assert!(flagged(&plan, "no_offending_focused_work"));
    }
    // With treatment provided, treatment follows the assessment's end.
    let doc = problem(
        needs,
        json!([need("hsb", true)]),
        interventions,
        json!([
            rolling("assess", "hsb-assessment", json!({})),
            rolling("treat", "hsb-treatment", json!({}))
        ]),
    );
    for plan in plans(&doc) {
        let (a, t) = (item(&plan, "hsb-assessment"), item(&plan, "hsb-treatment"));
        assert!(a.end < t.start, "{a:?} {t:?}");
        assert!(plan.gaps.is_empty());
    }
}

#[test]
fn an_assess_first_need_holds_back_every_other_item() {
    let doc = problem(
        json!([{"need": "speech", "level": "medium"}, {"need": "violence", "level": "high"}]),
        json!([
            {"id": "speech", "name": "Speech", "offending_related": false, "assess_first": true},
            need("violence", true)
        ]),
        json!([
            intervention(
                "screening",
                &["speech"],
                json!({"kind": "assessment", "sessions": 2})
            ),
            intervention("anger", &["violence"], json!({}))
        ]),
        json!([
            rolling("screen", "screening", json!({})),
            rolling("anger-rolling", "anger", json!({}))
        ]),
    );
    for plan in plans(&doc) {
        let (s, a) = (item(&plan, "screening"), item(&plan, "anger"));
        assert!(s.end < a.start, "{s:?} {a:?}");
        assert!(
            a.rationale.contains("after The screening ends"),
            "the rationale says what it waits for: {}",
            a.rationale
        );
    }
}

#[test]
fn the_case_manager_delivers_work_a_barred_child_cannot_get_elsewhere() {
    let mut doc = problem(
        json!([{"need": "vehicle", "level": "high"}]),
        json!([need("vehicle", true)]),
        json!([
            intervention("motor-project", &["vehicle"], json!({"format": "group"})),
            intervention(
                "vehicle-casework",
                &["vehicle"],
                json!({"delivered_by": "case_manager"})
            )
        ]),
        json!([rolling("motor", "motor-project", json!({}))]),
    );
    doc["young_person"]["exclusions"] =
        json!([{"intervention": "motor-project", "by": "police", "reason": "intelligence"}]);
    for plan in plans(&doc) {
        assert_eq!(items(&plan), vec!["vehicle-casework"]);
        assert_eq!(plan.items[0].provision, "case_manager");
        assert!(plan.gaps.is_empty());
        assert!(!flagged(&plan, "no_offending_focused_work"));
    }
}

#[test]
fn outreach_is_not_blocked_by_an_unsafe_area_but_a_centre_is() {
    let mut doc = problem(
        json!([{"need": "emotional", "level": "medium"}, {"need": "vehicle", "level": "medium"}]),
        json!([need("emotional", false), need("vehicle", true)]),
        json!([
            intervention("camhs", &["emotional"], json!({"offending_focused": false})),
            intervention("motor-project", &["vehicle"], json!({}))
        ]),
        json!([
            rolling(
                "camhs-fp",
                "camhs",
                json!({"area": "Finsbury Park", "outreach": true})
            ),
            rolling(
                "motor-fp",
                "motor-project",
                json!({"area": "Finsbury Park"})
            )
        ]),
    );
    doc["young_person"]["unsafe_areas"] = json!(["Finsbury Park"]);
    for plan in plans(&doc) {
        assert_eq!(items(&plan), vec!["camhs"]);
        assert!(
            item(&plan, "camhs")
                .rationale
                .contains("seen where the young person is")
        );
        assert_eq!(gap(&plan, "vehicle").reason, GapReason::Unsafe);
    }
}

#[test]
fn a_referral_wait_delays_the_start_and_can_make_it_too_late() {
    let mut doc = problem(
        json!([{"need": "violence", "level": "high"}]),
        json!([need("violence", true)]),
        json!([intervention("anger", &["violence"], json!({}))]),
        json!([rolling("anger-rolling", "anger", json!({"wait_days": 30}))]),
    );
    for plan in plans(&doc) {
        // 5 January + 30 days is 4 February; the next order week starts 9 February.
        assert_eq!(item(&plan, "anger").start, date("2026-02-09"));
        let why = &item(&plan, "anger").rationale;
        assert!(why.contains("after the referral wait of 30 days"), "{why}");
        assert!(!why.contains("no place free"), "{why}");
    }
    doc["provision"][0]["wait_days"] = json!(270);
    for plan in plans(&doc) {
        let g = gap(&plan, "violence");
        assert_eq!(g.reason, GapReason::NoCapacity);
        assert!(
            g.detail.contains("referral wait of 270 days"),
            "{}",
            g.detail
        );
    }
}

#[test]
fn work_that_continues_after_the_order_may_end_after_it() {
    let mut doc = problem(
        json!([{"need": "emotional", "level": "high"}]),
        json!([need("emotional", false)]),
        json!([intervention(
            "camhs",
            &["emotional"],
            json!({"offending_focused": false, "sessions": 12, "continues_after_order": true})
        )]),
        json!([rolling(
            "camhs-rolling",
            "camhs",
            json!({"places": 1, "participants": [
            {"reference": "YP-0100", "until": "2026-09-20"}]})
        )]),
    );
    for plan in plans(&doc) {
        let camhs = item(&plan, "camhs");
        assert!(camhs.end > date("2026-10-11") && camhs.start <= date("2026-09-27"));
        assert!(
            camhs
                .rationale
                .contains("an earlier start finds no place free for all its weeks"),
            "{}",
            camhs.rationale
        );
        assert!(
            plan.reviews
                .iter()
                .any(|r| r.intervention.as_deref() == Some("camhs") && r.due == date("2026-10-11")),
            "outcome review on the order's end: {:?}",
            plan.reviews
        );
    }
    doc["catalogue"]["interventions"][0]["continues_after_order"] = json!(false);
    // Not marked as continuing: the only place frees too late to finish within the order.
    for plan in plans(&doc) {
        assert_eq!(gap(&plan, "emotional").reason, GapReason::NoCapacity);
    }
}

#[test]
fn the_standard_level_keeps_three_hours_and_two_items_a_week() {
    let mut doc = problem(
        json!([{"need": "a", "level": "medium"}, {"need": "b", "level": "medium"},
               {"need": "c", "level": "medium"}]),
        json!([need("a", true), need("b", true), need("c", false)]),
        json!([
            intervention("work-a", &["a"], json!({})),
            intervention("work-b", &["b"], json!({})),
            intervention("work-c", &["c"], json!({"offending_focused": false}))
        ]),
        json!([
            rolling("pa", "work-a", json!({})),
            rolling("pb", "work-b", json!({})),
            rolling("pc", "work-c", json!({}))
        ]),
    );
    doc["young_person"]["likelihood_of_reoffending"] = json!("low");
    doc["young_person"]["risk_of_serious_harm"] = json!("low");
    for plan in plans(&doc) {
        assert_eq!(plan.items.len(), 3);
        let overlapping = |day: chrono::NaiveDate| {
            plan.items
                .iter()
                .filter(|i| i.start <= day && day <= i.end)
                .count()
        };
        let mut day = date("2026-01-05");
        while day < date("2026-10-11") {
            assert!(overlapping(day) <= 2, "more than 2 items on {day}");
            day += chrono::Duration::days(7);
        }
        let late = item(&plan, "work-c");
        assert!(
            late.rationale
                .contains("pieces of work at once, above the limit of 2"),
            "{}",
            late.rationale
        );
    }
    // The young person's own limit overrides the level's.
    doc["young_person"]["max_concurrent_items"] = json!(3);
    for plan in plans(&doc) {
        assert!(plan.items.iter().all(|i| i.start == date("2026-01-05")));
        assert!(
            plan.items.iter().all(|i| !i.rationale.contains("at once")),
            "no limit was in the way"
        );
    }
}

#[test]
fn a_prerequisite_ends_at_most_six_weeks_before_what_it_prepares() {
    let doc = problem(
        json!([{"need": "weapons", "level": "high"}]),
        json!([need("weapons", true)]),
        json!([
            intervention(
                "motivation",
                &[],
                json!({"sessions": 2, "delivered_by": "case_manager"})
            ),
            intervention(
                "knife-crime",
                &["weapons"],
                json!({"format": "group", "requires": ["motivation"]})
            )
        ]),
        json!([{"id": "kcp", "intervention": "knife-crime", "starts": ["2026-06-01"], "places": 8}]),
    );
    for plan in plans(&doc) {
        let (m, k) = (item(&plan, "motivation"), item(&plan, "knife-crime"));
        assert!(
            m.end < k.start && (k.start - m.end).num_days() <= 43,
            "{m:?} {k:?}"
        );
    }
}

#[test]
fn reviews_are_listed_from_today() {
    let mut doc = problem(
        json!([{"need": "violence", "level": "high"}]),
        json!([need("violence", true)]),
        json!([intervention("anger", &["violence"], json!({}))]),
        json!([rolling("anger-rolling", "anger", json!({}))]),
    );
    doc["as_of"] = json!("2026-05-04");
    for plan in plans(&doc) {
        assert!(plan.reviews.iter().all(|r| r.due >= date("2026-05-04")));
        let plan_reviews: Vec<_> = plan
            .reviews
            .iter()
            .filter(|r| r.intervention.is_none())
            .map(|r| r.due)
            .collect();
        // Every 12 weeks from 5 January: 30 March (past), 22 June, 14 September; and the end.
        assert_eq!(
            plan_reviews,
            vec![date("2026-06-22"), date("2026-09-14"), date("2026-10-11")]
        );
    }
}

#[test]
fn offending_work_flags_are_sharp_and_transition_at_18_gives_the_date() {
    let mut doc = problem(
        json!([{"need": "violence", "level": "medium"}]),
        json!([need("violence", true), need("motivation", true)]),
        json!([intervention("motivational", &["motivation"], json!({}))]),
        json!([rolling("mot", "motivational", json!({}))]),
    );
    doc["young_person"]["date_of_birth"] = json!("2008-09-01");
    for plan in plans(&doc) {
        // Motivational work addresses none of this child's offending needs: it does not count.
        assert!(
            flagged(&plan, "no_offending_focused_work"),
            "{:?}",
            plan.flags
        );
        let t = the_flag(&plan, "transition_at_18");
        assert!(t.detail.contains("1 September 2026"), "{}", t.detail);
        assert!(
            flagged(&plan, "requirement_unplanned"),
            "no reparation in a referral order"
        );
    }
}

#[test]
fn the_hours_phrase_appears_only_when_hours_held_the_item_back() {
    let doc = problem(
        json!([{"need": "a", "level": "high"}, {"need": "b", "level": "medium"}]),
        json!([need("a", true), need("b", true)]),
        json!([
            intervention("work-a", &["a"], json!({"hours_per_session": 6.0})),
            intervention("work-b", &["b"], json!({"hours_per_session": 6.0}))
        ]),
        json!([
            rolling("pa", "work-a", json!({})),
            rolling("pb", "work-b", json!({}))
        ]),
    );
    for plan in plans(&doc) {
        let (a, b) = (item(&plan, "work-a"), item(&plan, "work-b"));
        assert_eq!(a.start, date("2026-01-05"));
        assert!(!a.rationale.contains("above the limit"), "{}", a.rationale);
        assert!(
            !b.rationale.contains("referral wait") && !b.rationale.contains("no place free"),
            "{}",
            b.rationale
        );
        assert!(b.start > a.end);
        assert!(
            b.rationale
                .contains("12 hours a week, above the limit of 10 hours"),
            "{}",
            b.rationale
        );
    }
}

#[test]
fn work_ending_long_before_the_order_asks_the_review_to_plan_what_follows() {
    let needs = json!([{"need": "violence", "level": "high"}]);
    let catalogue_needs = json!([need("violence", true)]);
    // A 4-week programme in a 40-week order: 36 weeks with nothing planned.
    let short = problem(
        needs.clone(),
        catalogue_needs.clone(),
        json!([intervention("violence-work", &["violence"], json!({}))]),
        json!([rolling("violence-rolling", "violence-work", json!({}))]),
    );
    for plan in plans(&short) {
        assert_eq!(item(&plan, "violence-work").end, date("2026-02-01"));
        let flag = the_flag(&plan, "work_ends_early");
        assert!(
            flag.detail.contains("1 February 2026")
                && flag.detail.contains("36 weeks")
                && flag.detail.contains("11 October 2026")
                && flag.detail.contains("plan review on"),
            "{}",
            flag.detail
        );
    }
    // The same work over 36 weeks ends within 12 weeks of the order's end: no flag.
    let long = problem(
        needs,
        catalogue_needs,
        json!([intervention(
            "violence-work",
            &["violence"],
            json!({"sessions": 36})
        )]),
        json!([rolling("violence-rolling", "violence-work", json!({}))]),
    );
    for plan in plans(&long) {
        assert_eq!(item(&plan, "violence-work").end, date("2026-09-13"));
        assert!(!flagged(&plan, "work_ends_early"), "{:?}", plan.flags);
    }
}

#[test]
fn a_preparation_session_alone_never_counts_as_the_referral_orders_reparation() {
    let interventions = json!([
        intervention(
            "reparation-preparation",
            &[],
            json!({
                "category": "reparation", "sessions": 1, "offending_focused": true
            })
        ),
        intervention(
            "community-reparation",
            &["victim_awareness"],
            json!({
                "category": "reparation", "sessions": 6, "hours_per_session": 3.0,
                "requires": ["reparation-preparation"]
            })
        ),
    ]);
    let provision = json!([
        rolling("prep-rolling", "reparation-preparation", json!({})),
        rolling("reparation-rolling", "community-reparation", json!({})),
    ]);
    let needs = json!([{"need": "victim_awareness", "level": "medium"}]);
    let catalogue_needs = json!([need("victim_awareness", true)]);
    // With room, the reparation itself is planned, its preparation before it.
    let roomy = problem(
        needs.clone(),
        catalogue_needs.clone(),
        interventions.clone(),
        provision.clone(),
    );
    for plan in plans(&roomy) {
        assert!(
            item(&plan, "reparation-preparation").end < item(&plan, "community-reparation").start
        );
        assert!(!flagged(&plan, "requirement_unplanned"), "{:?}", plan.flags);
    }
    // A 2-hour week cannot hold the 3-hour reparation: the one-hour preparation is not planned
    // in its place, and the plan says the reparation is missing.
    let mut tight = problem(needs, catalogue_needs, interventions, provision);
    tight["young_person"]["max_hours_per_week"] = json!(2);
    for plan in plans(&tight) {
        assert!(plan.items.is_empty(), "{:?}", items(&plan));
        let flag = the_flag(&plan, "requirement_unplanned");
        assert!(flag.detail.contains("reparation"), "{}", flag.detail);
    }
}

#[test]
fn an_order_outside_the_laws_limits_is_planned_as_given_and_flagged() {
    let needs = json!([{"need": "violence", "level": "medium"}]);
    let doc = |end: &str| {
        let mut d = problem(
            needs.clone(),
            json!([need("violence", true)]),
            json!([intervention("violence-work", &["violence"], json!({}))]),
            json!([rolling("violence-rolling", "violence-work", json!({}))]),
        );
        d["order"]["end"] = json!(end);
        d
    };
    // A referral order runs 3 to 12 months: 40 weeks is within, 8 weeks and 18 months are not.
    for plan in plans(&doc("2026-10-11")) {
        assert!(!flagged(&plan, "order_outside_limits"), "{:?}", plan.flags);
    }
    for (end, length) in [("2026-03-01", "8 weeks"), ("2027-07-04", "78 weeks")] {
        for plan in plans(&doc(end)) {
            assert!(!plan.items.is_empty(), "planned as given");
            let flag = the_flag(&plan, "order_outside_limits");
            assert!(
                flag.detail.contains("3 to 12 months") && flag.detail.contains(length),
                "{}",
                flag.detail
            );
        }
    }
}
