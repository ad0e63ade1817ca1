//! A child's pre-sentence proposals: each built as the next numbered draft; finalising one
//! fixes it for good (state, who and when), with its history and audit entries in the same
//! transaction.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::audit::{self, AuditAction};
use super::case_records::{get_child, write_history};
use super::casework_entities::proposals;
use super::{StoreError, StoreResult, begin_write, finish, now};
use crate::accounts::Caller;
use crate::domain::proposal::ProposalDocument;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Draft,
    Finalised,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Draft => "draft",
            ProposalState::Finalised => "finalised",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredProposal {
    pub id: String,
    pub young_person_id: String,
    pub order_id: String,
    pub number: i64,
    pub state: ProposalState,
    pub document: ProposalDocument,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
}

fn read(m: proposals::Model) -> StoreResult<StoredProposal> {
    Ok(StoredProposal {
        state: if m.state == "finalised" {
            ProposalState::Finalised
        } else {
            ProposalState::Draft
        },
        document: serde_json::from_str(&m.document)?,
        id: m.id,
        young_person_id: m.young_person_id,
        order_id: m.order_id,
        number: m.number,
        version: m.version,
        created_at: m.created_at,
        created_by: m.created_by,
        finalised_at: m.finalised_at,
        finalised_by: m.finalised_by,
    })
}

pub async fn get(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    id: &str,
) -> StoreResult<StoredProposal> {
    let m = proposals::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .filter(|m| m.young_person_id == young_person_id)
        .ok_or(StoreError::NotFound)?;
    read(m)
}

/// A child's proposals, first first.
pub async fn list(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
) -> StoreResult<Vec<StoredProposal>> {
    proposals::Entity::find()
        .filter(proposals::Column::TeamId.eq(team))
        .filter(proposals::Column::YoungPersonId.eq(young_person_id))
        .order_by_asc(proposals::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Stores a newly built proposal as the child's next one, a draft.
pub async fn create_draft(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    order_id: &str,
    document: &ProposalDocument,
) -> StoreResult<StoredProposal> {
    let team = caller.team_id.as_str();
    let text = serde_json::to_string(document)?;
    let txn = begin_write(db).await?;
    let out = async {
        let child = get_child(&txn, team, young_person_id).await?;
        let last: Option<i64> = proposals::Entity::find()
            .select_only()
            .column_as(proposals::Column::Number.max(), "last")
            .filter(proposals::Column::TeamId.eq(team))
            .filter(proposals::Column::YoungPersonId.eq(young_person_id))
            .into_tuple::<Option<i64>>()
            .one(&txn)
            .await?
            .flatten();
        let id = uuid::Uuid::new_v4().to_string();
        proposals::Entity::insert(proposals::ActiveModel {
            team_id: Set(team.to_string()),
            id: Set(id.clone()),
            young_person_id: Set(young_person_id.to_string()),
            order_id: Set(order_id.to_string()),
            number: Set(last.unwrap_or(0) + 1),
            state: Set(ProposalState::Draft.as_str().to_string()),
            document: Set(text.clone()),
            version: Set(1),
            created_at: Set(now()),
            created_by: Set(caller.user_id.clone()),
            updated_at: Set(now()),
            updated_by: Set(caller.user_id.clone()),
            finalised_at: Set(None),
            finalised_by: Set(None),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            super::cohorts::conflict_on_unique(e, || {
                "another proposal was built at the same moment; try again".into()
            })
        })?;
        write_history(
            &txn,
            caller,
            young_person_id,
            &format!("proposal:{id}"),
            1,
            "created",
            &text,
        )
        .await?;
        audit::record(
            &txn,
            caller,
            AuditAction::ProposalCreate,
            &format!("child:{} proposal:{id}", child.record.reference),
        )
        .await?;
        get(&txn, team, young_person_id, &id).await
    }
    .await;
    finish(txn, out).await
}

/// Finalises a draft at `expected_version` with its final document (the risk plan as it is
/// now). A finalised proposal, or a stale version, is refused.
pub async fn finalise(
    db: &DatabaseConnection,
    caller: &Caller,
    proposal: &StoredProposal,
    expected_version: i64,
    document: &ProposalDocument,
) -> StoreResult<StoredProposal> {
    let team = caller.team_id.as_str();
    let text = serde_json::to_string(document)?;
    let txn = begin_write(db).await?;
    let out = async {
        let updated = proposals::Entity::update_many()
            .col_expr(
                proposals::Column::State,
                Expr::value(ProposalState::Finalised.as_str()),
            )
            .col_expr(proposals::Column::Document, Expr::value(text.clone()))
            .col_expr(
                proposals::Column::Version,
                Expr::col(proposals::Column::Version).add(1),
            )
            .col_expr(proposals::Column::UpdatedAt, Expr::value(now()))
            .col_expr(
                proposals::Column::UpdatedBy,
                Expr::value(caller.user_id.clone()),
            )
            .col_expr(proposals::Column::FinalisedAt, Expr::value(now()))
            .col_expr(
                proposals::Column::FinalisedBy,
                Expr::value(caller.user_id.clone()),
            )
            .filter(proposals::Column::TeamId.eq(team))
            .filter(proposals::Column::Id.eq(proposal.id.as_str()))
            .filter(proposals::Column::Version.eq(expected_version))
            .filter(proposals::Column::State.eq(ProposalState::Draft.as_str()))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            let now = get(&txn, team, &proposal.young_person_id, &proposal.id).await?;
            return Err(if now.state == ProposalState::Finalised {
                StoreError::Conflict(
                    "the proposal is already finalised; build a new one to change it".into(),
                )
            } else {
                StoreError::Stale {
                    current: now.version,
                }
            });
        }
        write_history(
            &txn,
            caller,
            &proposal.young_person_id,
            &format!("proposal:{}", proposal.id),
            expected_version + 1,
            "finalised",
            &text,
        )
        .await?;
        let child = get_child(&txn, team, &proposal.young_person_id).await?;
        audit::record(
            &txn,
            caller,
            AuditAction::ProposalFinalise,
            &format!("child:{} proposal:{}", child.record.reference, proposal.id),
        )
        .await?;
        get(&txn, team, &proposal.young_person_id, &proposal.id).await
    }
    .await;
    finish(txn, out).await
}
