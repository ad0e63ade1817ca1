//! Spawns the real application on port 0 with a fresh database: a SQLite file, or a new
//! PostgreSQL database on the server at TEST_POSTGRES_URL (default 127.0.0.1:5432).

use std::path::PathBuf;

use intervention_planner::accounts::Role;
use intervention_planner::{cli, startup, store};
use sea_orm::{ConnectionTrait, DatabaseConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// SQLite always; PostgreSQL when reachable. Under CI (CI=true) an unreachable PostgreSQL is a
/// failure, not a skip.
pub async fn backends() -> Vec<Backend> {
    static CHECKED: tokio::sync::OnceCell<bool> = tokio::sync::OnceCell::const_new();
    let reachable = *CHECKED
        .get_or_init(|| async {
            let ok = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                store::connect(&postgres_admin_url()),
            )
            .await
            .is_ok_and(|r| r.is_ok());
            if !ok {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "PostgreSQL at {} is not reachable and CI=true",
                        postgres_admin_url()
                    );
                }
                eprintln!("PostgreSQL not reachable: running on SQLite only");
            }
            ok
        })
        .await;
    if reachable {
        vec![Backend::Sqlite, Backend::Postgres]
    } else {
        vec![Backend::Sqlite]
    }
}

pub struct TestApp {
    pub backend: Backend,
    pub address: String,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    pub coordinator: String,
    pub case_manager: String,
    pub manager: String,
    pub admin: String,
    pub other_team_coordinator: String,
    _dir: tempfile::TempDir,
}

pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

async fn fresh_database(backend: Backend, dir: &tempfile::TempDir) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("test.db").display()),
        Backend::Postgres => {
            let admin = store::connect(&postgres_admin_url())
                .await
                .expect("postgres");
            let name = format!("ip_test_{}", uuid::Uuid::new_v4().simple());
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create database");
            let base = postgres_admin_url();
            let (server, _) = base.rsplit_once('/').expect("url with a database");
            format!("{server}/{name}")
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fresh_database(backend, &dir).await;
    let db = store::connect(&url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    cli::load_demo(&db, &repo_path("catalogue"))
        .await
        .expect("demo data");
    let token = |team: &'static str, role: Role| {
        let db = db.clone();
        async move {
            store::accounts::create_token(&db, team, role, "test")
                .await
                .expect("token")
                .token
        }
    };
    let coordinator = token("demo-a", Role::Coordinator).await;
    let case_manager = token("demo-a", Role::CaseManager).await;
    let manager = token("demo-a", Role::Manager).await;
    let admin = token("demo-a", Role::Admin).await;
    let other_team_coordinator = token("demo-b", Role::Coordinator).await;
    let app = startup::Application::build("127.0.0.1:0", db.clone(), 1).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        backend,
        address,
        db,
        client: reqwest::Client::new(),
        coordinator,
        case_manager,
        manager,
        admin,
        other_team_coordinator,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

/// Runs an async check once per available backend, each with a fresh app and database.
#[macro_export]
macro_rules! on_each_backend {
    ($name:ident, $check:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::helpers::backends().await {
                let app = $crate::helpers::spawn_app(backend).await;
                $check(app).await;
            }
        }
    };
}
