//! How long one plan takes on realistic single problems: a catalogue of 60 interventions over
//! 20 needs, most of them provided locally, and a young person with 4–7 needs.
//!
//! `cargo bench --bench planner -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;

use chrono::{Duration, Months, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use intervention_planner::domain::PlanningProblem;
use intervention_planner::planner::{self, PlannerSettings};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const NEEDS: usize = 20;
const INTERVENTIONS: usize = 60;
const CATEGORIES: [&str; 10] = [
    "gang_exit",
    "knife_crime",
    "emotional_health",
    "vehicle_crime",
    "reparation",
    "substance_misuse",
    "violence",
    "ete",
    "family",
    "victim_awareness",
];
const AREAS: [&str; 4] = ["Holloway", "Finsbury Park", "Archway", "Highbury"];

fn catalogue(rng: &mut Rng) -> Value {
    let needs: Vec<Value> = (0..NEEDS)
        .map(|k| {
            json!({"id": format!("need_{k:02}"), "name": format!("Need {k}"),
                   "offending_related": k % 2 == 0})
        })
        .collect();
    let interventions: Vec<Value> = (0..INTERVENTIONS)
        .map(|k| {
            let n_addresses = rng.range(1, 3);
            let mut addresses: Vec<String> = (0..n_addresses)
                .map(|_| format!("need_{:02}", rng.range(0, NEEDS as i64 - 1)))
                .collect();
            addresses.sort();
            addresses.dedup();
            // About 20% require one or two earlier entries: acyclic by construction.
            let requires: Vec<String> = if k > 0 && rng.chance(20) {
                let mut r: Vec<String> = (0..rng.range(1, 2))
                    .map(|_| format!("iv-{:02}", rng.range(0, k as i64 - 1)))
                    .collect();
                r.sort();
                r.dedup();
                r
            } else {
                vec![]
            };
            let format = match rng.range(0, 99) {
                0..=39 => "group",
                40..=84 => "one_to_one",
                _ => "family",
            };
            let mut iv = json!({
                "id": format!("iv-{k:02}"),
                "name": format!("Intervention {k}"),
                "category": rng.pick(&CATEGORIES),
                "addresses": addresses,
                "offending_focused": rng.chance(50),
                "format": format,
                "sessions": rng.range(4, 16),
                "sessions_per_week": rng.range(1, 2),
                "hours_per_session": *rng.pick(&[1.0, 1.5, 2.0]),
                "requires": requires,
                "evidence": rng.pick(&["research_supported", "promising", "emerging", "unrated"]),
            });
            if rng.chance(25) {
                iv["min_age"] = json!(rng.range(10, 13));
            }
            if rng.chance(25) {
                iv["max_age"] = json!(rng.range(17, 18));
            }
            if rng.chance(10) {
                iv["max_risk_of_serious_harm"] = json!("high");
            }
            iv
        })
        .collect();
    json!({"needs": needs, "interventions": interventions})
}

/// Provision for the first `provided` interventions: 15 cohort provisions (every third of the
/// first 45, with 1–3 starts in the first three quarters of the order), the rest rolling.
fn provision(rng: &mut Rng, provided: usize, as_of: NaiveDate, order_days: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let weeks = (order_days / 7).max(1);
    for k in 0..provided {
        let id = format!("iv-{k:02}");
        let area = rng.pick(&AREAS);
        let cohort = k % 3 == 1 && k < 45;
        let places = rng.range(4, 12);
        let participants: Vec<Value> = (0..rng.range(0, 3))
            .map(|m| {
                json!({"reference": format!("YP-{k}{m}"),
                       "gang_affiliations": if rng.chance(20) { vec!["Group B"] } else { vec![] }})
            })
            .collect();
        if cohort {
            let mut starts: Vec<NaiveDate> = (0..rng.range(1, 3))
                .map(|_| as_of + Duration::days(7 * rng.range(0, (weeks * 3 / 4).max(1) - 1)))
                .collect();
            starts.sort();
            starts.dedup();
            let participants: Vec<Value> = participants
                .into_iter()
                .map(|mut p| {
                    p["start"] = json!(starts[0]);
                    p
                })
                .collect();
            out.push(json!({
                "id": format!("cohort-{k:02}"), "intervention": id, "provider": "YOS",
                "area": area, "starts": starts, "places": places, "participants": participants,
            }));
        } else {
            out.push(json!({
                "id": format!("rolling-{k:02}"), "intervention": id, "provider": "YOS",
                "area": area, "rolling": true, "places": places, "participants": participants,
            }));
        }
    }
    out
}

/// One young person, 15, with 4–7 needs, on an order from `as_of` to `end`.
fn problem(
    seed: u64,
    order_end: impl Fn(NaiveDate) -> NaiveDate,
    provided: usize,
) -> PlanningProblem {
    let mut rng = Rng(seed);
    let as_of = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let end = order_end(as_of);
    let catalogue = catalogue(&mut rng);
    let provision = provision(&mut rng, provided, as_of, (end - as_of).num_days() + 1);
    // The young person comes from a stream of their own: every scenario plans the same child.
    let mut rng = Rng(seed ^ 0xF00D);
    let count = rng.range(4, 7) as usize;
    let mut needs: Vec<i64> = Vec::new();
    while needs.len() < count {
        let n = rng.range(0, NEEDS as i64 - 1);
        if !needs.contains(&n) {
            needs.push(n);
        }
    }
    let levels = ["low", "medium", "high"];
    let needs: Vec<Value> = needs
        .iter()
        .map(|n| json!({"need": format!("need_{n:02}"), "level": rng.pick(&levels)}))
        .collect();
    let document = json!({
        "as_of": as_of,
        "young_person": {
            "reference": "YP-0001",
            "date_of_birth": "2010-04-02",
            "gender": "male",
            "needs": needs,
            "likelihood_of_reoffending": "high",
            "risk_of_serious_harm": "medium",
            "safety_and_wellbeing": "medium",
            "gang_affiliations": ["Group A"],
            "unsafe_areas": ["Highbury"],
            "max_hours_per_week": 6,
        },
        "order": {"type": "youth_rehabilitation_order", "start": as_of, "end": end},
        "rivalries": [["Group A", "Group B"]],
        "catalogue": catalogue,
        "provision": provision,
    });
    let problem: PlanningProblem = serde_json::from_value(document).expect("a valid document");
    problem.validate().expect("a valid document");
    problem
}

fn months(n: u32) -> impl Fn(NaiveDate) -> NaiveDate {
    move |d| d + Months::new(n) - Duration::days(1)
}

fn scenarios() -> Vec<(&'static str, PlanningProblem)> {
    const SEED: u64 = 0x5EED_2026_0105;
    vec![
        (
            "52_weeks_60_interventions",
            problem(SEED, |d| d + Duration::days(7 * 52 - 1), INTERVENTIONS),
        ),
        ("3_months", problem(SEED, months(3), 45)),
        ("12_months", problem(SEED, months(12), 45)),
        ("24_months", problem(SEED, months(24), 45)),
    ]
}

fn bench_plans(c: &mut Criterion) {
    let settings = PlannerSettings::default();
    let mut group = c.benchmark_group("plan");
    for (name, problem) in scenarios() {
        let plan = planner::plan(&problem, &settings).expect("plans");
        eprintln!(
            "plan/{name}: {} needs, {} model variables, {} constraints; {} items, {} gaps, \
             status {:?}, objective {}, first run {:.4} s",
            problem.young_person.needs.len(),
            plan.solver.variables,
            plan.solver.constraints,
            plan.items.len(),
            plan.gaps.len(),
            plan.solver.status,
            plan.solver.objective,
            plan.solver.seconds
        );
        for gap in &plan.gaps {
            eprintln!("  gap {} ({:?}): {}", gap.need, gap.reason, gap.detail);
        }
        // PLANNER_BENCH_DUMP=dir writes each problem and its plan, to replay with the CLI.
        if let Some(dir) = std::env::var_os("PLANNER_BENCH_DUMP") {
            let dir = std::path::PathBuf::from(dir);
            let write = |file: String, value: String| {
                std::fs::write(dir.join(file), value).expect("writes the dump");
            };
            write(
                format!("{name}.problem.json"),
                serde_json::to_string_pretty(&problem).unwrap(),
            );
            write(
                format!("{name}.plan.json"),
                serde_json::to_string_pretty(&plan).unwrap(),
            );
        }
        group.bench_function(name, |b| {
            b.iter(|| planner::plan(black_box(&problem), &settings).expect("plans"))
        });
    }
    group.finish();
}

/// Many different young people (each with their own catalogue and provision draw) on 52-week
/// orders over 60 interventions: each plan timed on its own (best of 3, to leave out the
/// machine's hiccups but keep each problem's own cost), then the distribution across them.
fn bench_distribution(c: &mut Criterion) {
    let settings = PlannerSettings::default();
    let problems: Vec<PlanningProblem> = (0..200u64)
        .map(|seed| {
            problem(
                0xD15_7000 + seed,
                |d| d + Duration::days(7 * 52 - 1),
                INTERVENTIONS,
            )
        })
        .collect();
    let mut times: Vec<f64> = problems
        .iter()
        .map(|p| {
            (0..3)
                .map(|_| {
                    let started = std::time::Instant::now();
                    black_box(planner::plan(black_box(p), &settings).expect("plans"));
                    started.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    // PLANNER_BENCH_DUMP=dir also writes the six slowest problems, slowest first, to study.
    if let Some(dir) = std::env::var_os("PLANNER_BENCH_DUMP") {
        let mut by_time: Vec<usize> = (0..times.len()).collect();
        by_time.sort_by(|a, b| times[*b].total_cmp(&times[*a]));
        for (rank, &k) in by_time.iter().take(6).enumerate() {
            let path = std::path::PathBuf::from(&dir)
                .join(format!("slowest-{}-52-weeks.problem.json", rank + 1));
            eprintln!(
                "slowest {}: {:.1} ms, {}",
                rank + 1,
                times[k] * 1e3,
                path.display()
            );
            std::fs::write(path, serde_json::to_string_pretty(&problems[k]).unwrap())
                .expect("writes the dump");
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize] * 1e3;
    eprintln!(
        "plan/52_weeks_200_young_people: median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    let mut next = 0;
    c.bench_function("plan/52_weeks_200_young_people_cycled", |b| {
        b.iter(|| {
            next = (next + 1) % problems.len();
            planner::plan(black_box(&problems[next]), &settings).expect("plans")
        })
    });
}

criterion_group!(benches, bench_plans, bench_distribution);
criterion_main!(benches);
