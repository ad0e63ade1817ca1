//! What a team actually provides locally: places, cohorts, areas (docs/planning.md §2).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::Catalogue;
use super::input;
use super::validation::FieldErrors;

/// Someone already holding a place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Participant {
    pub reference: String,
    #[serde(default)]
    pub gang_affiliations: Vec<String>,
    /// Fixed starts: the cohort start this participant is in. Rolling: the first day the
    /// participant holds the place; absent: already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::optional_date")]
    pub start: Option<NaiveDate>,
    /// The last day the participant holds a rolling place; absent: held throughout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(deserialize_with = "crate::domain::input::optional_date")]
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Provision {
    pub id: String,
    pub intervention: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub area: String,
    /// Cohort start dates; empty for rolling provision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    #[serde(deserialize_with = "crate::domain::input::dates")]
    pub starts: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rolling: bool,
    pub places: i64,
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// Delivered where the child is (home, school, a safe venue): unsafe areas do not block it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outreach: bool,
    /// A new referral cannot start before `as_of + wait_days`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub wait_days: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl Provision {
    /// Participants of the cohort starting on `start` (fixed starts).
    pub fn cohort_participants(&self, start: NaiveDate) -> impl Iterator<Item = &Participant> {
        let only_cohort = self.starts.len() == 1;
        self.participants
            .iter()
            .filter(move |p| p.start == Some(start) || (only_cohort && p.start.is_none()))
    }

    /// Whether a rolling participant holds the place on `day`.
    fn holds_on(p: &Participant, day: NaiveDate) -> bool {
        p.start.is_none_or(|from| from <= day) && p.until.is_none_or(|until| until >= day)
    }

    /// Participants sharing the place of a young person who would attend from `start` to `end`:
    /// the cohort starting on `start`, or, for rolling provision, everyone holding a place on
    /// any day of that span.
    pub fn participants_during(&self, start: NaiveDate, end: NaiveDate) -> Vec<&Participant> {
        if self.rolling {
            self.participants
                .iter()
                .filter(|p| {
                    p.start.is_none_or(|from| from <= end)
                        && p.until.is_none_or(|until| until >= start)
                })
                .collect()
        } else {
            self.cohort_participants(start).collect()
        }
    }

    /// The most places held at once during `start..=end` (for a cohort: its participants).
    /// Occupancy only rises on a day someone starts, so those days and `start` are enough.
    pub fn most_held_during(&self, start: NaiveDate, end: NaiveDate) -> usize {
        let sharing = self.participants_during(start, end);
        if !self.rolling {
            return sharing.len();
        }
        std::iter::once(start)
            .chain(
                sharing
                    .iter()
                    .filter_map(|p| p.start)
                    .filter(|f| *f > start && *f <= end),
            )
            .map(|day| sharing.iter().filter(|p| Self::holds_on(p, day)).count())
            .max()
            .unwrap_or(0)
    }

    pub fn validate(&self, here: &str, catalogue: Option<&Catalogue>, errors: &mut FieldErrors) {
        if !super::catalogue::is_identifier(&self.id, '-') {
            errors.push(
                format!("{here}.id"),
                "must be lowercase letters, digits and hyphens",
            );
        }
        if let Some(catalogue) = catalogue
            && catalogue.intervention(&self.intervention).is_none()
        {
            errors.push(
                format!("{here}.intervention"),
                format!("unknown intervention '{}'", self.intervention),
            );
        }
        for (name, value) in [("provider", &self.provider), ("area", &self.area)] {
            if !value.is_empty() {
                input::check_name(&format!("{here}.{name}"), value, errors);
            }
        }
        if self.starts.len() > 520 {
            errors.push(format!("{here}.starts"), "at most 520 cohort starts");
        }
        if self.participants.len() > 2000 {
            errors.push(format!("{here}.participants"), "at most 2000 participants");
        }
        if !(0..=365).contains(&self.wait_days) {
            errors.push(format!("{here}.wait_days"), "must be 0 to 365");
        }
        if self.places < 0 || self.places > 1000 {
            errors.push(format!("{here}.places"), "must be between 0 and 1000");
        }
        match (self.rolling, self.starts.is_empty()) {
            (true, false) => errors.push(
                format!("{here}.starts"),
                "a provision is either rolling or has cohort starts, not both",
            ),
            (false, true) => errors.push(
                format!("{here}.starts"),
                "give cohort start dates, or set rolling",
            ),
            _ => {}
        }
        let distinct: BTreeSet<_> = self.starts.iter().collect();
        if distinct.len() != self.starts.len() {
            errors.push(
                format!("{here}.starts"),
                "a cohort start date is listed twice",
            );
        }
        let mut references = BTreeSet::new();
        for (k, p) in self.participants.iter().enumerate() {
            let field = format!("{here}.participants[{k}]");
            input::check_reference(&format!("{field}.reference"), &p.reference, errors);
            for (g, group) in p.gang_affiliations.iter().enumerate() {
                input::check_name(&format!("{field}.gang_affiliations[{g}]"), group, errors);
            }
            if !self.rolling {
                match p.start {
                    Some(s) if !self.starts.contains(&s) => errors.push(
                        format!("{field}.start"),
                        format!("{s} is not one of this provision's cohort starts"),
                    ),
                    None if self.starts.len() > 1 => errors.push(
                        format!("{field}.start"),
                        "required when the provision has several cohort starts",
                    ),
                    _ => {}
                }
                if !references.insert((p.reference.as_str(), p.start)) {
                    errors.push(
                        format!("{field}.reference"),
                        "listed twice in the same cohort",
                    );
                }
            }
        }
    }
}
