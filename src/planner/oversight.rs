//! What follows from a plan: flags for the case manager and manager (MAPPA, missing risk plan,
//! welfare instead of offending work) and the dates its reviews fall due.

use chrono::{Duration, Months, NaiveDate};

use super::explain::{
    GapContext, list, long_date, need_name, weeks, why_expected_unplanned, why_no_offending_work,
};
use super::options::Options;
use crate::domain::plan::GapReason;
use crate::domain::plan::{Flag, FlagCode, Gap, PlanItem, Review, ReviewKind};
use crate::domain::problem::Order;
use crate::domain::{Catalogue, Intervention, Level, OrderType, YoungPerson};

pub struct FlagContext<'a> {
    pub as_of: NaiveDate,
    pub person: &'a YoungPerson,
    pub order: &'a Order,
    pub catalogue: &'a Catalogue,
    pub options: &'a Options<'a>,
    pub chosen: &'a [usize],
    pub gaps: &'a [Gap],
}

pub fn flags(ctx: &FlagContext<'_>) -> Vec<Flag> {
    let mut flags = Vec::new();
    offending_work(ctx, &mut flags);
    risk_and_safety(ctx, &mut flags);
    flags.extend(order_outside_limits(ctx.order));
    flags.extend(transition_at_18(ctx));
    flags.extend(requirement_unplanned(ctx));
    flags
}

/// Offending-focused work (not an assessment) on one of `needs` that is linked to offending:
/// what `no_offending_focused_work` counts, and what the text report tags `offending-focused`.
pub fn works_on_offending<'n>(
    iv: &Intervention,
    needs: impl IntoIterator<Item = &'n str>,
    catalogue: &Catalogue,
) -> bool {
    iv.offending_focused
        && !iv.is_assessment()
        && needs.into_iter().any(|n| {
            iv.addresses.iter().any(|a| a == n)
                && catalogue.need(n).is_some_and(|d| d.offending_related)
        })
}

fn flag(flags: &mut Vec<Flag>, code: FlagCode, detail: String) {
    flags.push(Flag { code, detail });
}

/// Welfare must not replace work on offending: offending needs without offending-focused work,
/// high likelihood or risk with none at all, and high offending needs left unmet.
fn offending_work(ctx: &FlagContext<'_>, flags: &mut Vec<Flag>) {
    let (person, catalogue, options) = (ctx.person, ctx.catalogue, ctx.options);
    let offending = |need: &str| catalogue.need(need).is_some_and(|d| d.offending_related);
    let planned: Vec<&Intervention> = ctx
        .chosen
        .iter()
        .map(|&k| options.interventions[options.candidates[k].intervention])
        .collect();
    let offending_need = person
        .needs
        .iter()
        .any(|n| n.level >= Level::Medium && offending(&n.need));
    let offending_work = planned
        .iter()
        .any(|iv| works_on_offending(iv, person.needs.iter().map(|n| n.need.as_str()), catalogue));
    let high_risk = person.likelihood_of_reoffending == Level::High
        || person.risk_of_serious_harm.is_high_or_above();
    let levels = format!(
        "Likelihood of reoffending is {} and risk of serious harm {}",
        person.likelihood_of_reoffending.as_str(),
        person.risk_of_serious_harm.as_str().replace('_', " ")
    );
    let unfocused = offending_need && !offending_work;
    if unfocused {
        let risk = if high_risk {
            format!(" {levels}.")
        } else {
            String::new()
        };
        let gap_ctx = GapContext {
            options,
            catalogue,
            person,
            order: ctx.order,
            chosen: ctx.chosen,
        };
        // Each such need, with why its offending-focused options are not in the plan.
        let why: Vec<String> = person
            .needs
            .iter()
            .filter(|n| n.level >= Level::Medium && offending(&n.need))
            .map(|n| why_no_offending_work(&gap_ctx, &n.need))
            .collect();
        flag(
            flags,
            FlagCode::NoOffendingFocusedWork,
            format!(
                "The young person has needs linked to offending at medium or above, but no offending-focused work on them is planned (assessments and preparation do not count): welfare support must not replace work on offending.{risk} {}",
                why.join(" ")
            ),
        );
    }
    let any_offending_work = planned
        .iter()
        .any(|iv| iv.offending_focused && !iv.is_assessment());
    // Said once: when the needs linked to offending are already flagged, that flag carries the
    // risk levels too.
    if high_risk && !any_offending_work && !unfocused {
        flag(
            flags,
            FlagCode::HighRiskNoOffendingWork,
            format!(
                "{levels}, but nothing offending-focused is planned: check that the assessment has identified the needs linked to offending, and plan work on them."
            ),
        );
    }
    for gap in ctx.gaps {
        if gap.level == Level::High && offending(&gap.need) {
            flag(
                flags,
                FlagCode::OffendingNeedUnmet,
                format!(
                    "{} is a high need linked to offending with no intervention ({}): escalate to the manager.",
                    need_name(catalogue, &gap.need),
                    gap.reason.as_str().replace('_', " ")
                ),
            );
        }
    }
}

/// Risk of serious harm (MAPPA, a risk management plan) and safety and wellbeing.
fn risk_and_safety(ctx: &FlagContext<'_>, flags: &mut Vec<Flag>) {
    let person = ctx.person;
    let rosh = person.risk_of_serious_harm;
    if rosh.is_high_or_above() {
        flag(
            flags,
            FlagCode::ConsiderMappa,
            format!(
                "Risk of serious harm is {}: consider multi-agency public protection arrangements (MAPPA) and record the decision.",
                rosh.as_str().replace('_', " ")
            ),
        );
        if !person.has_contingency_plan() {
            flag(
                flags,
                FlagCode::NoRiskPlan,
                "Risk of serious harm is high or above and there is no risk management plan with a contingency action.".into(),
            );
        }
    }
    if person.safety_and_wellbeing.is_high_or_above() {
        flag(
            flags,
            FlagCode::SafetyAndWellbeingPlan,
            format!(
                "Safety and wellbeing is {}: make sure a safety and wellbeing plan with contingency actions is in place and children's social care are involved.",
                person.safety_and_wellbeing.as_str().replace('_', " ")
            ),
        );
    }
}

/// An order whose dates the law does not allow for its type (a referral order of 3 to 12
/// months, a youth rehabilitation order of up to 3 years, a detention and training order of 4 to
/// 24 months): planned as given, but the dates are probably recorded wrongly, or the order is
/// one the court should be asked to put right.
fn order_outside_limits(order: &Order) -> Option<Flag> {
    let (shortest, longest) = match order.order_type {
        OrderType::ReferralOrder => (3, 12),
        OrderType::YouthRehabilitationOrder => (0, 36),
        OrderType::DetentionAndTrainingOrder => (4, 24),
        _ => return None,
    };
    // An order of n months runs to the day before the same date n months on.
    let months_on = |n: u32| {
        order
            .start
            .checked_add_months(Months::new(n))
            .map(|d| d - Duration::days(1))
    };
    let too_short = shortest > 0 && months_on(shortest).is_some_and(|least| order.end < least);
    let too_long = months_on(longest).is_some_and(|most| order.end > most);
    if !too_short && !too_long {
        return None;
    }
    let law = if shortest > 0 {
        format!("{shortest} to {longest} months")
    } else {
        format!("up to {} years", longest / 12)
    };
    Some(Flag {
        code: FlagCode::OrderOutsideLimits,
        detail: format!(
            "This {} runs from {} to {} ({}), but the law allows {law}: check the dates against the court record, and if they are right, ask the court to put the order right.",
            order.order_type.label(),
            long_date(order.start),
            long_date(order.end),
            weeks((order.end - order.start).num_days() / 7 + 1),
        ),
    })
}

/// Turning 18 on or before the order ends: plan the move to adult services.
fn transition_at_18(ctx: &FlagContext<'_>) -> Option<Flag> {
    let eighteen = ctx.person.birthday(18)?;
    if eighteen > ctx.order.end {
        return None;
    }
    let (turns, when) = if eighteen < ctx.as_of {
        ("turned", "start now: they are already 18")
    } else if (eighteen - ctx.as_of).num_days() < 91 {
        ("turns", "start now: it is less than three months away")
    } else {
        ("turns", "start at least three months before")
    };
    Some(Flag {
        code: FlagCode::TransitionAt18,
        detail: format!(
            "The young person {turns} 18 on {}, on or before the order ends ({}): plan the move to adult services (probation and adult health) with them; {when}.",
            long_date(eighteen),
            long_date(ctx.order.end)
        ),
    })
}

/// Work the order asks for (a referral order's reparation, a requirement) with nothing planned,
/// each with the rule that kept it out.
fn requirement_unplanned(ctx: &FlagContext<'_>) -> Option<Flag> {
    let options = ctx.options;
    let gap_ctx = GapContext {
        options,
        catalogue: ctx.catalogue,
        person: ctx.person,
        order: ctx.order,
        chosen: ctx.chosen,
    };
    let unplanned: Vec<String> = options
        .expected
        .iter()
        .filter(|(e, _)| {
            !ctx.chosen.iter().any(|&k| {
                e.in_plan_through(options.interventions[options.candidates[k].intervention])
            })
        })
        .map(|(e, serving)| {
            let (reason, why) = why_expected_unplanned(&gap_ctx, &e.label(), serving);
            // Too young or otherwise not eligible: no plan can deliver it as the order stands.
            if reason == GapReason::Ineligible && ctx.order.order_type == OrderType::Proposed {
                format!("{why} Do not propose it: the young person cannot be given it.")
            } else if reason == GapReason::Ineligible {
                format!(
                    "{why} It cannot be delivered as the order stands: check it against the {} and, if it is right, ask {} to amend it.",
                    record_of(ctx.order.order_type),
                    who_varies(ctx.order.order_type)
                )
            } else {
                format!(
                    "{why} Plan it, or record why it cannot be delivered and tell {}.",
                    who_varies(ctx.order.order_type)
                )
            }
        })
        .collect();
    (!unplanned.is_empty()).then(|| Flag {
        code: FlagCode::RequirementUnplanned,
        detail: unplanned.join(" "),
    })
}

/// Who can vary what an order asks for.
fn who_varies(order: OrderType) -> &'static str {
    match order {
        OrderType::ReferralOrder => "the youth offender panel",
        OrderType::YouthRehabilitationOrder => "the court",
        OrderType::DetentionAndTrainingOrder => "the sentence plan review",
        OrderType::Proposed => "the court in the pre-sentence report",
        OrderType::CommunityResolution
        | OrderType::YouthCaution
        | OrderType::YouthConditionalCaution => "the out-of-court decision-making panel",
    }
}

/// Where what an order asks for is recorded.
fn record_of(order: OrderType) -> &'static str {
    match order {
        OrderType::ReferralOrder => "panel's contract",
        OrderType::YouthRehabilitationOrder | OrderType::DetentionAndTrainingOrder => {
            "court record"
        }
        OrderType::Proposed => "pre-sentence report",
        OrderType::CommunityResolution
        | OrderType::YouthCaution
        | OrderType::YouthConditionalCaution => "decision record",
    }
}

/// How long an order may run on with no planned work before the plan says so: a plan review
/// period at the usual interval.
const QUIET_END_DAYS: i64 = 84;

/// The planned work ends more than 12 weeks before the order does: an order's plan covers the
/// whole order, so the plan review after the last item must plan what follows (the needs still
/// open first) or record why nothing more is needed. Not raised for a plan with no items (the
/// gaps and other flags say what is missing) or for work that continues to the end.
pub fn work_ends_early(
    items: &[PlanItem],
    reviews: &[Review],
    order: &Order,
    gaps: &[Gap],
    catalogue: &Catalogue,
) -> Option<Flag> {
    let last = items.iter().map(|i| i.end).max()?;
    let quiet = (order.end - last).num_days();
    if quiet <= QUIET_END_DAYS {
        return None;
    }
    let review = reviews
        .iter()
        .find(|r| r.kind == ReviewKind::Plan && r.due > last)
        .map_or_else(
            || "at the next plan review".to_string(),
            |r| format!("at the plan review on {}", long_date(r.due)),
        );
    let open: Vec<&str> = gaps.iter().map(|g| need_name(catalogue, &g.need)).collect();
    let what = if open.is_empty() {
        "plan what follows".to_string()
    } else {
        format!("plan what follows, {} first", list(&open))
    };
    Some(Flag {
        code: FlagCode::WorkEndsEarly,
        detail: format!(
            "No work is planned after {}, {} before the order ends on {}: {review}, {what}, or record why nothing more is needed.",
            long_date(last),
            weeks(quiet / 7),
            long_date(order.end)
        ),
    })
}

pub struct ReviewSettings {
    pub plan_every_days: i64,
    pub outcome_after_days: i64,
}

/// Reviews due on or after `as_of`: an outcome review within a week of each item's end (on the
/// order's end for work that continues after it or ends in its last week), and plan reviews
/// at the set interval from the order start and on its end, leaving out one less than 14 days
/// before the end.
pub fn reviews(
    items: &[PlanItem],
    order: &Order,
    as_of: NaiveDate,
    settings: &ReviewSettings,
) -> Vec<Review> {
    let mut reviews: Vec<Review> = items
        .iter()
        .map(|item| Review {
            // Never after the order: an item ending in its last week is reviewed on its end.
            due: if item.end > order.end {
                order.end
            } else {
                (item.end + Duration::days(settings.outcome_after_days)).min(order.end)
            },
            kind: ReviewKind::ItemOutcome,
            intervention: Some(item.intervention.clone()),
        })
        .collect();
    let mut due = order.start + Duration::days(settings.plan_every_days);
    while due < order.end {
        if due >= as_of && (order.end - due).num_days() >= 14 {
            reviews.push(Review {
                due,
                kind: ReviewKind::Plan,
                intervention: None,
            });
        }
        due += Duration::days(settings.plan_every_days);
    }
    reviews.push(Review {
        due: order.end,
        kind: ReviewKind::Plan,
        intervention: None,
    });
    reviews.retain(|r| r.due >= as_of);
    reviews.sort_by(|a, b| {
        (a.due, a.kind == ReviewKind::Plan, &a.intervention).cmp(&(
            b.due,
            b.kind == ReviewKind::Plan,
            &b.intervention,
        ))
    });
    reviews
}
