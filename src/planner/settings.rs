//! Team-tunable planner settings: the objective's weights, limits and review intervals.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::levels::InterventionLevel;
use crate::domain::{Evidence, Level};

/// The objective's weights. All are whole numbers so that objective values compare exactly
/// across solvers. See the README ("How the planner chooses") for what each one does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Weights {
    /// Value of covering one need, before its level and relatedness multipliers.
    pub coverage: i64,
    pub level_low: i64,
    pub level_medium: i64,
    pub level_high: i64,
    /// Multiplier for a need linked to offending met (or waited on) through offending-focused
    /// work (risk-need-responsivity: these come first).
    pub offending_related: i64,
    /// Multiplier for welfare needs, and for needs linked to offending met through welfare
    /// work: they support, but must not crowd out, offending work.
    pub welfare: i64,
    /// An assessment of a need at medium or above: this times the need's level and relatedness
    /// (assessments never meet a need, but are planned whenever there is room).
    pub assessment: i64,
    /// Delivering what the order expects (a referral order's reparation, each youth
    /// rehabilitation order requirement other than supervision).
    pub expected_work: i64,
    /// Cost of each week a need waits, times its level and relatedness multipliers.
    pub delay_per_week: i64,
    pub evidence_research_supported: i64,
    pub evidence_promising: i64,
    pub evidence_emerging: i64,
    pub evidence_unrated: i64,
    /// Cost of each contact hour planned.
    pub contact_hour: i64,
    /// Caseload allocation: every term of a young person's plan is scaled by `priority_base +
    /// priority_likelihood × likelihood of reoffending (0–2) + priority_risk_of_serious_harm ×
    /// risk of serious harm (0–3)` (risk-need-responsivity: intensity follows risk).
    pub priority_base: i64,
    pub priority_likelihood: i64,
    pub priority_risk_of_serious_harm: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            coverage: 1000,
            level_low: 1,
            level_medium: 2,
            level_high: 4,
            offending_related: 5,
            welfare: 1,
            assessment: 250,
            expected_work: 6000,
            delay_per_week: 1,
            evidence_research_supported: 12,
            evidence_promising: 8,
            evidence_emerging: 4,
            evidence_unrated: 0,
            contact_hour: 1,
            priority_base: 4,
            priority_likelihood: 1,
            priority_risk_of_serious_harm: 1,
        }
    }
}

impl Weights {
    pub fn level(&self, level: Level) -> i64 {
        match level {
            Level::Low => self.level_low,
            Level::Medium => self.level_medium,
            Level::High => self.level_high,
        }
    }

    pub fn relatedness(&self, offending_related: bool) -> i64 {
        if offending_related {
            self.offending_related
        } else {
            self.welfare
        }
    }

    pub fn evidence(&self, evidence: Evidence) -> i64 {
        match evidence {
            Evidence::ResearchSupported => self.evidence_research_supported,
            Evidence::Promising => self.evidence_promising,
            Evidence::Emerging => self.evidence_emerging,
            Evidence::Unrated => self.evidence_unrated,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PlannerSettings {
    pub weights: Weights,
    /// Weekly contact hours and items at once by intervention level, when the young person's
    /// record sets none.
    pub intensity: Intensity,
    /// A prerequisite ends at most this many weeks before the work it prepares for starts.
    pub prerequisite_max_gap_weeks: i64,
    /// After this the best plan found so far is returned with status `feasible`.
    pub time_limit_seconds: f64,
    /// Plan reviews at least this often...
    pub plan_review_weeks: i64,
    /// ...and this often while risk of serious harm or safety and wellbeing is high or above.
    pub plan_review_weeks_high_risk: i64,
    /// Outcome review this many days after an item ends (at most 7).
    pub outcome_review_days: i64,
}

impl Default for PlannerSettings {
    fn default() -> Self {
        PlannerSettings {
            weights: Weights::default(),
            intensity: Intensity::default(),
            prerequisite_max_gap_weeks: 6,
            time_limit_seconds: 10.0,
            plan_review_weeks: 12,
            plan_review_weeks_high_risk: 6,
            outcome_review_days: 7,
        }
    }
}

/// How much a young person can take on in a week, at one intervention level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IntensityLimits {
    pub max_hours_per_week: f64,
    pub max_concurrent_items: i64,
}

/// The intensity table: standard 3 hours and 2 items at once, enhanced 6 and 3, intensive 10
/// and 4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Intensity {
    pub standard: IntensityLimits,
    pub enhanced: IntensityLimits,
    pub intensive: IntensityLimits,
}

impl Default for Intensity {
    fn default() -> Self {
        let limits = |h: f64, n: i64| IntensityLimits {
            max_hours_per_week: h,
            max_concurrent_items: n,
        };
        Intensity {
            standard: limits(3.0, 2),
            enhanced: limits(6.0, 3),
            intensive: limits(10.0, 4),
        }
    }
}

impl Intensity {
    pub fn at(&self, level: InterventionLevel) -> &IntensityLimits {
        match level {
            InterventionLevel::Standard => &self.standard,
            InterventionLevel::Enhanced => &self.enhanced,
            InterventionLevel::Intensive => &self.intensive,
        }
    }
}

impl PlannerSettings {
    /// Settings a team may store are checked like any other input.
    pub fn validate(&self) -> Result<(), crate::domain::FieldErrors> {
        let mut errors = crate::domain::FieldErrors::default();
        for (name, limits) in [
            ("intensity.standard", &self.intensity.standard),
            ("intensity.enhanced", &self.intensity.enhanced),
            ("intensity.intensive", &self.intensity.intensive),
        ] {
            if !(limits.max_hours_per_week > 0.0 && limits.max_hours_per_week <= 60.0) {
                errors.push(
                    format!("{name}.max_hours_per_week"),
                    "must be more than 0 and at most 60",
                );
            }
            if !(1..=20).contains(&limits.max_concurrent_items) {
                errors.push(format!("{name}.max_concurrent_items"), "must be 1 to 20");
            }
        }
        if !(1..=26).contains(&self.prerequisite_max_gap_weeks) {
            errors.push("prerequisite_max_gap_weeks", "must be 1 to 26");
        }
        if !(self.time_limit_seconds > 0.0 && self.time_limit_seconds <= 300.0) {
            errors.push("time_limit_seconds", "must be more than 0 and at most 300");
        }
        if !(1..=12).contains(&self.plan_review_weeks) {
            errors.push(
                "plan_review_weeks",
                "must be 1 to 12 (reviews at least every 3 months)",
            );
        }
        if !(1..=self.plan_review_weeks).contains(&self.plan_review_weeks_high_risk) {
            errors.push(
                "plan_review_weeks_high_risk",
                "must be 1 to plan_review_weeks",
            );
        }
        if !(0..=7).contains(&self.outcome_review_days) {
            errors.push("outcome_review_days", "must be 0 to 7");
        }
        let w = &self.weights;
        for (name, value) in [
            ("weights.coverage", w.coverage),
            ("weights.level_low", w.level_low),
            ("weights.level_medium", w.level_medium),
            ("weights.level_high", w.level_high),
            ("weights.offending_related", w.offending_related),
            ("weights.welfare", w.welfare),
            ("weights.priority_base", w.priority_base),
        ] {
            if !(1..=100_000).contains(&value) {
                errors.push(name, "must be 1 to 100000");
            }
        }
        for (name, value) in [
            ("weights.delay_per_week", w.delay_per_week),
            ("weights.assessment", w.assessment),
            ("weights.expected_work", w.expected_work),
            (
                "weights.evidence_research_supported",
                w.evidence_research_supported,
            ),
            ("weights.evidence_promising", w.evidence_promising),
            ("weights.evidence_emerging", w.evidence_emerging),
            ("weights.evidence_unrated", w.evidence_unrated),
            ("weights.contact_hour", w.contact_hour),
            ("weights.priority_likelihood", w.priority_likelihood),
            (
                "weights.priority_risk_of_serious_harm",
                w.priority_risk_of_serious_harm,
            ),
        ] {
            if !(0..=100_000).contains(&value) {
                errors.push(name, "must be 0 to 100000");
            }
        }
        errors.into_result(())
    }
}
