//! Spawns the real application on port 0 with a fresh database: a SQLite file, or a new
//! PostgreSQL database on the server at TEST_POSTGRES_URL (default 127.0.0.1:5432).

use std::path::PathBuf;

use intervention_planner::accounts::Role;
use intervention_planner::app;
use intervention_planner::configuration::{Settings, SolverLimits};
use intervention_planner::{startup, store};
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
    /// The PostgreSQL database made for this test, if any.
    pub postgres_database: Option<String>,
    _dir: tempfile::TempDir,
}

pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A fresh database: its URL, and on PostgreSQL its name (to drop when the test is done).
async fn fresh_database(backend: Backend, dir: &tempfile::TempDir) -> (String, Option<String>) {
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("test.db").display()),
            None,
        ),
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
            (format!("{server}/{name}"), Some(name))
        }
    }
}

/// Drops a test's PostgreSQL database once the test has passed (a failed test leaves it, to
/// look at); the app's own connections are closed with it.
pub async fn drop_database(name: &str) {
    let admin = store::connect(&postgres_admin_url())
        .await
        .expect("postgres");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop database");
}

/// How a test's app is set up: the backend and the settings; the demo teams are always loaded
/// (every test's tokens belong to them).
pub struct TestAppBuilder {
    backend: Backend,
    settings: Settings,
}

impl TestAppBuilder {
    pub fn solver(mut self, limits: SolverLimits) -> Self {
        self.settings.solver = limits;
        self
    }

    pub fn sessions(mut self, policy: intervention_planner::app::sign_in::SessionPolicy) -> Self {
        self.settings.sessions = policy;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, postgres_database) = fresh_database(self.backend, &dir).await;
        let db = store::connect(&url).await.expect("connect");
        store::migrate(&db).await.expect("migrate");
        let mut tokens = Vec::new();
        {
            app::demo::load(&db, &repo_path("catalogue"))
                .await
                .expect("demo data");
            for (team, role) in [
                ("demo-a", Role::Coordinator),
                ("demo-a", Role::CaseManager),
                ("demo-a", Role::Manager),
                ("demo-a", Role::Admin),
                ("demo-b", Role::Coordinator),
            ] {
                let created = store::accounts::create_token(&db, team, role, "test")
                    .await
                    .expect("token");
                tokens.push(created.token);
            }
        }
        let app = startup::Application::build("127.0.0.1:0", db.clone(), &self.settings)
            .expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let mut tokens = tokens.into_iter();
        let mut next = || tokens.next().expect("five tokens");
        TestApp {
            backend: self.backend,
            address,
            db,
            client: reqwest::Client::new(),
            coordinator: next(),
            case_manager: next(),
            manager: next(),
            admin: next(),
            other_team_coordinator: next(),
            postgres_database,
            _dir: dir,
        }
    }
}

/// The usual app: the demo teams and a token for each role.
pub async fn spawn_app(backend: Backend) -> TestApp {
    TestApp::builder(backend).spawn().await
}

impl TestApp {
    pub fn builder(backend: Backend) -> TestAppBuilder {
        let mut settings = Settings::default();
        settings.shutdown_timeout_seconds = 1;
        TestAppBuilder { backend, settings }
    }

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

    /// PUT with `If-Match` when given an entity tag (as read from an `ETag`).
    pub async fn put_json(
        &self,
        token: &str,
        path: &str,
        if_match: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("request")
    }

    /// DELETE with `If-Match` when given an entity tag.
    pub async fn delete(
        &self,
        token: &str,
        path: &str,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.delete(self.url(path)).bearer_auth(token);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("request")
    }

    /// Every cohort's `filled` equals its bookings: bookings are the one record of who holds
    /// a place.
    pub async fn assert_occupancy_consistent(&self) {
        let rows = self
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                "SELECT c.id, c.filled, c.places, (SELECT COUNT(*) FROM bookings b \
                 WHERE b.team_id = c.team_id AND b.cohort_id = c.id) AS booked FROM cohorts c",
            ))
            .await
            .expect("occupancy query");
        for row in rows {
            let id: String = row.try_get("", "id").unwrap();
            let filled: i64 = row.try_get("", "filled").unwrap();
            let places: i64 = row.try_get("", "places").unwrap();
            let booked: i64 = row.try_get("", "booked").unwrap();
            assert_eq!(
                filled, booked,
                "cohort {id}: filled {filled}, bookings {booked}"
            );
            assert!(
                filled <= places,
                "cohort {id}: {filled} filled of {places} places"
            );
        }
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
                let database = app.postgres_database.clone();
                $check(app).await;
                if let Some(name) = database {
                    $crate::helpers::drop_database(&name).await;
                }
            }
        }
    };
}
