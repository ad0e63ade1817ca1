//! Caseload allocation (CONTRACT §1.4): one joint optimisation for every young person sharing
//! the places, then each young person's plan explained as if planned alone with the others'
//! places taken, so a gap says `no_capacity` where shared places ran out.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::allocation_model::{self, Child, Limits};
use super::model::{self, Solved};
use super::{PlanError, PlannerSettings, explain_plan, options, setting_for, values_for};
use crate::domain::plan::{GapReason, Plan, SolverStatus};
use crate::domain::problem::Caseload;
use crate::domain::{Participant, PlanningProblem, Provision};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AllocationSettings {
    /// Relative MIP gap at which the solver may stop (0.005 = 0.5%).
    pub mip_rel_gap: f64,
    pub time_limit_seconds: f64,
    /// Command line only: write the joint model to this file (MPS) before solving.
    #[serde(skip)]
    pub export_model: Option<std::path::PathBuf>,
}

impl Default for AllocationSettings {
    fn default() -> Self {
        AllocationSettings {
            mip_rel_gap: 0.005,
            time_limit_seconds: 20.0,
            export_model: None,
        }
    }
}

impl AllocationSettings {
    pub fn validate(&self) -> Result<(), crate::domain::FieldErrors> {
        let mut errors = crate::domain::FieldErrors::default();
        if !(0.0..=0.5).contains(&self.mip_rel_gap) {
            errors.push("mip_rel_gap", "must be 0 to 0.5");
        }
        if !(self.time_limit_seconds > 0.0 && self.time_limit_seconds <= 600.0) {
            errors.push("time_limit_seconds", "must be more than 0 and at most 600");
        }
        errors.into_result(())
    }
}

/// Places of one provision (one cohort, or the rolling pool) and how they were used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Utilisation {
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AllocationReport {
    pub status: SolverStatus,
    pub objective: f64,
    /// Relative gap between the plan found and the best bound (0 when proved optimal).
    pub mip_gap: f64,
    pub seconds: f64,
    pub cases: usize,
    pub variables: usize,
    pub constraints: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Allocation {
    pub plans: Vec<Plan>,
    pub utilisation: Vec<Utilisation>,
    pub solver: AllocationReport,
}

fn problem_for(caseload: &Caseload, k: usize, provision: Vec<Provision>) -> PlanningProblem {
    let case = &caseload.cases[k];
    PlanningProblem {
        as_of: caseload.as_of,
        young_person: case.young_person.clone(),
        order: case.order.clone(),
        rivalries: caseload.rivalries.clone(),
        catalogue: caseload.catalogue.clone(),
        provision: Some(provision),
    }
}

/// A place one young person was given.
#[derive(Debug, Clone)]
struct Taken {
    child: usize,
    provision: String,
    intervention: String,
    start: NaiveDate,
    end: NaiveDate,
}

pub fn allocate(
    caseload: &Caseload,
    planner: &PlannerSettings,
    settings: &AllocationSettings,
) -> Result<Allocation, PlanError> {
    let started = Instant::now();
    caseload.validate()?;
    let provision = caseload.provision.clone().unwrap_or_default();
    let problems: Vec<PlanningProblem> = (0..caseload.cases.len())
        .map(|k| problem_for(caseload, k, provision.clone()))
        .collect();
    let children: Vec<Child<'_>> = problems
        .iter()
        .map(|p| Child {
            person: &p.young_person,
            order: &p.order,
            options: fewer_rolling_starts(options::build(&setting_for(p, planner))),
            values: allocation_model::caseload_values(&p.young_person, values_for(p, planner), &planner.weights),
        })
        .collect();
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "options built");
    let joint = allocation_model::solve(
        &children,
        &provision,
        &caseload.rivalries,
        &planner.weights,
        &Limits {
            mip_rel_gap: settings.mip_rel_gap,
            time_limit_seconds: settings.time_limit_seconds,
            export_model: settings.export_model.clone(),
        },
    )?;

    let mut taken = Vec::new();
    for (k, (child, chosen)) in children.iter().zip(&joint.chosen).enumerate() {
        for &ci in chosen {
            let c = &child.options.candidates[ci];
            taken.push(Taken {
                child: k,
                provision: child.options.source_id(c).to_string(),
                intervention: child.options.interventions[c.intervention].id.clone(),
                start: c.start,
                end: c.end,
            });
        }
    }

    // Each plan, explained with everyone else's places taken.
    let mut plans = Vec::with_capacity(problems.len());
    for (k, problem) in problems.iter().enumerate() {
        let others = with_others(&provision, &taken, k, caseload);
        let alone = PlanningProblem {
            provision: Some(others),
            ..problem.clone()
        };
        let opts = options::build(&setting_for(&alone, planner));
        let chosen: Vec<usize> = taken
            .iter()
            .filter(|t| t.child == k)
            .map(|t| {
                opts.candidates
                    .iter()
                    .position(|c| {
                        c.block.is_none()
                            && c.start == t.start
                            && opts.source_id(c) == t.provision
                            && opts.interventions[c.intervention].id == t.intervention
                    })
                    .ok_or_else(|| {
                        PlanError::Solver(model::SolverFailure::new(format!(
                            "allocated place {} from {} is not open for case {k}",
                            t.provision, t.start
                        )))
                    })
            })
            .collect::<Result<_, _>>()?;
        let solved = Solved {
            chosen,
            status: joint.status,
            variables: joint.variables,
            constraints: joint.constraints,
        };
        let values = values_for(&alone, planner);
        let mut plan = explain_plan(&alone, planner, &opts, &values, solved, started);
        plan.solver.seconds = 0.0;
        plans.push(plan);
    }

    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "plans explained");
    let utilisation = utilisation(&provision, &taken, &children, &plans);
    let seconds = (started.elapsed().as_secs_f64() * 1e3).round() / 1e3;
    for plan in &mut plans {
        plan.solver.seconds = seconds;
    }
    Ok(Allocation {
        plans,
        utilisation,
        solver: AllocationReport {
            status: joint.status,
            objective: joint.objective,
            mip_gap: joint.mip_gap,
            seconds,
            cases: caseload.cases.len(),
            variables: joint.variables,
            constraints: joint.constraints,
        },
    })
}

/// The joint model keeps every cohort start but not every week of rolling provision: each of
/// the first 8 weeks, then every other week to week 26, then every fourth week. A caseload of
/// 300 has about a third of the variables; a single plan (`plan`) still considers every week.
pub fn fewer_rolling_starts(mut options: options::Options<'_>) -> options::Options<'_> {
    let window = options.window_start;
    let provision = options.provision.clone();
    options.candidates.retain(|c| {
        let week = (c.start - window).num_days() / 7;
        let rolling = c.provision.is_none_or(|p| provision[p].rolling);
        !rolling || week < 8 || (week < 26 && week % 2 == 0) || week % 4 == 0
    });
    options
}

/// The provision as young person `k` finds it: everyone else's allocated places are held.
fn with_others(
    provision: &[Provision],
    taken: &[Taken],
    k: usize,
    caseload: &Caseload,
) -> Vec<Provision> {
    let mut out = provision.to_vec();
    for t in taken.iter().filter(|t| t.child != k) {
        let Some(p) = out.iter_mut().find(|p| p.id == t.provision) else {
            continue;
        };
        let person = &caseload.cases[t.child].young_person;
        p.participants.push(Participant {
            reference: person.reference.clone(),
            gang_affiliations: person.gang_affiliations.clone(),
            start: Some(t.start),
            until: p.rolling.then_some(t.end),
        });
    }
    out
}

fn utilisation(
    provision: &[Provision],
    taken: &[Taken],
    children: &[Child<'_>],
    plans: &[Plan],
) -> Vec<Utilisation> {
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
        let mut counted = std::collections::BTreeSet::new();
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
            rows.push(Utilisation {
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
