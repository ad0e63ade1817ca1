//! One module per area of the service: who may open each page is decided by the use case it
//! calls (`app::access`), as for the API.

pub mod caseload;
pub mod catalogue;
pub mod gaps;
pub mod home;
pub mod plans;
pub mod provision;
pub mod sign_in;
