//! The planner's output (docs/planning.md §4).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::levels::Level;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanItem {
    pub intervention: String,
    pub provision: String,
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    /// The last day of the last week.
    #[schema(value_type = String, format = Date)]
    pub end: NaiveDate,
    /// The young person's needs this item is planned to meet (empty for a prerequisite).
    pub addresses: Vec<String>,
    pub rationale: String,
    /// Prerequisites this item waits for (added field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    pub offending_focused: bool,
    pub weekly_hours: f64,
    /// A screening or specialist assessment: it informs the work, it meets no need (added
    /// field).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assessment: bool,
    /// What of the order it is delivered under, e.g. `yro:unpaid_work` (added field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under: Option<String>,
}

/// Why a need has no item: the first reason that applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    NoIntervention,
    NoProvision,
    NotPermitted,
    Ineligible,
    Excluded,
    Unsafe,
    NoCapacity,
    NotSelected,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::NoIntervention => "no_intervention",
            GapReason::NoProvision => "no_provision",
            GapReason::NotPermitted => "not_permitted",
            GapReason::Ineligible => "ineligible",
            GapReason::Excluded => "excluded",
            GapReason::Unsafe => "unsafe",
            GapReason::NoCapacity => "no_capacity",
            GapReason::NotSelected => "not_selected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Gap {
    pub need: String,
    pub level: Level,
    pub reason: GapReason,
    pub detail: String,
}

/// What a plan's reader must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    NoOffendingFocusedWork,
    /// High likelihood of reoffending or risk of serious harm, and no offending-focused work
    /// planned at all, whatever the assessed needs.
    HighRiskNoOffendingWork,
    OffendingNeedUnmet,
    ConsiderMappa,
    NoRiskPlan,
    SafetyAndWellbeingPlan,
    #[serde(rename = "transition_at_18")]
    TransitionAt18,
    RequirementUnplanned,
    /// The planned work ends more than 12 weeks before the order does.
    WorkEndsEarly,
    /// The order's dates are outside what the law allows for its type.
    OrderOutsideLimits,
}

impl FlagCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagCode::NoOffendingFocusedWork => "no_offending_focused_work",
            FlagCode::HighRiskNoOffendingWork => "high_risk_no_offending_work",
            FlagCode::OffendingNeedUnmet => "offending_need_unmet",
            FlagCode::ConsiderMappa => "consider_mappa",
            FlagCode::NoRiskPlan => "no_risk_plan",
            FlagCode::SafetyAndWellbeingPlan => "safety_and_wellbeing_plan",
            FlagCode::TransitionAt18 => "transition_at_18",
            FlagCode::RequirementUnplanned => "requirement_unplanned",
            FlagCode::WorkEndsEarly => "work_ends_early",
            FlagCode::OrderOutsideLimits => "order_outside_limits",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Flag {
    pub code: FlagCode,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    ItemOutcome,
    Plan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Review {
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    pub kind: ReviewKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SolverStatus {
    Optimal,
    Feasible,
    Infeasible,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SolverReport {
    pub status: SolverStatus,
    pub objective: f64,
    pub seconds: f64,
    /// Decision variables and constraints of the model (added fields).
    pub variables: usize,
    pub constraints: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    pub young_person: String,
    pub items: Vec<PlanItem>,
    pub gaps: Vec<Gap>,
    pub flags: Vec<Flag>,
    pub reviews: Vec<Review>,
    pub solver: SolverReport,
}
