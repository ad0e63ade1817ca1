//! Pure domain types: the planning documents of the contract and their validation.
//! Nothing here knows about HTTP or SQL.

pub mod case_plan;
pub mod casework;
pub mod catalogue;
pub mod input;
pub mod levels;
pub mod plan;
pub mod problem;
pub mod proposal;
pub mod provision;
pub mod sentencing;
pub mod validation;

pub use catalogue::{Catalogue, Intervention, Need};
pub use levels::{Evidence, Format, Level, OrderType, RiskLevel};
pub use plan::Plan;
pub use problem::{PlanningProblem, YoungPerson};
pub use provision::{Participant, Provision};
pub use validation::{FieldError, FieldErrors};
