//! Caseload allocation (docs/planning.md §1): the shared places of a caseload, from the joint
//! model's relaxation, rounding guided by it, a fairness polish and, with time left, the joint
//! solver (README, "Caseload allocation"); then each young person's plan explained as if planned
//! alone with the others' places taken, so a gap says `no_capacity` where shared places ran out.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod calendar;
pub mod joint;
mod lagrange;
mod neighbourhood;
mod polish;
mod run;
mod utilisation;

pub use utilisation::AllocatedPlaces;

use crate::domain::plan::{Plan, SolverStatus};
use crate::domain::problem::Caseload;
use crate::domain::problem::ValidProblem;
use crate::domain::{Participant, Provision};
use crate::planner::model;
use crate::planner::{PlanError, PlannerSettings, options, setting_for, values_for};
use joint::Child;
use run::{Clock, Context, Run};

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
    let problems: Vec<ValidProblem> = caseload.validated()?;
    let provision = caseload.provision.clone().unwrap_or_default();
    let children: Vec<Child<'_>> = problems.iter().map(|p| child(p, planner)).collect();
    let clock = Clock::after_building(started, settings.time_limit_seconds);
    let mut order: Vec<usize> = (0..problems.len()).collect();
    order.sort_by_key(|&k| {
        std::cmp::Reverse(joint::priority(&problems[k].young_person, &planner.weights))
    });
    if let Some(path) = &settings.export_model {
        joint::export(&children, &provision, &caseload.rivalries, path)?;
    }
    let ctx = Context {
        problems: &problems,
        provision: &provision,
        caseload,
        planner,
        order: &order,
        children: &children,
    };
    let (mut run, relaxed) = Run::relax(&ctx, &clock)?;
    // The bound is worked out on the second core (over every start of each order, so that it
    // bounds what the polish may find too) while the steps run on this one; it stops once the
    // allocation found is within the gap asked for.
    let whole: Vec<Child<'_>> = problems.iter().map(|p| bound_child(p, planner)).collect();
    let progress = lagrange::Progress::new(settings.mip_rel_gap);
    std::thread::scope(|scope| {
        let bounding = relaxed.as_ref().map(|r| {
            let (whole, provision, progress) = (&whole, &provision, &progress);
            let rivalries = &caseload.rivalries;
            let until = clock.bound_until();
            scope.spawn(move || lagrange::bound(whole, provision, rivalries, r, progress, until))
        });
        let steps = (|| {
            run.round(&ctx, &clock, relaxed.as_ref())?;
            run.polish(&ctx, &clock)?;
            progress.found(run.objective());
            run.tighten(progress.bound());
            run.exchange(&ctx, &clock, settings.mip_rel_gap)?;
            progress.found(run.objective());
            if bounding.is_some() {
                // The joint solver is for a gap the bound cannot close: know the bound first.
                progress.wait_bounded(clock.polish_until());
                run.tighten(progress.bound());
            }
            run.joint(&ctx, &clock, settings.mip_rel_gap)?;
            progress.found(run.objective());
            Ok::<(), PlanError>(())
        })();
        // No more steps once the first pass is done: the bound's first pass runs on while the
        // plans are explained.
        progress.stop();
        steps?;
        run.finish(&ctx, &clock, settings.mip_rel_gap, || {
            bounding.and_then(|handle| handle.join().ok().flatten())
        })
    })
}

/// Young person `k`'s places as candidates of the joint model's options; nothing when one of
/// them is not among its starts (choosing nothing keeps every rule).
fn located_or_nothing(opts: &options::Options<'_>, taken: &[Taken], k: usize) -> Vec<usize> {
    locate(opts, taken, k).unwrap_or_default()
}

/// The joint model's view of one young person.
fn child<'a>(problem: &'a ValidProblem, planner: &PlannerSettings) -> Child<'a> {
    let whole = whole_child(problem, planner);
    Child {
        options: fewer_rolling_starts(whole.options),
        ..whole
    }
}

/// One young person with every start of their order, as the polish and the bound see them.
fn whole_child<'a>(problem: &'a ValidProblem, planner: &PlannerSettings) -> Child<'a> {
    Child {
        person: &problem.young_person,
        options: options::build(&setting_for(problem, planner)),
        values: joint::caseload_values(
            &problem.young_person,
            values_for(problem, planner),
            &planner.weights,
        ),
    }
}

/// The joint model's view of young person `k` while the allocation `taken` stands: its
/// thinned starts and every start they hold, so that the joint solver starts from the whole
/// allocation. A control they hold may start later than its first open start without the
/// others' places (the polish gave them the first one open with those places held).
fn child_holding<'a>(
    problem: &'a ValidProblem,
    planner: &PlannerSettings,
    taken: &[Taken],
    k: usize,
) -> Child<'a> {
    let mut whole = whole_child(problem, planner);
    let mine: Vec<&Taken> = taken.iter().filter(|t| t.child == k).collect();
    open_later_controls(&mut whole.options, |opts, c| {
        mine.iter().any(|t| holds(opts, c, t))
    });
    Child {
        options: fewer_rolling_starts_keeping(whole.options, taken, k),
        ..whole
    }
}

/// One young person as the bound sees them: every start of their order, and every open start of
/// a control. A control keeps only its first open start, and which start that is depends on the
/// places others hold (the polish may give a young person a later curfew than their first), so
/// the bound allows each: more than any allocation can have keeps it a bound.
fn bound_child<'a>(problem: &'a ValidProblem, planner: &PlannerSettings) -> Child<'a> {
    let mut child = whole_child(problem, planner);
    open_later_controls(&mut child.options, |_, _| true);
    child
}

/// Opens the later starts of a control (left out because a control keeps only its first open
/// start) that `which` picks.
fn open_later_controls<'a>(
    options: &mut options::Options<'a>,
    which: impl Fn(&options::Options<'a>, &options::Candidate) -> bool,
) {
    let later: Vec<usize> = (0..options.candidates.len())
        .filter(|&ci| {
            let c = &options.candidates[ci];
            matches!(c.block, Some(options::Block::ControlStartsLater { .. })) && which(options, c)
        })
        .collect();
    for ci in later {
        options.candidates[ci].block = None;
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

/// Passes of the fairness polish at most; after the first, a pass looks only at young people
/// for whom places were given up on a provision open to them, so it is cheap.
const MAX_POLISH_PASSES: usize = 10;

/// Young person `k`'s document with everyone else's allocated places held.
fn alone_problem(
    problem: &ValidProblem,
    provision: &[Provision],
    taken: &[Taken],
    k: usize,
    caseload: &Caseload,
) -> ValidProblem {
    ValidProblem {
        provision: with_others(provision, taken, k, caseload),
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
                .position(|c| c.block.is_none() && holds(opts, c, t))
                .ok_or_else(|| {
                    let why = opts
                        .candidates
                        .iter()
                        .find(|c| holds(opts, c, t))
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
pub fn fewer_rolling_starts(options: options::Options<'_>) -> options::Options<'_> {
    fewer_rolling_starts_but(options, |_, _, _| false)
}

/// `fewer_rolling_starts`, keeping every start young person `k` holds in `taken`.
fn fewer_rolling_starts_keeping<'a>(
    options: options::Options<'a>,
    taken: &[Taken],
    k: usize,
) -> options::Options<'a> {
    let mine: Vec<&Taken> = taken.iter().filter(|t| t.child == k).collect();
    fewer_rolling_starts_but(options, |opts, _, c| mine.iter().any(|t| holds(opts, c, t)))
}

/// Whether the joint model keeps candidate `c` of these options (`fewer_rolling_starts`).
fn kept_in_joint_model(options: &options::Options<'_>, c: &options::Candidate) -> bool {
    let week = (c.start - options.window_start).num_days() / 7;
    let thinned = week < 8 || (week < 26 && week % 2 == 0) || week % 4 == 0;
    !options.is_rolling(c) || thinned
}

/// The joint model's starts of these options, and also every candidate (by index) `also` keeps.
fn fewer_rolling_starts_but<'a>(
    mut options: options::Options<'a>,
    also: impl Fn(&options::Options<'a>, usize, &options::Candidate) -> bool,
) -> options::Options<'a> {
    let keep: Vec<bool> = options
        .candidates
        .iter()
        .enumerate()
        .map(|(ci, c)| kept_in_joint_model(&options, c) || also(&options, ci, c))
        .collect();
    let mut keep = keep.into_iter();
    options.candidates.retain(|_| keep.next().unwrap_or(true));
    options
}

/// Whether place `t` is candidate `c`.
fn holds(opts: &options::Options<'_>, c: &options::Candidate, t: &Taken) -> bool {
    c.start == t.start
        && opts.source_id(c) == t.provision
        && opts.interventions[c.intervention].id == t.intervention
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
