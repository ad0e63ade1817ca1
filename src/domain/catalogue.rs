//! The catalogue: assessed need areas and the interventions that address them (docs/planning.md §2).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::levels::{DeliveredUnder, Evidence, Format, RiskLevel};
use super::problem::Order;
use super::validation::FieldErrors;

/// An assessed need area (AssetPlus), e.g. weapon carrying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Need {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Linked to offending: risk-need-responsivity puts these first.
    pub offending_related: bool,
    #[serde(default)]
    pub harm_related: bool,
    /// When a young person has this need at medium or above and an assessment of it is planned,
    /// everything else waits for that assessment (e.g. speech, language and communication).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assess_first: bool,
}

/// The planning fields of an intervention: everything the planner reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Intervention {
    pub id: String,
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub addresses: Vec<String>,
    pub offending_focused: bool,
    pub format: Format,
    pub sessions: i64,
    pub sessions_per_week: i64,
    pub hours_per_session: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub evidence: Evidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_risk_of_serious_harm: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genders: Option<Vec<String>>,
    /// The orders it can be delivered under; absent: every order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_under: Option<Vec<DeliveredUnder>>,
    /// An assessment informs work on a need but never meets it.
    #[serde(default, skip_serializing_if = "InterventionKind::is_default")]
    pub kind: InterventionKind,
    /// Who delivers it: a provision record, or the child's own case manager.
    #[serde(default, skip_serializing_if = "DeliveredBy::is_default")]
    pub delivered_by: DeliveredBy,
    /// The child keeps it after the order ends (health, education): it may end after the
    /// order, but starts at least 14 days before its end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continues_after_order: bool,

    // Details a case manager needs; optional in planning documents, required in the catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<ProviderType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator_training_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderType {
    Yos,
    Health,
    Police,
    Education,
    Voluntary,
    SocialCare,
    LocalAuthority,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    #[default]
    Intervention,
    Assessment,
}

impl InterventionKind {
    fn is_default(&self) -> bool {
        *self == InterventionKind::Intervention
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveredBy {
    #[default]
    Provision,
    CaseManager,
}

impl DeliveredBy {
    fn is_default(&self) -> bool {
        *self == DeliveredBy::Provision
    }
}

/// How to refer: the inspection found staff unsure how to refer to CAMHS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Referral {
    pub how: String,
    pub to: String,
    pub criteria: String,
    pub usual_wait_days: i64,
}

impl Intervention {
    /// Duration in weeks: `ceil(sessions / sessions_per_week)`.
    pub fn weeks(&self) -> i64 {
        (self.sessions + self.sessions_per_week - 1) / self.sessions_per_week
    }

    pub fn weekly_hours(&self) -> f64 {
        self.hours_per_session * self.sessions_per_week as f64
    }

    pub fn total_hours(&self) -> f64 {
        self.hours_per_session * self.sessions as f64
    }

    pub fn is_assessment(&self) -> bool {
        self.kind == InterventionKind::Assessment
    }

    pub fn by_case_manager(&self) -> bool {
        self.delivered_by == DeliveredBy::CaseManager
    }

    /// Whether the order permits it: `delivered_under` absent, or holding what the order needs
    /// (see the README, "Rules of practice").
    pub fn permitted_under(&self, order: &Order) -> bool {
        let Some(under) = &self.delivered_under else {
            return true;
        };
        under.iter().any(|d| order.permits(*d))
    }
}

/// The catalogue categories this service knows. Documents sent to the planner may carry others;
/// catalogue files and API writes must use one of these.
pub const CATEGORIES: &[&str] = &[
    "gang_exit",
    "knife_crime",
    "emotional_health",
    "vehicle_crime",
    "reparation",
    "substance_misuse",
    "violence",
    "speech_language",
    "ete",
    "family",
    "victim_awareness",
    "motivation",
    "mentoring",
    "harmful_sexual_behaviour",
    "exploitation",
    "parenting",
    "accommodation",
    "thinking_skills",
    "health",
    "neurodiversity",
    "lifestyle",
    "resilience",
    "diversion",
    "supervision",
    "resettlement",
    "safeguarding",
    "extremism",
];

/// A catalogue as documents carry it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Catalogue {
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub interventions: Vec<Intervention>,
}

impl Catalogue {
    pub fn need(&self, id: &str) -> Option<&Need> {
        self.needs.iter().find(|n| n.id == id)
    }

    pub fn intervention(&self, id: &str) -> Option<&Intervention> {
        self.interventions.iter().find(|i| i.id == id)
    }

    /// Checks the catalogue's own consistency; `prefix` is the field path of the catalogue in
    /// the enclosing document (for example `catalogue`).
    pub fn validate(&self, prefix: &str, errors: &mut FieldErrors) {
        let mut need_ids = BTreeSet::new();
        for (k, need) in self.needs.iter().enumerate() {
            let field = format!("{prefix}.needs[{k}].id");
            if !is_identifier(&need.id, '_') {
                errors.push(&field, "must be lowercase letters, digits and underscores");
            }
            if !need_ids.insert(need.id.as_str()) {
                errors.push(&field, format!("duplicate need id '{}'", need.id));
            }
        }
        let mut ids = BTreeSet::new();
        for (k, iv) in self.interventions.iter().enumerate() {
            let here = format!("{prefix}.interventions[{k}]");
            if !ids.insert(iv.id.as_str()) {
                errors.push(
                    format!("{here}.id"),
                    format!("duplicate intervention id '{}'", iv.id),
                );
            }
        }
        for (k, iv) in self.interventions.iter().enumerate() {
            let here = format!("{prefix}.interventions[{k}]");
            iv.validate_fields(&here, errors);
            for (a, need) in iv.addresses.iter().enumerate() {
                if !need_ids.contains(need.as_str()) {
                    errors.push(
                        format!("{here}.addresses[{a}]"),
                        format!("unknown need '{need}'"),
                    );
                }
            }
            for (r, req) in iv.requires.iter().enumerate() {
                if !ids.contains(req.as_str()) {
                    errors.push(
                        format!("{here}.requires[{r}]"),
                        format!("unknown intervention '{req}'"),
                    );
                }
            }
        }
        for cycle_member in prerequisite_cycles(&self.interventions) {
            let k = self
                .interventions
                .iter()
                .position(|i| i.id == cycle_member)
                .unwrap_or(0);
            errors.push(
                format!("{prefix}.interventions[{k}].requires"),
                format!("'{cycle_member}' is part of a prerequisite cycle"),
            );
        }
    }
}

impl Intervention {
    /// Checks the fields of one entry that need no other entry to judge.
    pub fn validate_fields(&self, here: &str, errors: &mut FieldErrors) {
        if !is_identifier(&self.id, '-') {
            errors.push(
                format!("{here}.id"),
                "must be lowercase letters, digits and hyphens",
            );
        }
        super::input::check_name(&format!("{here}.name"), &self.name, errors);
        if !is_identifier(&self.category, '_') {
            errors.push(
                format!("{here}.category"),
                "must be lowercase letters and underscores",
            );
        }
        if !(1..=500).contains(&self.sessions) {
            errors.push(format!("{here}.sessions"), "must be 1 to 500");
        }
        if !(1..=21).contains(&self.sessions_per_week) {
            errors.push(format!("{here}.sessions_per_week"), "must be 1 to 21");
        }
        if !(self.hours_per_session > 0.0 && self.hours_per_session <= 12.0) {
            errors.push(
                format!("{here}.hours_per_session"),
                "must be more than 0 and at most 12",
            );
        }
        for (field, age) in [("min_age", self.min_age), ("max_age", self.max_age)] {
            if let Some(age) = age
                && !(0..=25).contains(&age)
            {
                errors.push(format!("{here}.{field}"), "must be between 0 and 25");
            }
        }
        if let (Some(min), Some(max)) = (self.min_age, self.max_age)
            && min > max
        {
            errors.push(
                format!("{here}.min_age"),
                format!("min_age {min} is above max_age {max}"),
            );
        }
        if self.requires.iter().any(|r| r == &self.id) {
            errors.push(
                format!("{here}.requires"),
                "an intervention cannot require itself",
            );
        }
        if let Some(under) = &self.delivered_under
            && under.is_empty()
        {
            errors.push(
                format!("{here}.delivered_under"),
                "leave out for every order, or list at least one",
            );
        }
        if let Some(genders) = &self.genders
            && genders.is_empty()
        {
            errors.push(
                format!("{here}.genders"),
                "leave out for everyone, or list at least one",
            );
        }
    }

    /// A catalogue entry (file or API write) also needs its descriptive fields and a known
    /// category.
    pub fn validate_catalogue_entry(&self, here: &str, errors: &mut FieldErrors) {
        self.validate_fields(here, errors);
        if !CATEGORIES.contains(&self.category.as_str()) {
            errors.push(
                format!("{here}.category"),
                format!(
                    "unknown category '{}'; expected one of {}",
                    self.category,
                    CATEGORIES.join(", ")
                ),
            );
        }
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|d| d.trim().is_empty());
        let mut missing = Vec::new();
        if blank(&self.description) {
            missing.push("description");
        }
        if blank(&self.evidence_source) {
            missing.push("evidence_source");
        }
        if self.provider_type.is_none() {
            missing.push("provider_type");
        }
        if self.facilitator_training_required.is_none() {
            missing.push("facilitator_training_required");
        }
        if self.referral.is_none() {
            missing.push("referral");
        }
        for field in missing {
            errors.push(format!("{here}.{field}"), "required in a catalogue entry");
        }
        if let Some(r) = &self.referral {
            for (field, value) in [("how", &r.how), ("to", &r.to), ("criteria", &r.criteria)] {
                if value.trim().is_empty() {
                    errors.push(format!("{here}.referral.{field}"), "must not be empty");
                }
            }
            if !(0..=365).contains(&r.usual_wait_days) {
                errors.push(
                    format!("{here}.referral.usual_wait_days"),
                    "must be 0 to 365",
                );
            }
        }
    }
}

/// Ids of interventions that sit on a prerequisite cycle, sorted.
pub fn prerequisite_cycles(interventions: &[Intervention]) -> Vec<String> {
    let graph: HashMap<&str, Vec<&str>> = interventions
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.requires.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    // Kahn's algorithm on the reversed graph: what cannot be peeled off lies on or behind a cycle;
    // keep only the nodes that reach themselves.
    let mut on_cycle = BTreeSet::new();
    for &start in graph.keys() {
        let mut stack: Vec<&str> = graph[start].clone();
        let mut seen = BTreeSet::new();
        while let Some(node) = stack.pop() {
            if node == start {
                on_cycle.insert(start.to_string());
                break;
            }
            if seen.insert(node)
                && let Some(next) = graph.get(node)
            {
                stack.extend(next.iter().copied());
            }
        }
    }
    on_cycle.into_iter().collect()
}

pub fn is_identifier(s: &str, separator: char) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == separator)
}
