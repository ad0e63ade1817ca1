//! Caseload allocation (docs/planning.md §1): the shared places of a caseload, from the joint
//! model's relaxation, rounding guided by it, a fairness polish and, with time left, the joint
//! solver (README, "Caseload allocation"); then each young person's plan explained as if planned
//! alone with the others' places taken, so a gap says `no_capacity` where shared places ran out.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod joint;
mod polish;
mod utilisation;

pub use utilisation::AllocatedPlaces;

use crate::domain::plan::{Plan, SolverStatus};
use crate::domain::problem::Caseload;
use crate::domain::{Participant, PlanningProblem, Provision};
use crate::planner::model::{self, Solved};
use crate::planner::{PlanError, PlannerSettings, explain_plan, options, setting_for, values_for};
use joint::{Child, Limits};

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
            time_limit_seconds: 10.0,
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
    pub utilisation: Vec<AllocatedPlaces>,
    pub solver: AllocationReport,
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
        .map(|k| caseload.problem_for(k))
        .collect();
    let children: Vec<Child<'_>> = problems.iter().map(|p| child(p, planner)).collect();
    let building = started.elapsed();
    tracing::debug!(seconds = building.as_secs_f64(), "options built");
    // Explaining every plan at the end takes about as long again as building the options.
    let reserve = building.mul_f64(8.0) + Duration::from_millis(300);
    let remaining = || {
        deadline
            .saturating_duration_since(Instant::now())
            .saturating_sub(reserve)
    };
    let mut order: Vec<usize> = (0..problems.len()).collect();
    order.sort_by_key(|&k| {
        std::cmp::Reverse(joint::priority(&problems[k].young_person, &planner.weights))
    });
    let alone_options =
        |k: usize, taken: &[Taken]| alone_problem(&problems[k], &provision, taken, k, caseload);

    if let Some(path) = &settings.export_model {
        joint::export(&children, &provision, &caseload.rivalries, path)?;
    }

    // 1. The relaxation: a bound on any allocation, and most young people's plans outright (it
    //    is nearly integral).
    let nothing_open = children.iter().all(|c| c.options.open().next().is_none());
    let relaxed = if nothing_open {
        None
    } else {
        joint::relax(
            &children,
            &provision,
            &caseload.rivalries,
            remaining().mul_f64(0.5).as_secs_f64(),
        )?
    };
    let mut bound = if nothing_open {
        Some(0.0)
    } else {
        relaxed.as_ref().map(|r| r.bound)
    };
    let (mut variables, mut constraints) = relaxed
        .as_ref()
        .map_or((0, 0), |r| (r.variables, r.constraints));

    // 2. Rounding: whoever's relaxed plan is whole keeps it; the relaxation is solved again for
    //    the others around the places now taken, a few times; whoever is still fractional is
    //    then planned alone, in priority order, within the relaxation's choices for them (the
    //    places it meant them to have), so nobody takes a place another needs more. The polish
    //    below adds what more the free places allow.
    let mut taken: Vec<Taken> = Vec::new();
    let mut open: Vec<usize> = order.clone();
    let mut support: BTreeMap<usize, Vec<Choice>> = BTreeMap::new();
    if let Some(r) = &relaxed {
        open = settle_whole(&children, &open, r, &mut taken, &mut support, |i| i);
    }
    for _ in 0..MAX_ROUNDS {
        if open.is_empty() || relaxed.is_none() || remaining().as_secs_f64() < 1.0 {
            break;
        }
        let sub_problems: Vec<PlanningProblem> =
            open.iter().map(|&k| alone_options(k, &taken)).collect();
        let sub_provision = sub_problems[0].provision.clone().unwrap_or_default();
        let sub_children: Vec<Child<'_>> = sub_problems.iter().map(|p| child(p, planner)).collect();
        let Some(r) = joint::relax(
            &sub_children,
            &sub_provision,
            &caseload.rivalries,
            remaining().mul_f64(0.3).as_secs_f64(),
        )?
        else {
            break;
        };
        let before = open.len();
        let positions: Vec<usize> = (0..open.len()).collect();
        let still = settle_whole(
            &sub_children,
            &positions,
            &r,
            &mut taken,
            &mut support,
            |i| open[i],
        );
        open = still.into_iter().map(|i| open[i]).collect();
        if open.len() == before {
            break;
        }
    }
    let ctx = Context {
        problems: &problems,
        provision: &provision,
        caseload,
        planner,
        order: &order,
    };
    let fractional = open.len();
    for &k in &open {
        if remaining().is_zero() {
            // Out of time: no plan is better than a late answer; the gap says how much is lost.
            continue;
        }
        let alone = alone_options(k, &taken);
        // The joint model's starts, so these plans can start the joint solve below.
        let mut opts = fewer_rolling_starts(options::build(&setting_for(&alone, planner)));
        if let Some(choices) = support.get(&k) {
            for c in opts.candidates.iter_mut().filter(|c| c.block.is_none()) {
                let kept = choices.iter().any(|ch| {
                    ch.start == c.start
                        && ch.intervention == opts.interventions[c.intervention].id
                        && ch.source.as_deref()
                            == c.provision.map(|p| opts.provision[p].id.as_str())
                });
                if !kept {
                    c.block = Some(options::Block::Pruned);
                }
            }
        }
        let values = values_for(&alone, planner);
        let seconds = remaining().as_secs_f64().clamp(0.05, 2.0);
        let solved = model::solve(&opts, &values, seconds)?;
        taken.extend(places(&opts, &solved.chosen, k));
    }
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        fractional,
        "rounded"
    );

    // 3. Fairness: each young person re-planned alone with everyone else's places held.
    let (mut settled, mut polished) = ctx.polish(&mut taken, deadline - reserve.mul_f64(0.5))?;
    let mut final_objective = ctx.objective(&taken)?;
    let gap_to = |bound: Option<f64>, objective: f64| {
        bound.map(|b| ((b - objective) / objective.abs().max(1.0)).max(0.0))
    };
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), polished, settled, gap = ?gap_to(bound, final_objective), "polished");

    // 4. Still short of the gap asked for, with time left: the joint solver, from this
    //    allocation, then the polish again.
    let left = remaining().as_secs_f64();
    if !nothing_open
        && gap_to(bound, final_objective).is_none_or(|g| g > settings.mip_rel_gap)
        && left > 0.5
    {
        let start: Vec<Vec<usize>> = (0..children.len())
            .map(|k| located_or_nothing(&children[k].options, &taken, k))
            .collect();
        let solved = joint::solve(
            &children,
            &provision,
            &caseload.rivalries,
            &start,
            &Limits {
                mip_rel_gap: settings.mip_rel_gap,
                time_limit_seconds: left * 0.7,
            },
        );
        // The joint solver only ever improves on what is in hand: if it fails, keep that.
        let joint = match solved {
            Ok(joint) => joint,
            Err(e) => {
                tracing::warn!(error = %e, "joint solver failed; keeping the polished allocation");
                joint::JointSolution {
                    chosen: start,
                    status: SolverStatus::Feasible,
                    objective: f64::NEG_INFINITY,
                    bound: None,
                    variables,
                    constraints,
                }
            }
        };
        (variables, constraints) = (joint.variables, joint.constraints);
        bound = match (bound, joint.bound) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut candidate: Vec<Taken> = Vec::new();
        for (k, chosen) in joint.chosen.iter().enumerate() {
            candidate.extend(places(&children[k].options, chosen, k));
        }
        // Adopted only when every place checks out day by day for every young person.
        let candidate_objective = ctx.objective(&candidate).unwrap_or(f64::NEG_INFINITY);
        if candidate_objective > final_objective {
            taken = candidate;
            (settled, polished) = {
                let (s, p) = ctx.polish(&mut taken, deadline - reserve.mul_f64(0.5))?;
                (s, polished + p)
            };
            final_objective = ctx.objective(&taken)?;
        }
    }
    let mip_gap = gap_to(bound, final_objective);
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), gap = ?mip_gap, "solved");

    // Each plan, explained with everyone else's places taken.
    let mut plans = Vec::with_capacity(problems.len());
    for (k, problem) in problems.iter().enumerate() {
        let alone = alone_problem(problem, &provision, &taken, k, caseload);
        let opts = options::build(&setting_for(&alone, planner));
        let chosen = locate(&opts, &taken, k)?;
        let solved = Solved {
            chosen,
            status: SolverStatus::Feasible,
            variables,
            constraints,
        };
        let values = values_for(&alone, planner);
        plans.push(explain_plan(
            &alone, planner, &opts, &values, solved, started,
        ));
    }

    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "plans explained");
    let utilisation = utilisation::rows(&provision, &taken_places(&taken), &children, &plans);
    let seconds = (started.elapsed().as_secs_f64() * 1e3).round() / 1e3;
    // Optimal only when the gap from the best bound to the final plans is within the gap asked
    // for and the polish finished.
    let within = mip_gap.is_some_and(|g| g <= settings.mip_rel_gap + 1e-9);
    let status = if settled && within {
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
            variables,
            constraints,
            polished,
        },
    })
}

/// What the steps after the relaxation share.
struct Context<'a> {
    problems: &'a [PlanningProblem],
    provision: &'a [Provision],
    caseload: &'a Caseload,
    planner: &'a PlannerSettings,
    /// Young people, highest priority first.
    order: &'a [usize],
}

impl Context<'_> {
    /// Re-plans each young person alone with everyone else's places held, in priority order,
    /// until a whole pass changes nothing (then no plan can be improved without a place
    /// someone else holds) or `until`. Returns whether it settled, and how many plans improved.
    fn polish(&self, taken: &mut Vec<Taken>, until: Instant) -> Result<(bool, usize), PlanError> {
        let mut polished = 0;
        for _ in 0..MAX_POLISH_PASSES {
            let mut changed = false;
            for &k in self.order {
                if Instant::now() > until {
                    return Ok((false, polished));
                }
                let alone =
                    alone_problem(&self.problems[k], self.provision, taken, k, self.caseload);
                let opts = options::build(&setting_for(&alone, self.planner));
                let current = locate(&opts, taken, k)?;
                let values = values_for(&alone, self.planner);
                let seconds = until
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64();
                if let Some(better) = polish::improve(&opts, &values, &current, seconds) {
                    taken.retain(|t| t.child != k);
                    taken.extend(places(&opts, &better, k));
                    changed = true;
                    polished += 1;
                }
            }
            if !changed {
                return Ok((true, polished));
            }
        }
        Ok((false, polished))
    }

    /// The joint objective (risk priority applied) of an allocation.
    fn objective(&self, taken: &[Taken]) -> Result<f64, PlanError> {
        let mut total = 0.0;
        for (k, problem) in self.problems.iter().enumerate() {
            let alone = alone_problem(problem, self.provision, taken, k, self.caseload);
            let opts = options::build(&setting_for(&alone, self.planner));
            let chosen = locate(&opts, taken, k)?;
            let scaled = joint::caseload_values(
                &alone.young_person,
                values_for(&alone, self.planner),
                &self.planner.weights,
            );
            total += model::objective_of(&opts, &chosen, &scaled);
        }
        Ok(total)
    }
}

/// Young person `k`'s places as candidates of the joint model's options; nothing when one of
/// them is not among its starts (choosing nothing keeps every rule).
fn located_or_nothing(opts: &options::Options<'_>, taken: &[Taken], k: usize) -> Vec<usize> {
    locate(opts, taken, k).unwrap_or_default()
}

/// The joint model's view of one young person.
fn child<'a>(problem: &'a PlanningProblem, planner: &PlannerSettings) -> Child<'a> {
    Child {
        person: &problem.young_person,
        options: fewer_rolling_starts(options::build(&setting_for(problem, planner))),
        values: joint::caseload_values(
            &problem.young_person,
            values_for(problem, planner),
            &planner.weights,
        ),
    }
}

/// One option the relaxation gave a young person some of.
struct Choice {
    intervention: String,
    source: Option<String>,
    start: NaiveDate,
}

/// Gives each listed child (positions into `children`) whose relaxed plan is whole its places;
/// records the others' relaxed choices and returns them. `who` maps a position to the young
/// person's index in the caseload.
fn settle_whole(
    children: &[Child<'_>],
    positions: &[usize],
    relaxed: &joint::Relaxed,
    taken: &mut Vec<Taken>,
    support: &mut BTreeMap<usize, Vec<Choice>>,
    who: impl Fn(usize) -> usize,
) -> Vec<usize> {
    let mut fractional = Vec::new();
    for &i in positions {
        let x = &relaxed.x[i];
        let opts = &children[i].options;
        if x.iter().all(|(_, v)| *v > 1.0 - 1e-6) {
            let chosen: Vec<usize> = x.iter().map(|(ci, _)| *ci).collect();
            taken.extend(places(opts, &chosen, who(i)));
        } else {
            let choices = x
                .iter()
                .filter(|(_, v)| *v > 1e-3)
                .map(|(ci, _)| {
                    let c = &opts.candidates[*ci];
                    Choice {
                        intervention: opts.interventions[c.intervention].id.clone(),
                        source: opts.provision_of(c).map(|p| p.id.clone()),
                        start: c.start,
                    }
                })
                .collect();
            support.insert(who(i), choices);
            fractional.push(i);
        }
    }
    fractional
}

/// Times the relaxation is solved again around the places rounded so far.
const MAX_ROUNDS: usize = 3;

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
                    let why = opts
                        .candidates
                        .iter()
                        .find(|c| {
                            c.start == t.start
                                && opts.source_id(c) == t.provision
                                && opts.interventions[c.intervention].id == t.intervention
                        })
                        .map(|c| format!("{:?}", c.block));
                    PlanError::Solver(model::SolverFailure::new(format!(
                        "allocated place {} from {} is not open for case {k}: {why:?}",
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
