//! A case manager's caseload and a child's record. Every read of a child's record is audited by
//! the use cases these pages call.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::accounts::Role;
use crate::app::access::Access;
use crate::app::{case_plans, casework, catalogue, reviews};
use crate::domain::case_plan::PlanState;
use crate::domain::casework::{Assessment, OrderRecord, PartnerDecision, RiskPlans};
use crate::domain::levels::OrderType;
use crate::render::Renderer;
use crate::store::reviews::ReviewState;
use crate::web::WebError;
use crate::web::session::Page;
use crate::web::view::{flag, page, plural};

/// Intervention ids to names, for the pages (ids are never shown alone).
pub async fn intervention_names(access: &Access<'_>) -> Result<Vec<(String, String)>, WebError> {
    Ok(catalogue::search(
        access,
        &catalogue::Filter {
            include_retired: true,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| (s.intervention.id, s.intervention.name))
    .collect())
}

/// Reviews may be recorded from two weeks before they fall due; later ones are scheduled.
pub fn recordable_until() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() + chrono::Duration::days(14)
}

pub fn name_of(names: &[(String, String)], id: &str) -> String {
    names
        .iter()
        .find(|(i, _)| i == id)
        .map_or(id.to_string(), |(_, n)| n.clone())
}

pub async fn caseload(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    let mine = user.caller.role == Role::CaseManager;
    let children = casework::list_children(&access, mine).await?;
    let mut rows = Vec::new();
    for child in children {
        let orders = casework::list_records::<OrderRecord>(&access, &child.id).await?;
        let plans = case_plans::list_plans(&access, &child.id).await?;
        let due = reviews::list_reviews(&access, &child.id).await?;
        let order = orders.last().map(|o| &o.document.order);
        let live = plans
            .iter()
            .rev()
            .find(|p| matches!(p.state, PlanState::Accepted | PlanState::Active));
        let latest = plans.last();
        let next_review = due
            .iter()
            .filter(|r| r.state == ReviewState::Due)
            .map(|r| r.due)
            .min();
        // The flags of the plan in force, else of the latest draft; each once.
        let mut codes: Vec<_> = live
            .or(latest)
            .map(|p| p.document.plan.flags.iter().map(|f| f.code).collect())
            .unwrap_or_default();
        codes.sort();
        codes.dedup();
        let flags: Vec<Value> = codes.into_iter().map(flag).collect();
        let awaiting = order.is_some_and(|o| o.order_type == OrderType::Proposed);
        rows.push(json!({
            "id": child.id,
            "name": child.record.name,
            "reference": child.record.reference,
            "order": order.map(|o| if awaiting { "awaiting sentence" } else { o.order_type.label() }),
            "order_end": order.filter(|_| !awaiting).map(|o| o.end.to_string()),
            "next_review": next_review.map(|d| d.to_string()),
            "overdue": next_review.is_some_and(|d| d < chrono::Utc::now().date_naive()),
            "plan": match (live, latest) {
                (Some(_), _) => "Accepted",
                (None, Some(_)) => "Draft only",
                (None, None) => "No plan",
            },
            "flags": flags,
        }));
    }
    page(
        &renderer,
        "caseload",
        if mine { "My caseload" } else { "Caseload" },
        Some(user),
        "/caseload",
        json!({"rows": rows, "count": rows.len(), "mine": mine}),
    )
}

pub async fn child(
    page_caller: Page,
    db: web::Data<DatabaseConnection>,
    renderer: web::Data<Renderer>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let user = &page_caller.0;
    let access = Access::new(&db, &user.caller);
    let child = casework::get_child(&access, &id).await?;
    let names = intervention_names(&access).await?;
    let needs = catalogue::needs(&access).await?;
    let need_name = |id: &str| {
        needs
            .iter()
            .find(|n| n.id == id)
            .map_or(id.to_string(), |n| n.name.clone())
    };
    let assessments = casework::list_records::<Assessment>(&access, &child.id).await?;
    let orders = casework::list_records::<OrderRecord>(&access, &child.id).await?;
    let risk_plans = casework::list_records::<RiskPlans>(&access, &child.id).await?;
    let decisions = casework::list_records::<PartnerDecision>(&access, &child.id).await?;
    let plans = case_plans::list_plans(&access, &child.id).await?;
    let child_reviews = reviews::list_reviews(&access, &child.id).await?;
    let proposals = crate::app::proposals::list_proposals(&access, &child.id).await?;
    let assessment = assessments.last().map(|a| {
        let a = &a.document;
        json!({
            "assessed_on": a.assessed_on.to_string(),
            "likelihood": a.likelihood_of_reoffending,
            "risk_of_serious_harm": a.risk_of_serious_harm,
            "safety_and_wellbeing": a.safety_and_wellbeing,
            "intervention_level": a.intervention_level,
            "override_reason": a.override_reason,
            "needs": a.needs.iter().map(|n| json!({
                "name": need_name(&n.need),
                "level": n.level,
                "offending": n.linked_to_offending,
                "harm": n.linked_to_harm,
            })).collect::<Vec<_>>(),
        })
    });
    let order = orders.last().map(|o| {
        let order = &o.document.order;
        json!({
            "type": order.order_type.label(),
            "awaiting": order.order_type == OrderType::Proposed,
            "start": order.start.to_string(),
            "end": order.end.to_string(),
            "offence": o.document.offence,
            "requirements": order.requirements.as_ref().map(|rs| rs.iter().map(|r| {
                crate::render::format::words(&serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
            }).collect::<Vec<_>>().join(", ")),
        })
    });
    let decisions: Vec<Value> = decisions
        .iter()
        .map(|d| {
            let d = &d.document;
            json!({
                "agency": crate::render::format::words(&d.agency),
                "agreed_by": d.agreed_by,
                "decision": d.decision,
                "intervention": d.intervention.as_deref().map(|i| name_of(&names, i)),
                "reason": d.reason,
                "decided_on": d.decided_on.to_string(),
                "challenged": d.challenged,
                "ends_on": d.ends_on.map(|e| e.to_string()),
            })
        })
        .collect();
    let live_plan = plans
        .iter()
        .rev()
        .find(|p| matches!(p.state, PlanState::Accepted | PlanState::Active))
        .map(|p| p.id.clone());
    let plans: Vec<Value> = plans
        .iter()
        .rev()
        .map(|p| {
            json!({
                "id": p.id, "number": p.number, "state": p.state,
                "created_at": p.created_at,
                "items": plural(p.document.plan.items.len(), "item", "items"),
                "gaps": plural(p.document.plan.gaps.len(), "gap", "gaps"),
            })
        })
        .collect();
    let child_reviews: Vec<Value> = child_reviews
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "kind": r.kind, "due": r.due.to_string(), "state": r.state,
                "open": r.state == ReviewState::Due && r.due <= recordable_until(),
                "plan_id": r.plan_id.clone().or_else(|| live_plan.clone()),
                "intervention": r.intervention.as_deref().map(|i| name_of(&names, i)),
                "summary": r.record.as_ref().map(|rec| rec.summary.clone()),
            })
        })
        .collect();
    let proposals: Vec<Value> = proposals
        .iter()
        .map(|p| json!({"id": p.id, "number": p.number, "state": p.state}))
        .collect();
    let risk = risk_plans.last().map(|r| &r.document);
    // What must be in place at the child's levels and is not.
    let mut warnings = Vec::new();
    if let Some(a) = assessments.last().map(|a| &a.document) {
        if a.risk_of_serious_harm.is_high_or_above()
            && risk.and_then(|r| r.risk_management.as_ref()).is_none()
        {
            warnings.push("Risk of serious harm is high or very high and no risk management plan with contingency is recorded.");
        }
        if a.safety_and_wellbeing.is_high_or_above()
            && risk.and_then(|r| r.safety_and_wellbeing.as_ref()).is_none()
        {
            warnings.push("Safety and wellbeing concerns are high or very high and no safety and wellbeing plan is recorded.");
        }
    }
    page(
        &renderer,
        "child",
        &child.record.name,
        Some(user),
        "/caseload",
        json!({
            "csrf": user.csrf_token,
            "child": {
                "id": child.id,
                "name": child.record.name,
                "reference": child.record.reference,
                "date_of_birth": child.record.date_of_birth.to_string(),
                "looked_after": child.record.looked_after,
                "ehcp": child.record.ehcp,
                "gang_affiliations": child.record.gang_affiliations.join(", "),
                "unsafe_areas": child.record.unsafe_areas.join(", "),
                "non_associations": child.record.non_associations.join(", "),
            },
            "assessment": assessment,
            "order": order,
            "risk_plans": risk,
            "warnings": warnings,
            "decisions": decisions,
            "plans": plans,
            "reviews": child_reviews,
            "proposals": proposals,
            "proposed": orders.last().is_some_and(|o| o.document.order.order_type == OrderType::Proposed),
        }),
    )
}
