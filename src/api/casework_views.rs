//! What the API shows of case records, plans and reviews: one response type per answer.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::reviews::{Check, Overdue};
use crate::domain::case_plan::{PlanDocument, PlanState, ReviewKind, ReviewRecord};
use crate::domain::casework::{Assessment, ChildRecord, OrderRecord, PartnerDecision, RiskPlans};
use crate::store::case_plans::StoredPlan;
use crate::store::case_records::{HistoryEntry, Stored, StoredChild};
use crate::store::reviews::{ReviewState, StoredReview};

/// A young person's record (case managers only; every read is audited).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildView {
    /// The record's address (a UUID): URLs never carry a case reference or a name.
    pub id: String,
    #[serde(flatten)]
    pub record: ChildRecord,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl From<StoredChild> for ChildView {
    fn from(c: StoredChild) -> Self {
        ChildView {
            id: c.id,
            record: c.record,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            updated_by: c.updated_by,
        }
    }
}

macro_rules! record_view {
    ($view:ident, $doc:ty, $what:literal) => {
        #[doc = $what]
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $view {
            pub id: String,
            /// Assessments: 1, 2, … in the order recorded (other records: 1).
            pub number: i64,
            #[serde(flatten)]
            pub document: $doc,
            pub version: i64,
            pub created_at: String,
            pub created_by: String,
            pub updated_at: String,
            pub updated_by: String,
        }

        impl From<Stored<$doc>> for $view {
            fn from(s: Stored<$doc>) -> Self {
                $view {
                    id: s.id,
                    number: s.number,
                    document: s.document,
                    version: s.version,
                    created_at: s.created_at,
                    created_by: s.created_by,
                    updated_at: s.updated_at,
                    updated_by: s.updated_by,
                }
            }
        }
    };
}

record_view!(
    AssessmentView,
    Assessment,
    "An assessment (never changed: a new one is recorded)."
);
record_view!(OrderView, OrderRecord, "An order as recorded.");
record_view!(
    RiskPlansView,
    RiskPlans,
    "The risk management plan and the safety and wellbeing plan."
);
record_view!(
    PartnerDecisionView,
    PartnerDecision,
    "A partner agency's decision about the child."
);

/// One version of one record in a child's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    /// `young_person`, `assessment:<id>`, `order:<id>`, `plan:<id>`, `review:<id>`, …
    pub record: String,
    pub version: i64,
    pub change: String,
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    pub changed_at: String,
    pub changed_by: String,
}

impl From<HistoryEntry> for HistoryView {
    fn from(h: HistoryEntry) -> Self {
        HistoryView {
            record: h.record,
            version: h.version,
            change: h.change,
            document: h.document,
            changed_at: h.changed_at,
            changed_by: h.changed_by,
        }
    }
}

/// A version of a child's plan and where it is in its lifecycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePlanView {
    pub id: String,
    /// 1, 2, … per young person.
    pub number: i64,
    pub state: PlanState,
    pub order: String,
    #[serde(flatten)]
    pub document: PlanDocument,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl From<StoredPlan> for CasePlanView {
    fn from(p: StoredPlan) -> Self {
        CasePlanView {
            id: p.id,
            number: p.number,
            state: p.state,
            order: p.order_id,
            document: p.document,
            version: p.version,
            created_at: p.created_at,
            created_by: p.created_by,
            updated_at: p.updated_at,
            updated_by: p.updated_by,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStateView {
    Due,
    Recorded,
    Cancelled,
}

impl From<ReviewState> for ReviewStateView {
    fn from(s: ReviewState) -> Self {
        match s {
            ReviewState::Due => ReviewStateView::Due,
            ReviewState::Recorded => ReviewStateView::Recorded,
            ReviewState::Cancelled => ReviewStateView::Cancelled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    /// The plan version it reviews (absent: a significant-change review of the child's plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    pub kind: ReviewKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervention: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    pub reason: String,
    pub state: ReviewStateView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<ReviewRecord>,
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
}

impl From<StoredReview> for ReviewView {
    fn from(r: StoredReview) -> Self {
        ReviewView {
            id: r.id,
            plan: r.plan_id,
            kind: r.kind,
            intervention: r.intervention,
            due: r.due,
            reason: r.reason,
            state: r.state.into(),
            record: r.record,
            version: r.version,
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by,
        }
    }
}

/// An overdue review in a case manager's or the team's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueView {
    pub young_person: String,
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_manager: Option<String>,
    pub review: ReviewView,
    pub days_overdue: i64,
}

impl From<Overdue> for OverdueView {
    fn from(o: Overdue) -> Self {
        OverdueView {
            young_person: o.young_person_id,
            reference: o.reference,
            case_manager: o.case_manager,
            review: o.review.into(),
            days_overdue: o.days_overdue,
        }
    }
}

/// Overdue reviews as a manager sees them: how many each case manager has.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueCountView {
    pub case_manager: String,
    pub overdue: usize,
}

/// Overdue reviews: the list (case managers, admins) or the counts (managers).
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueListView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<OverdueView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<Vec<OverdueCountView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    pub code: String,
    pub detail: String,
}

impl From<Check> for CheckView {
    fn from(c: Check) -> Self {
        CheckView {
            code: c.code,
            detail: c.detail,
        }
    }
}
