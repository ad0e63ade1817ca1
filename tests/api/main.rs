//! API tests against the real application, on SQLite and on PostgreSQL.

mod helpers;

mod accounts;
mod capacity;
mod capacity_views;
mod catalogue;
mod plans;
mod provision;
mod telemetry;
