//! A plan as text a case manager can paste into a report (the `--format text` of `plan`):
//! names, not ids; what each item sits under and how to refer; the risk and safety summary;
//! gaps as actions; reviews.

use std::fmt::Write;

use super::explain::{list, long_date, plural};
use crate::domain::plan::{FlagCode, GapReason, Plan, ReviewKind};
use crate::domain::{Catalogue, PlanningProblem};

pub struct TextOptions {
    /// Add the solver's figures.
    pub verbose: bool,
}

pub fn render(problem: &PlanningProblem, plan: &Plan, options: &TextOptions) -> String {
    let mut out = String::new();
    let empty = Catalogue::default();
    let catalogue = problem.catalogue.as_ref().unwrap_or(&empty);
    let name_of = |id: &str| {
        catalogue
            .intervention(id)
            .map_or(id.to_string(), |i| i.name.clone())
    };
    let need_of = |id: &str| {
        catalogue
            .need(id)
            .map_or(id.to_string(), |n| n.name.clone())
    };
    let order = &problem.order;
    let person = &problem.young_person;
    let line = |out: &mut String, s: String| {
        let _ = writeln!(out, "{s}");
    };

    line(
        &mut out,
        format!("Intervention plan for {}", plan.young_person),
    );
    let order_words = capitalise(&order.describe());
    line(
        &mut out,
        format!(
            "{order_words}, {} to {}. Planned on {}.",
            long_date(order.start),
            long_date(order.end),
            long_date(problem.as_of)
        ),
    );
    if order.order_type == crate::domain::OrderType::DetentionAndTrainingOrder {
        line(
            &mut out,
            format!(
                "Community work is planned from the licence start, {}.",
                long_date(order.community_start())
            ),
        );
    }
    line(&mut out, String::new());

    line(&mut out, "Risk and safety".into());
    line(
        &mut out,
        format!(
            "  Likelihood of reoffending {}; risk of serious harm {}; safety and wellbeing {}; intervention level {}.",
            person.likelihood_of_reoffending.as_str(),
            person.risk_of_serious_harm.as_str().replace('_', " "),
            person.safety_and_wellbeing.as_str().replace('_', " "),
            person.intervention_level().as_str()
        ),
    );
    match &person.risk_management_plan {
        Some(rmp) if person.has_contingency_plan() => line(
            &mut out,
            format!(
                "  Risk management plan: {} recorded.",
                plural(rmp.contingency.len() as i64, "contingency action")
            ),
        ),
        _ if person.risk_of_serious_harm.is_high_or_above() => line(
            &mut out,
            "  Risk management plan: none with a contingency action. One is needed before the plan is signed.".into(),
        ),
        _ => {}
    }
    if !person.unsafe_areas.is_empty() {
        line(
            &mut out,
            format!("  Unsafe areas: {}.", list(&person.unsafe_areas)),
        );
    }
    if !person.gang_affiliations.is_empty() {
        line(
            &mut out,
            format!(
                "  Group affiliations: {} (kept apart from rival groups in group work).",
                list(&person.gang_affiliations)
            ),
        );
    }
    line(&mut out, String::new());

    line(&mut out, "Interventions, in order".into());
    if plan.items.is_empty() {
        line(
            &mut out,
            "  None could be planned: see the needs not met below.".into(),
        );
    }
    for (k, item) in plan.items.iter().enumerate() {
        let iv = catalogue.intervention(&item.intervention);
        let mut tags = Vec::new();
        if item.offending_focused {
            tags.push("offending-focused");
        }
        if item.assessment {
            tags.push("assessment");
        }
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", tags.join(", "))
        };
        line(
            &mut out,
            format!(
                "  {}. {}: {} to {}{tags}",
                k + 1,
                name_of(&item.intervention),
                long_date(item.start),
                long_date(item.end)
            ),
        );
        line(&mut out, format!("     {}", item.rationale));
        if item.provision == super::options::CASE_MANAGER {
            line(
                &mut out,
                "     How to refer: no referral; the case manager delivers it in supervision."
                    .into(),
            );
        } else if let Some(referral) = iv.and_then(|i| i.referral.as_ref()) {
            let wait = problem
                .provision
                .iter()
                .flatten()
                .find(|p| p.id == item.provision)
                .map_or(referral.usual_wait_days, |p| p.wait_days.max(0));
            let wait = if wait == 0 {
                "no wait".to_string()
            } else {
                format!("usual wait {}", plural(wait, "day"))
            };
            line(
                &mut out,
                format!(
                    "     How to refer: {} ({}); {wait}.",
                    referral.how.trim_end_matches('.'),
                    referral.to
                ),
            );
        }
    }
    line(&mut out, String::new());

    line(&mut out, "Needs not met, and what to do".into());
    if plan.gaps.is_empty() {
        line(
            &mut out,
            "  None: every assessed need has an intervention.".into(),
        );
    }
    for gap in &plan.gaps {
        line(
            &mut out,
            format!(
                "  - {} ({}): {}.",
                need_of(&gap.need),
                gap.level.as_str(),
                gap_reason_words(gap.reason)
            ),
        );
        line(&mut out, format!("    {}", gap.detail));
        for action in gap_actions(problem, plan, &gap.need, gap.reason) {
            line(&mut out, format!("    Action: {action}"));
        }
    }
    if !plan.flags.is_empty() {
        line(&mut out, String::new());
        line(&mut out, "For the case manager and manager".into());
        for flag in &plan.flags {
            line(&mut out, format!("  ! {}", flag.detail));
        }
    }
    line(&mut out, String::new());
    line(&mut out, "Reviews".into());
    if plan.reviews.is_empty() {
        line(&mut out, "  None due.".into());
    }
    for review in &plan.reviews {
        let what = match (review.kind, &review.intervention) {
            (ReviewKind::ItemOutcome, Some(id)) => format!("outcome of {}", name_of(id)),
            _ => "plan review".to_string(),
        };
        line(&mut out, format!("  {}: {}", long_date(review.due), what));
    }
    if options.verbose {
        line(&mut out, String::new());
        line(
            &mut out,
            format!(
                "Solver: {}, objective {}, {:.3} s, {} variables, {} constraints",
                match plan.solver.status {
                    crate::domain::plan::SolverStatus::Optimal => "optimal",
                    crate::domain::plan::SolverStatus::Feasible => "feasible (time limit)",
                    crate::domain::plan::SolverStatus::Infeasible => "infeasible",
                },
                plan.solver.objective,
                plan.solver.seconds,
                plan.solver.variables,
                plan.solver.constraints
            ),
        );
    }
    if plan
        .flags
        .iter()
        .any(|f| f.code == FlagCode::TransitionAt18)
    {
        line(&mut out, String::new());
        line(
            &mut out,
            "Transition: agree the move to adult services with the young person and probation before their 18th birthday.".into(),
        );
    }
    out
}

fn gap_reason_words(reason: GapReason) -> &'static str {
    match reason {
        GapReason::NoIntervention => "no intervention in the catalogue",
        GapReason::NoProvision => "not provided locally",
        GapReason::NotPermitted => "not permitted under this order",
        GapReason::Ineligible => "not eligible",
        GapReason::Excluded => "barred by a partner",
        GapReason::Unsafe => "not safe",
        GapReason::NoCapacity => "no place in time",
        GapReason::NotSelected => "not fitted into the plan",
    }
}

/// What a case manager does about a gap, beyond its detail.
fn gap_actions(
    problem: &PlanningProblem,
    plan: &Plan,
    need: &str,
    reason: GapReason,
) -> Vec<String> {
    let mut actions = Vec::new();
    let person = &problem.young_person;
    let assessed = plan.items.iter().any(|i| {
        i.assessment
            && problem
                .catalogue
                .as_ref()
                .and_then(|c| c.intervention(&i.intervention))
                .is_some_and(|iv| iv.addresses.iter().any(|a| a == need))
    });
    if need.contains("exploitation") && !assessed {
        actions.push("make a safeguarding referral to children's social care and a National Referral Mechanism referral, and hold a strategy discussion.".into());
    }
    match reason {
        GapReason::NoProvision | GapReason::NoIntervention => actions.push(
            "record the gap for the manager's provision report and look for a spot purchase or a partner's offer.".into(),
        ),
        GapReason::Excluded => {
            for ex in &person.exclusions {
                let catalogue = problem.catalogue.as_ref();
                let addresses = catalogue
                    .and_then(|c| c.intervention(&ex.intervention))
                    .is_some_and(|iv| iv.addresses.iter().any(|a| a == need));
                if !addresses {
                    continue;
                }
                let name = catalogue
                    .and_then(|c| c.intervention(&ex.intervention))
                    .map_or(ex.intervention.as_str(), |i| i.name.as_str());
                let by = if ex.by.is_empty() { "a partner" } else { ex.by.as_str() };
                let reason = if ex.reason.trim().is_empty() {
                    "no reason recorded".to_string()
                } else {
                    format!("reason recorded: {}", ex.reason.trim())
                };
                let challenge = match ex.challenged {
                    Some(true) => "the decision has been challenged".to_string(),
                    Some(false) => "the decision has not been challenged: consider whether it should be".to_string(),
                    None => "record whether the decision is challenged".to_string(),
                };
                actions.push(format!("{name} is barred by {by} ({reason}); {challenge}."));
            }
        }
        GapReason::NoCapacity => actions.push(
            "ask the intervention coordinator about a place, a waiting-list entry or an extra cohort.".into(),
        ),
        GapReason::NotPermitted => actions.push(
            "if the work is needed, raise it at the next panel or court review of the order.".into(),
        ),
        _ => {}
    }
    actions
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
