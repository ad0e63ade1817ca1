//! The audit trail: who read or changed what, and when. Reads of a child's record are recorded
//! here, never in the logs. The application only ever appends to it.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use super::entities::audit_events;
use super::{StoreResult, now};
use crate::accounts::Caller;

/// What was done. Stored as its code (`as_str`), which never changes once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    PlanPreview,
    AllocationPreview,
    CohortBookingsRead,
    CohortCreate,
    CohortUpdate,
    BookingCreate,
    BookingCancel,
    BookingMove,
    WaitingListRead,
    WaitingListAdd,
    WaitingListRemove,
    FacilitatorCreate,
    RivalriesUpdate,
    ProvisionRead,
    ProvisionCreate,
    ProvisionUpdate,
    ProvisionDelete,
    InterventionCreate,
    InterventionUpdate,
    InterventionRetire,
    SettingsUpdate,
    ChildCreate,
    ChildUpdate,
    /// A read of a young person's record or of records about them.
    ChildRead,
    RecordCreate,
    RecordUpdate,
    PlanCreate,
    PlanChange,
    ReviewRecord,
    /// Reviews listed with the children they are for.
    ReviewsRead,
    ProposalCreate,
    ProposalFinalise,
    /// A managers' report (aggregates built from children's records).
    ReportRead,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::PlanPreview => "plan.preview",
            AuditAction::AllocationPreview => "allocation.preview",
            AuditAction::CohortBookingsRead => "cohort.bookings.read",
            AuditAction::CohortCreate => "cohort.create",
            AuditAction::CohortUpdate => "cohort.update",
            AuditAction::BookingCreate => "booking.create",
            AuditAction::BookingCancel => "booking.cancel",
            AuditAction::BookingMove => "booking.move",
            AuditAction::WaitingListRead => "waiting_list.read",
            AuditAction::WaitingListAdd => "waiting_list.add",
            AuditAction::WaitingListRemove => "waiting_list.remove",
            AuditAction::FacilitatorCreate => "facilitator.create",
            AuditAction::RivalriesUpdate => "rivalries.update",
            AuditAction::ProvisionRead => "provision.participants.read",
            AuditAction::ProvisionCreate => "provision.create",
            AuditAction::ProvisionUpdate => "provision.update",
            AuditAction::ProvisionDelete => "provision.delete",
            AuditAction::InterventionCreate => "intervention.create",
            AuditAction::InterventionUpdate => "intervention.update",
            AuditAction::InterventionRetire => "intervention.retire",
            AuditAction::SettingsUpdate => "settings.update",
            AuditAction::ChildCreate => "child.create",
            AuditAction::ChildUpdate => "child.update",
            AuditAction::ChildRead => "child.read",
            AuditAction::RecordCreate => "child.record.create",
            AuditAction::RecordUpdate => "child.record.update",
            AuditAction::PlanCreate => "child.plan.create",
            AuditAction::PlanChange => "child.plan.change",
            AuditAction::ReviewRecord => "child.review.record",
            AuditAction::ReviewsRead => "reviews.read",
            AuditAction::ProposalCreate => "child.proposal.create",
            AuditAction::ProposalFinalise => "child.proposal.finalise",
            AuditAction::ReportRead => "report.read",
        }
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    caller: &Caller,
    action: AuditAction,
    subject: &str,
) -> StoreResult<()> {
    audit_events::ActiveModel {
        team_id: Set(caller.team_id.clone()),
        user_id: Set(caller.user_id.clone()),
        action: Set(action.as_str().to_string()),
        subject: Set(subject.to_string()),
        at: Set(now()),
        route: Set(caller.route.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
