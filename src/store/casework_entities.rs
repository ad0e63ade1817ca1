//! sea-orm entities of the case-record tables (migration `m20261206_000004_casework`), written
//! by hand like `store::entities`. Never serialised: the API uses the read models in
//! `store::case_records`, `store::case_plans`, `store::reviews` and `store::proposals`.

pub mod young_people {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "young_people")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub reference: String,
        pub case_manager_id: Option<String>,
        pub document: String,
        pub version: i64,
        pub created_at: String,
        pub created_by: String,
        pub updated_at: String,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod case_records {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_records")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub young_person_id: String,
        pub kind: String,
        pub number: i64,
        pub document: String,
        pub version: i64,
        pub created_at: String,
        pub created_by: String,
        pub updated_at: String,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod record_history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub young_person_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub record: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i64,
        pub change: String,
        pub document: String,
        pub changed_at: String,
        pub changed_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod case_plans {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_plans")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub young_person_id: String,
        pub order_id: String,
        pub number: i64,
        pub state: String,
        pub document: String,
        pub version: i64,
        pub created_at: String,
        pub created_by: String,
        pub updated_at: String,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod reviews {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reviews")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub young_person_id: String,
        pub plan_id: Option<String>,
        pub kind: String,
        pub intervention_id: Option<String>,
        pub due: String,
        pub reason: String,
        pub state: String,
        pub record: Option<String>,
        pub version: i64,
        pub created_at: String,
        pub recorded_at: Option<String>,
        pub recorded_by: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod proposals {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "proposals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub young_person_id: String,
        pub order_id: String,
        pub number: i64,
        pub state: String,
        pub document: String,
        pub version: i64,
        pub created_at: String,
        pub created_by: String,
        pub updated_at: String,
        pub updated_by: String,
        pub finalised_at: Option<String>,
        pub finalised_by: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
