//! The pages in a real browser: serves the app (SQLite, the demo teams) and runs
//! `tests/browser/run.mjs` (Debian's Chromium driven by playwright-core, axe-core on every page
//! visited): each role signs in; the case manager builds and accepts a plan, records a review and
//! builds a proposal; the coordinator opens provision; the manager sees gang exit as unmet demand
//! and runs a what-if. Screenshots go to `$SCREENSHOTS` (default `target/screenshots`;
//! `SCREENSHOTS=docs/screenshots` refreshes the committed ones).
//!
//! Needs `chromium`, `node` and `tests/browser/node_modules` (`.ci/setup` installs them). Without
//! them the test says so and passes, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use intervention_planner::app::{demo, demo_cases, sign_in};
use intervention_planner::configuration::Settings;
use intervention_planner::{startup, store};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is not installed"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    if !repo("tests/browser/node_modules/playwright-core").exists() {
        return Some("tests/browser/node_modules is missing (npm ci in tests/browser)".into());
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_in_a_real_browser() {
    if let Some(why) = missing() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser tests cannot run: {why}; run .ci/setup"
        );
        eprintln!("browser tests skipped: {why}; run .ci/setup to install what they need");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("browser.db").display());
    let db = store::connect(&url).await.unwrap();
    store::migrate(&db).await.unwrap();
    demo::load(&db, &repo("catalogue")).await.unwrap();
    demo_cases::load(&db, &repo("catalogue"), &["demo-a"])
        .await
        .unwrap();
    let mut sign_ins = serde_json::Map::new();
    for (user, name, role) in sign_in::demo_users("demo-a") {
        store::accounts::ensure_user(&db, "demo-a", &user, name, role)
            .await
            .unwrap();
        let password = sign_in::reset_demo_password(&db, &user).await.unwrap();
        // The second case manager holds children on orders and awaiting sentence.
        if user.ends_with("case-manager-1") {
            continue;
        }
        sign_ins.insert(
            role.as_str().to_string(),
            serde_json::json!({"user": user, "password": password}),
        );
    }
    let mut settings = Settings::default();
    settings.shutdown_timeout_seconds = 1;
    let app = startup::Application::build("127.0.0.1:0", db, &settings).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let shots = std::env::var("SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo("target/screenshots"));
    let sign_ins = serde_json::Value::Object(sign_ins).to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("run.mjs")
            .current_dir(repo("tests/browser"))
            .env("BASE_URL", base)
            .env("SIGN_INS", sign_ins)
            .env("SCREENSHOTS", shots)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser tests failed:\n{stderr}\n{stdout}"
    );
}
