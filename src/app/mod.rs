//! The use cases: what a caller may do, with every decision about access and every audit entry
//! made here, once. The HTTP handlers (`api`), the command line (`cli`) and the tests call these
//! functions; they in turn call the store, the planner and the allocation.
//!
//! Writes are audited inside the store's transaction (a change and its audit entry commit
//! together); reads of a child's data are audited here, before the data is returned.

pub mod access;
pub mod capacity;
pub mod case_plans;
pub mod casework;
pub mod catalogue;
pub mod demo;
pub mod demo_cases;
pub mod operator;
pub mod planning;
pub mod proposals;
pub mod provision;
pub mod reports;
pub mod reviews;
pub mod settings;
pub mod sign_in;

use crate::domain::{FieldError, FieldErrors};
use crate::planner::PlanError;
use crate::store::StoreError;
use crate::store::cohorts::CapacityError;

pub use access::Access;

/// Why a use case did not go ahead. The API maps each to a status once (`api::error`); the
/// command line to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("your role may not do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("the request is not valid")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("the record has changed since you read it; read it again")]
    Stale,
    /// A change must say which version it is based on (optimistic concurrency).
    #[error("send If-Match with the ETag from your last read")]
    VersionRequired,
    /// Every solver slot is taken: the caller should retry shortly rather than queue.
    #[error("the planner is busy with other requests; try again in a few seconds")]
    Busy,
    /// The solve ran past its time limit and the grace; it finishes in the background.
    #[error(
        "the planner did not finish within its time limit; try again later, or plan fewer cases at once"
    )]
    TimedOut,
    #[error("something went wrong on our side")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        AppError::Invalid(errors)
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(e.into())
    }
}

/// Whether the store answers (the readiness check; no caller needed).
pub async fn store_ready(db: &sea_orm::DatabaseConnection) -> AppResult<()> {
    crate::store::ping(db).await.map_err(AppError::internal)
}

/// The version a change is based on: refused when the caller did not say.
pub fn based_on(version: Option<i64>) -> AppResult<i64> {
    version.ok_or(AppError::VersionRequired)
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Stale { .. } => AppError::Stale,
            StoreError::Conflict(message) => AppError::Conflict(message),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<CapacityError> for AppError {
    fn from(e: CapacityError) -> Self {
        match e {
            CapacityError::Store(e) => e.into(),
            CapacityError::Invalid(errors) => AppError::Invalid(errors),
        }
    }
}

impl From<PlanError> for AppError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Invalid(errors) => AppError::Invalid(errors),
            PlanError::Solver(e) => AppError::internal(e),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}
