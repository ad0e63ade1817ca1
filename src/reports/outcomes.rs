//! What the recorded reviews say: reviews on time, and for each intervention its completion
//! rate, mean outcome score and change in need level, or "never evaluated" (the inspectorate
//! found most knife-crime programmes never had been).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::facts::{CaseFacts, ProvisionFacts};
use super::{Count, breakdown, count, over};
use crate::domain::case_plan::{ItemOutcome, ItemStatus};
use crate::domain::{Catalogue, Level};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewsOnTime {
    /// Reviews recorded, or whose due date has come.
    pub due: Count,
    /// Recorded on or before the day they were due.
    pub on_time: Count,
    pub late_or_overdue: Count,
    /// Due and not recorded today.
    pub overdue_now: Count,
    /// `on_time` of `due` (suppressed when either count is).
    pub on_time_percent: Option<f64>,
}

pub fn reviews_on_time(cases: &[CaseFacts], today: NaiveDate) -> ReviewsOnTime {
    // Every review recorded, and every one whose day has come without a record.
    let due: Vec<_> = cases
        .iter()
        .flat_map(|c| &c.reviews)
        .filter(|r| r.record.is_some() || r.due <= today)
        .collect();
    let on_time = due
        .iter()
        .filter(|r| {
            r.record
                .as_ref()
                .is_some_and(|rec| rec.reviewed_on <= r.due)
        })
        .count();
    let overdue = due
        .iter()
        .filter(|r| r.record.is_none() && r.due < today)
        .count();
    let cells = breakdown(&[on_time, due.len() - on_time]);
    ReviewsOnTime {
        due: count(due.len()),
        on_time: cells[0],
        late_or_overdue: cells[1],
        overdue_now: count(overdue),
        on_time_percent: cells
            .iter()
            .all(Option::is_some)
            .then(|| over(due.len(), || 100.0 * on_time as f64 / due.len() as f64))
            .flatten(),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndedEarlyCount {
    /// `not_engaged`, `moved`, `custody`, `order_ended`, `needs_met_elsewhere`.
    pub reason: String,
    pub children: Count,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterventionOutcomes {
    pub intervention: String,
    pub name: String,
    /// The catalogue's evidence rating (national evidence, not local outcomes).
    pub evidence: String,
    /// Children with an outcome recorded (their latest).
    pub evaluated: Count,
    /// No local outcome recorded yet for anyone: its effect here is unknown.
    pub never_evaluated: bool,
    pub completed: Count,
    pub ended_early: Count,
    pub ended_early_by_reason: Vec<EndedEarlyCount>,
    /// Completed of those finished (completed or ended early), as a percentage.
    pub completion_rate_percent: Option<f64>,
    /// Mean over every need outcome recorded: achieved 1, partly 0.5, not 0 (shown from 5
    /// children evaluated, as is the level change).
    pub mean_outcome_score: Option<f64>,
    /// Mean change in the need's level from the assessment to the review (low 1, medium 2,
    /// high 3: below zero is better).
    pub mean_level_change: Option<f64>,
}

fn level_number(level: Level) -> f64 {
    match level {
        Level::Low => 1.0,
        Level::Medium => 2.0,
        Level::High => 3.0,
    }
}

fn ended_reason(o: &ItemOutcome) -> String {
    o.ended_early
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| "not_recorded".into())
}

/// Every intervention provided locally or with an outcome recorded, in catalogue order.
pub fn intervention_outcomes(
    cases: &[CaseFacts],
    catalogue: &Catalogue,
    provision: &[ProvisionFacts],
) -> Vec<InterventionOutcomes> {
    // Each child's latest outcome for each intervention, with the level assessed before.
    let mut latest: BTreeMap<&str, Vec<(&CaseFacts, &ItemOutcome)>> = BTreeMap::new();
    for case in cases {
        let mut mine: BTreeMap<&str, (NaiveDate, &ItemOutcome)> = BTreeMap::new();
        for record in case.reviews.iter().filter_map(|r| r.record.as_ref()) {
            for item in &record.items {
                let slot = mine
                    .entry(item.intervention.as_str())
                    .or_insert((record.reviewed_on, item));
                if record.reviewed_on >= slot.0 {
                    *slot = (record.reviewed_on, item);
                }
            }
        }
        for (iv, (_, item)) in mine {
            latest.entry(iv).or_default().push((case, item));
        }
    }
    catalogue
        .interventions
        .iter()
        .filter(|iv| {
            latest.contains_key(iv.id.as_str())
                || provision.iter().any(|p| p.provision.intervention == iv.id)
        })
        .map(|iv| {
            let outcomes = latest.get(iv.id.as_str()).cloned().unwrap_or_default();
            let completed = outcomes
                .iter()
                .filter(|(_, o)| o.status == ItemStatus::Completed)
                .count();
            let ended: Vec<&ItemOutcome> = outcomes
                .iter()
                .filter(|(_, o)| o.status == ItemStatus::EndedEarly)
                .map(|(_, o)| *o)
                .collect();
            let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
            for o in &ended {
                *reasons.entry(ended_reason(o)).or_default() += 1;
            }
            let scores: Vec<f64> = outcomes
                .iter()
                .flat_map(|(_, o)| o.outcomes.iter().map(|n| n.achieved))
                .collect();
            let changes: Vec<f64> = outcomes
                .iter()
                .flat_map(|(case, o)| {
                    o.outcomes.iter().filter_map(|n| {
                        let before = case
                            .assessment
                            .needs
                            .iter()
                            .find(|a| a.need == n.need)?
                            .level;
                        Some(level_number(n.level_after) - level_number(before))
                    })
                })
                .collect();
            let finished = completed + ended.len();
            InterventionOutcomes {
                intervention: iv.id.clone(),
                name: iv.name.clone(),
                evidence: iv.evidence.as_str().to_string(),
                evaluated: count(outcomes.len()),
                never_evaluated: outcomes.is_empty(),
                completed: count(completed),
                ended_early: count(ended.len()),
                ended_early_by_reason: {
                    let cells = breakdown(&reasons.values().copied().collect::<Vec<_>>());
                    reasons
                        .into_iter()
                        .zip(cells)
                        .map(|((reason, _), children)| EndedEarlyCount { reason, children })
                        .collect()
                },
                completion_rate_percent: over(finished, || {
                    100.0 * completed as f64 / finished as f64
                }),
                mean_outcome_score: over(
                    if scores.is_empty() { 0 } else { outcomes.len() },
                    || scores.iter().sum::<f64>() / scores.len() as f64,
                ),
                mean_level_change: over(
                    if changes.is_empty() {
                        0
                    } else {
                        outcomes.len()
                    },
                    || changes.iter().sum::<f64>() / changes.len() as f64,
                ),
            }
        })
        .collect()
}
