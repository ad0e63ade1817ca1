//! Shared by `planner_properties` and `planner_oracle` (included with `#[path]`):
//!
//! - [`problem`]: a proptest strategy for random but valid planning problems that carry their own
//!   catalogue and provision;
//! - [`check_hard_rules`]: every hard rule of CONTRACT §1–§2, mirroring `validate()` of
//!   `/work/shared/tools/check_plan.py` rule by rule (without the per-case expectations);
//! - [`expected_gap_reason`]: the contract's gap-reason cascade for a need the plan leaves
//!   uncovered, computed from first principles (not from the planner's options).
//!
//! The generator draws raw numbers and turns indices into ids modulo the number of things
//! generated, so shrinking moves towards small, simple problems.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use serde_json::{Value, json};

use intervention_planner::domain::catalogue::{Catalogue, Intervention};
use intervention_planner::domain::levels::{Evidence, Format, Level, OrderType, RiskLevel};
use intervention_planner::domain::plan::{Plan, ReviewKind, SolverStatus};
use intervention_planner::domain::problem::PlanningProblem;
use intervention_planner::domain::provision::{Participant, Provision};

pub const GROUPS: [&str; 3] = ["A", "B", "C"];
pub const AREAS: [&str; 3] = ["Holloway", "Finsbury Park", "Archway"];
pub const HOURS_PER_SESSION: [f64; 4] = [1.0, 1.5, 2.0, 3.0];
pub const HOURS_CAPS: [f64; 5] = [2.0, 3.0, 4.0, 6.0, 10.0];
pub const GENDERS: [&str; 3] = ["male", "female", "non_binary"];
/// The team default the checker applies when `max_hours_per_week` is absent (check_plan.py).
pub const DEFAULT_MAX_HOURS: f64 = 10.0;

/// How big the generated problems get.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Needs in the catalogue.
    pub needs: (usize, usize),
    pub interventions: (usize, usize),
    /// Provision entries per intervention (0..=this).
    pub max_provisions: usize,
    /// Order length in whole weeks (before trimming the last week by 0–3 days).
    pub order_weeks: (i64, i64),
    /// Needs of the young person (before removing duplicates).
    pub person_needs: (usize, usize),
    /// How often an intervention carries an eligibility limit (each of min age, max age, risk
    /// cap, genders), and a place already has participants, relative to the properties' mix.
    pub restrictions: f64,
}

impl Size {
    /// The sizes of the brief: 1–8 needs, 2–8 interventions, 0–2 provision each, 2–40 weeks.
    pub const PROPERTIES: Size = Size {
        needs: (1, 8),
        interventions: (2, 8),
        max_provisions: 2,
        order_weeks: (2, 40),
        person_needs: (1, 4),
        restrictions: 1.0,
    };
    /// For the exhaustive oracle: fewer needs and shorter orders (rolling provision offers one
    /// start per order week), and fewer eligibility limits and participants, so that more
    /// candidates are open and compete for hours and prerequisites. Blocked candidates prune the
    /// enumeration hard: about 1% of these exceed 200,000 assignments (and are skipped).
    pub const ORACLE: Size = Size {
        needs: (1, 5),
        interventions: (2, 8),
        max_provisions: 2,
        order_weeks: (2, 26),
        person_needs: (1, 4),
        restrictions: 0.4,
    };
}

// ---------------------------------------------------------------------------------------------
// Raw draws
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct RawParticipant {
    groups: Vec<usize>,
    cohort: usize,
    /// Until when a rolling place is held, in thousandths of the span from three weeks before
    /// `as_of` to the order's end (see `span_day`). In a provision with a single cohort, `Some`
    /// leaves the participant's `start` out instead.
    until: Option<i64>,
}

#[derive(Debug, Clone)]
struct RawProvision {
    rolling: bool,
    places: i64,
    area: usize,
    /// Cohort starts in thousandths of the span (see `span_day`), and whether to move the day
    /// to the Monday before it (`as_of` is a Monday).
    starts: Vec<(i64, bool)>,
    participants: Vec<RawParticipant>,
}

#[derive(Debug, Clone)]
struct RawIntervention {
    addresses: Vec<usize>,
    requires: Vec<usize>,
    format: Format,
    sessions: i64,
    sessions_per_week: i64,
    hours: usize,
    ages: (Option<i64>, Option<i64>),
    max_rosh: Option<RiskLevel>,
    genders: Option<Vec<&'static str>>,
    offending_focused: bool,
    evidence: Evidence,
    category: &'static str,
    provision: Vec<RawProvision>,
}

#[derive(Debug, Clone)]
struct RawPerson {
    /// Days before `as_of`.
    age_days: i64,
    gender: Option<&'static str>,
    needs: Vec<(usize, Level)>,
    likelihood: Level,
    rosh: RiskLevel,
    wellbeing: RiskLevel,
    gangs: Vec<usize>,
    unsafe_areas: Vec<usize>,
    exclusions: Vec<usize>,
    max_hours: Option<usize>,
    contingency: bool,
}

#[derive(Debug, Clone)]
struct RawOrder {
    /// Days after `as_of` (negative: before).
    offset: i64,
    weeks: i64,
    /// Days cut off the last week.
    trim: i64,
    kind: OrderType,
}

fn level() -> impl Strategy<Value = Level> {
    select(vec![Level::Low, Level::Medium, Level::High])
}

fn risk() -> impl Strategy<Value = RiskLevel> {
    select(vec![
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::VeryHigh,
    ])
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![
        2 => Just(Format::Group),
        2 => Just(Format::OneToOne),
        1 => Just(Format::Family),
    ]
}

fn evidence() -> impl Strategy<Value = Evidence> {
    select(vec![
        Evidence::ResearchSupported,
        Evidence::Promising,
        Evidence::Emerging,
        Evidence::Unrated,
    ])
}

fn order_type() -> impl Strategy<Value = OrderType> {
    select(vec![
        OrderType::CommunityResolution,
        OrderType::YouthCaution,
        OrderType::YouthConditionalCaution,
        OrderType::ReferralOrder,
        OrderType::YouthRehabilitationOrder,
        OrderType::DetentionAndTrainingOrder,
        OrderType::Proposed,
    ])
}

fn groups() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        1 => Just(vec![]),
        2 => vec(0..3usize, 1..=2),
    ]
}

/// A need, reduced modulo the catalogue's needs: mostly among the first three, so that needs
/// and the interventions addressing them meet often.
fn need_index() -> impl Strategy<Value = usize> {
    prop_oneof![0..3usize, 0..8usize]
}

fn raw_participant() -> impl Strategy<Value = RawParticipant> {
    (
        groups(),
        0..3usize,
        prop::option::weighted(0.5, 0i64..=1100),
    )
        .prop_map(|(groups, cohort, until)| RawParticipant {
            groups,
            cohort,
            until,
        })
}

fn raw_provision(size: Size) -> impl Strategy<Value = RawProvision> {
    let with_participants = ((100.0 * size.restrictions) as u32).max(1);
    (
        any::<bool>(),
        prop_oneof![1 => Just(0i64), 4 => 1i64..=3],
        0..AREAS.len(),
        vec((0i64..=1000, any::<bool>()), 1..=3),
        prop_oneof![
            200 => Just(vec![]),
            with_participants => vec(raw_participant(), 1..=3),
        ],
    )
        .prop_map(
            |(rolling, places, area, starts, participants)| RawProvision {
                rolling,
                places,
                area,
                starts,
                participants,
            },
        )
}

fn raw_intervention(size: Size) -> impl Strategy<Value = RawIntervention> {
    let r = size.restrictions;
    let addresses = prop_oneof![
        1 => Just(vec![]),
        5 => vec(need_index(), 1..=2),
    ];
    let requires = prop_oneof![
        4 => Just(vec![]),
        1 => vec(0..8usize, 1..=2),
    ];
    let ages = (
        prop::option::weighted(0.25 * r, 10i64..=16),
        prop::option::weighted(0.25 * r, 12i64..=18),
    );
    let genders =
        prop::option::weighted(0.15 * r, prop::sample::subsequence(GENDERS.to_vec(), 1..=2));
    let category = select(vec![
        "gang_exit",
        "knife_crime",
        "emotional_health",
        "vehicle_crime",
        "reparation",
    ]);
    (
        (addresses, requires, format()),
        (1i64..=8, 1i64..=2, 0..HOURS_PER_SESSION.len()),
        (ages, prop::option::weighted(0.2 * r, risk()), genders),
        (any::<bool>(), evidence(), category),
        prop_oneof![
            1 => Just(vec![]),
            4 => vec(raw_provision(size), 1..=size.max_provisions.max(1)),
        ],
    )
        .prop_map(
            |(
                (addresses, requires, format),
                (sessions, sessions_per_week, hours),
                (ages, max_rosh, genders),
                (offending_focused, evidence, category),
                provision,
            )| RawIntervention {
                addresses,
                requires,
                format,
                sessions,
                sessions_per_week,
                hours,
                ages,
                max_rosh,
                genders,
                offending_focused,
                evidence,
                category,
                provision,
            },
        )
}

fn raw_person(size: Size) -> impl Strategy<Value = RawPerson> {
    // 10 years + 2 days .. 19 years - 2 days before as_of: aged 10 to 18 on as_of.
    (
        (
            3655i64..=6937,
            prop::option::weighted(0.9, select(GENDERS.to_vec())),
            (
                prop_oneof![
                    1 => size.person_needs.0..=size.person_needs.1,
                    2 => size.person_needs.1.saturating_sub(1).max(size.person_needs.0)
                        ..=size.person_needs.1,
                ],
                vec((need_index(), level()), size.person_needs.1),
            )
                .prop_map(|(n, mut needs)| {
                    needs.truncate(n);
                    needs
                }),
        ),
        (level(), risk(), risk()),
        (
            groups(),
            prop_oneof![3 => Just(vec![]), 1 => vec(0..AREAS.len(), 1..=2)],
            prop_oneof![3 => Just(vec![]), 1 => vec(0..8usize, 1..=2)],
        ),
        (
            prop::option::weighted(0.85, 0..HOURS_CAPS.len()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (age_days, gender, needs),
                (likelihood, rosh, wellbeing),
                (gangs, unsafe_areas, exclusions),
                (max_hours, contingency),
            )| RawPerson {
                age_days,
                gender,
                needs,
                likelihood,
                rosh,
                wellbeing,
                gangs,
                unsafe_areas,
                exclusions,
                max_hours,
                contingency,
            },
        )
}

fn raw_order(size: Size) -> impl Strategy<Value = RawOrder> {
    (
        prop_oneof![
            2 => Just(0i64),
            1 => -14i64..=14,
        ],
        size.order_weeks.0..=size.order_weeks.1,
        prop_oneof![3 => Just(0i64), 1 => 1i64..=3],
        order_type(),
    )
        .prop_map(|(offset, weeks, trim, kind)| RawOrder {
            offset,
            weeks,
            trim,
            kind,
        })
}

/// Random valid planning problems carrying their catalogue and provision.
pub fn problem(size: Size) -> impl Strategy<Value = PlanningProblem> {
    // Counts are drawn apart from the things counted (which are drawn at the largest size and
    // cut), leaning towards fewer needs and more interventions so that plans have several items
    // competing for hours; shrinking still goes towards fewer of everything.
    let (n_lo, n_hi) = size.needs;
    let (i_lo, i_hi) = size.interventions;
    let n_mid = n_lo.max(n_hi / 2);
    let i_mid = i_lo.max((i_lo + i_hi) / 2);
    (
        (
            prop_oneof![2 => n_lo..=n_mid, 1 => n_lo..=n_hi],
            vec(any::<bool>(), n_hi),
        ),
        (
            prop_oneof![1 => i_lo..=i_hi, 2 => i_mid..=i_hi],
            vec(raw_intervention(size), i_hi),
        ),
        raw_person(size),
        raw_order(size),
        (0i64..52, vec(any::<bool>(), 3)),
    )
        .prop_map(
            |((n_needs, needs), (n_ivs, interventions), person, order, (monday, rivalries))| {
                assemble(
                    &needs[..n_needs],
                    &interventions[..n_ivs],
                    &person,
                    &order,
                    monday,
                    &rivalries,
                )
            },
        )
}

fn dedup_mod(raw: &[usize], n: usize) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .map(|x| x % n)
        .filter(|x| seen.insert(*x))
        .collect()
}

/// Builds the document as JSON, in the contract's shape (CONTRACT §1.1–§1.3), and parses it: the
/// domain types may gain optional fields without this generator changing.
fn assemble(
    need_flags: &[bool],
    raw_ivs: &[RawIntervention],
    raw_person: &RawPerson,
    raw_order: &RawOrder,
    monday: i64,
    rivalry_flags: &[bool],
) -> PlanningProblem {
    let as_of = date(2026, 1, 5) + Duration::days(7 * monday);
    let day = |offset: i64| as_of + Duration::days(offset);
    let start = day(raw_order.offset);
    // At least one order week starts on or after as_of and within the order, so every rolling
    // provision has a start to judge (see `option_starts`).
    let end = (start + Duration::days(7 * raw_order.weeks - 1 - raw_order.trim)).max(day(6));
    // Cohort dates spread over three weeks before as_of to a little after the order's end.
    let span = (end - as_of).num_days() + 21;
    let span_day = |permille: i64| day(-21 + permille * span / 1000);
    let n_needs = need_flags.len();
    let n_ivs = raw_ivs.len();
    let needs: Vec<Value> = need_flags
        .iter()
        .enumerate()
        .map(|(k, &offending_related)| {
            json!({"id": format!("need_{k}"), "name": format!("Need {k}"),
                   "offending_related": offending_related})
        })
        .collect();

    let mut interventions = Vec::new();
    let mut provision = Vec::new();
    for (k, raw) in raw_ivs.iter().enumerate() {
        let id = format!("iv-{k}");
        let (mut min_age, mut max_age) = raw.ages;
        if let (Some(lo), Some(hi)) = (min_age, max_age)
            && lo > hi
        {
            (min_age, max_age) = (Some(hi), Some(lo));
        }
        let requires: Vec<String> = if k == 0 {
            vec![]
        } else {
            dedup_mod(&raw.requires, k)
                .into_iter()
                .map(|j| format!("iv-{j}"))
                .collect()
        };
        let addresses: Vec<String> = dedup_mod(&raw.addresses, n_needs)
            .into_iter()
            .map(|n| format!("need_{n}"))
            .collect();
        let mut iv = json!({
            "id": id,
            "name": format!("Intervention {k}"),
            "category": raw.category,
            "addresses": addresses,
            "offending_focused": raw.offending_focused,
            "format": raw.format,
            "sessions": raw.sessions,
            "sessions_per_week": raw.sessions_per_week,
            "hours_per_session": HOURS_PER_SESSION[raw.hours],
            "requires": requires,
            "evidence": raw.evidence,
        });
        if let Some(a) = min_age {
            iv["min_age"] = json!(a);
        }
        if let Some(a) = max_age {
            iv["max_age"] = json!(a);
        }
        if let Some(r) = raw.max_rosh {
            iv["max_risk_of_serious_harm"] = json!(r);
        }
        if let Some(g) = &raw.genders {
            iv["genders"] = json!(g);
        }
        interventions.push(iv);
        for (j, rp) in raw.provision.iter().enumerate() {
            let pid = format!("p-{k}-{j}");
            // Distinct cohort starts, in the drawn order (not sorted).
            let mut seen = BTreeSet::new();
            let starts: Vec<NaiveDate> = rp
                .starts
                .iter()
                .map(|&(permille, monday)| {
                    let d = span_day(permille);
                    if monday {
                        d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
                    } else {
                        d
                    }
                })
                .filter(|d| seen.insert(*d))
                .collect();
            let participants: Vec<Value> = rp
                .participants
                .iter()
                .enumerate()
                .map(|(m, q)| {
                    let groups: Vec<&str> = dedup_mod(&q.groups, GROUPS.len())
                        .into_iter()
                        .map(|g| GROUPS[g])
                        .collect();
                    let mut v = json!({"reference": format!("yp-{k}-{j}-{m}"),
                                       "gang_affiliations": groups});
                    if rp.rolling {
                        if let Some(u) = q.until {
                            v["until"] = json!(span_day(u));
                        }
                    } else if starts.len() > 1 || q.until.is_none() {
                        v["start"] = json!(starts[q.cohort % starts.len()]);
                    }
                    // else: a single cohort, whose participants may leave out their start
                    // (CONTRACT §1.3: required only with several starts).
                    v
                })
                .collect();
            let mut p = json!({
                "id": pid,
                "intervention": id,
                "provider": "YOS",
                "area": AREAS[rp.area],
                "places": rp.places,
                "participants": participants,
            });
            if rp.rolling {
                p["rolling"] = json!(true);
            } else {
                p["starts"] = json!(starts);
            }
            provision.push(p);
        }
    }

    let mut seen = BTreeSet::new();
    let person_needs: Vec<Value> = raw_person
        .needs
        .iter()
        .filter(|(n, _)| seen.insert(n % n_needs))
        .map(|(n, level)| json!({"need": format!("need_{}", n % n_needs), "level": level}))
        .collect();
    let mut young_person = json!({
        "reference": "YP-0001",
        "date_of_birth": as_of - Duration::days(raw_person.age_days),
        "needs": person_needs,
        "likelihood_of_reoffending": raw_person.likelihood,
        "risk_of_serious_harm": raw_person.rosh,
        "safety_and_wellbeing": raw_person.wellbeing,
        "gang_affiliations": dedup_mod(&raw_person.gangs, GROUPS.len())
            .into_iter().map(|g| GROUPS[g]).collect::<Vec<_>>(),
        "unsafe_areas": dedup_mod(&raw_person.unsafe_areas, AREAS.len())
            .into_iter().map(|a| AREAS[a]).collect::<Vec<_>>(),
        "exclusions": dedup_mod(&raw_person.exclusions, n_ivs)
            .into_iter()
            .map(|k| json!({"intervention": format!("iv-{k}"), "by": "police", "reason": "generated"}))
            .collect::<Vec<_>>(),
    });
    if let Some(g) = raw_person.gender {
        young_person["gender"] = json!(g);
    }
    if let Some(h) = raw_person.max_hours {
        young_person["max_hours_per_week"] = json!(HOURS_CAPS[h]);
    }
    if raw_person.contingency {
        young_person["risk_management_plan"] = json!({"contingency": ["call the duty officer"]});
    }

    let pairs = [("A", "B"), ("A", "C"), ("B", "C")];
    let rivalries: Vec<[&str; 2]> = pairs
        .iter()
        .zip(rivalry_flags)
        .filter(|(_, on)| **on)
        .map(|((a, b), _)| [*a, *b])
        .collect();

    let document = json!({
        "as_of": as_of,
        "young_person": young_person,
        "order": {"type": raw_order.kind, "start": start, "end": end},
        "rivalries": rivalries,
        "catalogue": {"needs": needs, "interventions": interventions},
        "provision": provision,
    });
    serde_json::from_value(document.clone())
        .unwrap_or_else(|e| panic!("generated document does not parse: {e}\n{document}"))
}

/// An intervention from its contract fields (JSON), for hand-written cases.
pub fn intervention_from(value: Value) -> Intervention {
    serde_json::from_value(value).expect("an intervention document")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

// ---------------------------------------------------------------------------------------------
// The hard rules, as check_plan.py's validate() judges them
// ---------------------------------------------------------------------------------------------

/// RANK of check_plan.py.
fn rank(level: RiskLevel) -> i32 {
    match level {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
        RiskLevel::VeryHigh => 3,
    }
}

/// `age_on` of check_plan.py.
pub fn age_on(dob: NaiveDate, day: NaiveDate) -> i64 {
    i64::from(day.year() - dob.year())
        - i64::from((day.month(), day.day()) < (dob.month(), dob.day()))
}

/// Groups rival to any of the young person's (check_plan.py's `enemy`).
fn enemies(problem: &PlanningProblem) -> BTreeSet<&str> {
    let mut rivals: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (a, b) in &problem.rivalries {
        rivals.entry(a).or_default().insert(b);
        rivals.entry(b).or_default().insert(a);
    }
    problem
        .young_person
        .gang_affiliations
        .iter()
        .flat_map(|g| rivals.get(g.as_str()).cloned().unwrap_or_default())
        .collect()
}

/// Participants holding the place a young person would take from `start`, counted as
/// check_plan.py counts them: every rolling participant whose `until` (if any) is on or after the
/// start; for cohorts, those whose `start` (default: the first listed start) is this start.
fn sharing<'p>(p: &'p Provision, start: NaiveDate) -> Vec<&'p Participant> {
    p.participants
        .iter()
        .filter(|q| p.rolling || q.start.or(p.starts.first().copied()) == Some(start))
        .filter(|q| !p.rolling || q.until.is_none_or(|u| u >= start))
        .collect()
}

fn weeks_of(iv: &Intervention) -> i64 {
    // math.ceil(sessions / sessions_per_week)
    (iv.sessions + iv.sessions_per_week - 1).div_euclid(iv.sessions_per_week)
}

/// Every hard rule of the contract that check_plan.py's `validate()` checks, in its order and
/// with its wording; an empty list means the plan holds.
pub fn check_hard_rules(problem: &PlanningProblem, plan: &Plan) -> Vec<String> {
    let mut errs = Vec::new();
    let yp = &problem.young_person;
    let order = &problem.order;
    let empty_catalogue = Catalogue::default();
    let catalogue = problem.catalogue.as_ref().unwrap_or(&empty_catalogue);
    let cat: BTreeMap<&str, &Intervention> = catalogue
        .interventions
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    let prov: BTreeMap<&str, &Provision> = problem
        .provision
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|p| (p.id.as_str(), p))
        .collect();
    let items = &plan.items;
    let by_iv: BTreeMap<&str, _> = items
        .iter()
        .map(|it| (it.intervention.as_str(), it))
        .collect();
    let starts: Vec<NaiveDate> = items.iter().map(|it| it.start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    if starts != sorted {
        errs.push("items not sorted by start".to_string());
    }
    let cap = yp.max_hours_per_week.unwrap_or(DEFAULT_MAX_HOURS);
    let mut week_hours: BTreeMap<i64, f64> = BTreeMap::new();
    let enemy = enemies(problem);
    let ostart = order.start;
    for it in items {
        let iid = it.intervention.as_str();
        let Some(iv) = cat.get(iid) else {
            errs.push(format!("unknown intervention {iid}"));
            continue;
        };
        let (s, e) = (it.start, it.end);
        let weeks = weeks_of(iv);
        if e != s + Duration::days(7 * weeks - 1) {
            errs.push(format!(
                "{iid}: end {e} is not start + {weeks} weeks - 1 day"
            ));
        }
        if s < order.start || s < problem.as_of || e > order.end {
            errs.push(format!(
                "{iid}: {s}..{e} outside the order {}..{}",
                order.start, order.end
            ));
        }
        let first = (s - ostart).num_days().div_euclid(7);
        let last = (e - ostart).num_days().div_euclid(7);
        for w in first..=last {
            *week_hours.entry(w).or_insert(0.0) +=
                iv.hours_per_session * iv.sessions_per_week as f64;
        }
        let p = match prov.get(it.provision.as_str()) {
            Some(p) if p.intervention == iid => *p,
            _ => {
                errs.push(format!(
                    "{iid}: provision {} does not provide it",
                    it.provision
                ));
                continue;
            }
        };
        if !p.starts.is_empty() && !p.starts.contains(&s) {
            errs.push(format!(
                "{iid}: start {s} is not a cohort start of {}",
                p.id
            ));
        }
        if yp.unsafe_areas.contains(&p.area) {
            errs.push(format!("{iid}: in unsafe area {}", p.area));
        }
        let same = sharing(p, s);
        if !p.rolling && same.len() as i64 >= p.places {
            errs.push(format!("{iid}: cohort {} {s} is full", p.id));
        }
        if p.rolling && same.len() as i64 >= p.places {
            errs.push(format!("{iid}: rolling {} has no free place", p.id));
        }
        if iv.format == Format::Group
            && same.iter().any(|q| {
                q.gang_affiliations
                    .iter()
                    .any(|g| enemy.contains(g.as_str()))
            })
        {
            errs.push(format!("{iid}: placed with a rival group"));
        }
        if yp.exclusions.iter().any(|x| x.intervention == iid) {
            errs.push(format!("{iid}: excluded for this young person"));
        }
        let age = age_on(yp.date_of_birth, s);
        if age < iv.min_age.unwrap_or(0) || age > iv.max_age.unwrap_or(99) {
            errs.push(format!(
                "{iid}: age {age} outside {:?}..{:?}",
                iv.min_age, iv.max_age
            ));
        }
        if let Some(cap) = iv.max_risk_of_serious_harm
            && rank(yp.risk_of_serious_harm) > rank(cap)
        {
            errs.push(format!("{iid}: risk above its cap"));
        }
        if let Some(genders) = &iv.genders
            && !yp.gender.as_ref().is_some_and(|g| genders.contains(g))
        {
            errs.push(format!("{iid}: gender not eligible"));
        }
        for r in &iv.requires {
            match by_iv.get(r.as_str()) {
                None => errs.push(format!("{iid}: requires {r}, which is not planned")),
                Some(pre) if pre.end >= s => errs.push(format!(
                    "{iid}: starts {s} before its prerequisite {r} ends {}",
                    pre.end
                )),
                _ => {}
            }
        }
    }
    for (w, h) in &week_hours {
        if *h > cap + 1e-9 {
            errs.push(format!(
                "order week {w} (from {}): {h} contact hours > {cap}",
                ostart + Duration::days(7 * w)
            ));
        }
    }
    let covered: BTreeSet<&str> = items
        .iter()
        .flat_map(|it| {
            cat.get(it.intervention.as_str())
                .map(|iv| iv.addresses.iter().map(String::as_str).collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .collect();
    let gaps: BTreeMap<&str, _> = plan.gaps.iter().map(|g| (g.need.as_str(), g)).collect();
    const REASONS: [&str; 7] = [
        "no_intervention",
        "no_provision",
        "ineligible",
        "excluded",
        "unsafe",
        "no_capacity",
        "not_selected",
    ];
    for n in &yp.needs {
        let nid = n.need.as_str();
        if covered.contains(nid) && gaps.contains_key(nid) {
            errs.push(format!("{nid}: both covered and a gap"));
        }
        if !covered.contains(nid) && !gaps.contains_key(nid) {
            errs.push(format!("{nid}: neither covered nor a gap"));
        }
        if let Some(g) = gaps.get(nid)
            && !REASONS.contains(&g.reason.as_str())
        {
            errs.push(format!("{nid}: unknown gap reason {}", g.reason.as_str()));
        }
    }
    // reviews
    for it in items {
        let ok = plan.reviews.iter().any(|r| {
            r.kind == ReviewKind::ItemOutcome
                && r.intervention.as_deref() == Some(it.intervention.as_str())
                && it.end <= r.due
                && r.due <= it.end + Duration::days(7)
        });
        if !ok {
            errs.push(format!(
                "{}: no outcome review within 7 days of its end",
                it.intervention
            ));
        }
    }
    let high = rank(yp.risk_of_serious_harm) >= 2 || rank(yp.safety_and_wellbeing) >= 2;
    let limit = if high { 42 } else { 84 };
    let mut pdates: Vec<NaiveDate> = plan
        .reviews
        .iter()
        .filter(|r| r.kind == ReviewKind::Plan)
        .map(|r| r.due)
        .collect();
    pdates.sort();
    pdates.push(order.end);
    let mut last = order.start;
    for due in pdates {
        let gap = (due - last).num_days();
        if gap > limit {
            errs.push(format!(
                "plan reviews: {gap} days between {last} and {due} (> {limit})"
            ));
            break;
        }
        last = due;
    }
    if !matches!(
        plan.solver.status,
        SolverStatus::Optimal | SolverStatus::Feasible
    ) {
        errs.push(format!("solver status {:?}", plan.solver.status));
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// The gap-reason cascade, from first principles
// ---------------------------------------------------------------------------------------------

/// Stages of CONTRACT §2 an option can get past, in order; `Passes` is past all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Ineligible,
    Excluded,
    Unsafe,
    NoCapacity,
    Passes,
}

/// Start dates of a provision as options: every cohort start (joinable or not); for rolling
/// provision the first day of each order week from the first on or after `as_of` through the
/// order's end. (The generator keeps at least one such week in every order. Were there none, the
/// contract's "any week from as_of on" would still offer the next week, which ends after the
/// order: that one is used so that the provision is still judged.)
pub fn option_starts(problem: &PlanningProblem, p: &Provision) -> Vec<NaiveDate> {
    if !p.rolling {
        return p.starts.clone();
    }
    let order = &problem.order;
    let mut k = 0;
    while order.start + Duration::days(7 * k) < problem.as_of {
        k += 1;
    }
    let first = order.start + Duration::days(7 * k);
    let mut out = Vec::new();
    let mut day = first;
    while day <= order.end {
        out.push(day);
        day += Duration::days(7);
    }
    if out.is_empty() {
        out.push(first);
    }
    out
}

/// How far one option (intervention, provision, start) gets through the cascade.
pub fn stage_reached(
    problem: &PlanningProblem,
    iv: &Intervention,
    p: &Provision,
    start: NaiveDate,
) -> Stage {
    let yp = &problem.young_person;
    let age = age_on(yp.date_of_birth, start);
    if iv.min_age.is_some_and(|m| age < m) || iv.max_age.is_some_and(|m| age > m) {
        return Stage::Ineligible;
    }
    if iv
        .max_risk_of_serious_harm
        .is_some_and(|cap| rank(yp.risk_of_serious_harm) > rank(cap))
    {
        return Stage::Ineligible;
    }
    if let Some(genders) = &iv.genders
        && !yp.gender.as_ref().is_some_and(|g| genders.contains(g))
    {
        return Stage::Ineligible;
    }
    if yp.exclusions.iter().any(|x| x.intervention == iv.id) {
        return Stage::Excluded;
    }
    if yp.unsafe_areas.contains(&p.area) {
        return Stage::Unsafe;
    }
    let enemy = enemies(problem);
    let same = sharing(p, start);
    if iv.format == Format::Group
        && same.iter().any(|q| {
            q.gang_affiliations
                .iter()
                .any(|g| enemy.contains(g.as_str()))
        })
    {
        return Stage::Unsafe;
    }
    let end = start + Duration::days(7 * weeks_of(iv) - 1);
    if start < problem.as_of
        || start < problem.order.start
        || end > problem.order.end
        || same.len() as i64 >= p.places
    {
        return Stage::NoCapacity;
    }
    Stage::Passes
}

/// The gap reason CONTRACT §2 gives a need of the young person that the plan does not cover:
/// the furthest stage any option for it reaches (an option past every stage: `not_selected`).
/// `None` when the problem has no catalogue, or the need is not the young person's.
pub fn expected_gap_reason(problem: &PlanningProblem, need: &str) -> Option<&'static str> {
    let catalogue = problem.catalogue.as_ref()?;
    if !problem.young_person.needs.iter().any(|n| n.need == need) {
        return None;
    }
    let addressing: Vec<&Intervention> = catalogue
        .interventions
        .iter()
        .filter(|iv| iv.addresses.iter().any(|a| a == need))
        .collect();
    if addressing.is_empty() {
        return Some("no_intervention");
    }
    let provision = problem.provision.as_deref().unwrap_or_default();
    let mut furthest: Option<Stage> = None;
    for iv in &addressing {
        for p in provision.iter().filter(|p| p.intervention == iv.id) {
            for start in option_starts(problem, p) {
                let stage = stage_reached(problem, iv, p, start);
                furthest = furthest.max(Some(stage));
            }
        }
    }
    Some(match furthest {
        None => "no_provision",
        Some(Stage::Ineligible) => "ineligible",
        Some(Stage::Excluded) => "excluded",
        Some(Stage::Unsafe) => "unsafe",
        Some(Stage::NoCapacity) => "no_capacity",
        Some(Stage::Passes) => "not_selected",
    })
}
