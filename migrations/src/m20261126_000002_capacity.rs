//! Capacity: cohorts (a provision's start dates, or its rolling place pool) with places and a
//! `filled` count that can never pass them, the bookings that fill them, waiting lists,
//! facilitators, the team's rival groups, and idempotency keys for retried bookings.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000002_capacity"
    }
}

/// Cohort ids are a provision id plus a suffix (`-20270111`, `-rolling`).
fn cohort_id(name: &str) -> ColumnDef {
    ColumnDef::new(col(name))
        .string_len(120)
        .not_null()
        .to_owned()
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(col("cohorts"))
                    .col(id("team_id"))
                    .col(cohort_id("id"))
                    .col(id("provision_id"))
                    // NULL: the rolling place pool of a rolling provision.
                    .col(text_null("start"))
                    .col(int("places"))
                    .col(int("filled").default(0))
                    // Empty: the provision's area.
                    .col(text("area").default(""))
                    .col(int("version").default(1))
                    .col(text("created_at"))
                    .col(text("updated_at"))
                    .check(Expr::col(col("places")).gte(0))
                    .check(
                        Expr::col(col("filled"))
                            .gte(0)
                            .and(Expr::col(col("filled")).lte(Expr::col(col("places")))),
                    )
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("cohorts"))
                    .foreign_key(&mut team_scoped_fk("cohorts", "provision_id", "provision"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_cohorts_provision_start",
                "cohorts",
                &["team_id", "provision_id", "start"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("bookings"))
                    .col(id("team_id"))
                    .col(
                        ColumnDef::new(col("id"))
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(cohort_id("cohort_id"))
                    .col(id("child_reference"))
                    .col(text("gang_affiliations"))
                    .col(text("booked_at"))
                    .col(id("booked_by"))
                    .foreign_key(&mut team_fk("bookings"))
                    .foreign_key(&mut team_scoped_fk("bookings", "cohort_id", "cohorts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_bookings_cohort_child",
                "bookings",
                &["team_id", "cohort_id", "child_reference"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("waiting_list"))
                    .col(
                        ColumnDef::new(col("id"))
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id("team_id"))
                    .col(id("provision_id"))
                    .col(id("child_reference"))
                    .col(text("added_at"))
                    .col(id("added_by"))
                    .foreign_key(&mut team_fk("waiting_list"))
                    .foreign_key(&mut team_scoped_fk(
                        "waiting_list",
                        "provision_id",
                        "provision",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_waiting_list_child",
                "waiting_list",
                &["team_id", "provision_id", "child_reference"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("facilitators"))
                    .col(id("team_id"))
                    .col(id("id"))
                    .col(text("name"))
                    .col(id("intervention_id"))
                    .col(text("trained_on"))
                    .col(text("created_at"))
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("facilitators"))
                    .foreign_key(&mut team_scoped_fk(
                        "facilitators",
                        "intervention_id",
                        "interventions",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(col("cohort_facilitators"))
                    .col(id("team_id"))
                    .col(cohort_id("cohort_id"))
                    .col(id("facilitator_id"))
                    .primary_key(&mut pk(&["team_id", "cohort_id", "facilitator_id"]))
                    .foreign_key(&mut team_scoped_fk(
                        "cohort_facilitators",
                        "cohort_id",
                        "cohorts",
                    ))
                    .foreign_key(&mut team_scoped_fk(
                        "cohort_facilitators",
                        "facilitator_id",
                        "facilitators",
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("idempotency_keys"))
                    .col(id("team_id"))
                    .col(id("user_id"))
                    .col(ColumnDef::new(col("key")).string_len(255).not_null())
                    .col(ColumnDef::new(col("fingerprint")).string_len(64).not_null())
                    .col(
                        ColumnDef::new(col("state"))
                            .string_len(16)
                            .not_null()
                            .check(Expr::col(col("state")).is_in(["in_flight", "done"])),
                    )
                    .col(ColumnDef::new(col("response_status")).big_integer().null())
                    .col(text_null("response_body"))
                    .col(text("created_at"))
                    .primary_key(&mut pk(&["team_id", "user_id", "key"]))
                    .foreign_key(&mut team_fk("idempotency_keys"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("team_rivalries"))
                    .col(id("team_id"))
                    // Stored with group_a < group_b, so each pair is kept once.
                    .col(ColumnDef::new(col("group_a")).string_len(200).not_null())
                    .col(ColumnDef::new(col("group_b")).string_len(200).not_null())
                    .primary_key(&mut pk(&["team_id", "group_a", "group_b"]))
                    .foreign_key(&mut team_fk("team_rivalries"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "team_rivalries",
            "idempotency_keys",
            "cohort_facilitators",
            "facilitators",
            "waiting_list",
            "bookings",
            "cohorts",
        ] {
            manager
                .drop_table(Table::drop().table(col(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
