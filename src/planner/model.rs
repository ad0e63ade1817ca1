//! The mixed-integer model: one binary per open candidate (time-indexed), solved with good_lp.
//! What it values is described in the README ("How the planner chooses").

use std::collections::BTreeMap;
use std::time::Instant;

use good_lp::solvers::microlp::microlp;
use good_lp::{
    Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable, WithInitialSolution, WithTimeLimit, variable,
};

use super::fit;
use super::options::{Candidate, Options, prepares};
use super::search;
use super::settings::Weights;
use crate::domain::plan::SolverStatus;
use crate::domain::problem::AssessedNeed;
use crate::domain::{Catalogue, Intervention, Level};

/// What keeping an item of an earlier version of the plan is worth: more than any plan
/// without it (docs/planning.md, "Replanning"); taken off the reported objective.
pub const KEPT_VALUE: f64 = 1.0e7;

/// One of the young person's needs as the objective sees it.
#[derive(Debug, Clone)]
pub struct NeedValue {
    pub need: String,
    pub level: Level,
    pub offending_related: bool,
}

/// What the objective values for one young person.
#[derive(Debug, Clone)]
pub struct Values {
    pub needs: Vec<NeedValue>,
    /// Value of delivering each piece of work the order expects.
    pub expected: i64,
    /// A caseload's risk priority for this young person, multiplying every term (1 for a plan
    /// on its own): the same for every term, so it never changes which plan is best for them,
    /// only who gets a contested place.
    pub scale: i64,
    pub weights: Weights,
}

impl Values {
    pub fn new(needs: &[AssessedNeed], catalogue: &Catalogue, weights: &Weights) -> Values {
        Values {
            needs: needs
                .iter()
                .map(|n| NeedValue {
                    need: n.need.clone(),
                    level: n.level,
                    offending_related: catalogue.need(&n.need).is_some_and(|d| d.offending_related),
                })
                .collect(),
            expected: weights.expected_work,
            scale: 1,
            weights: weights.clone(),
        }
    }

    /// The weight of a need when met (or waited on) through `iv`: its level times
    /// `offending_related` when an offending-focused intervention meets a need linked to
    /// offending, `welfare` otherwise; times the caseload scale.
    pub fn priority(&self, need: &NeedValue, iv: &Intervention) -> i64 {
        let w = &self.weights;
        let related = if need.offending_related && iv.offending_focused {
            w.offending_related
        } else {
            w.welfare
        };
        w.level(need.level) * related
    }

    /// What meeting `need` through `iv` earns: coverage plus evidence, both times the priority.
    pub fn credit(&self, need: &NeedValue, iv: &Intervention) -> i64 {
        (self.weights.coverage + self.weights.evidence(iv.evidence))
            * self.priority(need, iv)
            * self.scale
    }

    /// What a candidate is worth whether or not it is credited with a need: an assessment's
    /// value (needs at medium or above it assesses), less its contact hours and, for each week
    /// it starts after the first possible one, the priority of every need it addresses.
    pub fn standalone(&self, options: &Options<'_>, c: &Candidate) -> f64 {
        let iv = options.interventions[c.intervention];
        let w = &self.weights;
        let addressed = self.needs.iter().filter(|n| iv.addresses.contains(&n.need));
        let waited = (c.start - options.window_start).num_days().max(0) / 7;
        // What the order expects waits at the cost of a high need linked to offending: a
        // court's or panel's requirement starts promptly, not when convenient.
        let expected = if options
            .expected
            .iter()
            .any(|(_, s)| s.contains(&c.intervention))
        {
            w.delay_per_week * w.level_high * w.offending_related
        } else {
            0
        };
        let per_week: i64 = expected
            + addressed
                .clone()
                .map(|n| w.delay_per_week * self.priority(n, iv))
                .sum::<i64>();
        let assessment = if iv.is_assessment() {
            let worth = addressed
                .filter(|n| n.level >= Level::Medium)
                .map(|n| w.assessment * w.level(n.level) * w.relatedness(n.offending_related))
                .max()
                .unwrap_or(0);
            // Planned whenever there is room, however late it can start: its worth is never
            // eaten by waiting (earlier is still better).
            let horizon = (options.order_end - options.window_start).num_days().max(0) / 7 + 1;
            if worth > 0 {
                worth + per_week * horizon
            } else {
                0
            }
        } else {
            0
        };
        let kept = if c.kept { KEPT_VALUE } else { 0.0 };
        ((assessment - per_week * waited) as f64 - iv.total_hours() * w.contact_hour as f64)
            * self.scale as f64
            + kept
            - c.price
    }
}

/// The value of a set of chosen candidates: each need counts once, through the chosen
/// intervention (not an assessment) that earns most for it, each expected piece of work once,
/// plus every chosen candidate's own value. This is exactly what the model maximises.
pub fn objective_of(options: &Options<'_>, chosen: &[usize], values: &Values) -> f64 {
    let mut total = 0.0;
    for need in &values.needs {
        let best = chosen
            .iter()
            .map(|&k| options.interventions[options.candidates[k].intervention])
            .filter(|iv| !iv.is_assessment() && iv.addresses.contains(&need.need))
            .map(|iv| values.credit(need, iv))
            .max();
        total += best.unwrap_or(0) as f64;
    }
    for (_, serving) in &options.expected {
        if chosen
            .iter()
            .any(|&k| serving.contains(&options.candidates[k].intervention))
        {
            total += (values.expected * values.scale) as f64;
        }
    }
    total
        + chosen
            .iter()
            .map(|&k| values.standalone(options, &options.candidates[k]))
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

/// A child's model as it is built, one family of rows at a time.
struct Build<'a, 'o> {
    options: &'a Options<'o>,
    values: &'a Values,
    open: Vec<usize>,
    x: BTreeMap<usize, Variable>,
    /// Open candidates by intervention index.
    per_intervention: BTreeMap<usize, Vec<usize>>,
    objective: Expression,
    rows: Vec<Constraint>,
}

impl<'a, 'o> Build<'a, 'o> {
    /// A binary for each open candidate, valued as if chosen alone.
    fn new(vars: &mut ProblemVariables, options: &'a Options<'o>, values: &'a Values) -> Self {
        let open: Vec<usize> = options.open().map(|(k, _)| k).collect();
        let mut x = BTreeMap::new();
        let mut objective = Expression::from(0.0);
        let mut per_intervention: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &k in &open {
            let v = vars.add(variable().binary());
            objective += values.standalone(options, &options.candidates[k]) * v;
            x.insert(k, v);
            per_intervention
                .entry(options.candidates[k].intervention)
                .or_default()
                .push(k);
        }
        Build {
            options,
            values,
            open,
            x,
            per_intervention,
            objective,
            rows: Vec::new(),
        }
    }

    /// The sum of the binaries of every open candidate of these interventions.
    fn chosen_any(&self, interventions: &[usize]) -> Expression {
        interventions
            .iter()
            .filter_map(|i| self.per_intervention.get(i))
            .flatten()
            .map(|k| self.x[k])
            .sum()
    }

    /// Each intervention at most once.
    fn once_each(&mut self) {
        for ks in self.per_intervention.values().filter(|ks| ks.len() > 1) {
            self.rows
                .push(ks.iter().map(|k| self.x[k]).sum::<Expression>().leq(1.0));
        }
    }

    /// y[need, intervention]: the need is credited to that intervention, if it is chosen, and
    /// each need once. Assessments never meet a need.
    fn credits(&mut self, vars: &mut ProblemVariables) -> Vec<(usize, usize, Variable)> {
        let mut y: Vec<(usize, usize, Variable)> = Vec::new();
        let interventions: Vec<usize> = self.per_intervention.keys().copied().collect();
        for (n, need) in self.values.needs.iter().enumerate() {
            for &i in &interventions {
                let iv = self.options.interventions[i];
                if iv.is_assessment() || !iv.addresses.contains(&need.need) {
                    continue;
                }
                let v = vars.add(variable().min(0.0).max(1.0));
                self.objective += self.values.credit(need, iv) as f64 * v;
                let row = (Expression::from(v) - self.chosen_any(&[i])).leq(0.0);
                self.rows.push(row);
                y.push((n, i, v));
            }
        }
        let mut per_need: BTreeMap<usize, Vec<Variable>> = BTreeMap::new();
        for &(n, _, v) in &y {
            per_need.entry(n).or_default().push(v);
        }
        for vs in per_need.values().filter(|vs| vs.len() > 1) {
            self.rows
                .push(vs.iter().copied().sum::<Expression>().leq(1.0));
        }
        y
    }

    /// z[e]: the order's expected work e is delivered by a chosen intervention.
    fn expected_work(&mut self, vars: &mut ProblemVariables) -> Vec<(usize, Variable)> {
        let mut z = Vec::new();
        for (e, (_, serving)) in self.options.expected.iter().enumerate() {
            if !serving
                .iter()
                .any(|i| self.per_intervention.contains_key(i))
            {
                continue;
            }
            let delivered = self.chosen_any(serving);
            let v = vars.add(variable().min(0.0).max(1.0));
            self.objective += (self.values.expected * self.values.scale) as f64 * v;
            self.rows.push((Expression::from(v) - delivered).leq(0.0));
            z.push((e, v));
        }
        z
    }

    /// A chosen candidate has a chosen candidate of each prerequisite that ends before it
    /// starts and not long before.
    fn prerequisites(&mut self) {
        let options = self.options;
        for (&i, ks) in &self.per_intervention {
            for req in &options.interventions[i].requires {
                let j = options
                    .intervention_index(req)
                    .expect("prerequisites are relevant");
                for &k in ks {
                    let c = &options.candidates[k];
                    let mut row = Expression::from(self.x[&k]);
                    for (kj, cj) in options.candidates_of(j) {
                        if cj.block.is_none() && prepares(options, cj, c) {
                            row -= self.x[&kj];
                        }
                    }
                    self.rows.push(row.leq(0.0));
                }
            }
        }
    }

    /// Work that waits for an assessment starts after it ends.
    fn assessments_first(&mut self) {
        let options = self.options;
        for (&a, waiting) in &options.waits_for_assessment {
            let Some(assessments) = self.per_intervention.get(&a) else {
                continue;
            };
            for &ka in assessments {
                let end = options.candidates[ka].end;
                for i in waiting {
                    let early: Vec<usize> = self
                        .per_intervention
                        .get(i)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|k| options.candidates[*k].start <= end)
                        .collect();
                    if early.is_empty() {
                        continue;
                    }
                    let row = Expression::from(self.x[&ka])
                        + early.iter().map(|k| self.x[k]).sum::<Expression>();
                    self.rows.push(row.leq(1.0));
                }
            }
        }
    }

    /// Weekly contact hours and items at once, only in weeks where they could be exceeded.
    fn weekly_limits(&mut self) {
        let options = self.options;
        let mut per_week: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &k in &self.open {
            for w in options.weeks_of(&options.candidates[k]) {
                per_week.entry(w).or_default().push(k);
            }
        }
        let cap = options.max_hours_per_week;
        let hours =
            |k: &usize| options.interventions[options.candidates[*k].intervention].weekly_hours();
        for ks in per_week.values() {
            let mut most: BTreeMap<usize, f64> = BTreeMap::new();
            for k in ks {
                let e = most
                    .entry(options.candidates[*k].intervention)
                    .or_insert(0.0);
                *e = e.max(hours(k));
            }
            if most.values().sum::<f64>() > cap + 1e-9 {
                let row: Expression = ks.iter().map(|k| hours(k) * self.x[k]).sum();
                self.rows.push(row.leq(cap));
            }
            if most.len() as i64 > options.max_concurrent_items {
                let row: Expression = ks.iter().map(|k| self.x[k]).sum();
                self.rows.push(row.leq(options.max_concurrent_items as f64));
            }
        }
    }
}

/// One young person's part of a model: variables, objective terms and rows, ready to be added to
/// a solver on their own (one plan) or beside others' (a caseload).
pub struct ChildModel {
    /// The binary of each open candidate, by candidate index.
    pub x: BTreeMap<usize, Variable>,
    /// Coverage credits: (need index, intervention index, variable).
    pub y: Vec<(usize, usize, Variable)>,
    /// Expected work delivered: (index into `Options::expected`, variable).
    pub z: Vec<(usize, Variable)>,
    pub objective: Expression,
    pub rows: Vec<Constraint>,
}

impl ChildModel {
    pub fn build(
        vars: &mut ProblemVariables,
        options: &Options<'_>,
        values: &Values,
    ) -> ChildModel {
        let mut build = Build::new(vars, options, values);
        build.once_each();
        let y = build.credits(vars);
        let z = build.expected_work(vars);
        build.prerequisites();
        build.assessments_first();
        build.weekly_limits();
        ChildModel {
            x: build.x,
            y,
            z,
            objective: build.objective,
            rows: build.rows,
        }
    }

    pub fn variable_count(&self) -> usize {
        self.x.len() + self.y.len() + self.z.len()
    }

    /// Values for every variable from a feasible choice of candidates: each need credited to the
    /// chosen intervention that earns most for it.
    pub fn start_values(
        &self,
        options: &Options<'_>,
        chosen: &[usize],
        values: &Values,
    ) -> Vec<(Variable, f64)> {
        let chosen_iv = |i: usize| {
            chosen
                .iter()
                .any(|k| options.candidates[*k].intervention == i)
        };
        let mut credited = vec![false; self.y.len()];
        for (n, need) in values.needs.iter().enumerate() {
            let best = (0..self.y.len())
                .filter(|&t| self.y[t].0 == n && chosen_iv(self.y[t].1))
                .max_by_key(|&t| {
                    (
                        values.credit(need, options.interventions[self.y[t].1]),
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
        let z = self.z.iter().map(|(e, v)| {
            let on = options.expected[*e].1.iter().any(|i| chosen_iv(*i));
            (*v, if on { 1.0 } else { 0.0 })
        });
        x.chain(y).chain(z).collect()
    }
}

/// Reads the chosen candidates out of a solution.
pub fn chosen_in(x: &BTreeMap<usize, Variable>, solution: &impl Solution) -> Vec<usize> {
    x.iter()
        .filter(|(_, v)| solution.value(**v) > 0.5)
        .map(|(k, _)| *k)
        .collect()
}

/// Solves one young person's model with microlp (measured fastest for models this size),
/// starting from a plan within 0.1% of the best.
pub fn solve(
    options: &Options<'_>,
    values: &Values,
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
    let started = Instant::now();
    let near = search::near_optimal(options, values, time_limit_seconds);
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "near-optimal plan"
    );
    let remaining = (time_limit_seconds - started.elapsed().as_secs_f64()).max(0.05);
    prove(options, values, &near, remaining)
}

/// Proves the best plan, starting from `incumbent` (a plan that keeps every rule): the
/// relaxation rules out every option that cannot be in a plan as good, and microlp searches the
/// rest. On the time limit the best plan found is returned, `feasible`.
pub fn prove(
    options: &Options<'_>,
    values: &Values,
    incumbent: &[usize],
    time_limit_seconds: f64,
) -> Result<Solved, SolverFailure> {
    let started = Instant::now();
    let worth = objective_of(options, incumbent, values);
    let narrowed = search::without_hopeless(options, values, worth);
    if let Some(n) = narrowed.as_ref().filter(|n| n.proves(worth)) {
        return Ok(Solved {
            chosen: incumbent.to_vec(),
            status: SolverStatus::Optimal,
            variables: n.variables,
            constraints: n.constraints,
        });
    }
    let options = narrowed
        .as_ref()
        .and_then(|n| n.options.as_ref())
        .unwrap_or(options);
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        open = options.open().count(),
        bound = narrowed.as_ref().map(|n| n.bound),
        worth,
        "narrowed"
    );
    let mut vars = ProblemVariables::new();
    let child = ChildModel::build(&mut vars, options, values);
    let n_variables = child.variable_count();
    let n_constraints = child.rows.len();
    let start_from = child.start_values(options, incumbent, values);
    let mut model = vars.maximise(child.objective).using(microlp);
    for row in child.rows {
        model.add_constraint(row);
    }
    // A feasible start prunes the search, and a time limit always has a plan to return.
    let model = model
        .with_initial_solution(start_from)
        .with_time_limit(time_limit_seconds.max(0.05));
    let solved = |chosen, status| Solved {
        chosen,
        status,
        variables: n_variables,
        constraints: n_constraints,
    };
    match model.solve() {
        Ok(solution) => {
            let chosen = chosen_in(&child.x, &solution);
            let status = match solution.status() {
                SolutionStatus::Optimal => SolverStatus::Optimal,
                _ => SolverStatus::Feasible,
            };
            // The search's answer must keep every rule and be no worse than the start.
            if fit::misfit(options, &chosen).is_some()
                || objective_of(options, &chosen, values) < objective_of(options, incumbent, values)
            {
                tracing::warn!(
                    "solver answer breaks a rule or is worse than its start; keeping the start"
                );
                return Ok(solved(incumbent.to_vec(), SolverStatus::Feasible));
            }
            Ok(solved(chosen, status))
        }
        Err(ResolutionError::Other(msg))
            if started.elapsed().as_secs_f64() >= time_limit_seconds * 0.9 =>
        {
            tracing::warn!(
                reason = msg,
                "planner hit its time limit; returning the best plan found before"
            );
            Ok(solved(incumbent.to_vec(), SolverStatus::Feasible))
        }
        Err(e) => Err(SolverFailure(e.to_string())),
    }
}
