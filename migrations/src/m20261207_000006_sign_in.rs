//! Sign-in for the pages (docs/security.md): a password per user (argon2id, PHC string), a way to
//! disable a user, server-side sessions that can be ended at once, and the failed sign-ins that
//! rate-limit and lock out (one table, so the limit holds across instances on PostgreSQL).

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000006_sign_in"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [text_null("password_hash"), text_null("disabled_at")] {
            manager
                .alter_table(
                    Table::alter()
                        .table(col("users"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(col("sessions"))
                    // SHA-256 of the cookie's value: the value itself is never stored.
                    .col(
                        ColumnDef::new(col("id"))
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(id("team_id"))
                    .col(id("user_id"))
                    .col(ColumnDef::new(col("csrf_token")).string_len(64).not_null())
                    .col(text("created_at"))
                    .col(text("last_seen_at"))
                    .col(text_null("ended_at"))
                    .foreign_key(&mut team_fk("sessions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(col("sessions"))
                    .col(col("user_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(col("sign_in_failures"))
                    .col(
                        ColumnDef::new(col("id"))
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // `account:<sha256 of the name typed>` or `client:<sha256 of the address>`.
                    .col(ColumnDef::new(col("subject")).string_len(80).not_null())
                    .col(text("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sign_in_failures_subject_at")
                    .table(col("sign_in_failures"))
                    .col(col("subject"))
                    .col(col("at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sign_in_failures", "sessions"] {
            manager
                .drop_table(Table::drop().table(col(table)).to_owned())
                .await?;
        }
        for column in ["disabled_at", "password_hash"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(col("users"))
                        .drop_column(col(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
