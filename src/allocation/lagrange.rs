//! The bound the allocation's gap is measured from (README, "Caseload allocation"). The rows
//! that couple young people (a slot's places, rival groups' indicators) are priced at the
//! joint relaxation's shadow prices, and each young person's own model, with every start of
//! their order (not only the joint model's thinned ones), less those prices, is bounded alone:
//! first by its relaxation, then, with time left, solved whole (integer). For any prices of
//! zero or more the prices' constant plus every young person's priced best bounds every
//! allocation of the whole problem (Lagrangian duality): rows the joint model did not make
//! (slots its thinned starts never crowded) are priced at zero, which keeps it a bound. The
//! thinned model's prices let the weeks it left out escape them, so the sources those weeks
//! belong to are added to the relaxation, and it is solved again, while there is time.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use good_lp::solvers::highs::highs;
use good_lp::{ProblemVariables, SolverModel, Variable};

use super::joint::{self, Calendar, Child, Coupling, Slot, provision_index};
use super::{fewer_rolling_starts_but, kept_in_joint_model};
use crate::domain::Provision;
use crate::domain::plan::SolverStatus;
use crate::planner::model::{self, ChildModel};

/// The relaxation's shadow prices, by what they price, so that any start can be charged.
#[derive(Clone)]
pub struct Prices {
    /// Each crowded slot's price, by (provision index in the caseload, slot).
    slots: BTreeMap<(usize, Slot), f64>,
    /// Per young person: what using each slot, by (provision index, slot), pays for linking
    /// them to their groups' indicators there. A link row is priced per slot, not per start,
    /// so that the whole model's starts the thinned one lacked pay it too: the young person
    /// uses a slot at most once, so "their use of the slot is at most the indicator" is a row
    /// of the whole problem, and its price is the sum of their thinned link rows' prices.
    links: Vec<BTreeMap<(usize, Slot), f64>>,
    /// What the rival-group prices give back: each pair's right-hand side times its price, and
    /// the indicators at their best (the slots' share is worked out with their prices).
    rival_constant: f64,
    /// The spans the prices are for: the joint model's, from its (thinned) starts.
    calendar: Calendar,
}

/// Prices from the relaxation's row duals (`row_duals`). HiGHS reports a maximisation's duals
/// on binding `≤` rows as negative; a price is their size.
pub(super) fn prices(
    couplings: &[Coupling],
    children: usize,
    row_duals: &[f64],
    calendar: Calendar,
) -> Prices {
    let price = |row: usize| row_duals.get(row).copied().unwrap_or(0.0).max(0.0);
    let mut slot_prices = BTreeMap::new();
    let mut links = vec![BTreeMap::new(); children];
    let mut constant = 0.0;
    // An indicator's coefficient once its rows are priced: it earns its links' prices and
    // pays its pairs'.
    let mut indicator: HashMap<Variable, f64> = HashMap::new();
    for c in couplings {
        match c {
            Coupling::Capacity { row, slot } => {
                let d = price(*row);
                if d > 0.0 {
                    slot_prices.insert(*slot, d);
                }
            }
            Coupling::Link {
                row,
                slot,
                member: (k, _),
                indicator: v,
            } => {
                let d = price(*row);
                if d > 0.0 {
                    *links[*k].entry(*slot).or_insert(0.0) += d;
                }
                *indicator.entry(*v).or_insert(0.0) += d;
            }
            Coupling::Pair { row, a, b } => {
                let d = price(*row);
                *indicator.entry(*a).or_insert(0.0) -= d;
                *indicator.entry(*b).or_insert(0.0) -= d;
                constant += d;
            }
        }
    }
    // Each indicator lies in [0, 1]: at its best it is 1 when its coefficient is positive.
    constant += indicator.values().map(|c| c.max(0.0)).sum::<f64>();
    Prices {
        slots: slot_prices,
        links,
        rival_constant: constant,
        calendar,
    }
}

/// What the allocation steps and the bound tell each other while both run: the best
/// allocation's objective so far, the bound so far, and whether to stop.
pub struct Progress {
    objective: AtomicU64,
    bound: AtomicU64,
    /// Every young person is bounded (by their relaxation at least): `bound` is a bound.
    bounded: AtomicBool,
    finished: AtomicBool,
    stop: AtomicBool,
    mip_rel_gap: f64,
}

impl Progress {
    pub fn new(mip_rel_gap: f64) -> Progress {
        Progress {
            objective: AtomicU64::new(f64::NEG_INFINITY.to_bits()),
            bound: AtomicU64::new(f64::INFINITY.to_bits()),
            bounded: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            mip_rel_gap,
        }
    }

    pub fn found(&self, objective: f64) {
        self.objective.store(objective.to_bits(), Ordering::Relaxed);
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The bound so far, once every young person is bounded.
    pub fn bound(&self) -> Option<f64> {
        self.bounded
            .load(Ordering::Acquire)
            .then(|| f64::from_bits(self.bound.load(Ordering::Relaxed)))
    }

    /// Waits (a few milliseconds at a time) until every young person is bounded, the bound is
    /// done, or `until`.
    pub fn wait_bounded(&self, until: Instant) {
        while !self.bounded.load(Ordering::Acquire)
            && !self.finished.load(Ordering::Acquire)
            && Instant::now() < until
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn close_enough(&self, bound: f64) -> bool {
        let objective = f64::from_bits(self.objective.load(Ordering::Relaxed));
        objective.is_finite() && bound - objective <= self.mip_rel_gap * objective.abs().max(1.0)
    }

    fn publish(&self, bound: f64) {
        self.bound.store(bound.to_bits(), Ordering::Relaxed);
        self.bounded.store(true, Ordering::Release);
    }
}

/// Marks the bound finished when dropped.
struct Finished<'p>(&'p Progress);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.finished.store(true, Ordering::Release);
    }
}

/// A slot of the whole problem that more young people could use than it has free places.
struct Crowded {
    free: f64,
    price: f64,
}

/// Pricing rounds at most after the first: each a joint relaxation with the starts the last
/// round chose added, or a subgradient step.
const STEPS: usize = 4;

/// One young person bounded at some prices.
struct Bounded {
    penalties: BTreeMap<usize, f64>,
    worth: f64,
    fractional: bool,
}

/// The bound over `children` (each with every start of their order), `None` when it could not
/// be had by `until` (a young person's relaxation failed, or not all of them were solved).
/// Each young person is bounded by their priced relaxation. Starts the joint model lacked
/// (its thinned rolling weeks) escape the slots' prices a week over, so while the priced
/// relaxations choose such starts, they are added to the joint relaxation and it is solved
/// again for new prices (column generation: the prices tend to the whole relaxation's); once
/// they choose none, the slots' prices take subgradient steps instead. Then, at the best
/// prices, those whose relaxed plan is fractional are solved whole. It stops early once the
/// bound is within the gap asked for of the best allocation so far, or when the steps say
/// stop. Any prices it stops at give a bound.
pub fn bound(
    children: &[Child<'_>],
    provision: &[Provision],
    rivalries: &[(String, String)],
    relaxed: &joint::Relaxed,
    progress: &Progress,
    until: Instant,
) -> Option<f64> {
    // However it ends, the steps waiting on it are told it has.
    let _finished = Finished(progress);
    let started = Instant::now();
    let mut prices = relaxed.prices.clone();
    // How long the last joint relaxation took: one with more starts takes longer.
    let mut relaxation_seconds = relaxed.seconds;
    let (mut crowded, mut uses, mut linked) = crowded_slots(children, provision, &prices);
    // Per young person, the starts (candidate indices) added to the joint relaxation.
    let mut added: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); children.len()];
    let mut best: Option<(f64, Vec<Bounded>)> = None;
    // The Polyak step's factor, halved when two steps in a row did not lower the bound.
    let mut factor = 1.0;
    let mut no_gain = 0;
    let mut steps = 0;
    for step in 0..=STEPS {
        let mut total =
            prices.rival_constant + crowded.iter().map(|c| c.price * c.free).sum::<f64>();
        let mut used = vec![0.0; crowded.len()];
        let mut bounded = Vec::with_capacity(children.len());
        let mut new_starts = 0;
        let pass_started = Instant::now();
        for (k, child) in children.iter().enumerate() {
            if Instant::now() > until || (step > 0 && progress.stop.load(Ordering::Relaxed)) {
                return best.map(|b| b.0);
            }
            let mut penalties = linked[k].clone();
            for (ci, rows) in &uses[k] {
                *penalties.entry(*ci).or_insert(0.0) +=
                    rows.iter().map(|r| crowded[*r].price).sum::<f64>();
            }
            penalties.retain(|_, paid| *paid > 0.0);
            let (worth, x) = priced_relaxation(child, &penalties)?;
            let fractional = x.iter().any(|(_, v)| (v - v.round()).abs() > 1e-6);
            let mut escaping = BTreeSet::new();
            for (ci, v) in &x {
                for r in uses[k].get(ci).into_iter().flatten() {
                    used[*r] += v;
                }
                let c = &child.options.candidates[*ci];
                if !kept_in_joint_model(&child.options, c) {
                    escaping.insert((c.intervention, c.provision));
                }
            }
            // Every start of a source one of them escaped through: adding only the starts
            // chosen, the next prices let the neighbouring weeks escape instead.
            for (ci, c) in child.options.open() {
                if escaping.contains(&(c.intervention, c.provision))
                    && !kept_in_joint_model(&child.options, c)
                    && added[k].insert(ci)
                {
                    new_starts += 1;
                }
            }
            total += worth;
            bounded.push(Bounded {
                penalties,
                worth,
                fractional,
            });
        }
        steps = step;
        if best.as_ref().is_none_or(|(b, _)| total < *b) {
            best = Some((total, bounded));
            progress.publish(total);
            no_gain = 0;
        } else {
            no_gain += 1;
            if no_gain >= 2 {
                factor /= 2.0;
                no_gain = 0;
            }
        }
        let lowest = best.as_ref().map_or(total, |b| b.0);
        if progress.close_enough(lowest) || progress.stop.load(Ordering::Relaxed) || step == STEPS {
            break;
        }
        let pass = pass_started.elapsed().as_secs_f64();
        let seconds = until
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        // A relaxation with the starts added, then a pricing pass, must fit in the time left
        // (the solver's time limit does not count building the model): at 300 hard cases it
        // does not, and the subgradient steps are all there is time for.
        if new_starts > 0 && seconds > 3.0 * relaxation_seconds + 2.0 * pass {
            let relaxing = Instant::now();
            let widened: Vec<Child<'_>> = children
                .iter()
                .zip(&added)
                .map(|(child, extra)| Child {
                    person: child.person,
                    options: fewer_rolling_starts_but(child.options.clone(), |_, ci, _| {
                        extra.contains(&ci)
                    }),
                    values: child.values.clone(),
                })
                .collect();
            let Ok(Some(relaxed)) = joint::relax(&widened, provision, rivalries, seconds - pass)
            else {
                break;
            };
            relaxation_seconds = relaxing.elapsed().as_secs_f64();
            tracing::debug!(
                step,
                total,
                lowest,
                new_starts,
                relaxation = relaxed.bound,
                seconds = started.elapsed().as_secs_f64(),
                "starts added to the relaxation"
            );
            prices = relaxed.prices;
            (crowded, uses, linked) = crowded_slots(children, provision, &prices);
            continue;
        }
        // A step towards prices that charge the over-used slots more (projected on zero).
        let direction: Vec<f64> = crowded
            .iter()
            .zip(&used)
            .map(|(c, u)| {
                let g = u - c.free;
                if c.price <= 0.0 { g.max(0.0) } else { g }
            })
            .collect();
        let norm: f64 = direction.iter().map(|g| g * g).sum();
        if norm < 1e-9 {
            break;
        }
        let objective = f64::from_bits(progress.objective.load(Ordering::Relaxed));
        // Polyak's step aims at the best allocation so far; before there is one, at half a per
        // cent under the bound (a full per cent and more overshot on generated caseloads).
        let target = if objective.is_finite() && objective < lowest {
            objective
        } else {
            lowest * 0.995
        };
        let theta = factor * (total - target).max(0.0) / norm;
        tracing::debug!(
            step,
            total,
            lowest,
            target,
            norm,
            theta,
            seconds = started.elapsed().as_secs_f64(),
            "subgradient step"
        );
        for (c, g) in crowded.iter_mut().zip(&direction) {
            c.price = (c.price + theta * g).max(0.0);
        }
    }
    let (mut total, bounded) = best?;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        steps,
        bound = total,
        "every young person bounded by their relaxation"
    );
    let mut solved = 0;
    for (child, b) in children.iter().zip(&bounded) {
        if !b.fractional {
            continue;
        }
        let seconds = until
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if seconds <= 0.0 || progress.stop.load(Ordering::Relaxed) || progress.close_enough(total) {
            break;
        }
        if let Some(whole) = priced_best(child, &b.penalties, seconds) {
            total -= (b.worth - whole).max(0.0);
            solved += 1;
            progress.publish(total);
        }
    }
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        solved,
        fractional = bounded.iter().filter(|b| b.fractional).count(),
        bound = total,
        "Lagrangian bound"
    );
    Some(total)
}

/// Per young person, what each open start pays for the rival-group links of the slots it uses.
type Linked = Vec<BTreeMap<usize, f64>>;

/// The slots of the whole problem more young people could use than they have free places,
/// priced as the joint relaxation priced them (zero where it made no row), per young person
/// which of those slots each open start uses, and what each start pays for rival links. The
/// whole problem's spans are finer than the joint model's where starts it left out begin or end
/// within one of its spans: each is priced at its share of the days of the span it lies in, so
/// that a start using the whole span pays its price once (any prices of zero or more keep the
/// bound a bound).
fn crowded_slots(
    children: &[Child<'_>],
    provision: &[Provision],
    prices: &Prices,
) -> (Vec<Crowded>, Vec<BTreeMap<usize, Vec<usize>>>, Linked) {
    let index = provision_index(provision);
    let calendar = Calendar::new(children, provision, &index);
    let mut users: BTreeMap<(usize, Slot), Vec<(usize, usize)>> = BTreeMap::new();
    let mut linked: Linked = vec![BTreeMap::new(); children.len()];
    let mut shares: BTreeMap<(usize, Slot), Option<(Slot, f64)>> = BTreeMap::new();
    for (k, child) in children.iter().enumerate() {
        for (ci, c) in child.options.open() {
            let Some(&p) = child
                .options
                .provision_of(c)
                .and_then(|offer| index.get(offer.id.as_str()))
            else {
                continue;
            };
            for slot in calendar.slots(p, &provision[p], c) {
                users.entry((p, slot)).or_default().push((k, ci));
                let share = *shares
                    .entry((p, slot))
                    .or_insert_with(|| calendar.within(&prices.calendar, p, slot));
                if let Some((outer, part)) = share
                    && let Some(d) = prices.links[k].get(&(p, outer))
                {
                    *linked[k].entry(ci).or_insert(0.0) += d * part;
                }
            }
        }
    }
    let mut crowded = Vec::new();
    let mut uses = vec![BTreeMap::<usize, Vec<usize>>::new(); children.len()];
    for ((p, slot), who) in users {
        let free = calendar.free_places(p, &provision[p], slot) as f64;
        let distinct: std::collections::BTreeSet<usize> = who.iter().map(|(k, _)| *k).collect();
        if distinct.len() as f64 <= free {
            continue;
        }
        let price = shares[&(p, slot)]
            .and_then(|(outer, part)| prices.slots.get(&(p, outer)).map(|d| d * part))
            .unwrap_or(0.0);
        let row = crowded.len();
        crowded.push(Crowded { free, price });
        for (k, ci) in who {
            uses[k].entry(ci).or_default().push(row);
        }
    }
    (crowded, uses, linked)
}

/// The young person's priced model built for HiGHS, one thread, and its binaries' candidates
/// in column order.
fn priced_model(
    child: &Child<'_>,
    penalties: &BTreeMap<usize, f64>,
) -> Option<(highs::Model, Vec<usize>)> {
    let mut vars = ProblemVariables::new();
    let model = ChildModel::build(&mut vars, &child.options, &child.values);
    let mut objective = model.objective.clone();
    for (ci, p) in penalties {
        objective -= *p * model.x[ci];
    }
    // Columns follow the order the variables were made in: x first, in candidate order.
    let candidates = model.x.keys().copied().collect();
    let mut problem = vars.maximise(objective).using(highs);
    for row in model.rows {
        problem.add_constraint(row);
    }
    let mut highs_model = problem.try_into_inner().ok()?;
    highs_model.make_quiet();
    highs_model.set_option("threads", 1);
    highs_model.set_option("random_seed", 0);
    Some((highs_model, candidates))
}

/// An upper bound on the young person's priced model from its relaxation, and the relaxed
/// plan's share of each candidate.
fn priced_relaxation(
    child: &Child<'_>,
    penalties: &BTreeMap<usize, f64>,
) -> Option<(f64, Vec<(usize, f64)>)> {
    if child.options.open().next().is_none() {
        return Some((0.0, Vec::new()));
    }
    let (mut model, candidates) = priced_model(child, penalties)?;
    model.set_option("solve_relaxation", true);
    let solved = model.try_solve().ok()?;
    if solved.status() != highs::HighsModelStatus::Optimal {
        return None;
    }
    let v = solved.objective_value();
    let solution = solved.get_solution();
    let values = solution.columns();
    let x = candidates
        .into_iter()
        .zip(values)
        .map(|(ci, v)| (ci, *v))
        .filter(|(_, v)| *v > 1e-9)
        .collect();
    Some((v + 1e-6 * v.abs().max(1.0), x))
}

/// What one young person's plan is worth at most less the prices of its places: their own
/// model solved whole and proved best by the planner (`plan`'s search, microlp), with the prices
/// on the candidates; `None` when the proof did not finish in `seconds`.
fn priced_best(child: &Child<'_>, penalties: &BTreeMap<usize, f64>, seconds: f64) -> Option<f64> {
    let mut options = child.options.clone();
    for (ci, paid) in penalties {
        options.candidates[*ci].price = *paid;
    }
    let solved = model::solve(&options, &child.values, seconds).ok()?;
    (solved.status == SolverStatus::Optimal).then(|| {
        let v = model::objective_of(&options, &solved.chosen, &child.values);
        v + 1e-6 * v.abs().max(1.0)
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::NaiveDate;

    use super::*;
    use crate::allocation::joint::{self, Limits};
    use crate::domain::problem::Caseload;
    use crate::planner::{PlannerSettings, generate};

    /// The bound over every start of every order, and the thinned relaxation's, given a minute.
    fn bound_of(caseload: &Caseload, planner: &PlannerSettings) -> (f64, f64) {
        let problems = caseload.validated().unwrap();
        let provision = caseload.provision.clone().unwrap_or_default();
        let thinned: Vec<Child<'_>> = problems
            .iter()
            .map(|p| crate::allocation::child(p, planner))
            .collect();
        let whole: Vec<Child<'_>> = problems
            .iter()
            .map(|p| crate::allocation::bound_child(p, planner))
            .collect();
        let relaxed = joint::relax(&thinned, &provision, &caseload.rivalries, 30.0)
            .unwrap()
            .expect("the relaxation finishes");
        let until = Instant::now() + Duration::from_secs(60);
        let bound = bound(
            &whole,
            &provision,
            &caseload.rivalries,
            &relaxed,
            &Progress::new(0.0),
            until,
        )
        .expect("every young person's relaxation finishes");
        (bound, relaxed.bound)
    }

    /// On small hard caseloads, where the joint solver proves the best allocation over every
    /// start of every order, the bound (from the thinned model's prices, then with the starts
    /// they let escape added) is never below that optimum, and within 2% above it.
    #[test]
    fn the_bound_is_above_the_best_allocation_over_every_start() {
        let planner = PlannerSettings::default();
        let as_of = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        for seed in 1..=4 {
            let caseload = generate::hard_caseload(10, seed, as_of);
            let (bound, relaxation) = bound_of(&caseload, &planner);
            let problems = caseload.validated().unwrap();
            let provision = caseload.provision.clone().unwrap_or_default();
            let whole: Vec<Child<'_>> = problems
                .iter()
                .map(|p| crate::allocation::bound_child(p, &planner))
                .collect();
            let nothing: Vec<Vec<usize>> = vec![Vec::new(); whole.len()];
            let best = joint::solve(
                &whole,
                &provision,
                &caseload.rivalries,
                &nothing,
                &Limits {
                    mip_rel_gap: 0.0,
                    time_limit_seconds: 60.0,
                },
            )
            .unwrap();
            let tolerance = 1e-6 * bound.abs().max(1.0);
            assert!(
                best.objective <= bound + tolerance,
                "seed {seed}: best {} above bound {bound}",
                best.objective
            );
            // The thinned model's prices alone left it up to 6% above; with the starts they
            // let escape added to the relaxation it is within 1.5% on these seeds.
            assert!(
                bound <= best.objective * 1.02,
                "seed {seed}: bound {bound} more than 2% above the best {}",
                best.objective
            );
            eprintln!(
                "seed {seed}: best {} bound {bound} ({:.3}% above); thinned relaxation {relaxation}",
                best.objective,
                100.0 * (bound - best.objective) / best.objective,
            );
        }
    }

    /// Over the shipped catalogue, with curfews scarce, the polish gives some young people a
    /// later curfew than their first open start (a control keeps only its first open start,
    /// which moves with the places others hold): the bound must allow that too. It did not,
    /// and came out below the allocation the steps found, which was then reported optimal.
    #[test]
    fn the_bound_is_never_below_the_allocation_found() {
        let planner = PlannerSettings::default();
        let as_of = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let catalogue = crate::catalogue_files::load_dir(&root.join("catalogue")).unwrap();
        for seed in [2u64] {
            let mut caseload = generate::caseload(&catalogue, 40, seed, as_of);
            for p in caseload.provision.iter_mut().flatten() {
                if p.intervention.starts_with("curfew") {
                    p.places = 1;
                }
            }
            let settings = crate::allocation::AllocationSettings {
                time_limit_seconds: 20.0,
                ..Default::default()
            };
            let found = crate::allocation::allocate(&caseload, &planner, &settings).unwrap();
            let (bound, _) = bound_of(&caseload, &planner);
            let objective = found.solver.objective;
            eprintln!("seed {seed}: allocation {objective}, bound {bound}");
            assert!(
                objective <= bound + 1e-6 * bound.abs().max(1.0),
                "seed {seed}: the allocation {objective} is above the bound {bound}"
            );
        }
    }
}
