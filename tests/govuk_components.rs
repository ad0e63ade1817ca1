//! Our handlebars partials (`templates/partials/govuk/`) against GOV.UK Frontend's published
//! examples (`tests/fixtures/govuk-components/`, copied by `frontend/build.sh`): every example
//! whose options our partial supports must render the same markup, up to whitespace and the
//! two template engines' spelling of the same HTML entities.

use std::collections::BTreeSet;

use intervention_planner::render::page_registry;
use serde_json::Value;

/// Each component, and the options its partial supports.
const SUPPORTED: &[(&str, &[&str])] = &[
    ("back-link", &["href", "text", "html", "classes"]),
    (
        "button",
        &[
            "text", "html", "href", "name", "classes", "disabled", "type", "value",
        ],
    ),
    ("error-message", &["text", "html", "id", "classes"]),
    (
        "error-summary",
        &[
            "titleText",
            "titleHtml",
            "descriptionText",
            "descriptionHtml",
            "errorList",
            "classes",
        ],
    ),
    ("generic-header", &["logoText", "homepageUrl"]),
    ("inset-text", &["text", "html", "id", "classes"]),
    (
        "notification-banner",
        &[
            "text",
            "html",
            "type",
            "titleText",
            "titleHtml",
            "titleId",
            "role",
        ],
    ),
    ("service-navigation", &["navigation"]),
    ("summary-list", &["rows", "classes"]),
    ("tag", &["text", "html", "classes"]),
    (
        "warning-text",
        &["text", "html", "iconFallbackText", "classes"],
    ),
];

/// Published examples our partials deliberately do not follow, with why.
const NOT_FOLLOWED: &[(&str, &str)] = &[
    // The service always has navigation for a signed-in user; an all-empty list never occurs.
    (
        "service-navigation",
        "with navigation having only empty values",
    ),
];

/// Options inside lists that our partials support (anything else skips the example).
const NESTED: &[&str] = &["text", "html", "href", "current", "key", "value"];

fn normalise(html: &str) -> String {
    let html = html
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&quot;", "\"");
    let mut out = String::new();
    let mut space = false;
    for c in html.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.ends_with('>') && c != '<' {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out.replace(" >", ">")
}

fn nested_supported(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().all(nested_supported),
        Value::Object(map) => map
            .iter()
            .all(|(k, v)| NESTED.contains(&k.as_str()) && nested_supported(v)),
        _ => true,
    }
}

#[test]
fn partials_match_the_published_examples() {
    let registry = page_registry().expect("templates compile");
    let mut compared = 0;
    for (component, supported) in SUPPORTED {
        let path = format!(
            "{}/tests/fixtures/govuk-components/{component}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let fixtures: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let supported: BTreeSet<&str> = supported.iter().copied().collect();
        let mut here = 0;
        for fixture in fixtures["fixtures"].as_array().unwrap() {
            let options = fixture["options"].as_object().unwrap();
            let fits = options.iter().all(|(k, v)| {
                supported.contains(k.as_str())
                    && (matches!(k.as_str(), "rows" | "errorList" | "navigation")
                        .then(|| nested_supported(v))
                        .unwrap_or(true))
            });
            // Class modifiers that only style a state (":hover") are examples of CSS, not markup.
            let state_only = options
                .get("classes")
                .and_then(Value::as_str)
                .is_some_and(|c| c.contains(':'));
            let name = fixture["name"].as_str().unwrap();
            if !fits
                || state_only
                || options.is_empty()
                || NOT_FOLLOWED.contains(&(component, name))
            {
                continue;
            }
            let template = format!("{{{{> govuk/{component}}}}}");
            let rendered = registry
                .render_template(&template, &Value::Object(options.clone()))
                .unwrap_or_else(|e| panic!("{component} {}: {e}", fixture["name"]));
            let expected = fixture["html"].as_str().unwrap();
            assert_eq!(
                normalise(&rendered),
                normalise(expected),
                "{component}: example \"{}\"",
                fixture["name"].as_str().unwrap()
            );
            here += 1;
        }
        assert!(here > 0, "{component}: no published example was compared");
        compared += here;
    }
    assert!(compared >= 30, "only {compared} examples compared");
}
