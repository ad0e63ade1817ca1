//! A plan as text a case manager can read (the `--format text` of `plan`).

use std::fmt::Write;

use super::explain::long_date;
use crate::domain::PlanningProblem;
use crate::domain::plan::{Plan, ReviewKind};

pub fn render(problem: &PlanningProblem, plan: &Plan) -> String {
    let mut out = String::new();
    let name_of = |id: &str| {
        problem
            .catalogue
            .as_ref()
            .and_then(|c| c.intervention(id))
            .map_or(id.to_string(), |i| i.name.clone())
    };
    let need_of = |id: &str| {
        problem
            .catalogue
            .as_ref()
            .and_then(|c| c.need(id))
            .map_or(id.to_string(), |n| n.name.clone())
    };
    let order = &problem.order;
    let _ = writeln!(out, "Intervention plan for {}", plan.young_person);
    let _ = writeln!(
        out,
        "{} from {} to {} (planned as of {})",
        capitalise(order.order_type.label()),
        long_date(order.start),
        long_date(order.end),
        long_date(problem.as_of)
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Interventions, in order");
    if plan.items.is_empty() {
        let _ = writeln!(out, "  None could be planned: see the gaps below.");
    }
    for (k, item) in plan.items.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {}: {} to {}{}",
            k + 1,
            name_of(&item.intervention),
            long_date(item.start),
            long_date(item.end),
            if item.offending_focused {
                " [offending-focused]"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "     {}", item.rationale);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Needs not met");
    if plan.gaps.is_empty() {
        let _ = writeln!(out, "  None: every assessed need has an intervention.");
    }
    for gap in &plan.gaps {
        let _ = writeln!(
            out,
            "  - {} ({}): {}",
            need_of(&gap.need),
            gap.level.as_str(),
            gap.reason.as_str().replace('_', " ")
        );
        let _ = writeln!(out, "    {}", gap.detail);
    }
    if !plan.flags.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Flags");
        for flag in &plan.flags {
            let _ = writeln!(out, "  ! {}", flag.detail);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Reviews");
    for review in &plan.reviews {
        let what = match (review.kind, &review.intervention) {
            (ReviewKind::ItemOutcome, Some(id)) => format!("outcome of {}", name_of(id)),
            _ => "plan review".to_string(),
        };
        let _ = writeln!(out, "  {}: {}", long_date(review.due), what);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Solver: {:?}, objective {}, {:.3} s",
        plan.solver.status, plan.solver.objective, plan.solver.seconds
    );
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
