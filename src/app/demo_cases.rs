//! The demo teams' children as stored case records (docs/casework.md): each of the 40 cases in
//! `catalogue/demo/caseload-<team>.json` becomes a young person with an assessment, an order,
//! risk plans, partner bars, and a plan built by the planner, most accepted (places booked),
//! some left as drafts; some reviews recorded (outcomes good, or an item ended early) and a few
//! overdue. A child already stored is left alone, so loading twice changes nothing.

use std::path::Path;

use chrono::Duration;
use sea_orm::DatabaseConnection;

use super::access::Access;
use super::planning::{SolverLimits, Solvers};
use super::{AppError, AppResult, case_plans, casework, reviews};
use crate::accounts::{Caller, Role};
use crate::domain::case_plan::{
    BuildRequest, EndedEarly, ItemOutcome, ItemStatus, NeedOutcome, ReviewRecord,
};
use crate::domain::casework::{
    AssessedNeedRecord, Assessment, CaseEvent, ChildRecord, DecisionKind, EventKind, OrderRecord,
    PartnerDecision, RiskManagement, RiskPlans,
};
use crate::domain::problem::Caseload;
use crate::domain::validation::parse_json;
use crate::domain::{FieldError, Level};
use crate::store::{self, cohorts::today};

/// What loading did for one team's caseload.
pub struct LoadedCases {
    pub team: String,
    pub created: usize,
    pub existing: usize,
    pub accepted: usize,
    pub drafts: usize,
}

/// The demo's two case managers of a team: `<team>:case-manager-1` and `-2`.
pub fn demo_case_managers(team: &str) -> [String; 2] {
    [
        format!("{team}:case-manager-1"),
        format!("{team}:case-manager-2"),
    ]
}

fn demo_caller(team: &str, user: &str) -> Caller {
    Caller {
        team_id: team.to_string(),
        user_id: user.to_string(),
        role: Role::Admin,
        route: "demo".into(),
    }
}

/// Loads the caseload of each team in `teams` (their catalogue and provision loaded first).
pub async fn load(
    db: &DatabaseConnection,
    catalogue_dir: &Path,
    teams: &[&str],
) -> AppResult<Vec<LoadedCases>> {
    let solvers = Solvers::new(SolverLimits::default());
    let mut out = Vec::new();
    for team in teams {
        let path = catalogue_dir
            .join("demo")
            .join(format!("caseload-{team}.json"));
        let text = std::fs::read_to_string(&path).map_err(|e| FieldError {
            field: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })?;
        let caseload: Caseload = parse_json(&text).map_err(|e| FieldError {
            field: format!("{}: {}", path.display(), e.field),
            message: e.message,
        })?;
        let managers = demo_case_managers(team);
        for (k, user) in managers.iter().enumerate() {
            store::accounts::ensure_user(
                db,
                team,
                user,
                &format!("Demo case manager {}", k + 1),
                Role::CaseManager,
            )
            .await?;
        }
        let mut loaded = LoadedCases {
            team: team.to_string(),
            created: 0,
            existing: 0,
            accepted: 0,
            drafts: 0,
        };
        for (k, case) in caseload.cases.iter().enumerate() {
            let user = &managers[k % 2];
            let caller = demo_caller(team, user);
            let access = Access::new(db, &caller);
            let reference = &case.young_person.reference;
            if store::case_records::find_child_by_reference(db, team, reference)
                .await?
                .is_some()
            {
                loaded.existing += 1;
                continue;
            }
            let accepted = load_case(&access, &solvers, case, k, user).await?;
            loaded.created += 1;
            if accepted {
                loaded.accepted += 1;
            } else {
                loaded.drafts += 1;
            }
        }
        out.push(loaded);
    }
    Ok(out)
}

/// One case: records, a plan, and (most) acceptance and reviews. Whether it was accepted.
async fn load_case(
    access: &Access<'_>,
    solvers: &Solvers,
    case: &crate::domain::problem::Case,
    k: usize,
    user: &str,
) -> AppResult<bool> {
    let person = &case.young_person;
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    let child = casework::create_child(
        access,
        ChildRecord {
            reference: person.reference.clone(),
            name: format!("Demo child {}", person.reference),
            date_of_birth: person.date_of_birth,
            gender: person.gender.clone(),
            ethnicity: None,
            looked_after: k % 6 == 0,
            ehcp: k % 5 == 0,
            gang_affiliations: person.gang_affiliations.clone(),
            unsafe_areas: person.unsafe_areas.clone(),
            non_associations: Vec::new(),
            case_manager: Some(user.to_string()),
        },
    )
    .await?;
    let assessed_on = today().min(case.order.start.max(today() - Duration::days(60)));
    let pointed = crate::domain::levels::InterventionLevel::from_assessment(
        person.likelihood_of_reoffending,
        person.risk_of_serious_harm,
    );
    let level = person.intervention_level.filter(|l| *l != pointed);
    casework::add_assessment(
        access,
        &child.id,
        Assessment {
            assessed_on,
            needs: person
                .needs
                .iter()
                .map(|n| AssessedNeedRecord {
                    need: n.need.clone(),
                    level: n.level,
                    linked_to_offending: catalogue
                        .need(&n.need)
                        .is_some_and(|d| d.offending_related),
                    linked_to_harm: catalogue.need(&n.need).is_some_and(|d| d.harm_related),
                })
                .collect(),
            likelihood_of_reoffending: person.likelihood_of_reoffending,
            risk_of_serious_harm: person.risk_of_serious_harm,
            safety_and_wellbeing: person.safety_and_wellbeing,
            intervention_level: level,
            override_reason: level.map(|_| "Level set by the case manager and team manager".into()),
            max_hours_per_week: person.max_hours_per_week,
        },
    )
    .await?;
    casework::add_record(
        access,
        &child.id,
        OrderRecord {
            order: case.order.clone(),
            offence: String::new(),
        },
    )
    .await?;
    if let Some(rmp) = &person.risk_management_plan {
        casework::add_record(
            access,
            &child.id,
            RiskPlans {
                risk_management: Some(RiskManagement {
                    summary: String::new(),
                    contingency: rmp.contingency.clone(),
                }),
                safety_and_wellbeing: None,
            },
        )
        .await?;
    }
    for e in &person.exclusions {
        casework::add_record(
            access,
            &child.id,
            PartnerDecision {
                agency: if e.by.trim().is_empty() {
                    "Police".into()
                } else {
                    e.by.clone()
                },
                decision: DecisionKind::BarFromIntervention,
                intervention: Some(e.intervention.clone()),
                reason: if e.reason.trim().is_empty() {
                    "Recorded before case records were kept".into()
                } else {
                    e.reason.clone()
                },
                decided_on: assessed_on,
                agreed_by: "YOS team manager".into(),
                challenged: e.challenged.unwrap_or(false),
                challenge_outcome: e
                    .challenged
                    .filter(|c| *c)
                    .map(|_| crate::domain::casework::ChallengeOutcome::Pending),
                ends_on: None,
            },
        )
        .await?;
    }
    let plan = case_plans::build_plan(access, solvers, &child.id, BuildRequest::default()).await?;
    // One case in seven stays a draft, for the case manager to finish.
    if k % 7 == 6 {
        return Ok(false);
    }
    let answers = case_plans::AcceptAnswers {
        accepted: &|_| String::new(),
        refused: &|_| (409, String::new()),
    };
    match case_plans::accept_plan(
        access,
        &child.id,
        &plan.id,
        Some(plan.version),
        None,
        None,
        &answers,
    )
    .await
    {
        Ok(_) => {}
        // Places taken by earlier demo children: the plan stays a draft, as it would.
        Err(AppError::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    record_demo_reviews(access, &child.id, k).await?;
    Ok(true)
}

/// Some reviews recorded (good outcomes, or the first item ended early), a few overdue.
async fn record_demo_reviews(access: &Access<'_>, child_id: &str, k: usize) -> AppResult<()> {
    if k % 9 == 4 {
        casework::record_event(
            access,
            child_id,
            CaseEvent {
                kind: EventKind::MissingEpisode,
                occurred_on: today() - Duration::days(21),
                note: "Missing overnight; returned the next day".into(),
            },
        )
        .await?;
    }
    if k % 4 != 1 && k % 4 != 2 {
        return Ok(());
    }
    let Some(plan) = store::case_plans::live(access.db, access.team(), child_id).await? else {
        return Ok(());
    };
    let Some(item) = plan.document.plan.items.first() else {
        return Ok(());
    };
    let list = reviews::list_reviews(access, child_id).await?;
    let Some(review) = list.first() else {
        return Ok(());
    };
    let good = k % 4 == 1;
    let outcome = ItemOutcome {
        intervention: item.intervention.clone(),
        sessions_offered: 4,
        sessions_attended: if good { 4 } else { 1 },
        status: if good {
            ItemStatus::Ongoing
        } else {
            ItemStatus::EndedEarly
        },
        ended_early: (!good).then_some(EndedEarly::NotEngaged),
        outcomes: item
            .addresses
            .iter()
            .map(|need| NeedOutcome {
                need: need.clone(),
                achieved: if good { 1.0 } else { 0.0 },
                level_after: if good { Level::Low } else { Level::Medium },
            })
            .collect(),
    };
    reviews::record_review(
        access,
        child_id,
        &review.id,
        Some(review.version),
        ReviewRecord {
            reviewed_on: today(),
            items: vec![outcome],
            summary: if good {
                "Engaging well; seen with a parent.".into()
            } else {
                "Stopped attending after the first session; other ways to engage agreed.".into()
            },
        },
    )
    .await?;
    Ok(())
}
