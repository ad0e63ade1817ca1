//! The command line: catalogue validation and import, and plans from documents.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intervention-planner"));
    command.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    command
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_shipped_catalogue_is_valid_and_covers_every_need_area() {
    let output = binary()
        .args(["catalogue", "validate"])
        .arg(repo("catalogue"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let catalogue = intervention_planner::catalogue_files::load_dir(&repo("catalogue")).unwrap();
    assert!(catalogue.interventions.len() >= 30);
    for need in &catalogue.needs {
        assert!(
            catalogue
                .interventions
                .iter()
                .any(|i| i.addresses.contains(&need.id)),
            "{} uncovered",
            need.id
        );
    }
    for category in [
        "gang_exit",
        "knife_crime",
        "emotional_health",
        "vehicle_crime",
        "reparation",
        "substance_misuse",
        "violence",
        "speech_language",
        "ete",
        "family",
        "victim_awareness",
        "motivation",
        "mentoring",
        "harmful_sexual_behaviour",
        "exploitation",
    ] {
        assert!(
            catalogue
                .interventions
                .iter()
                .any(|i| i.category == category),
            "no {category}"
        );
    }
}

#[test]
fn a_cycle_and_an_unknown_need_are_both_reported_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("catalogue");
    copy_dir(&repo("catalogue"), &copy);
    // motivational-work now requires the knife-crime programme, which requires it: a cycle.
    let path = copy.join("interventions/motivational-work.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("requires = []", "requires = [\"knife-crime-programme\"]");
    std::fs::write(&path, text).unwrap();
    let path = copy.join("interventions/anger-management.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "addresses = [\"violence\"]",
        "addresses = [\"violence\", \"astrology\"]",
    );
    std::fs::write(&path, text).unwrap();

    let output = binary()
        .args(["catalogue", "validate"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("interventions/anger-management.toml: addresses[1]")
            && message.contains("astrology"),
        "{message}"
    );
    assert!(
        message.contains("interventions/motivational-work.toml: requires"),
        "{message}"
    );
    assert!(
        message.contains("interventions/knife-crime-programme.toml: requires"),
        "{message}"
    );

    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let demo = binary()
        .args(["--database", &database, "demo"])
        .current_dir(repo("."))
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", stderr(&demo));
    let before = binary()
        .args([
            "--database",
            &database,
            "catalogue",
            "export",
            "--team",
            "demo-a",
        ])
        .arg(dir.path().join("before"))
        .output()
        .unwrap();
    assert!(before.status.success());
    let import = binary()
        .args([
            "--database",
            &database,
            "catalogue",
            "import",
            "--team",
            "demo-a",
        ])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(import.status.code(), Some(2));
    let after = binary()
        .args([
            "--database",
            &database,
            "catalogue",
            "export",
            "--team",
            "demo-a",
        ])
        .arg(dir.path().join("after"))
        .output()
        .unwrap();
    assert!(after.status.success());
    let read = |p: PathBuf| std::fs::read_to_string(p).unwrap();
    assert_eq!(
        read(
            dir.path()
                .join("before/interventions/motivational-work.toml")
        ),
        read(
            dir.path()
                .join("after/interventions/motivational-work.toml")
        )
    );
}

#[test]
fn a_changed_file_updates_its_entry_and_keeps_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    assert!(
        binary()
            .args(["--database", &database, "demo"])
            .current_dir(repo("."))
            .output()
            .unwrap()
            .status
            .success()
    );
    let copy = dir.path().join("catalogue");
    copy_dir(&repo("catalogue"), &copy);
    let path = copy.join("interventions/anger-management.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("sessions = 6", "sessions = 8");
    std::fs::write(&path, text).unwrap();
    let import = |dir: &Path| {
        binary()
            .args([
                "--database",
                &database,
                "catalogue",
                "import",
                "--team",
                "demo-a",
            ])
            .arg(dir)
            .output()
            .unwrap()
    };
    let first = import(&copy);
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("1 updated"),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let again = import(&copy);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 created, 0 updated"),
        "import is idempotent"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let history = runtime.block_on(async {
        let db = intervention_planner::store::connect(&database)
            .await
            .unwrap();
        intervention_planner::store::catalogue::history(&db, "demo-a", "anger-management")
            .await
            .unwrap()
    });
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].intervention.sessions, 6);
    assert_eq!(history[1].intervention.sessions, 8);
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("tests/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    if let Ok(shared) = std::fs::read_dir(repo("../shared/scenarios")) {
        files.extend(shared.map(|e| e.unwrap().path()));
    }
    files.sort();
    files
}

#[test]
fn every_scenario_plans_the_same_twice_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    for file in scenario_files() {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let input = dir.path().join("problem.json");
        std::fs::write(&input, case["problem"].to_string()).unwrap();
        let run = || {
            let output = binary()
                .args(["plan", "--input"])
                .arg(&input)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}: {}",
                file.display(),
                stderr(&output)
            );
            let mut plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            plan["solver"].as_object_mut().unwrap().remove("seconds");
            plan
        };
        let first = run();
        assert_eq!(first, run(), "{}", file.display());
        for (need, reason) in case["expect"]["gaps"].as_object().into_iter().flatten() {
            let gap = first["gaps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["need"] == *need);
            assert_eq!(
                gap.map(|g| &g["reason"]),
                Some(reason),
                "{}: {need}",
                file.display()
            );
        }
        let text = binary()
            .args(["plan", "--format", "text", "--input"])
            .arg(&input)
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&text.stdout).contains("Intervention plan for YP-0001"));
    }
}

#[test]
fn an_invalid_document_exits_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo(
            "tests/scenarios/13-prerequisite-cannot-be-planned.json",
        ))
        .unwrap(),
    )
    .unwrap();
    for (pointer, value, field) in [
        ("/order/end", serde_json::json!("2025-01-01"), "order.end"),
        (
            "/young_person/date_of_birth",
            serde_json::json!("2027-01-01"),
            "young_person.date_of_birth",
        ),
        (
            "/young_person/risk_of_serious_harm",
            serde_json::json!("extreme"),
            "young_person.risk_of_serious_harm",
        ),
        (
            "/young_person/exclusions/0/intervention",
            serde_json::json!("nothing-like-it"),
            "young_person.exclusions[0].intervention",
        ),
    ] {
        let mut problem = case["problem"].clone();
        *problem.pointer_mut(pointer).unwrap() = value;
        let input = dir.path().join("bad.json");
        std::fs::write(&input, problem.to_string()).unwrap();
        let output = binary()
            .args(["plan", "--input"])
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{field}");
        assert!(
            stderr(&output).contains(field),
            "{field}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}

/// Users for the pages: added with a password read from standard input, refused with a short
/// one (and then not added), given a new password, disabled.
#[test]
fn users_are_added_given_passwords_and_disabled() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let run = |args: &[&str], stdin: &str| {
        let mut child = binary()
            .args(["--database", &database])
            .args(args)
            .current_dir(repo("."))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(run(&["migrate"], "").status.success());
    // No such team.
    let out = run(
        &[
            "user", "add", "--team", "north", "--user", "north:jo", "--name", "Jo", "--role",
            "manager",
        ],
        "a long enough password\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--team"));
    assert!(run(&["demo"], "").status.success());
    let add = [
        "user",
        "add",
        "--team",
        "demo-a",
        "--user",
        "demo-a:jo",
        "--name",
        "Jo",
        "--role",
        "manager",
    ];
    let short = run(&add, "short\n");
    assert_eq!(short.status.code(), Some(2));
    assert!(
        stderr(&short).contains("at least 12 characters"),
        "{}",
        stderr(&short)
    );
    let missing = run(&["user", "disable", "--user", "demo-a:jo"], "");
    assert_eq!(
        missing.status.code(),
        Some(2),
        "a refused password added nobody"
    );
    let added = run(&add, "a long enough password\n");
    assert!(added.status.success(), "{}", stderr(&added));
    let password = run(
        &["user", "password", "--user", "demo-a:jo"],
        "another long password\n",
    );
    assert!(password.status.success(), "{}", stderr(&password));
    let disabled = run(&["user", "disable", "--user", "demo-a:jo"], "");
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    assert!(String::from_utf8_lossy(&disabled.stdout).contains("disabled"));
}
