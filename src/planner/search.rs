//! Ways to find good plans fast and to shrink the search before proving the best: a list
//! schedule, a plan within 0.1%, and reduced-cost fixing from the relaxation.

use std::collections::BTreeMap;

use good_lp::solvers::highs::highs;
use good_lp::solvers::microlp::microlp;
use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, WithInitialSolution, WithTimeLimit,
};

use super::model::{ChildModel, NeedValue, objective_of, weeks_of};
use super::options::{Block, Options};
use super::settings::Weights;
use crate::domain::problem::Order;

/// A quick feasible plan to start the search from: needs in order of value, each given the
/// option (with any prerequisite it needs, planned earliest) that gains most and still fits
/// every rule. Never infeasible: at worst it chooses nothing.
pub fn list_schedule(
    options: &Options<'_>,
    order: &Order,
    needs: &[NeedValue],
    weights: &Weights,
) -> Vec<usize> {
    let cap = options.max_hours_per_week + 1e-9;
    let mut chosen: Vec<usize> = Vec::new();
    let mut hours: BTreeMap<i64, f64> = BTreeMap::new();
    let fits = |hours: &BTreeMap<i64, f64>, plan: &[usize]| {
        let mut extra: BTreeMap<i64, f64> = BTreeMap::new();
        for &k in plan {
            let c = &options.candidates[k];
            for w in weeks_of(order, c) {
                *extra.entry(w).or_default() +=
                    options.interventions[c.intervention].weekly_hours();
            }
        }
        extra
            .iter()
            .all(|(w, h)| hours.get(w).copied().unwrap_or(0.0) + h <= cap)
    };
    let mut by_value: Vec<&NeedValue> = needs.iter().collect();
    by_value.sort_by_key(|n| std::cmp::Reverse(n.coverage));
    for need in by_value {
        let taken = |i: usize, chosen: &[usize]| {
            chosen
                .iter()
                .any(|k| options.candidates[*k].intervention == i)
        };
        if chosen.iter().any(|k| {
            options.interventions[options.candidates[*k].intervention]
                .addresses
                .contains(&need.need)
        }) {
            continue;
        }
        let mut best: Option<(f64, Vec<usize>)> = None;
        for (k, c) in options.open() {
            let iv = options.interventions[c.intervention];
            if !iv.addresses.contains(&need.need) || taken(c.intervention, &chosen) {
                continue;
            }
            // Its prerequisites: already chosen and finished in time, or the earliest that fits.
            let mut plan = vec![k];
            let mut possible = true;
            for req in &iv.requires {
                let Some(j) = options.intervention_index(req) else {
                    possible = false;
                    break;
                };
                if chosen.iter().any(|o| {
                    options.candidates[*o].intervention == j && options.candidates[*o].end < c.start
                }) {
                    continue;
                }
                if taken(j, &chosen) || !options.interventions[j].requires.is_empty() {
                    possible = false;
                    break;
                }
                let pre = options
                    .candidates_of(j)
                    .filter(|(_, p)| p.block.is_none() && p.end < c.start)
                    .find(|(pk, _)| fits(&hours, &[*pk, k]));
                match pre {
                    Some((pk, _)) => plan.push(pk),
                    None => {
                        possible = false;
                        break;
                    }
                }
            }
            if !possible || !fits(&hours, &plan) {
                continue;
            }
            let mut with: Vec<usize> = chosen.clone();
            with.extend(&plan);
            let gain = objective_of(options, &with, needs, weights)
                - objective_of(options, &chosen, needs, weights);
            if gain > 0.0 && best.as_ref().is_none_or(|(g, _)| gain > *g) {
                best = Some((gain, plan));
            }
        }
        if let Some((_, plan)) = best {
            for &k in &plan {
                let c = &options.candidates[k];
                for w in weeks_of(order, c) {
                    *hours.entry(w).or_default() +=
                        options.interventions[c.intervention].weekly_hours();
                }
            }
            chosen.extend(plan);
        }
    }
    chosen
}

/// Reduced-cost fixing: the relaxation (HiGHS, a few milliseconds) bounds what any plan can be
/// worth; a candidate whose reduced cost says that choosing it would bring the bound below a
/// plan already in hand (`worth`) cannot be in an optimal plan, so it is left out of the search.
/// Exact, and it removes most late rolling starts, which is what made proving optimality slow.
/// `None` when nothing could be left out (or the relaxation failed: then nothing is).
pub fn without_hopeless<'a>(
    options: &Options<'a>,
    order: &Order,
    needs: &[NeedValue],
    weights: &Weights,
    worth: f64,
) -> Option<Options<'a>> {
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, order, needs, weights);
    let mut relaxation = vars
        .maximise(child.objective.clone())
        .using(highs)
        .set_threads(1);
    relaxation.set_verbose(false);
    let mut relaxation = relaxation.set_option("solve_relaxation", true);
    for row in child.rows {
        relaxation.add_constraint(row);
    }
    let solution = relaxation.solve().ok()?;
    let bound = objective_value(&child.objective, &solution);
    let solution = solution.into_inner();
    // Columns follow the order the variables were made in: x first, in candidate order.
    let (values, reduced) = (solution.columns(), solution.dual_columns());
    let slack = 1e-6 * (1.0 + worth.abs());
    let hopeless: Vec<usize> = child
        .x
        .keys()
        .enumerate()
        .filter(|(col, _)| values[*col] < 1e-9 && bound - reduced[*col].abs() < worth - slack)
        .map(|(_, k)| *k)
        .collect();
    if hopeless.is_empty() {
        return None;
    }
    let mut narrowed = options.clone();
    for k in hopeless {
        // Internal to this search only: the plan's explanations use the untouched options.
        narrowed.candidates[k].block = Some(Block::Full {
            taken: 0,
            places: 0,
        });
    }
    Some(narrowed)
}

fn objective_value(objective: &Expression, solution: &impl Solution) -> f64 {
    objective.eval_with(solution)
}

/// A plan within 0.1% of the best, found fast (the search stops at that gap rather than proving
/// the optimum), starting from the list schedule; it is the bar for reduced-cost fixing.
/// Deterministic: no clock decides what it returns unless the time limit is hit.
pub fn near_optimal(
    options: &Options<'_>,
    order: &Order,
    needs: &[NeedValue],
    weights: &Weights,
    time_limit_seconds: f64,
) -> Vec<usize> {
    let scheduled = list_schedule(options, order, needs, weights);
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, order, needs, weights);
    let start_from = child.start_values(options, &scheduled, needs, weights);
    let mut model = vars.maximise(child.objective.clone()).using(microlp);
    for row in child.rows.iter().cloned() {
        model.add_constraint(row);
    }
    let Ok(model) =
        good_lp::WithMipGap::with_mip_gap(model.with_initial_solution(start_from), 1e-3)
    else {
        return scheduled;
    };
    match model.with_time_limit(time_limit_seconds).solve() {
        Ok(solution) => {
            let found: Vec<usize> = child
                .x
                .iter()
                .filter(|(_, v)| solution.value(**v) > 0.5)
                .map(|(k, _)| *k)
                .collect();
            if objective_of(options, &found, needs, weights)
                >= objective_of(options, &scheduled, needs, weights)
            {
                found
            } else {
                scheduled
            }
        }
        Err(_) => scheduled,
    }
}
