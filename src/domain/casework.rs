//! Case records (docs/casework.md): a young person, their assessments, orders, risk plans and
//! partner decisions, and the rules each must meet. Pure: the store keeps them as documents,
//! the use cases decide who may read them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::Catalogue;
use super::input;
use super::levels::{InterventionLevel, Level, RiskLevel};
use super::problem::Order;
use super::validation::FieldErrors;

/// The young person as recorded by the case manager. `reference` is the pseudonym used
/// everywhere else (plans, bookings, audit); the name and date of birth stay in this record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildRecord {
    pub reference: String,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "input::date")]
    pub date_of_birth: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<String>,
    /// A looked-after child (in the care of the local authority).
    #[serde(default)]
    pub looked_after: bool,
    /// Has an education, health and care plan (special educational needs).
    #[serde(default)]
    pub ehcp: bool,
    #[serde(default)]
    pub gang_affiliations: Vec<String>,
    #[serde(default)]
    pub unsafe_areas: Vec<String>,
    /// Case references of children this child must be kept apart from in group work (victims,
    /// co-defendants, rivals), as rival groups are.
    #[serde(default)]
    pub non_associations: Vec<String>,
    /// The user id of the case manager who holds the case; absent: not allocated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_manager: Option<String>,
}

fn check_optional_name(field: &str, value: &Option<String>, errors: &mut FieldErrors) {
    if let Some(v) = value {
        input::check_name(field, v, errors);
    }
}

fn check_names(field: &str, list: &[String], most: usize, errors: &mut FieldErrors) {
    if list.len() > most {
        errors.push(field, format!("at most {most} entries"));
    }
    for (k, item) in list.iter().enumerate() {
        input::check_name(&format!("{field}[{k}]"), item, errors);
    }
}

fn check_text(field: &str, text: &str, required: bool, errors: &mut FieldErrors) {
    if required && text.trim().is_empty() {
        errors.push(field, "must be given");
    } else if let Some(problem) = input::text_problem(text) {
        errors.push(field, problem);
    } else if text.contains(['<', '>']) {
        // Free text is always escaped when shown; brackets are refused as well so that text
        // pasted from elsewhere cannot carry markup into a report.
        errors.push(field, "must not contain '<' or '>'");
    }
}

impl ChildRecord {
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        input::check_reference("reference", &self.reference, &mut errors);
        input::check_name("name", &self.name, &mut errors);
        if self.date_of_birth > today {
            errors.push("date_of_birth", "is in the future");
        }
        check_optional_name("gender", &self.gender, &mut errors);
        check_optional_name("ethnicity", &self.ethnicity, &mut errors);
        check_names(
            "gang_affiliations",
            &self.gang_affiliations,
            20,
            &mut errors,
        );
        check_names("unsafe_areas", &self.unsafe_areas, 50, &mut errors);
        if self.non_associations.len() > 50 {
            errors.push("non_associations", "at most 50 entries");
        }
        for (k, other) in self.non_associations.iter().enumerate() {
            let field = format!("non_associations[{k}]");
            input::check_reference(&field, other, &mut errors);
            if *other == self.reference {
                errors.push(field, "a child cannot be kept apart from themselves");
            }
        }
        if let Some(manager) = &self.case_manager {
            input::check_name("case_manager", manager, &mut errors);
        }
        errors.into_result(())
    }
}

/// One assessed need with its level and whether, for this child, it is linked to offending or
/// to the risk of harm to others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessedNeedRecord {
    pub need: String,
    pub level: Level,
    #[serde(default)]
    pub linked_to_offending: bool,
    #[serde(default)]
    pub linked_to_harm: bool,
}

/// One assessment. Assessments are never changed: a new one is recorded, numbered 1, 2, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "input::date")]
    pub assessed_on: NaiveDate,
    pub needs: Vec<AssessedNeedRecord>,
    pub likelihood_of_reoffending: Level,
    pub risk_of_serious_harm: RiskLevel,
    pub safety_and_wellbeing: RiskLevel,
    /// Absent: the level the assessment points to. A different level needs `override_reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention_level: Option<InterventionLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
    /// Hours a week the child can manage, when less than the level's (e.g. school, health).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hours_per_week: Option<f64>,
}

impl Assessment {
    pub fn validate(&self, catalogue: &Catalogue, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.assessed_on > today {
            errors.push("assessed_on", "is in the future");
        }
        if self.needs.len() > 60 {
            errors.push("needs", "at most 60 needs");
        }
        let mut seen = std::collections::BTreeSet::new();
        for (k, need) in self.needs.iter().enumerate() {
            if catalogue.need(&need.need).is_none() {
                errors.push(
                    format!("needs[{k}].need"),
                    format!("unknown need '{}'", need.need),
                );
            }
            if !seen.insert(need.need.as_str()) {
                errors.push(
                    format!("needs[{k}].need"),
                    format!("'{}' is listed twice", need.need),
                );
            }
        }
        let pointed = InterventionLevel::from_assessment(
            self.likelihood_of_reoffending,
            self.risk_of_serious_harm,
        );
        let reason = self.override_reason.as_deref().unwrap_or("");
        match self.intervention_level {
            Some(level) if level != pointed && reason.trim().is_empty() => errors.push(
                "override_reason",
                format!(
                    "the assessment points to the {} level: say why {} is chosen instead",
                    pointed.as_str(),
                    level.as_str()
                ),
            ),
            _ => check_text("override_reason", reason, false, &mut errors),
        }
        if let Some(hours) = self.max_hours_per_week
            && !(hours > 0.0 && hours <= 60.0)
        {
            errors.push("max_hours_per_week", "must be more than 0 and at most 60");
        }
        errors.into_result(())
    }

    pub fn intervention_level(&self) -> InterventionLevel {
        self.intervention_level.unwrap_or_else(|| {
            InterventionLevel::from_assessment(
                self.likelihood_of_reoffending,
                self.risk_of_serious_harm,
            )
        })
    }

    /// What changed in the levels that drive a plan, since `before` (a significant change:
    /// the plan is reviewed). Empty when nothing did.
    pub fn level_changes(&self, before: &Assessment) -> Vec<String> {
        let mut changes = Vec::new();
        if self.likelihood_of_reoffending != before.likelihood_of_reoffending {
            changes.push(format!(
                "likelihood of reoffending {} → {}",
                before.likelihood_of_reoffending.as_str(),
                self.likelihood_of_reoffending.as_str()
            ));
        }
        for (name, now, then) in [
            (
                "risk of serious harm",
                self.risk_of_serious_harm,
                before.risk_of_serious_harm,
            ),
            (
                "safety and wellbeing",
                self.safety_and_wellbeing,
                before.safety_and_wellbeing,
            ),
        ] {
            if now != then {
                changes.push(format!("{name} {} → {}", then.as_str(), now.as_str()));
            }
        }
        if self.intervention_level() != before.intervention_level() {
            changes.push(format!(
                "intervention level {} → {}",
                before.intervention_level().as_str(),
                self.intervention_level().as_str()
            ));
        }
        changes
    }
}

/// The risk management plan (risk of serious harm) with its contingency actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskManagement {
    /// Who is at risk, supervision, monitoring and control, victim safety.
    #[serde(default)]
    pub summary: String,
    /// What will be done if the risk rises (e.g. "police informed of any contact with …").
    #[serde(default)]
    pub contingency: Vec<String>,
}

/// The safety and wellbeing plan with its actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyPlan {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub actions: Vec<String>,
}

/// A child's risk management plan and safety and wellbeing plan (one record each child).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPlans {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_management: Option<RiskManagement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_and_wellbeing: Option<SafetyPlan>,
}

fn check_lines(field: &str, lines: &[String], errors: &mut FieldErrors) {
    if lines.len() > 50 {
        errors.push(field, "at most 50 entries");
    }
    for (k, line) in lines.iter().enumerate() {
        check_text(&format!("{field}[{k}]"), line, true, errors);
    }
}

impl RiskPlans {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(rmp) = &self.risk_management {
            check_text("risk_management.summary", &rmp.summary, false, &mut errors);
            check_lines("risk_management.contingency", &rmp.contingency, &mut errors);
        }
        if let Some(plan) = &self.safety_and_wellbeing {
            check_text(
                "safety_and_wellbeing.summary",
                &plan.summary,
                false,
                &mut errors,
            );
            check_lines("safety_and_wellbeing.actions", &plan.actions, &mut errors);
        }
        errors.into_result(())
    }

    pub fn contingency(&self) -> Vec<String> {
        self.risk_management
            .as_ref()
            .map(|r| r.contingency.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The agency bars the child from an intervention (police barring a child from the
    /// vehicle-crime project): while active, the intervention is excluded from every plan.
    BarFromIntervention,
    /// Anything else the service must know (recorded, not acted on by the planner).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeOutcome {
    Pending,
    /// The decision stands.
    Upheld,
    /// The decision was withdrawn: it no longer applies.
    Overturned,
}

/// A partner agency's decision about the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerDecision {
    pub agency: String,
    pub decision: DecisionKind,
    /// The intervention barred (for `bar_from_intervention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<String>,
    pub reason: String,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "input::date")]
    pub decided_on: NaiveDate,
    /// Who in the service agreed to it (or noted it).
    pub agreed_by: String,
    #[serde(default)]
    pub challenged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_outcome: Option<ChallengeOutcome>,
    /// The last day it applies; absent: until withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(deserialize_with = "input::optional_date")]
    pub ends_on: Option<NaiveDate>,
}

impl PartnerDecision {
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        input::check_name("agency", &self.agency, &mut errors);
        input::check_name("agreed_by", &self.agreed_by, &mut errors);
        check_text("reason", &self.reason, true, &mut errors);
        match (&self.decision, &self.intervention) {
            (DecisionKind::BarFromIntervention, None) => {
                errors.push("intervention", "a bar must name the intervention it bars")
            }
            (_, Some(id)) if catalogue.intervention(id).is_none() => {
                errors.push("intervention", format!("unknown intervention '{id}'"))
            }
            _ => {}
        }
        if self.challenge_outcome.is_some() && !self.challenged {
            errors.push(
                "challenge_outcome",
                "only a challenged decision has a challenge outcome",
            );
        }
        if let Some(end) = self.ends_on
            && end < self.decided_on
        {
            errors.push("ends_on", "is before decided_on");
        }
        errors.into_result(())
    }

    /// The intervention this decision bars on `day`, if it is a bar in force then.
    pub fn bars_on(&self, day: NaiveDate) -> Option<&str> {
        let in_force = self.decision == DecisionKind::BarFromIntervention
            && self.decided_on <= day
            && self.ends_on.is_none_or(|end| day <= end)
            && self.challenge_outcome != Some(ChallengeOutcome::Overturned);
        if in_force {
            self.intervention.as_deref()
        } else {
            None
        }
    }
}

/// An order as recorded: the planning contract's order (§5.1) and what it was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRecord {
    #[serde(flatten)]
    pub order: Order,
    /// The offence or offences, in a few words.
    #[serde(default)]
    pub offence: String,
}

impl OrderRecord {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        super::problem::validate_order(&self.order, "", &mut errors);
        check_text("offence", &self.offence, false, &mut errors);
        errors.into_result(())
    }
}

/// A significant change in the child's life: the plan is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    NewOffence,
    Custody,
    MissingEpisode,
}

impl EventKind {
    pub fn label(self) -> &'static str {
        match self {
            EventKind::NewOffence => "a new offence",
            EventKind::Custody => "custody",
            EventKind::MissingEpisode => "a missing episode",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseEvent {
    pub kind: EventKind,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "input::date")]
    pub occurred_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

impl CaseEvent {
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.occurred_on > today {
            errors.push("occurred_on", "is in the future");
        }
        check_text("note", &self.note, false, &mut errors);
        errors.into_result(())
    }
}

/// Working days (Monday to Friday) after `day`: `add_working_days(Fri, 1)` is the Monday.
pub fn add_working_days(day: NaiveDate, days: u32) -> NaiveDate {
    use chrono::Datelike;
    let mut d = day;
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if d.weekday().num_days_from_monday() < 5 {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 4 December 2026 + 1 working day is Monday 7 December.
        assert_eq!(add_working_days(day("2026-12-04"), 1), day("2026-12-07"));
        assert_eq!(add_working_days(day("2026-12-07"), 15), day("2026-12-28"));
    }

    #[test]
    fn an_overturned_or_ended_bar_no_longer_bars() {
        let mut bar = PartnerDecision {
            agency: "Police".into(),
            decision: DecisionKind::BarFromIntervention,
            intervention: Some("motor-project".into()),
            reason: "intelligence".into(),
            decided_on: day("2026-11-01"),
            agreed_by: "Team manager".into(),
            challenged: false,
            challenge_outcome: None,
            ends_on: None,
        };
        assert_eq!(bar.bars_on(day("2026-12-01")), Some("motor-project"));
        assert_eq!(bar.bars_on(day("2026-10-01")), None);
        bar.challenged = true;
        bar.challenge_outcome = Some(ChallengeOutcome::Upheld);
        assert_eq!(bar.bars_on(day("2026-12-01")), Some("motor-project"));
        bar.challenge_outcome = Some(ChallengeOutcome::Overturned);
        assert_eq!(bar.bars_on(day("2026-12-01")), None);
        bar.challenge_outcome = None;
        bar.ends_on = Some(day("2026-11-30"));
        assert_eq!(bar.bars_on(day("2026-12-01")), None);
    }
}
