//! Case records: young people and their assessments, orders, risk plans and partner decisions.
//! Every change writes the new version to `record_history` and an audit entry in the same
//! transaction, so the history is exactly the record's versions, with who and when.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{self, AuditAction};
use super::casework_entities::{case_records, record_history, young_people};
use super::cohorts::conflict_on_unique;
use super::{StoreError, StoreResult, begin_write, finish, now};
use crate::accounts::Caller;
use crate::domain::casework::ChildRecord;

/// A young person as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChild {
    pub id: String,
    pub record: ChildRecord,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

fn child(model: young_people::Model) -> StoreResult<StoredChild> {
    Ok(StoredChild {
        record: serde_json::from_str(&model.document)?,
        id: model.id,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
        updated_by: model.updated_by,
    })
}

/// The kinds of record held about a young person besides their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Assessment,
    Order,
    RiskPlans,
    PartnerDecision,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Assessment => "assessment",
            RecordKind::Order => "order",
            RecordKind::RiskPlans => "risk_plans",
            RecordKind::PartnerDecision => "partner_decision",
        }
    }
}

/// A record of one kind, with its document parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    pub id: String,
    pub young_person_id: String,
    /// Assessments: 1, 2, … in the order recorded.
    pub number: i64,
    pub document: T,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

fn stored<T: DeserializeOwned>(model: case_records::Model) -> StoreResult<Stored<T>> {
    Ok(Stored {
        document: serde_json::from_str(&model.document)?,
        id: model.id,
        young_person_id: model.young_person_id,
        number: model.number,
        version: model.version,
        created_at: model.created_at,
        created_by: model.created_by,
        updated_at: model.updated_at,
        updated_by: model.updated_by,
    })
}

/// One version of one record, as the history shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// `young_person`, `order:<id>`, `plan:<id>`, …
    pub record: String,
    pub version: i64,
    /// `created`, `updated`, `accepted`, …
    pub change: String,
    pub document: serde_json::Value,
    pub changed_at: String,
    pub changed_by: String,
}

/// Appends a version of a record to the young person's history.
pub(crate) async fn write_history(
    txn: &DatabaseTransaction,
    caller: &Caller,
    young_person_id: &str,
    record: &str,
    version: i64,
    change: &str,
    document: &str,
) -> StoreResult<()> {
    record_history::Entity::insert(record_history::ActiveModel {
        team_id: Set(caller.team_id.clone()),
        young_person_id: Set(young_person_id.to_string()),
        record: Set(record.to_string()),
        version: Set(version),
        change: Set(change.to_string()),
        document: Set(document.to_string()),
        changed_at: Set(now()),
        changed_by: Set(caller.user_id.clone()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn history(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
) -> StoreResult<Vec<HistoryEntry>> {
    record_history::Entity::find()
        .filter(record_history::Column::TeamId.eq(team))
        .filter(record_history::Column::YoungPersonId.eq(young_person_id))
        .order_by_asc(record_history::Column::ChangedAt)
        .order_by_asc(record_history::Column::Record)
        .order_by_asc(record_history::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(HistoryEntry {
                document: serde_json::from_str(&m.document)?,
                record: m.record,
                version: m.version,
                change: m.change,
                changed_at: m.changed_at,
                changed_by: m.changed_by,
            })
        })
        .collect()
}

pub async fn create_child(
    db: &DatabaseConnection,
    caller: &Caller,
    record: &ChildRecord,
) -> StoreResult<StoredChild> {
    let id = uuid::Uuid::new_v4().to_string();
    let document = serde_json::to_string(record)?;
    let txn = begin_write(db).await?;
    let out = async {
        young_people::Entity::insert(young_people::ActiveModel {
            team_id: Set(caller.team_id.clone()),
            id: Set(id.clone()),
            reference: Set(record.reference.clone()),
            case_manager_id: Set(record.case_manager.clone()),
            document: Set(document.clone()),
            version: Set(1),
            created_at: Set(now()),
            created_by: Set(caller.user_id.clone()),
            updated_at: Set(now()),
            updated_by: Set(caller.user_id.clone()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("a young person with reference {} exists", record.reference)
            })
        })?;
        write_history(&txn, caller, &id, "young_person", 1, "created", &document).await?;
        audit::record(
            &txn,
            caller,
            AuditAction::ChildCreate,
            &format!("child:{}", record.reference),
        )
        .await?;
        get_child(&txn, &caller.team_id, &id).await
    }
    .await;
    finish(txn, out).await
}

pub async fn get_child(
    db: &impl ConnectionTrait,
    team: &str,
    id: &str,
) -> StoreResult<StoredChild> {
    young_people::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .map(child)
        .ok_or(StoreError::NotFound)?
}

pub async fn find_child_by_reference(
    db: &impl ConnectionTrait,
    team: &str,
    reference: &str,
) -> StoreResult<Option<StoredChild>> {
    young_people::Entity::find()
        .filter(young_people::Column::TeamId.eq(team))
        .filter(young_people::Column::Reference.eq(reference))
        .one(db)
        .await?
        .map(child)
        .transpose()
}

/// The team's young people by reference; with `case_manager`, only those they hold.
pub async fn list_children(
    db: &impl ConnectionTrait,
    team: &str,
    case_manager: Option<&str>,
) -> StoreResult<Vec<StoredChild>> {
    let mut find = young_people::Entity::find().filter(young_people::Column::TeamId.eq(team));
    if let Some(user) = case_manager {
        find = find.filter(young_people::Column::CaseManagerId.eq(user));
    }
    find.order_by_asc(young_people::Column::Reference)
        .all(db)
        .await?
        .into_iter()
        .map(child)
        .collect()
}

/// Replaces a young person's record if `expected_version` is current (the reference, which
/// bookings and plans carry, cannot change).
pub async fn update_child(
    db: &DatabaseConnection,
    caller: &Caller,
    id: &str,
    record: &ChildRecord,
    expected_version: i64,
) -> StoreResult<StoredChild> {
    let team = caller.team_id.as_str();
    let document = serde_json::to_string(record)?;
    let txn = begin_write(db).await?;
    let out = async {
        let current = get_child(&txn, team, id).await?;
        if current.record.reference != record.reference {
            return Err(StoreError::Conflict(
                "a case reference cannot change: plans and bookings carry it".into(),
            ));
        }
        let updated = young_people::Entity::update_many()
            .col_expr(
                young_people::Column::Document,
                Expr::value(document.clone()),
            )
            .col_expr(
                young_people::Column::CaseManagerId,
                Expr::value(record.case_manager.clone()),
            )
            .col_expr(
                young_people::Column::Version,
                Expr::col(young_people::Column::Version).add(1),
            )
            .col_expr(young_people::Column::UpdatedAt, Expr::value(now()))
            .col_expr(
                young_people::Column::UpdatedBy,
                Expr::value(caller.user_id.clone()),
            )
            .filter(young_people::Column::TeamId.eq(team))
            .filter(young_people::Column::Id.eq(id))
            .filter(young_people::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Stale {
                current: current.version,
            });
        }
        let version = expected_version + 1;
        write_history(
            &txn,
            caller,
            id,
            "young_person",
            version,
            "updated",
            &document,
        )
        .await?;
        audit::record(
            &txn,
            caller,
            AuditAction::ChildUpdate,
            &format!("child:{}", record.reference),
        )
        .await?;
        get_child(&txn, team, id).await
    }
    .await;
    finish(txn, out).await
}

fn history_name(kind: RecordKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

/// Adds a record of `kind` inside `txn` (assessments are numbered on from the last).
pub(crate) async fn add_in<T: Serialize + DeserializeOwned>(
    txn: &DatabaseTransaction,
    caller: &Caller,
    young_person_id: &str,
    kind: RecordKind,
    document: &T,
) -> StoreResult<Stored<T>> {
    let team = caller.team_id.as_str();
    let child = get_child(txn, team, young_person_id).await?;
    let number = if kind == RecordKind::Assessment {
        let last: Option<i64> = case_records::Entity::find()
            .select_only()
            .column_as(case_records::Column::Number.max(), "last")
            .filter(case_records::Column::TeamId.eq(team))
            .filter(case_records::Column::YoungPersonId.eq(young_person_id))
            .filter(case_records::Column::Kind.eq(kind.as_str()))
            .into_tuple::<Option<i64>>()
            .one(txn)
            .await?
            .flatten();
        last.unwrap_or(0) + 1
    } else {
        0
    };
    let id = uuid::Uuid::new_v4().to_string();
    let text = serde_json::to_string(document)?;
    case_records::Entity::insert(case_records::ActiveModel {
        team_id: Set(team.to_string()),
        id: Set(id.clone()),
        young_person_id: Set(young_person_id.to_string()),
        kind: Set(kind.as_str().to_string()),
        number: Set(if number == 0 { 1 } else { number }),
        document: Set(text.clone()),
        version: Set(1),
        created_at: Set(now()),
        created_by: Set(caller.user_id.clone()),
        updated_at: Set(now()),
        updated_by: Set(caller.user_id.clone()),
    })
    .exec_without_returning(txn)
    .await
    .map_err(|e| {
        conflict_on_unique(e, || {
            format!(
                "a {} was recorded at the same moment; try again",
                kind.as_str()
            )
        })
    })?;
    write_history(
        txn,
        caller,
        young_person_id,
        &history_name(kind, &id),
        1,
        "created",
        &text,
    )
    .await?;
    audit::record(
        txn,
        caller,
        AuditAction::RecordCreate,
        &format!("child:{} {}:{id}", child.record.reference, kind.as_str()),
    )
    .await?;
    get_in(txn, team, young_person_id, kind, &id).await
}

/// Adds a record of `kind` (orders, partner decisions, assessments; risk plans once).
pub async fn add<T: Serialize + DeserializeOwned>(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    kind: RecordKind,
    document: &T,
) -> StoreResult<Stored<T>> {
    let txn = begin_write(db).await?;
    let out = add_in(&txn, caller, young_person_id, kind, document).await;
    finish(txn, out).await
}

async fn get_in<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    kind: RecordKind,
    id: &str,
) -> StoreResult<Stored<T>> {
    let model = case_records::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .filter(|m| m.young_person_id == young_person_id && m.kind == kind.as_str())
        .ok_or(StoreError::NotFound)?;
    stored(model)
}

pub async fn get<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    kind: RecordKind,
    id: &str,
) -> StoreResult<Stored<T>> {
    get_in(db, team, young_person_id, kind, id).await
}

/// A young person's records of one kind, oldest first.
pub async fn list<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    kind: RecordKind,
) -> StoreResult<Vec<Stored<T>>> {
    case_records::Entity::find()
        .filter(case_records::Column::TeamId.eq(team))
        .filter(case_records::Column::YoungPersonId.eq(young_person_id))
        .filter(case_records::Column::Kind.eq(kind.as_str()))
        .order_by_asc(case_records::Column::Number)
        .order_by_asc(case_records::Column::CreatedAt)
        .order_by_asc(case_records::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(stored)
        .collect()
}

/// Every record of one kind in the team, oldest first within each young person (the
/// managers' reports read the whole caseload at once).
pub async fn list_for_team<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    team: &str,
    kind: RecordKind,
) -> StoreResult<Vec<Stored<T>>> {
    case_records::Entity::find()
        .filter(case_records::Column::TeamId.eq(team))
        .filter(case_records::Column::Kind.eq(kind.as_str()))
        .order_by_asc(case_records::Column::YoungPersonId)
        .order_by_asc(case_records::Column::Number)
        .order_by_asc(case_records::Column::CreatedAt)
        .order_by_asc(case_records::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(stored)
        .collect()
}

/// The newest record of a kind (the latest assessment, the current order).
pub async fn latest<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    kind: RecordKind,
) -> StoreResult<Option<Stored<T>>> {
    Ok(list(db, team, young_person_id, kind).await?.pop())
}

/// Replaces a record's document if `expected_version` is current. Assessments are never
/// changed (a new one is recorded).
pub async fn update<T: Serialize + DeserializeOwned>(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    kind: RecordKind,
    id: &str,
    document: &T,
    expected_version: i64,
) -> StoreResult<Stored<T>> {
    let team = caller.team_id.as_str();
    let text = serde_json::to_string(document)?;
    let txn = begin_write(db).await?;
    let out = async {
        let current: Stored<serde_json::Value> =
            get_in(&txn, team, young_person_id, kind, id).await?;
        let child = get_child(&txn, team, young_person_id).await?;
        let updated = case_records::Entity::update_many()
            .col_expr(case_records::Column::Document, Expr::value(text.clone()))
            .col_expr(
                case_records::Column::Version,
                Expr::col(case_records::Column::Version).add(1),
            )
            .col_expr(case_records::Column::UpdatedAt, Expr::value(now()))
            .col_expr(
                case_records::Column::UpdatedBy,
                Expr::value(caller.user_id.clone()),
            )
            .filter(case_records::Column::TeamId.eq(team))
            .filter(case_records::Column::Id.eq(id))
            .filter(case_records::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Stale {
                current: current.version,
            });
        }
        write_history(
            &txn,
            caller,
            young_person_id,
            &history_name(kind, id),
            expected_version + 1,
            "updated",
            &text,
        )
        .await?;
        audit::record(
            &txn,
            caller,
            AuditAction::RecordUpdate,
            &format!("child:{} {}:{id}", child.record.reference, kind.as_str()),
        )
        .await?;
        get_in(&txn, team, young_person_id, kind, id).await
    }
    .await;
    finish(txn, out).await
}

/// Records a new assessment and, when it brings a significant change, the review it needs,
/// in one transaction.
pub async fn add_assessment(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    assessment: &crate::domain::casework::Assessment,
    review: Option<&super::reviews::NewReview>,
) -> StoreResult<Stored<crate::domain::casework::Assessment>> {
    let txn = begin_write(db).await?;
    let out = async {
        let saved = add_in(
            &txn,
            caller,
            young_person_id,
            RecordKind::Assessment,
            assessment,
        )
        .await?;
        if let Some(review) = review {
            super::reviews::add_in(&txn, caller, young_person_id, review).await?;
        }
        Ok(saved)
    }
    .await;
    finish(txn, out).await
}
