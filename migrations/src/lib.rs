//! Schema migrations, written with sea-query's schema builders so that one set runs on SQLite
//! and PostgreSQL. Every table that holds a team's records carries `team_id`.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261126_000001_foundation;
mod m20261126_000002_capacity;
mod m20261201_000003_practice;
mod m20261206_000004_casework;
mod m20261207_000005_proposals;
mod m20261207_000006_sign_in;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_capacity::Migration),
            Box::new(m20261201_000003_practice::Migration),
            Box::new(m20261206_000004_casework::Migration),
            Box::new(m20261207_000005_proposals::Migration),
            Box::new(m20261207_000006_sign_in::Migration),
        ]
    }
}
