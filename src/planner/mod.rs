//! The sequencing planner: a planning problem in, an optimised and explained plan out.
//! Pure: no HTTP, no SQL. CPU-bound: callers on an async runtime use `spawn_blocking`.

pub mod explain;
pub mod fit;
pub mod generate;
pub mod model;
pub mod options;
pub mod oversight;
pub mod search;
pub mod settings;
pub mod text;

use std::time::Instant;

pub use settings::{PlannerSettings, Weights};

use crate::domain::plan::{Plan, SolverReport};
use crate::domain::problem::ValidProblem;
use crate::domain::{FieldErrors, PlanningProblem};
use model::Values;
use options::{Options, Setting};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the planning document is not valid")]
    Invalid(#[from] FieldErrors),
    #[error(transparent)]
    Solver(#[from] model::SolverFailure),
}

/// Plans one young person. The document must carry its catalogue and provision.
pub fn plan(problem: &PlanningProblem, settings: &PlannerSettings) -> Result<Plan, PlanError> {
    let started = Instant::now();
    let problem = problem.validated()?;
    let setting = setting_for(&problem, settings);
    let options = options::build(&setting);
    let values = values_for(&problem, settings);
    let solved = model::solve(&options, &values, settings.time_limit_seconds)?;
    Ok(explain_plan(
        &problem, settings, &options, &values, solved, started,
    ))
}

/// What the objective values for a young person, on the scale of a plan made alone.
pub fn values_for(problem: &ValidProblem, settings: &PlannerSettings) -> Values {
    Values::new(
        &problem.young_person.needs,
        &problem.catalogue,
        &settings.weights,
    )
}

/// The setting a young person's options are judged in: the document, and the weekly hours and
/// items at once of the young person's intervention level unless their record sets them.
pub fn setting_for<'a>(problem: &'a ValidProblem, settings: &PlannerSettings) -> Setting<'a> {
    let person = &problem.young_person;
    let limits = settings.intensity.at(person.intervention_level());
    Setting {
        as_of: problem.as_of,
        person,
        order: &problem.order,
        rivalries: &problem.rivalries,
        catalogue: &problem.catalogue,
        provision: &problem.provision,
        max_hours_per_week: person
            .max_hours_per_week
            .unwrap_or(limits.max_hours_per_week),
        max_concurrent_items: person
            .max_concurrent_items
            .unwrap_or(limits.max_concurrent_items),
        prerequisite_max_gap_weeks: settings.prerequisite_max_gap_weeks,
        keep: &problem.keep,
    }
}

/// Credits each need to the chosen intervention (not an assessment) that earns most for it
/// (ties: earlier start, then intervention id), as the model does.
pub fn credit(
    options: &Options<'_>,
    chosen: &[usize],
    values: &Values,
) -> Vec<(usize, Vec<String>)> {
    let mut credited: Vec<(usize, Vec<String>)> = chosen.iter().map(|&k| (k, Vec::new())).collect();
    for need in &values.needs {
        let best = credited
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| {
                let iv = options.interventions[options.candidates[*k].intervention];
                !iv.is_assessment() && iv.addresses.contains(&need.need)
            })
            .max_by(|(_, (a, _)), (_, (b, _))| {
                let (ca, cb) = (&options.candidates[*a], &options.candidates[*b]);
                let (ia, ib) = (
                    options.interventions[ca.intervention],
                    options.interventions[cb.intervention],
                );
                values
                    .credit(need, ia)
                    .cmp(&values.credit(need, ib))
                    .then(cb.start.cmp(&ca.start))
                    .then(ib.id.cmp(&ia.id))
            })
            .map(|(slot, _)| slot);
        if let Some(slot) = best {
            credited[slot].1.push(need.need.clone());
        }
    }
    credited
}

/// Builds the plan for chosen candidates: items with their rationale, gaps, flags, reviews.
pub fn explain_plan(
    problem: &ValidProblem,
    settings: &PlannerSettings,
    options: &Options<'_>,
    values: &Values,
    solved: model::Solved,
    started: Instant,
) -> Plan {
    let kept = solved
        .chosen
        .iter()
        .filter(|&&k| options.candidates[k].kept)
        .count();
    let objective =
        model::objective_of(options, &solved.chosen, values) - kept as f64 * model::KEPT_VALUE;
    let catalogue = &problem.catalogue;
    let person = &problem.young_person;
    let credited = credit(options, &solved.chosen, values);
    let items = explain::items(&explain::ItemContext {
        options,
        catalogue,
        person,
        order: &problem.order,
        credited,
    });
    let gaps = explain::gaps(&explain::GapContext {
        options,
        catalogue,
        person,
        order: &problem.order,
        chosen: &solved.chosen,
    });
    let mut flags = oversight::flags(&oversight::FlagContext {
        as_of: problem.as_of,
        person,
        order: &problem.order,
        catalogue,
        options,
        chosen: &solved.chosen,
        gaps: &gaps,
    });
    let high = person.risk_of_serious_harm.is_high_or_above()
        || person.safety_and_wellbeing.is_high_or_above();
    let weeks = if high {
        settings.plan_review_weeks_high_risk
    } else {
        settings.plan_review_weeks
    };
    let reviews = oversight::reviews(
        &items,
        &problem.order,
        problem.as_of,
        &oversight::ReviewSettings {
            plan_every_days: 7 * weeks,
            outcome_after_days: settings.outcome_review_days,
        },
    );
    flags.extend(oversight::work_ends_early(
        &items,
        &reviews,
        &problem.order,
        &gaps,
        catalogue,
    ));
    Plan {
        young_person: person.reference.clone(),
        items,
        gaps,
        flags,
        reviews,
        solver: SolverReport {
            status: solved.status,
            objective,
            seconds: (started.elapsed().as_secs_f64() * 1e4).round() / 1e4,
            variables: solved.variables,
            constraints: solved.constraints,
        },
    }
}
