//! Column and key builders shared by the migrations, so every table is declared the same way
//! on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

pub fn col(name: &str) -> Alias {
    Alias::new(name)
}

pub fn id(name: &str) -> ColumnDef {
    ColumnDef::new(col(name))
        .string_len(80)
        .not_null()
        .to_owned()
}

pub fn text(name: &str) -> ColumnDef {
    ColumnDef::new(col(name)).text().not_null().to_owned()
}

pub fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(col(name)).text().null().to_owned()
}

pub fn int(name: &str) -> ColumnDef {
    ColumnDef::new(col(name))
        .big_integer()
        .not_null()
        .to_owned()
}

pub fn team_fk(table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_team"))
        .from(col(table), col("team_id"))
        .to(col("teams"), col("id"))
        .to_owned()
}

/// A composite foreign key `(team_id, from) → to_table(team_id, id)`: a team's records only ever
/// point at the same team's records.
pub fn team_scoped_fk(table: &str, from: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{from}"))
        .from(col(table), (col("team_id"), col(from)))
        .to(col(to_table), (col("team_id"), col("id")))
        .to_owned()
}

pub fn pk(cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    for c in cols {
        index.col(col(c));
    }
    index.to_owned()
}

pub fn unique(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(col(table)).unique();
    for c in cols {
        index.col(col(c));
    }
    index.to_owned()
}

pub fn boolean(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .to_owned()
}
