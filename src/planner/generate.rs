//! Generates realistic caseloads over a catalogue, with a provision sized like a real team's,
//! for tests and benchmarks. Deterministic: the same seed gives the same document.

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::levels::Requirement;
use crate::domain::problem::{AssessedNeed, Case, Caseload, Exclusion, Order, RiskManagementPlan};
use crate::domain::{
    Catalogue, Format, Level, OrderType, Participant, Provision, RiskLevel, YoungPerson,
};

/// SplitMix64: tiny, fast and stable across versions (unlike library RNGs' streams).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }
}

const AREAS: &[&str] = &[
    "Northgate",
    "Riverside",
    "Market Town",
    "Eastfield",
    "Hillside",
];
const GROUPS: &[&str] = &["North Crew", "South Crew", "East Side", "West End"];

pub fn rivalries() -> Vec<(String, String)> {
    [
        ("North Crew", "South Crew"),
        ("East Side", "North Crew"),
        ("West End", "East Side"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

fn next_monday(day: NaiveDate) -> NaiveDate {
    day + Duration::days((7 - day.weekday().num_days_from_monday() as i64) % 7)
}

/// A team's offer for `cases` young people: most interventions provided, group programmes in
/// cohorts of 6–12, one-to-one work as rolling places scaled to the caseload.
pub fn provision(
    catalogue: &Catalogue,
    cases: usize,
    as_of: NaiveDate,
    rng: &mut Rng,
) -> Vec<Provision> {
    let scale = (cases as f64 / 100.0).max(0.2);
    let first = next_monday(as_of);
    let mut out = Vec::new();
    for iv in &catalogue.interventions {
        // Like real services, some interventions are not provided at all; the case manager's
        // own work needs no provision.
        if rng.chance(0.12) || iv.by_case_manager() {
            continue;
        }
        let area = rng.pick(AREAS).to_string();
        if iv.format == Format::Group {
            let cohorts = (2.0 + scale).round() as i64;
            let mut start = first + Duration::weeks(rng.range(0, 4));
            let mut starts = Vec::new();
            for _ in 0..cohorts {
                starts.push(start);
                start += Duration::weeks(rng.range(5, 9));
            }
            let participants = starts
                .iter()
                .flat_map(|s| {
                    (0..rng.range(0, 2))
                        .map(|n| Participant {
                            reference: format!("P-{}-{}-{n}", iv.id, s.format("%Y%m%d")),
                            // At most the first participant of a cohort is affiliated, so the
                            // offer itself never seats rivals together.
                            gang_affiliations: if n == 0 && rng.chance(0.3) {
                                vec![rng.pick(GROUPS).to_string()]
                            } else {
                                vec![]
                            },
                            start: Some(*s),
                            until: None,
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            out.push(Provision {
                id: format!("{}-cohorts", iv.id),
                intervention: iv.id.clone(),
                provider: "YOS".into(),
                area,
                starts,
                rolling: false,
                places: rng.range(6, 12),
                participants,
                outreach: false,
                wait_days: 0,
            });
        } else {
            let places = ((rng.range(6, 12) as f64) * scale / 2.0).round().max(2.0) as i64;
            let participants = (0..rng.range(0, places / 2))
                .map(|n| Participant {
                    reference: format!("P-{}-{n}", iv.id),
                    gang_affiliations: vec![],
                    start: None,
                    until: Some(as_of + Duration::weeks(rng.range(1, 12))),
                })
                .collect();
            out.push(Provision {
                id: format!("{}-rolling", iv.id),
                intervention: iv.id.clone(),
                provider: "YOS".into(),
                area,
                starts: vec![],
                rolling: true,
                places,
                participants,
                outreach: false,
                wait_days: 0,
            });
        }
    }
    out
}

fn level(rng: &mut Rng) -> Level {
    match rng.range(0, 9) {
        0..=2 => Level::Low,
        3..=6 => Level::Medium,
        _ => Level::High,
    }
}

fn risk(rng: &mut Rng) -> RiskLevel {
    match rng.range(0, 19) {
        0..=6 => RiskLevel::Low,
        7..=14 => RiskLevel::Medium,
        15..=18 => RiskLevel::High,
        _ => RiskLevel::VeryHigh,
    }
}

pub fn case(catalogue: &Catalogue, n: usize, as_of: NaiveDate, rng: &mut Rng) -> Case {
    let age = if rng.chance(0.8) {
        rng.range(14, 17)
    } else {
        rng.range(10, 13)
    };
    // Orders start up to 8 weeks before as_of: keep every child 10 or over on the order start.
    let date_of_birth = as_of - Duration::days(age * 365 + 70 + rng.range(0, 290));
    let mut needs: Vec<AssessedNeed> = Vec::new();
    for _ in 0..rng.range(2, 6) {
        let need = rng.pick(&catalogue.needs).id.clone();
        if !needs.iter().any(|a| a.need == need) {
            needs.push(AssessedNeed {
                need,
                level: level(rng),
            });
        }
    }
    let gang_affiliations = if rng.chance(0.25) {
        vec![rng.pick(GROUPS).to_string()]
    } else {
        vec![]
    };
    let unsafe_areas = if rng.chance(0.15) {
        vec![rng.pick(AREAS).to_string()]
    } else {
        vec![]
    };
    let exclusions = if rng.chance(0.05) {
        vec![Exclusion {
            intervention: rng.pick(&catalogue.interventions).id.clone(),
            by: "police".into(),
            reason: "partner decision".into(),
            challenged: Some(false),
        }]
    } else {
        vec![]
    };
    let risk_of_serious_harm = risk(rng);
    let (order_type, months) = match rng.range(0, 9) {
        0 => (OrderType::YouthConditionalCaution, rng.range(3, 4)),
        1..=5 => (OrderType::ReferralOrder, rng.range(3, 12)),
        _ => (OrderType::YouthRehabilitationOrder, rng.range(6, 24)),
    };
    let start = as_of - Duration::days(rng.range(0, 56));
    let end = start + Duration::days(months * 30);
    Case {
        young_person: YoungPerson {
            reference: format!("G-{:04}", n + 1),
            date_of_birth,
            gender: Some(if rng.chance(0.8) { "male" } else { "female" }.into()),
            needs,
            likelihood_of_reoffending: level(rng),
            risk_of_serious_harm,
            safety_and_wellbeing: risk(rng),
            gang_affiliations,
            unsafe_areas,
            exclusions,
            max_hours_per_week: if rng.chance(0.1) {
                Some(rng.range(4, 12) as f64)
            } else {
                None
            },
            risk_management_plan: (risk_of_serious_harm >= RiskLevel::High && rng.chance(0.7))
                .then(|| RiskManagementPlan {
                    contingency: vec!["Contingency action agreed with police".into()],
                }),
            intervention_level: None,
            max_concurrent_items: None,
        },
        order: Order {
            requirements: (order_type == OrderType::YouthRehabilitationOrder).then(|| {
                let mut imposed = vec![Requirement::Supervision];
                for r in [
                    Requirement::Activity,
                    Requirement::Programme,
                    Requirement::UnpaidWork,
                    Requirement::Curfew,
                    Requirement::MentalHealthTreatment,
                ] {
                    let old_enough = r != Requirement::UnpaidWork || age >= 16;
                    if old_enough && rng.chance(0.3) {
                        imposed.push(r);
                    }
                }
                imposed
            }),
            licence_start: None,
            order_type,
            start,
            end,
        },
    }
}

/// A self-contained caseload document: catalogue, provision, rivalries and `cases` cases.
pub fn caseload(catalogue: &Catalogue, cases: usize, seed: u64, as_of: NaiveDate) -> Caseload {
    let mut rng = Rng::new(seed);
    let provision = provision(catalogue, cases, as_of, &mut rng);
    let cases = (0..cases)
        .map(|n| case(catalogue, n, as_of, &mut rng))
        .collect();
    Caseload {
        as_of,
        rivalries: rivalries(),
        catalogue: Some(catalogue.clone()),
        provision: Some(provision),
        cases,
    }
}

/// A hard caseload: its own random catalogue (`needs` need areas, `interventions`
/// interventions, prerequisites, order permissions, assessments, case-manager work), provision
/// with a third of the usual places, and `cases` cases. Made to stress the allocation the way
/// caseloads from other services would, not to look like the shipped catalogue.
pub fn hard_caseload(cases: usize, seed: u64, as_of: NaiveDate) -> Caseload {
    let mut rng = Rng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let catalogue = random_catalogue(20, 60, &mut rng);
    let mut provision = provision(&catalogue, cases, as_of, &mut rng);
    for p in &mut provision {
        p.places = (p.places / 3).max(1);
        p.participants.truncate(p.places.max(1) as usize - 1);
        if rng.chance(0.3) {
            p.wait_days = rng.range(7, 35);
        }
        p.outreach = rng.chance(0.2);
    }
    let cases = (0..cases)
        .map(|n| case(&catalogue, n, as_of, &mut rng))
        .collect();
    Caseload {
        as_of,
        rivalries: rivalries(),
        catalogue: Some(catalogue),
        provision: Some(provision),
        cases,
    }
}

fn random_catalogue(needs: usize, interventions: usize, rng: &mut Rng) -> Catalogue {
    use crate::domain::catalogue::{DeliveredBy, InterventionKind};
    use crate::domain::levels::DeliveredUnder;
    use crate::domain::{Evidence, Intervention, Need};
    let needs: Vec<Need> = (0..needs)
        .map(|k| Need {
            id: format!("need_{k:02}"),
            name: format!("Need {k}"),
            description: String::new(),
            offending_related: rng.chance(0.55),
            harm_related: rng.chance(0.3),
            assess_first: k == 0,
        })
        .collect();
    let evidence = [
        Evidence::ResearchSupported,
        Evidence::Promising,
        Evidence::Emerging,
        Evidence::Unrated,
    ];
    let permissions = [
        DeliveredUnder::ReferralOrder,
        DeliveredUnder::OutOfCourt,
        DeliveredUnder::Yro(Requirement::Activity),
        DeliveredUnder::Yro(Requirement::Programme),
        DeliveredUnder::Yro(Requirement::Supervision),
        DeliveredUnder::DtoLicence,
    ];
    let mut list: Vec<Intervention> = Vec::with_capacity(interventions);
    for k in 0..interventions {
        let mut addresses: Vec<String> = (0..rng.range(1, 3))
            .map(|_| rng.pick(&needs).id.clone())
            .collect();
        addresses.sort();
        addresses.dedup();
        let assessment = rng.chance(0.08);
        let group = !assessment && rng.chance(0.35);
        let requires = if k > 5 && rng.chance(0.15) {
            vec![list[rng.range(0, k as i64 / 2) as usize].id.clone()]
        } else {
            vec![]
        };
        let requires = requires
            .into_iter()
            .filter(|r| list.iter().any(|i| &i.id == r && i.requires.is_empty()))
            .collect();
        let delivered_under = rng.chance(0.4).then(|| {
            let mut under: Vec<DeliveredUnder> = (0..rng.range(1, 4))
                .map(|_| *rng.pick(&permissions))
                .collect();
            under.sort();
            under.dedup();
            under
        });
        let sessions_per_week = if rng.chance(0.2) { 2 } else { 1 };
        list.push(Intervention {
            id: format!("intervention-{k:02}"),
            name: format!("Intervention {k}"),
            category: "violence".into(),
            addresses,
            offending_focused: rng.chance(0.6),
            format: if group {
                Format::Group
            } else {
                Format::OneToOne
            },
            sessions: rng.range(2, 16),
            sessions_per_week,
            hours_per_session: [1.0, 1.5, 2.0][rng.range(0, 2) as usize],
            min_age: rng.chance(0.3).then(|| rng.range(10, 14)),
            max_age: Some(17),
            requires,
            evidence: *rng.pick(&evidence),
            max_risk_of_serious_harm: rng.chance(0.2).then_some(RiskLevel::High),
            genders: None,
            delivered_under,
            kind: if assessment {
                InterventionKind::Assessment
            } else {
                InterventionKind::Intervention
            },
            delivered_by: if !group && !assessment && rng.chance(0.1) {
                DeliveredBy::CaseManager
            } else {
                DeliveredBy::Provision
            },
            continues_after_order: rng.chance(0.1),
            description: None,
            evidence_source: None,
            provider_type: None,
            facilitator_training_required: None,
            referral: None,
        });
    }
    Catalogue {
        needs,
        interventions: list,
    }
}
