//! The team's rival groups: pairs of group names whose members must not share a group cohort.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::audit::AuditAction;
use super::capacity_entities::team_rivalries;
use super::finish;
use super::{StoreResult, audit, begin_write};
use crate::accounts::Caller;

/// The team's rival pairs, each once, in name order.
pub async fn get(db: &impl ConnectionTrait, team: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(team_rivalries::Entity::find()
        .filter(team_rivalries::Column::TeamId.eq(team))
        .order_by_asc(team_rivalries::Column::GroupA)
        .order_by_asc(team_rivalries::Column::GroupB)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.group_a, r.group_b))
        .collect())
}

/// Replaces the team's rival pairs (validated: two different, non-empty names each).
pub async fn set(
    db: &DatabaseConnection,
    caller: &Caller,
    pairs: &[(String, String)],
) -> StoreResult<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> = pairs
        .iter()
        .map(|(a, b)| {
            if a <= b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        })
        .collect();
    rows.sort();
    rows.dedup();
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let out = async {
        team_rivalries::Entity::delete_many()
            .filter(team_rivalries::Column::TeamId.eq(team))
            .exec(&txn)
            .await?;
        if !rows.is_empty() {
            team_rivalries::Entity::insert_many(rows.iter().map(|(a, b)| {
                team_rivalries::ActiveModel {
                    team_id: Set(team.to_string()),
                    group_a: Set(a.clone()),
                    group_b: Set(b.clone()),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        audit::record(
            &txn,
            caller,
            AuditAction::RivalriesUpdate,
            &format!("pairs:{}", rows.len()),
        )
        .await
    }
    .await;
    finish(txn, out).await?;
    Ok(rows)
}
