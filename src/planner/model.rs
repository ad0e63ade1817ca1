//! The mixed-integer model: one binary per open candidate (time-indexed), solved with good_lp.

use std::collections::BTreeMap;
use std::time::Instant;

use good_lp::solvers::microlp::microlp;
use good_lp::{
    Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolverModel, Variable,
    WithInitialSolution, WithTimeLimit, variable,
};

use super::options::{Candidate, Options};
use super::settings::Weights;
use crate::domain::Catalogue;
use crate::domain::plan::SolverStatus;
use crate::domain::problem::{AssessedNeed, Order};

/// What the objective values about one of the young person's needs.
#[derive(Debug, Clone)]
pub struct NeedValue {
    pub need: String,
    /// Value of covering it at all.
    pub coverage: i64,
    /// Cost of each week it waits.
    pub delay_per_week: i64,
    pub offending_related: bool,
}

impl NeedValue {
    /// The same need, worth `factor` times as much (a caseload's risk priority).
    pub fn scaled(&self, factor: i64) -> NeedValue {
        NeedValue { coverage: self.coverage * factor, delay_per_week: self.delay_per_week * factor, ..self.clone() }
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
            }
        })
        .collect()
}

/// The objective's terms for one candidate: what it earns for each need it could cover, and
/// what it costs in contact hours whether or not it covers anything.
pub fn coverage_value(
    options: &Options<'_>,
    c: &Candidate,
    need: &NeedValue,
    weights: &Weights,
) -> i64 {
    let iv = options.interventions[c.intervention];
    let waited = (c.start - options.window_start).num_days().max(0) / 7;
    need.coverage + weights.evidence(iv.evidence) - need.delay_per_week * waited
}

pub fn hours_cost(options: &Options<'_>, c: &Candidate, weights: &Weights) -> f64 {
    options.interventions[c.intervention].total_hours() * weights.contact_hour as f64
}

/// The value of a set of chosen candidates: each need counts once, through the chosen candidate
/// that earns most for it. This is exactly what the model maximises.
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
            .map(|&k| &options.candidates[k])
            .filter(|c| {
                options.interventions[c.intervention]
                    .addresses
                    .contains(&need.need)
            })
            .map(|c| coverage_value(options, c, need, weights))
            .filter(|v| *v > 0)
            .max();
        total += best.unwrap_or(0) as f64;
    }
    total
        - chosen
            .iter()
            .map(|&k| hours_cost(options, &options.candidates[k], weights))
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
fn weeks_of(order: &Order, c: &Candidate) -> std::ops::RangeInclusive<i64> {
    (c.start - order.start).num_days().div_euclid(7)
        ..=(c.end - order.start).num_days().div_euclid(7)
}

/// How needs are credited to chosen candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crediting {
    /// Exactly as documented: each need to one chosen candidate, with that candidate's wait.
    PerCandidate,
    /// Compact, for caseloads: each need to one chosen intervention; a candidate pays the wait
    /// of every need its intervention addresses. Far fewer variables.
    PerIntervention,
}

/// One young person's part of a model: variables, objective terms and rows, ready to be added to
/// a solver on their own (one plan) or beside others' (a caseload).
pub struct ChildModel {
    /// The binary of each open candidate, by candidate index.
    pub x: BTreeMap<usize, Variable>,
    /// Coverage credits: (need index, candidate index, variable).
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
        crediting: Crediting,
    ) -> ChildModel {
        let open: Vec<usize> = options.open().map(|(k, _)| k).collect();
        let mut x: BTreeMap<usize, Variable> = BTreeMap::new();
        let mut objective = Expression::from(0.0);
        for &k in &open {
            let v = vars.add(variable().binary());
            objective -= hours_cost(options, &options.candidates[k], weights) * v;
            x.insert(k, v);
        }
        let mut rows = Vec::new();
        // Each intervention at most once.
        let mut per_intervention: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &k in &open {
            per_intervention.entry(options.candidates[k].intervention).or_default().push(k);
        }
        for ks in per_intervention.values().filter(|ks| ks.len() > 1) {
            rows.push(ks.iter().map(|k| x[k]).sum::<Expression>().leq(1.0));
        }
        let mut y: Vec<(usize, usize, Variable)> = Vec::new();
        match crediting {
            Crediting::PerCandidate => {
                // y[need, candidate]: the candidate is the one credited with the need.
                for (n, need) in needs.iter().enumerate() {
                    for &k in &open {
                        let c = &options.candidates[k];
                        if !options.interventions[c.intervention].addresses.contains(&need.need) {
                            continue;
                        }
                        let value = coverage_value(options, c, need, weights);
                        if value <= 0 {
                            continue;
                        }
                        let v = vars.add(variable().min(0.0).max(1.0));
                        objective += value as f64 * v;
                        rows.push((Expression::from(v) - x[&k]).leq(0.0));
                        y.push((n, k, v));
                    }
                }
            }
            Crediting::PerIntervention => {
                // Waiting costs on the candidate itself, for every need its intervention
                // addresses; y[need, intervention] credits the need to whichever start is chosen.
                for &k in &open {
                    let c = &options.candidates[k];
                    let iv = options.interventions[c.intervention];
                    let waited = (c.start - options.window_start).num_days().max(0) / 7;
                    let per_week: i64 =
                        needs.iter().filter(|n| iv.addresses.contains(&n.need)).map(|n| n.delay_per_week).sum();
                    objective -= (per_week * waited) as f64 * x[&k];
                }
                for (n, need) in needs.iter().enumerate() {
                    for (&i, ks) in &per_intervention {
                        let iv = options.interventions[i];
                        if !iv.addresses.contains(&need.need) {
                            continue;
                        }
                        let v = vars.add(variable().min(0.0).max(1.0));
                        let value = need.coverage + weights.evidence(iv.evidence);
                        objective += value as f64 * v;
                        let mut row = Expression::from(v);
                        for k in ks {
                            row -= x[k];
                        }
                        rows.push(row.leq(0.0));
                        y.push((n, i, v));
                    }
                }
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
                let j = options.intervention_index(req).expect("prerequisites are relevant");
                for &t in &starts {
                    let mut row: Expression =
                        ks.iter().filter(|k| options.candidates[**k].start <= t).map(|k| x[k]).sum();
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
                .map(|k| options.interventions[options.candidates[*k].intervention].weekly_hours() * x[k])
                .sum();
            rows.push(row.leq(cap));
        }
        ChildModel { x, y, objective, rows }
    }

    pub fn variable_count(&self) -> usize {
        self.x.len() + self.y.len()
    }

    /// Every variable at zero: choosing nothing, which satisfies every row.
    pub fn zero_start(&self) -> impl Iterator<Item = (Variable, f64)> + '_ {
        self.x.values().copied().chain(self.y.iter().map(|t| t.2)).map(|v| (v, 0.0))
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
        return Ok(Solved { chosen: vec![], status: SolverStatus::Optimal, variables: 0, constraints: 0 });
    }
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, order, needs, weights, Crediting::PerCandidate);
    let n_variables = child.variable_count();
    let n_constraints = child.rows.len();
    let start_from: Vec<(Variable, f64)> = child.zero_start().collect();
    let mut model = vars.maximise(child.objective).using(microlp);
    for row in child.rows {
        model.add_constraint(row);
    }
    // Choosing nothing always satisfies every rule: start from it, so a time limit always has a
    // plan to return.
    let model = model.with_initial_solution(start_from).with_time_limit(time_limit_seconds);
    let started = Instant::now();
    match model.solve() {
        Ok(solution) => {
            let chosen: Vec<usize> =
                child.x.iter().filter(|(_, v)| solution.value(**v) > 0.5).map(|(k, _)| *k).collect();
            let status = match solution.status() {
                SolutionStatus::Optimal => SolverStatus::Optimal,
                _ => SolverStatus::Feasible,
            };
            Ok(Solved { chosen, status, variables: n_variables, constraints: n_constraints })
        }
        Err(ResolutionError::Other(msg)) if started.elapsed().as_secs_f64() >= time_limit_seconds => {
            tracing::warn!(reason = msg, "planner hit its time limit with no plan; returning none");
            Ok(Solved { chosen: vec![], status: SolverStatus::Feasible, variables: n_variables, constraints: n_constraints })
        }
        Err(e) => Err(SolverFailure(e.to_string())),
    }
}
