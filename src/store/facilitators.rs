//! Facilitators: staff trained to deliver an intervention (one record per person and
//! intervention), attached to cohorts through the cohort's edit.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::audit::AuditAction;
use super::capacity_entities::facilitators;
use super::cohorts::parse_date;
use super::finish;
use super::{StoreResult, audit, begin_write, now};
use crate::accounts::Caller;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facilitator {
    pub id: String,
    pub name: String,
    /// The intervention they are trained to deliver.
    pub intervention: String,
    pub trained_on: NaiveDate,
    pub created_at: String,
}

pub(crate) fn read(model: facilitators::Model) -> StoreResult<Facilitator> {
    Ok(Facilitator {
        trained_on: parse_date(&model.trained_on)?,
        id: model.id,
        name: model.name,
        intervention: model.intervention_id,
        created_at: model.created_at,
    })
}

/// The team's facilitators by name, optionally only those of one intervention.
pub async fn list(
    db: &impl ConnectionTrait,
    team: &str,
    intervention: Option<&str>,
) -> StoreResult<Vec<Facilitator>> {
    let mut query = facilitators::Entity::find().filter(facilitators::Column::TeamId.eq(team));
    if let Some(intervention) = intervention {
        query = query.filter(facilitators::Column::InterventionId.eq(intervention));
    }
    query
        .order_by_asc(facilitators::Column::Name)
        .order_by_asc(facilitators::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Adds a facilitator (the intervention is checked by the caller; the foreign key backs it).
pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    name: &str,
    intervention: &str,
    trained_on: NaiveDate,
) -> StoreResult<Facilitator> {
    let id = uuid::Uuid::new_v4().to_string();
    let row = facilitators::ActiveModel {
        team_id: Set(caller.team_id.clone()),
        id: Set(id.clone()),
        name: Set(name.to_string()),
        intervention_id: Set(intervention.to_string()),
        trained_on: Set(trained_on.to_string()),
        created_at: Set(now()),
    };
    let txn = begin_write(db).await?;
    let out: StoreResult<_> = async {
        let model = row.insert(&txn).await?;
        audit::record(
            &txn,
            caller,
            AuditAction::FacilitatorCreate,
            &format!("facilitator:{id}"),
        )
        .await?;
        Ok(model)
    }
    .await;
    read(finish(txn, out).await?)
}
