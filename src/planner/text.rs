//! A plan as text a case manager can paste into a report (the `--format text` of `plan`):
//! names, not ids; what each item sits under and how to refer; the risk and safety summary;
//! gaps as actions; reviews.

use std::fmt::Write;

use super::explain::{list, long_date, plural};
use super::oversight::works_on_offending;
use crate::domain::plan::{FlagCode, GapReason, Plan, ReviewKind};
use crate::domain::{Catalogue, OrderType, PlanningProblem};

pub struct TextOptions {
    /// Add the solver's figures.
    pub verbose: bool,
}

pub fn render(problem: &PlanningProblem, plan: &Plan, options: &TextOptions) -> String {
    let empty = Catalogue::default();
    let mut report = Report {
        out: String::new(),
        problem,
        plan,
        catalogue: problem.catalogue.as_ref().unwrap_or(&empty),
    };
    report.heading();
    report.risk_and_safety();
    report.interventions();
    report.needs_not_met();
    report.flags_and_reviews();
    if options.verbose {
        report.solver();
    }
    report.transition();
    report.out
}

/// The text report as it is written, one section at a time.
struct Report<'a> {
    out: String,
    problem: &'a PlanningProblem,
    plan: &'a Plan,
    catalogue: &'a Catalogue,
}

impl Report<'_> {
    fn line(&mut self, s: impl AsRef<str>) {
        let _ = writeln!(self.out, "{}", s.as_ref());
    }

    fn name_of(&self, id: &str) -> String {
        self.catalogue
            .intervention(id)
            .map_or(id.to_string(), |i| i.name.clone())
    }

    fn need_of(&self, id: &str) -> String {
        self.catalogue
            .need(id)
            .map_or(id.to_string(), |n| n.name.clone())
    }

    fn heading(&mut self) {
        let (problem, order) = (self.problem, &self.problem.order);
        self.line(format!("Intervention plan for {}", self.plan.young_person));
        let order_words = capitalise(&order.describe());
        self.line(format!(
            "{order_words}, {} to {}. Planned on {}.",
            long_date(order.start),
            long_date(order.end),
            long_date(problem.as_of)
        ));
        if order.order_type == crate::domain::OrderType::DetentionAndTrainingOrder {
            self.line(format!(
                "Community work is planned from the licence start, {}.",
                long_date(order.community_start())
            ));
        }
        self.line("");
    }

    fn risk_and_safety(&mut self) {
        let person = &self.problem.young_person;
        self.line("Risk and safety");
        self.line(format!(
            "  Likelihood of reoffending {}; risk of serious harm {}; safety and wellbeing {}; intervention level {}.",
            person.likelihood_of_reoffending.as_str(),
            person.risk_of_serious_harm.as_str().replace('_', " "),
            person.safety_and_wellbeing.as_str().replace('_', " "),
            person.intervention_level().as_str()
        ));
        match &person.risk_management_plan {
            Some(rmp) if person.has_contingency_plan() => self.line(format!(
                "  Risk management plan: {} recorded.",
                plural(rmp.contingency.len() as i64, "contingency action")
            )),
            _ if person.risk_of_serious_harm.is_high_or_above() => self.line(
                "  Risk management plan: none with a contingency action. One is needed before the plan is signed.",
            ),
            _ => {}
        }
        if !person.unsafe_areas.is_empty() {
            self.line(format!("  Unsafe areas: {}.", list(&person.unsafe_areas)));
        }
        if !person.gang_affiliations.is_empty() {
            self.line(format!(
                "  Group affiliations: {} (kept apart from rival groups in group work).",
                list(&person.gang_affiliations)
            ));
        }
        self.line("");
    }

    fn interventions(&mut self) {
        self.line("Interventions, in order");
        if self.plan.items.is_empty() {
            self.line("  None could be planned: see the needs not met below.");
        }
        for (k, item) in self.plan.items.iter().enumerate() {
            let mut tags = Vec::new();
            // As the `no_offending_focused_work` flag counts it, so the two never contradict:
            // a motivational item that only delivers a requirement is not tagged.
            let on_offending = self
                .catalogue
                .intervention(&item.intervention)
                .is_some_and(|iv| {
                    works_on_offending(
                        iv,
                        item.addresses.iter().map(String::as_str),
                        self.catalogue,
                    )
                });
            if on_offending {
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
            self.line(format!(
                "  {}. {}: {} to {}{tags}",
                k + 1,
                self.name_of(&item.intervention),
                long_date(item.start),
                long_date(item.end)
            ));
            self.line(format!("     {}", item.rationale));
            if let Some(how) = self.how_to_refer(item) {
                self.line(format!("     How to refer: {how}"));
            }
        }
        self.line("");
    }

    /// The referral route of an item, with the wait of the provision it is planned with.
    fn how_to_refer(&self, item: &crate::domain::plan::PlanItem) -> Option<String> {
        if item.provision == super::options::CASE_MANAGER {
            return Some("no referral; the case manager delivers it in supervision.".into());
        }
        let referral = self
            .catalogue
            .intervention(&item.intervention)
            .and_then(|i| i.referral.as_ref())?;
        let wait = self
            .problem
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
        Some(format!(
            "{} ({}); {wait}.",
            referral.how.trim_end_matches('.'),
            referral.to
        ))
    }

    fn needs_not_met(&mut self) {
        self.line("Needs not met, and what to do");
        let unfocused = self.plan.flags.iter().any(|f| {
            matches!(
                f.code,
                FlagCode::NoOffendingFocusedWork | FlagCode::HighRiskNoOffendingWork
            )
        });
        if self.plan.gaps.is_empty() && unfocused {
            // "None" beside a missing piece of offending work would read as all is well.
            self.line("  Every assessed need has an intervention, but no offending-focused work is planned: see the first point for the case manager and manager below.");
        } else if self.plan.gaps.is_empty() {
            self.line("  None: every assessed need has an intervention.");
        }
        for gap in &self.plan.gaps {
            self.line(format!(
                "  - {} ({}): {}.",
                self.need_of(&gap.need),
                gap.level.as_str(),
                gap_reason_words(gap.reason)
            ));
            self.line(format!("    {}", gap.detail));
            for action in gap_actions(self.problem, self.plan, &gap.need, gap.reason) {
                self.line(format!("    Action: {action}"));
            }
        }
    }

    fn flags_and_reviews(&mut self) {
        if !self.plan.flags.is_empty() {
            self.line("");
            self.line("For the case manager and manager");
            for flag in &self.plan.flags {
                self.line(format!("  ! {}", flag.detail));
            }
        }
        self.line("");
        self.line("Reviews");
        if self.plan.reviews.is_empty() {
            self.line("  None due.");
        }
        for review in &self.plan.reviews {
            let what = match (review.kind, &review.intervention) {
                (ReviewKind::ItemOutcome, Some(id)) => format!("outcome of {}", self.name_of(id)),
                _ => "plan review".to_string(),
            };
            self.line(format!("  {}: {}", long_date(review.due), what));
        }
    }

    fn solver(&mut self) {
        let solver = &self.plan.solver;
        self.line("");
        self.line(format!(
            "Solver: {}, objective {}, {:.3} s, {} variables, {} constraints",
            match solver.status {
                crate::domain::plan::SolverStatus::Optimal => "optimal",
                crate::domain::plan::SolverStatus::Feasible => "feasible (time limit)",
                crate::domain::plan::SolverStatus::Infeasible => "infeasible",
            },
            solver.objective,
            solver.seconds,
            solver.variables,
            solver.constraints
        ));
    }

    fn transition(&mut self) {
        if self
            .plan
            .flags
            .iter()
            .any(|f| f.code == FlagCode::TransitionAt18)
        {
            self.line("");
            self.line("Transition: agree the move to adult services with the young person and probation before their 18th birthday.");
        }
    }
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
        GapReason::NotPermitted => actions.push(not_permitted_action(problem.order.order_type).into()),
        _ => {}
    }
    actions
}

/// Who can change what an order permits: the panel for a referral order's contract, the court
/// for a sentence, the out-of-court decision-making panel (or police) for a caution or
/// resolution.
fn not_permitted_action(order: OrderType) -> &'static str {
    match order {
        OrderType::ReferralOrder => {
            "if the work is needed, raise it with the youth offender panel: the contract can be varied at a progress panel."
        }
        OrderType::YouthRehabilitationOrder => {
            "if the work is needed, ask the court to amend the order's requirements."
        }
        OrderType::DetentionAndTrainingOrder => {
            "if the work is needed, raise it at the sentence plan review, for the licence conditions."
        }
        OrderType::Proposed => {
            "if the work is needed, propose an order that permits it in the pre-sentence report."
        }
        OrderType::CommunityResolution
        | OrderType::YouthCaution
        | OrderType::YouthConditionalCaution => {
            "if the work is needed, raise it with the out-of-court decision-making panel (a conditional caution's conditions are set by the police with the panel)."
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
