//! The mixed-integer model: one binary per open candidate (time-indexed), solved with good_lp.

use std::collections::BTreeMap;
use std::time::Instant;

use good_lp::solvers::microlp::microlp;
use good_lp::{
    Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable, WithInitialSolution, WithTimeLimit, variable,
};

use super::options::{Candidate, Options};
use super::search;
use super::settings::Weights;
use crate::domain::plan::SolverStatus;
use crate::domain::problem::{AssessedNeed, Order};
use crate::domain::{Catalogue, Level};

/// What the objective values about one of the young person's needs.
#[derive(Debug, Clone)]
pub struct NeedValue {
    pub need: String,
    /// Value of covering it at all.
    pub coverage: i64,
    /// Cost of each week it waits.
    pub delay_per_week: i64,
    pub offending_related: bool,
    pub level: Level,
}

impl NeedValue {
    /// The same need, worth `factor` times as much (a caseload's risk priority).
    pub fn scaled(&self, factor: i64) -> NeedValue {
        NeedValue {
            coverage: self.coverage * factor,
            delay_per_week: self.delay_per_week * factor,
            ..self.clone()
        }
    }
}

pub fn need_values(needs: &[AssessedNeed], catalogue: &Catalogue, w: &Weights) -> Vec<NeedValue> {
    needs
        .iter()
        .map(|n| {
            let related = catalogue.need(&n.need).is_some_and(|d| d.offending_related);
            let priority = w.level(n.level) * w.relatedness(related);
            NeedValue {
                need: n.need.clone(),
                coverage: w.coverage * priority,
                delay_per_week: w.delay_per_week * priority,
                offending_related: related,
                level: n.level,
            }
        })
        .collect()
}

/// What meeting a need through an intervention earns: its value plus the intervention's
/// evidence.
pub fn credit_value(
    options: &Options<'_>,
    intervention: usize,
    need: &NeedValue,
    weights: &Weights,
) -> i64 {
    need.coverage + weights.evidence(options.interventions[intervention].evidence)
}

/// What a candidate costs whether or not it is credited with anything: its contact hours, and
/// each week it waits times the weight of every one of the young person's needs it addresses
/// (so work on higher-priority needs starts earlier).
pub fn candidate_cost(
    options: &Options<'_>,
    c: &Candidate,
    needs: &[NeedValue],
    weights: &Weights,
) -> f64 {
    let iv = options.interventions[c.intervention];
    let waited = (c.start - options.window_start).num_days().max(0) / 7;
    let per_week: i64 = needs
        .iter()
        .filter(|n| iv.addresses.contains(&n.need))
        .map(|n| n.delay_per_week)
        .sum();
    iv.total_hours() * weights.contact_hour as f64 + (per_week * waited) as f64
}

/// The value of a set of chosen candidates: each need counts once, through the chosen
/// intervention that earns most for it, less every chosen candidate's cost. This is exactly
/// what the model maximises.
pub fn objective_of(
    options: &Options<'_>,
    chosen: &[usize],
    needs: &[NeedValue],
    weights: &Weights,
) -> f64 {
    let mut total = 0.0;
    for need in needs {
        let best = chosen
            .iter()
            .map(|&k| options.candidates[k].intervention)
            .filter(|&i| options.interventions[i].addresses.contains(&need.need))
            .map(|i| credit_value(options, i, need, weights))
            .max();
        total += best.unwrap_or(0) as f64;
    }
    total
        - chosen
            .iter()
            .map(|&k| candidate_cost(options, &options.candidates[k], needs, weights))
            .sum::<f64>()
}

pub struct Solved {
    pub chosen: Vec<usize>,
    pub status: SolverStatus,
    pub variables: usize,
    pub constraints: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("the solver failed: {0}")]
pub struct SolverFailure(String);

impl SolverFailure {
    pub fn new(message: impl Into<String>) -> Self {
        SolverFailure(message.into())
    }
}

/// Order weeks (from the order start) that a candidate overlaps.
pub fn weeks_of(order: &Order, c: &Candidate) -> std::ops::RangeInclusive<i64> {
    (c.start - order.start).num_days().div_euclid(7)
        ..=(c.end - order.start).num_days().div_euclid(7)
}

/// One young person's part of a model: variables, objective terms and rows, ready to be added to
/// a solver on their own (one plan) or beside others' (a caseload).
pub struct ChildModel {
    /// The binary of each open candidate, by candidate index.
    pub x: BTreeMap<usize, Variable>,
    /// Coverage credits: (need index, intervention index, variable).
    pub y: Vec<(usize, usize, Variable)>,
    pub objective: Expression,
    pub rows: Vec<Constraint>,
}

impl ChildModel {
    pub fn build(
        vars: &mut ProblemVariables,
        options: &Options<'_>,
        order: &Order,
        needs: &[NeedValue],
        weights: &Weights,
    ) -> ChildModel {
        let open: Vec<usize> = options.open().map(|(k, _)| k).collect();
        let mut x: BTreeMap<usize, Variable> = BTreeMap::new();
        let mut objective = Expression::from(0.0);
        for &k in &open {
            let v = vars.add(variable().binary());
            objective -= candidate_cost(options, &options.candidates[k], needs, weights) * v;
            x.insert(k, v);
        }
        let mut rows = Vec::new();
        // Each intervention at most once.
        let mut per_intervention: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &k in &open {
            per_intervention
                .entry(options.candidates[k].intervention)
                .or_default()
                .push(k);
        }
        for ks in per_intervention.values().filter(|ks| ks.len() > 1) {
            rows.push(ks.iter().map(|k| x[k]).sum::<Expression>().leq(1.0));
        }
        // y[need, intervention]: the need is credited to that intervention, if it is chosen.
        let mut y: Vec<(usize, usize, Variable)> = Vec::new();
        for (n, need) in needs.iter().enumerate() {
            for (&i, ks) in &per_intervention {
                if !options.interventions[i].addresses.contains(&need.need) {
                    continue;
                }
                let v = vars.add(variable().min(0.0).max(1.0));
                objective += credit_value(options, i, need, weights) as f64 * v;
                let mut row = Expression::from(v);
                for k in ks {
                    row -= x[k];
                }
                rows.push(row.leq(0.0));
                y.push((n, i, v));
            }
        }
        // Each need credited once.
        let mut per_need: BTreeMap<usize, Vec<Variable>> = BTreeMap::new();
        for &(n, _, v) in &y {
            per_need.entry(n).or_default().push(v);
        }
        for vs in per_need.values().filter(|vs| vs.len() > 1) {
            rows.push(vs.iter().copied().sum::<Expression>().leq(1.0));
        }
        // Prerequisites, time-indexed: by each start date t of i, the starts of i so far are at
        // most the starts of each prerequisite j that finish before t.
        for (&i, ks) in &per_intervention {
            let mut starts: Vec<_> = ks.iter().map(|k| options.candidates[*k].start).collect();
            starts.sort();
            starts.dedup();
            for req in &options.interventions[i].requires {
                let j = options
                    .intervention_index(req)
                    .expect("prerequisites are relevant");
                for &t in &starts {
                    let mut row: Expression = ks
                        .iter()
                        .filter(|k| options.candidates[**k].start <= t)
                        .map(|k| x[k])
                        .sum();
                    for (kj, cj) in options.candidates_of(j) {
                        if cj.block.is_none() && cj.end < t {
                            row -= x[&kj];
                        }
                    }
                    rows.push(row.leq(0.0));
                }
            }
        }
        // Weekly contact hours, only in weeks where the candidates could exceed the limit.
        let mut per_week: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &k in &open {
            for w in weeks_of(order, &options.candidates[k]) {
                per_week.entry(w).or_default().push(k);
            }
        }
        let cap = options.max_hours_per_week;
        for ks in per_week.values() {
            let mut most: BTreeMap<usize, f64> = BTreeMap::new();
            for k in ks {
                let c = &options.candidates[*k];
                let h = options.interventions[c.intervention].weekly_hours();
                let e = most.entry(c.intervention).or_insert(0.0);
                *e = e.max(h);
            }
            if most.values().sum::<f64>() <= cap + 1e-9 {
                continue;
            }
            let row: Expression = ks
                .iter()
                .map(|k| {
                    options.interventions[options.candidates[*k].intervention].weekly_hours() * x[k]
                })
                .sum();
            rows.push(row.leq(cap));
        }
        ChildModel {
            x,
            y,
            objective,
            rows,
        }
    }

    pub fn variable_count(&self) -> usize {
        self.x.len() + self.y.len()
    }

    /// Values for every variable from a feasible choice of candidates: each need credited to the
    /// chosen intervention that earns most for it.
    pub fn start_values(
        &self,
        options: &Options<'_>,
        chosen: &[usize],
        needs: &[NeedValue],
        weights: &Weights,
    ) -> Vec<(Variable, f64)> {
        let mut credited = vec![false; self.y.len()];
        for (n, need) in needs.iter().enumerate() {
            let best = (0..self.y.len())
                .filter(|&t| {
                    let (m, i, _) = self.y[t];
                    m == n
                        && chosen
                            .iter()
                            .any(|k| options.candidates[*k].intervention == i)
                })
                .max_by_key(|&t| {
                    (
                        credit_value(options, self.y[t].1, need, weights),
                        std::cmp::Reverse(t),
                    )
                });
            if let Some(t) = best {
                credited[t] = true;
            }
        }
        let x = self
            .x
            .iter()
            .map(|(k, v)| (*v, if chosen.contains(k) { 1.0 } else { 0.0 }));
        let y = self
            .y
            .iter()
            .zip(credited)
            .map(|((_, _, v), on)| (*v, if on { 1.0 } else { 0.0 }));
        x.chain(y).collect()
    }
}

/// Solves one young person's model with microlp (measured fastest for models this size).
pub fn solve(
    options: &Options<'_>,
    order: &Order,
    needs: &[NeedValue],
    weights: &Weights,
    time_limit_seconds: f64,
) -> Result<Solved, SolverFailure> {
    if options.open().next().is_none() {
        return Ok(Solved {
            chosen: vec![],
            status: SolverStatus::Optimal,
            variables: 0,
            constraints: 0,
        });
    }
    let scheduled = search::near_optimal(options, order, needs, weights, time_limit_seconds);
    let narrowed = search::without_hopeless(
        options,
        order,
        needs,
        weights,
        objective_of(options, &scheduled, needs, weights),
    );
    let options = narrowed.as_ref().unwrap_or(options);
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, order, needs, weights);
    let n_variables = child.variable_count();
    let n_constraints = child.rows.len();
    let start_from = child.start_values(options, &scheduled, needs, weights);
    let mut model = vars.maximise(child.objective).using(microlp);
    for row in child.rows {
        model.add_constraint(row);
    }
    // A feasible start prunes the search, and a time limit always has a plan to return.
    let model = model
        .with_initial_solution(start_from)
        .with_time_limit(time_limit_seconds);
    let started = Instant::now();
    match model.solve() {
        Ok(solution) => {
            let chosen: Vec<usize> = child
                .x
                .iter()
                .filter(|(_, v)| solution.value(**v) > 0.5)
                .map(|(k, _)| *k)
                .collect();
            let status = match solution.status() {
                SolutionStatus::Optimal => SolverStatus::Optimal,
                _ => SolverStatus::Feasible,
            };
            Ok(Solved {
                chosen,
                status,
                variables: n_variables,
                constraints: n_constraints,
            })
        }
        Err(ResolutionError::Other(msg))
            if started.elapsed().as_secs_f64() >= time_limit_seconds =>
        {
            tracing::warn!(
                reason = msg,
                "planner hit its time limit with no plan; returning none"
            );
            Ok(Solved {
                chosen: vec![],
                status: SolverStatus::Feasible,
                variables: n_variables,
                constraints: n_constraints,
            })
        }
        Err(e) => Err(SolverFailure(e.to_string())),
    }
}
