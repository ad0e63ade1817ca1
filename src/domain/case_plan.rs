//! A child's plan as the service keeps it (docs/casework.md): built by the planner from the
//! case records, then accepted (places booked), active, closed or superseded by a new version;
//! and the reviews that follow it. Pure: what a plan document holds and the rules it obeys.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::casework::{Assessment, ChildRecord, PartnerDecision, RiskPlans};
use super::input;
use super::levels::Level;
use super::plan::Plan;
use super::problem::{
    AssessedNeed, Exclusion, KeptItem, Order, PlanningProblem, RiskManagementPlan, YoungPerson,
};
use super::validation::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// Built, not yet agreed: nothing is booked.
    Draft,
    /// Agreed: its places are booked.
    Accepted,
    /// Work has begun.
    Active,
    /// The order ended or the plan was stopped.
    Closed,
    /// A later version was accepted in its place.
    Superseded,
}

impl PlanState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Draft => "draft",
            PlanState::Accepted => "accepted",
            PlanState::Active => "active",
            PlanState::Closed => "closed",
            PlanState::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<PlanState> {
        [
            PlanState::Draft,
            PlanState::Accepted,
            PlanState::Active,
            PlanState::Closed,
            PlanState::Superseded,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Whether the plan is the one being delivered (accepted or active).
    pub fn is_live(self) -> bool {
        matches!(self, PlanState::Accepted | PlanState::Active)
    }
}

/// An intervention the case manager leaves out of the next run, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseExclusion {
    pub intervention: String,
    pub reason: String,
}

/// A place a plan holds: the booking made when it was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Place {
    pub intervention: String,
    pub cohort: String,
    pub booking: String,
}

/// The child's and carer's agreement to the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub child_agrees: bool,
    pub carer_agrees: bool,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "input::date")]
    pub recorded_on: NaiveDate,
    /// Their views in their words, or why agreement was not given.
    #[serde(default)]
    pub note: String,
}

/// What a case manager asks of a (re)run of the planner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildRequest {
    /// Why the plan is being (re)built: kept with the version.
    #[serde(default)]
    pub reason: String,
    /// Items to keep as they are; items of the live plan that have started are kept anyway.
    #[serde(default)]
    pub pins: Vec<KeptItem>,
    #[serde(default)]
    pub exclusions: Vec<CaseExclusion>,
}

fn check_free_text(field: &str, text: &str, required: bool, errors: &mut FieldErrors) {
    if required && text.trim().is_empty() {
        errors.push(field, "must be given");
    } else if let Some(problem) = input::text_problem(text) {
        errors.push(field, problem);
    } else if text.contains(['<', '>']) {
        errors.push(field, "must not contain '<' or '>'");
    }
}

impl BuildRequest {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        check_free_text("reason", &self.reason, false, &mut errors);
        if self.pins.len() > 30 {
            errors.push("pins", "at most 30 pins");
        }
        if self.exclusions.len() > 60 {
            errors.push("exclusions", "at most 60 exclusions");
        }
        for (k, e) in self.exclusions.iter().enumerate() {
            check_free_text(
                &format!("exclusions[{k}].reason"),
                &e.reason,
                true,
                &mut errors,
            );
        }
        errors.into_result(())
    }
}

impl Agreement {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        check_free_text("note", &self.note, false, &mut errors);
        errors.into_result(())
    }
}

/// A plan version as stored: the planner's plan and what it was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanDocument {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub plan: Plan,
    /// What the case manager asked of this run.
    pub request: BuildRequest,
    /// Items kept from the previous version because they had started.
    #[serde(default)]
    pub kept: Vec<KeptItem>,
    /// What changed from the previous version and why (empty for the first).
    #[serde(default)]
    pub changes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    #[serde(default)]
    pub places: Vec<Place>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_reason: Option<String>,
}

/// The groups that stand for children's non-associations in the planner and the booking
/// rules: each child is a member of their own group, and each pair kept apart is a rivalry.
pub fn non_association_group(reference: &str) -> String {
    format!("non-association {reference}")
}

/// What the planner needs from the case records.
pub struct CaseInputs<'a> {
    pub as_of: NaiveDate,
    pub child: &'a ChildRecord,
    pub assessment: &'a Assessment,
    pub order: &'a Order,
    pub risk_plans: Option<&'a RiskPlans>,
    pub decisions: &'a [PartnerDecision],
    pub request: &'a BuildRequest,
    pub keep: Vec<KeptItem>,
    /// The team's rival groups.
    pub rivalries: &'a [(String, String)],
    /// Every pair of children kept apart in the team (by reference).
    pub non_associations: &'a [(String, String)],
}

/// The group memberships a child's bookings carry: their gangs and their own
/// non-association group.
pub fn booking_groups(child: &ChildRecord) -> Vec<String> {
    let mut groups = child.gang_affiliations.clone();
    groups.push(non_association_group(&child.reference));
    groups
}

/// The planning document for a child (docs/planning.md) from their records: active partner
/// bars and the case manager's exclusions become exclusions with their reasons.
pub fn planning_problem(inputs: &CaseInputs<'_>) -> PlanningProblem {
    let child = inputs.child;
    let a = inputs.assessment;
    let mut exclusions: Vec<Exclusion> = inputs
        .decisions
        .iter()
        .filter_map(|d| {
            d.bars_on(inputs.as_of).map(|iv| Exclusion {
                intervention: iv.to_string(),
                by: d.agency.clone(),
                reason: format!("{} (recorded {})", d.reason, d.decided_on),
                challenged: Some(d.challenged),
            })
        })
        .collect();
    for e in &inputs.request.exclusions {
        if !exclusions.iter().any(|x| x.intervention == e.intervention) {
            exclusions.push(Exclusion {
                intervention: e.intervention.clone(),
                by: "the case manager".into(),
                reason: e.reason.clone(),
                challenged: None,
            });
        }
    }
    let mut rivalries = inputs.rivalries.to_vec();
    for (x, y) in inputs.non_associations {
        let pair = (non_association_group(x), non_association_group(y));
        if !rivalries.contains(&pair) {
            rivalries.push(pair);
        }
    }
    let contingency = inputs
        .risk_plans
        .and_then(|r| r.risk_management.as_ref())
        .map(|r| RiskManagementPlan {
            contingency: r.contingency.clone(),
        });
    PlanningProblem {
        as_of: inputs.as_of,
        young_person: YoungPerson {
            reference: child.reference.clone(),
            date_of_birth: child.date_of_birth,
            gender: child.gender.clone(),
            needs: a
                .needs
                .iter()
                .map(|n| AssessedNeed {
                    need: n.need.clone(),
                    level: n.level,
                })
                .collect(),
            likelihood_of_reoffending: a.likelihood_of_reoffending,
            risk_of_serious_harm: a.risk_of_serious_harm,
            safety_and_wellbeing: a.safety_and_wellbeing,
            gang_affiliations: booking_groups(child),
            unsafe_areas: child.unsafe_areas.clone(),
            exclusions,
            max_hours_per_week: a.max_hours_per_week,
            risk_management_plan: contingency,
            intervention_level: a.intervention_level,
            max_concurrent_items: None,
        },
        order: inputs.order.clone(),
        rivalries,
        catalogue: None,
        provision: None,
        keep: inputs.keep.clone(),
    }
}

/// What changed from one version of a plan to the next, item by item and gap by gap, in
/// words a case manager reads in the history.
pub fn changes_between(before: &Plan, after: &Plan) -> Vec<String> {
    let mut changes = Vec::new();
    for item in &after.items {
        match before
            .items
            .iter()
            .find(|b| b.intervention == item.intervention)
        {
            None => changes.push(format!("added {} from {}", item.intervention, item.start)),
            Some(b) if b.start != item.start || b.provision != item.provision => {
                changes.push(format!(
                    "moved {} from {} ({}) to {} ({})",
                    item.intervention, b.start, b.provision, item.start, item.provision
                ))
            }
            Some(_) => {}
        }
    }
    for b in &before.items {
        if !after.items.iter().any(|i| i.intervention == b.intervention) {
            changes.push(format!("removed {} (was from {})", b.intervention, b.start));
        }
    }
    let gaps = |p: &Plan| -> BTreeSet<String> {
        p.gaps
            .iter()
            .map(|g| format!("{} ({})", g.need, g.reason.as_str()))
            .collect()
    };
    let (was, now) = (gaps(before), gaps(after));
    for g in now.difference(&was) {
        changes.push(format!("new gap: {g}"));
    }
    for g in was.difference(&now) {
        changes.push(format!("gap closed: {g}"));
    }
    changes
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// The plan as a whole (contract §2 and §5.8).
    Plan,
    /// An item's outcome, within 7 days of its end.
    ItemOutcome,
    /// After a new assessment with changed levels, a new offence, custody, a missing episode.
    SignificantChange,
}

impl ReviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Plan => "plan",
            ReviewKind::ItemOutcome => "item_outcome",
            ReviewKind::SignificantChange => "significant_change",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewKind> {
        [
            ReviewKind::Plan,
            ReviewKind::ItemOutcome,
            ReviewKind::SignificantChange,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Ongoing,
    Completed,
    EndedEarly,
}

/// Why an item ended early, grouped as the service reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndedEarly {
    NotEngaged,
    Moved,
    Custody,
    OrderEnded,
    NeedsMetElsewhere,
}

/// How far an item met one need: achieved (1), partly (0.5), not (0), and the need's level now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedOutcome {
    pub need: String,
    pub achieved: f64,
    pub level_after: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemOutcome {
    pub intervention: String,
    pub sessions_offered: u32,
    pub sessions_attended: u32,
    pub status: ItemStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_early: Option<EndedEarly>,
    #[serde(default)]
    pub outcomes: Vec<NeedOutcome>,
}

/// A review as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecord {
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "input::date")]
    pub reviewed_on: NaiveDate,
    #[serde(default)]
    pub items: Vec<ItemOutcome>,
    /// Progress, risk and what happens next, seen with the child and carers.
    #[serde(default)]
    pub summary: String,
}

impl ReviewRecord {
    /// The review's rules; `plan` is the plan reviewed (items and the needs they address).
    pub fn validate(&self, plan: Option<&Plan>, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.reviewed_on > today {
            errors.push("reviewed_on", "is in the future");
        }
        check_free_text("summary", &self.summary, false, &mut errors);
        let mut seen = BTreeSet::new();
        for (k, item) in self.items.iter().enumerate() {
            let here = format!("items[{k}]");
            let planned =
                plan.and_then(|p| p.items.iter().find(|i| i.intervention == item.intervention));
            if planned.is_none() {
                errors.push(
                    format!("{here}.intervention"),
                    format!("'{}' is not an item of the plan", item.intervention),
                );
            }
            if !seen.insert(item.intervention.as_str()) {
                errors.push(format!("{here}.intervention"), "listed twice");
            }
            if item.sessions_attended > item.sessions_offered {
                errors.push(
                    format!("{here}.sessions_attended"),
                    "more than the sessions offered",
                );
            }
            match (item.status, item.ended_early) {
                (ItemStatus::EndedEarly, None) => errors.push(
                    format!("{here}.ended_early"),
                    "say why it ended early (not_engaged, moved, custody, order_ended, needs_met_elsewhere)",
                ),
                (ItemStatus::Ongoing | ItemStatus::Completed, Some(_)) => errors.push(
                    format!("{here}.ended_early"),
                    "only an item that ended early has a reason for it",
                ),
                _ => {}
            }
            for (j, o) in item.outcomes.iter().enumerate() {
                let at = format!("{here}.outcomes[{j}]");
                if ![0.0, 0.5, 1.0].contains(&o.achieved) {
                    errors.push(
                        format!("{at}.achieved"),
                        "1 (achieved), 0.5 (partly) or 0 (not)",
                    );
                }
                if let Some(p) = planned
                    && !p.addresses.contains(&o.need)
                {
                    errors.push(
                        format!("{at}.need"),
                        format!("the item was not planned to meet '{}'", o.need),
                    );
                }
            }
        }
        errors.into_result(())
    }
}
