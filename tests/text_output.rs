//! `plan --format text`: the plan a case manager pastes into a report, as snapshots of the
//! example problem and two demo children, and the rules every rendering keeps (names not ids,
//! right plurals, solver figures only with `--verbose`). `UPDATE_SNAPSHOTS=1` rewrites them.

use std::path::{Path, PathBuf};

use intervention_planner::catalogue_files;
use intervention_planner::domain::problem::Caseload;
use intervention_planner::domain::{PlanningProblem, Provision};
use intervention_planner::planner::text::{TextOptions, render};
use intervention_planner::planner::{self, PlannerSettings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn provision(team: &str) -> Vec<Provision> {
    let text =
        std::fs::read_to_string(root().join(format!("catalogue/demo/provision-{team}.json")))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn complete(mut problem: PlanningProblem, team: &str) -> PlanningProblem {
    problem.catalogue = Some(catalogue_files::load_dir(&root().join("catalogue")).unwrap());
    problem.provision = Some(provision(team));
    problem
}

fn demo_child(team: &str, k: usize) -> PlanningProblem {
    let text = std::fs::read_to_string(root().join(format!("catalogue/demo/caseload-{team}.json")))
        .unwrap();
    let caseload: Caseload = serde_json::from_str(&text).unwrap();
    let case = caseload.cases[k].clone();
    complete(
        PlanningProblem {
            as_of: caseload.as_of,
            young_person: case.young_person,
            order: case.order,
            rivalries: caseload.rivalries,
            catalogue: None,
            provision: None,
            keep: Vec::new(),
        },
        team,
    )
}

fn example() -> PlanningProblem {
    let text = std::fs::read_to_string(root().join("catalogue/demo/example-problem.json")).unwrap();
    complete(serde_json::from_str(&text).unwrap(), "demo-a")
}

fn snapshot(name: &str, rendered: &str) {
    let path: PathBuf = root().join("tests/snapshots").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_SNAPSHOTS=1", path.display()));
    assert_eq!(rendered, expected, "{name} differs from its snapshot");
}

fn check(name: &str, problem: PlanningProblem) {
    let plan = planner::plan(&problem, &PlannerSettings::default()).unwrap();
    let text = render(&problem, &plan, &TextOptions { verbose: false });
    // Names, not ids: no provision id and no intervention id appears.
    for p in problem.provision.iter().flatten() {
        assert!(
            !text.contains(&format!("({})", p.id)),
            "{name}: provision id {} shown",
            p.id
        );
    }
    for item in &plan.items {
        assert!(
            !text.contains(&item.intervention),
            "{name}: id {} shown",
            item.intervention
        );
    }
    for wrong in ["1 weeks", "1 hours", "1 days", " a activity", "an a "] {
        assert!(!text.contains(wrong), "{name}: '{wrong}'");
    }
    assert!(
        !text.contains("Solver:"),
        "{name}: solver figures without --verbose"
    );
    let verbose = render(&problem, &plan, &TextOptions { verbose: true });
    assert!(verbose.contains("Solver: optimal"), "{name}");
    snapshot(name, &text);
}

#[test]
fn the_example_problem_reads_as_a_report() {
    check("example-problem", example());
}

#[test]
fn a_demo_a_child_with_exploitation_reads_as_a_report() {
    check("demo-a-child-04", demo_child("demo-a", 3));
}

#[test]
fn a_demo_b_child_on_a_youth_rehabilitation_order_reads_as_a_report() {
    check("demo-b-child-01", demo_child("demo-b", 0));
}

/// The `[offending-focused]` tag is true wherever it appears: over every demo child, it marks
/// exactly the offending-focused items that meet a need linked to offending (as the
/// `no_offending_focused_work` flag counts them), so the tag and the flag never contradict.
#[test]
fn the_offending_focused_tag_marks_only_work_on_a_need_linked_to_offending() {
    let flag = "no offending-focused work on them is planned";
    let (mut tagged, mut untagged_offending_focused) = (0, 0);
    for team in ["demo-a", "demo-b"] {
        let text =
            std::fs::read_to_string(root().join(format!("catalogue/demo/caseload-{team}.json")))
                .unwrap();
        let cases = serde_json::from_str::<Caseload>(&text).unwrap().cases.len();
        for k in 0..cases {
            let problem = demo_child(team, k);
            let plan = planner::plan(&problem, &PlannerSettings::default()).unwrap();
            let text = render(&problem, &plan, &TextOptions { verbose: false });
            let catalogue = problem.catalogue.as_ref().unwrap();
            let on_offending_need = |addresses: &[String]| {
                addresses
                    .iter()
                    .any(|n| catalogue.need(n).is_some_and(|d| d.offending_related))
            };
            let expected = plan
                .items
                .iter()
                .filter(|i| i.offending_focused && !i.assessment && on_offending_need(&i.addresses))
                .count();
            untagged_offending_focused += plan
                .items
                .iter()
                .filter(|i| i.offending_focused && !on_offending_need(&i.addresses))
                .count();
            let shown = text.matches("[offending-focused").count();
            assert_eq!(shown, expected, "{team} case {k}: tags\n{text}");
            if text.contains(flag) {
                assert_eq!(shown, 0, "{team} case {k}: tag beside the flag\n{text}");
            }
            tagged += shown;
        }
    }
    assert!(tagged > 0, "no demo child has offending-focused work");
    assert!(
        untagged_offending_focused > 0,
        "no demo child has offending-focused work on no offending need: the rule is not exercised"
    );
}
