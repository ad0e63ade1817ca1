//! Shared by `planner_properties` and `planner_oracle` (included with `#[path]`):
//!
//! - [`problem`]: a proptest strategy for random but valid planning problems (contract version
//!   2) that carry their own catalogue and provision;
//! - [`check_hard_rules`]: every hard rule of CONTRACT §1, §2 and §5, the flags and the reviews,
//!   mirroring `validate()`, `check_flags()` and `check_reviews()` of
//!   `/work/shared/tools/check_plan.py` rule by rule (without the per-case expectations);
//! - [`expected_gap_reason`]: the contract's gap-reason cascade for a need the plan leaves
//!   uncovered, computed from first principles (not from the planner's options).
//!
//! The generator draws raw numbers and turns indices into ids modulo the number of things
//! generated, so shrinking moves towards small, simple problems.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use chrono::{Datelike, Duration, NaiveDate};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use serde_json::{Value, json};

use intervention_planner::domain::catalogue::{Catalogue, DeliveredBy, Intervention, Need};
use intervention_planner::domain::levels::{
    Evidence, Format, InterventionLevel, Level, OrderType, RiskLevel,
};
use intervention_planner::domain::plan::{Plan, PlanItem, ReviewKind, SolverStatus};
use intervention_planner::domain::problem::PlanningProblem;
use intervention_planner::domain::provision::{Participant, Provision};

pub const GROUPS: [&str; 3] = ["A", "B", "C"];
pub const AREAS: [&str; 3] = ["Holloway", "Finsbury Park", "Archway"];
pub const HOURS_PER_SESSION: [f64; 4] = [1.0, 1.5, 2.0, 3.0];
pub const HOURS_CAPS: [f64; 5] = [2.0, 3.0, 4.0, 6.0, 10.0];
pub const GENDERS: [&str; 3] = ["male", "female", "non_binary"];
/// Youth rehabilitation order requirements the generator imposes (CONTRACT §5.1), a few common
/// ones so that catalogue entries and orders meet often.
pub const REQUIREMENTS: [&str; 6] = [
    "supervision",
    "activity",
    "unpaid_work",
    "programme",
    "curfew",
    "education",
];
/// `delivered_under` values the generator draws from (CONTRACT §5.1).
pub const DELIVERED_UNDER: [&str; 9] = [
    "referral_order",
    "yro:supervision",
    "yro:activity",
    "yro:unpaid_work",
    "out_of_court",
    "dto_licence",
    "yro:programme",
    "yro:curfew",
    "yro:education",
];
/// check_plan.py's LEVEL_LIMITS: max hours a week and max items at once by intervention level
/// (CONTRACT §5.6), applied when the young person's record leaves them out.
pub const LEVEL_LIMITS: [(InterventionLevel, f64, i64); 3] = [
    (InterventionLevel::Standard, 3.0, 2),
    (InterventionLevel::Enhanced, 6.0, 3),
    (InterventionLevel::Intensive, 10.0, 4),
];
/// check_plan.py's PREREQ_MAX_GAP_DAYS: a prerequisite ends at most 6 weeks before its
/// dependant starts, read leniently as `start - end <= 43` days (CONTRACT §5.7).
pub const PREREQ_MAX_GAP_DAYS: i64 = 6 * 7 + 1;
/// What a plan item names as its provision when the case manager delivers it (CONTRACT §5.3).
pub const CASE_MANAGER: &str = "case_manager";

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
    /// For the exhaustive oracle: fewer needs and shorter orders (rolling provision and the
    /// case manager offer one start per order week), and fewer eligibility limits and
    /// participants, so that more candidates are open and compete for hours and prerequisites.
    /// Blocked candidates prune the enumeration hard; problems above 200,000 assignments are
    /// skipped.
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
struct RawNeed {
    offending_related: bool,
    assess_first: bool,
}

#[derive(Debug, Clone)]
struct RawParticipant {
    groups: Vec<usize>,
    cohort: usize,
    /// Until when a rolling place is held, in thousandths of the span from three weeks before
    /// `as_of` to the order's end (see `span_day`). In a provision with a single cohort, `Some`
    /// leaves the participant's `start` out instead.
    until: Option<i64>,
    /// From when a rolling place is held (the participant's `start`), in the same thousandths.
    from: Option<i64>,
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
    outreach: bool,
    wait_days: i64,
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
    /// Indices into `DELIVERED_UNDER`.
    delivered_under: Option<Vec<usize>>,
    assessment: bool,
    case_manager: bool,
    continues_after_order: bool,
}

#[derive(Debug, Clone)]
struct RawPerson {
    /// Days before the order's start (so never under 10 on it).
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
    intervention_level: Option<InterventionLevel>,
    max_concurrent_items: Option<i64>,
}

#[derive(Debug, Clone)]
struct RawOrder {
    /// Days after `as_of` (negative: before).
    offset: i64,
    weeks: i64,
    /// Days cut off the last week.
    trim: i64,
    kind: OrderType,
    /// Youth rehabilitation orders: indices into `REQUIREMENTS` (absent: every requirement).
    requirements: Option<Vec<usize>>,
    /// Detention and training orders: the licence start in thousandths of the order (absent:
    /// the default, halfway).
    licence: Option<i64>,
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

fn intervention_level() -> impl Strategy<Value = InterventionLevel> {
    select(vec![
        InterventionLevel::Standard,
        InterventionLevel::Enhanced,
        InterventionLevel::Intensive,
    ])
}

/// Every order type (CONTRACT §1.1), shrinking towards a referral order.
fn order_type() -> impl Strategy<Value = OrderType> {
    prop_oneof![
        3 => Just(OrderType::ReferralOrder),
        3 => Just(OrderType::YouthRehabilitationOrder),
        2 => Just(OrderType::DetentionAndTrainingOrder),
        1 => Just(OrderType::Proposed),
        1 => Just(OrderType::CommunityResolution),
        1 => Just(OrderType::YouthCaution),
        1 => Just(OrderType::YouthConditionalCaution),
    ]
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

fn raw_need() -> impl Strategy<Value = RawNeed> {
    (any::<bool>(), prop::bool::weighted(0.2)).prop_map(|(offending_related, assess_first)| {
        RawNeed {
            offending_related,
            assess_first,
        }
    })
}

fn raw_participant() -> impl Strategy<Value = RawParticipant> {
    (
        groups(),
        0..3usize,
        prop::option::weighted(0.5, 0i64..=1100),
        prop::option::weighted(0.3, 0i64..=1100),
    )
        .prop_map(|(groups, cohort, until, from)| RawParticipant {
            groups,
            cohort,
            until,
            from,
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
        prop::bool::weighted(0.2),
        prop_oneof![4 => Just(0i64), 1 => 1i64..=35],
    )
        .prop_map(
            |(rolling, places, area, starts, participants, outreach, wait_days)| RawProvision {
                rolling,
                places,
                area,
                starts,
                participants,
                outreach,
                wait_days,
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
        (
            prop::option::weighted(0.3, vec(0..DELIVERED_UNDER.len(), 1..=3)),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
        ),
    )
        .prop_map(
            |(
                (addresses, requires, format),
                (sessions, sessions_per_week, hours),
                (ages, max_rosh, genders),
                (offending_focused, evidence, category),
                provision,
                (delivered_under, assessment, case_manager, continues_after_order),
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
                delivered_under,
                assessment,
                case_manager,
                continues_after_order,
            },
        )
}

fn raw_person(size: Size) -> impl Strategy<Value = RawPerson> {
    // 10 years + 2 days .. 19 years - 2 days before the order's start: aged 10 to 18 on it.
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
            prop::option::weighted(0.5, 0..HOURS_CAPS.len()),
            any::<bool>(),
            prop::option::weighted(0.3, intervention_level()),
            prop::option::weighted(0.3, 1i64..=3),
        ),
    )
        .prop_map(
            |(
                (age_days, gender, needs),
                (likelihood, rosh, wellbeing),
                (gangs, unsafe_areas, exclusions),
                (max_hours, contingency, intervention_level, max_concurrent_items),
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
                intervention_level,
                max_concurrent_items,
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
        prop::option::weighted(0.8, vec(0..REQUIREMENTS.len(), 1..=3)),
        prop::option::weighted(0.5, 0i64..=1000),
    )
        .prop_map(
            |(offset, weeks, trim, kind, requirements, licence)| RawOrder {
                offset,
                weeks,
                trim,
                kind,
                requirements,
                licence,
            },
        )
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
            vec(raw_need(), n_hi),
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

/// Builds the document as JSON, in the contract's shape (CONTRACT §1.1–§1.3, §5), and parses
/// it: the domain types may gain optional fields without this generator changing.
fn assemble(
    raw_needs: &[RawNeed],
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
    let n_needs = raw_needs.len();
    let n_ivs = raw_ivs.len();
    let needs: Vec<Value> = raw_needs
        .iter()
        .enumerate()
        .map(|(k, raw)| {
            let mut need = json!({"id": format!("need_{k}"), "name": format!("Need {k}"),
                                  "offending_related": raw.offending_related});
            if raw.assess_first {
                need["assess_first"] = json!(true);
            }
            need
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
        if let Some(under) = &raw.delivered_under {
            let under: Vec<&str> = dedup_mod(under, DELIVERED_UNDER.len())
                .into_iter()
                .map(|u| DELIVERED_UNDER[u])
                .collect();
            iv["delivered_under"] = json!(under);
        }
        if raw.assessment {
            iv["kind"] = json!("assessment");
        }
        if raw.case_manager {
            iv["delivered_by"] = json!("case_manager");
        }
        if raw.continues_after_order {
            iv["continues_after_order"] = json!(true);
        }
        interventions.push(iv);
        // Case-manager work may still have provision records (the planner ignores them).
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
                        // A rolling place is held from `start` (absent: already) to `until`
                        // (absent: throughout).
                        let (from, until) = match (q.from, q.until) {
                            (Some(f), Some(u)) if f > u => (Some(u), Some(f)),
                            other => other,
                        };
                        if let Some(f) = from {
                            v["start"] = json!(span_day(f));
                        }
                        if let Some(u) = until {
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
            if rp.outreach {
                p["outreach"] = json!(true);
            }
            if rp.wait_days > 0 {
                p["wait_days"] = json!(rp.wait_days);
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
        // Never under 10 on the order's start (CONTRACT §5.1: that is invalid input).
        "date_of_birth": start - Duration::days(raw_person.age_days),
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
    if let Some(level) = raw_person.intervention_level {
        young_person["intervention_level"] = json!(level);
    }
    if let Some(n) = raw_person.max_concurrent_items {
        young_person["max_concurrent_items"] = json!(n);
    }

    let mut order = json!({"type": raw_order.kind, "start": start, "end": end});
    match raw_order.kind {
        OrderType::YouthRehabilitationOrder => {
            if let Some(reqs) = &raw_order.requirements {
                let reqs: Vec<&str> = dedup_mod(reqs, REQUIREMENTS.len())
                    .into_iter()
                    .map(|r| REQUIREMENTS[r])
                    .collect();
                order["requirements"] = json!(reqs);
            }
        }
        OrderType::DetentionAndTrainingOrder => {
            if let Some(permille) = raw_order.licence {
                let licence = start + Duration::days(permille * (end - start).num_days() / 1000);
                order["licence_start"] = json!(licence);
            }
        }
        _ => {}
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
        "order": order,
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
// The hard rules, as check_plan.py's validate(), check_flags() and check_reviews() judge them
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

/// LEVEL of check_plan.py (a need's level).
fn need_rank(level: Level) -> i32 {
    match level {
        Level::Low => 1,
        Level::Medium => 2,
        Level::High => 3,
    }
}

/// `age_on` of check_plan.py.
pub fn age_on(dob: NaiveDate, day: NaiveDate) -> i64 {
    i64::from(day.year() - dob.year())
        - i64::from((day.month(), day.day()) < (dob.month(), dob.day()))
}

/// `birthday` of check_plan.py: a 29 February birthday falls on 1 March.
pub fn birthday(dob: NaiveDate, years: i32) -> NaiveDate {
    dob.with_year(dob.year() + years)
        .unwrap_or_else(|| date(dob.year() + years, 3, 1))
}

/// The order type as the document spells it (`youth_rehabilitation_order`).
fn order_type_name(t: OrderType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .expect("order types serialise as strings")
}

fn is_out_of_court(t: &str) -> bool {
    matches!(
        t,
        "community_resolution" | "youth_caution" | "youth_conditional_caution"
    )
}

fn review_kind(kind: ReviewKind) -> &'static str {
    match kind {
        ReviewKind::ItemOutcome => "item_outcome",
        ReviewKind::Plan => "plan",
    }
}

fn or_none<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or("None".to_string(), |x| x.to_string())
}

fn weeks_of(iv: &Intervention) -> i64 {
    // math.ceil(sessions / sessions_per_week)
    (iv.sessions + iv.sessions_per_week - 1).div_euclid(iv.sessions_per_week)
}

fn end_of(iv: &Intervention, start: NaiveDate) -> NaiveDate {
    start + Duration::days(7 * weeks_of(iv) - 1)
}

fn weekly_hours(iv: &Intervention) -> f64 {
    iv.hours_per_session * iv.sessions_per_week as f64
}

fn is_assessment(iv: &Intervention) -> bool {
    iv.is_assessment()
}

fn by_case_manager(iv: &Intervention) -> bool {
    iv.delivered_by == DeliveredBy::CaseManager
}

/// Participants sharing the place of a young person attending provision `p` from `s` to `e`.
/// Cohorts as check_plan.py's `occupants`: those whose `start` (default: the first listed start)
/// is this start. Rolling: everyone holding the place on some day of `s..=e`, held from their
/// `start` (absent: already) to their `until` (absent: throughout), CONTRACT §1.3. (check_plan.py
/// counts every rolling participant whose `until` is on or after `s`, whatever their `start`:
/// the same whenever no rolling participant has a `start` after `s`.)
fn occupants<'p>(p: &'p Provision, s: NaiveDate, e: NaiveDate) -> Vec<&'p Participant> {
    p.participants
        .iter()
        .filter(|q| p.rolling || q.start.or(p.starts.first().copied()) == Some(s))
        .filter(|q| {
            !p.rolling || (q.until.is_none_or(|u| u >= s) && q.start.is_none_or(|f| f <= e))
        })
        .collect()
}

/// Places of `p` held by others while the young person would attend `s..=e`: a cohort's
/// participants; for rolling provision, the most held on any one day (a rolling place is
/// shared over time, and occupancy only rises on a day someone starts).
fn places_held(p: &Provision, s: NaiveDate, e: NaiveDate) -> usize {
    let same = occupants(p, s, e);
    if !p.rolling {
        return same.len();
    }
    let holds = |q: &Participant, day: NaiveDate| {
        q.start.is_none_or(|f| f <= day) && q.until.is_none_or(|u| u >= day)
    };
    std::iter::once(s)
        .chain(
            same.iter()
                .filter_map(|q| q.start)
                .filter(|f| *f > s && *f <= e),
        )
        .map(|day| same.iter().filter(|q| holds(q, day)).count())
        .max()
        .unwrap_or(0)
}

/// Where an item comes from, for `Rules::option_faults`.
#[derive(Debug, Clone, Copy)]
pub enum Source<'p> {
    /// The young person's case manager (CONTRACT §5.3).
    CaseManager,
    Provision(&'p Provision),
    /// A provision record that does not provide the intervention: its rules cannot be judged.
    Unknown,
}

/// What the problem document fixes for every plan (check_plan.py's `Rules`, CONTRACT §1, §5).
pub struct Rules<'a> {
    pub problem: &'a PlanningProblem,
    pub cat: BTreeMap<&'a str, &'a Intervention>,
    /// The catalogue's interventions in document order.
    pub cat_list: Vec<&'a Intervention>,
    pub needs: BTreeMap<&'a str, &'a Need>,
    pub prov: BTreeMap<&'a str, &'a Provision>,
    pub as_of: NaiveDate,
    pub ostart: NaiveDate,
    pub oend: NaiveDate,
    pub otype: String,
    pub requirements: Option<Vec<String>>,
    pub licence: Option<NaiveDate>,
    pub level: InterventionLevel,
    pub cap: f64,
    pub max_items: i64,
    pub dob: NaiveDate,
    pub need_level: BTreeMap<&'a str, Level>,
    pub enemy: BTreeSet<&'a str>,
    pub excluded: BTreeSet<&'a str>,
    pub last_week: i64,
}

impl<'a> Rules<'a> {
    pub fn new(problem: &'a PlanningProblem) -> Rules<'a> {
        static EMPTY: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        let catalogue = problem
            .catalogue
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(Catalogue::default));
        let yp = &problem.young_person;
        let order = &problem.order;
        let otype = order_type_name(order.order_type);
        let licence = (otype == "detention_and_training_order").then(|| {
            order.licence_start.unwrap_or_else(|| {
                order.start + Duration::days((order.end - order.start).num_days().div_euclid(2))
            })
        });
        let level = yp.intervention_level.unwrap_or_else(|| {
            let by_likelihood = match yp.likelihood_of_reoffending {
                Level::Low => 0,
                Level::Medium => 1,
                Level::High => 2,
            };
            let by_rosh = match yp.risk_of_serious_harm {
                RiskLevel::Low => 0,
                RiskLevel::Medium => 1,
                RiskLevel::High | RiskLevel::VeryHigh => 2,
            };
            LEVEL_LIMITS[by_likelihood.max(by_rosh)].0
        });
        let (_, default_cap, default_items) = LEVEL_LIMITS
            .iter()
            .copied()
            .find(|(l, _, _)| *l == level)
            .expect("every level has limits");
        let mut rivals: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (a, b) in &problem.rivalries {
            rivals.entry(a).or_default().insert(b);
            rivals.entry(b).or_default().insert(a);
        }
        let enemy = yp
            .gang_affiliations
            .iter()
            .flat_map(|g| rivals.get(g.as_str()).cloned().unwrap_or_default())
            .collect();
        let mut rules = Rules {
            problem,
            cat: catalogue
                .interventions
                .iter()
                .map(|i| (i.id.as_str(), i))
                .collect(),
            cat_list: catalogue.interventions.iter().collect(),
            needs: catalogue.needs.iter().map(|n| (n.id.as_str(), n)).collect(),
            prov: problem
                .provision
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|p| (p.id.as_str(), p))
                .collect(),
            as_of: problem.as_of,
            ostart: order.start,
            oend: order.end,
            otype,
            requirements: order
                .requirements
                .as_ref()
                .map(|rs| rs.iter().map(|r| r.as_str().to_string()).collect()),
            licence,
            level,
            cap: yp.max_hours_per_week.unwrap_or(default_cap),
            max_items: yp.max_concurrent_items.unwrap_or(default_items),
            dob: yp.date_of_birth,
            need_level: yp
                .needs
                .iter()
                .map(|n| (n.need.as_str(), n.level))
                .collect(),
            enemy,
            excluded: yp
                .exclusions
                .iter()
                .map(|x| x.intervention.as_str())
                .collect(),
            last_week: 0,
        };
        rules.last_week = rules.week(rules.oend);
        rules
    }

    pub fn week(&self, day: NaiveDate) -> i64 {
        (day - self.ostart).num_days().div_euclid(7)
    }

    /// Order weeks an item counts in for the hours and concurrency limits (up to the order's
    /// end).
    pub fn weeks(&self, s: NaiveDate, e: NaiveDate) -> RangeInclusive<i64> {
        self.week(s)..=self.week(e).min(self.last_week)
    }

    /// The young person's needs that `iv` addresses.
    pub fn my_needs(&self, iv: &Intervention) -> BTreeSet<&'a str> {
        self.need_level
            .keys()
            .copied()
            .filter(|n| iv.addresses.iter().any(|a| a == n))
            .collect()
    }

    /// An assessment of an assess-first need the young person has at medium or above.
    pub fn assess_first(&self, iv: &Intervention) -> bool {
        is_assessment(iv)
            && self.my_needs(iv).into_iter().any(|n| {
                self.needs.get(n).is_some_and(|d| d.assess_first)
                    && need_rank(self.need_level[n]) >= 2
            })
    }

    /// Whether the order permits `iv` (CONTRACT §5.1).
    pub fn permitted(&self, iv: &Intervention) -> bool {
        let Some(du) = &iv.delivered_under else {
            return true;
        };
        let du: Vec<String> = du.iter().map(|d| d.to_string()).collect();
        let has = |v: &str| du.iter().any(|d| d == v);
        let t = self.otype.as_str();
        if is_out_of_court(t) {
            return has("out_of_court");
        }
        match t {
            "referral_order" => has("referral_order"),
            "detention_and_training_order" => has("dto_licence"),
            "youth_rehabilitation_order" => du.iter().any(|v| {
                v.strip_prefix("yro:").is_some_and(|r| {
                    self.requirements
                        .as_ref()
                        .is_none_or(|reqs| reqs.iter().any(|x| x == r))
                })
            }),
            "proposed" => has("referral_order") || du.iter().any(|v| v.starts_with("yro:")),
            _ => false,
        }
    }

    /// First day a new referral to provision `p` (or to the case manager, `p` None) may start.
    pub fn earliest(&self, p: Option<&Provision>) -> NaiveDate {
        let mut first = self
            .as_of
            .max(self.ostart)
            .max(self.licence.unwrap_or(self.ostart));
        if let Some(p) = p {
            first = first.max(self.as_of + Duration::days(p.wait_days));
        }
        first
    }

    /// Why an item of `iv` from `src` starting `s` breaks a hard rule.
    pub fn option_faults(&self, iv: &Intervention, src: Source<'_>, s: NaiveDate) -> Vec<String> {
        let mut out = Vec::new();
        let yp = &self.problem.young_person;
        let iid = iv.id.as_str();
        let e = end_of(iv, s);
        if s < self.ostart || s < self.as_of {
            out.push(format!(
                "starts {s}, before the order start {} or as_of {}",
                self.ostart, self.as_of
            ));
        }
        if let Some(licence) = self.licence
            && s < licence
        {
            out.push(format!(
                "starts {s}, before the licence start {licence} of the detention and training order"
            ));
        }
        if e > self.oend {
            if !iv.continues_after_order {
                out.push(format!("{s}..{e} ends after the order's end {}", self.oend));
            } else if (self.oend - s).num_days() < 14 {
                out.push(format!(
                    "continues after the order but starts {s}, less than 14 days before its end {}",
                    self.oend
                ));
            }
        }
        if !self.permitted(iv) {
            out.push(format!(
                "not permitted under this {} (delivered_under {:?})",
                self.otype,
                iv.delivered_under
                    .as_ref()
                    .map(|du| du.iter().map(|d| d.to_string()).collect::<Vec<_>>())
            ));
        }
        if self.excluded.contains(iid) {
            out.push("excluded for this young person".to_string());
        }
        let age = age_on(self.dob, s);
        if age < iv.min_age.unwrap_or(0) || age > iv.max_age.unwrap_or(99) {
            out.push(format!(
                "age {age} outside {}..{}",
                or_none(iv.min_age),
                or_none(iv.max_age)
            ));
        }
        if let Some(cap) = iv.max_risk_of_serious_harm
            && rank(yp.risk_of_serious_harm) > rank(cap)
        {
            out.push("risk above its cap".to_string());
        }
        if let Some(genders) = &iv.genders
            && !yp.gender.as_ref().is_some_and(|g| genders.contains(g))
        {
            out.push("gender not eligible".to_string());
        }
        let p = match src {
            Source::Provision(p) => p,
            Source::CaseManager => {
                if (s - self.ostart).num_days().rem_euclid(7) != 0 {
                    out.push(format!(
                        "rolling start {s} is not the first day of an order week"
                    ));
                }
                return out;
            }
            Source::Unknown => return out,
        };
        if p.rolling && (s - self.ostart).num_days().rem_euclid(7) != 0 {
            out.push(format!(
                "rolling start {s} is not the first day of an order week"
            ));
        }
        if !p.starts.is_empty() && !p.starts.contains(&s) {
            out.push(format!("start {s} is not a cohort start of {}", p.id));
        }
        if p.wait_days != 0 && s < self.as_of + Duration::days(p.wait_days) {
            out.push(format!(
                "starts {s}, inside the referral wait of {} ({} days from {})",
                p.id, p.wait_days, self.as_of
            ));
        }
        if yp.unsafe_areas.contains(&p.area) && !p.outreach {
            out.push(format!("in unsafe area {}", p.area));
        }
        if places_held(p, s, e) as i64 >= p.places {
            out.push(format!(
                "{} {} {s} has no free place",
                if p.rolling { "rolling" } else { "cohort" },
                p.id
            ));
        }
        if iv.format == Format::Group
            && occupants(p, s, e).iter().any(|q| {
                q.gang_affiliations
                    .iter()
                    .any(|g| self.enemy.contains(g.as_str()))
            })
        {
            out.push("placed with a rival group".to_string());
        }
        out
    }

    /// Every (source, start) an item of `iv` could use: the case manager or a provision, the
    /// rolling grid from the earliest day a referral may start, or the cohort dates.
    pub fn candidates(&self, iv: &'a Intervention) -> Vec<(Source<'a>, NaiveDate)> {
        let srcs: Vec<Source<'a>> = if by_case_manager(iv) {
            vec![Source::CaseManager]
        } else {
            self.prov
                .values()
                .filter(|p| p.intervention == iv.id)
                .map(|p| Source::Provision(p))
                .collect()
        };
        let mut out = Vec::new();
        for src in srcs {
            match src {
                Source::Provision(p) if !p.rolling => {
                    out.extend(p.starts.iter().map(|s| (src, *s)));
                }
                Source::Provision(_) | Source::CaseManager => {
                    let p = match src {
                        Source::Provision(p) => Some(p),
                        _ => None,
                    };
                    let mut t = self.ostart;
                    while t <= self.oend {
                        if t >= self.earliest(p) {
                            out.push((src, t));
                        }
                        t += Duration::days(7);
                    }
                }
                Source::Unknown => {}
            }
        }
        out
    }

    /// Interventions `iid` requires, transitively (check_plan.py's `prereqs_of`).
    pub fn prereqs_of(&self, iid: &str) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![iid.to_string()];
        while let Some(id) = stack.pop() {
            if let Some(iv) = self.cat.get(id.as_str()) {
                for r in &iv.requires {
                    if seen.insert(r.as_str()) {
                        stack.push(r.clone());
                    }
                }
            }
        }
        seen
    }
}

/// Every hard rule of the contract that check_plan.py's `validate()` checks (with its
/// `check_flags()` and `check_reviews()`), in its order and with its wording; an empty list
/// means the plan holds.
pub fn check_hard_rules(problem: &PlanningProblem, plan: &Plan) -> Vec<String> {
    let mut errs = Vec::new();
    let r = Rules::new(problem);
    let yp = &problem.young_person;
    let items = &plan.items;
    let mut by_iv: BTreeMap<&str, &PlanItem> = BTreeMap::new();
    for it in items {
        if by_iv.insert(it.intervention.as_str(), it).is_some() {
            errs.push(format!("{}: planned twice", it.intervention));
        }
    }
    let starts: Vec<NaiveDate> = items.iter().map(|it| it.start).collect();
    if !starts.is_sorted() {
        errs.push("items not sorted by start".to_string());
    }
    let mut week_hours: BTreeMap<i64, f64> = BTreeMap::new();
    let mut week_items: BTreeMap<i64, i64> = BTreeMap::new();
    let ostart = r.ostart;
    let mut known: Vec<(&PlanItem, &Intervention)> = Vec::new();
    for it in items {
        let iid = it.intervention.as_str();
        let Some(&iv) = r.cat.get(iid) else {
            errs.push(format!("unknown intervention {iid}"));
            continue;
        };
        known.push((it, iv));
        let (s, e) = (it.start, it.end);
        let weeks = weeks_of(iv);
        if e != s + Duration::days(7 * weeks - 1) {
            errs.push(format!(
                "{iid}: end {e} is not start + {weeks} weeks - 1 day"
            ));
        }
        for w in r.weeks(s, e) {
            *week_hours.entry(w).or_insert(0.0) += weekly_hours(iv);
            *week_items.entry(w).or_insert(0) += 1;
        }
        let src = if by_case_manager(iv) {
            if it.provision != CASE_MANAGER {
                errs.push(format!(
                    "{iid}: delivered by the case manager, but provision is '{}', not 'case_manager'",
                    it.provision
                ));
            }
            Source::CaseManager
        } else {
            match r.prov.get(it.provision.as_str()) {
                Some(p) if p.intervention == iid => Source::Provision(p),
                _ => {
                    errs.push(format!(
                        "{iid}: provision {} does not provide it",
                        it.provision
                    ));
                    Source::Unknown
                }
            }
        };
        errs.extend(
            r.option_faults(iv, src, s)
                .into_iter()
                .map(|x| format!("{iid}: {x}")),
        );
        for req in &iv.requires {
            match by_iv.get(req.as_str()) {
                None => errs.push(format!("{iid}: requires {req}, which is not planned")),
                Some(pre) if pre.end >= s => errs.push(format!(
                    "{iid}: starts {s} before its prerequisite {req} ends {}",
                    pre.end
                )),
                Some(pre) if (s - pre.end).num_days() > PREREQ_MAX_GAP_DAYS => errs.push(format!(
                    "{iid}: its prerequisite {req} ends {}, more than 6 weeks before it starts {s}",
                    pre.end
                )),
                _ => {}
            }
        }
    }
    if let Some((w, h)) = week_hours.iter().find(|(_, h)| **h > r.cap + 1e-9) {
        errs.push(format!(
            "order week {w} (from {}): {h:?} contact hours > {} ({} level)",
            ostart + Duration::days(7 * w),
            // As Python prints it: a float from the record, a whole number from the table.
            if yp.max_hours_per_week.is_some() {
                format!("{:?}", r.cap)
            } else {
                r.cap.to_string()
            },
            r.level.as_str()
        ));
    }
    if let Some((w, n)) = week_items.iter().find(|(_, n)| **n > r.max_items) {
        errs.push(format!(
            "order week {w} (from {}): {n} items at once > {} ({} level)",
            ostart + Duration::days(7 * w),
            r.max_items,
            r.level.as_str()
        ));
    }
    // assessments (§5.2)
    let assessments: Vec<(&PlanItem, &Intervention)> = known
        .iter()
        .copied()
        .filter(|(_, iv)| is_assessment(iv))
        .collect();
    for (a, assessment) in &assessments {
        let mine = r.my_needs(assessment);
        let first = r.assess_first(assessment);
        let own = r.prereqs_of(&assessment.id);
        for (it, x) in &known {
            if x.id == assessment.id || own.contains(x.id.as_str()) || it.start > a.end {
                continue;
            }
            if !is_assessment(x) && !mine.is_disjoint(&r.my_needs(x)) {
                errs.push(format!(
                    "{}: starts {}, before the assessment {} of a shared need ends {}",
                    x.id, it.start, assessment.id, a.end
                ));
            } else if first {
                errs.push(format!(
                    "{}: starts {}, before the assess-first assessment {} ends {}",
                    x.id, it.start, assessment.id, a.end
                ));
            }
        }
    }
    for assessment in &r.cat_list {
        if !is_assessment(assessment)
            || by_iv.contains_key(assessment.id.as_str())
            || !assessment.requires.is_empty()
        {
            continue;
        }
        if !r
            .my_needs(assessment)
            .iter()
            .any(|n| need_rank(r.need_level[n]) >= 2)
        {
            continue;
        }
        if let Some(room) = assessment_room(&r, assessment, &known, &week_hours, &week_items) {
            errs.push(format!(
                "{}: an assessment of a need at medium or above is not planned, yet it could start {room} within every limit (§5.2)",
                assessment.id
            ));
        }
    }
    // coverage and gaps
    let covered: BTreeSet<&str> = known
        .iter()
        .filter(|(_, iv)| !is_assessment(iv))
        .flat_map(|(_, iv)| iv.addresses.iter().map(String::as_str))
        .collect();
    let gaps: BTreeMap<&str, _> = plan.gaps.iter().map(|g| (g.need.as_str(), g)).collect();
    const REASONS: [&str; 8] = [
        "no_intervention",
        "no_provision",
        "not_permitted",
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
            let only: Vec<&str> = assessments
                .iter()
                .filter(|(_, iv)| iv.addresses.iter().any(|a| a == nid))
                .map(|(it, _)| it.intervention.as_str())
                .collect();
            errs.push(format!(
                "{nid}: neither covered nor a gap{}",
                if only.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (only an assessment, {}, is planned for it)",
                        only.join(", ")
                    )
                }
            ));
        }
        if let Some(g) = gaps.get(nid) {
            if !REASONS.contains(&g.reason.as_str()) {
                errs.push(format!("{nid}: unknown gap reason {}", g.reason.as_str()));
            }
            let text = g.detail.to_lowercase();
            for (_, assessment) in &assessments {
                if assessment.addresses.iter().any(|a| a == nid)
                    && !text.contains(&assessment.id.to_lowercase())
                    && !text.contains(&assessment.name.to_lowercase())
                {
                    errs.push(format!(
                        "{nid}: the gap's detail does not say that the assessment {} is planned",
                        assessment.id
                    ));
                }
            }
        }
    }
    errs.extend(check_flags(&r, plan, &known));
    errs.extend(check_reviews(&r, plan, &known));
    if !matches!(
        plan.solver.status,
        SolverStatus::Optimal | SolverStatus::Feasible
    ) {
        errs.push(format!("solver status {:?}", plan.solver.status));
    }
    errs
}

/// A start at which the unplanned assessment `a` could join the plan as it stands, breaking no
/// rule; else None (check_plan.py's `assessment_room`).
fn assessment_room<'a>(
    r: &Rules<'a>,
    a: &'a Intervention,
    known: &[(&PlanItem, &Intervention)],
    week_hours: &BTreeMap<i64, f64>,
    week_items: &BTreeMap<i64, i64>,
) -> Option<NaiveDate> {
    let wh = weekly_hours(a);
    let mine = r.my_needs(a);
    let first = r.assess_first(a);
    for (src, s) in r.candidates(a) {
        if !r.option_faults(a, src, s).is_empty() || wh > r.cap + 1e-9 {
            continue;
        }
        let e = end_of(a, s);
        if r.weeks(s, e).any(|w| {
            week_hours.get(&w).copied().unwrap_or(0.0) + wh > r.cap + 1e-9
                || week_items.get(&w).copied().unwrap_or(0) + 1 > r.max_items
        }) {
            continue;
        }
        let mut ok = true;
        for (it, x) in known {
            if (first || (!is_assessment(x) && !mine.is_disjoint(&r.my_needs(x)))) && it.start <= e
            {
                ok = false;
            }
            if is_assessment(x)
                && r.assess_first(x)
                && !r.prereqs_of(&x.id).contains(a.id.as_str())
                && s <= it.end
            {
                ok = false;
            }
        }
        if ok {
            return Some(s);
        }
    }
    None
}

/// Whether `text` gives `day` in one of the usual forms (check_plan.py's `mentions_date`).
pub fn mentions_date(text: &str, day: NaiveDate) -> bool {
    let text = text.to_lowercase();
    let forms = [
        day.format("%Y-%m-%d").to_string(),
        day.format("%d/%m/%Y").to_string(),
        format!("{} {} {}", day.day(), day.format("%B"), day.year()),
        format!("{} {} {}", day.day(), day.format("%b"), day.year()),
        format!("{} {}, {}", day.format("%B"), day.day(), day.year()),
        day.format("%d %B %Y").to_string(),
    ];
    forms.iter().any(|f| text.contains(&f.to_lowercase()))
}

/// Flags of §2 and §5.9: present when their condition holds, absent when it does not
/// (check_plan.py's `check_flags`).
fn check_flags(r: &Rules<'_>, plan: &Plan, known: &[(&PlanItem, &Intervention)]) -> Vec<String> {
    let mut errs = Vec::new();
    let yp = &r.problem.young_person;
    let codes: BTreeSet<&str> = plan.flags.iter().map(|f| f.code.as_str()).collect();
    let detail = |code: &str| {
        plan.flags
            .iter()
            .filter(|f| f.code.as_str() == code)
            .map(|f| f.detail.as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut must = |code: &str, holds: bool, why: &str| {
        if holds && !codes.contains(code) {
            errs.push(format!("missing flag {code}: {why}"));
        }
        if !holds && codes.contains(code) {
            errs.push(format!(
                "flag {code} raised, but its condition does not hold"
            ));
        }
    };
    let offending: BTreeSet<&str> = r
        .need_level
        .keys()
        .copied()
        .filter(|n| r.needs.get(n).is_some_and(|d| d.offending_related))
        .collect();
    let needs_work = r
        .need_level
        .iter()
        .any(|(n, level)| offending.contains(n) && need_rank(*level) >= 2);
    let has_work = known.iter().any(|(_, iv)| {
        iv.offending_focused
            && !is_assessment(iv)
            && iv.addresses.iter().any(|a| offending.contains(a.as_str()))
    });
    must(
        "no_offending_focused_work",
        needs_work && !has_work,
        "an offending-related need at medium or above and no offending-focused item addressing one",
    );
    let high = rank(yp.risk_of_serious_harm) >= 2;
    must(
        "consider_mappa",
        high,
        "risk of serious harm is high or very high",
    );
    let contingency = yp
        .risk_management_plan
        .as_ref()
        .is_some_and(|p| !p.contingency.is_empty());
    must(
        "no_risk_plan",
        high && !contingency,
        "high risk of serious harm and no risk management plan with a contingency action",
    );
    let eighteen = birthday(r.dob, 18);
    must(
        "transition_at_18",
        eighteen <= r.oend,
        &format!(
            "turns 18 on {eighteen}, on or before the order's end {}",
            r.oend
        ),
    );
    let mut late = Vec::new();
    if codes.contains("transition_at_18")
        && eighteen <= r.oend
        && !mentions_date(&detail("transition_at_18"), eighteen)
    {
        late.push(format!(
            "flag transition_at_18: the detail does not give the date {eighteen}"
        ));
    }
    // requirement_unplanned: a referral order with no reparation item; a YRO requirement (not
    // supervision) with no item delivered under it. Where a planned item has no
    // delivered_under, whether it counts is left open.
    let known_under = |iv: &Intervention, v: &str| {
        iv.delivered_under
            .as_ref()
            .is_some_and(|du| du.iter().any(|d| d.to_string() == v))
    };
    if r.otype == "referral_order" {
        let missing = !known.iter().any(|(_, iv)| iv.category == "reparation");
        must(
            "requirement_unplanned",
            missing,
            "a referral order and no item of category reparation",
        );
        if missing
            && codes.contains("requirement_unplanned")
            && !detail("requirement_unplanned").contains("reparation")
        {
            late.push("flag requirement_unplanned: the detail does not name reparation".into());
        }
    } else if r.otype == "youth_rehabilitation_order"
        && let Some(requirements) = &r.requirements
    {
        let unplanned: Vec<&str> = requirements
            .iter()
            .map(String::as_str)
            .filter(|req| {
                *req != "supervision"
                    && !known
                        .iter()
                        .any(|(_, iv)| known_under(iv, &format!("yro:{req}")))
            })
            .collect();
        let open_reading = known.iter().any(|(_, iv)| iv.delivered_under.is_none());
        if unplanned.is_empty() {
            must("requirement_unplanned", false, "");
        } else if !open_reading {
            must(
                "requirement_unplanned",
                true,
                &format!("no item delivered under {}", unplanned.join(", ")),
            );
            let text = detail("requirement_unplanned");
            for req in &unplanned {
                if codes.contains("requirement_unplanned")
                    && !text.contains(req)
                    && !text.contains(&req.replace('_', " "))
                {
                    late.push(format!(
                        "flag requirement_unplanned: the detail does not name {req}"
                    ));
                }
            }
        }
    } else if is_out_of_court(&r.otype) || r.otype == "detention_and_training_order" {
        must("requirement_unplanned", false, "");
    }
    drop(must);
    errs.extend(late);
    errs
}

/// Reviews of §2 and §5.8 (every message names 'review'; check_plan.py's `check_reviews`).
fn check_reviews(r: &Rules<'_>, plan: &Plan, known: &[(&PlanItem, &Intervention)]) -> Vec<String> {
    let mut errs = Vec::new();
    let yp = &r.problem.young_person;
    let revs = &plan.reviews;
    if let Some(rv) = revs.iter().find(|rv| rv.due < r.as_of) {
        errs.push(format!(
            "review due {} ({}) is before as_of {}",
            rv.due,
            review_kind(rv.kind),
            r.as_of
        ));
    }
    for (it, _) in known {
        let e = it.end;
        let outcome = |ok: &dyn Fn(NaiveDate) -> bool| {
            revs.iter().any(|rv| {
                rv.kind == ReviewKind::ItemOutcome
                    && rv.intervention.as_deref() == Some(it.intervention.as_str())
                    && ok(rv.due)
            })
        };
        if e > r.oend {
            if !outcome(&|due| due == r.oend) {
                errs.push(format!(
                    "{}: continues after the order; no outcome review on the order's end {}",
                    it.intervention, r.oend
                ));
            }
        } else if !outcome(&|due| e <= due && due <= e + Duration::days(7)) {
            errs.push(format!(
                "{}: no outcome review within 7 days of its end",
                it.intervention
            ));
        }
    }
    let high = rank(yp.risk_of_serious_harm) >= 2 || rank(yp.safety_and_wellbeing) >= 2;
    let limit = if high { 42 } else { 84 };
    let pdates: BTreeSet<NaiveDate> = revs
        .iter()
        .filter(|rv| rv.kind == ReviewKind::Plan)
        .map(|rv| rv.due)
        .collect();
    if r.oend >= r.as_of && !pdates.contains(&r.oend) {
        errs.push(format!("plan reviews: none on the order's end {}", r.oend));
    }
    for due in &pdates {
        if *due > r.oend {
            errs.push(format!(
                "plan review due {due}, after the order's end {}",
                r.oend
            ));
            break;
        }
        let before = (r.oend - *due).num_days();
        if 0 < before && before < 14 {
            errs.push(format!(
                "plan review due {due}, less than 14 days before the order-end review {}",
                r.oend
            ));
            break;
        }
    }
    let mut last = r.ostart.max(r.as_of);
    let dues = pdates
        .iter()
        .copied()
        .filter(|x| *x < r.oend)
        .chain(std::iter::once(r.oend));
    for due in dues {
        // A review under 14 days before the end merges into it.
        let allowed = limit + if due == r.oend { 13 } else { 0 };
        let gap = (due - last).num_days();
        if gap > allowed {
            errs.push(format!(
                "plan reviews: {gap} days between {last} and {due} (> {allowed})"
            ));
            break;
        }
        last = due;
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// The gap-reason cascade, from first principles
// ---------------------------------------------------------------------------------------------

/// Stages of CONTRACT §2 and §5 an option can get past, in order; `Passes` is past all of them
/// (what still stops it is the plan's hours, items at once or prerequisites: `not_selected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    NotPermitted,
    Ineligible,
    Excluded,
    Unsafe,
    NoCapacity,
    Passes,
}

/// Start dates of an option source as options: every cohort start of a provision (joinable or
/// not); for rolling provision and the case manager (`p` None) the first day of each order week
/// from the first on or after the first day anything may start (`as_of`, the order start, and
/// for a detention and training order its licence start) through the order's end; weeks inside
/// a referral wait are options (they stop at `no_capacity`, CONTRACT §5.4). (The generator keeps
/// at least one week from `as_of` in every order, though not always one from a licence start.
/// Were there none, the contract's "any week from as_of on" would still offer the next week,
/// which ends after the order: that one is used so that the source is still judged.)
pub fn option_starts(problem: &PlanningProblem, p: Option<&Provision>) -> Vec<NaiveDate> {
    if let Some(p) = p
        && !p.rolling
    {
        return p.starts.clone();
    }
    let r = Rules::new(problem);
    let from = r.as_of.max(r.ostart).max(r.licence.unwrap_or(r.ostart));
    let order = &problem.order;
    let mut k = 0;
    while order.start + Duration::days(7 * k) < from {
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

impl Rules<'_> {
    /// How far one option (intervention, provision or the case manager, start) gets through
    /// the cascade.
    fn stage(&self, iv: &Intervention, p: Option<&Provision>, start: NaiveDate) -> Stage {
        let yp = &self.problem.young_person;
        if !self.permitted(iv) {
            return Stage::NotPermitted;
        }
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
        if self.excluded.contains(iv.id.as_str()) {
            return Stage::Excluded;
        }
        let end = end_of(iv, start);
        if let Some(p) = p {
            // Outreach is delivered where the child is; rival groups still block group work.
            if yp.unsafe_areas.contains(&p.area) && !p.outreach {
                return Stage::Unsafe;
            }
            if iv.format == Format::Group
                && occupants(p, start, end).iter().any(|q| {
                    q.gang_affiliations
                        .iter()
                        .any(|g| self.enemy.contains(g.as_str()))
                })
            {
                return Stage::Unsafe;
            }
        }
        let too_late = start < self.as_of
            || start < self.ostart
            || self.licence.is_some_and(|l| start < l)
            || p.is_some_and(|p| start < self.as_of + Duration::days(p.wait_days))
            || (end > self.oend
                && (!iv.continues_after_order || (self.oend - start).num_days() < 14));
        let full = p.is_some_and(|p| places_held(p, start, end) as i64 >= p.places);
        if too_late || full {
            return Stage::NoCapacity;
        }
        Stage::Passes
    }
}

/// How far one option (intervention, provision or the case manager when `p` is None, start)
/// gets through the cascade.
pub fn stage_reached(
    problem: &PlanningProblem,
    iv: &Intervention,
    p: Option<&Provision>,
    start: NaiveDate,
) -> Stage {
    Rules::new(problem).stage(iv, p, start)
}

/// The gap reason CONTRACT §2 and §5 give a need of the young person that the plan does not
/// cover: judged over the interventions addressing it that are not assessments (an assessment
/// never meets a need), the furthest stage any of their options reaches (an option past every
/// stage: `not_selected`). Case-manager work has an option every order week, with no provision,
/// area or places. `None` when the problem has no catalogue, or the need is not the young
/// person's.
pub fn expected_gap_reason(problem: &PlanningProblem, need: &str) -> Option<&'static str> {
    let catalogue = problem.catalogue.as_ref()?;
    if !problem.young_person.needs.iter().any(|n| n.need == need) {
        return None;
    }
    let addressing: Vec<&Intervention> = catalogue
        .interventions
        .iter()
        .filter(|iv| !is_assessment(iv) && iv.addresses.iter().any(|a| a == need))
        .collect();
    if addressing.is_empty() {
        return Some("no_intervention");
    }
    let r = Rules::new(problem);
    let provision = problem.provision.as_deref().unwrap_or_default();
    let mut furthest: Option<Stage> = None;
    for iv in &addressing {
        let sources: Vec<Option<&Provision>> = if by_case_manager(iv) {
            vec![None]
        } else {
            provision
                .iter()
                .filter(|p| p.intervention == iv.id)
                .map(Some)
                .collect()
        };
        for p in sources {
            for start in option_starts(problem, p) {
                furthest = furthest.max(Some(r.stage(iv, p, start)));
            }
        }
    }
    Some(match furthest {
        None => "no_provision",
        Some(Stage::NotPermitted) => "not_permitted",
        Some(Stage::Ineligible) => "ineligible",
        Some(Stage::Excluded) => "excluded",
        Some(Stage::Unsafe) => "unsafe",
        Some(Stage::NoCapacity) => "no_capacity",
        Some(Stage::Passes) => "not_selected",
    })
}
