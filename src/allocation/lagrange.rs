//! A bound on the joint objective at least as tight as the relaxation's: the rows that couple
//! young people (shared places, rival groups) are priced at the relaxation's shadow prices and
//! each young person's own model is then solved whole (integer), alone. For any prices of zero
//! or more this is an upper bound on every allocation (Lagrangian duality), and at the
//! relaxation's prices it is never above the relaxation's bound: it loses what each young
//! person's relaxed plan gained by being fractional in their own rules (weekly hours, one of
//! each, prerequisites), which the relaxation counts as worth and no plan can have.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use good_lp::solvers::highs::highs;
use good_lp::{ProblemVariables, SolverModel, Variable};

use super::joint::{Child, Coupling};
use crate::planner::model::ChildModel;

/// The relaxation's shadow prices, as they fall on each young person's options.
pub struct Prices {
    /// Per young person: what each candidate (by index) pays for the places it uses.
    per_candidate: Vec<BTreeMap<usize, f64>>,
    /// What the prices give back: each priced row's right-hand side times its price, and the
    /// rival-group indicators at their best.
    constant: f64,
    /// Per young person: their relaxed plan's worth less its prices. At the relaxation's
    /// optimum this is the best their own rules allow, relaxed, at these prices (LP duality),
    /// so these shares and `constant` add up to the relaxation's bound.
    shares: Vec<f64>,
    /// Per young person: whether their relaxed plan is fractional (only then can solving their
    /// model whole lower the bound).
    fractional: Vec<bool>,
    relaxed_bound: f64,
}

/// Prices from the relaxation's row duals (`row_duals`) and solution (`value`). HiGHS
/// reports a maximisation's duals on binding `≤` rows as negative; a price is their size.
pub(super) fn prices(
    couplings: &[Coupling],
    models: &[ChildModel],
    row_duals: &[f64],
    value: &HashMap<Variable, f64>,
    relaxed_bound: f64,
) -> Prices {
    let owner: HashMap<Variable, (usize, usize)> = models
        .iter()
        .enumerate()
        .flat_map(|(k, m)| m.x.iter().map(move |(ci, v)| (*v, (k, *ci))))
        .collect();
    let price = |row: usize| row_duals.get(row).copied().unwrap_or(0.0).max(0.0);
    let mut per_candidate = vec![BTreeMap::new(); models.len()];
    let mut charge = |x: &Variable, d: f64| {
        if let Some(&(k, ci)) = owner.get(x) {
            *per_candidate[k].entry(ci).or_insert(0.0) += d;
        }
    };
    let mut constant = 0.0;
    // An indicator's coefficient once its rows are priced: it earns its links' prices and
    // pays its pairs'.
    let mut indicator: HashMap<Variable, f64> = HashMap::new();
    for c in couplings {
        match c {
            Coupling::Capacity { row, members, free } => {
                let d = price(*row);
                if d > 0.0 {
                    members.iter().for_each(|(_, x)| charge(x, d));
                    constant += d * free;
                }
            }
            Coupling::Link {
                row,
                member: (_, x),
                indicator: v,
            } => {
                let d = price(*row);
                charge(x, d);
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
    let at = |v: &Variable| value.get(v).copied().unwrap_or(0.0);
    let whole = |v: f64| (v - v.round()).abs() <= 1e-6;
    let shares = models
        .iter()
        .zip(&per_candidate)
        .map(|(m, paid)| {
            m.objective.eval_with(value) - paid.iter().map(|(ci, d)| d * at(&m.x[ci])).sum::<f64>()
        })
        .collect();
    let fractional = models
        .iter()
        .map(|m| {
            !(m.x.values().all(|v| whole(at(v)))
                && m.y.iter().all(|(_, _, v)| whole(at(v)))
                && m.z.iter().all(|(_, v)| whole(at(v))))
        })
        .collect();
    Prices {
        per_candidate,
        constant,
        shares,
        fractional,
        relaxed_bound,
    }
}

/// The bound at these prices: the relaxation's, less what each young person with a fractional
/// relaxed plan loses when their priced model is solved whole, alone, as many of them as
/// `until` (or being told to stop) allows; any number of them gives a bound. `None` when the
/// prices do not check out (the relaxation's bound stands).
pub fn bound(
    children: &[Child<'_>],
    prices: &Prices,
    until: Instant,
    stop: &AtomicBool,
) -> Option<f64> {
    let started = Instant::now();
    let mut total = prices.constant + prices.shares.iter().sum::<f64>();
    let tolerance = 1e-6 * prices.relaxed_bound.abs().max(1.0);
    if (total - prices.relaxed_bound).abs() > tolerance {
        tracing::warn!(
            total,
            relaxed = prices.relaxed_bound,
            "the relaxation's prices do not add up to its bound; Lagrangian bound skipped"
        );
        return None;
    }
    let mut solved = 0;
    for (k, child) in children.iter().enumerate() {
        if !prices.fractional[k] {
            continue;
        }
        let seconds = until
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if seconds <= 0.0 || stop.load(Ordering::Relaxed) {
            break;
        }
        let Some(best) = priced_best(child, &prices.per_candidate[k], seconds) else {
            continue;
        };
        // Solved whole, a plan is never worth more than relaxed: if it is, the prices are not
        // the relaxation's optimal ones and the shares are no bound.
        if best > prices.shares[k] + tolerance {
            tracing::warn!(
                k,
                best,
                share = prices.shares[k],
                "a whole plan is worth more than its relaxed share; Lagrangian bound skipped"
            );
            return None;
        }
        total -= prices.shares[k] - best;
        solved += 1;
    }
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        solved,
        fractional = prices.fractional.iter().filter(|f| **f).count(),
        bound = total,
        "Lagrangian bound"
    );
    Some(total)
}
/// An upper bound on what one young person's plan is worth less the prices of its places:
/// their own model (integer), solved with HiGHS to a gap of one in a million.
fn priced_best(child: &Child<'_>, penalties: &BTreeMap<usize, f64>, seconds: f64) -> Option<f64> {
    if child.options.open().next().is_none() {
        return Some(0.0);
    }
    let mut vars = ProblemVariables::new();
    let model = ChildModel::build(&mut vars, &child.options, &child.values);
    let mut objective = model.objective.clone();
    for (ci, p) in penalties {
        objective -= *p * model.x[ci];
    }
    let mut problem = vars.maximise(objective).using(highs);
    for row in model.rows {
        problem.add_constraint(row);
    }
    let mut highs_model = problem.try_into_inner().ok()?;
    highs_model.make_quiet();
    highs_model.set_option("threads", 1);
    highs_model.set_option("random_seed", 0);
    highs_model.set_option("mip_rel_gap", 1e-6);
    highs_model.set_option("time_limit", seconds.max(0.01));
    let solved = highs_model.try_solve().ok()?;
    use highs::HighsModelStatus as S;
    let dual = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite());
    match solved.status() {
        S::Optimal | S::ReachedTimeLimit => dual.or_else(|| {
            (solved.status() == S::Optimal).then(|| {
                let v = solved.objective_value();
                v + 1e-6 * v.abs().max(1.0)
            })
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::NaiveDate;

    use super::*;
    use crate::allocation::joint::{self, Limits};
    use crate::planner::{PlannerSettings, generate};

    /// On small hard caseloads, where the joint solver proves the best allocation, the bound
    /// lies between that optimum and the relaxation's bound, and is below the relaxation's
    /// where someone's relaxed plan is fractional.
    #[test]
    fn the_bound_lies_between_the_best_allocation_and_the_relaxation() {
        let planner = PlannerSettings::default();
        let as_of = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut tighter = 0;
        for seed in 1..=4 {
            let caseload = generate::hard_caseload(10, seed, as_of);
            let problems = caseload.validated().unwrap();
            let provision = caseload.provision.clone().unwrap_or_default();
            let children: Vec<Child<'_>> = problems
                .iter()
                .map(|p| crate::allocation::child(p, &planner))
                .collect();
            let relaxed = joint::relax(&children, &provision, &caseload.rivalries, 30.0)
                .unwrap()
                .expect("the relaxation finishes");
            let until = Instant::now() + Duration::from_secs(60);
            let bound = bound(&children, &relaxed.prices, until, &AtomicBool::new(false))
                .expect("the relaxation's prices check out");
            let nothing: Vec<Vec<usize>> = vec![Vec::new(); children.len()];
            let best = joint::solve(
                &children,
                &provision,
                &caseload.rivalries,
                &nothing,
                &Limits {
                    mip_rel_gap: 0.0,
                    time_limit_seconds: 60.0,
                },
            )
            .unwrap();
            let tolerance = 1e-6 * relaxed.bound.abs().max(1.0);
            assert!(
                best.objective <= bound + tolerance,
                "seed {seed}: best {} above bound {bound}",
                best.objective
            );
            assert!(
                bound <= relaxed.bound + tolerance,
                "seed {seed}: bound {bound} above relaxation {}",
                relaxed.bound
            );
            if bound < relaxed.bound - tolerance {
                tighter += 1;
            }
        }
        assert!(
            tighter > 0,
            "the bound was never tighter than the relaxation"
        );
    }
}
