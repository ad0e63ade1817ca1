//! A child's plan versions and their lifecycle. Accepting a plan books its places, releases
//! the places of the version it replaces, schedules its reviews and stores the answer of an
//! idempotent request, all in one transaction: everything or nothing.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::audit::{self, AuditAction};
use super::case_records::{get_child, write_history};
use super::casework_entities::case_plans;
use super::idempotency::Claim;
use super::reviews::{self, NewReview};
use super::{StoreError, StoreResult, begin_write, finish, now};
use crate::accounts::Caller;
use crate::domain::Provision;
use crate::domain::case_plan::{Agreement, Place, PlanDocument, PlanState};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlan {
    pub id: String,
    pub young_person_id: String,
    pub order_id: String,
    /// 1, 2, … per young person.
    pub number: i64,
    pub state: PlanState,
    pub document: PlanDocument,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

fn read(m: case_plans::Model) -> StoreResult<StoredPlan> {
    Ok(StoredPlan {
        state: PlanState::parse(&m.state).unwrap_or(PlanState::Draft),
        document: serde_json::from_str(&m.document)?,
        id: m.id,
        young_person_id: m.young_person_id,
        order_id: m.order_id,
        number: m.number,
        version: m.version,
        created_at: m.created_at,
        created_by: m.created_by,
        updated_at: m.updated_at,
        updated_by: m.updated_by,
    })
}

pub async fn get(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
    id: &str,
) -> StoreResult<StoredPlan> {
    let m = case_plans::Entity::find_by_id((team.to_string(), id.to_string()))
        .one(db)
        .await?
        .filter(|m| m.young_person_id == young_person_id)
        .ok_or(StoreError::NotFound)?;
    read(m)
}

/// A young person's plan versions, first first.
pub async fn list(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
) -> StoreResult<Vec<StoredPlan>> {
    case_plans::Entity::find()
        .filter(case_plans::Column::TeamId.eq(team))
        .filter(case_plans::Column::YoungPersonId.eq(young_person_id))
        .order_by_asc(case_plans::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// The plan being delivered (accepted or active), if any.
pub async fn live(
    db: &impl ConnectionTrait,
    team: &str,
    young_person_id: &str,
) -> StoreResult<Option<StoredPlan>> {
    Ok(list(db, team, young_person_id)
        .await?
        .into_iter()
        .rfind(|p| p.state.is_live()))
}

/// Every plan of the team in the given states (the caseload's checks).
pub async fn in_states(
    db: &impl ConnectionTrait,
    team: &str,
    states: &[PlanState],
) -> StoreResult<Vec<StoredPlan>> {
    case_plans::Entity::find()
        .filter(case_plans::Column::TeamId.eq(team))
        .filter(case_plans::Column::State.is_in(states.iter().map(|s| s.as_str())))
        .order_by_asc(case_plans::Column::YoungPersonId)
        .order_by_asc(case_plans::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Stores a newly built plan as the young person's next version, a draft.
pub async fn create_draft(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    order_id: &str,
    document: &PlanDocument,
) -> StoreResult<StoredPlan> {
    let team = caller.team_id.as_str();
    let text = serde_json::to_string(document)?;
    let txn = begin_write(db).await?;
    let out = async {
        let child = get_child(&txn, team, young_person_id).await?;
        let last: Option<i64> = case_plans::Entity::find()
            .select_only()
            .column_as(case_plans::Column::Number.max(), "last")
            .filter(case_plans::Column::TeamId.eq(team))
            .filter(case_plans::Column::YoungPersonId.eq(young_person_id))
            .into_tuple::<Option<i64>>()
            .one(&txn)
            .await?
            .flatten();
        let id = uuid::Uuid::new_v4().to_string();
        case_plans::Entity::insert(case_plans::ActiveModel {
            team_id: Set(team.to_string()),
            id: Set(id.clone()),
            young_person_id: Set(young_person_id.to_string()),
            order_id: Set(order_id.to_string()),
            number: Set(last.unwrap_or(0) + 1),
            state: Set(PlanState::Draft.as_str().to_string()),
            document: Set(text.clone()),
            version: Set(1),
            created_at: Set(now()),
            created_by: Set(caller.user_id.clone()),
            updated_at: Set(now()),
            updated_by: Set(caller.user_id.clone()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            super::cohorts::conflict_on_unique(e, || {
                "another plan version was built at the same moment; try again".into()
            })
        })?;
        write_history(
            &txn,
            caller,
            young_person_id,
            &format!("plan:{id}"),
            1,
            "created",
            &text,
        )
        .await?;
        audit::record(
            &txn,
            caller,
            AuditAction::PlanCreate,
            &format!("child:{} plan:{id}", child.record.reference),
        )
        .await?;
        get(&txn, team, young_person_id, &id).await
    }
    .await;
    finish(txn, out).await
}

/// Writes a plan's new state and document if `expected_version` is current, with its history
/// entry (`change`) and audit entry.
async fn change_in(
    txn: &DatabaseTransaction,
    caller: &Caller,
    plan: &StoredPlan,
    expected_version: i64,
    state: PlanState,
    document: &PlanDocument,
    change: &str,
) -> StoreResult<()> {
    let team = caller.team_id.as_str();
    let text = serde_json::to_string(document)?;
    let updated = case_plans::Entity::update_many()
        .col_expr(case_plans::Column::State, Expr::value(state.as_str()))
        .col_expr(case_plans::Column::Document, Expr::value(text.clone()))
        .col_expr(
            case_plans::Column::Version,
            Expr::col(case_plans::Column::Version).add(1),
        )
        .col_expr(case_plans::Column::UpdatedAt, Expr::value(now()))
        .col_expr(
            case_plans::Column::UpdatedBy,
            Expr::value(caller.user_id.clone()),
        )
        .filter(case_plans::Column::TeamId.eq(team))
        .filter(case_plans::Column::Id.eq(plan.id.as_str()))
        .filter(case_plans::Column::Version.eq(expected_version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(StoreError::Stale {
            current: plan.version,
        });
    }
    write_history(
        txn,
        caller,
        &plan.young_person_id,
        &format!("plan:{}", plan.id),
        expected_version + 1,
        change,
        &text,
    )
    .await?;
    let child = get_child(txn, team, &plan.young_person_id).await?;
    audit::record(
        txn,
        caller,
        AuditAction::PlanChange,
        &format!("child:{} plan:{} {change}", child.record.reference, plan.id),
    )
    .await
}

/// A place an accepted plan needs: the provision and its cohort's start (`None`: the rolling
/// pool).
#[derive(Debug, Clone)]
pub struct WantedPlace {
    pub intervention: String,
    pub provision: Provision,
    pub start: Option<NaiveDate>,
}

/// What accepting a plan does besides changing its state.
pub struct Acceptance {
    pub reference: String,
    /// The groups the child's bookings carry (rival-group and non-association checks).
    pub groups: Vec<String>,
    pub places: Vec<WantedPlace>,
    pub reviews: Vec<NewReview>,
    pub agreement: Option<Agreement>,
    pub today: NaiveDate,
}

/// Accepts a draft: books every place it needs (keeping the places of the replaced version
/// that it still uses, releasing the others), supersedes the live version, schedules the
/// reviews. 409 naming the cohort when a place cannot be had; nothing is stored then.
pub async fn accept(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    plan_id: &str,
    expected_version: i64,
    acceptance: Acceptance,
    claim: Option<(&Claim, &dyn Fn(&StoredPlan) -> String)>,
) -> StoreResult<StoredPlan> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let out = async {
        let plan = get(&txn, team, young_person_id, plan_id).await?;
        if plan.version != expected_version {
            return Err(StoreError::Stale {
                current: plan.version,
            });
        }
        if plan.state != PlanState::Draft {
            return Err(StoreError::Conflict(format!(
                "plan version {} is {}: only a draft can be accepted",
                plan.number,
                plan.state.as_str()
            )));
        }
        let replaced = live(&txn, team, young_person_id).await?;
        let mut old_places: Vec<Place> = replaced
            .as_ref()
            .map(|p| p.document.places.clone())
            .unwrap_or_default();
        let mut wanted = acceptance.places.clone();
        // Cohort rows are locked in id order, so two acceptances cannot deadlock.
        wanted.sort_by_key(|w| super::cohorts::derived_id(&w.provision.id, w.start));
        let mut places = Vec::new();
        for w in &wanted {
            let (cohort, _, _) =
                super::cohorts::ensure_in(&txn, caller, &w.provision, w.start, acceptance.today)
                    .await?;
            if let Some(k) = old_places.iter().position(|p| p.cohort == cohort) {
                let mut kept = old_places.remove(k);
                kept.intervention = w.intervention.clone();
                places.push(kept);
                continue;
            }
            let booking = super::bookings::book_in(
                &txn,
                caller,
                &cohort,
                &acceptance.reference,
                &acceptance.groups,
            )
            .await?;
            places.push(Place {
                intervention: w.intervention.clone(),
                cohort,
                booking: booking.id,
            });
        }
        if let Some(old) = &replaced {
            for place in &old_places {
                release(&txn, caller, place).await?;
            }
            reviews::cancel_due_for_plan(&txn, team, &old.id).await?;
            let mut document = old.document.clone();
            document.closed_reason = Some(format!("replaced by version {}", plan.number));
            document.places.retain(|p| !old_places.contains(p));
            change_in(
                &txn,
                caller,
                old,
                old.version,
                PlanState::Superseded,
                &document,
                "superseded",
            )
            .await?;
        }
        let mut document = plan.document.clone();
        document.places = places;
        if acceptance.agreement.is_some() {
            document.agreement = acceptance.agreement.clone();
        }
        change_in(
            &txn,
            caller,
            &plan,
            expected_version,
            PlanState::Accepted,
            &document,
            "accepted",
        )
        .await?;
        for review in &acceptance.reviews {
            let mut review = review.clone();
            review.plan_id = Some(plan.id.clone());
            reviews::add_in(&txn, caller, young_person_id, &review).await?;
        }
        let accepted = get(&txn, team, young_person_id, plan_id).await?;
        if let Some((claim, answer)) = claim {
            super::idempotency::complete(&txn, claim, 200, &answer(&accepted)).await?;
        }
        Ok(accepted)
    }
    .await;
    finish(txn, out).await
}

/// Frees a place a plan held (a booking a coordinator already cancelled is simply gone).
async fn release(txn: &DatabaseTransaction, caller: &Caller, place: &Place) -> StoreResult<()> {
    match super::bookings::cancel_in_txn(txn, caller, &place.cohort, &place.booking).await {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Moves a live plan on: to `active` (work has begun) or `closed` (its places not yet started,
/// `release`, are freed and its due reviews cancelled).
pub async fn set_state(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    plan_id: &str,
    expected_version: i64,
    to: PlanState,
    reason: &str,
    release_places: &dyn Fn(&StoredPlan) -> Vec<Place>,
) -> StoreResult<StoredPlan> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let out = async {
        let plan = get(&txn, team, young_person_id, plan_id).await?;
        if plan.version != expected_version {
            return Err(StoreError::Stale {
                current: plan.version,
            });
        }
        let allowed = matches!(
            (plan.state, to),
            (PlanState::Accepted, PlanState::Active)
                | (PlanState::Accepted | PlanState::Active, PlanState::Closed)
                | (PlanState::Draft, PlanState::Closed)
        );
        if !allowed {
            return Err(StoreError::Conflict(format!(
                "plan version {} is {}: it cannot become {}",
                plan.number,
                plan.state.as_str(),
                to.as_str()
            )));
        }
        let mut document = plan.document.clone();
        if to == PlanState::Closed {
            let freed = release_places(&plan);
            for place in &freed {
                release(&txn, caller, place).await?;
            }
            document.places.retain(|p| !freed.contains(p));
            document.closed_reason = Some(reason.to_string());
            reviews::cancel_due_for_plan(&txn, team, &plan.id).await?;
        }
        change_in(
            &txn,
            caller,
            &plan,
            expected_version,
            to,
            &document,
            to.as_str(),
        )
        .await?;
        get(&txn, team, young_person_id, plan_id).await
    }
    .await;
    finish(txn, out).await
}

/// Records the child's and carer's agreement on a plan version.
pub async fn set_agreement(
    db: &DatabaseConnection,
    caller: &Caller,
    young_person_id: &str,
    plan_id: &str,
    expected_version: i64,
    agreement: &Agreement,
) -> StoreResult<StoredPlan> {
    let team = caller.team_id.as_str();
    let txn = begin_write(db).await?;
    let out = async {
        let plan = get(&txn, team, young_person_id, plan_id).await?;
        if plan.version != expected_version {
            return Err(StoreError::Stale {
                current: plan.version,
            });
        }
        let mut document = plan.document.clone();
        document.agreement = Some(agreement.clone());
        change_in(
            &txn,
            caller,
            &plan,
            expected_version,
            plan.state,
            &document,
            "agreement",
        )
        .await?;
        get(&txn, team, young_person_id, plan_id).await
    }
    .await;
    finish(txn, out).await
}
