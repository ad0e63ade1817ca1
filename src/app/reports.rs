//! The managers' reports (docs/reports.md): the provision-gap picture of the live caseload,
//! its charts and CSV, and the what-if of a change to the local offer. Aggregates only: the
//! reports read every child's records and return no child's name, reference or date of birth;
//! each report read is audited with the team it covered.

use std::collections::{BTreeMap, BTreeSet};

use super::planning::{Solvers, team_provision};
use super::{Access, AppError, AppResult};
use crate::accounts::Role;
use crate::allocation::{self, AllocationSettings};
use crate::domain::case_plan::{BuildRequest, CaseInputs, PlanState, planning_problem};
use crate::domain::casework::{Assessment, ChildRecord, OrderRecord, PartnerDecision, RiskPlans};
use crate::domain::problem::{Case, Caseload};
use crate::domain::{Catalogue, OrderType, RiskLevel};
use crate::reports::facts::{CaseFacts, CurrentPlan, ProvisionFacts, ReviewFact};
use crate::reports::provision_gaps::{self, ProvisionGapReport};
use crate::reports::what_if::{self, Allocated, WhatIfAnswer, WhatIfRequest};
use crate::store::audit::AuditAction;
use crate::store::case_records::{RecordKind, Stored};
use crate::store::{self, cohorts::today};

/// Those who read the reports: managers, coordinators (who commission and run the offer) and
/// admins.
pub const REPORT_READERS: &[Role] = &[Role::Manager, Role::Coordinator, Role::Admin];

/// Which teams a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Team,
    /// Every team (admins only).
    AllTeams,
}

/// One child on the live caseload with what planning needs of them.
struct LiveCase {
    child: ChildRecord,
    risk: Option<RiskPlans>,
    facts: CaseFacts,
}

/// The latest record of each child, by child.
fn latest_by_child<T>(records: Vec<Stored<T>>) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    for r in records {
        out.insert(r.young_person_id, r.document);
    }
    out
}

/// The team's live caseload: children with an assessment and an order that has not ended.
async fn live_caseload(access: &Access<'_>, team: &str) -> AppResult<Vec<LiveCase>> {
    let db = access.db;
    let today = today();
    let children = store::case_records::list_children(db, team, None).await?;
    let assessments: BTreeMap<String, Assessment> = latest_by_child(
        store::case_records::list_for_team(db, team, RecordKind::Assessment).await?,
    );
    let orders: BTreeMap<String, OrderRecord> =
        latest_by_child(store::case_records::list_for_team(db, team, RecordKind::Order).await?);
    let mut risks: BTreeMap<String, RiskPlans> =
        latest_by_child(store::case_records::list_for_team(db, team, RecordKind::RiskPlans).await?);
    let mut decisions: BTreeMap<String, Vec<PartnerDecision>> = BTreeMap::new();
    for d in
        store::case_records::list_for_team::<PartnerDecision>(db, team, RecordKind::PartnerDecision)
            .await?
    {
        decisions
            .entry(d.young_person_id)
            .or_default()
            .push(d.document);
    }
    let mut plans: BTreeMap<String, CurrentPlan> = BTreeMap::new();
    let states = [PlanState::Draft, PlanState::Accepted, PlanState::Active];
    // Ordered by child and number: a live plan wins over any draft, a later one over earlier.
    for p in store::case_plans::in_states(db, team, &states).await? {
        let live = p.state.is_live();
        let keep = plans
            .get(&p.young_person_id)
            .is_none_or(|current| live || !current.live);
        if keep {
            plans.insert(
                p.young_person_id.clone(),
                CurrentPlan {
                    plan: p.document.plan,
                    live,
                    request: p.document.request,
                },
            );
        }
    }
    let mut reviews: BTreeMap<String, Vec<ReviewFact>> = BTreeMap::new();
    for r in store::reviews::list_for_team(db, team).await? {
        reviews
            .entry(r.young_person_id)
            .or_default()
            .push(ReviewFact {
                kind: r.kind,
                due: r.due,
                record: r.record,
            });
    }
    let mut out = Vec::new();
    for child in children {
        let (Some(assessment), Some(order)) = (assessments.get(&child.id), orders.get(&child.id))
        else {
            continue;
        };
        if order.order.end < today {
            continue;
        }
        out.push(LiveCase {
            risk: risks.remove(&child.id),
            facts: CaseFacts {
                team: team.to_string(),
                assessment: assessment.clone(),
                order: order.order.clone(),
                plan: plans.remove(&child.id),
                reviews: reviews.remove(&child.id).unwrap_or_default(),
                decisions: decisions.remove(&child.id).unwrap_or_default(),
            },
            child: child.record,
        });
    }
    Ok(out)
}

/// The team's offer with its bookings, and how many of its staff are trained for each.
async fn team_offer(
    access: &Access<'_>,
    team: &str,
    catalogue: &Catalogue,
) -> AppResult<Vec<ProvisionFacts>> {
    let trained = store::facilitators::list(access.db, team, None).await?;
    Ok(team_provision(access.db, team, catalogue)
        .await?
        .into_iter()
        .map(|provision| ProvisionFacts {
            team: team.to_string(),
            trained_facilitators: trained
                .iter()
                .filter(|f| f.intervention == provision.intervention)
                .count(),
            provision,
        })
        .collect())
}

/// The provision-gap picture of the caller's team (`AllTeams`: every team, admins only).
pub async fn provision_gaps(access: &Access<'_>, scope: Scope) -> AppResult<ProvisionGapReport> {
    access.allow(REPORT_READERS)?;
    let teams = match scope {
        Scope::Team => vec![access.team().to_string()],
        Scope::AllTeams => {
            access.allow(super::access::ADMINS)?;
            store::accounts::team_ids(access.db).await?
        }
    };
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    let mut cases = Vec::new();
    let mut offer = Vec::new();
    for team in &teams {
        cases.extend(
            live_caseload(access, team)
                .await?
                .into_iter()
                .map(|c| c.facts),
        );
        offer.extend(team_offer(access, team, &catalogue).await?);
    }
    access
        .audit_read(
            AuditAction::ReportRead,
            &format!("provision-gaps teams:{}", teams.join(",")),
        )
        .await?;
    Ok(provision_gaps::build(
        today(),
        teams,
        &catalogue,
        &cases,
        &offer,
    ))
}

/// Tries `request`'s changes on a copy of the team's offer and allocates the live caseload
/// afresh twice, on today's offer and on the changed one (each child's own bookings freed,
/// started work not kept: both sides are planned the same way, so the difference is the
/// change). Nothing is stored.
pub async fn what_if(
    access: &Access<'_>,
    solvers: &Solvers,
    request: WhatIfRequest,
) -> AppResult<WhatIfAnswer> {
    access.allow(REPORT_READERS)?;
    let team = access.team();
    let today = today();
    let catalogue = store::catalogue::planning_catalogue(access.db, team).await?;
    // Children awaiting sentence are not yet on an order: the what-if plans the caseload.
    let live: Vec<LiveCase> = live_caseload(access, team)
        .await?
        .into_iter()
        .filter(|c| c.facts.order.order_type != OrderType::Proposed)
        .collect();
    let live_unmet = provision_gaps::unmet_by_need(live.iter().map(|c| &c.facts));
    let mut offer = team_offer(access, team, &catalogue).await?;
    let (changed, said) = what_if::apply(&request, &offer, &catalogue, team, today)?;
    let most = solvers.limits().max_cases;
    if live.len() > most {
        return Err(AppError::invalid(
            "caseload",
            format!(
                "the live caseload has more than {most} children: ask an admin to raise [solver] max_cases"
            ),
        ));
    }
    let references: BTreeSet<String> = live.iter().map(|c| c.child.reference.clone()).collect();
    let pairs: Vec<(String, String)> = live
        .iter()
        .flat_map(|c| {
            c.child
                .non_associations
                .iter()
                .map(|o| (c.child.reference.clone(), o.clone()))
        })
        .collect();
    let team_rivalries = store::rivalries::get(access.db, team).await?;
    let mut rivalries = team_rivalries.clone();
    let mut cases = Vec::new();
    let mut risk: Vec<RiskLevel> = Vec::new();
    for c in &live {
        let request = c
            .facts
            .plan
            .as_ref()
            .map(|p| p.request.clone())
            .unwrap_or_else(BuildRequest::default);
        let problem = planning_problem(&CaseInputs {
            as_of: today,
            child: &c.child,
            assessment: &c.facts.assessment,
            order: &c.facts.order,
            risk_plans: c.risk.as_ref(),
            decisions: &c.facts.decisions,
            request: &request,
            keep: Vec::new(),
            rivalries: &team_rivalries,
            non_associations: &pairs,
        });
        for pair in problem.rivalries {
            if !rivalries.contains(&pair) {
                rivalries.push(pair);
            }
        }
        risk.push(c.facts.assessment.risk_of_serious_harm);
        cases.push(Case {
            young_person: problem.young_person,
            order: problem.order,
        });
    }
    // The caseload's own bookings are re-allocated: places are held by others only.
    let free = |facts: &[ProvisionFacts]| -> Vec<crate::domain::Provision> {
        facts
            .iter()
            .map(|f| {
                let mut p = f.provision.clone();
                p.participants
                    .retain(|q| !references.contains(&q.reference));
                p
            })
            .collect()
    };
    let caseload = |provision| Caseload {
        as_of: today,
        rivalries: rivalries.clone(),
        catalogue: Some(catalogue.clone()),
        provision: Some(provision),
        cases: cases.clone(),
    };
    let now_caseload = caseload(free(&offer));
    let changed_caseload = caseload(free(&changed));
    let settings = store::accounts::planner_settings(access.db, team).await?;
    let limits = AllocationSettings {
        time_limit_seconds: WHAT_IF_SECONDS,
        ..AllocationSettings::default()
    };
    let (before, after) = solvers
        .run(true, 2.0 * WHAT_IF_SECONDS, move || {
            let before = allocation::allocate(&now_caseload, &settings, &limits)?;
            let after = allocation::allocate(&changed_caseload, &settings, &limits)?;
            Ok((before, after))
        })
        .await?;
    access
        .audit_read(
            AuditAction::ReportRead,
            &format!("what-if team:{team} changes:{}", request.changes.len()),
        )
        .await?;
    offer.sort_by(|a, b| a.provision.id.cmp(&b.provision.id));
    let status = |a: &allocation::Allocation| {
        serde_json::to_value(a.solver.status)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    };
    Ok(what_if::compare(
        today,
        said,
        &Allocated {
            plans: &before.plans,
            status: status(&before),
            seconds: before.solver.seconds,
            offer: &offer,
        },
        &Allocated {
            plans: &after.plans,
            status: status(&after),
            seconds: after.solver.seconds,
            offer: &changed,
        },
        &risk,
        &live_unmet,
        &catalogue,
    ))
}

/// Each of a what-if's two allocations stops after this long (the caseload allocation's
/// speed target: a manager waits seconds, not minutes).
pub const WHAT_IF_SECONDS: f64 = 8.0;
