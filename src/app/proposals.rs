//! Pre-sentence proposals (docs/proposals.md): a package for the court planned by the
//! optimiser from the child's records, checked against the statutory limits, stored as a
//! numbered draft and finalised once (a high risk of serious harm needs contingency actions
//! first). Every read is audited.

use super::case_plans::{ChildRecords, case_problem, child_records, solve};
use super::casework::{CASE_WORKERS, audit_child_read, child_of};
use super::planning::Solvers;
use super::{Access, AppError, AppResult, based_on};
use crate::domain::FieldErrors;
use crate::domain::OrderType;
use crate::domain::case_plan::BuildRequest;
use crate::domain::casework::{ChildRecord, RiskPlans};
use crate::domain::proposal::{
    AssessmentSummary, ChosenBy, Package, ProposalDocument, ProposalRequest, RiskSummary,
    derivable, recommend, requirements_for, with_terms_of,
};
use crate::domain::sentencing::{
    Disposal, PackageRequest, RequirementTerms, Sentenced, check_fostering_before_18,
    months_between,
};
use crate::store::case_records::RecordKind;
use crate::store::proposals::{ProposalState, StoredProposal};
use crate::store::{self, cohorts::today};

/// Plans `package` for `months` from the proposed order's start.
async fn plan_package(
    access: &Access<'_>,
    solvers: &Solvers,
    records: &ChildRecords,
    package: &PackageRequest,
    months: u32,
) -> AppResult<Package> {
    let start = records.order.document.order.start;
    let order = package.order(start, months);
    let problem = case_problem(
        access,
        records,
        &order,
        &BuildRequest::default(),
        Vec::new(),
        today(),
    )
    .await?;
    let catalogue = problem.catalogue.clone().unwrap_or_default();
    let provision = problem.provision.clone().unwrap_or_default();
    let plan = solve(access, solvers, problem).await?;
    Ok(Package::from_plan(
        package,
        months,
        plan,
        order,
        &catalogue,
        &provision,
        &records.assessment.document,
    ))
}

fn check(
    field: &str,
    package: &PackageRequest,
    months: u32,
    records: &ChildRecords,
    child: Sentenced,
    errors: &mut FieldErrors,
) {
    package.check(field, months, child, errors);
    let start = records.order.document.order.start;
    check_fostering_before_18(field, package, start, child, errors);
}

/// Builds a proposal for a child whose order on record is `proposed`, and stores it as their
/// next draft. A package given by the case manager is checked against the statutory limits
/// before anything is planned; with none, the service plans both disposals and recommends one.
pub async fn build_proposal(
    access: &Access<'_>,
    solvers: &Solvers,
    child_id: &str,
    request: ProposalRequest,
) -> AppResult<StoredProposal> {
    access.allow(CASE_WORKERS)?;
    let today = today();
    request.validate(today)?;
    let records = child_records(access, child_id, "building a proposal").await?;
    let proposed = &records.order.document.order;
    if proposed.order_type != OrderType::Proposed {
        return Err(AppError::invalid(
            "order",
            format!(
                "a pre-sentence proposal is for a child awaiting sentence: the order on record is \
                 a {}; record the proposed order (type `proposed`) first",
                proposed.order_type.label()
            ),
        ));
    }
    let convicted_on = request.convicted_on.unwrap_or(today);
    let child = Sentenced::of(records.child.record.date_of_birth, convicted_on);
    let proposed_months = months_between(proposed.start, proposed.end).max(1);
    let months_of = |p: &PackageRequest| p.months.unwrap_or(proposed_months);
    let mut errors = FieldErrors::default();
    for (field, package) in [
        ("recommended", &request.recommended),
        ("alternative", &request.alternative),
    ] {
        if let Some(p) = package {
            check(field, p, months_of(p), &records, child, &mut errors);
        }
    }
    errors.into_result(())?;
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    let level = records.assessment.document.intervention_level();
    let (chosen_by, why, recommended, alternative) = match &request.recommended {
        Some(p) => {
            let recommended = plan_package(access, solvers, &records, p, months_of(p)).await?;
            let alternative = match &request.alternative {
                Some(a) => Some(plan_package(access, solvers, &records, a, months_of(a)).await?),
                None => None,
            };
            let why = vec!["Proposed by the case manager.".to_string()];
            (ChosenBy::CaseManager, why, recommended, alternative)
        }
        None => {
            let (referral, rehabilitation) =
                both_disposals(access, solvers, &records, child, proposed_months).await?;
            let (disposal, why) = recommend(&referral, &rehabilitation, level);
            let (first, second) = match disposal {
                Disposal::ReferralOrder => (referral, rehabilitation),
                Disposal::YouthRehabilitationOrder => (rehabilitation, referral),
            };
            (ChosenBy::Service, why, first, Some(second))
        }
    };
    let document = ProposalDocument {
        as_of: today,
        convicted_on,
        age_at_conviction: child.age_at_conviction,
        offence: records.order.document.offence.clone(),
        summary: request.summary.trim().to_string(),
        assessment: AssessmentSummary::of(&records.assessment.document, &catalogue),
        chosen_by,
        why,
        recommended,
        alternative,
        risk: RiskSummary {
            contingency: contingency(records.risk.as_ref().map(|r| &r.document)),
        },
        request,
    };
    Ok(store::proposals::create_draft(
        access.db,
        access.caller,
        &records.child.id,
        &records.order.id,
        &document,
    )
    .await?)
}

/// A referral order (3 to 12 months) and a youth rehabilitation order with the requirements
/// its plan needs, each planned on its own. The order's plan is made first with every
/// requirement the service may derive, then again with only those it used.
async fn both_disposals(
    access: &Access<'_>,
    solvers: &Solvers,
    records: &ChildRecords,
    child: Sentenced,
    proposed_months: u32,
) -> AppResult<(Package, Package)> {
    let age = child.age_at_conviction;
    let referral_request = PackageRequest {
        disposal: Disposal::ReferralOrder,
        months: Some(proposed_months.clamp(3, 12)),
        requirements: Vec::new(),
    };
    let yro_months = proposed_months.clamp(1, 36);
    let mut errors = FieldErrors::default();
    check(
        "recommended",
        &referral_request,
        proposed_months.clamp(3, 12),
        records,
        child,
        &mut errors,
    );
    errors.into_result(())?;
    let referral = plan_package(
        access,
        solvers,
        records,
        &referral_request,
        proposed_months.clamp(3, 12),
    )
    .await?;
    let every = PackageRequest {
        disposal: Disposal::YouthRehabilitationOrder,
        months: Some(yro_months),
        requirements: derivable(age)
            .into_iter()
            .map(RequirementTerms::bare)
            .collect(),
    };
    let first = plan_package(access, solvers, records, &every, yro_months).await?;
    let needed = PackageRequest {
        requirements: requirements_for(&first.plan, age),
        ..every
    };
    let mut rehabilitation = plan_package(access, solvers, records, &needed, yro_months).await?;
    // The terms (days, hours) are those of the plan made under the chosen requirements.
    let terms = with_terms_of(&needed.requirements, &rehabilitation.plan, age);
    rehabilitation.restate(&PackageRequest {
        requirements: terms,
        ..needed
    });
    Ok((referral, rehabilitation))
}

fn contingency(plans: Option<&RiskPlans>) -> Vec<String> {
    plans
        .map(|p| p.contingency())
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .collect()
}

/// The child's proposals, first first (one audit entry).
pub async fn list_proposals(access: &Access<'_>, child_id: &str) -> AppResult<Vec<StoredProposal>> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    audit_child_read(access, &child, "proposals").await?;
    Ok(store::proposals::list(access.db, access.team(), &child.id).await?)
}

/// One proposal with the child's record it is about (for the court report's heading).
pub async fn get_proposal(
    access: &Access<'_>,
    child_id: &str,
    proposal_id: &str,
) -> AppResult<(ChildRecord, StoredProposal)> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let proposal = store::proposals::get(access.db, access.team(), &child.id, proposal_id).await?;
    audit_child_read(access, &child, &format!("proposal:{}", proposal.id)).await?;
    Ok((child.record, proposal))
}

/// Finalises a draft (If-Match). When the child's risk of serious harm is high or very high,
/// their risk management plan must hold at least one contingency action; the actions as they
/// are now go into the finalised document.
pub async fn finalise_proposal(
    access: &Access<'_>,
    child_id: &str,
    proposal_id: &str,
    version: Option<i64>,
) -> AppResult<StoredProposal> {
    access.allow(CASE_WORKERS)?;
    let child = child_of(access, child_id).await?;
    let proposal = store::proposals::get(access.db, access.team(), &child.id, proposal_id).await?;
    if proposal.state == ProposalState::Finalised {
        return Err(AppError::Conflict(
            "the proposal is already finalised; build a new one to change it".into(),
        ));
    }
    let version = based_on(version)?;
    let risk: Option<store::case_records::Stored<RiskPlans>> =
        store::case_records::latest(access.db, access.team(), &child.id, RecordKind::RiskPlans)
            .await?;
    let actions = contingency(risk.as_ref().map(|r| &r.document));
    if proposal.document.assessment.needs_risk_plan() && actions.is_empty() {
        return Err(AppError::invalid(
            "risk_management.contingency",
            format!(
                "the child's risk of serious harm is {}: a proposal cannot be finalised until \
                 their risk management plan records at least one contingency action",
                proposal
                    .document
                    .assessment
                    .risk_of_serious_harm
                    .as_str()
                    .replace('_', " ")
            ),
        ));
    }
    let mut document = proposal.document.clone();
    document.risk.contingency = actions;
    Ok(store::proposals::finalise(access.db, access.caller, &proposal, version, &document).await?)
}
