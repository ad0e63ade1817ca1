//! Pre-sentence proposals (docs/proposals.md): one row per version, built as a draft and
//! finalised once; a finalised proposal is never changed (a new version is built instead).

use sea_orm_migration::prelude::*;

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000005_proposals"
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
                    .table(col("proposals"))
                    .col(id("team_id"))
                    .col(ColumnDef::new(col("id")).string_len(36).not_null())
                    .col(
                        ColumnDef::new(col("young_person_id"))
                            .string_len(36)
                            .not_null(),
                    )
                    .col(ColumnDef::new(col("order_id")).string_len(36).not_null())
                    // 1, 2, … per young person.
                    .col(int("number"))
                    .col(
                        ColumnDef::new(col("state"))
                            .string_len(16)
                            .not_null()
                            .check(Expr::col(col("state")).is_in(["draft", "finalised"])),
                    )
                    .col(text("document"))
                    .col(int("version").check(Expr::col(col("version")).gte(1)))
                    .col(text("created_at"))
                    .col(id("created_by"))
                    .col(text("updated_at"))
                    .col(id("updated_by"))
                    .col(text_null("finalised_at"))
                    .col(ColumnDef::new(col("finalised_by")).string_len(80).null())
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("proposals"))
                    .foreign_key(&mut team_scoped_fk(
                        "proposals",
                        "young_person_id",
                        "young_people",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_proposals_number",
                "proposals",
                &["team_id", "young_person_id", "number"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(col("proposals")).to_owned())
            .await
    }
}
