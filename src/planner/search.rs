//! Ways to find good plans fast and to shrink the search before proving the best: a list
//! schedule, a plan within 0.1%, and reduced-cost fixing from the relaxation.

use std::collections::BTreeSet;

use good_lp::solvers::highs::highs;
use good_lp::solvers::microlp::microlp;
use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, WithInitialSolution, WithTimeLimit,
};

use super::fit::{Misfit, misfit};
use super::model::{ChildModel, NeedValue, Values, chosen_in, objective_of};
use super::options::{Block, Options, prepares};
use crate::domain::Intervention;

/// A quick feasible plan to start the search from: the young person's needs in order of value,
/// then what the order expects, then assessments, each given the option (with any prerequisite
/// it needs, ending as close before it as fits) that gains most and keeps every rule. Never
/// infeasible: at worst it chooses nothing.
pub fn list_schedule(options: &Options<'_>, values: &Values) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    let mut by_value: Vec<&NeedValue> = values.needs.iter().collect();
    by_value.sort_by_key(|n| std::cmp::Reverse(n.level));
    by_value.sort_by_key(|n| std::cmp::Reverse(n.offending_related));
    let mut targets: Vec<Box<dyn Fn(&Intervention) -> bool + '_>> = Vec::new();
    for need in by_value {
        targets.push(Box::new(move |iv: &Intervention| {
            !iv.is_assessment() && iv.addresses.contains(&need.need)
        }));
    }
    for (_, serving) in &options.expected {
        targets.push(Box::new(move |iv: &Intervention| {
            serving
                .iter()
                .any(|&i| options.interventions[i].id == iv.id)
        }));
    }
    targets.push(Box::new(|iv: &Intervention| iv.is_assessment()));
    for target in &targets {
        let taken = |i: usize, chosen: &[usize]| {
            chosen
                .iter()
                .any(|k| options.candidates[*k].intervention == i)
        };
        let before = objective_of(options, &chosen, values);
        let mut best: Option<(f64, Vec<usize>)> = None;
        let mut tried = BTreeSet::new();
        for (k, c) in options.open() {
            let iv = options.interventions[c.intervention];
            if !target(iv)
                || taken(c.intervention, &chosen)
                || tried.contains(&(c.intervention, c.provision))
            {
                continue;
            }
            let Some(bundle) = with_prerequisites(options, &chosen, k) else {
                continue;
            };
            let mut with = chosen.clone();
            with.extend(&bundle);
            if misfit(options, &with).is_some() {
                continue;
            }
            // Later starts of the same source earn no more.
            tried.insert((c.intervention, c.provision));
            let gain = objective_of(options, &with, values) - before;
            if gain > 0.0 && best.as_ref().is_none_or(|(g, _)| gain > *g) {
                best = Some((gain, bundle));
            }
        }
        if let Some((_, bundle)) = best {
            chosen.extend(bundle);
        }
    }
    chosen
}

/// Candidate `k` with a candidate of each prerequisite it lacks (one level deep), each the
/// latest that ends in time and fits beside what is chosen; `None` when one cannot be had.
fn with_prerequisites(options: &Options<'_>, chosen: &[usize], k: usize) -> Option<Vec<usize>> {
    let c = &options.candidates[k];
    let mut bundle = vec![k];
    for req in &options.interventions[c.intervention].requires {
        let j = options.intervention_index(req)?;
        if chosen.iter().any(|o| {
            options.candidates[*o].intervention == j
                && prepares(options, &options.candidates[*o], c)
        }) {
            continue;
        }
        if chosen
            .iter()
            .any(|o| options.candidates[*o].intervention == j)
            || !options.interventions[j].requires.is_empty()
        {
            return None;
        }
        let mut ready: Vec<usize> = options
            .candidates_of(j)
            .filter(|(_, p)| p.block.is_none() && prepares(options, p, c))
            .map(|(pk, _)| pk)
            .collect();
        ready.sort_by_key(|pk| std::cmp::Reverse(options.candidates[*pk].end));
        let pick = ready.into_iter().find(|pk| {
            let mut with: Vec<usize> = chosen.to_vec();
            with.extend(&bundle);
            with.push(*pk);
            !matches!(
                misfit(options, &with),
                Some(Misfit::Hours { .. } | Misfit::Items { .. } | Misfit::Assessment { .. })
            )
        })?;
        bundle.push(pick);
    }
    Some(bundle)
}

/// Reduced-cost fixing: the relaxation (HiGHS, a few milliseconds) bounds what any plan can be
/// worth; a candidate whose reduced cost says that choosing it would bring the bound below a
/// plan already in hand (`worth`) cannot be in an optimal plan, so it is left out of the search.
/// Exact, and it removes most late rolling starts, which is what made proving optimality slow.
/// `None` when the relaxation failed (then nothing is left out).
pub fn without_hopeless<'a>(
    options: &Options<'a>,
    values: &Values,
    worth: f64,
) -> Option<Narrowed<'a>> {
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, values);
    let (variables, constraints) = (child.variable_count(), child.rows.len());
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
        return Some(Narrowed {
            bound,
            options: None,
            variables,
            constraints,
        });
    }
    let mut narrowed = options.clone();
    for k in hopeless {
        // Internal to this search only: the plan's explanations use the untouched options.
        narrowed.candidates[k].block = Some(Block::Pruned);
    }
    Some(Narrowed {
        bound,
        options: Some(narrowed),
        variables,
        constraints,
    })
}

/// What reduced-cost fixing found: the relaxation's bound on any plan, and the options without
/// the hopeless ones (`None` when none was).
pub struct Narrowed<'a> {
    pub bound: f64,
    pub options: Option<Options<'a>>,
    /// The size of the relaxation's model (before anything was left out).
    pub variables: usize,
    pub constraints: usize,
}

impl Narrowed<'_> {
    /// The plan in hand is proved the best: no plan can be worth more than the relaxation.
    pub fn proves(&self, worth: f64) -> bool {
        self.bound <= worth + 1e-6 * (1.0 + worth.abs())
    }
}

fn objective_value(objective: &Expression, solution: &impl Solution) -> f64 {
    objective.eval_with(solution)
}

/// A plan within 0.1% of the best, found fast (the search stops at that gap rather than proving
/// the optimum), starting from the list schedule; it is the bar for reduced-cost fixing.
/// Deterministic: no clock decides what it returns unless the time limit is hit.
pub fn near_optimal(options: &Options<'_>, values: &Values, time_limit_seconds: f64) -> Vec<usize> {
    let scheduled = list_schedule(options, values);
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, values);
    let start_from = child.start_values(options, &scheduled, values);
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
            let found = chosen_in(&child.x, &solution);
            if misfit(options, &found).is_none()
                && objective_of(options, &found, values)
                    >= objective_of(options, &scheduled, values)
            {
                found
            } else {
                scheduled
            }
        }
        Err(_) => scheduled,
    }
}
