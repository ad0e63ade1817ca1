//! Teams, users and bearer tokens. Tokens are random and stored only as SHA-256 hashes.

use rand::RngCore;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::entities::{api_tokens, teams, users};
use super::{StoreError, StoreResult, begin_write, now};
use crate::accounts::{Caller, Role};
use crate::planner::PlannerSettings;

const TOKEN_PREFIX: &str = "ipt_";

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates the team if it does not exist; returns whether it was created.
pub async fn ensure_team(db: &DatabaseConnection, id: &str, name: &str) -> StoreResult<bool> {
    if teams::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    teams::ActiveModel {
        id: Set(id.to_string()),
        name: Set(name.to_string()),
        planner_settings: Set(serde_json::to_string(&PlannerSettings::default())?),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(true)
}

/// Every team's id, in order (an admin's reports across teams).
pub async fn team_ids(db: &DatabaseConnection) -> StoreResult<Vec<String>> {
    use sea_orm::QueryOrder;
    Ok(teams::Entity::find()
        .order_by_asc(teams::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect())
}

pub async fn team_exists(db: &DatabaseConnection, id: &str) -> StoreResult<bool> {
    Ok(teams::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .is_some())
}

pub async fn planner_settings(db: &DatabaseConnection, team: &str) -> StoreResult<PlannerSettings> {
    let team = teams::Entity::find_by_id(team.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(serde_json::from_str(&team.planner_settings)?)
}

/// Replaces the caller's team's planner settings, with its audit entry in one transaction.
pub async fn set_planner_settings(
    db: &DatabaseConnection,
    caller: &Caller,
    settings: &PlannerSettings,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let out = async {
        let model = teams::Entity::find_by_id(caller.team_id.clone())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut active: teams::ActiveModel = model.into();
        active.planner_settings = Set(serde_json::to_string(settings)?);
        active.update(&txn).await?;
        super::audit::record(
            &txn,
            caller,
            super::audit::AuditAction::SettingsUpdate,
            "settings:planner",
        )
        .await
    }
    .await;
    super::finish(txn, out).await
}

pub struct NewToken {
    pub token_id: String,
    pub user_id: String,
    /// Shown once; only its hash is kept.
    pub token: String,
}

/// Whether `user` is a user of `team`.
pub async fn user_in_team(db: &DatabaseConnection, team: &str, user: &str) -> StoreResult<bool> {
    Ok(users::Entity::find_by_id(user.to_string())
        .one(db)
        .await?
        .is_some_and(|u| u.team_id == team))
}

/// A named user of `team` with `role` (the demo's case managers), created once.
pub async fn ensure_user(
    db: &DatabaseConnection,
    team: &str,
    id: &str,
    name: &str,
    role: Role,
) -> StoreResult<()> {
    if users::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .is_none()
    {
        users::ActiveModel {
            id: Set(id.to_string()),
            team_id: Set(team.to_string()),
            name: Set(name.to_string()),
            role: Set(role.as_str().to_string()),
            created_at: Set(now()),
            password_hash: Set(None),
            disabled_at: Set(None),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A new token for an existing user of `team` (the demo's case managers): 404 when there is no
/// such user in the team.
pub async fn create_token_for_user(
    db: &DatabaseConnection,
    team: &str,
    user_id: &str,
    label: &str,
) -> StoreResult<NewToken> {
    if !user_in_team(db, team, user_id).await? {
        return Err(StoreError::NotFound);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let token_id = uuid::Uuid::new_v4().to_string();
    api_tokens::ActiveModel {
        id: Set(token_id.clone()),
        team_id: Set(team.to_string()),
        user_id: Set(user_id.to_string()),
        token_hash: Set(hash_token(&token)),
        label: Set(label.to_string()),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(NewToken {
        token_id,
        user_id: user_id.to_string(),
        token,
    })
}

/// Creates a user with `role` in `team` and a token for them.
pub async fn create_token(
    db: &DatabaseConnection,
    team: &str,
    role: Role,
    label: &str,
) -> StoreResult<NewToken> {
    if !team_exists(db, team).await? {
        return Err(StoreError::NotFound);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let user_id = uuid::Uuid::new_v4().to_string();
    let token_id = uuid::Uuid::new_v4().to_string();
    let txn = begin_write(db).await?;
    users::ActiveModel {
        id: Set(user_id.clone()),
        team_id: Set(team.to_string()),
        name: Set(label.to_string()),
        role: Set(role.as_str().to_string()),
        created_at: Set(now()),
        password_hash: Set(None),
        disabled_at: Set(None),
    }
    .insert(&txn)
    .await?;
    api_tokens::ActiveModel {
        id: Set(token_id.clone()),
        team_id: Set(team.to_string()),
        user_id: Set(user_id.clone()),
        token_hash: Set(hash_token(&token)),
        label: Set(label.to_string()),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(NewToken {
        token_id,
        user_id,
        token,
    })
}

/// The caller a bearer token belongs to, unless it is unknown or revoked.
pub async fn authenticate(db: &DatabaseConnection, token: &str) -> StoreResult<Option<Caller>> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
        return Ok(None);
    }
    let Some(row) = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(hash_token(token)))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = users::Entity::find_by_id(row.user_id.clone())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    Ok(Role::parse(&user.role).map(|role| Caller {
        team_id: row.team_id,
        user_id: user.id,
        role,
        route: String::new(),
    }))
}

/// Revokes a token, given either the token itself or its id.
pub async fn revoke_token(db: &DatabaseConnection, token_or_id: &str) -> StoreResult<()> {
    let row = api_tokens::Entity::find()
        .filter(
            api_tokens::Column::TokenHash
                .eq(hash_token(token_or_id))
                .or(api_tokens::Column::Id.eq(token_or_id)),
        )
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.revoked_at.is_none() {
        let mut active: api_tokens::ActiveModel = row.into();
        active.revoked_at = Set(Some(now()));
        active.update(db).await?;
    }
    Ok(())
}
