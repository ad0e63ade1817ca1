//! The sequencing planner: a planning problem in, an optimised and explained plan out.
//! Pure: no HTTP, no SQL. CPU-bound: callers on an async runtime use `spawn_blocking`.

pub mod allocation;
pub mod allocation_model;
pub mod explain;
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
use crate::domain::{FieldErrors, PlanningProblem};
use model::NeedValue;
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
    problem.validate()?;
    let catalogue = problem.catalogue.as_ref().expect("validated");
    let person = &problem.young_person;
    let setting = setting_for(problem, settings);
    let options = options::build(&setting);
    let needs = model::need_values(&person.needs, catalogue, &settings.weights);
    let solved = model::solve(
        &options,
        &problem.order,
        &needs,
        &settings.weights,
        settings.time_limit_seconds,
    )?;
    Ok(explain_plan(
        problem, settings, &options, &needs, solved, started,
    ))
}

/// The setting a young person's options are judged in.
pub fn setting_for<'a>(problem: &'a PlanningProblem, settings: &PlannerSettings) -> Setting<'a> {
    let person = &problem.young_person;
    Setting {
        as_of: problem.as_of,
        person,
        order: &problem.order,
        rivalries: &problem.rivalries,
        catalogue: problem.catalogue.as_ref().expect("validated"),
        provision: problem.provision.as_deref().unwrap_or_default(),
        max_hours_per_week: person
            .max_hours_per_week
            .unwrap_or(settings.default_max_hours_per_week),
    }
}

/// Credits each need to the chosen intervention that earns most for it (ties: earlier start,
/// then intervention id), as the model does.
pub fn credit(
    options: &Options<'_>,
    chosen: &[usize],
    needs: &[NeedValue],
    weights: &Weights,
) -> Vec<(usize, Vec<String>)> {
    let mut credited: Vec<(usize, Vec<String>)> = chosen.iter().map(|&k| (k, Vec::new())).collect();
    for need in needs {
        let best = credited
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| {
                options.interventions[options.candidates[*k].intervention]
                    .addresses
                    .contains(&need.need)
            })
            .max_by(|(_, (a, _)), (_, (b, _))| {
                let (ca, cb) = (&options.candidates[*a], &options.candidates[*b]);
                model::credit_value(options, ca.intervention, need, weights)
                    .cmp(&model::credit_value(
                        options,
                        cb.intervention,
                        need,
                        weights,
                    ))
                    .then(cb.start.cmp(&ca.start))
                    .then(
                        options.interventions[cb.intervention]
                            .id
                            .cmp(&options.interventions[ca.intervention].id),
                    )
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
    problem: &PlanningProblem,
    settings: &PlannerSettings,
    options: &Options<'_>,
    needs: &[NeedValue],
    solved: model::Solved,
    started: Instant,
) -> Plan {
    let objective = model::objective_of(options, &solved.chosen, needs, &settings.weights);
    let catalogue = problem.catalogue.as_ref().expect("validated");
    let person = &problem.young_person;
    let credited = credit(options, &solved.chosen, needs, &settings.weights);
    let items = explain::items(&explain::ItemContext {
        options,
        catalogue,
        person,
        credited,
    });
    let met = explain::covered_needs(options, &solved.chosen, person);
    let gaps = explain::gaps(
        &explain::GapContext {
            options,
            catalogue,
            person,
            order: &problem.order,
            chosen: &solved.chosen,
        },
        &met,
    );
    let flags = oversight::flags(person, catalogue, &items, &gaps);
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
        &oversight::ReviewSettings {
            plan_every_days: 7 * weeks,
            outcome_after_days: settings.outcome_review_days,
        },
    );
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
