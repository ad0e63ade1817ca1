//! The house, checked: api → app → (domain, planner, allocation, store). A handler never calls
//! the store; the use cases know nothing of HTTP; the domain imports none of the layers.

use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source file");
                found.push((path, text));
            }
        }
    }
    assert!(!found.is_empty(), "no sources under src/{dir}");
    found
}

/// Lines of `dir`'s sources (outside comments) that contain any of `needles`.
fn offending(dir: &str, needles: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    for (path, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if needles.iter().any(|needle| code.contains(needle)) {
                lines.push(format!("{}:{}: {}", path.display(), n + 1, code));
            }
        }
    }
    lines
}

/// A call into the store: `store::module::function(` (read-model types may be named).
fn calls_the_store(line: &str) -> bool {
    let Some(at) = line.find("store::") else {
        return false;
    };
    let rest = &line[at + "store::".len()..];
    let path: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let after = &rest[path.len()..];
    let last = path.rsplit("::").next().unwrap_or_default();
    after.starts_with('(') && last.chars().next().is_some_and(|c| c.is_lowercase())
}

#[test]
fn handlers_never_call_the_store() {
    // The API's handlers and the pages' alike.
    let calls: Vec<String> = ["api", "web"]
        .iter()
        .flat_map(|layer| offending(layer, &["store::"]))
        .filter(|line| calls_the_store(line))
        .collect();
    assert!(
        calls.is_empty(),
        "handlers calling the store:\n{}",
        calls.join("\n")
    );
    let orm = ["api", "web"]
        .iter()
        .flat_map(|layer| offending(layer, &["sea_orm::", "EntityTrait", "ActiveModel"]))
        .filter(|line| !line.contains("sea_orm::DatabaseConnection"))
        .collect::<Vec<_>>();
    assert!(
        orm.is_empty(),
        "handlers using the ORM:\n{}",
        orm.join("\n")
    );
}

#[test]
fn use_cases_know_nothing_of_http() {
    let http = offending("app", &["actix_web", "HttpResponse", "utoipa"]);
    assert!(
        http.is_empty(),
        "HTTP in the use cases:\n{}",
        http.join("\n")
    );
}

#[test]
fn the_store_shows_nothing_to_clients() {
    // What a client sees is `api::views`: the store's read models carry no API schema.
    let schema = offending("store", &["utoipa", "ToSchema"]);
    assert!(
        schema.is_empty(),
        "API schema in the store:\n{}",
        schema.join("\n")
    );
}

#[test]
fn the_domain_imports_no_layer() {
    let layers = offending(
        "domain",
        &[
            "crate::api",
            "crate::app",
            "crate::store",
            "crate::planner",
            "crate::allocation",
            "actix_web",
            "sea_orm",
        ],
    );
    assert!(
        layers.is_empty(),
        "the domain reaching out:\n{}",
        layers.join("\n")
    );
}

#[test]
fn reports_and_rendering_are_pure() {
    // The reports aggregate facts the use cases gather; the renderer lays out read models.
    for dir in ["reports", "render"] {
        let layers = offending(
            dir,
            &[
                "crate::api",
                "crate::app",
                "crate::store",
                "actix_web",
                "sea_orm",
            ],
        );
        assert!(
            layers.is_empty(),
            "src/{dir} reaching out:\n{}",
            layers.join("\n")
        );
    }
}

#[test]
fn the_check_finds_a_store_call() {
    assert!(calls_the_store(
        "let x = store::provision::list(db, team).await?;"
    ));
    assert!(!calls_the_store(
        "use crate::store::provision::StoredProvision;"
    ));
    assert!(!calls_the_store(
        "body = Vec<store::catalogue::InterventionVersion>"
    ));
}
