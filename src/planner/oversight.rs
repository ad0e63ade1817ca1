//! What follows from a plan: flags for the case manager and manager (MAPPA, missing risk plan,
//! welfare instead of offending work) and the dates its reviews fall due.

use chrono::Duration;

use super::explain::need_name;
use crate::domain::plan::{Flag, Gap, PlanItem, Review, ReviewKind};
use crate::domain::problem::Order;
use crate::domain::{Catalogue, Level, YoungPerson};

pub fn flags(
    person: &YoungPerson,
    catalogue: &Catalogue,
    items: &[PlanItem],
    gaps: &[Gap],
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let offending_need = person.needs.iter().any(|n| {
        n.level >= Level::Medium && catalogue.need(&n.need).is_some_and(|d| d.offending_related)
    });
    if offending_need && !items.iter().any(|i| i.offending_focused) {
        flags.push(Flag {
            code: "no_offending_focused_work".into(),
            detail: "The young person has needs linked to offending at medium or above, but nothing in the plan is offending-focused: welfare support must not replace work on offending.".into(),
        });
    }
    let rosh = person.risk_of_serious_harm;
    if rosh.is_high_or_above() {
        flags.push(Flag {
            code: "consider_mappa".into(),
            detail: format!(
                "Risk of serious harm is {}: consider multi-agency public protection arrangements (MAPPA) and record the decision.",
                rosh.as_str().replace('_', " ")
            ),
        });
        if !person.has_contingency_plan() {
            flags.push(Flag {
                code: "no_risk_plan".into(),
                detail: "Risk of serious harm is high or above and there is no risk management plan with a contingency action.".into(),
            });
        }
    }
    if person.safety_and_wellbeing.is_high_or_above() {
        flags.push(Flag {
            code: "safety_and_wellbeing_plan".into(),
            detail: format!(
                "Safety and wellbeing is {}: make sure a safety and wellbeing plan with contingency actions is in place and children's social care are involved.",
                person.safety_and_wellbeing.as_str().replace('_', " ")
            ),
        });
    }
    for gap in gaps {
        if gap.level == Level::High
            && catalogue
                .need(&gap.need)
                .is_some_and(|d| d.offending_related)
        {
            flags.push(Flag {
                code: "offending_need_unmet".into(),
                detail: format!(
                    "{} is a high need linked to offending with no intervention ({}): escalate to the manager.",
                    need_name(catalogue, &gap.need),
                    gap.reason.as_str()
                ),
            });
        }
    }
    flags
}

pub struct ReviewSettings {
    pub plan_every_days: i64,
    pub outcome_after_days: i64,
}

pub fn reviews(items: &[PlanItem], order: &Order, settings: &ReviewSettings) -> Vec<Review> {
    let mut reviews: Vec<Review> = items
        .iter()
        .map(|item| Review {
            due: item.end + Duration::days(settings.outcome_after_days),
            kind: ReviewKind::ItemOutcome,
            intervention: Some(item.intervention.clone()),
        })
        .collect();
    let mut due = order.start + Duration::days(settings.plan_every_days);
    while due < order.end {
        reviews.push(Review {
            due,
            kind: ReviewKind::Plan,
            intervention: None,
        });
        due += Duration::days(settings.plan_every_days);
    }
    reviews.push(Review {
        due: order.end,
        kind: ReviewKind::Plan,
        intervention: None,
    });
    reviews.sort_by(|a, b| {
        (a.due, a.kind == ReviewKind::Plan, &a.intervention).cmp(&(
            b.due,
            b.kind == ReviewKind::Plan,
            &b.intervention,
        ))
    });
    reviews
}
