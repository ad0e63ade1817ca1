//! The steps of one allocation, in order: the relaxation, rounding guided by it, the fairness
//! polish, the joint solver with time left, and each plan explained. `Run` carries what the
//! steps hand on; `Context` what they all read.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::joint::{self, Child, Limits};
use super::neighbourhood;
use super::{
    Allocation, AllocationReport, Choice, MAX_POLISH_PASSES, MAX_ROUNDS, Taken, alone_problem,
    child_holding, fewer_rolling_starts, locate, located_or_nothing, places, polish, settle_whole,
    taken_places, utilisation,
};
use crate::domain::Provision;
use crate::domain::plan::SolverStatus;
use crate::domain::problem::Caseload;
use crate::domain::problem::ValidProblem;
use crate::planner::model::{self, Solved};
use crate::planner::{PlanError, PlannerSettings, explain_plan, options, setting_for, values_for};

/// What every step reads.
pub(super) struct Context<'a> {
    pub problems: &'a [ValidProblem],
    pub provision: &'a [Provision],
    pub caseload: &'a Caseload,
    pub planner: &'a PlannerSettings,
    /// Young people, highest priority first.
    pub order: &'a [usize],
    pub children: &'a [Child<'a>],
}

/// The time the steps share: the limit, less a reserve for explaining every plan at the end.
pub(super) struct Clock {
    pub started: Instant,
    deadline: Instant,
    reserve: Duration,
}

impl Clock {
    /// Called once the options are built: explaining every plan at the end takes about as long
    /// again as building them.
    pub fn after_building(started: Instant, time_limit_seconds: f64) -> Clock {
        let building = started.elapsed();
        tracing::debug!(seconds = building.as_secs_f64(), "options built");
        Clock {
            started,
            deadline: started + Duration::from_secs_f64(time_limit_seconds),
            reserve: building.mul_f64(8.0) + Duration::from_millis(300),
        }
    }

    fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(Instant::now())
            .saturating_sub(self.reserve)
    }

    /// When the polish (and the bound beside it) must stop: explaining every plan takes about
    /// seven times as long as building the options (1.3 s at 1,000 cases), so most of the
    /// reserve is left for it; half of it overran the limit at 300 and 1,000 cases.
    pub(super) fn polish_until(&self) -> Instant {
        self.deadline - self.reserve.mul_f64(0.9)
    }

    /// When the bound must stop: it runs on beside the plans' explanation, and only the report
    /// after that waits for it.
    pub(super) fn bound_until(&self) -> Instant {
        self.deadline - self.reserve.mul_f64(0.15)
    }

    /// How much of the time limit has gone.
    fn share_used(&self) -> f64 {
        let whole = self
            .deadline
            .saturating_duration_since(self.started)
            .as_secs_f64();
        self.started.elapsed().as_secs_f64() / whole.max(1e-9)
    }

    fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

/// The relaxation is solved again only while less than this share of the time limit has gone,
/// so that the polish has the time to settle: on hard 300-case caseloads the third re-solve
/// started at 36% of the time, and leaving it out gave 0.12% more (BENCHMARKS.md); smaller
/// caseloads finish their rounds well before.
const RELAX_SHARE: f64 = 0.3;

/// The first relaxation's share of the time left: without it every young person is planned
/// alone, far worse (at 1,000 generated cases 126 million against 165 million), and at 1,000
/// cases it takes 3.4 s of the 7 s left, which half the time left missed about one run in two.
const RELAX_TIME_SHARE: f64 = 0.7;

/// Passes of the repair at most (each moves controls earlier or gives places up).
const MAX_REPAIR_PASSES: usize = 50;

/// The search's time for one young person's repair.
const REPAIR_SECONDS: f64 = 2.0;

/// What the steps hand on.
pub(super) struct Run {
    taken: Vec<Taken>,
    /// The best bound on any allocation's objective, when a solver found one.
    bound: Option<f64>,
    variables: usize,
    constraints: usize,
    /// No young person has any open option: nothing to solve.
    nothing_open: bool,
    settled: bool,
    polished: usize,
    objective: f64,
    /// What each young person's first relaxed plan used of each provision.
    wanted: neighbourhood::Wanted,
    /// Groups re-planned together to more worth.
    exchanged: usize,
    /// Who the polish must look at again.
    fresh: polish::Freshness,
    /// Each young person's objective for the places they held when it was last worked out.
    worths: Worths,
}

/// A young person's objective depends only on their own places (what they meet, when, with
/// what evidence), so it is worked out again only for those whose places changed: rebuilding
/// everyone's options took about a second at 1,000 cases, after every polish.
#[derive(Default)]
pub(super) struct Worths(BTreeMap<usize, (Vec<Taken>, f64)>);

/// Joint models up to this many variables (about 70 young people) skip the exchange: from the
/// polished allocation the joint solver closes their gap in 2–4 s, and the exchange's groups
/// only take that time from it (BENCHMARKS.md, "Caseload allocation").
const JOINT_FIRST: usize = 10_000;

fn gap_to(bound: Option<f64>, objective: f64) -> Option<f64> {
    bound.map(|b| ((b - objective) / objective.abs().max(1.0)).max(0.0))
}

impl Run {
    /// Steps 1 and 2. The relaxation gives a bound on any allocation, and most young people's
    /// plans outright (it is nearly integral). Rounding: whoever's relaxed plan is whole keeps
    /// it; the relaxation is solved again for the others around the places now taken, a few
    /// times; whoever is still fractional is then planned alone, in priority order, within the
    /// relaxation's choices for them (the places it meant them to have), so nobody takes a
    /// place another needs more. The polish adds what more the free places allow.
    pub fn relax(
        ctx: &Context<'_>,
        clock: &Clock,
    ) -> Result<(Run, Option<joint::Relaxed>), PlanError> {
        let nothing_open = ctx
            .children
            .iter()
            .all(|c| c.options.open().next().is_none());
        let relaxed = if nothing_open {
            None
        } else {
            joint::relax(
                ctx.children,
                ctx.provision,
                &ctx.caseload.rivalries,
                clock.remaining().mul_f64(RELAX_TIME_SHARE).as_secs_f64(),
            )?
        };
        let mut run = Run {
            taken: Vec::new(),
            // The relaxation's bound is for the joint model's thinned starts, not for plans the
            // polish may make with any week: only the Lagrangian bound (over every start) counts.
            bound: nothing_open.then_some(0.0),
            variables: relaxed.as_ref().map_or(0, |r| r.variables),
            constraints: relaxed.as_ref().map_or(0, |r| r.constraints),
            nothing_open,
            settled: false,
            polished: 0,
            objective: 0.0,
            wanted: vec![Default::default(); ctx.children.len()],
            exchanged: 0,
            fresh: polish::Freshness::new(
                ctx.children
                    .iter()
                    .map(|c| c.options.provision.iter().map(|p| p.id.clone()).collect())
                    .collect(),
            ),
            worths: Worths::default(),
        };
        if let Some(r) = &relaxed {
            run.wanted = wanted(ctx.children, r);
        }
        Ok((run, relaxed))
    }

    /// Step 2, the rounding guided by the relaxation (`None` when it did not finish).
    pub fn round(
        &mut self,
        ctx: &Context<'_>,
        clock: &Clock,
        relaxed: Option<&joint::Relaxed>,
    ) -> Result<(), PlanError> {
        let run = self;
        let mut open: Vec<usize> = ctx.order.to_vec();
        let mut support: BTreeMap<usize, Vec<Choice>> = BTreeMap::new();
        if let Some(r) = relaxed {
            open = settle_whole(ctx.children, &open, r, &mut run.taken, &mut support, |i| i);
            open = run.relax_again(ctx, clock, open, &mut support)?;
        }
        let fractional = open.len();
        for &k in &open {
            if clock.remaining().is_zero() {
                // Out of time: no plan is better than a late answer; the gap says how much is
                // lost.
                continue;
            }
            run.plan_within_support(ctx, clock, k, support.get(&k))?;
        }
        tracing::debug!(seconds = clock.seconds(), fractional, "rounded");
        Ok(())
    }

    /// The objective of the allocation in hand.
    pub fn objective(&self) -> f64 {
        self.objective
    }

    /// The bound on any allocation (the Lagrangian one, over every start), as it tightens.
    pub fn tighten(&mut self, bound: Option<f64>) {
        if let Some(b) = bound {
            tracing::debug!(bound = b, objective = self.objective, "bound");
            self.bound = Some(self.bound.map_or(b, |a| a.min(b)));
        }
    }

    /// The relaxation again for those still fractional, around the places taken, until it
    /// settles nobody more; returns who is still fractional.
    fn relax_again(
        &mut self,
        ctx: &Context<'_>,
        clock: &Clock,
        mut open: Vec<usize>,
        support: &mut BTreeMap<usize, Vec<Choice>>,
    ) -> Result<Vec<usize>, PlanError> {
        for _ in 0..MAX_ROUNDS {
            if open.is_empty()
                || clock.remaining().as_secs_f64() < 1.0
                || clock.share_used() > RELAX_SHARE
            {
                break;
            }
            let sub_problems: Vec<ValidProblem> =
                open.iter().map(|&k| self.alone(ctx, k)).collect();
            let sub_provision = sub_problems[0].provision.clone();
            let sub_children: Vec<Child<'_>> = sub_problems
                .iter()
                .map(|p| super::child(p, ctx.planner))
                .collect();
            let Some(r) = joint::relax(
                &sub_children,
                &sub_provision,
                &ctx.caseload.rivalries,
                clock.remaining().mul_f64(0.3).as_secs_f64(),
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
                &mut self.taken,
                support,
                |i| open[i],
            );
            open = still.into_iter().map(|i| open[i]).collect();
            if open.len() == before {
                break;
            }
        }
        Ok(open)
    }

    /// Young person `k`'s document with everyone else's places held.
    fn alone(&self, ctx: &Context<'_>, k: usize) -> ValidProblem {
        alone_problem(
            &ctx.problems[k],
            ctx.provision,
            &self.taken,
            k,
            ctx.caseload,
        )
    }

    /// Plans young person `k` alone, with the others' places held, among the options the
    /// relaxation gave them some of (all open ones when it gave none).
    fn plan_within_support(
        &mut self,
        ctx: &Context<'_>,
        clock: &Clock,
        k: usize,
        support: Option<&Vec<Choice>>,
    ) -> Result<(), PlanError> {
        let alone = self.alone(ctx, k);
        // The joint model's starts, so these plans can start the joint solve.
        let mut opts = fewer_rolling_starts(options::build(&setting_for(&alone, ctx.planner)));
        if let Some(choices) = support {
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
        let values = values_for(&alone, ctx.planner);
        let seconds = clock.remaining().as_secs_f64().clamp(0.05, 2.0);
        let solved = model::solve(&opts, &values, seconds)?;
        self.taken.extend(places(&opts, &solved.chosen, k));
        Ok(())
    }

    /// Step 3, fairness: each young person re-planned alone with everyone else's places held.
    pub fn polish(&mut self, ctx: &Context<'_>, clock: &Clock) -> Result<(), PlanError> {
        // The repair after it checks every young person holding a control's place, about a
        // second at 1,000 cases: the polish leaves the time for it.
        let until = clock.polish_until();
        let until = until
            .checked_sub(self.repair_estimate(ctx))
            .unwrap_or(until)
            .max(Instant::now());
        let (settled, polished) =
            ctx.polish(&mut self.taken, &mut self.fresh, &mut self.worths, until)?;
        let searched = clock.seconds();
        self.settled = settled;
        self.polished += polished;
        if self.repair(ctx)? > 0 {
            self.settled = false;
        }
        let repaired = clock.seconds();
        self.objective = ctx.objective(&self.taken, &mut self.worths)?;
        tracing::debug!(searched, repaired, seconds = clock.seconds(), polished, settled, gap = ?gap_to(self.bound, self.objective), "polished");
        Ok(())
    }

    /// How long one pass of the repair takes, from timing its check on one young person
    /// holding a control's place, times how many hold one, twice over (a pass that changes
    /// anything is followed by another).
    fn repair_estimate(&self, ctx: &Context<'_>) -> Duration {
        let holders: Vec<usize> = ctx
            .order
            .iter()
            .copied()
            .filter(|&k| self.holds_control(ctx, k))
            .collect();
        let Some(&first) = holders.first() else {
            return Duration::ZERO;
        };
        let started = Instant::now();
        let alone = self.alone(ctx, first);
        let opts = options::build(&setting_for(&alone, ctx.planner));
        let _ = locate(&opts, &self.taken, first);
        started.elapsed().mul_f64(2.0 * holders.len() as f64)
    }

    /// Whether young person `k` holds a place of a court's control (only those can stop
    /// checking out when others' places move).
    fn holds_control(&self, ctx: &Context<'_>, k: usize) -> bool {
        let opts = &ctx.children[k].options;
        self.taken.iter().any(|t| {
            t.child == k
                && opts
                    .controls
                    .iter()
                    .any(|&i| opts.interventions[i].id == t.intervention)
        })
    }

    /// Young people whose places no longer check out as the others' places now stand (a
    /// court's control runs from its first open start, and that start moves as others' places
    /// move) are planned alone again, until every place checks out; returns how many were.
    /// Each repair only moves a control to an earlier start or gives places up, so it ends.
    fn repair(&mut self, ctx: &Context<'_>) -> Result<usize, PlanError> {
        let mut repaired = 0;
        for _ in 0..MAX_REPAIR_PASSES {
            let mut changed = false;
            for &k in ctx.order {
                if !self.holds_control(ctx, k) {
                    continue;
                }
                let alone = self.alone(ctx, k);
                let opts = options::build(&setting_for(&alone, ctx.planner));
                if locate(&opts, &self.taken, k).is_ok() {
                    continue;
                }
                let values = values_for(&alone, ctx.planner);
                let solved = model::solve(&opts, &values, REPAIR_SECONDS)?;
                let new = places(&opts, &solved.chosen, k);
                let old: Vec<Taken> = self
                    .taken
                    .iter()
                    .filter(|t| t.child == k)
                    .cloned()
                    .collect();
                self.fresh.given_up(&old, &new);
                self.taken.retain(|t| t.child != k);
                self.taken.extend(new);
                changed = true;
                repaired += 1;
            }
            if !changed {
                if repaired > 0 {
                    tracing::debug!(repaired, "places that no longer checked out planned again");
                }
                return Ok(repaired);
            }
        }
        Err(PlanError::Solver(model::SolverFailure::new(
            "the allocation's places did not settle",
        )))
    }

    /// Step 4, with time left and short of the gap asked for: groups of young people competing
    /// for the same provision re-planned together, then the polish again.
    pub fn exchange(
        &mut self,
        ctx: &Context<'_>,
        clock: &Clock,
        mip_rel_gap: f64,
    ) -> Result<(), PlanError> {
        let short = gap_to(self.bound, self.objective).is_none_or(|g| g > mip_rel_gap);
        let now = Instant::now();
        let until = now
            + clock
                .polish_until()
                .saturating_duration_since(now)
                .mul_f64(0.6);
        if self.nothing_open || !short || self.variables <= JOINT_FIRST {
            return Ok(());
        }
        let gained =
            neighbourhood::exchange(ctx, &mut self.taken, &mut self.fresh, &self.wanted, until)?;
        self.exchanged += gained;
        tracing::debug!(seconds = clock.seconds(), gained, "exchanged");
        if gained > 0 {
            self.polish(ctx, clock)?;
        }
        Ok(())
    }

    /// Step 5: still short of the gap asked for, with time left, the joint solver from this
    /// allocation; its answer is adopted only when every place checks out day by day for every
    /// young person and it is better, then polished again.
    pub fn joint(
        &mut self,
        ctx: &Context<'_>,
        clock: &Clock,
        mip_rel_gap: f64,
    ) -> Result<(), PlanError> {
        let left = clock.remaining().as_secs_f64();
        let short = gap_to(self.bound, self.objective).is_none_or(|g| g > mip_rel_gap);
        if self.nothing_open || !short || left <= 0.5 {
            return Ok(());
        }
        // Every start held is in the model: starting only from those whose places all were
        // among the thinned starts, the joint solver began a third below the allocation in
        // hand (4.6 million against 7.4 million on a generated caseload of 40).
        let children: Vec<Child<'_>> = (0..ctx.problems.len())
            .map(|k| child_holding(&ctx.problems[k], ctx.planner, &self.taken, k))
            .collect();
        let start: Vec<Vec<usize>> = (0..children.len())
            .map(|k| located_or_nothing(&children[k].options, &self.taken, k))
            .collect();
        let solved = joint::solve(
            &children,
            ctx.provision,
            &ctx.caseload.rivalries,
            &start,
            &Limits {
                mip_rel_gap,
                time_limit_seconds: left * 0.7,
            },
        );
        // The joint solver only ever improves on what is in hand: if it fails, keep that.
        let joint = match solved {
            Ok(joint) => joint,
            Err(e) => {
                tracing::warn!(error = %e, "joint solver failed; keeping the polished allocation");
                return Ok(());
            }
        };
        // Its bound is for the thinned starts only, so it is not taken as the gap's.
        (self.variables, self.constraints) = (joint.variables, joint.constraints);
        let mut candidate: Vec<Taken> = Vec::new();
        for (k, chosen) in joint.chosen.iter().enumerate() {
            candidate.extend(places(&children[k].options, chosen, k));
        }
        let candidate_objective = ctx
            .objective(&candidate, &mut self.worths)
            .unwrap_or(f64::NEG_INFINITY);
        if candidate_objective > self.objective {
            self.taken = candidate;
            self.fresh.reset();
            self.polish(ctx, clock)?;
        }
        Ok(())
    }

    /// Each plan explained with everyone else's places taken, the places' use, and the report.
    /// Optimal only when the gap from the best bound to the final plans is within the gap
    /// asked for and the polish settled.
    ///
    /// `bound` is the bound's last word, asked for once the plans are explained: it works on
    /// the other core meanwhile (at 1,000 cases its first pass needs most of the time left).
    pub fn finish(
        mut self,
        ctx: &Context<'_>,
        clock: &Clock,
        mip_rel_gap: f64,
        bound: impl FnOnce() -> Option<f64>,
    ) -> Result<Allocation, PlanError> {
        if self.repair(ctx)? > 0 {
            self.settled = false;
            self.objective = ctx.objective(&self.taken, &mut self.worths)?;
        }
        tracing::debug!(
            seconds = clock.seconds(),
            exchanged = self.exchanged,
            "solved"
        );
        let mut plans = Vec::with_capacity(ctx.problems.len());
        for k in 0..ctx.problems.len() {
            let alone = self.alone(ctx, k);
            let opts = options::build(&setting_for(&alone, ctx.planner));
            let chosen = locate(&opts, &self.taken, k)?;
            let solved = Solved {
                chosen,
                status: SolverStatus::Feasible,
                variables: self.variables,
                constraints: self.constraints,
            };
            let values = values_for(&alone, ctx.planner);
            plans.push(explain_plan(
                &alone,
                ctx.planner,
                &opts,
                &values,
                solved,
                clock.started,
            ));
        }
        tracing::debug!(seconds = clock.seconds(), "plans explained");
        self.tighten(bound());
        let mip_gap = gap_to(self.bound, self.objective);
        if self
            .bound
            .is_some_and(|b| b < self.objective - 1e-6 * self.objective.abs().max(1.0))
        {
            tracing::warn!(bound = ?self.bound, objective = self.objective, "the allocation is worth more than its bound");
        }
        tracing::debug!(seconds = clock.seconds(), gap = ?mip_gap, "bounded");
        let utilisation = utilisation::rows(
            ctx.provision,
            &taken_places(&self.taken),
            ctx.children,
            &plans,
        );
        let seconds = (clock.seconds() * 1e3).round() / 1e3;
        let within = mip_gap.is_some_and(|g| g <= mip_rel_gap + 1e-9);
        let status = if self.settled && within {
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
                objective: self.objective,
                mip_gap,
                seconds,
                cases: ctx.caseload.cases.len(),
                variables: self.variables,
                constraints: self.constraints,
                polished: self.polished,
            },
        })
    }
}

impl Context<'_> {
    /// Re-plans each young person alone with everyone else's places held, in priority order,
    /// until a whole pass changes nothing (then no plan can be improved without a place
    /// someone else holds) or `until`. Returns whether it settled, and how many plans improved.
    fn polish(
        &self,
        taken: &mut Vec<Taken>,
        fresh: &mut polish::Freshness,
        worths: &mut Worths,
        until: Instant,
    ) -> Result<(bool, usize), PlanError> {
        let mut polished = 0;
        for _ in 0..MAX_POLISH_PASSES {
            let mut changed = false;
            for &k in self.order {
                if !fresh.stale(k) {
                    continue;
                }
                if Instant::now() > until {
                    return Ok((false, polished));
                }
                let alone =
                    alone_problem(&self.problems[k], self.provision, taken, k, self.caseload);
                let opts = options::build(&setting_for(&alone, self.planner));
                // Places that no longer check out (a court's control runs from its first open
                // start, which moves as the others' places move) are planned again from none.
                let (current, misplaced) = match locate(&opts, taken, k) {
                    Ok(current) => (current, false),
                    Err(_) => (Vec::new(), true),
                };
                let values = values_for(&alone, self.planner);
                let seconds = until
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64();
                let better = polish::improve(&opts, &values, &current, seconds)
                    .or_else(|| misplaced.then(Vec::new));
                let plan = better.as_deref().unwrap_or(&current);
                worths
                    .0
                    .insert(k, (places(&opts, plan, k), self.worth(&alone, &opts, plan)));
                if let Some(better) = better {
                    let new = places(&opts, &better, k);
                    let old: Vec<Taken> = taken.iter().filter(|t| t.child == k).cloned().collect();
                    fresh.given_up(&old, &new);
                    taken.retain(|t| t.child != k);
                    taken.extend(new);
                    changed = true;
                    polished += 1;
                }
                if Instant::now() > until {
                    // The search may have been cut off: k is not known to be settled.
                    return Ok((false, polished));
                }
                // The plan k has now is the best alone, as the places now stand.
                fresh.checked(k);
            }
            if !changed {
                return Ok((true, polished));
            }
        }
        Ok((false, polished))
    }

    /// The joint objective (risk priority applied) of an allocation.
    fn objective(&self, taken: &[Taken], worths: &mut Worths) -> Result<f64, PlanError> {
        let mut total = 0.0;
        for (k, problem) in self.problems.iter().enumerate() {
            let held: Vec<Taken> = taken.iter().filter(|t| t.child == k).cloned().collect();
            if let Some((known, worth)) = worths.0.get(&k)
                && *known == held
            {
                total += worth;
                continue;
            }
            // The joint model's options value the same starts the same way; only places in
            // weeks it left out need this young person's options built again.
            let child = &self.children[k];
            let worth = match locate(&child.options, taken, k) {
                Ok(chosen) => model::objective_of(&child.options, &chosen, &child.values),
                Err(_) => {
                    let alone = alone_problem(problem, self.provision, taken, k, self.caseload);
                    let opts = options::build(&setting_for(&alone, self.planner));
                    self.worth(&alone, &opts, &locate(&opts, taken, k)?)
                }
            };
            worths.0.insert(k, (held, worth));
            total += worth;
        }
        Ok(total)
    }

    /// One young person's part of the joint objective (risk priority applied) for `chosen`.
    fn worth(&self, alone: &ValidProblem, opts: &options::Options<'_>, chosen: &[usize]) -> f64 {
        let scaled = joint::caseload_values(
            &alone.young_person,
            values_for(alone, self.planner),
            &self.planner.weights,
        );
        model::objective_of(opts, chosen, &scaled)
    }
}

/// What each young person's relaxed plan used of each provision (by id).
fn wanted(children: &[Child<'_>], relaxed: &joint::Relaxed) -> neighbourhood::Wanted {
    children
        .iter()
        .zip(&relaxed.x)
        .map(|(child, x)| {
            let mut used: BTreeMap<String, f64> = BTreeMap::new();
            for (ci, v) in x {
                if let Some(p) = child.options.provision_of(&child.options.candidates[*ci]) {
                    *used.entry(p.id.clone()).or_default() += v;
                }
            }
            used
        })
        .collect()
}
