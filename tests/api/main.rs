//! API tests against the real application, on SQLite and on PostgreSQL.

mod helpers;

mod accounts;
mod authorization;
mod capacity;
mod capacity_views;
mod casework;
mod catalogue;
mod fuzz;
mod hardening;
mod openapi;
mod pages;
mod plans;
mod proposals;
mod provision;
mod reports;
mod schema_check;
mod telemetry;
