//! The provision-gap picture (docs/reports.md): for each need, the demand on the live caseload
//! (children at each level, weighted by risk of serious harm), what is provided locally
//! (places over the next 12 weeks, waiting time, trained facilitators), what is unmet and why,
//! and the funnel from identified to completed; then needs with demand and no provision at all,
//! provision no trained facilitator can run, reviews on time, plans without offending-focused
//! work, partner decisions, and each intervention's outcomes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::facts::{CaseFacts, ProvisionFacts};
use super::outcomes::{
    InterventionOutcomes, ReviewsOnTime, intervention_outcomes, reviews_on_time,
};
use super::{Count, breakdown, count};
use crate::domain::plan::{FlagCode, GapReason};
use crate::domain::{Catalogue, Level, OrderType, RiskLevel};

/// How far ahead places are counted.
pub const PLACES_AHEAD_WEEKS: i64 = 12;

/// Each child's weight in the weighted demand, by risk of serious harm.
pub fn risk_weight(risk: RiskLevel) -> usize {
    match risk {
        RiskLevel::Low => 1,
        RiskLevel::Medium => 2,
        RiskLevel::High => 3,
        RiskLevel::VeryHigh => 4,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelCounts {
    pub low: Count,
    pub medium: Count,
    pub high: Count,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskCount {
    /// Risk of serious harm.
    pub risk_of_serious_harm: RiskLevel,
    pub children: Count,
}

/// One provision record that meets the need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvisionLine {
    pub team: String,
    pub provision: String,
    pub intervention: String,
    pub name: String,
    pub area: String,
    /// Places at once (rolling) or in each cohort.
    pub places: i64,
    /// Free places in cohorts starting in the next 12 weeks, or free rolling places at the
    /// busiest point of the next 12 weeks.
    pub free_places_next_12_weeks: i64,
    /// The referral wait once a place is free.
    pub wait_days: i64,
    /// The first day a new referral could start (after the wait, with a place free); absent:
    /// none within a year.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_free_place: Option<NaiveDate>,
    pub trained_facilitators: usize,
    pub needs_trained_facilitator: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonCount {
    /// A gap reason of the planning contract, or `no_plan` (no plan built yet).
    pub reason: String,
    /// `provision` (what the offer lacks or bars) or `planning` (a choice or rule of the plan).
    pub kind: String,
    /// The reason in words.
    pub label: String,
    pub children: Count,
}

/// Children with the need → with work for it in an accepted plan → started → completed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Funnel {
    pub identified: Count,
    pub planned: Count,
    pub started: Count,
    pub completed: Count,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedRow {
    pub need: String,
    pub name: String,
    pub offending_related: bool,
    /// Children on the live caseload with the need assessed.
    pub children: Count,
    pub by_level: LevelCounts,
    /// Each child counted 1 at low risk of serious harm, 2 medium, 3 high, 4 very high
    /// (suppressed when any cell of `by_risk` is).
    pub weighted_demand: Count,
    pub by_risk: Vec<RiskCount>,
    pub provision: Vec<ProvisionLine>,
    pub free_places_next_12_weeks: i64,
    /// The shortest referral wait of the provision meeting the need.
    pub shortest_wait_days: Option<i64>,
    /// Children whose current plan (live, else draft) leaves the need unmet, or who have no
    /// plan yet.
    pub unmet: Count,
    pub unmet_by_reason: Vec<ReasonCount>,
    pub funnel: Funnel,
}

/// A need children have and nothing local provides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnprovidedNeed {
    pub need: String,
    pub name: String,
    pub offending_related: bool,
    pub children: Count,
    pub by_risk: Vec<RiskCount>,
    /// Catalogue interventions that would meet it, none provided.
    pub interventions: Vec<String>,
}

/// Bars in force on one intervention by one agency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BarCount {
    pub intervention: String,
    pub name: String,
    pub children: Count,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyDecisions {
    pub agency: String,
    pub decisions: Count,
    pub challenged: Count,
    pub bars_in_force: Vec<BarCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvisionGapReport {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub teams: Vec<String>,
    /// Children on the live caseload (an assessment and an order that has not ended), those
    /// awaiting sentence not included.
    pub children: Count,
    /// Children awaiting sentence (a proposed order), counted apart from the caseload.
    pub awaiting_sentence: Count,
    pub needs: Vec<NeedRow>,
    /// The funnel over every offending-related need (a child counts once per need).
    pub offending_funnel: Funnel,
    pub unprovided: Vec<UnprovidedNeed>,
    pub without_trained_facilitator: Vec<ProvisionLine>,
    pub reviews: ReviewsOnTime,
    /// Children with an offending-related need at medium or above whose current plan has no
    /// offending-focused work for it.
    pub plans_without_offending_work: Count,
    pub partner_decisions: Vec<AgencyDecisions>,
    pub interventions: Vec<InterventionOutcomes>,
}

fn level_of(case: &CaseFacts, need: &str) -> Option<Level> {
    case.assessment
        .needs
        .iter()
        .find(|n| n.need == need)
        .map(|n| n.level)
}

/// The children by risk of serious harm, every level listed (highest first), as a breakdown.
pub fn by_risk(levels: impl Iterator<Item = RiskLevel>) -> Vec<RiskCount> {
    const ALL: [RiskLevel; 4] = [
        RiskLevel::VeryHigh,
        RiskLevel::High,
        RiskLevel::Medium,
        RiskLevel::Low,
    ];
    let mut counts = [0usize; 4];
    for level in levels {
        if let Some(k) = ALL.iter().position(|l| *l == level) {
            counts[k] += 1;
        }
    }
    ALL.iter()
        .zip(breakdown(&counts))
        .map(|(risk, children)| RiskCount {
            risk_of_serious_harm: *risk,
            children,
        })
        .collect()
}

/// The first day a new referral could take a place: the first cohort on or after the wait
/// with a place free, or the first week after the wait with a rolling place free (within a
/// year).
fn next_free_place(p: &crate::domain::Provision, today: NaiveDate) -> Option<NaiveDate> {
    let from = today + Duration::days(p.wait_days);
    if p.rolling {
        (0..53)
            .map(|w| from + Duration::weeks(w))
            .find(|d| i64::try_from(p.most_held_during(*d, *d)).unwrap_or(i64::MAX) < p.places)
    } else {
        let mut starts = p.starts.clone();
        starts.sort();
        starts.into_iter().filter(|s| *s >= from).find(|s| {
            i64::try_from(p.cohort_participants(*s).count()).unwrap_or(i64::MAX) < p.places
        })
    }
}

/// Free places over the next 12 weeks (see `ProvisionLine`).
fn free_places(p: &crate::domain::Provision, today: NaiveDate) -> i64 {
    let horizon = today + Duration::weeks(PLACES_AHEAD_WEEKS);
    if p.rolling {
        let held = i64::try_from(p.most_held_during(today, horizon)).unwrap_or(i64::MAX);
        (p.places - held).max(0)
    } else {
        p.starts
            .iter()
            .filter(|s| **s >= today && **s < horizon)
            .map(|s| {
                let held = i64::try_from(p.cohort_participants(*s).count()).unwrap_or(i64::MAX);
                (p.places - held).max(0)
            })
            .sum()
    }
}

fn provision_line(f: &ProvisionFacts, catalogue: &Catalogue, today: NaiveDate) -> ProvisionLine {
    let iv = catalogue.intervention(&f.provision.intervention);
    ProvisionLine {
        team: f.team.clone(),
        provision: f.provision.id.clone(),
        intervention: f.provision.intervention.clone(),
        name: iv.map_or(f.provision.intervention.clone(), |i| i.name.clone()),
        area: f.provision.area.clone(),
        places: f.provision.places,
        free_places_next_12_weeks: free_places(&f.provision, today),
        wait_days: f.provision.wait_days,
        next_free_place: next_free_place(&f.provision, today),
        trained_facilitators: f.trained_facilitators,
        needs_trained_facilitator: iv
            .is_some_and(|i| i.facilitator_training_required == Some(true)),
    }
}

/// Whether the child's live (accepted) plan has work (not an assessment) for `need`;
/// `started_by`: begun by that day.
fn planned_for(case: &CaseFacts, need: &str, started_by: Option<NaiveDate>) -> bool {
    case.plan.as_ref().is_some_and(|p| {
        p.live
            && p.plan.items.iter().any(|i| {
                !i.assessment
                    && i.addresses.iter().any(|a| a == need)
                    && started_by.is_none_or(|day| i.start <= day)
            })
    })
}

fn completed_for(case: &CaseFacts, need: &str) -> bool {
    case.reviews
        .iter()
        .filter_map(|r| r.record.as_ref())
        .any(|r| {
            r.items.iter().any(|i| {
                i.status == crate::domain::case_plan::ItemStatus::Completed
                    && i.outcomes.iter().any(|o| o.need == need)
            })
        })
}

/// Children whose current plan leaves each need unmet (or who have no plan), by need.
pub fn unmet_by_need<'a>(cases: impl Iterator<Item = &'a CaseFacts>) -> BTreeMap<String, usize> {
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    for case in cases {
        for need in &case.assessment.needs {
            if unmet_reason(case, &need.need).is_some() {
                *out.entry(need.need.clone()).or_default() += 1;
            }
        }
    }
    out
}

/// Why the need is unmet for this child, if it is: the gap reason of their current plan, or
/// `no_plan`.
fn unmet_reason(case: &CaseFacts, need: &str) -> Option<String> {
    match &case.plan {
        None => Some("no_plan".into()),
        Some(p) => p
            .plan
            .gaps
            .iter()
            .find(|g| g.need == need)
            .map(|g| g.reason.as_str().to_string()),
    }
}

pub fn build(
    as_of: NaiveDate,
    teams: Vec<String>,
    catalogue: &Catalogue,
    all_cases: &[CaseFacts],
    provision: &[ProvisionFacts],
) -> ProvisionGapReport {
    let (awaiting, cases): (Vec<CaseFacts>, Vec<CaseFacts>) = all_cases
        .iter()
        .cloned()
        .partition(|c| c.order.order_type == OrderType::Proposed);
    let cases = cases.as_slice();
    let meets = |iv: &crate::domain::Intervention, need: &str| {
        iv.kind != crate::domain::catalogue::InterventionKind::Assessment
            && iv.addresses.iter().any(|a| a == need)
    };
    let mut needs = Vec::new();
    let mut unprovided = Vec::new();
    let mut offending = [0usize; 4];
    for need in &catalogue.needs {
        let with: Vec<&CaseFacts> = cases
            .iter()
            .filter(|c| level_of(c, &need.id).is_some())
            .collect();
        let lines: Vec<ProvisionLine> = provision
            .iter()
            .filter(|f| {
                catalogue
                    .intervention(&f.provision.intervention)
                    .is_some_and(|iv| meets(iv, &need.id))
            })
            .map(|f| provision_line(f, catalogue, as_of))
            .collect();
        if with.is_empty() && lines.is_empty() {
            continue;
        }
        let at = |level| {
            with.iter()
                .filter(|c| level_of(c, &need.id) == Some(level))
                .count()
        };
        let levels = breakdown(&[at(Level::Low), at(Level::Medium), at(Level::High)]);
        let risks = by_risk(with.iter().map(|c| c.assessment.risk_of_serious_harm));
        // The weighted sum would give away risk cells hidden beside it.
        let risk_shown = risks.iter().all(|r| r.children.is_some());
        let weighted: usize = with
            .iter()
            .map(|c| risk_weight(c.assessment.risk_of_serious_harm))
            .sum();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for c in &with {
            if let Some(reason) = unmet_reason(c, &need.id) {
                *reasons.entry(reason).or_default() += 1;
            }
        }
        let unmet: usize = reasons.values().sum();
        let children = count(with.len());
        let stages = [
            with.len(),
            with.iter()
                .filter(|c| planned_for(c, &need.id, None))
                .count(),
            with.iter()
                .filter(|c| planned_for(c, &need.id, Some(as_of)))
                .count(),
            with.iter().filter(|c| completed_for(c, &need.id)).count(),
        ];
        if need.offending_related {
            for (total, n) in offending.iter_mut().zip(stages) {
                *total += n;
            }
        }
        needs.push(NeedRow {
            need: need.id.clone(),
            name: need.name.clone(),
            offending_related: need.offending_related,
            children,
            by_level: LevelCounts {
                low: levels[0],
                medium: levels[1],
                high: levels[2],
            },
            weighted_demand: children.filter(|_| risk_shown).map(|_| weighted),
            by_risk: risks.clone(),
            free_places_next_12_weeks: lines.iter().map(|l| l.free_places_next_12_weeks).sum(),
            shortest_wait_days: lines.iter().map(|l| l.wait_days).min(),
            provision: lines.clone(),
            unmet: count(unmet),
            unmet_by_reason: order_reasons(reasons),
            funnel: funnel_of(stages),
        });
        if !with.is_empty() && lines.is_empty() {
            unprovided.push(UnprovidedNeed {
                need: need.id.clone(),
                name: need.name.clone(),
                offending_related: need.offending_related,
                children,
                by_risk: risks,
                interventions: catalogue
                    .interventions
                    .iter()
                    .filter(|iv| meets(iv, &need.id))
                    .map(|iv| iv.name.clone())
                    .collect(),
            });
        }
    }
    let without_trained_facilitator = provision
        .iter()
        .map(|f| provision_line(f, catalogue, as_of))
        .filter(|l| l.needs_trained_facilitator && l.trained_facilitators == 0)
        .collect();
    ProvisionGapReport {
        as_of,
        teams,
        children: count(cases.len()),
        awaiting_sentence: count(awaiting.len()),
        needs,
        offending_funnel: funnel_of(offending),
        unprovided,
        without_trained_facilitator,
        reviews: reviews_on_time(cases, as_of),
        plans_without_offending_work: count(
            cases
                .iter()
                .filter(|c| {
                    c.plan.as_ref().is_some_and(|p| {
                        p.plan
                            .flags
                            .iter()
                            .any(|f| f.code == FlagCode::NoOffendingFocusedWork)
                    })
                })
                .count(),
        ),
        partner_decisions: partner_decisions(cases, catalogue, as_of),
        interventions: intervention_outcomes(cases, catalogue, provision),
    }
}

fn funnel_of([identified, planned, started, completed]: [usize; 4]) -> Funnel {
    Funnel {
        identified: count(identified),
        planned: count(planned),
        started: count(started),
        completed: count(completed),
    }
}

/// What each reason means to a manager: a gap in the offer, or a choice or rule of the plan.
fn reason_words(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "no_intervention" => ("provision", "nothing in the catalogue meets it"),
        "no_provision" => ("provision", "not provided locally"),
        "not_permitted" => ("provision", "not permitted by the order"),
        "excluded" => ("provision", "barred or excluded"),
        "unsafe" => ("provision", "not safe for the child to attend"),
        "no_capacity" => ("provision", "no place in time"),
        "ineligible" => ("planning", "not eligible (age, risk, gender)"),
        "not_selected" => (
            "planning",
            "left out by the plan (hours, work at once, or a prerequisite)",
        ),
        _ => ("planning", "no plan built yet"),
    }
}

/// Reasons in the contract's order, `no_plan` last, as a breakdown of the unmet count.
fn order_reasons(reasons: BTreeMap<String, usize>) -> Vec<ReasonCount> {
    let rank = |r: &str| {
        [
            GapReason::NoIntervention,
            GapReason::NoProvision,
            GapReason::NotPermitted,
            GapReason::Ineligible,
            GapReason::Excluded,
            GapReason::Unsafe,
            GapReason::NoCapacity,
            GapReason::NotSelected,
        ]
        .iter()
        .position(|g| g.as_str() == r)
        .unwrap_or(usize::MAX)
    };
    let mut list: Vec<(String, usize)> = reasons.into_iter().collect();
    list.sort_by_key(|(r, _)| rank(r));
    let cells: Vec<usize> = list.iter().map(|(_, n)| *n).collect();
    list.into_iter()
        .zip(breakdown(&cells))
        .map(|((reason, _), children)| {
            let (kind, label) = reason_words(&reason);
            ReasonCount {
                kind: kind.into(),
                label: label.into(),
                reason,
                children,
            }
        })
        .collect()
}

fn partner_decisions(
    cases: &[CaseFacts],
    catalogue: &Catalogue,
    today: NaiveDate,
) -> Vec<AgencyDecisions> {
    // Agencies as recorded, grouped without regard to case ("police" and "Police").
    let mut agencies: BTreeMap<String, (String, usize, usize, BTreeMap<String, usize>)> =
        BTreeMap::new();
    for case in cases {
        let mut barred: BTreeSet<(String, String)> = BTreeSet::new();
        for d in &case.decisions {
            let key = d.agency.trim().to_lowercase();
            let entry = agencies
                .entry(key.clone())
                .or_insert_with(|| (d.agency.trim().to_string(), 0, 0, BTreeMap::new()));
            entry.1 += 1;
            if d.challenged {
                entry.2 += 1;
            }
            if let Some(iv) = d.bars_on(today) {
                barred.insert((key, iv.to_string()));
            }
        }
        // One child counts once per agency and intervention, however many bars recorded.
        for (agency, iv) in barred {
            if let Some(entry) = agencies.get_mut(&agency) {
                *entry.3.entry(iv).or_default() += 1;
            }
        }
    }
    agencies
        .into_values()
        .map(|(agency, decisions, challenged, bars)| AgencyDecisions {
            agency,
            decisions: count(decisions),
            challenged: count(challenged),
            bars_in_force: bars
                .into_iter()
                .map(|(iv, n)| BarCount {
                    name: catalogue
                        .intervention(&iv)
                        .map_or(iv.clone(), |i| i.name.clone()),
                    intervention: iv,
                    children: count(n),
                })
                .collect(),
        })
        .collect()
}
