//! Who may do what. Each use case names the roles it serves; what a role may see of a child's
//! data is decided here and nowhere else.

use sea_orm::DatabaseConnection;

use super::{AppError, AppResult};
use crate::accounts::{Caller, Role};
use crate::store::{self, audit::AuditAction};

pub const EVERYONE: &[Role] = &[
    Role::CaseManager,
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
];
/// Those who manage the local offer: the catalogue, provision, cohorts and bookings.
pub const COORDINATORS: &[Role] = &[Role::Coordinator, Role::Admin];
/// Those who plan for children.
pub const PLANNERS: &[Role] = &[Role::CaseManager, Role::Coordinator, Role::Admin];
pub const ADMINS: &[Role] = &[Role::Admin];

/// A caller and the store they act on: every use case takes one.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    pub db: &'a DatabaseConnection,
    pub caller: &'a Caller,
}

impl<'a> Access<'a> {
    pub fn new(db: &'a DatabaseConnection, caller: &'a Caller) -> Access<'a> {
        Access { db, caller }
    }

    pub fn team(&self) -> &'a str {
        &self.caller.team_id
    }

    /// 403 unless the caller has one of `roles`.
    pub fn allow(&self, roles: &[Role]) -> AppResult<()> {
        if self.caller.is(roles) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the caller's role sees children's case references (managers see aggregates).
    pub fn sees_children(&self) -> bool {
        self.caller.role != Role::Manager
    }

    /// Records a read of children's data (who, what, when) before it is returned.
    pub async fn audit_read(&self, action: AuditAction, subject: &str) -> AppResult<()> {
        store::audit::record(self.db, self.caller, action, subject).await?;
        Ok(())
    }
}

/// The caller a bearer token stands for, if it is a live token.
pub async fn authenticate(db: &DatabaseConnection, token: &str) -> AppResult<Option<Caller>> {
    Ok(store::accounts::authenticate(db, token).await?)
}
