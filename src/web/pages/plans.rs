//! The plan builder: build (run the optimiser), see the plan as a timeline with its rationale,
//! gaps and flags, keep or leave out items with a reason and build again, accept; record
//! reviews; build and print the pre-sentence proposal.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use super::caseload::{intervention_names, name_of, recordable_until};
use crate::app::access::Access;
use crate::app::case_plans::{self, AcceptAnswers, Accepted};
use crate::app::planning::Solvers;
use crate::app::{AppError, casework, catalogue, proposals, reviews};
use crate::domain::case_plan::{
    BuildRequest, CaseExclusion, EndedEarly, ItemOutcome, ItemStatus, NeedOutcome, PlanState,
    ReviewRecord,
};
use crate::domain::casework::OrderRecord;
use crate::domain::levels::{DeliveredUnder, Level, OrderType};
use crate::domain::problem::KeptItem;
use crate::render::Renderer;
use crate::store::reviews::ReviewState;
use crate::web::WebError;
use crate::web::form::Form;
use crate::web::session::Page;
use crate::web::view::{error_list, flag, page, see_other};

pub async fn build(
    req: HttpRequest,
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    renderer: web::Data<Renderer>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let form = Form::checked(&req, user, &body)?;
    let access = Access::new(&db, &user.caller);
    let orders = casework::list_records::<OrderRecord>(&access, &id).await?;
    if orders
        .last()
        .is_some_and(|o| o.document.order.order_type == OrderType::Proposed)
    {
        return Err(WebError::Conflict(
            "the child awaits sentence: build the pre-sentence proposal instead; the plan is built once the court has sentenced".into(),
        ));
    }
    // Kept items arrive as "intervention|provision|start"; left-out ones with their reason.
    let pins = form
        .all("keep")
        .into_iter()
        .filter_map(|v| {
            let mut parts = v.splitn(3, '|');
            let (i, p, s) = (parts.next()?, parts.next()?, parts.next()?);
            Some(KeptItem {
                intervention: i.to_string(),
                provision: p.to_string(),
                start: NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?,
            })
        })
        .collect();
    let exclusions = match form.get("exclude") {
        "" => vec![],
        intervention => vec![CaseExclusion {
            intervention: intervention.to_string(),
            reason: form.get("exclude_reason").to_string(),
        }],
    };
    let request = BuildRequest {
        reason: form.get("reason").to_string(),
        pins,
        exclusions,
    };
    match case_plans::build_plan(&access, &solvers, &id, request).await {
        Ok(plan) => Ok(see_other(&format!(
            "/children/{}/plans/{}?built=1",
            id, plan.id
        ))),
        Err(AppError::Invalid(errors)) => {
            let back = form.get("from_plan");
            if back.is_empty() {
                Err(WebError::Conflict(
                    error_list(&errors)
                        .iter()
                        .map(|e| e["text"].as_str().unwrap_or("").to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ))
            } else {
                render_plan(
                    user,
                    &db,
                    &renderer,
                    &id,
                    back,
                    error_list(&errors),
                    None,
                    None,
                )
                .await
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    path: web::Path<(String, String)>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let (id, plan_id) = path.into_inner();
    let banner = if query.contains_key("built") {
        Some(
            json!({"type": "success", "text": "The plan is built: check it, then accept it or build it again."}),
        )
    } else if query.contains_key("accepted") {
        Some(
            json!({"type": "success", "text": "The plan is accepted: its places are booked and its reviews scheduled."}),
        )
    } else if query.contains_key("reviewed") {
        Some(json!({"type": "success", "text": "The review is recorded."}))
    } else {
        None
    };
    render_plan(
        &page_caller.0,
        &db,
        &renderer,
        &id,
        &plan_id,
        vec![],
        banner,
        None,
    )
    .await
}

/// The plan page; `open_review`: the review whose form was refused, shown open with its errors.
#[allow(clippy::too_many_arguments)]
async fn render_plan(
    user: &crate::app::sign_in::SignedIn,
    db: &DatabaseConnection,
    renderer: &Renderer,
    id: &str,
    plan_id: &str,
    errors: Vec<Value>,
    banner: Option<Value>,
    open_review: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let access = Access::new(db, &user.caller);
    let child = casework::get_child(&access, id).await?;
    let plan = case_plans::get_plan(&access, id, plan_id).await?;
    let names = intervention_names(&access).await?;
    let needs = catalogue::needs(&access).await?;
    let need_name = |n: &str| {
        needs
            .iter()
            .find(|x| x.id == n)
            .map_or(n.to_string(), |x| x.name.clone())
    };
    let doc = &plan.document;
    let mut items: Vec<&crate::domain::plan::PlanItem> = doc.plan.items.iter().collect();
    items.sort_by_key(|i| (i.start, i.intervention.clone()));
    let first = items.iter().map(|i| i.start).min();
    let last = items.iter().map(|i| i.end).max();
    let span = match (first, last) {
        (Some(a), Some(b)) => ((b - a).num_days().max(1)) as f64,
        _ => 1.0,
    };
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            let offset = first.map_or(0, |f| (i.start - f).num_days()) as f64;
            let length = ((i.end - i.start).num_days().max(1)) as f64;
            json!({
                "name": name_of(&names, &i.intervention),
                "intervention": i.intervention,
                "provision": i.provision,
                "start": i.start.to_string(),
                "end": i.end.to_string(),
                "needs": i.addresses.iter().map(|n| need_name(n)).collect::<Vec<_>>().join(", "),
                "rationale": i.rationale,
                "offending_focused": i.offending_focused,
                "assessment": i.assessment,
                "weekly_hours": hours(i.weekly_hours),
                "under": i.under.as_deref().map(|u| DeliveredUnder::parse(u).map_or_else(|| u.to_string(), |d| d.label())),
                "after": i.after.iter().map(|a| name_of(&names, a)).collect::<Vec<_>>().join(", "),
                "keep": format!("{}|{}|{}", i.intervention, i.provision, i.start),
                // The timeline's bar, as tenths of the plan's span (no inline style is allowed).
                "bar_offset": ((offset / span) * 10.0).round() as i64,
                "bar_length": (((length / span) * 10.0).round() as i64).max(1),
            })
        })
        .collect();
    let gaps: Vec<Value> = doc
        .plan
        .gaps
        .iter()
        .map(|g| json!({"need": need_name(&g.need), "level": g.level, "reason": g.reason, "detail": g.detail}))
        .collect();
    let stored_reviews = reviews::list_reviews(&access, id).await?;
    // A review of no particular version (a significant change) belongs to the plan in force.
    let live = matches!(plan.state, PlanState::Accepted | PlanState::Active);
    let of_this_plan = |r: &&crate::store::reviews::StoredReview| {
        r.plan_id.as_deref() == Some(plan_id) || (r.plan_id.is_none() && live)
    };
    let plan_reviews: Vec<Value> = stored_reviews
        .iter()
        .filter(|r| of_this_plan(r))
        .map(|r| {
            let item = r
                .intervention
                .as_ref()
                .and_then(|i| doc.plan.items.iter().find(|x| &x.intervention == i));
            json!({
                "id": r.id,
                "version": r.version,
                "kind": r.kind,
                "due": r.due.to_string(),
                "due_now": r.state == ReviewState::Due && r.due <= recordable_until(),
                "scheduled": r.state == ReviewState::Due && r.due > recordable_until(),
                "refused": open_review == Some(r.id.as_str()),
                "state": r.state,
                "intervention": r.intervention,
                "intervention_name": r.intervention.as_deref().map(|i| name_of(&names, i)),
                "needs": item.map(|i| i.addresses.iter().map(|n| json!({"id": n, "name": need_name(n)})).collect::<Vec<_>>()),
                "summary": r.record.as_ref().map(|x| x.summary.clone()),
            })
        })
        .collect();
    let draft = plan.state == PlanState::Draft;
    let tasks = [
        ("Assessment recorded", true),
        ("Plan built", true),
        ("Gaps and flags checked", !draft),
        ("Plan accepted and places booked", !draft),
        (
            "Reviews recorded",
            !draft
                && stored_reviews
                    .iter()
                    .filter(|r| of_this_plan(r))
                    .all(|r| r.state != ReviewState::Due),
        ),
    ];
    let excludable: Vec<Value> = items
        .iter()
        .map(|i| json!({"id": i["intervention"], "name": i["name"]}))
        .collect();
    let refused = !errors.is_empty();
    let mut response = page(
        renderer,
        "plan",
        &format!("Plan {} for {}", plan.number, child.record.name),
        Some(user),
        "/caseload",
        json!({
            "errors": errors,
            "banner": banner,
            "csrf": user.csrf_token,
            "child": {"id": child.id, "name": child.record.name, "reference": child.record.reference},
            "plan": {
                "id": plan.id, "number": plan.number, "state": plan.state, "version": plan.version,
                "as_of": doc.as_of.to_string(), "draft": draft,
                "reason": doc.request.reason, "changes": doc.changes,
                "solver": doc.plan.solver.status,
            },
            "tasks": tasks.iter().map(|(t, done)| json!({"text": t, "done": done})).collect::<Vec<_>>(),
            "items": items,
            "gaps": gaps,
            "flags": doc.plan.flags.iter().map(|f| {
                let mut view = flag(f.code);
                view["detail"] = json!(f.detail);
                view
            }).collect::<Vec<_>>(),
            "must_confirm": !doc.plan.flags.is_empty() || !doc.plan.gaps.is_empty(),
            "reviews": plan_reviews,
            "excludable": excludable,
            "today": chrono::Utc::now().date_naive().to_string(),
        }),
    )?;
    if refused {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn accept(
    req: HttpRequest,
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let form = Form::checked(&req, user, &body)?;
    let (id, plan_id) = path.into_inner();
    let version = form.get("version").parse::<i64>().ok();
    // A plan with flags or gaps is accepted only by someone who says they have read them.
    let access = Access::new(&db, &user.caller);
    // Who may accept, before the plan is read (coordinators may read plans, not accept them).
    access.allow(crate::app::casework::CASE_WORKERS)?;
    let plan = case_plans::get_plan(&access, &id, &plan_id).await?;
    let open = !plan.document.plan.flags.is_empty() || !plan.document.plan.gaps.is_empty();
    if open && form.get("confirm") != "yes" {
        let error = json!({"text": "Confirm that you have read the plan's flags and gaps and decided what to do about each", "href": "#confirm"});
        return render_plan(user, &db, &renderer, &id, &plan_id, vec![error], None, None).await;
    }
    let answers = AcceptAnswers {
        accepted: &|_| String::new(),
        refused: &|_| (500, String::new()),
    };
    match case_plans::accept_plan(&access, &id, &plan_id, version, None, None, &answers).await {
        Ok(Accepted::Plan(_)) | Ok(Accepted::Replay { .. }) => Ok(see_other(&format!(
            "/children/{id}/plans/{plan_id}?accepted=1"
        ))),
        Err(AppError::Conflict(message)) => {
            render_plan(
                user,
                &db,
                &renderer,
                &id,
                &plan_id,
                vec![json!({"text": message})],
                None,
                None,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            render_plan(
                user,
                &db,
                &renderer,
                &id,
                &plan_id,
                error_list(&errors),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn record_review(
    req: HttpRequest,
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let form = Form::checked(&req, user, &body)?;
    let (id, review_id) = path.into_inner();
    let plan_id = form.get("plan").to_string();
    let mut problems = Vec::new();
    let reviewed_on = NaiveDate::from_ymd_opt(
        form.get("reviewed_on-year").parse().unwrap_or(0),
        form.get("reviewed_on-month").parse().unwrap_or(0),
        form.get("reviewed_on-day").parse().unwrap_or(0),
    );
    if reviewed_on.is_none() {
        problems.push(json!({"text": "Enter the date of the review as a real date, like 4 10 2026", "href": format!("#reviewed_on-day-{review_id}")}));
    }
    let mut items = Vec::new();
    let intervention = form.get("intervention");
    if !intervention.is_empty() {
        let offered = form.get("sessions_offered").parse::<u32>();
        let attended = form.get("sessions_attended").parse::<u32>();
        if offered.is_err() || attended.is_err() {
            problems.push(json!({"text": "Enter the sessions offered and attended as whole numbers", "href": format!("#sessions_offered-{review_id}")}));
        }
        let status = match form.get("status") {
            "completed" => ItemStatus::Completed,
            "ended_early" => ItemStatus::EndedEarly,
            _ => ItemStatus::Ongoing,
        };
        let ended_early: Option<EndedEarly> = match form.get("ended_early") {
            "" => None,
            reason => serde_json::from_value(json!(reason)).ok(),
        };
        let outcomes = form
            .all("need")
            .into_iter()
            .filter_map(|need| {
                let achieved = form.get(&format!("achieved-{need}")).parse::<f64>().ok()?;
                let level_after: Level =
                    serde_json::from_value(json!(form.get(&format!("level-{need}")))).ok()?;
                Some(NeedOutcome {
                    need: need.to_string(),
                    achieved,
                    level_after,
                })
            })
            .collect();
        items.push(ItemOutcome {
            intervention: intervention.to_string(),
            sessions_offered: offered.unwrap_or(0),
            sessions_attended: attended.unwrap_or(0),
            status,
            ended_early: if status == ItemStatus::EndedEarly {
                ended_early
            } else {
                None
            },
            outcomes,
        });
    }
    if problems.is_empty()
        && let Some(reviewed_on) = reviewed_on
    {
        let record = ReviewRecord {
            reviewed_on,
            items,
            summary: form.get("summary").to_string(),
        };
        let version = form.get("version").parse::<i64>().ok();
        let access = Access::new(&db, &user.caller);
        match reviews::record_review(&access, &id, &review_id, version, record).await {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/children/{id}/plans/{plan_id}?reviewed=1"
                )));
            }
            Err(AppError::Invalid(errors)) => problems = error_list(&errors),
            Err(e) => return Err(e.into()),
        }
    }
    render_plan(
        user,
        &db,
        &renderer,
        &id,
        &plan_id,
        problems,
        None,
        Some(&review_id),
    )
    .await
}

/// "1 hour", "1.5 hours".
fn hours(h: f64) -> String {
    let rounded = (h * 10.0).round() / 10.0;
    let text = if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    };
    format!("{text} {}", if rounded == 1.0 { "hour" } else { "hours" })
}

pub async fn build_proposal(
    req: HttpRequest,
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    solvers: web::Data<Solvers>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    Form::checked(&req, user, &body)?;
    let access = Access::new(&db, &user.caller);
    let proposal = proposals::build_proposal(&access, &solvers, &id, Default::default()).await?;
    Ok(see_other(&format!(
        "/children/{id}/proposals/{}",
        proposal.id
    )))
}

/// The court report, printable, as the API serves it (its own stylesheet and policy).
pub async fn proposal(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (id, proposal_id) = path.into_inner();
    let access = Access::new(&db, &page_caller.0.caller);
    let (child, stored) = proposals::get_proposal(&access, &id, &proposal_id).await?;
    let view = proposals::court_report_view(&child, &stored);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, renderer.policy("proposal")))
        .body(renderer.html("proposal", &view)?))
}
