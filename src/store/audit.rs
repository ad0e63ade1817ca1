//! The audit trail: who read or changed what, and when. Reads of a child's record are recorded
//! here, never in the logs.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use super::entities::audit_events;
use super::{StoreResult, now};
use crate::accounts::Caller;

pub async fn record(
    db: &impl ConnectionTrait,
    caller: &Caller,
    action: &str,
    subject: &str,
) -> StoreResult<()> {
    audit_events::ActiveModel {
        team_id: Set(caller.team_id.clone()),
        user_id: Set(caller.user_id.clone()),
        action: Set(action.to_string()),
        subject: Set(subject.to_string()),
        at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
