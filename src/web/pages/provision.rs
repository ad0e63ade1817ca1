//! The coordinator's view of the local offer: each provision's places over the next 12 weeks
//! (filled, free, waiting), and one provision's cohorts, bookings, waiting list and facilitators.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::caseload::{intervention_names, name_of};
use crate::api::views::{BookingView, CohortView, FacilitatorView, WaitingEntryView};
use crate::app::access::Access;
use crate::app::{capacity, provision};
use crate::render::Renderer;
use crate::store::capacity_views::Window;
use crate::web::WebError;
use crate::web::session::Page;
use crate::web::view::page;

/// How far ahead a coordinator looks at places.
const WEEKS_AHEAD: i64 = 12;

pub async fn list(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    access.allow(crate::app::access::COORDINATORS)?;
    let today = chrono::Utc::now().date_naive();
    let names = intervention_names(&access).await?;
    let records = provision::list(&access).await?;
    let use_ = capacity::utilisation(&access, Window::weeks(today, WEEKS_AHEAD)).await?;
    let rows: Vec<_> = records
        .iter()
        .map(|p| {
            let p = &p.provision;
            let u = use_.provisions.iter().find(|u| u.provision == p.id);
            let (places, filled) = u.map_or((0, 0), |u| (u.places, u.filled));
            json!({
                "id": p.id,
                "intervention": name_of(&names, &p.intervention),
                "provider": p.provider,
                "area": p.area,
                "places": places,
                "filled": filled,
                "free": places - filled,
                "waiting": u.map_or(0, |u| u.waiting),
                "percent": if places > 0 { filled * 100 / places } else { 0 },
                "wait_days": p.wait_days,
            })
        })
        .collect();
    page(
        &renderer,
        "provision",
        "Provision and places",
        Some(user),
        "/provision",
        json!({"rows": rows, "from": today.to_string(), "weeks": WEEKS_AHEAD}),
    )
}

pub async fn show(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    access.allow(crate::app::access::COORDINATORS)?;
    let names = intervention_names(&access).await?;
    let record = provision::get(&access, &id).await?;
    let p = &record.provision;
    let mut cohorts = Vec::new();
    for cohort in capacity::cohorts(&access, Some(&p.id)).await? {
        let (cohort, bookings) = capacity::cohort(&access, &cohort.id).await?;
        cohorts.push(json!({
            "cohort": CohortView::from(cohort),
            "bookings": bookings.unwrap_or_default().into_iter().map(BookingView::from).collect::<Vec<_>>(),
        }));
    }
    let waiting: Vec<WaitingEntryView> = capacity::waiting_list(&access, &p.id)
        .await?
        .into_iter()
        .map(WaitingEntryView::from)
        .collect();
    let facilitators: Vec<FacilitatorView> = capacity::facilitators(&access, Some(&p.intervention))
        .await?
        .into_iter()
        .map(FacilitatorView::from)
        .collect();
    let name = name_of(&names, &p.intervention);
    page(
        &renderer,
        "provision-one",
        &format!("{name}: {}", p.provider),
        Some(user),
        "/provision",
        json!({
            "name": name,
            "provision": p,
            "cohorts": cohorts,
            "waiting": waiting,
            "facilitators": facilitators,
        }),
    )
}
