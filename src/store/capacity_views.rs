//! The coordinator views: utilisation of places, and cohorts at risk. Aggregates of places
//! only; no child is named.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::StoreResult;
use super::cohorts::Cohort;
use super::facilitators::Facilitator;

/// The window of a view: cohorts starting from `from` to `to` (inclusive), and rolling pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    pub fn weeks(from: NaiveDate, weeks: i64) -> Window {
        Window {
            from,
            to: from + Duration::days(7 * weeks - 1),
        }
    }

    fn holds(&self, cohort: &Cohort) -> bool {
        cohort.start.is_none_or(|s| self.from <= s && s <= self.to)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortUse {
    pub cohort: String,
    pub start: Option<NaiveDate>,
    pub places: i64,
    pub filled: i64,
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProvisionUse {
    pub provision: String,
    pub intervention: String,
    /// Totals over the cohorts in the window.
    pub places: i64,
    pub filled: i64,
    pub free: i64,
    /// Children on the provision's waiting list.
    pub waiting: i64,
    pub cohorts: Vec<CohortUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamUtilisation {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub provisions: Vec<ProvisionUse>,
}

/// Why a cohort is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AtRiskCode {
    /// Less than half full within 2 weeks of its start.
    UnderFilled,
    /// No attached facilitator is trained in the intervention by the start.
    NoTrainedFacilitator,
    /// Its provision's waiting list is longer than the free places in the window.
    Oversubscribed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub code: AtRiskCode,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortAtRisk {
    pub cohort: String,
    pub provision: String,
    pub intervention: String,
    pub start: Option<NaiveDate>,
    pub places: i64,
    pub filled: i64,
    pub free: i64,
    pub waiting: i64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRisk {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cohorts: Vec<CohortAtRisk>,
}

/// Everything the views are computed from.
pub struct Inputs {
    /// (provision id, intervention id) of every provision of the team.
    pub provisions: Vec<(String, String)>,
    pub cohorts: Vec<Cohort>,
    pub waiting: BTreeMap<String, i64>,
    pub facilitators: BTreeMap<String, Facilitator>,
}

pub async fn inputs(db: &impl ConnectionTrait, team: &str) -> StoreResult<Inputs> {
    Ok(Inputs {
        provisions: super::provision::list(db, team)
            .await?
            .into_iter()
            .map(|p| (p.provision.id, p.provision.intervention))
            .collect(),
        cohorts: super::cohorts::list(db, team).await?,
        waiting: super::waiting_list::counts(db, team).await?,
        facilitators: super::facilitators::list(db, team, None)
            .await?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect(),
    })
}

/// Per provision, then per cohort in the window: places, filled, free, waiting.
pub fn utilisation(inputs: &Inputs, window: Window) -> TeamUtilisation {
    let provisions = inputs
        .provisions
        .iter()
        .map(|(provision, intervention)| {
            let cohorts: Vec<CohortUse> = inputs
                .cohorts
                .iter()
                .filter(|c| c.provision == *provision && window.holds(c))
                .map(|c| CohortUse {
                    cohort: c.id.clone(),
                    start: c.start,
                    places: c.places,
                    filled: c.filled,
                    free: c.free,
                })
                .collect();
            ProvisionUse {
                provision: provision.clone(),
                intervention: intervention.clone(),
                places: cohorts.iter().map(|c| c.places).sum(),
                filled: cohorts.iter().map(|c| c.filled).sum(),
                free: cohorts.iter().map(|c| c.free).sum(),
                waiting: inputs.waiting.get(provision).copied().unwrap_or(0),
                cohorts,
            }
        })
        .collect();
    TeamUtilisation {
        from: window.from,
        to: window.to,
        provisions,
    }
}

fn facilitator_reason(inputs: &Inputs, cohort: &Cohort, as_of: NaiveDate) -> Option<Reason> {
    let by = cohort.start.unwrap_or(as_of);
    if cohort.facilitators.is_empty() {
        return Some(Reason {
            code: AtRiskCode::NoTrainedFacilitator,
            detail: "no facilitator is attached".into(),
        });
    }
    let trained = cohort
        .facilitators
        .iter()
        .filter_map(|id| inputs.facilitators.get(id))
        .any(|f| f.intervention == cohort.intervention && f.trained_on <= by);
    (!trained).then(|| Reason {
        code: AtRiskCode::NoTrainedFacilitator,
        detail: format!(
            "none of the {} attached facilitator(s) is trained in {} on or before {by}",
            cohort.facilitators.len(),
            cohort.intervention
        ),
    })
}

/// Cohorts in the window that are under-filled (less than half full within 2 weeks of their
/// start), have no trained facilitator, or belong to an oversubscribed provision (its waiting
/// list is longer than the free places of its cohorts in the window). `window.from` is the date
/// the view is judged on.
pub fn at_risk(inputs: &Inputs, window: Window) -> AtRisk {
    let as_of = window.from;
    let mut free_by_provision: BTreeMap<&str, (i64, usize)> = BTreeMap::new();
    for c in inputs.cohorts.iter().filter(|c| window.holds(c)) {
        let entry = free_by_provision.entry(c.provision.as_str()).or_default();
        entry.0 += c.free;
        entry.1 += 1;
    }
    let mut out = Vec::new();
    for c in inputs.cohorts.iter().filter(|c| window.holds(c)) {
        let waiting = inputs.waiting.get(&c.provision).copied().unwrap_or(0);
        let mut reasons = Vec::new();
        if let Some(start) = c.start
            && start <= as_of + Duration::days(14)
            && c.filled * 2 < c.places
        {
            reasons.push(Reason {
                code: AtRiskCode::UnderFilled,
                detail: format!(
                    "{} of {} places filled and it starts on {start}",
                    c.filled, c.places
                ),
            });
        }
        reasons.extend(facilitator_reason(inputs, c, as_of));
        let (free, count) = free_by_provision[c.provision.as_str()];
        if waiting > free {
            reasons.push(Reason {
                code: AtRiskCode::Oversubscribed,
                detail: format!(
                    "{waiting} waiting for '{}' and {free} free place(s) across its {count} \
                     cohort(s) to {}",
                    c.provision, window.to
                ),
            });
        }
        if !reasons.is_empty() {
            out.push(CohortAtRisk {
                cohort: c.id.clone(),
                provision: c.provision.clone(),
                intervention: c.intervention.clone(),
                start: c.start,
                places: c.places,
                filled: c.filled,
                free: c.free,
                waiting,
                reasons,
            });
        }
    }
    AtRisk {
        from: window.from,
        to: window.to,
        cohorts: out,
    }
}
