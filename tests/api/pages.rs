//! The pages as a browser uses them (without JavaScript): sign-in, sessions, CSRF, the security
//! headers, a case manager building and accepting a plan, a manager's gap picture, and hostile
//! text rendered as text on every page.

use intervention_planner::accounts::{Caller, Role};
use intervention_planner::app::demo_cases;
use intervention_planner::app::sign_in::{self, SessionPolicy};
use intervention_planner::domain::casework::{DecisionKind, PartnerDecision};
use intervention_planner::store::{self, case_records::RecordKind};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};

use crate::helpers::{TestApp, repo_path};
use crate::on_each_backend;

pub const PASSWORD: &str = "correct horse battery staple";

/// A browser without JavaScript: no redirects followed, cookies sent by hand.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A user of `team` with `role` and a password.
pub async fn user_with_password(app: &TestApp, team: &str, role: Role, id: &str) -> String {
    store::accounts::ensure_user(&app.db, team, id, id, role)
        .await
        .unwrap();
    sign_in::set_password(&app.db, id, PASSWORD).await.unwrap();
    id.to_string()
}

fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

/// Signs in and returns the session cookie (`name=value`).
pub async fn sign_in_as(app: &TestApp, user: &str) -> String {
    let response = post_form(
        app,
        None,
        "/sign-in",
        &[("user", user), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), 303, "sign-in of {user}");
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_string();
    cookie.split(';').next().unwrap().to_string()
}

pub async fn post_form(
    app: &TestApp,
    cookie: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = browser()
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(fields));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

pub async fn get_page(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    browser()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

async fn page_text(app: &TestApp, cookie: &str, path: &str) -> String {
    let response = get_page(app, cookie, path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

/// The CSRF token of the page's forms.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 20;
    html[at..at + 64].to_string()
}

async fn signing_in_and_out(app: TestApp) {
    let user = user_with_password(&app, "demo-a", Role::CaseManager, "demo-a:pages-cm").await;

    // No session: every page sends the browser to sign in.
    let response = browser().get(app.url("/caseload")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/sign-in");

    let page = browser().get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1 class=\"govuk-heading-l\">Sign in</h1>"));
    assert!(!html.contains("<script>"), "no inline script");

    // A wrong password: the error summary, no cookie.
    let wrong = post_form(
        &app,
        None,
        "/sign-in",
        &[("user", &user), ("password", "nope")],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let html = wrong.text().await.unwrap();
    assert!(html.contains("govuk-error-summary") && html.contains("not right"));

    // The right one: a __Host- cookie, Secure, HttpOnly, SameSite.
    let right = post_form(
        &app,
        None,
        "/sign-in",
        &[("user", &user), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(right.status(), 303);
    let set = right.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-ip-session="), "{set}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    assert!(!set.contains("Domain"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    let caseload = page_text(&app, &cookie, "/caseload").await;
    assert!(caseload.contains("My caseload"));
    let token = csrf_of(&caseload);

    // Signing out without the token is refused and the session lives on.
    let refused = post_form(&app, Some(&cookie), "/sign-out", &[]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(get_page(&app, &cookie, "/caseload").await.status(), 200);
    let refused = post_form(
        &app,
        Some(&cookie),
        "/sign-out",
        &[("_csrf", &"0".repeat(64))],
    )
    .await;
    assert_eq!(refused.status(), 403);

    // With it, the session ends at once.
    let out = post_form(&app, Some(&cookie), "/sign-out", &[("_csrf", &token)]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(get_page(&app, &cookie, "/caseload").await.status(), 303);

    // Disabling a user ends their sessions at once.
    let cookie = sign_in_as(&app, &user).await;
    assert_eq!(get_page(&app, &cookie, "/caseload").await.status(), 200);
    sign_in::disable_user(&app.db, &user).await.unwrap();
    assert_eq!(get_page(&app, &cookie, "/caseload").await.status(), 303);
    let again = post_form(
        &app,
        None,
        "/sign-in",
        &[("user", &user), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(again.status(), 422, "a disabled user cannot sign in");
}

async fn lockout_after_failures(app: TestApp) {
    let user = user_with_password(&app, "demo-a", Role::Manager, "demo-a:pages-lock").await;
    for _ in 0..sign_in::ACCOUNT_FAILURES {
        let r = post_form(
            &app,
            None,
            "/sign-in",
            &[("user", &user), ("password", "guess")],
        )
        .await;
        assert_eq!(r.status(), 422);
    }
    // Locked: even the right password is refused, and the page says why.
    let r = post_form(
        &app,
        None,
        "/sign-in",
        &[("user", &user), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.headers().get(SET_COOKIE).is_none());
    assert!(r.text().await.unwrap().contains("Too many failed sign-ins"));
    // Held in the database: another instance on the same database refuses it too.
    let failures = store::sign_in::failures_since(
        &app.db,
        &format!(
            "account:{}",
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(user.as_bytes()))
        ),
        "2000-01-01T00:00:00.000Z",
    )
    .await
    .unwrap();
    assert_eq!(failures, sign_in::ACCOUNT_FAILURES);
    // Another account is not locked by it.
    let other = user_with_password(&app, "demo-a", Role::Manager, "demo-a:pages-other").await;
    sign_in_as(&app, &other).await;
}

async fn client_lockout(app: TestApp) {
    // Guesses at many names from one address: the address is refused after its limit.
    for k in 0..sign_in::CLIENT_FAILURES {
        let name = format!("demo-a:nobody-{k}");
        let r = post_form(
            &app,
            None,
            "/sign-in",
            &[("user", &name), ("password", "guess")],
        )
        .await;
        assert_eq!(r.status(), 422);
    }
    let user = user_with_password(&app, "demo-a", Role::Manager, "demo-a:pages-client").await;
    let r = post_form(
        &app,
        None,
        "/sign-in",
        &[("user", &user), ("password", PASSWORD)],
    )
    .await;
    assert!(r.text().await.unwrap().contains("Too many failed sign-ins"));
    // A page that does not exist is a page, for a browser.
    let missing = browser()
        .get(app.url("/no-such-page"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));
}

async fn absolute_timeout(app: TestApp) {
    let user = user_with_password(&app, "demo-a", Role::Coordinator, "demo-a:pages-abs").await;
    let cookie = sign_in_as(&app, &user).await;
    assert_eq!(get_page(&app, &cookie, "/provision").await.status(), 303);
}

async fn idle_sessions_end(app: TestApp) {
    let user = user_with_password(&app, "demo-a", Role::Coordinator, "demo-a:pages-idle").await;
    let cookie = sign_in_as(&app, &user).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(get_page(&app, &cookie, "/provision").await.status(), 303);
}

async fn a_case_manager_plans_and_a_manager_sees_gaps(app: TestApp) {
    demo_cases::load(&app.db, &repo_path("catalogue"), &["demo-a"])
        .await
        .unwrap();
    let cm = sign_in_as(&app, &{
        sign_in::set_password(&app.db, "demo-a:case-manager-1", PASSWORD)
            .await
            .unwrap();
        "demo-a:case-manager-1".to_string()
    })
    .await;
    let caseload = page_text(&app, &cm, "/caseload").await;
    let at = caseload
        .find("href=\"/children/")
        .expect("a child on the caseload")
        + 16;
    let child = caseload[at..at + 36].to_string();
    let record = page_text(&app, &cm, &format!("/children/{child}")).await;
    assert!(record.contains("Risk of serious harm") && record.contains("Build a plan"));
    let token = csrf_of(&record);
    let plans_before = store::case_plans::list(&app.db, "demo-a", &child)
        .await
        .unwrap()
        .len();

    // A form from another site is refused, and nothing is built.
    let forged = browser()
        .post(app.url(&format!("/children/{child}/plans")))
        .header(COOKIE, &cm)
        .header(ORIGIN, "http://evil.example")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("_csrf", &token), ("reason", "forged")]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let no_token = post_form(
        &app,
        Some(&cm),
        &format!("/children/{child}/plans"),
        &[("reason", "x")],
    )
    .await;
    assert_eq!(no_token.status(), 403);
    assert_eq!(
        store::case_plans::list(&app.db, "demo-a", &child)
            .await
            .unwrap()
            .len(),
        plans_before
    );

    // Build, see the timeline, accept.
    let built = post_form(
        &app,
        Some(&cm),
        &format!("/children/{child}/plans"),
        &[("_csrf", &token), ("reason", "pages test")],
    )
    .await;
    assert_eq!(built.status(), 303);
    let location = built.headers()[LOCATION].to_str().unwrap().to_string();
    let plan_path = location.split('?').next().unwrap().to_string();
    let plan = page_text(&app, &cm, &location).await;
    assert!(plan.contains("The plan is built"), "success banner");
    assert!(plan.contains("Timeline") && plan.contains("Accept the plan"));
    assert!(plan.contains("govuk-task-list"));
    let version_at = plan.find("name=\"version\" value=\"").unwrap() + 22;
    let version: String = plan[version_at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    // A plan with flags or gaps is accepted only with the case manager's word that they read them.
    if plan.contains("name=\"confirm\"") {
        let unconfirmed = post_form(
            &app,
            Some(&cm),
            &format!("{plan_path}/accept"),
            &[("_csrf", &token), ("version", &version)],
        )
        .await;
        assert_eq!(unconfirmed.status(), 422);
        assert!(
            unconfirmed
                .text()
                .await
                .unwrap()
                .contains("Confirm that you have read")
        );
    }
    let accepted = post_form(
        &app,
        Some(&cm),
        &format!("{plan_path}/accept"),
        &[("_csrf", &token), ("version", &version), ("confirm", "yes")],
    )
    .await;
    assert_eq!(
        accepted.status(),
        303,
        "{}",
        accepted.text().await.unwrap_or_default()
    );
    let plan = page_text(&app, &cm, &format!("{plan_path}?accepted=1")).await;
    assert!(plan.contains("The plan is accepted"));
    assert!(
        !plan.contains("Accept the plan"),
        "an accepted plan offers no second acceptance"
    );

    // The manager's gap picture: gang exit unprovided; its charts and CSV.
    let manager = user_with_password(&app, "demo-a", Role::Manager, "demo-a:pages-manager").await;
    let mc = sign_in_as(&app, &manager).await;
    let gaps = page_text(&app, &mc, "/gaps").await;
    assert!(gaps.contains("Needs with no local provision"));
    assert!(
        gaps.to_lowercase().contains("gang"),
        "gang exit is unmet demand"
    );
    let chart = get_page(&app, &mc, "/gaps/charts/unmet-demand").await;
    assert_eq!(chart.status(), 200);
    assert!(chart.text().await.unwrap().contains("<svg"));
    let csv = get_page(&app, &mc, "/gaps/provision-gaps.csv").await;
    assert_eq!(csv.status(), 200);
    // A manager sees no child: the caseload page is not theirs.
    assert_eq!(get_page(&app, &mc, "/caseload").await.status(), 403);
    assert_eq!(
        get_page(&app, &mc, &format!("/children/{child}"))
            .await
            .status(),
        403
    );
}

/// Hostile text in free-text fields (planted in the store, as an old or imported record might
/// hold it) renders as text on every page that shows it.
async fn hostile_text_is_text(app: TestApp) {
    demo_cases::load(&app.db, &repo_path("catalogue"), &["demo-a"])
        .await
        .unwrap();
    const CORPUS: &[&str] = &[
        "<script>alert('name')</script>",
        "\"><img src=x onerror=alert(1)>",
        "<svg/onload=alert(2)>",
        "javascript:alert(3)",
        "{{this}}{{{raw}}}",
        "</textarea><b>bold</b>",
    ];
    let caller = Caller {
        team_id: "demo-a".into(),
        user_id: "demo-a:case-manager-1".into(),
        role: Role::CaseManager,
        route: "test".into(),
    };
    let children =
        store::case_records::list_children(&app.db, "demo-a", Some("demo-a:case-manager-1"))
            .await
            .unwrap();
    let child = &children[0];
    let mut record = child.record.clone();
    record.name = CORPUS[0].into();
    record.gang_affiliations = vec![CORPUS[1].into()];
    record.unsafe_areas = vec![CORPUS[2].into()];
    store::case_records::update_child(&app.db, &caller, &child.id, &record, child.version)
        .await
        .unwrap();
    let decision = PartnerDecision {
        agency: CORPUS[4].into(),
        decision: DecisionKind::Other,
        intervention: None,
        reason: CORPUS[5].into(),
        decided_on: chrono::Utc::now().date_naive(),
        agreed_by: CORPUS[3].into(),
        challenged: false,
        challenge_outcome: None,
        ends_on: None,
    };
    store::case_records::add(
        &app.db,
        &caller,
        &child.id,
        RecordKind::PartnerDecision,
        &decision,
    )
    .await
    .unwrap();
    sign_in::set_password(&app.db, "demo-a:case-manager-1", PASSWORD)
        .await
        .unwrap();
    let cm = sign_in_as(&app, "demo-a:case-manager-1").await;
    for path in ["/caseload".to_string(), format!("/children/{}", child.id)] {
        let html = page_text(&app, &cm, &path).await;
        for hostile in CORPUS {
            if hostile.contains(['<', '>', '"', '\'']) {
                assert!(
                    !html.contains(hostile),
                    "{path} carries {hostile} unescaped"
                );
            }
        }
        assert!(
            html.contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;"),
            "{path}"
        );
        assert!(!html.contains("<img src=x"), "{path}");
    }
    let record = page_text(&app, &cm, &format!("/children/{}", child.id)).await;
    assert!(record.contains("&lt;svg/onload&#x3D;alert(2)&gt;"));

    // A provider's name and area, on the coordinator's pages and the catalogue.
    let mut stored = store::provision::list(&app.db, "demo-a")
        .await
        .unwrap()
        .remove(0);
    stored.provision.provider = CORPUS[0].into();
    stored.provision.area = CORPUS[1].into();
    let coordinator = Caller {
        role: Role::Coordinator,
        ..caller.clone()
    };
    store::provision::update(&app.db, &coordinator, &stored.provision, stored.version)
        .await
        .unwrap();
    let co =
        crate::pages::user_with_password(&app, "demo-a", Role::Coordinator, "demo-a:xss-co").await;
    let co = sign_in_as(&app, &co).await;
    for path in [
        "/provision".to_string(),
        format!("/provision/{}", stored.provision.id),
        format!("/catalogue/{}", stored.provision.intervention),
    ] {
        let html = page_text(&app, &co, &path).await;
        assert!(
            !html.contains(CORPUS[0]) && !html.contains("<img src=x"),
            "{path}"
        );
        assert!(
            html.contains("&lt;script&gt;"),
            "{path} shows the provider as text"
        );
    }
    assert!(record.contains("&lt;/textarea&gt;&lt;b&gt;bold&lt;/b&gt;"));
    assert!(
        record.contains("{{this}}{{{raw}}}"),
        "template syntax in data is not evaluated"
    );
}

async fn spawn_idle(backend: crate::helpers::Backend) -> TestApp {
    TestApp::builder(backend)
        .sessions(SessionPolicy {
            idle_minutes: 0,
            absolute_hours: 10,
        })
        .spawn()
        .await
}

on_each_backend!(pages_sign_in_and_out, signing_in_and_out);
on_each_backend!(pages_lock_out_after_failures, lockout_after_failures);
on_each_backend!(
    pages_plan_and_gap_picture,
    a_case_manager_plans_and_a_manager_sees_gaps
);
on_each_backend!(pages_escape_hostile_text, hostile_text_is_text);
on_each_backend!(pages_lock_out_a_client_address, client_lockout);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_sessions_end_at_their_absolute_limit() {
    for backend in crate::helpers::backends().await {
        let app = TestApp::builder(backend)
            .sessions(SessionPolicy {
                idle_minutes: 30,
                absolute_hours: 0,
            })
            .spawn()
            .await;
        absolute_timeout(app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_idle_sessions_end() {
    for backend in crate::helpers::backends().await {
        idle_sessions_end(spawn_idle(backend).await).await;
    }
}
