//! Case records (docs/casework.md): young people; their assessments, orders, risk plans and
//! partner decisions (`case_records`, one row per record, a document each); every version of
//! every record (`record_history`); plans built for them with their lifecycle (`case_plans`);
//! reviews due and recorded. The audit trail gains the route a read came through and becomes
//! append-only in the database itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::columns::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000004_casework"
    }
}

fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(col(name))
        .string_len(36)
        .not_null()
        .to_owned()
}

fn young_person_fk(table: &str) -> ForeignKeyCreateStatement {
    team_scoped_fk(table, "young_person_id", "young_people")
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
                    .table(col("young_people"))
                    .col(id("team_id"))
                    .col(uuid("id"))
                    .col(id("reference"))
                    // The user who holds the case (NULL: not allocated).
                    .col(ColumnDef::new(col("case_manager_id")).string_len(80).null())
                    .col(text("document"))
                    .col(int("version").check(Expr::col(col("version")).gte(1)))
                    .col(text("created_at"))
                    .col(id("created_by"))
                    .col(text("updated_at"))
                    .col(id("updated_by"))
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("young_people"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_young_people_reference",
                "young_people",
                &["team_id", "reference"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("case_records"))
                    .col(id("team_id"))
                    .col(uuid("id"))
                    .col(uuid("young_person_id"))
                    .col(ColumnDef::new(col("kind")).string_len(32).not_null().check(
                        Expr::col(col("kind")).is_in([
                            "assessment",
                            "order",
                            "risk_plans",
                            "partner_decision",
                        ]),
                    ))
                    // Assessments: 1, 2, … per young person (each a new record, never changed).
                    .col(int("number").default(1))
                    .col(text("document"))
                    .col(int("version").check(Expr::col(col("version")).gte(1)))
                    .col(text("created_at"))
                    .col(id("created_by"))
                    .col(text("updated_at"))
                    .col(id("updated_by"))
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("case_records"))
                    .foreign_key(&mut young_person_fk("case_records"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_case_records_number",
                "case_records",
                &["team_id", "young_person_id", "kind", "number"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("record_history"))
                    .col(id("team_id"))
                    .col(uuid("young_person_id"))
                    // `young_person`, or the kind and id of the record: `order:<id>`.
                    .col(ColumnDef::new(col("record")).string_len(80).not_null())
                    .col(int("version"))
                    .col(id("change"))
                    .col(text("document"))
                    .col(text("changed_at"))
                    .col(id("changed_by"))
                    .primary_key(&mut pk(&[
                        "team_id",
                        "young_person_id",
                        "record",
                        "version",
                    ]))
                    .foreign_key(&mut team_fk("record_history"))
                    .foreign_key(&mut young_person_fk("record_history"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("case_plans"))
                    .col(id("team_id"))
                    .col(uuid("id"))
                    .col(uuid("young_person_id"))
                    .col(uuid("order_id"))
                    // 1, 2, … per young person: replanning makes the next.
                    .col(int("number"))
                    .col(
                        ColumnDef::new(col("state"))
                            .string_len(16)
                            .not_null()
                            .check(Expr::col(col("state")).is_in([
                                "draft",
                                "accepted",
                                "active",
                                "closed",
                                "superseded",
                            ])),
                    )
                    .col(text("document"))
                    .col(int("version").check(Expr::col(col("version")).gte(1)))
                    .col(text("created_at"))
                    .col(id("created_by"))
                    .col(text("updated_at"))
                    .col(id("updated_by"))
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("case_plans"))
                    .foreign_key(&mut young_person_fk("case_plans"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_case_plans_number",
                "case_plans",
                &["team_id", "young_person_id", "number"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(col("reviews"))
                    .col(id("team_id"))
                    .col(uuid("id"))
                    .col(uuid("young_person_id"))
                    .col(ColumnDef::new(col("plan_id")).string_len(36).null())
                    .col(ColumnDef::new(col("kind")).string_len(32).not_null().check(
                        Expr::col(col("kind")).is_in([
                            "plan",
                            "item_outcome",
                            "significant_change",
                        ]),
                    ))
                    .col(ColumnDef::new(col("intervention_id")).string_len(80).null())
                    .col(text("due"))
                    .col(text("reason"))
                    .col(
                        ColumnDef::new(col("state"))
                            .string_len(16)
                            .not_null()
                            .check(Expr::col(col("state")).is_in(["due", "recorded", "cancelled"])),
                    )
                    .col(text_null("record"))
                    .col(int("version").check(Expr::col(col("version")).gte(1)))
                    .col(text("created_at"))
                    .col(text_null("recorded_at"))
                    .col(ColumnDef::new(col("recorded_by")).string_len(80).null())
                    .primary_key(&mut pk(&["team_id", "id"]))
                    .foreign_key(&mut team_fk("reviews"))
                    .foreign_key(&mut young_person_fk("reviews"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reviews_team_state_due")
                    .table(col("reviews"))
                    .col(col("team_id"))
                    .col(col("state"))
                    .col(col("due"))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(col("audit_events"))
                    .add_column(text("route").default("").to_owned())
                    .to_owned(),
            )
            .await?;
        append_only_audit(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events; \
                     DROP FUNCTION IF EXISTS audit_events_refuse_change();",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS audit_events_no_update; \
                     DROP TRIGGER IF EXISTS audit_events_no_delete;",
                )
                .await?;
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(col("audit_events"))
                    .drop_column(col("route"))
                    .to_owned(),
            )
            .await?;
        for table in [
            "reviews",
            "case_plans",
            "record_history",
            "case_records",
            "young_people",
        ] {
            manager
                .drop_table(Table::drop().table(col(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The application appends audit entries and never changes them: the database refuses an
/// UPDATE or DELETE of one, whoever sends it.
async fn append_only_audit(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'audit entries cannot be changed or removed'; END; \
                 $$ LANGUAGE plpgsql",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
                 FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
            )
            .await?;
        }
        _ => {
            db.execute_unprepared(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events \
                 BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed or removed'); END",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events \
                 BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed or removed'); END",
            )
            .await?;
        }
    }
    Ok(())
}
