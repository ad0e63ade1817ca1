//! Teams, users and API tokens; the catalogue (needs, interventions and their history);
//! each team's provision; the audit trail.

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_foundation"
    }
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
                    .table(Alias::new("teams"))
                    .col(id("id").primary_key())
                    .col(text("name"))
                    .col(text("planner_settings"))
                    .col(text("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("users"))
                    .col(id("id").primary_key())
                    .col(id("team_id"))
                    .col(text("name"))
                    .col(id("role"))
                    .col(text("created_at"))
                    .foreign_key(&mut team_fk("users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("api_tokens"))
                    .col(id("id").primary_key())
                    .col(id("team_id"))
                    .col(id("user_id"))
                    .col(
                        ColumnDef::new(Alias::new("token_hash"))
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(text("label"))
                    .col(text("created_at"))
                    .col(text_null("revoked_at"))
                    .foreign_key(&mut team_fk("api_tokens"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_user")
                            .from(Alias::new("api_tokens"), Alias::new("user_id"))
                            .to(Alias::new("users"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("needs"))
                    .col(id("team_id"))
                    .col(id("id"))
                    .col(text("name"))
                    .col(text("description"))
                    .col(boolean("offending_related"))
                    .col(boolean("harm_related"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("team_id"))
                            .col(Alias::new("id")),
                    )
                    .foreign_key(&mut team_fk("needs"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("interventions"))
                    .col(id("team_id"))
                    .col(id("id"))
                    .col(text("name"))
                    .col(id("category"))
                    .col(id("format"))
                    .col(id("evidence"))
                    .col(text("document"))
                    .col(
                        ColumnDef::new(Alias::new("content_hash"))
                            .string_len(64)
                            .not_null(),
                    )
                    .col(int("version").check(Expr::col(Alias::new("version")).gte(1)))
                    .col(text_null("retired_at"))
                    .col(text("updated_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("team_id"))
                            .col(Alias::new("id")),
                    )
                    .foreign_key(&mut team_fk("interventions"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("intervention_versions"))
                    .col(id("team_id"))
                    .col(id("intervention_id"))
                    .col(int("version"))
                    .col(text("document"))
                    .col(boolean("retired"))
                    .col(text("changed_at"))
                    .col(text("changed_by"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("team_id"))
                            .col(Alias::new("intervention_id"))
                            .col(Alias::new("version")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_intervention_versions_intervention")
                            .from(
                                Alias::new("intervention_versions"),
                                (Alias::new("team_id"), Alias::new("intervention_id")),
                            )
                            .to(
                                Alias::new("interventions"),
                                (Alias::new("team_id"), Alias::new("id")),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("provision"))
                    .col(id("team_id"))
                    .col(id("id"))
                    .col(id("intervention_id"))
                    .col(text("document"))
                    .col(int("version").check(Expr::col(Alias::new("version")).gte(1)))
                    .col(text("updated_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("team_id"))
                            .col(Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_provision_intervention")
                            .from(
                                Alias::new("provision"),
                                (Alias::new("team_id"), Alias::new("intervention_id")),
                            )
                            .to(
                                Alias::new("interventions"),
                                (Alias::new("team_id"), Alias::new("id")),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("audit_events"))
                    .col(
                        ColumnDef::new(Alias::new("id"))
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id("team_id"))
                    .col(id("user_id"))
                    .col(id("action"))
                    .col(text("subject"))
                    .col(text("at"))
                    .foreign_key(&mut team_fk("audit_events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_team_at")
                    .table(Alias::new("audit_events"))
                    .col(Alias::new("team_id"))
                    .col(Alias::new("at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "audit_events",
            "provision",
            "intervention_versions",
            "interventions",
            "needs",
            "api_tokens",
            "users",
            "teams",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
