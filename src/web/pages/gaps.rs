//! The managers' pages: the provision-gap picture with its charts and CSV, the what-if, and
//! overdue reviews. Reports hold counts, never a child's identity (counts of 1 to 4 are
//! suppressed, as in the API).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use super::caseload::intervention_names;
use crate::app::access::Access;
use crate::app::planning::Solvers;
use crate::app::reports::{self, Scope};
use crate::app::reviews::{self, OverdueView};
use crate::app::{AppError, provision};
use crate::render::Renderer;
use crate::reports::charts::{self, CHARTS};
use crate::reports::what_if::{ProvisionChange, WhatIfRequest};
use crate::web::WebError;
use crate::web::form::Form;
use crate::web::session::Page;
use crate::web::view::{error_list, page};

pub async fn gaps(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    let report = reports::provision_gaps(&access, Scope::Team).await?;
    let charts: Vec<Value> = CHARTS
        .iter()
        .filter_map(|name| match charts::chart(&report, name) {
            Some(Ok(chart)) => {
                Some(json!({"name": name, "title": chart.title, "text": chart.text}))
            }
            _ => None,
        })
        .collect();
    page(
        &renderer,
        "gaps",
        "Provision gaps",
        Some(user),
        "/gaps",
        json!({"report": report, "charts": charts}),
    )
}

pub async fn csv(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, WebError> {
    let access = Access::new(&db, &page_caller.0.caller);
    let report = reports::provision_gaps(&access, Scope::Team).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"provision-gaps.csv\"",
        ))
        .body(crate::reports::csv::provision_gaps(&report)))
}

pub async fn chart(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    name: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let access = Access::new(&db, &page_caller.0.caller);
    access.allow(reports::REPORT_READERS)?;
    if !CHARTS.contains(&name.as_str()) {
        return Err(WebError::NotFound);
    }
    let report = reports::provision_gaps(&access, Scope::Team).await?;
    let drawn = charts::chart(&report, &name)
        .ok_or(WebError::NotFound)?
        .map_err(|e| WebError::Internal(anyhow::anyhow!("chart {name}: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .body(drawn.svg))
}

/// The choices of the what-if form: the team's interventions and provision.
async fn what_if_choices(access: &Access<'_>) -> Result<Value, WebError> {
    let names = intervention_names(access).await?;
    let provision: Vec<Value> = provision::list(access)
        .await?
        .into_iter()
        .map(|p| {
            let name = super::caseload::name_of(&names, &p.provision.intervention);
            json!({"id": p.provision.id, "name": format!("{name} ({})", p.provision.provider)})
        })
        .collect();
    let interventions: Vec<Value> = names
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Ok(json!({"interventions": interventions, "provision": provision}))
}

pub async fn what_if_form(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    access.allow(reports::REPORT_READERS)?;
    let mut view = what_if_choices(&access).await?;
    view["csrf"] = json!(user.csrf_token);
    page(
        &renderer,
        "what-if",
        "What if the offer changed?",
        Some(user),
        "/what-if",
        view,
    )
}

/// The change the form describes, or the fields that are wrong.
fn change_from(form: &Form) -> Result<ProvisionChange, Vec<Value>> {
    let number = |field: &str, href: &str, what: &str| {
        form.get(field)
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                vec![json!({"text": format!("Enter {what} as a whole number"), "href": href})]
            })
    };
    let need = |field: &str, href: &str, what: &str| {
        let v = form.get(field);
        if v.is_empty() {
            Err(vec![
                json!({"text": format!("Choose {what}"), "href": href}),
            ])
        } else {
            Ok(v.to_string())
        }
    };
    match form.get("change") {
        "add_places" => Ok(ProvisionChange::AddPlaces {
            intervention: need("intervention", "#intervention", "an intervention")?,
            places: number("places", "#places", "the places")?,
            from: NaiveDate::parse_from_str(form.get("from"), "%Y-%m-%d").ok(),
            area: form.get("area").to_string(),
            outreach: form.get("outreach") == "yes",
            wait_days: form.get("wait_days").parse().unwrap_or(0),
        }),
        "set_places" => Ok(ProvisionChange::SetPlaces {
            provision: need("provision", "#provision", "the provision")?,
            places: number("places", "#places", "the places")?,
        }),
        "set_wait" => Ok(ProvisionChange::SetWait {
            provision: need("provision", "#provision", "the provision")?,
            wait_days: number("wait_days", "#wait_days", "the wait in days")?,
        }),
        "drop_provision" => Ok(ProvisionChange::DropProvision {
            provision: need("provision", "#provision", "the provision")?,
        }),
        "train_facilitators" => Ok(ProvisionChange::TrainFacilitators {
            intervention: need("intervention", "#intervention", "an intervention")?,
            count: number("count", "#count", "the number of facilitators")? as usize,
        }),
        _ => Err(vec![
            json!({"text": "Choose what to change", "href": "#change"}),
        ]),
    }
}

pub async fn what_if(
    req: HttpRequest,
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    renderer: web::Data<Renderer>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let form = Form::checked(&req, user, &body)?;
    let access = Access::new(&db, &user.caller);
    access.allow(reports::REPORT_READERS)?;
    let mut view = what_if_choices(&access).await?;
    view["csrf"] = json!(user.csrf_token);
    view["chosen"] = json!(form.get("change"));
    match change_from(&form) {
        Err(errors) => view["errors"] = json!(errors),
        Ok(change) => {
            let request = WhatIfRequest {
                changes: vec![change],
            };
            match reports::what_if(&access, &solvers, request).await {
                Ok(answer) => view["answer"] = json!(answer),
                Err(AppError::Invalid(errors)) => view["errors"] = json!(error_list(&errors)),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let refused = view.get("errors").is_some();
    let mut response = page(
        &renderer,
        "what-if",
        "What if the offer changed?",
        Some(user),
        "/what-if",
        view,
    )?;
    if refused {
        *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn overdue_reviews(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    // A case manager sees their own children's; admins the team's; managers the counts.
    let mine = user.caller.role == crate::accounts::Role::CaseManager;
    let view = match reviews::overdue(&access, mine).await? {
        OverdueView::Counts(counts) => json!({
            "counts": counts.iter().map(|(holder, n)| json!({"holder": holder, "count": n})).collect::<Vec<_>>(),
        }),
        OverdueView::Reviews(list) => json!({
            "reviews": list.iter().map(|o| json!({
                "child": o.young_person_id,
                "reference": o.reference,
                "case_manager": o.case_manager,
                "due": o.review.due.to_string(),
                "days": o.days_overdue,
                "kind": o.review.kind,
            })).collect::<Vec<_>>(),
        }),
    };
    page(
        &renderer,
        "reviews",
        "Overdue reviews",
        Some(user),
        "/reviews",
        view,
    )
}
