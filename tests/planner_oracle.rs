//! The planner's objective against an exhaustive oracle on small random problems: every
//! assignment of at most one open candidate per relevant intervention that keeps every rule of a
//! plan (weekly hours, items at once, prerequisites in their window, assessments first) is
//! scored with the planner's own objective, and the best must equal the planner's when it
//! reports `optimal`. Every plan must also keep every hard rule, flag and review rule of the
//! contract (version 2, `check_hard_rules`). `PROPTEST_CASES` sets the number of cases (default
//! 128).

#[path = "support/problems.rs"]
mod problems;

use std::collections::BTreeMap;

use proptest::prelude::*;

use intervention_planner::domain::PlanningProblem;
use intervention_planner::domain::plan::SolverStatus;
use intervention_planner::planner::model::{self, Values};
use intervention_planner::planner::options::{self, Options};
use intervention_planner::planner::{self, PlannerSettings, fit};

use problems::{Size, check_hard_rules};

/// Assignments enumerated at most (cases above are skipped).
const MAX_ASSIGNMENTS: f64 = 200_000.0;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(128),
        max_global_rejects: 100_000,
        // Only the four files of this suite may be written: no regression files.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The best assignment found by brute force.
struct Best {
    value: f64,
    chosen: Vec<usize>,
    feasible_assignments: u64,
}

struct Search<'a> {
    options: &'a Options<'a>,
    values: &'a Values,
    /// Open candidates of each relevant intervention.
    per_intervention: Vec<Vec<usize>>,
    /// Order weeks each candidate overlaps (from the order start).
    weeks: Vec<(i64, i64)>,
    cap: f64,
    hours: BTreeMap<i64, f64>,
    chosen: Vec<Option<usize>>,
    best: Best,
}

impl Search<'_> {
    fn run(&mut self, i: usize) {
        if i == self.per_intervention.len() {
            self.leaf();
            return;
        }
        self.chosen[i] = None;
        self.run(i + 1);
        for n in 0..self.per_intervention[i].len() {
            let k = self.per_intervention[i][n];
            let weekly = self.options.interventions[i].weekly_hours();
            let (first, last) = self.weeks[k];
            // Weekly hours only grow as more is chosen: prune as soon as a week is over.
            let fits = (first..=last)
                .all(|w| self.hours.get(&w).copied().unwrap_or(0.0) + weekly <= self.cap + 1e-9);
            if !fits {
                continue;
            }
            for w in first..=last {
                *self.hours.entry(w).or_insert(0.0) += weekly;
            }
            self.chosen[i] = Some(k);
            self.run(i + 1);
            self.chosen[i] = None;
            for w in first..=last {
                *self.hours.get_mut(&w).unwrap() -= weekly;
            }
        }
    }

    fn leaf(&mut self) {
        let options = self.options;
        let chosen: Vec<usize> = self.chosen.iter().flatten().copied().collect();
        // Every rule of a plan: prerequisites in their window, items at once, assessments first.
        if fit::misfit(options, &chosen).is_some() {
            return;
        }
        self.best.feasible_assignments += 1;
        let value = model::objective_of(options, &chosen, self.values);
        if value > self.best.value + 1e-9 {
            self.best.value = value;
            self.best.chosen = chosen;
        }
    }
}

fn describe(options: &Options<'_>, chosen: &[usize]) -> Vec<String> {
    chosen
        .iter()
        .map(|&k| {
            let c = &options.candidates[k];
            format!(
                "{} via {} {}..{}",
                options.interventions[c.intervention].id,
                options.source_id(c),
                c.start,
                c.end
            )
        })
        .collect()
}

/// Runs the oracle; `None` when the problem has too many assignments to enumerate.
fn oracle(problem: &PlanningProblem, settings: &PlannerSettings) -> Option<(Best, String)> {
    // Exactly as planner::plan builds it.
    let problem = problem.validated().expect("a valid document");
    let setting = planner::setting_for(&problem, settings);
    let options = options::build(&setting);
    let values = planner::values_for(&problem, settings);
    let per_intervention: Vec<Vec<usize>> = (0..options.interventions.len())
        .map(|i| {
            options
                .open()
                .filter(|(_, c)| c.intervention == i)
                .map(|(k, _)| k)
                .collect()
        })
        .collect();
    let assignments: f64 = per_intervention
        .iter()
        .map(|ks| (ks.len() + 1) as f64)
        .product();
    if assignments > MAX_ASSIGNMENTS {
        return None;
    }
    let weeks = options
        .candidates
        .iter()
        .map(|c| {
            let weeks = options.weeks_of(c);
            (*weeks.start(), *weeks.end())
        })
        .collect();
    let n = options.interventions.len();
    let mut search = Search {
        options: &options,
        values: &values,
        per_intervention,
        weeks,
        cap: options.max_hours_per_week,
        hours: BTreeMap::new(),
        chosen: vec![None; n],
        best: Best {
            value: 0.0,
            chosen: vec![],
            feasible_assignments: 0,
        },
    };
    search.run(0);
    let best = search.best;
    let words = format!("{:?}", describe(&options, &best.chosen));
    Some((best, words))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn optimal_plans_have_the_exhaustive_best_objective(
        problem in problems::problem(Size::ORACLE)
    ) {
        let settings = PlannerSettings::default();
        let found = oracle(&problem, &settings);
        prop_assume!(found.is_some(), "too many assignments to enumerate");
        let (best, best_words) = found.unwrap();
        let plan = planner::plan(&problem, &settings).expect("plans");
        let text = serde_json::to_string(&problem).unwrap();
        let errs = check_hard_rules(&problem, &plan);
        prop_assert!(errs.is_empty(), "hard rules broken: {errs:?}\nproblem: {text}");
        // Nothing valid can beat the optimum, whatever the status.
        prop_assert!(
            plan.solver.objective <= best.value + 1e-6,
            "plan objective {} above the exhaustive best {} ({best_words})\nproblem: {text}",
            plan.solver.objective,
            best.value
        );
        if plan.solver.status == SolverStatus::Optimal {
            let planned: Vec<String> = plan
                .items
                .iter()
                .map(|i| format!("{} via {} {}..{}", i.intervention, i.provision, i.start, i.end))
                .collect();
            prop_assert!(
                (plan.solver.objective - best.value).abs() <= 1e-6,
                "optimal plan objective {} but the best of {} valid assignments is {}\n\
                 best: {best_words}\nplanned: {planned:?}\nproblem: {text}",
                plan.solver.objective,
                best.feasible_assignments,
                best.value
            );
        }
    }
}

/// The oracle itself on a case worked by hand: two interventions for one need compete for a
/// 3-hour week; the research-supported one wins, from the first week.
#[test]
fn oracle_agrees_with_a_hand_worked_case() {
    let problem: PlanningProblem = serde_json::from_value(serde_json::json!({
        "as_of": "2026-01-05",
        "young_person": {
            "reference": "YP-0001", "date_of_birth": "2010-04-02", "gender": "male",
            "needs": [{"need": "violence", "level": "high"}],
            "likelihood_of_reoffending": "high", "risk_of_serious_harm": "medium",
            "safety_and_wellbeing": "low", "max_hours_per_week": 3
        },
        "order": {"type": "referral_order", "start": "2026-01-05", "end": "2026-03-01"},
        "catalogue": {
            "needs": [{"id": "violence", "name": "Violence", "offending_related": true}],
            "interventions": [
                {"id": "strong", "name": "Strong", "category": "violence",
                 "addresses": ["violence"], "offending_focused": true, "format": "one_to_one",
                 "sessions": 4, "sessions_per_week": 1, "hours_per_session": 2,
                 "evidence": "research_supported"},
                {"id": "weak", "name": "Weak", "category": "violence",
                 "addresses": ["violence"], "offending_focused": true, "format": "one_to_one",
                 "sessions": 4, "sessions_per_week": 1, "hours_per_session": 2,
                 "evidence": "unrated"}
            ]
        },
        "provision": [
            {"id": "strong-rolling", "intervention": "strong", "rolling": true, "places": 2},
            {"id": "weak-rolling", "intervention": "weak", "rolling": true, "places": 2}
        ]
    }))
    .unwrap();
    let settings = PlannerSettings::default();
    let (best, words) = oracle(&problem, &settings).expect("small");
    // (coverage 1000 + research supported 12) × high 4 × offending-focused 5, − 8 hours.
    assert_eq!(best.value, (1000.0 + 12.0) * 4.0 * 5.0 - 8.0, "{words}");
    assert!(
        words.contains("strong via strong-rolling 2026-01-05"),
        "{words}"
    );
    let plan = planner::plan(&problem, &settings).unwrap();
    assert_eq!(plan.solver.status, SolverStatus::Optimal);
    assert_eq!(plan.solver.objective, best.value);
}
