//! A planning problem for one young person and a caseload (docs/planning.md §1).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::Catalogue;
use super::input;
use super::levels::{DeliveredUnder, InterventionLevel, Level, OrderType, Requirement, RiskLevel};
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
    /// Whether the service has challenged the decision (added field); absent: not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenged: Option<bool>,
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
    #[serde(deserialize_with = "crate::domain::input::date")]
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
    /// Absent: the level the assessment points to (see `InterventionLevel::from_assessment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention_level: Option<InterventionLevel>,
    /// Absent: the default for the intervention level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_items: Option<i64>,
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

    pub fn intervention_level(&self) -> InterventionLevel {
        self.intervention_level.unwrap_or_else(|| {
            InterventionLevel::from_assessment(
                self.likelihood_of_reoffending,
                self.risk_of_serious_harm,
            )
        })
    }

    /// The day the young person turns `years` (29 February birthdays fall on 1 March).
    pub fn birthday(&self, years: i32) -> Option<NaiveDate> {
        let dob = self.date_of_birth;
        dob.with_year(dob.year() + years)
            .or_else(|| NaiveDate::from_ymd_opt(dob.year() + years, 3, 1))
    }

    pub fn has_contingency_plan(&self) -> bool {
        self.risk_management_plan
            .as_ref()
            .is_some_and(|p| p.contingency.iter().any(|c| !c.trim().is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    #[serde(rename = "type")]
    pub order_type: OrderType,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::date")]
    pub start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::date")]
    pub end: NaiveDate,
    /// Youth rehabilitation orders: the requirements imposed; absent: every requirement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<Vec<Requirement>>,
    /// Detention and training orders: the first day of the licence (community) part; absent:
    /// halfway from `start` to `end`, rounded down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::optional_date")]
    pub licence_start: Option<NaiveDate>,
}

impl Order {
    /// Whether work delivered under `under` is permitted by this order.
    pub fn permits(&self, under: DeliveredUnder) -> bool {
        match self.order_type {
            t if t.is_out_of_court() => under == DeliveredUnder::OutOfCourt,
            OrderType::ReferralOrder => under == DeliveredUnder::ReferralOrder,
            OrderType::DetentionAndTrainingOrder => under == DeliveredUnder::DtoLicence,
            OrderType::YouthRehabilitationOrder => match under {
                DeliveredUnder::Yro(r) => self
                    .requirements
                    .as_ref()
                    .is_none_or(|imposed| imposed.contains(&r)),
                _ => false,
            },
            _ => matches!(
                under,
                DeliveredUnder::ReferralOrder | DeliveredUnder::Yro(_)
            ),
        }
    }

    /// "youth rehabilitation order with supervision and activity requirements", "referral
    /// order".
    pub fn describe(&self) -> String {
        let mut words = self.order_type.label().to_string();
        if let Some(reqs) = &self.requirements {
            let names: Vec<String> = reqs.iter().map(|r| r.label()).collect();
            let listed = match names.as_slice() {
                [] => String::new(),
                [one] => one.clone(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
            };
            let noun = if names.len() == 1 {
                "requirement"
            } else {
                "requirements"
            };
            words.push_str(&format!(" with {listed} {noun}"));
        }
        words
    }

    /// The first day community work can start: the licence start of a detention and training
    /// order (the custodial part is planned by the secure estate), otherwise the order start.
    pub fn community_start(&self) -> NaiveDate {
        if self.order_type != OrderType::DetentionAndTrainingOrder {
            return self.start;
        }
        self.licence_start.unwrap_or_else(|| {
            self.start + chrono::Duration::days((self.end - self.start).num_days() / 2)
        })
    }
}

/// What a plan item names as its source when the case manager delivers it.
pub const CASE_MANAGER: &str = "case_manager";

/// An item kept as it is when replanning (added field `keep`): it has started, or the case
/// manager pinned it. `provision` is the provision id, or `case_manager`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeptItem {
    pub intervention: String,
    pub provision: String,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::date")]
    pub start: NaiveDate,
}

/// The planning document for one young person. `catalogue` and `provision` may be left out,
/// in which case the service fills them from the store before planning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanningProblem {
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::date")]
    pub as_of: NaiveDate,
    pub young_person: YoungPerson,
    pub order: Order,
    #[serde(default)]
    pub rivalries: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<Catalogue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Vec<Provision>>,
    /// Items planned as they are (added field): see `KeptItem`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<KeptItem>,
}

/// The groups that members of `own` groups must not share a group cohort with: every group
/// named opposite one of them in `rivalries`. The one rival-group rule of the service.
pub fn rivals_of(own: &[String], rivalries: &[(String, String)]) -> BTreeSet<String> {
    let mut rivals = BTreeSet::new();
    for (a, b) in rivalries {
        if own.contains(a) {
            rivals.insert(b.clone());
        }
        if own.contains(b) {
            rivals.insert(a.clone());
        }
    }
    rivals
}

/// A case within a caseload document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub young_person: YoungPerson,
    pub order: Order,
}

/// Many young people sharing the same places (docs/planning.md §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Caseload {
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::date")]
    pub as_of: NaiveDate,
    #[serde(default)]
    pub rivalries: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<Catalogue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Vec<Provision>>,
    pub cases: Vec<Case>,
}

/// A planning document that has passed every rule: its catalogue and provision are there. The
/// planner plans only these.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidProblem {
    pub as_of: NaiveDate,
    pub young_person: YoungPerson,
    pub order: Order,
    pub rivalries: Vec<(String, String)>,
    pub catalogue: Catalogue,
    pub provision: Vec<Provision>,
    pub keep: Vec<KeptItem>,
}

impl PlanningProblem {
    /// The document, once it meets every rule (all problems reported at once). The catalogue
    /// and provision must have been filled in by now.
    pub fn validated(&self) -> Result<ValidProblem, FieldErrors> {
        self.validate()?;
        Ok(ValidProblem {
            as_of: self.as_of,
            young_person: self.young_person.clone(),
            order: self.order.clone(),
            rivalries: self.rivalries.clone(),
            catalogue: self.catalogue.clone().unwrap_or_default(),
            provision: self.provision.clone().unwrap_or_default(),
            keep: self.keep.clone(),
        })
    }

    /// Every rule a document must meet before planning, all reported at once.
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
        let provision = self.provision.as_deref().unwrap_or_default();
        validate_provision(provision, catalogue, &mut errors);
        validate_keep(&self.keep, &self.order, catalogue, provision, &mut errors);
        errors.into_result(())
    }
}

/// Each kept item names a known intervention, a source of it, and a start within the order.
fn validate_keep(
    keep: &[KeptItem],
    order: &Order,
    catalogue: &Catalogue,
    provision: &[Provision],
    errors: &mut FieldErrors,
) {
    if keep.len() > 30 {
        errors.push("keep", "at most 30 kept items");
    }
    let mut seen = BTreeSet::new();
    for (k, item) in keep.iter().enumerate() {
        let here = format!("keep[{k}]");
        let Some(iv) = catalogue.intervention(&item.intervention) else {
            errors.push(
                format!("{here}.intervention"),
                format!("unknown intervention '{}'", item.intervention),
            );
            continue;
        };
        if !seen.insert(item.intervention.as_str()) {
            errors.push(
                format!("{here}.intervention"),
                "an intervention can be kept once",
            );
        }
        let source_ok = if item.provision == CASE_MANAGER {
            iv.by_case_manager()
        } else {
            provision
                .iter()
                .any(|p| p.id == item.provision && p.intervention == item.intervention)
        };
        if !source_ok {
            errors.push(
                format!("{here}.provision"),
                format!(
                    "'{}' does not provide '{}'",
                    item.provision, item.intervention
                ),
            );
        }
        if item.start < order.start || item.start > order.end {
            errors.push(
                format!("{here}.start"),
                format!(
                    "{} is outside the order ({} to {})",
                    item.start, order.start, order.end
                ),
            );
        }
    }
}

impl Caseload {
    /// Case `k` as a planning document of its own, with the caseload's catalogue, provision
    /// and rivalries.
    pub fn problem_for(&self, k: usize) -> PlanningProblem {
        let case = &self.cases[k];
        PlanningProblem {
            as_of: self.as_of,
            young_person: case.young_person.clone(),
            order: case.order.clone(),
            rivalries: self.rivalries.clone(),
            catalogue: self.catalogue.clone(),
            provision: Some(self.provision.clone().unwrap_or_default()),
            keep: Vec::new(),
        }
    }

    /// Each case as a valid planning document of its own, with the caseload's catalogue,
    /// provision and rivalries, once the caseload meets every rule.
    pub fn validated(&self) -> Result<Vec<ValidProblem>, FieldErrors> {
        self.validate()?;
        let catalogue = self.catalogue.clone().unwrap_or_default();
        let provision = self.provision.clone().unwrap_or_default();
        Ok(self
            .cases
            .iter()
            .map(|case| ValidProblem {
                as_of: self.as_of,
                young_person: case.young_person.clone(),
                order: case.order.clone(),
                rivalries: self.rivalries.clone(),
                catalogue: catalogue.clone(),
                provision: provision.clone(),
                keep: Vec::new(),
            })
            .collect())
    }

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
    input::check_reference(&format!("{yp}.reference"), &person.reference, errors);
    for (name, list) in [
        ("gang_affiliations", &person.gang_affiliations),
        ("unsafe_areas", &person.unsafe_areas),
    ] {
        if list.len() > 50 {
            errors.push(format!("{yp}.{name}"), "at most 50 entries");
        }
        for (k, item) in list.iter().enumerate() {
            input::check_name(&format!("{yp}.{name}[{k}]"), item, errors);
        }
    }
    if person.date_of_birth > as_of {
        errors.push(
            format!("{yp}.date_of_birth"),
            format!("{} is after as_of {as_of}", person.date_of_birth),
        );
    }
    if person.age_on(order.start) < 10 {
        errors.push(
            format!("{yp}.date_of_birth"),
            format!(
                "the young person is under 10 on the order's start ({}): below the age of criminal responsibility",
                order.start
            ),
        );
    }
    if let Some(items) = person.max_concurrent_items
        && !(1..=20).contains(&items)
    {
        errors.push(format!("{yp}.max_concurrent_items"), "must be 1 to 20");
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
    validate_order(order, prefix, errors);
}

/// The order on its own: its dates, its licence, its requirements, its length.
pub fn validate_order(order: &Order, prefix: &str, errors: &mut FieldErrors) {
    if order.end < order.start {
        errors.push(
            format!("{prefix}order.end"),
            format!(
                "the order ends ({}) before it starts ({})",
                order.end, order.start
            ),
        );
    }
    if let Some(licence) = order.licence_start {
        if order.order_type != OrderType::DetentionAndTrainingOrder {
            errors.push(
                format!("{prefix}order.licence_start"),
                "only a detention and training order has a licence",
            );
        } else if licence < order.start || licence > order.end {
            errors.push(
                format!("{prefix}order.licence_start"),
                format!(
                    "{licence} is outside the order ({} to {})",
                    order.start, order.end
                ),
            );
        }
    }
    if order.requirements.is_some()
        && !matches!(
            order.order_type,
            OrderType::YouthRehabilitationOrder | OrderType::Proposed
        )
    {
        errors.push(
            format!("{prefix}order.requirements"),
            "only a youth rehabilitation order (or a proposed one) has requirements",
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
        let mut names = FieldErrors::default();
        input::check_name(&format!("rivalries[{k}]"), a, &mut names);
        input::check_name(&format!("rivalries[{k}]"), b, &mut names);
        if let Some(first) = names.0.into_iter().next() {
            errors.0.push(first);
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
