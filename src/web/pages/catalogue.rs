//! The catalogue, for everyone: search and filter by need, category, evidence and age; an
//! intervention's page with its referral route and where the team provides it.

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::app::access::Access;
use crate::app::catalogue::{self, Filter};
use crate::render::Renderer;
use crate::web::WebError;
use crate::web::session::Page;
use crate::web::view::page;

const EVIDENCE: &[&str] = &["research_supported", "promising", "emerging", "unrated"];

pub async fn list(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    let q = |k: &str| {
        query
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    let age = match q("age") {
        None => None,
        Some(a) => match a.parse::<i64>() {
            Ok(age) if (10..=25).contains(&age) => Some(age),
            _ => {
                errors.push(
                    json!({"text": "Age must be a whole number from 10 to 25", "href": "#age"}),
                );
                None
            }
        },
    };
    let evidence = q("evidence").and_then(|e| serde_json::from_value(json!(e)).ok());
    let filter = Filter {
        need: q("need"),
        category: q("category"),
        evidence,
        age,
        text: q("q"),
        ..Filter::default()
    };
    let needs = catalogue::needs(&access).await?;
    let all = catalogue::search(&access, &Filter::default()).await?;
    let categories: BTreeSet<String> = all
        .iter()
        .map(|s| s.intervention.category.clone())
        .collect();
    let found = catalogue::search(&access, &filter).await?;
    let need_name = |id: &str| {
        needs
            .iter()
            .find(|n| n.id == id)
            .map_or(id.to_string(), |n| n.name.clone())
    };
    let rows: Vec<_> = found
        .iter()
        .map(|s| {
            let iv = &s.intervention;
            json!({
                "id": iv.id,
                "name": iv.name,
                "category": iv.category,
                "needs": iv.addresses.iter().map(|n| need_name(n)).collect::<Vec<_>>().join(", "),
                "evidence": iv.evidence,
                "offending_focused": iv.offending_focused,
                "ages": match (iv.min_age, iv.max_age) {
                    (Some(a), Some(b)) => format!("{a} to {b}"),
                    (Some(a), None) => format!("{a} and over"),
                    (None, Some(b)) => format!("up to {b}"),
                    (None, None) => "any".to_string(),
                },
            })
        })
        .collect();
    let selected = |k: &str| q(k).unwrap_or_default();
    page(
        &renderer,
        "catalogue",
        "Catalogue of interventions",
        Some(user),
        "/catalogue",
        json!({
            "errors": errors,
            "rows": rows,
            "count": rows.len(),
            "q": selected("q"),
            "age": selected("age"),
            "needs": needs.iter().map(|n| json!({"id": n.id, "name": n.name, "selected": n.id == selected("need")})).collect::<Vec<_>>(),
            "categories": categories.iter().map(|c| json!({"id": c, "selected": *c == selected("category")})).collect::<Vec<_>>(),
            "evidence": EVIDENCE.iter().map(|e| json!({"id": e, "selected": *e == selected("evidence")})).collect::<Vec<_>>(),
        }),
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
    let stored = catalogue::get(&access, &id).await?;
    let needs = catalogue::needs(&access).await?;
    let iv = &stored.intervention;
    let provided: Vec<_> = crate::app::provision::list(&access)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.provision.intervention == iv.id)
        .map(|p| {
            let p = p.provision;
            json!({
                "id": p.id, "provider": p.provider, "area": p.area, "places": p.places,
                "wait_days": p.wait_days, "outreach": p.outreach, "rolling": p.rolling,
                "next_start": p.starts.first().map(|d| d.to_string()),
            })
        })
        .collect();
    let needs: Vec<_> = iv
        .addresses
        .iter()
        .map(|n| {
            needs
                .iter()
                .find(|x| &x.id == n)
                .map_or(n.clone(), |x| x.name.clone())
        })
        .collect();
    page(
        &renderer,
        "intervention",
        &iv.name,
        Some(user),
        "/catalogue",
        json!({
            "intervention": iv,
            "weeks": iv.weeks(),
            "needs": needs.join(", "),
            "provided": provided,
            "retired": stored.retired,
        }),
    )
}
