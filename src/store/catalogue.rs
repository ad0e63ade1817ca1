//! The team's catalogue: needs, interventions and every earlier version of each intervention.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::entities::{intervention_versions, interventions, needs};
use super::{StoreError, StoreResult, begin_write, now};
use crate::domain::{Catalogue, Intervention, Need};

/// An intervention as stored: the entry and its version and state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredIntervention {
    #[serde(flatten)]
    pub intervention: Intervention,
    pub version: i64,
    pub retired: bool,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterventionVersion {
    pub version: i64,
    pub retired: bool,
    pub changed_at: String,
    pub changed_by: String,
    pub intervention: Intervention,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub needs: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn content_hash(iv: &Intervention) -> StoreResult<String> {
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(iv)?)))
}

fn stored(model: interventions::Model) -> StoreResult<StoredIntervention> {
    Ok(StoredIntervention {
        intervention: serde_json::from_str(&model.document)?,
        version: model.version,
        retired: model.retired_at.is_some(),
        updated_at: model.updated_at,
    })
}

fn enum_text<T: Serialize>(value: &T) -> StoreResult<String> {
    Ok(serde_json::to_value(value)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

fn new_row(team: &str, iv: &Intervention, version: i64) -> StoreResult<interventions::ActiveModel> {
    Ok(interventions::ActiveModel {
        team_id: Set(team.to_string()),
        id: Set(iv.id.clone()),
        name: Set(iv.name.clone()),
        category: Set(iv.category.clone()),
        format: Set(enum_text(&iv.format)?),
        evidence: Set(enum_text(&iv.evidence)?),
        document: Set(serde_json::to_string(iv)?),
        content_hash: Set(content_hash(iv)?),
        version: Set(version),
        retired_at: Set(None),
        updated_at: Set(now()),
    })
}

async fn add_history(
    db: &impl ConnectionTrait,
    team: &str,
    iv: &Intervention,
    version: i64,
    retired: bool,
    by: &str,
) -> StoreResult<()> {
    intervention_versions::ActiveModel {
        team_id: Set(team.to_string()),
        intervention_id: Set(iv.id.clone()),
        version: Set(version),
        document: Set(serde_json::to_string(iv)?),
        retired: Set(retired),
        changed_at: Set(now()),
        changed_by: Set(by.to_string()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Imports a validated catalogue into a team, in one transaction. Idempotent: an unchanged entry
/// is left alone; a changed one gets a new version and keeps the previous ones.
pub async fn import(
    db: &DatabaseConnection,
    team: &str,
    catalogue: &Catalogue,
    by: &str,
) -> StoreResult<ImportSummary> {
    let txn = begin_write(db).await?;
    let mut summary = ImportSummary {
        needs: catalogue.needs.len(),
        ..Default::default()
    };
    let existing_needs: BTreeMap<String, needs::Model> = needs::Entity::find()
        .filter(needs::Column::TeamId.eq(team))
        .all(&txn)
        .await?
        .into_iter()
        .map(|n| (n.id.clone(), n))
        .collect();
    for need in &catalogue.needs {
        let row = needs::Model {
            team_id: team.to_string(),
            id: need.id.clone(),
            name: need.name.clone(),
            description: need.description.clone(),
            offending_related: need.offending_related,
            harm_related: need.harm_related,
            assess_first: need.assess_first,
        };
        match existing_needs.get(&need.id) {
            Some(old) if *old == row => {}
            Some(_) => {
                let mut active: needs::ActiveModel = row.into();
                active = active.reset_all();
                active.update(&txn).await?;
            }
            None => {
                let active: needs::ActiveModel = row.into();
                needs::Entity::insert(active.reset_all()).exec(&txn).await?;
            }
        }
    }
    let existing: BTreeMap<String, interventions::Model> = interventions::Entity::find()
        .filter(interventions::Column::TeamId.eq(team))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    for iv in &catalogue.interventions {
        match existing.get(&iv.id) {
            Some(old) if old.content_hash == content_hash(iv)? => summary.unchanged += 1,
            Some(old) => {
                let version = old.version + 1;
                let mut row = new_row(team, iv, version)?;
                row.retired_at = Set(old.retired_at.clone());
                row.update(&txn).await?;
                add_history(&txn, team, iv, version, old.retired_at.is_some(), by).await?;
                summary.updated += 1;
            }
            None => {
                interventions::Entity::insert(new_row(team, iv, 1)?)
                    .exec(&txn)
                    .await?;
                add_history(&txn, team, iv, 1, false, by).await?;
                summary.created += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(summary)
}

pub async fn list_needs(db: &impl ConnectionTrait, team: &str) -> StoreResult<Vec<Need>> {
    Ok(needs::Entity::find()
        .filter(needs::Column::TeamId.eq(team))
        .order_by_asc(needs::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|n| Need {
            id: n.id,
            name: n.name,
            description: n.description,
            offending_related: n.offending_related,
            harm_related: n.harm_related,
            assess_first: n.assess_first,
        })
        .collect())
}

pub async fn list(db: &impl ConnectionTrait, team: &str) -> StoreResult<Vec<StoredIntervention>> {
    interventions::Entity::find()
        .filter(interventions::Column::TeamId.eq(team))
        .order_by_asc(interventions::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(stored)
        .collect()
}

pub async fn get(
    db: &impl ConnectionTrait,
    team: &str,
    id: &str,
) -> StoreResult<StoredIntervention> {
    let model = interventions::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    stored(model)
}

/// The catalogue the planner uses: retired entries are left out, and so is anything that
/// requires one, since it can no longer be planned.
pub async fn planning_catalogue(db: &impl ConnectionTrait, team: &str) -> StoreResult<Catalogue> {
    let all = list(db, team).await?;
    let mut out: BTreeSet<String> = all
        .iter()
        .filter(|s| s.retired)
        .map(|s| s.intervention.id.clone())
        .collect();
    loop {
        let before = out.len();
        for s in &all {
            if s.intervention.requires.iter().any(|r| out.contains(r)) {
                out.insert(s.intervention.id.clone());
            }
        }
        if out.len() == before {
            break;
        }
    }
    Ok(Catalogue {
        needs: list_needs(db, team).await?,
        interventions: all
            .into_iter()
            .filter(|s| !out.contains(&s.intervention.id))
            .map(|s| s.intervention)
            .collect(),
    })
}

pub async fn create(
    db: &DatabaseConnection,
    team: &str,
    iv: &Intervention,
    by: &str,
) -> StoreResult<StoredIntervention> {
    let txn = begin_write(db).await?;
    if interventions::Entity::find_by_id((team.to_string(), iv.id.clone()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "an intervention '{}' already exists",
            iv.id
        )));
    }
    interventions::Entity::insert(new_row(team, iv, 1)?)
        .exec(&txn)
        .await?;
    add_history(&txn, team, iv, 1, false, by).await?;
    let saved = get(&txn, team, &iv.id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces an entry if `expected_version` is still current; `retire` also retires it.
pub async fn update(
    db: &DatabaseConnection,
    team: &str,
    iv: &Intervention,
    expected_version: i64,
    retire: bool,
    by: &str,
) -> StoreResult<StoredIntervention> {
    let txn = begin_write(db).await?;
    let current = get(&txn, team, &iv.id).await?;
    let retired_at = if retire || current.retired {
        Some(now())
    } else {
        None
    };
    let row = new_row(team, iv, expected_version + 1)?;
    let result = interventions::Entity::update_many()
        .col_expr(interventions::Column::Name, Expr::value(iv.name.clone()))
        .col_expr(
            interventions::Column::Category,
            Expr::value(iv.category.clone()),
        )
        .col_expr(
            interventions::Column::Format,
            Expr::value(row.format.clone().unwrap()),
        )
        .col_expr(
            interventions::Column::Evidence,
            Expr::value(row.evidence.clone().unwrap()),
        )
        .col_expr(
            interventions::Column::Document,
            Expr::value(row.document.clone().unwrap()),
        )
        .col_expr(
            interventions::Column::ContentHash,
            Expr::value(row.content_hash.clone().unwrap()),
        )
        .col_expr(
            interventions::Column::RetiredAt,
            Expr::value(retired_at.clone()),
        )
        .col_expr(interventions::Column::UpdatedAt, Expr::value(now()))
        .col_expr(
            interventions::Column::Version,
            Expr::col(interventions::Column::Version).add(1),
        )
        .filter(interventions::Column::TeamId.eq(team))
        .filter(interventions::Column::Id.eq(iv.id.clone()))
        .filter(interventions::Column::Version.eq(expected_version))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(StoreError::Stale {
            current: current.version,
        });
    }
    add_history(
        &txn,
        team,
        iv,
        expected_version + 1,
        retired_at.is_some(),
        by,
    )
    .await?;
    let saved = get(&txn, team, &iv.id).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn history(
    db: &DatabaseConnection,
    team: &str,
    id: &str,
) -> StoreResult<Vec<InterventionVersion>> {
    get(db, team, id).await?;
    intervention_versions::Entity::find()
        .filter(intervention_versions::Column::TeamId.eq(team))
        .filter(intervention_versions::Column::InterventionId.eq(id))
        .order_by_asc(intervention_versions::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(|v| {
            Ok(InterventionVersion {
                version: v.version,
                retired: v.retired,
                changed_at: v.changed_at,
                changed_by: v.changed_by,
                intervention: serde_json::from_str(&v.document)?,
            })
        })
        .collect()
}
