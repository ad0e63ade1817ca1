//! What a request leaves in the logs: its root span records the route's pattern, never the path
//! or query string it was called with (case references have been sent there), and its id is
//! returned in `X-Request-Id`. Runs the real application over an empty SQLite database (never
//! migrated: a protected route answers 401 without a token, 500 with one) under a subscriber
//! that keeps every field.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use actix_web::test;
use intervention_planner::{startup, store};
use sea_orm::DatabaseConnection;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// A span's fields, declared ones too, with the value recorded, if any.
type Fields = BTreeMap<String, Option<String>>;

/// Every span's name and fields, and every event's fields.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<(String, Fields)>>>,
    index: Arc<Mutex<BTreeMap<u64, usize>>>,
    events: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
}

struct Values<'a>(&'a mut Fields);

impl Visit for Values<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), Some(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().to_string(), Some(value.to_string()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields: Fields = attrs
            .metadata()
            .fields()
            .iter()
            .map(|f| (f.name().to_string(), None))
            .collect();
        attrs.record(&mut Values(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attrs.metadata().name().to_string(), fields));
        self.index
            .lock()
            .unwrap()
            .insert(id.into_u64(), spans.len() - 1);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(&k) = self.index.lock().unwrap().get(&id.into_u64()) {
            values.record(&mut Values(&mut self.spans.lock().unwrap()[k].1));
        }
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Values(&mut fields));
        self.events.lock().unwrap().push(
            fields
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect(),
        );
    }
}

struct Seen {
    status: u16,
    request_id: String,
    span: Fields,
}

async fn call(capture: &Capture, db: &DatabaseConnection, request: test::TestRequest) -> Seen {
    let app = test::init_service(startup::app(startup::Shared::new(
        db.clone(),
        &intervention_planner::configuration::Settings::default(),
    )))
    .await;
    let before = capture.spans.lock().unwrap().len();
    // Other tests of this binary run on other threads with no subscriber: a callsite they reach
    // first can be cached as of no interest to anyone, which hides this thread's span.
    tracing::callsite::rebuild_interest_cache();
    let response = test::call_service(&app, request.to_request()).await;
    let request_id = response
        .headers()
        .get("x-request-id")
        .expect("X-Request-Id")
        .to_str()
        .unwrap()
        .to_string();
    let spans = capture.spans.lock().unwrap();
    let roots: Vec<_> = spans[before..]
        .iter()
        .filter(|(name, _)| name == "HTTP request")
        .collect();
    assert_eq!(roots.len(), 1, "one root span per request");
    Seen {
        status: response.status().as_u16(),
        request_id,
        span: roots[0].1.clone(),
    }
}

fn value<'a>(seen: &'a Seen, field: &str) -> Option<&'a str> {
    seen.span.get(field)?.as_deref()
}

#[actix_web::test]
async fn request_logs_hold_the_route_pattern_never_the_path_or_query() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(capture.clone()));
    let secret = "YP-7431";
    let dir = tempfile::tempdir().unwrap();
    let db = store::connect(&format!(
        "sqlite://{}",
        dir.path().join("empty.db").display()
    ))
    .await
    .unwrap();

    // A refused request (no token) to a route with parameters, and a query string.
    let seen = call(
        &capture,
        &db,
        test::TestRequest::delete().uri(&format!(
            "/api/v1/cohorts/kcp-2027-20270111/bookings/{secret}?reference={secret}"
        )),
    )
    .await;
    assert_eq!(seen.status, 401);
    assert_eq!(value(&seen, "http.method"), Some("DELETE"));
    assert_eq!(
        value(&seen, "http.route"),
        Some("/api/v1/cohorts/{id}/bookings/{booking_id}")
    );
    assert_eq!(value(&seen, "http.status_code"), Some("401"));
    assert_eq!(value(&seen, "error.code"), Some("unauthorized"));
    assert_eq!(value(&seen, "request_id"), Some(seen.request_id.as_str()));
    uuid::Uuid::parse_str(&seen.request_id).expect("the request id is a UUID");

    // A failure inside (the database has no tables): code and a message with no request data.
    let seen = call(
        &capture,
        &db,
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/provision/{secret}/waiting-list?q={secret}"
            ))
            .insert_header(("Authorization", "Bearer ipt_some-token")),
    )
    .await;
    assert_eq!(seen.status, 500);
    assert_eq!(
        value(&seen, "http.route"),
        Some("/api/v1/provision/{id}/waiting-list")
    );
    assert_eq!(value(&seen, "error.code"), Some("internal"));
    assert_eq!(
        value(&seen, "error.message"),
        Some("something went wrong on our side")
    );

    // A path that matches no route is logged as "unmatched", not as itself.
    for path in [
        format!("/nowhere/{secret}"),
        format!("/api/v1/children/{secret}?name={secret}"),
    ] {
        let seen = call(&capture, &db, test::TestRequest::get().uri(&path)).await;
        assert_eq!(seen.status, 404, "{path}");
        assert_eq!(value(&seen, "http.route"), Some("unmatched"), "{path}");
        assert_eq!(value(&seen, "http.status_code"), Some("404"));
    }

    // A success records its status and no error.
    let seen = call(&capture, &db, test::TestRequest::get().uri("/health/live")).await;
    assert_eq!(seen.status, 200);
    assert_eq!(value(&seen, "http.route"), Some("/health/live"));
    assert_eq!(value(&seen, "http.status_code"), Some("200"));
    assert_eq!(value(&seen, "error.code"), None);

    // No span declares the raw target (or any other field that could hold the path), and no
    // value of any span or event holds the case reference.
    for (name, fields) in capture.spans.lock().unwrap().iter() {
        for field in [
            "http.target",
            "http.url",
            "url.path",
            "url.query",
            "http.user_agent",
        ] {
            assert!(
                !fields.contains_key(field),
                "span {name} records {field}: {fields:?}"
            );
        }
        for (field, value) in fields {
            let value = value.as_deref().unwrap_or_default();
            assert!(
                !value.contains(secret),
                "span {name} field {field} = {value}"
            );
            if name == "HTTP request" {
                assert!(!value.contains('?'), "a query string in {field} = {value}");
            }
        }
    }
    for event in capture.events.lock().unwrap().iter() {
        assert!(
            event.values().all(|v| !v.contains(secret)),
            "an event holds the reference: {event:?}"
        );
    }
}
