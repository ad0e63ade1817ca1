//! A planning problem for one young person (CONTRACT §1.1) and a caseload (§1.4).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::Catalogue;
use super::levels::{Level, OrderType, RiskLevel};
use super::provision::Provision;
use super::validation::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssessedNeed {
    pub need: String,
    pub level: Level,
}

/// A partner agency's decision that the young person must not attend an intervention
/// (the inspection: police barring a child from the vehicle-crime project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Exclusion {
    pub intervention: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RiskManagementPlan {
    #[serde(default)]
    pub contingency: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct YoungPerson {
    /// A pseudonymous case reference, never a name.
    pub reference: String,
    #[schema(value_type = String, format = Date)]
    pub date_of_birth: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    pub needs: Vec<AssessedNeed>,
    pub likelihood_of_reoffending: Level,
    pub risk_of_serious_harm: RiskLevel,
    pub safety_and_wellbeing: RiskLevel,
    #[serde(default)]
    pub gang_affiliations: Vec<String>,
    #[serde(default)]
    pub unsafe_areas: Vec<String>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hours_per_week: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_management_plan: Option<RiskManagementPlan>,
}

impl YoungPerson {
    /// Age in whole years on `day`.
    pub fn age_on(&self, day: NaiveDate) -> i64 {
        let dob = self.date_of_birth;
        let mut age = i64::from(day.year() - dob.year());
        if (day.month(), day.day()) < (dob.month(), dob.day()) {
            age -= 1;
        }
        age
    }

    pub fn has_contingency_plan(&self) -> bool {
        self.risk_management_plan
            .as_ref()
            .is_some_and(|p| p.contingency.iter().any(|c| !c.trim().is_empty()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    #[serde(rename = "type")]
    pub order_type: OrderType,
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end: NaiveDate,
}

/// The planning document for one young person. `catalogue` and `provision` may be left out,
/// in which case the service fills them from the store before planning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanningProblem {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub young_person: YoungPerson,
    pub order: Order,
    #[serde(default)]
    pub rivalries: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<Catalogue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Vec<Provision>>,
}

/// A case within a caseload document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub young_person: YoungPerson,
    pub order: Order,
}

/// Many young people sharing the same places (CONTRACT §1.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Caseload {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    #[serde(default)]
    pub rivalries: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<Catalogue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Vec<Provision>>,
    pub cases: Vec<Case>,
}

impl PlanningProblem {
    /// Every rule a document must meet before planning, all reported at once. The catalogue and
    /// provision must have been filled in by now.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let Some(catalogue) = &self.catalogue else {
            errors.push("catalogue", "no catalogue given and none loaded");
            return Err(errors);
        };
        catalogue.validate("catalogue", &mut errors);
        validate_case(
            &self.young_person,
            &self.order,
            self.as_of,
            catalogue,
            "",
            &mut errors,
        );
        validate_rivalries(&self.rivalries, &mut errors);
        validate_provision(
            self.provision.as_deref().unwrap_or_default(),
            catalogue,
            &mut errors,
        );
        errors.into_result(())
    }
}

impl Caseload {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let Some(catalogue) = &self.catalogue else {
            errors.push("catalogue", "no catalogue given and none loaded");
            return Err(errors);
        };
        catalogue.validate("catalogue", &mut errors);
        let mut references = BTreeSet::new();
        for (k, case) in self.cases.iter().enumerate() {
            let prefix = format!("cases[{k}].");
            validate_case(
                &case.young_person,
                &case.order,
                self.as_of,
                catalogue,
                &prefix,
                &mut errors,
            );
            if !references.insert(case.young_person.reference.as_str()) {
                errors.push(
                    format!("{prefix}young_person.reference"),
                    "listed twice in the caseload",
                );
            }
        }
        validate_rivalries(&self.rivalries, &mut errors);
        validate_provision(
            self.provision.as_deref().unwrap_or_default(),
            catalogue,
            &mut errors,
        );
        errors.into_result(())
    }
}

fn validate_case(
    person: &YoungPerson,
    order: &Order,
    as_of: NaiveDate,
    catalogue: &Catalogue,
    prefix: &str,
    errors: &mut FieldErrors,
) {
    let yp = format!("{prefix}young_person");
    let reference = person.reference.trim();
    if reference.is_empty() || reference.len() > 64 {
        errors.push(format!("{yp}.reference"), "must be 1 to 64 characters");
    }
    if person.date_of_birth > as_of {
        errors.push(
            format!("{yp}.date_of_birth"),
            format!("{} is after as_of {as_of}", person.date_of_birth),
        );
    }
    let mut seen = BTreeSet::new();
    for (k, need) in person.needs.iter().enumerate() {
        if catalogue.need(&need.need).is_none() {
            errors.push(
                format!("{yp}.needs[{k}].need"),
                format!("unknown need '{}'", need.need),
            );
        }
        if !seen.insert(need.need.as_str()) {
            errors.push(
                format!("{yp}.needs[{k}].need"),
                format!("'{}' is listed twice", need.need),
            );
        }
    }
    for (k, exclusion) in person.exclusions.iter().enumerate() {
        if catalogue.intervention(&exclusion.intervention).is_none() {
            errors.push(
                format!("{yp}.exclusions[{k}].intervention"),
                format!("unknown intervention '{}'", exclusion.intervention),
            );
        }
    }
    if let Some(hours) = person.max_hours_per_week
        && !(hours > 0.0 && hours <= 60.0)
    {
        errors.push(
            format!("{yp}.max_hours_per_week"),
            "must be more than 0 and at most 60",
        );
    }
    if order.end < order.start {
        errors.push(
            format!("{prefix}order.end"),
            format!(
                "the order ends ({}) before it starts ({})",
                order.end, order.start
            ),
        );
    }
    if (order.end - order.start).num_days() > 366 * 4 {
        errors.push(
            format!("{prefix}order.end"),
            "orders longer than four years are not planned",
        );
    }
}

fn validate_rivalries(rivalries: &[(String, String)], errors: &mut FieldErrors) {
    for (k, (a, b)) in rivalries.iter().enumerate() {
        if a.trim().is_empty() || b.trim().is_empty() {
            errors.push(format!("rivalries[{k}]"), "group names must not be empty");
        } else if a == b {
            errors.push(format!("rivalries[{k}]"), "a group cannot be its own rival");
        }
    }
}

fn validate_provision(provision: &[Provision], catalogue: &Catalogue, errors: &mut FieldErrors) {
    let mut ids = BTreeSet::new();
    for (k, p) in provision.iter().enumerate() {
        let here = format!("provision[{k}]");
        p.validate(&here, Some(catalogue), errors);
        if !ids.insert(p.id.as_str()) {
            errors.push(
                format!("{here}.id"),
                format!("duplicate provision id '{}'", p.id),
            );
        }
    }
}
