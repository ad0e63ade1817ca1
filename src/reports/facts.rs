//! What the reports read: one entry per child on the live caseload and per provision record,
//! gathered by the use case from the store. Children are known here only by their records'
//! contents, never by name, reference or date of birth.

use chrono::NaiveDate;

use crate::domain::Plan;
use crate::domain::Provision;
use crate::domain::case_plan::{BuildRequest, ReviewKind, ReviewRecord};
use crate::domain::casework::{Assessment, PartnerDecision};
use crate::domain::problem::Order;

/// A review of a child, due or recorded.
#[derive(Debug, Clone)]
pub struct ReviewFact {
    pub kind: ReviewKind,
    pub due: NaiveDate,
    pub record: Option<ReviewRecord>,
}

/// The plan a child's work follows now: the live one (accepted or active), else the newest
/// draft.
#[derive(Debug, Clone)]
pub struct CurrentPlan {
    pub plan: Plan,
    pub live: bool,
    /// What the case manager asked of the planner (exclusions with reasons).
    pub request: BuildRequest,
}

#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub team: String,
    pub assessment: Assessment,
    pub order: Order,
    pub plan: Option<CurrentPlan>,
    pub reviews: Vec<ReviewFact>,
    pub decisions: Vec<PartnerDecision>,
}

#[derive(Debug, Clone)]
pub struct ProvisionFacts {
    pub team: String,
    /// With every booking as a participant.
    pub provision: Provision,
    /// Staff of the team trained to deliver its intervention.
    pub trained_facilitators: usize,
}
