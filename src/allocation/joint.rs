//! The joint model of a caseload: every young person's own model side by side, coupled by the
//! places they share and by rival groups, solved with HiGHS.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use good_lp::solvers::highs::highs;
use good_lp::{Constraint, Expression, ProblemVariables, SolverModel, Variable, variable};

use crate::domain::plan::SolverStatus;
use crate::domain::{Format, Provision, YoungPerson};
use crate::planner::model::{ChildModel, SolverFailure, Values};
use crate::planner::options::{Options, prepares};

pub(super) use super::calendar::{Calendar, Slot};
use crate::planner::settings::Weights;

/// One young person as the joint model sees them.
pub struct Child<'a> {
    pub person: &'a YoungPerson,
    pub options: Options<'a>,
    /// Values already scaled by `priority`.
    pub values: Values,
}

pub struct JointSolution {
    /// For each child, the chosen candidate indices into their options.
    pub chosen: Vec<Vec<usize>>,
    pub status: SolverStatus,
    pub objective: f64,
    /// The solver's bound on the joint objective; `None` when it found none.
    pub bound: Option<f64>,
    pub variables: usize,
    pub constraints: usize,
}

pub struct Limits {
    pub mip_rel_gap: f64,
    pub time_limit_seconds: f64,
}

/// Writes the joint model (MPS or LP, by the file name), for cross-checks with other solvers.
pub fn export(
    children: &[Child<'_>],
    provision: &[Provision],
    rivalries: &[(String, String)],
    path: &std::path::Path,
) -> Result<(), SolverFailure> {
    let mut built = build(children, provision, rivalries)?;
    write_model(&mut built.model, path)
}

/// What a young person's plan is worth in a caseload, relative to others': more the higher the
/// likelihood of reoffending and risk of serious harm, so contested places go to them first
/// (risk-need-responsivity: intensity follows risk). Every term of their plan is scaled alike,
/// so it never changes which plan is best for them, only who gets a contested place.
pub fn priority(person: &YoungPerson, w: &Weights) -> i64 {
    w.priority_base
        + w.priority_likelihood * person.likelihood_of_reoffending as i64
        + w.priority_risk_of_serious_harm * person.risk_of_serious_harm as i64
}

/// A young person's values in a caseload: everything scaled by their `priority`.
pub fn caseload_values(person: &YoungPerson, mut values: Values, w: &Weights) -> Values {
    values.scale = priority(person, w);
    values
}

/// Each provision's index in the caseload, by id.
pub(super) fn provision_index(provision: &[Provision]) -> HashMap<&str, usize> {
    provision
        .iter()
        .enumerate()
        .map(|(k, p)| (p.id.as_str(), k))
        .collect()
}

fn is_group(children: &[Child<'_>], offer: &Provision) -> bool {
    children
        .iter()
        .find_map(|c| {
            c.options
                .interventions
                .iter()
                .find(|i| i.id == offer.intervention)
        })
        .is_some_and(|i| i.format == Format::Group)
}

/// Who could use each slot of each provision, by (provision index, slot), and its free places:
/// (free, [(young person, binary)]).
type SlotUsers = BTreeMap<(usize, Slot), (i64, Vec<(usize, Variable)>)>;

/// The joint model, built for HiGHS.
struct Built<'p> {
    model: highs::Model,
    models: Vec<ChildModel>,
    columns: HashMap<Variable, usize>,
    indicators: BTreeMap<(usize, Slot, &'p str), Variable>,
    index: HashMap<&'p str, usize>,
    calendar: Calendar,
    couplings: Vec<Coupling>,
    variables: usize,
    constraints: usize,
}

/// A row that couples young people, as the Lagrangian bound prices it (`row` is its index
/// among the model's rows).
pub(super) enum Coupling {
    /// The users' binaries sum to at most `free`.
    Capacity {
        row: usize,
        /// (provision index in the caseload, slot).
        slot: (usize, Slot),
    },
    /// A young person's binary is at most their group's indicator for the slot.
    Link {
        row: usize,
        /// (provision index in the caseload, slot).
        slot: (usize, Slot),
        member: (usize, Variable),
        indicator: Variable,
    },
    /// Two rival groups' indicators sum to at most 1.
    Pair {
        row: usize,
        a: Variable,
        b: Variable,
    },
}

fn build<'p>(
    children: &'p [Child<'_>],
    provision: &'p [Provision],
    rivalries: &'p [(String, String)],
) -> Result<Built<'p>, SolverFailure> {
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::from(0.0);
    let mut rows: Vec<Constraint> = Vec::new();
    let mut models = Vec::with_capacity(children.len());
    for child in children {
        let m = ChildModel::build(&mut vars, &child.options, &child.values);
        objective += m.objective.clone();
        rows.extend(m.rows.iter().cloned());
        models.push(m);
    }

    let index = provision_index(provision);
    let calendar = Calendar::new(children, provision, &index);
    let mut users: SlotUsers = BTreeMap::new();
    for (k, (child, m)) in children.iter().zip(&models).enumerate() {
        for (&ci, &x) in &m.x {
            let c = &child.options.candidates[ci];
            let Some(offer) = child.options.provision_of(c) else {
                continue;
            };
            let p = index[offer.id.as_str()];
            for slot in calendar.slots(p, &provision[p], c) {
                users
                    .entry((p, slot))
                    .or_insert_with(|| (calendar.free_places(p, &provision[p], slot), Vec::new()))
                    .1
                    .push((k, x));
            }
        }
    }
    let mut couplings = Vec::new();
    let indicators = shared_place_rows(
        children,
        provision,
        rivalries,
        &users,
        &mut vars,
        &mut rows,
        &mut couplings,
    );

    let columns: HashMap<Variable, usize> = vars
        .iter_variables_with_def()
        .enumerate()
        .map(|(i, (v, _))| (v, i))
        .collect();
    let variables = columns.len();
    let constraints = rows.len();
    let mut problem = vars.maximise(objective).using(highs);
    for row in rows {
        problem.add_constraint(row);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| SolverFailure::new(e.to_string()))?;
    model.make_quiet();
    if std::env::var_os("IP_SOLVER_LOG").is_some() {
        model.set_option("output_flag", true);
        model.set_option("log_to_console", true);
    }
    // One thread, always the same: HiGHS failed when its thread count changed within a process.
    model.set_option("threads", 1);
    model.set_option("random_seed", 0);
    Ok(Built {
        model,
        models,
        columns,
        indicators,
        index,
        calendar,
        couplings,
        variables,
        constraints,
    })
}

/// The shared places: a slot never holds more young people than its free places, and rival
/// groups never share a group cohort (one indicator per group and slot). Returns the
/// indicators, by (provision, slot, group).
fn shared_place_rows<'p>(
    children: &[Child<'_>],
    provision: &[Provision],
    rivalries: &'p [(String, String)],
    users: &SlotUsers,
    vars: &mut ProblemVariables,
    rows: &mut Vec<Constraint>,
    couplings: &mut Vec<Coupling>,
) -> BTreeMap<(usize, Slot, &'p str), Variable> {
    let rival_pairs: Vec<(&str, &str)> = rivalries
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let in_rivalry: BTreeSet<&str> = rival_pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let mut indicators: BTreeMap<(usize, Slot, &'p str), Variable> = BTreeMap::new();
    for (&(p, slot), (free, who)) in users {
        let (offer, free) = (&provision[p], *free);
        let distinct: BTreeSet<usize> = who.iter().map(|(k, _)| *k).collect();
        if distinct.len() as i64 > free {
            couplings.push(Coupling::Capacity {
                row: rows.len(),
                slot: (p, slot),
            });
            rows.push(
                who.iter()
                    .map(|(_, x)| *x)
                    .sum::<Expression>()
                    .leq(free as f64),
            );
        }
        // Rival groups never share a group cohort: one indicator per group and slot.
        if rival_pairs.is_empty() || !is_group(children, offer) {
            continue;
        }
        let mut members: BTreeMap<&str, Vec<(usize, Variable)>> = BTreeMap::new();
        for &(k, x) in who {
            for g in &children[k].person.gang_affiliations {
                if in_rivalry.contains(g.as_str()) {
                    members.entry(g.as_str()).or_default().push((k, x));
                }
            }
        }
        for (a, b) in rival_pairs
            .iter()
            .filter(|(a, b)| members.contains_key(a) && members.contains_key(b))
        {
            for g in [*a, *b] {
                if !indicators.contains_key(&(p, slot, g)) {
                    let v = vars.add(variable().min(0.0).max(1.0));
                    for &(k, x) in &members[g] {
                        couplings.push(Coupling::Link {
                            row: rows.len(),
                            slot: (p, slot),
                            member: (k, x),
                            indicator: v,
                        });
                        rows.push((Expression::from(x) - v).leq(0.0));
                    }
                    indicators.insert((p, slot, g), v);
                }
            }
            let (va, vb) = (indicators[&(p, slot, *a)], indicators[&(p, slot, *b)]);
            couplings.push(Coupling::Pair {
                row: rows.len(),
                a: va,
                b: vb,
            });
            rows.push((Expression::from(va) + vb).leq(1.0));
        }
    }

    indicators
}

/// A start the joint model accepts. The calendar's spans say what the day-by-day rule says, so
/// a start that keeps every rule fits as it is (a start the spans were not made from counts a
/// whole span): while a slot is still over-filled, the last young person using it (in the order
/// given) starts without the items using it, and without what they prepared.
fn fit_to_slots(
    children: &[Child<'_>],
    provision: &[Provision],
    (index, calendar): (&HashMap<&str, usize>, &Calendar),
    start_from: &[Vec<usize>],
) -> Vec<Vec<usize>> {
    let mut chosen = start_from.to_vec();
    let uses = |options: &Options<'_>, ci: usize, (p, slot): (usize, Slot)| {
        let c = &options.candidates[ci];
        options
            .provision_of(c)
            .is_some_and(|offer| index[offer.id.as_str()] == p)
            && calendar.slots(p, &provision[p], c).contains(&slot)
    };
    loop {
        let mut used: BTreeMap<(usize, Slot), Vec<usize>> = BTreeMap::new();
        for (k, (child, plan)) in children.iter().zip(&chosen).enumerate() {
            for ci in plan {
                let c = &child.options.candidates[*ci];
                let Some(offer) = child.options.provision_of(c) else {
                    continue;
                };
                let p = index[offer.id.as_str()];
                for slot in calendar.slots(p, &provision[p], c) {
                    used.entry((p, slot)).or_default().push(k);
                }
            }
        }
        let over = used.iter().find(|((p, slot), who)| {
            who.len() as i64 > calendar.free_places(*p, &provision[*p], *slot)
        });
        let Some((&slot, who)) = over else {
            return chosen;
        };
        let last = *who.iter().max().expect("over-filled slots have users");
        let options = &children[last].options;
        chosen[last].retain(|ci| !uses(options, *ci, slot));
        without_stranded(options, &mut chosen[last]);
    }
}

/// Leaves out every chosen candidate whose prerequisite is no longer chosen in time for it.
fn without_stranded(options: &Options<'_>, chosen: &mut Vec<usize>) {
    loop {
        let prepared = |ci: usize, chosen: &[usize]| {
            let c = &options.candidates[ci];
            options.interventions[c.intervention]
                .requires
                .iter()
                .all(|req| {
                    options.intervention_index(req).is_some_and(|j| {
                        chosen.iter().any(|o| {
                            let pre = &options.candidates[*o];
                            pre.intervention == j && prepares(options, pre, c)
                        })
                    })
                })
        };
        let keep: Vec<usize> = chosen
            .iter()
            .copied()
            .filter(|ci| prepared(*ci, chosen))
            .collect();
        if keep.len() == chosen.len() {
            return;
        }
        *chosen = keep;
    }
}

/// The relaxation of the joint model: a bound on what any allocation can be worth, and each
/// young person's share of the relaxed solution (candidate index, value above zero).
pub struct Relaxed {
    pub x: Vec<Vec<(usize, f64)>>,
    /// The coupling rows' shadow prices, for the Lagrangian bound.
    pub prices: super::lagrange::Prices,
    /// The thinned model's bound: not a bound on allocations that use every start.
    pub bound: f64,
    /// How long the solve took (building the model not counted).
    pub seconds: f64,
    pub variables: usize,
    pub constraints: usize,
}

/// Solves the relaxation (HiGHS, simplex); `None` when it did not finish within the limit.
pub fn relax(
    children: &[Child<'_>],
    provision: &[Provision],
    rivalries: &[(String, String)],
    time_limit_seconds: f64,
) -> Result<Option<Relaxed>, SolverFailure> {
    let mut built = build(children, provision, rivalries)?;
    built.model.set_option("solve_relaxation", true);
    // HiGHS's presolve took half the relaxation's time (parallel rows and columns) and removes
    // little from this model: without it the same bound comes in 0.6 s instead of 1.2 s at 300
    // cases (BENCHMARKS.md). Interior point and PDLP did not finish in 4.6 s.
    built.model.set_option("presolve", "off");
    built
        .model
        .set_option("time_limit", time_limit_seconds.max(0.05));
    let started = std::time::Instant::now();
    let solved = built
        .model
        .try_solve()
        .map_err(|e| SolverFailure::new(format!("HiGHS: {e:?}")))?;
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), status = ?solved.status(), bound = solved.objective_value(), "relaxation solved");
    if solved.status() != highs::HighsModelStatus::Optimal {
        return Ok(None);
    }
    let solution = solved.get_solution();
    let values = solution.columns();
    let x = built
        .models
        .iter()
        .map(|m| {
            m.x.iter()
                .map(|(k, v)| (*k, values[built.columns[v]]))
                .filter(|(_, v)| *v > 1e-9)
                .collect()
        })
        .collect();
    let prices = super::lagrange::prices(
        &built.couplings,
        children.len(),
        solution.dual_rows(),
        built.calendar.clone(),
    );
    Ok(Some(Relaxed {
        seconds: started.elapsed().as_secs_f64(),
        x,
        prices,
        bound: solved.objective_value(),
        variables: built.variables,
        constraints: built.constraints,
    }))
}

/// Solves the joint model from a feasible start (each young person's chosen candidates), until
/// the relative gap or the time limit.
pub fn solve(
    children: &[Child<'_>],
    provision: &[Provision],
    rivalries: &[(String, String)],
    start_from: &[Vec<usize>],
    limits: &Limits,
) -> Result<JointSolution, SolverFailure> {
    let Built {
        mut model,
        models,
        columns,
        indicators,
        index,
        calendar,
        couplings: _,
        variables: n_variables,
        constraints: n_constraints,
    } = build(children, provision, rivalries)?;
    let start_from = fit_to_slots(children, provision, (&index, &calendar), start_from);
    let mut start = vec![0.0; n_variables];
    for ((child, m), chosen) in children.iter().zip(&models).zip(&start_from) {
        for (v, value) in m.start_values(&child.options, chosen, &child.values) {
            start[columns[&v]] = value;
        }
        for ci in chosen {
            let c = &child.options.candidates[*ci];
            let Some(offer) = child.options.provision_of(c) else {
                continue;
            };
            let p = index[offer.id.as_str()];
            for slot in calendar.slots(p, &provision[p], c) {
                for g in &child.person.gang_affiliations {
                    if let Some(v) = indicators.get(&(p, slot, g.as_str())) {
                        start[columns[v]] = 1.0;
                    }
                }
            }
        }
    }
    model.set_option("mip_rel_gap", limits.mip_rel_gap);
    model.set_option("time_limit", limits.time_limit_seconds.max(0.05));
    model.set_solution(Some(&start), None, None, None);
    let solve_started = std::time::Instant::now();
    let solved = model
        .try_solve()
        .map_err(|e| SolverFailure::new(format!("HiGHS: {e:?}")))?;
    tracing::debug!(
        seconds = solve_started.elapsed().as_secs_f64(),
        "HiGHS solved"
    );
    use highs::HighsModelStatus as S;
    let status = match solved.status() {
        S::Optimal => SolverStatus::Optimal,
        S::ReachedTimeLimit
        | S::ReachedSolutionLimit
        | S::ReachedIterationLimit
        | S::ReachedInterrupt => SolverStatus::Feasible,
        other => return Err(SolverFailure::new(format!("HiGHS ended with {other:?}"))),
    };
    let values = solved.get_solution();
    let values = values.columns();
    if values.len() < n_variables {
        // Stopped before any solution (its start refused): the start stands.
        return Ok(JointSolution {
            chosen: start_from,
            status: SolverStatus::Feasible,
            objective: f64::NEG_INFINITY,
            bound: None,
            variables: n_variables,
            constraints: n_constraints,
        });
    }
    let chosen: Vec<Vec<usize>> = models
        .iter()
        .map(|m| {
            m.x.iter()
                .filter(|(_, v)| values[columns[v]] > 0.5)
                .map(|(k, _)| *k)
                .collect()
        })
        .collect();
    let gap = solved.mip_gap();
    Ok(JointSolution {
        chosen,
        status,
        objective: solved.objective_value(),
        bound: gap.is_finite().then(|| {
            solved.objective_value() + gap.max(0.0) * solved.objective_value().abs().max(1.0)
        }),
        variables: n_variables,
        constraints: n_constraints,
    })
}

/// HiGHS writes the model in the format the file name says (`.mps`, `.lp`).
fn write_model(model: &mut highs::Model, path: &std::path::Path) -> Result<(), SolverFailure> {
    let name = std::ffi::CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| SolverFailure::new("the model file name has a NUL byte"))?;
    // SAFETY: the pointer is HiGHS's own handle, valid while `model` lives; the name is a
    // NUL-terminated string that outlives the call.
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), name.as_ptr()) };
    if status == highs_sys::kHighsStatusError {
        return Err(SolverFailure::new(format!(
            "HiGHS could not write {}",
            path.display()
        )));
    }
    Ok(())
}
