//! What a court may impose on a child (Sentencing Act 2020): the disposals a pre-sentence
//! proposal can recommend, the terms of each youth rehabilitation order requirement, and the
//! statutory limits a proposed package must keep (docs/proposals.md, "Statutory limits").
//! A package that breaks a limit is refused with the rule named.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::levels::Requirement;
use super::problem::Order;
use super::validation::FieldErrors;
use crate::domain::OrderType;

/// Where the limits come from, named in every refusal.
const SOURCE: &str = "Sentencing Act 2020, Schedule 6";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    ReferralOrder,
    YouthRehabilitationOrder,
}

impl Disposal {
    pub fn order_type(self) -> OrderType {
        match self {
            Disposal::ReferralOrder => OrderType::ReferralOrder,
            Disposal::YouthRehabilitationOrder => OrderType::YouthRehabilitationOrder,
        }
    }

    pub fn label(self) -> &'static str {
        self.order_type().label()
    }
}

/// One requirement of a proposed youth rehabilitation order with its terms. Which terms a
/// requirement takes: activity `days`; unpaid work and attendance centre `hours`; curfew
/// `hours_per_day` and `months`; exclusion and fostering `months`. Others take none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementTerms {
    pub requirement: Requirement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
}

impl RequirementTerms {
    pub fn bare(requirement: Requirement) -> RequirementTerms {
        RequirementTerms {
            requirement,
            days: None,
            hours: None,
            hours_per_day: None,
            months: None,
        }
    }

    /// "an activity requirement (60 days)", "a curfew requirement (8 hours a day for 3 months)".
    pub fn describe(&self) -> String {
        let mut terms = Vec::new();
        if let Some(d) = self.days {
            terms.push(count(d, "day"));
        }
        if let Some(h) = self.hours {
            terms.push(count(h, "hour"));
        }
        match (self.hours_per_day, self.months) {
            (Some(h), Some(m)) => terms.push(format!(
                "{} a day for {}",
                count(h, "hour"),
                count(m, "month")
            )),
            (Some(h), None) => terms.push(format!("{} a day", count(h, "hour"))),
            (None, Some(m)) => terms.push(count(m, "month")),
            (None, None) => {}
        }
        let name =
            super::levels::with_article(&format!("{} requirement", self.requirement.label()));
        if terms.is_empty() {
            name
        } else {
            format!("{name} ({})", terms.join(", "))
        }
    }
}

fn count(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A package the court could impose: the disposal, its length and (youth rehabilitation
/// order) its requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageRequest {
    pub disposal: Disposal,
    /// Length of the order; absent: the length of the proposed order on the child's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// Youth rehabilitation orders only; at least one.
    #[serde(default)]
    pub requirements: Vec<RequirementTerms>,
    /// Why, but for this order, the offence would merit custody: required with intensive
    /// supervision and surveillance or fostering.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub custody_threshold: String,
}

/// The compulsory referral conditions as the case manager has checked them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralConditions {
    /// The offence is punishable with imprisonment.
    pub imprisonable: bool,
    /// The child pleaded guilty to it and to any connected offence.
    pub pleaded_guilty: bool,
    /// The child has no previous conviction (and has not been bound over).
    pub first_conviction: bool,
}

impl ReferralConditions {
    /// All three hold: the court must make a referral order unless it is considering custody,
    /// a hospital order or an absolute discharge.
    pub fn compulsory(self) -> bool {
        self.imprisonable && self.pleaded_guilty && self.first_conviction
    }

    /// The conditions in words for the court.
    pub fn statement(this: Option<ReferralConditions>) -> String {
        match this {
            None => "The compulsory referral conditions (an imprisonable offence, a guilty plea \
                     to it and any connected offence, no previous conviction) have not been \
                     recorded: where they are met, the court must make a referral order unless \
                     it is considering custody, a hospital order or an absolute discharge."
                .into(),
            Some(c) if c.compulsory() => "The compulsory referral conditions are met (an \
                     imprisonable offence, a guilty plea to it and any connected offence, no \
                     previous conviction): unless the court is considering custody, a hospital \
                     order or an absolute discharge, it must make a referral order."
                .into(),
            Some(c) if !c.pleaded_guilty => "The child did not plead guilty: a referral order \
                     is not available."
                .into(),
            Some(c) => {
                let mut why = Vec::new();
                if !c.imprisonable {
                    why.push("the offence is not imprisonable");
                }
                if !c.first_conviction {
                    why.push("the child has a previous conviction");
                }
                format!(
                    "The compulsory referral conditions are not met ({}): a referral order is \
                     available at the court's discretion.",
                    why.join(", ")
                )
            }
        }
    }
}

/// The child as the limits see them: age on the day of conviction, and the day they turn 18.
#[derive(Debug, Clone, Copy)]
pub struct Sentenced {
    pub age_at_conviction: i64,
    pub eighteenth_birthday: Option<NaiveDate>,
}

impl Sentenced {
    pub fn of(date_of_birth: NaiveDate, convicted_on: NaiveDate) -> Sentenced {
        let mut age = i64::from(convicted_on.year() - date_of_birth.year());
        if (convicted_on.month(), convicted_on.day()) < (date_of_birth.month(), date_of_birth.day())
        {
            age -= 1;
        }
        let eighteenth_birthday = date_of_birth
            .with_year(date_of_birth.year() + 18)
            .or_else(|| NaiveDate::from_ymd_opt(date_of_birth.year() + 18, 3, 1));
        Sentenced {
            age_at_conviction: age,
            eighteenth_birthday,
        }
    }
}

/// The last day of an order of `months` from `start`.
pub fn order_end(start: NaiveDate, months: u32) -> NaiveDate {
    let end = start
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(start);
    end.pred_opt().unwrap_or(end)
}

/// Whole months from `start` to `end` (inclusive of the last day), as a court states them.
pub fn months_between(start: NaiveDate, end: NaiveDate) -> u32 {
    let next = end.succ_opt().unwrap_or(end);
    let mut months = (next.year() - start.year()) * 12 + next.month() as i32 - start.month() as i32;
    if next.day() < start.day() {
        months -= 1;
    }
    u32::try_from(months.max(0)).unwrap_or(0)
}

impl PackageRequest {
    /// The order this package would be if made on `sentenced`, for planning. A referral order
    /// runs from the signing of its contract at the initial panel, within 20 working days of
    /// sentence: it is planned from the latest day, so no work starts before the contract.
    pub fn order(&self, sentenced: NaiveDate, months: u32) -> Order {
        let start = match self.disposal {
            Disposal::ReferralOrder => crate::domain::casework::add_working_days(sentenced, 20),
            Disposal::YouthRehabilitationOrder => sentenced,
        };
        Order {
            order_type: self.disposal.order_type(),
            start,
            end: order_end(start, months),
            requirements: match self.disposal {
                Disposal::ReferralOrder => None,
                Disposal::YouthRehabilitationOrder => {
                    Some(self.requirements.iter().map(|r| r.requirement).collect())
                }
            },
            licence_start: None,
        }
    }

    /// A youth rehabilitation order with intensive supervision and surveillance.
    pub fn has_iss(&self) -> bool {
        self.has(Requirement::IntensiveSupervisionAndSurveillance)
    }

    fn has(&self, r: Requirement) -> bool {
        self.requirements.iter().any(|t| t.requirement == r)
    }

    /// Every statutory limit the package breaks, as field errors under `prefix` (e.g.
    /// `recommended`) naming the rule. `months` is the order's length.
    pub fn check(
        &self,
        prefix: &str,
        months: u32,
        child: Sentenced,
        conditions: Option<ReferralConditions>,
        errors: &mut FieldErrors,
    ) {
        let age = child.age_at_conviction;
        if !(10..=17).contains(&age) {
            errors.push(
                "convicted_on",
                format!(
                    "a youth sentence is for a child aged 10 to 17 when convicted; this child was {age}"
                ),
            );
        }
        let months_field = format!("{prefix}.months");
        match self.disposal {
            Disposal::ReferralOrder => {
                if let Some(c) = conditions
                    && !c.pleaded_guilty
                {
                    errors.push(
                        format!("{prefix}.disposal"),
                        format!("a referral order needs a guilty plea to the offence or a connected offence ({SOURCE_RO})"),
                    );
                }
                if !(3..=12).contains(&months) {
                    errors.push(
                        months_field,
                        format!(
                            "a referral order lasts 3 to 12 months ({SOURCE_RO}); {months} proposed"
                        ),
                    );
                }
                if !self.requirements.is_empty() {
                    errors.push(
                        format!("{prefix}.requirements"),
                        "a referral order has no requirements: its contract is agreed with the youth offender panel",
                    );
                }
                return;
            }
            Disposal::YouthRehabilitationOrder => {}
        }
        if !(1..=36).contains(&months) {
            errors.push(
                months_field.clone(),
                format!("a youth rehabilitation order lasts at most 3 years ({SOURCE}); {months} months proposed"),
            );
        }
        if self.requirements.is_empty() {
            errors.push(
                format!("{prefix}.requirements"),
                "a youth rehabilitation order needs at least one requirement",
            );
        }
        let iss = self.has(Requirement::IntensiveSupervisionAndSurveillance);
        if (iss || self.has(Requirement::Fostering)) && self.custody_threshold.trim().is_empty() {
            errors.push(
                format!("{prefix}.custody_threshold"),
                format!("intensive supervision and surveillance, and fostering, may only be proposed where the offence would otherwise merit custody ({SOURCE_YRO}): say why it does"),
            );
        }
        if let Some(problem) = super::input::text_problem(&self.custody_threshold) {
            errors.push(format!("{prefix}.custody_threshold"), problem);
        } else if self.custody_threshold.contains(['<', '>']) {
            errors.push(
                format!("{prefix}.custody_threshold"),
                "must not contain '<' or '>'",
            );
        }
        for (k, terms) in self.requirements.iter().enumerate() {
            let here = format!("{prefix}.requirements[{k}]");
            if self.requirements[..k]
                .iter()
                .any(|t| t.requirement == terms.requirement)
            {
                errors.push(
                    format!("{here}.requirement"),
                    format!(
                        "the {} requirement is listed twice",
                        terms.requirement.label()
                    ),
                );
            }
            check_terms(&here, terms, months, iss, child, errors);
        }
        if self.has(Requirement::ElectronicMonitoring)
            && self
                .requirements
                .iter()
                .all(|t| t.requirement == Requirement::ElectronicMonitoring)
        {
            errors.push(
                format!("{prefix}.requirements"),
                format!("electronic monitoring can only be imposed together with another requirement ({SOURCE})"),
            );
        }
        if self.has(Requirement::DrugTesting) && !self.has(Requirement::DrugTreatment) {
            errors.push(
                format!("{prefix}.requirements"),
                format!("a drug testing requirement can only be imposed with a drug treatment requirement ({SOURCE})"),
            );
        }
        if iss {
            if let Some(days) = self
                .requirements
                .iter()
                .find(|t| t.requirement == Requirement::Activity)
                .and_then(|t| t.days)
                && days <= 90
            {
                errors.push(
                    format!("{prefix}.requirements"),
                    format!("intensive supervision and surveillance needs an extended activity requirement of 91 to 180 days ({SOURCE}); {days} proposed"),
                );
            }
            if months < 6 {
                errors.push(
                    months_field,
                    format!("an order with intensive supervision and surveillance runs at least 6 months ({SOURCE}); {months} proposed"),
                );
            }
            for needed in [
                Requirement::Activity,
                Requirement::Supervision,
                Requirement::Curfew,
            ] {
                if !self.has(needed) {
                    errors.push(
                        format!("{prefix}.requirements"),
                        format!(
                            "intensive supervision and surveillance needs {} alongside it ({SOURCE})",
                            super::levels::with_article(&format!("{} requirement", needed.label()))
                        ),
                    );
                }
            }
        }
    }
}

const SOURCE_RO: &str = "Sentencing Act 2020, referral orders";
const SOURCE_YRO: &str = "Sentencing Act 2020, youth rehabilitation orders";

/// The terms each requirement takes, and their limits.
fn check_terms(
    here: &str,
    t: &RequirementTerms,
    months: u32,
    iss: bool,
    child: Sentenced,
    errors: &mut FieldErrors,
) {
    let age = child.age_at_conviction;
    let takes: &[&str] = match t.requirement {
        Requirement::Activity => &["days"],
        Requirement::UnpaidWork | Requirement::AttendanceCentre => &["hours"],
        Requirement::Curfew => &["hours_per_day", "months"],
        Requirement::Exclusion | Requirement::Fostering => &["months"],
        _ => &[],
    };
    let given = [
        ("days", t.days),
        ("hours", t.hours),
        ("hours_per_day", t.hours_per_day),
        ("months", t.months),
    ];
    for (name, value) in given {
        match (takes.contains(&name), value) {
            (true, None) => errors.push(
                format!("{here}.{name}"),
                format!(
                    "the {} requirement must state its {}",
                    t.requirement.label(),
                    name.replace('_', " ")
                ),
            ),
            (false, Some(_)) => errors.push(
                format!("{here}.{name}"),
                format!(
                    "the {} requirement takes no {}",
                    t.requirement.label(),
                    name.replace('_', " ")
                ),
            ),
            _ => {}
        }
    }
    match t.requirement {
        Requirement::Activity => {
            if let Some(days) = t.days {
                let most = if iss { 180 } else { 90 };
                if days == 0 || days > most {
                    let rule = if iss {
                        format!(
                            "an activity requirement is at most 180 days with intensive supervision and surveillance ({SOURCE})"
                        )
                    } else if days <= 180 {
                        format!(
                            "an activity requirement is at most 90 days; 91 to 180 days only with intensive supervision and surveillance ({SOURCE})"
                        )
                    } else {
                        format!("an activity requirement is at most 90 days ({SOURCE})")
                    };
                    errors.push(format!("{here}.days"), format!("{rule}; {days} proposed"));
                }
            }
        }
        Requirement::UnpaidWork => {
            if !(16..=17).contains(&age) {
                errors.push(
                    format!("{here}.requirement"),
                    format!("an unpaid work requirement is only for a child aged 16 or 17 when convicted ({SOURCE}); this child was {age}"),
                );
            }
            if let Some(h) = t.hours
                && !(40..=240).contains(&h)
            {
                errors.push(
                    format!("{here}.hours"),
                    format!("unpaid work is 40 to 240 hours, completed within 12 months ({SOURCE}); {h} proposed"),
                );
            }
        }
        Requirement::AttendanceCentre => {
            if let Some(h) = t.hours {
                let (least, most, band) = match age {
                    ..=13 => (1, 12, "under 14: at most 12 hours"),
                    14..=15 => (12, 24, "aged 14 or 15: 12 to 24 hours"),
                    _ => (12, 36, "aged 16 or 17: 12 to 36 hours"),
                };
                if !(least..=most).contains(&h) {
                    errors.push(
                        format!("{here}.hours"),
                        format!("attendance centre hours for a child {band}, at most 3 hours a day ({SOURCE}); {h} proposed for a child of {age}"),
                    );
                }
            }
        }
        Requirement::Curfew => {
            if let Some(h) = t.hours_per_day
                && !(2..=16).contains(&h)
            {
                errors.push(
                    format!("{here}.hours_per_day"),
                    format!("a curfew is 2 to 16 hours a day ({SOURCE}); {h} proposed"),
                );
            }
            if let Some(m) = t.months
                && (m == 0 || m > 12 || m > months)
            {
                errors.push(
                    format!("{here}.months"),
                    format!("a curfew runs within 12 months and within the order ({SOURCE}); {m} months proposed in a {months}-month order"),
                );
            }
        }
        Requirement::Exclusion => {
            if let Some(m) = t.months
                && (m == 0 || m > 3 || m > months)
            {
                errors.push(
                    format!("{here}.months"),
                    format!(
                        "an exclusion requirement lasts at most 3 months ({SOURCE}); {m} proposed"
                    ),
                );
            }
        }
        Requirement::Fostering => {
            if let Some(m) = t.months
                && (m == 0 || m > 12 || m > months)
            {
                errors.push(
                    format!("{here}.months"),
                    format!(
                        "a fostering requirement lasts at most 12 months ({SOURCE}); {m} proposed"
                    ),
                );
            }
        }
        _ => {}
    }
}

/// A fostering requirement must end before the child turns 18: checked against the order's
/// start, once the start is known.
pub fn check_fostering_before_18(
    prefix: &str,
    package: &PackageRequest,
    start: NaiveDate,
    child: Sentenced,
    errors: &mut FieldErrors,
) {
    for (k, t) in package.requirements.iter().enumerate() {
        if t.requirement != Requirement::Fostering {
            continue;
        }
        if let (Some(m), Some(eighteen)) = (t.months, child.eighteenth_birthday)
            && order_end(start, m) >= eighteen
        {
            errors.push(
                format!("{prefix}.requirements[{k}].months"),
                format!("a fostering requirement must end before the child turns 18 ({SOURCE}); they turn 18 on {eighteen}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(age: i64) -> Sentenced {
        Sentenced {
            age_at_conviction: age,
            eighteenth_birthday: None,
        }
    }

    fn yro(reqs: Vec<RequirementTerms>) -> PackageRequest {
        PackageRequest {
            disposal: Disposal::YouthRehabilitationOrder,
            months: None,
            requirements: reqs,
            custody_threshold: String::new(),
        }
    }

    fn terms(r: Requirement) -> RequirementTerms {
        RequirementTerms::bare(r)
    }

    fn problems(p: &PackageRequest, months: u32, age: i64) -> Vec<(String, String)> {
        let mut errors = FieldErrors::default();
        p.check("recommended", months, child(age), None, &mut errors);
        errors.0.into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn unpaid_work_is_refused_for_a_fifteen_year_old_naming_the_rule() {
        let p = yro(vec![
            terms(Requirement::Supervision),
            RequirementTerms {
                hours: Some(80),
                ..terms(Requirement::UnpaidWork)
            },
        ]);
        let found = problems(&p, 12, 15);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "recommended.requirements[1].requirement");
        assert!(
            found[0].1.contains("only for a child aged 16 or 17"),
            "{}",
            found[0].1
        );
        assert!(found[0].1.contains("this child was 15"));
        assert!(problems(&p, 12, 16).is_empty());
    }

    #[test]
    fn each_limit_names_its_rule() {
        let activity = |days| RequirementTerms {
            days: Some(days),
            ..terms(Requirement::Activity)
        };
        assert!(problems(&yro(vec![activity(90)]), 12, 15).is_empty());
        let over = problems(&yro(vec![activity(120)]), 12, 15);
        assert!(
            over[0]
                .1
                .contains("91 to 180 days only with intensive supervision")
        );
        let curfew = |h, m| RequirementTerms {
            hours_per_day: Some(h),
            months: Some(m),
            ..terms(Requirement::Curfew)
        };
        assert!(
            problems(&yro(vec![curfew(17, 3)]), 12, 15)[0]
                .1
                .contains("2 to 16 hours a day")
        );
        assert!(
            problems(&yro(vec![curfew(8, 13)]), 24, 15)[0]
                .1
                .contains("within 12 months")
        );
        let centre = |h| RequirementTerms {
            hours: Some(h),
            ..terms(Requirement::AttendanceCentre)
        };
        assert!(
            problems(&yro(vec![centre(24)]), 12, 13)[0]
                .1
                .contains("under 14: at most 12 hours")
        );
        assert!(problems(&yro(vec![centre(24)]), 12, 15).is_empty());
        assert!(problems(&yro(vec![centre(36)]), 12, 16).is_empty());
        let em = problems(&yro(vec![terms(Requirement::ElectronicMonitoring)]), 12, 15);
        assert!(
            em[0]
                .1
                .contains("only be imposed together with another requirement")
        );
        let iss = problems(
            &yro(vec![
                terms(Requirement::IntensiveSupervisionAndSurveillance),
                activity(120),
            ]),
            4,
            15,
        );
        let words: Vec<&str> = iss.iter().map(|(_, m)| m.as_str()).collect();
        assert!(
            words.iter().any(|m| m.contains("at least 6 months")),
            "{words:?}"
        );
        assert!(
            words
                .iter()
                .any(|m| m.contains("a supervision requirement alongside"))
        );
        assert!(
            words
                .iter()
                .any(|m| m.contains("a curfew requirement alongside"))
        );
        let ro = PackageRequest {
            disposal: Disposal::ReferralOrder,
            months: None,
            requirements: vec![],
            custody_threshold: String::new(),
        };
        assert!(problems(&ro, 2, 15)[0].1.contains("3 to 12 months"));
        assert!(problems(&ro, 12, 15).is_empty());
        assert!(
            problems(&yro(vec![terms(Requirement::Supervision)]), 37, 15)[0]
                .1
                .contains("at most 3 years")
        );
        let missing = problems(&yro(vec![terms(Requirement::Activity)]), 12, 15);
        assert_eq!(missing[0].0, "recommended.requirements[0].days");
    }

    #[test]
    fn order_lengths_in_months() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(order_end(d("2026-12-07"), 6), d("2027-06-06"));
        assert_eq!(months_between(d("2026-12-07"), d("2027-06-06")), 6);
        assert_eq!(months_between(d("2026-12-07"), d("2027-12-06")), 12);
    }
}
