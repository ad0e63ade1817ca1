//! Cohorts: one per start date of a fixed-start provision, or one rolling place pool. `filled`
//! only ever changes through the conditional updates in `store::bookings`, and `places` only
//! through `update`, which refuses to go below `filled` in the same statement.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, Set, SqlErr, TransactionTrait,
};
use serde::Serialize;

use super::audit::AuditAction;
use super::capacity_entities::{cohort_facilitators, cohorts, facilitators};
use super::provision::StoredProvision;
use super::{StoreError, StoreResult, audit, begin_write, finish, now};
use crate::accounts::Caller;
use crate::domain::{FieldErrors, Provision};

/// A store error, or input that the store found invalid (places below filled, an unknown
/// facilitator), named by field.
#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(FieldErrors),
}

impl From<DbErr> for CapacityError {
    fn from(e: DbErr) -> Self {
        CapacityError::Store(StoreError::Db(e))
    }
}

impl CapacityError {
    fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        CapacityError::Invalid(errors)
    }
}

/// Maps a unique-key violation (on either backend) to a 409 with `message`.
pub(crate) fn conflict_on_unique(e: DbErr, message: impl FnOnce() -> String) -> StoreError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(message()),
        _ => StoreError::Db(e),
    }
}

/// Today's date (UTC), the default "from" of the coordinator views.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A cohort as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    pub id: String,
    pub provision: String,
    pub intervention: String,
    /// The start date; absent for a rolling provision's place pool.
    pub start: Option<NaiveDate>,
    pub rolling: bool,
    pub places: i64,
    pub filled: i64,
    pub free: i64,
    /// Where it runs: the cohort's own area, else the provision's.
    pub area: String,
    /// Facilitator ids.
    pub facilitators: Vec<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub fn parse_date(text: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Db(DbErr::Custom(format!("stored date '{text}': {e}"))))
}

pub(crate) fn read(
    model: cohorts::Model,
    provision: &Provision,
    facilitators: Vec<String>,
) -> StoreResult<Cohort> {
    Ok(Cohort {
        start: model.start.as_deref().map(parse_date).transpose()?,
        rolling: model.start.is_none(),
        free: model.places - model.filled,
        area: if model.area.is_empty() {
            provision.area.clone()
        } else {
            model.area
        },
        id: model.id,
        provision: model.provision_id,
        intervention: provision.intervention.clone(),
        places: model.places,
        filled: model.filled,
        facilitators,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// Facilitator ids attached to each cohort of the team.
async fn attached(
    db: &impl ConnectionTrait,
    team: &str,
    cohort: Option<&str>,
) -> StoreResult<BTreeMap<String, Vec<String>>> {
    let mut query =
        cohort_facilitators::Entity::find().filter(cohort_facilitators::Column::TeamId.eq(team));
    if let Some(cohort) = cohort {
        query = query.filter(cohort_facilitators::Column::CohortId.eq(cohort));
    }
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in query.all(db).await? {
        out.entry(row.cohort_id)
            .or_default()
            .push(row.facilitator_id);
    }
    for ids in out.values_mut() {
        ids.sort();
    }
    Ok(out)
}

pub(crate) fn sort_cohorts(list: &mut [Cohort]) {
    list.sort_by(|a, b| (&a.provision, a.start, &a.id).cmp(&(&b.provision, b.start, &b.id)));
}

/// Every cohort of the team, by provision, then start (the rolling pool first).
pub async fn list(db: &impl ConnectionTrait, team: &str) -> StoreResult<Vec<Cohort>> {
    let provisions: BTreeMap<String, StoredProvision> = super::provision::list(db, team)
        .await?
        .into_iter()
        .map(|p| (p.provision.id.clone(), p))
        .collect();
    let mut attached = attached(db, team, None).await?;
    let mut out = Vec::new();
    for model in cohorts::Entity::find()
        .filter(cohorts::Column::TeamId.eq(team))
        .all(db)
        .await?
    {
        let Some(p) = provisions.get(&model.provision_id) else {
            continue;
        };
        let ids = attached.remove(&model.id).unwrap_or_default();
        out.push(read(model, &p.provision, ids)?);
    }
    sort_cohorts(&mut out);
    Ok(out)
}

pub(crate) async fn find_model(
    db: &impl ConnectionTrait,
    team: &str,
    id: &str,
) -> StoreResult<cohorts::Model> {
    cohorts::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn get(db: &impl ConnectionTrait, team: &str, id: &str) -> StoreResult<Cohort> {
    let model = find_model(db, team, id).await?;
    let provision = super::provision::get(db, team, &model.provision_id).await?;
    let ids = attached(db, team, Some(id))
        .await?
        .remove(id)
        .unwrap_or_default();
    read(model, &provision.provision, ids)
}

/// The id a cohort gets when none is given: `<provision>-<yyyymmdd>` or `<provision>-rolling`.
pub fn derived_id(provision: &str, start: Option<NaiveDate>) -> String {
    match start {
        Some(day) => format!("{provision}-{}", day.format("%Y%m%d")),
        None => format!("{provision}-rolling"),
    }
}

pub struct NewCohort {
    pub id: Option<String>,
    pub provision: String,
    pub start: Option<NaiveDate>,
    pub places: i64,
    pub area: String,
    pub facilitators: Vec<String>,
}

/// Checks that every facilitator exists in the team (422 naming the entry otherwise).
async fn check_facilitators(
    db: &impl ConnectionTrait,
    team: &str,
    ids: &[String],
) -> Result<(), CapacityError> {
    if ids.is_empty() {
        return Ok(());
    }
    let known: BTreeSet<String> = facilitators::Entity::find()
        .filter(facilitators::Column::TeamId.eq(team))
        .filter(facilitators::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let mut errors = FieldErrors::default();
    for (k, id) in ids.iter().enumerate() {
        if !known.contains(id) {
            errors.push(
                format!("facilitators[{k}]"),
                format!("unknown facilitator '{id}'"),
            );
        }
    }
    errors.into_result(()).map_err(CapacityError::Invalid)
}

/// Replaces the cohort's facilitators (distinct ids, already checked).
async fn set_facilitators(
    txn: &DatabaseTransaction,
    team: &str,
    cohort: &str,
    ids: &[String],
) -> StoreResult<()> {
    cohort_facilitators::Entity::delete_many()
        .filter(cohort_facilitators::Column::TeamId.eq(team))
        .filter(cohort_facilitators::Column::CohortId.eq(cohort))
        .exec(txn)
        .await?;
    let distinct: BTreeSet<&String> = ids.iter().collect();
    if distinct.is_empty() {
        return Ok(());
    }
    cohort_facilitators::Entity::insert_many(distinct.into_iter().map(|f| {
        cohort_facilitators::ActiveModel {
            team_id: Set(team.to_string()),
            cohort_id: Set(cohort.to_string()),
            facilitator_id: Set(f.clone()),
        }
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

fn check_start(provision: &Provision, start: Option<NaiveDate>) -> Result<(), CapacityError> {
    match (provision.rolling, start) {
        (true, Some(_)) => Err(CapacityError::invalid(
            "start",
            format!(
                "'{}' is rolling: its one place pool has no start date",
                provision.id
            ),
        )),
        (false, None) => Err(CapacityError::invalid(
            "start",
            format!(
                "'{}' has fixed starts: give the cohort's start date",
                provision.id
            ),
        )),
        (false, Some(day)) if !provision.starts.contains(&day) => Err(CapacityError::invalid(
            "start",
            format!(
                "{day} is not one of the starts of '{}': add it to the provision first",
                provision.id
            ),
        )),
        _ => Ok(()),
    }
}

fn new_row(
    team: &str,
    id: &str,
    provision: &str,
    start: Option<NaiveDate>,
    places: i64,
    area: &str,
) -> cohorts::ActiveModel {
    let at = now();
    cohorts::ActiveModel {
        team_id: Set(team.to_string()),
        id: Set(id.to_string()),
        provision_id: Set(provision.to_string()),
        start: Set(start.map(|d| d.to_string())),
        places: Set(places),
        filled: Set(0),
        area: Set(area.to_string()),
        version: Set(1),
        created_at: Set(at.clone()),
        updated_at: Set(at),
    }
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    new: &NewCohort,
) -> Result<Cohort, CapacityError> {
    let team = caller.team_id.as_str();
    let provision = match super::provision::get(db, team, &new.provision).await {
        Err(StoreError::NotFound) => {
            return Err(CapacityError::invalid(
                "provision",
                format!("unknown provision '{}'", new.provision),
            ));
        }
        other => other?.provision,
    };
    check_start(&provision, new.start)?;
    let id = derived_id(&provision.id, new.start);
    let id = match &new.id {
        Some(given) if provision.rolling && *given != id => {
            return Err(CapacityError::invalid(
                "id",
                format!("a rolling provision has one place pool, '{id}'"),
            ));
        }
        Some(given) => given.clone(),
        None => id,
    };
    check_facilitators(db, team, &new.facilitators).await?;
    let txn = begin_write(db).await?;
    let out: Result<(), CapacityError> = async {
        cohorts::Entity::insert(new_row(
            team,
            &id,
            &provision.id,
            new.start,
            new.places,
            &new.area,
        ))
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!(
                    "a cohort '{id}', or a cohort of '{}' on that start, already exists",
                    provision.id
                )
            })
        })?;
        set_facilitators(&txn, team, &id, &new.facilitators).await?;
        audit::record(
            &txn,
            caller,
            AuditAction::CohortCreate,
            &format!("cohort:{id}"),
        )
        .await?;
        Ok(())
    }
    .await;
    finish(txn, out).await?;
    Ok(get(db, team, &id).await?)
}

pub struct CohortChange {
    pub start: Option<NaiveDate>,
    pub places: i64,
    pub area: String,
    pub facilitators: Vec<String>,
}

/// Replaces a cohort's start, places, area and facilitators if `expected_version` is current.
/// One conditional UPDATE checks the version and `filled <= places` together, so a booking that
/// lands in between can never leave the cohort over-filled (it bumps the version: 412).
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    id: &str,
    change: &CohortChange,
    expected_version: i64,
) -> Result<Cohort, CapacityError> {
    let team = caller.team_id.as_str();
    let current = find_model(db, team, id).await?;
    let provision = super::provision::get(db, team, &current.provision_id).await?;
    check_start(&provision.provision, change.start)?;
    check_facilitators(db, team, &change.facilitators).await?;
    let txn = begin_write(db).await?;
    let out: Result<(), CapacityError> = async {
        let result = cohorts::Entity::update_many()
            .col_expr(
                cohorts::Column::Start,
                Expr::value(change.start.map(|d| d.to_string())),
            )
            .col_expr(cohorts::Column::Places, Expr::value(change.places))
            .col_expr(cohorts::Column::Area, Expr::value(change.area.clone()))
            .col_expr(cohorts::Column::UpdatedAt, Expr::value(now()))
            .col_expr(
                cohorts::Column::Version,
                Expr::col(cohorts::Column::Version).add(1),
            )
            .filter(cohorts::Column::TeamId.eq(team))
            .filter(cohorts::Column::Id.eq(id))
            .filter(cohorts::Column::Version.eq(expected_version))
            .filter(cohorts::Column::Filled.lte(change.places))
            .exec(&txn)
            .await
            .map_err(|e| {
                conflict_on_unique(e, || {
                    format!(
                        "another cohort of '{}' has that start",
                        current.provision_id
                    )
                })
            })?;
        if result.rows_affected != 1 {
            let now = find_model(&txn, team, id).await?;
            if now.version != expected_version {
                return Err(StoreError::Stale {
                    current: now.version,
                }
                .into());
            }
            return Err(CapacityError::invalid(
                "places",
                format!(
                    "{} places are already filled: places cannot go below that",
                    now.filled
                ),
            ));
        }
        set_facilitators(&txn, team, id, &change.facilitators).await?;
        audit::record(
            &txn,
            caller,
            AuditAction::CohortUpdate,
            &format!("cohort:{id}"),
        )
        .await?;
        Ok(())
    }
    .await;
    finish(txn, out).await?;
    Ok(get(db, team, id).await?)
}

/// Books a new cohort's participants listed in its provision through the booking rules
/// (places, rival groups, the waiting list), each in its own savepoint: a participant the rules
/// refuse is left unbooked, not the whole sync. Returns how many were booked.
async fn book_listed(
    txn: &DatabaseTransaction,
    caller: &Caller,
    provision: &Provision,
    cohort: &str,
    start: Option<NaiveDate>,
    today: NaiveDate,
) -> StoreResult<usize> {
    let participants: Vec<_> = match start {
        Some(day) => provision.cohort_participants(day).collect(),
        None => provision.participants_during(today, today),
    };
    let mut seen = BTreeSet::new();
    let mut booked = 0;
    for p in participants {
        if !seen.insert(p.reference.clone()) {
            continue;
        }
        let attempt = txn.begin().await?;
        let groups = &p.gang_affiliations;
        match super::bookings::book_in(&attempt, caller, cohort, &p.reference, groups).await {
            Ok(_) => {
                attempt.commit().await?;
                booked += 1;
            }
            Err(StoreError::Conflict(_)) => attempt.rollback().await?,
            Err(e) => return Err(e),
        }
    }
    Ok(booked)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncReport {
    /// Cohorts created by this call.
    pub created: Vec<Cohort>,
    /// Ids of the provision's cohorts that already existed (left alone).
    pub existing: Vec<String>,
    /// Participants listed in the provision that were booked into the new cohorts.
    pub participants_booked: usize,
}

/// The cohort of `provision` at `start` (the rolling pool for `None`), created inside `txn` with
/// the provision's places when there is none (its listed participants booked into it, as
/// `sync` does): its id, whether it is new, and how many listed participants were booked.
pub(crate) async fn ensure_in(
    txn: &DatabaseTransaction,
    caller: &Caller,
    provision: &Provision,
    start: Option<NaiveDate>,
    today: NaiveDate,
) -> StoreResult<(String, bool, usize)> {
    let team = caller.team_id.as_str();
    let id = derived_id(&provision.id, start);
    let inserted = cohorts::Entity::insert(new_row(
        team,
        &id,
        &provision.id,
        start,
        provision.places,
        "",
    ))
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    if inserted == 0 {
        // It may have been created by hand under another id: that one is the cohort.
        let found = cohorts::Entity::find()
            .filter(cohorts::Column::TeamId.eq(team))
            .filter(cohorts::Column::ProvisionId.eq(provision.id.as_str()))
            .filter(match start {
                Some(day) => cohorts::Column::Start.eq(day.to_string()),
                None => cohorts::Column::Id.eq(id.as_str()),
            })
            .one(txn)
            .await?;
        return Ok((found.map_or(id, |c| c.id), false, 0));
    }
    audit::record(
        txn,
        caller,
        AuditAction::CohortCreate,
        &format!("cohort:{id}"),
    )
    .await?;
    let booked = book_listed(txn, caller, provision, &id, start, today).await?;
    Ok((id, true, booked))
}

/// Creates a cohort for each start of a fixed-start provision, or its one rolling pool, with
/// the provision's places, skipping those that exist (idempotent: `INSERT … ON CONFLICT DO
/// NOTHING`, so two concurrent syncs cannot both create one). The provision's listed
/// participants of a new cohort are booked into it in the same transaction, up to its places.
pub async fn sync(
    db: &DatabaseConnection,
    caller: &Caller,
    provision_id: &str,
) -> StoreResult<SyncReport> {
    let team = caller.team_id.as_str();
    let provision = super::provision::get(db, team, provision_id)
        .await?
        .provision;
    let starts: Vec<Option<NaiveDate>> = if provision.rolling {
        vec![None]
    } else {
        provision.starts.iter().copied().map(Some).collect()
    };
    let today = today();
    let txn = begin_write(db).await?;
    let out: StoreResult<(Vec<String>, Vec<String>, usize)> = async {
        let (mut created, mut existing, mut booked) = (Vec::new(), Vec::new(), 0);
        for start in starts {
            let (id, new, listed) = ensure_in(&txn, caller, &provision, start, today).await?;
            if new {
                booked += listed;
                created.push(id);
            } else {
                existing.push(id);
            }
        }
        Ok((created, existing, booked))
    }
    .await;
    let (created, existing, participants_booked) = finish(txn, out).await?;
    let mut cohorts = Vec::new();
    for id in &created {
        cohorts.push(get(db, team, id).await?);
    }
    Ok(SyncReport {
        created: cohorts,
        existing,
        participants_booked,
    })
}
