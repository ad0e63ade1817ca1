//! How a caseload allocation used each provision's places, and the demand left unmet.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::joint::Child;
use crate::domain::Provision;
use crate::domain::plan::{GapReason, Plan};

/// Places of one provision (one cohort, or the rolling pool) and how they were used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AllocatedPlaces {
    pub provision: String,
    pub intervention: String,
    /// The cohort start; absent for rolling provision.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<NaiveDate>,
    pub rolling: bool,
    pub places: i64,
    /// Places already held by participants in the document.
    pub held: usize,
    /// Young people of this caseload given a place.
    pub allocated: usize,
    /// Young people who could have used it (eligible, safe, in time) but whose need it meets
    /// stayed a gap because the places ran out.
    pub unmet_demand: usize,
}

/// A place allocated to one of the caseload: which provision, from which start.
pub struct Place {
    pub provision: String,
    pub start: NaiveDate,
}

pub fn rows(
    provision: &[Provision],
    taken: &[Place],
    children: &[Child<'_>],
    plans: &[Plan],
) -> Vec<AllocatedPlaces> {
    // Demand that could not be met: a young person whose need stayed a no_capacity gap, with an
    // option on this provision that was open before anyone was allocated.
    let mut unmet: BTreeMap<(String, Option<NaiveDate>), usize> = BTreeMap::new();
    for (child, plan) in children.iter().zip(plans) {
        let short: Vec<&str> = plan
            .gaps
            .iter()
            .filter(|g| g.reason == GapReason::NoCapacity)
            .map(|g| g.need.as_str())
            .collect();
        if short.is_empty() {
            continue;
        }
        let mut counted = BTreeSet::new();
        for (_, c) in child.options.open() {
            let iv = child.options.interventions[c.intervention];
            if !iv.addresses.iter().any(|n| short.contains(&n.as_str())) {
                continue;
            }
            let Some(p) = child.options.provision_of(c) else {
                continue;
            };
            let key = (p.id.clone(), (!p.rolling).then_some(c.start));
            if counted.insert(key.clone()) {
                *unmet.entry(key).or_default() += 1;
            }
        }
    }
    let mut rows = Vec::new();
    for p in provision {
        let slots: Vec<Option<NaiveDate>> = if p.rolling {
            vec![None]
        } else {
            p.starts.iter().copied().map(Some).collect()
        };
        for start in slots {
            let held = match start {
                Some(s) => p.cohort_participants(s).count(),
                None => p.participants.len(),
            };
            let allocated = taken
                .iter()
                .filter(|t| t.provision == p.id && (start.is_none() || Some(t.start) == start))
                .count();
            rows.push(AllocatedPlaces {
                provision: p.id.clone(),
                intervention: p.intervention.clone(),
                start,
                rolling: p.rolling,
                places: p.places,
                held,
                allocated,
                unmet_demand: unmet.get(&(p.id.clone(), start)).copied().unwrap_or(0),
            });
        }
    }
    rows
}
