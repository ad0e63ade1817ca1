//! Who is calling: a team member with one role. Pure types; tokens live in `store::accounts`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Role {
    CaseManager,
    Coordinator,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CaseManager => "case_manager",
            Role::Coordinator => "coordinator",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::CaseManager,
            Role::Coordinator,
            Role::Manager,
            Role::Admin,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The authenticated caller. Every query is scoped to `team_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub team_id: String,
    pub user_id: String,
    pub role: Role,
    /// How the caller reached the service (`GET /api/v1/young-people/{id}`, `cli demo`): every
    /// audit entry records it. A pattern, never a URL with ids in it.
    pub route: String,
}

impl Caller {
    pub fn is(&self, allowed: &[Role]) -> bool {
        allowed.contains(&self.role)
    }
}
