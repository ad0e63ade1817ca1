//! Caseload allocation (CONTRACT §1.4): one joint optimisation for every young person sharing
//! the places, then each young person's plan explained as if planned alone with the others'
//! places taken, so a gap says `no_capacity` where shared places ran out.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod joint;
mod polish;
mod utilisation;

pub use utilisation::Utilisation;

use joint::{Child, Limits};
use crate::planner::model::{self, Solved};
use crate::planner::{PlanError, PlannerSettings, explain_plan, options, setting_for, values_for};
use crate::domain::plan::{Plan, SolverStatus};
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AllocationReport {
    pub status: SolverStatus,
    pub objective: f64,
    /// Relative gap between the plans found and the solver's best bound; absent when the
    /// solver found no bound (unknown, never reported as 0).
    pub mip_gap: Option<f64>,
    pub seconds: f64,
    pub cases: usize,
    pub variables: usize,
    pub constraints: usize,
    /// Young people whose plan the fairness polish improved with the places left free.
    pub polished: usize,
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
#[derive(Debug, Clone, PartialEq)]
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
    let deadline = started + Duration::from_secs_f64(settings.time_limit_seconds);
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
            values: joint::caseload_values(&p.young_person, values_for(p, planner), &planner.weights),
        })
        .collect();
    let building = started.elapsed();
    tracing::debug!(seconds = building.as_secs_f64(), "options built");
    // The joint solve gets most of what is left; the rest goes to the fairness polish and to
    // explaining every plan (about as long again as building the options took).
    let reserve = building.mul_f64(3.0) + Duration::from_millis(100);
    let joint_budget = deadline
        .saturating_duration_since(Instant::now())
        .saturating_sub(reserve)
        .mul_f64(0.75)
        .as_secs_f64()
        .max(0.05);
    let joint = joint::solve(
        &children,
        &provision,
        &caseload.rivalries,
        &planner.weights,
        &Limits {
            mip_rel_gap: settings.mip_rel_gap,
            time_limit_seconds: joint_budget,
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

    // Fairness: each young person re-planned alone with everyone else's places held, in
    // priority order, until a whole pass changes nothing: then no plan can be improved without
    // a place someone else holds.
    let mut order: Vec<usize> = (0..problems.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(joint::priority(&problems[k].young_person, true, &planner.weights)));
    let mut settled = false;
    let mut polished = 0;
    'passes: for _ in 0..MAX_POLISH_PASSES {
        let mut changed = false;
        for &k in &order {
            if Instant::now() + reserve.mul_f64(0.5) > deadline {
                break 'passes;
            }
            let alone = alone_problem(&problems[k], &provision, &taken, k, caseload);
            let opts = options::build(&setting_for(&alone, planner));
            let current = locate(&opts, &taken, k)?;
            let values = values_for(&alone, planner);
            if let Some(better) = polish::improve(&opts, &values, &current) {
                taken.retain(|t| t.child != k);
                taken.extend(places(&opts, &better, k));
                changed = true;
                polished += 1;
            }
        }
        if !changed {
            settled = true;
            break;
        }
    }
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), polished, settled, "polished");

    // Each plan, explained with everyone else's places taken.
    let mut plans = Vec::with_capacity(problems.len());
    let mut final_objective = 0.0;
    for (k, problem) in problems.iter().enumerate() {
        let alone = alone_problem(problem, &provision, &taken, k, caseload);
        let opts = options::build(&setting_for(&alone, planner));
        let chosen = locate(&opts, &taken, k)?;
        let scaled = joint::caseload_values(&alone.young_person, values_for(&alone, planner), &planner.weights);
        final_objective += model::objective_of(&opts, &chosen, &scaled);
        let solved = Solved {
            chosen,
            status: joint.status,
            variables: joint.variables,
            constraints: joint.constraints,
        };
        let values = values_for(&alone, planner);
        plans.push(explain_plan(&alone, planner, &opts, &values, solved, started));
    }

    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "plans explained");
    let utilisation = utilisation::rows(&provision, &taken_places(&taken), &children, &plans);
    let seconds = (started.elapsed().as_secs_f64() * 1e3).round() / 1e3;
    // Optimal only when the solver proved the joint plan within the gap asked for and the
    // polish finished; the gap is measured from the solver's bound to the final plans.
    let mip_gap = joint
        .bound
        .map(|bound| ((bound - final_objective) / final_objective.abs().max(1.0)).max(0.0));
    let proved = joint.status == SolverStatus::Optimal
        && settled
        && mip_gap.is_some_and(|g| g <= settings.mip_rel_gap + 1e-9);
    let status = if proved {
        SolverStatus::Optimal
    } else {
        SolverStatus::Feasible
    };
    for plan in &mut plans {
        plan.solver.seconds = seconds;
        plan.solver.status = status;
    }
    Ok(Allocation {
        plans,
        utilisation,
        solver: AllocationReport {
            status,
            objective: final_objective,
            mip_gap,
            seconds,
            cases: caseload.cases.len(),
            variables: joint.variables,
            constraints: joint.constraints,
            polished,
        },
    })
}

/// Passes of the fairness polish at most; in practice one or two settle it.
const MAX_POLISH_PASSES: usize = 4;

/// Young person `k`'s document with everyone else's allocated places held.
fn alone_problem(
    problem: &PlanningProblem,
    provision: &[Provision],
    taken: &[Taken],
    k: usize,
    caseload: &Caseload,
) -> PlanningProblem {
    PlanningProblem {
        provision: Some(with_others(provision, taken, k, caseload)),
        ..problem.clone()
    }
}

/// Young person `k`'s places as candidates of `opts`.
fn locate(opts: &options::Options<'_>, taken: &[Taken], k: usize) -> Result<Vec<usize>, PlanError> {
    taken
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
        .collect()
}

fn places(opts: &options::Options<'_>, chosen: &[usize], k: usize) -> Vec<Taken> {
    chosen
        .iter()
        .map(|&ci| {
            let c = &opts.candidates[ci];
            Taken {
                child: k,
                provision: opts.source_id(c).to_string(),
                intervention: opts.interventions[c.intervention].id.clone(),
                start: c.start,
                end: c.end,
            }
        })
        .collect()
}

fn taken_places(taken: &[Taken]) -> Vec<utilisation::Place> {
    taken
        .iter()
        .map(|t| utilisation::Place {
            provision: t.provision.clone(),
            start: t.start,
        })
        .collect()
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

