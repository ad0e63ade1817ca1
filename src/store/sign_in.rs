//! Passwords, sessions and failed sign-ins (docs/security.md). Session ids and the subjects of
//! failed sign-ins are stored only as SHA-256 hashes; times are RFC 3339 UTC strings, which order
//! as text.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use super::entities::users;
use super::{StoreError, StoreResult, now};
use crate::accounts::Role;

pub mod sessions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub team_id: String,
        pub user_id: String,
        pub csrf_token: String,
        pub created_at: String,
        pub last_seen_at: String,
        pub ended_at: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sign_in_failures {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sign_in_failures")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub subject: String,
        pub at: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What signing in needs to know of a user.
pub struct SignInUser {
    pub id: String,
    pub team_id: String,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

pub async fn user(db: &DatabaseConnection, user_id: &str) -> StoreResult<Option<SignInUser>> {
    let Some(user) = users::Entity::find_by_id(user_id.to_string())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(role) = Role::parse(&user.role) else {
        return Ok(None);
    };
    Ok(Some(SignInUser {
        id: user.id,
        team_id: user.team_id,
        name: user.name,
        role,
        password_hash: user.password_hash,
        disabled: user.disabled_at.is_some(),
    }))
}

/// Sets a user's password hash (and enables the user).
pub async fn set_password(db: &DatabaseConnection, user_id: &str, phc: &str) -> StoreResult<()> {
    let user = users::Entity::find_by_id(user_id.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(Some(phc.to_string()));
    active.disabled_at = Set(None);
    active.update(db).await?;
    Ok(())
}

/// Disables a user and ends every session of theirs, in one transaction.
pub async fn disable_user(db: &DatabaseConnection, user_id: &str) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let out = async {
        let user = users::Entity::find_by_id(user_id.to_string())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let at = now();
        let mut active: users::ActiveModel = user.into();
        active.disabled_at = Set(Some(at.clone()));
        active.update(&txn).await?;
        sessions::Entity::update_many()
            .col_expr(sessions::Column::EndedAt, Expr::value(at))
            .filter(sessions::Column::UserId.eq(user_id))
            .filter(sessions::Column::EndedAt.is_null())
            .exec(&txn)
            .await?;
        Ok(())
    }
    .await;
    super::finish(txn, out).await
}

pub async fn create_session(
    db: &DatabaseConnection,
    id_hash: &str,
    team_id: &str,
    user_id: &str,
    csrf_token: &str,
) -> StoreResult<()> {
    let at = now();
    sessions::ActiveModel {
        id: Set(id_hash.to_string()),
        team_id: Set(team_id.to_string()),
        user_id: Set(user_id.to_string()),
        csrf_token: Set(csrf_token.to_string()),
        created_at: Set(at.clone()),
        last_seen_at: Set(at),
        ended_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn session(
    db: &DatabaseConnection,
    id_hash: &str,
) -> StoreResult<Option<sessions::Model>> {
    Ok(sessions::Entity::find_by_id(id_hash.to_string())
        .one(db)
        .await?)
}

/// Records activity on a live session (the idle timeout counts from here).
pub async fn touch_session(db: &DatabaseConnection, id_hash: &str, at: &str) -> StoreResult<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::LastSeenAt, Expr::value(at.to_string()))
        .filter(sessions::Column::Id.eq(id_hash))
        .filter(sessions::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn end_session(db: &DatabaseConnection, id_hash: &str) -> StoreResult<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::EndedAt, Expr::value(now()))
        .filter(sessions::Column::Id.eq(id_hash))
        .filter(sessions::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Failed sign-ins for `subject` at or after `since`.
pub async fn failures_since(
    db: &DatabaseConnection,
    subject: &str,
    since: &str,
) -> StoreResult<u64> {
    Ok(sign_in_failures::Entity::find()
        .filter(sign_in_failures::Column::Subject.eq(subject))
        .filter(sign_in_failures::Column::At.gte(since))
        .count(db)
        .await?)
}

/// Records one failed sign-in against each subject, and forgets failures older than `forget_before`.
pub async fn record_failure(
    db: &DatabaseConnection,
    subjects: &[&str],
    forget_before: &str,
) -> StoreResult<()> {
    let at = now();
    for subject in subjects {
        sign_in_failures::ActiveModel {
            subject: Set(subject.to_string()),
            at: Set(at.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    sign_in_failures::Entity::delete_many()
        .filter(sign_in_failures::Column::At.lt(forget_before))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets an account's failed sign-ins (after it signs in).
pub async fn clear_failures(db: &DatabaseConnection, subject: &str) -> StoreResult<()> {
    sign_in_failures::Entity::delete_many()
        .filter(sign_in_failures::Column::Subject.eq(subject))
        .exec(db)
        .await?;
    Ok(())
}
