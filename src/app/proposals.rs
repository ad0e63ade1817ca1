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
use crate::domain::levels::InterventionLevel;
use crate::domain::proposal::{
    AssessmentSummary, ChosenBy, Package, ProposalDocument, ProposalRequest, RiskSummary, cautions,
    derivable, recommend, requirements_for, with_terms_of,
};
use crate::domain::sentencing::{
    Disposal, PackageRequest, ReferralConditions, RequirementTerms, Sentenced,
    check_fostering_before_18, months_between,
};
use crate::render::proposal::{Identity, ProposalView, Standing, view};
use crate::store::case_records::RecordKind;
use crate::store::proposals::{ProposalState, StoredProposal};
use crate::store::{self, cohorts::today};

/// Hours a week and pieces of work at once that a package with intensive supervision and
/// surveillance is planned with.
pub const ISS_HOURS_PER_WEEK: f64 = 25.0;
pub const ISS_CONCURRENT_ITEMS: i64 = 6;

/// Plans `package` for `months` from the proposed order's start.
async fn plan_package(
    access: &Access<'_>,
    solvers: &Solvers,
    records: &ChildRecords,
    package: &PackageRequest,
    months: u32,
) -> AppResult<Package> {
    let order = package.order(records.order.document.order.start, months);
    let mut problem = case_problem(
        access,
        records,
        &order,
        &BuildRequest::default(),
        Vec::new(),
        today(),
    )
    .await?;
    if package.has_iss() {
        // Intensive supervision and surveillance is planned at its own intensity: up to 25
        // hours a week in its first months, several pieces of work at once.
        let yp = &mut problem.young_person;
        yp.intervention_level = Some(InterventionLevel::Intensive);
        yp.max_hours_per_week = Some(ISS_HOURS_PER_WEEK);
        yp.max_concurrent_items = Some(ISS_CONCURRENT_ITEMS);
    }
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
    conditions: Option<ReferralConditions>,
    errors: &mut FieldErrors,
) {
    package.check(field, months, child, conditions, errors);
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
            check(
                field,
                p,
                months_of(p),
                &records,
                child,
                request.referral_conditions,
                &mut errors,
            );
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
            let why = request
                .reasons
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            (ChosenBy::CaseManager, why, recommended, alternative)
        }
        None => match request.referral_conditions {
            // The court must make a referral order: no other package is set beside it.
            Some(c) if c.compulsory() => {
                let referral =
                    referral_package(access, solvers, &records, child, proposed_months, c).await?;
                let why = vec![
                    "The compulsory referral conditions are met, so a referral order is \
                     proposed; a youth rehabilitation order is open to the court only if it is \
                     considering custody."
                        .to_string(),
                ];
                (ChosenBy::Service, why, referral, None)
            }
            // No guilty plea: a referral order is not available.
            Some(c) if !c.pleaded_guilty => {
                let rehabilitation =
                    rehabilitation_package(access, solvers, &records, child, proposed_months)
                        .await?;
                let why = vec![
                    "The child did not plead guilty, so a referral order is not available: a \
                     youth rehabilitation order with the requirements its plan needs is \
                     proposed."
                        .to_string(),
                ];
                (ChosenBy::Service, why, rehabilitation, None)
            }
            conditions => {
                let referral = referral_package(
                    access,
                    solvers,
                    &records,
                    child,
                    proposed_months,
                    conditions.unwrap_or(NOT_RECORDED),
                )
                .await?;
                let rehabilitation =
                    rehabilitation_package(access, solvers, &records, child, proposed_months)
                        .await?;
                let (disposal, why) = recommend(&referral, &rehabilitation, level);
                let (first, second) = match disposal {
                    Disposal::ReferralOrder => (referral, rehabilitation),
                    Disposal::YouthRehabilitationOrder => (rehabilitation, referral),
                };
                (ChosenBy::Service, why, first, Some(second))
            }
        },
    };
    let assessment = AssessmentSummary::of(&records.assessment.document, &catalogue);
    let offence = records.order.document.offence.clone();
    let risk_plans = records.risk.as_ref().map(|r| &r.document);
    let document = ProposalDocument {
        as_of: today,
        convicted_on,
        age_at_conviction: child.age_at_conviction,
        summary: request.summary.trim().to_string(),
        cautions: cautions(&assessment, &request, &offence),
        offence,
        assessment,
        chosen_by,
        why,
        referral: ReferralConditions::statement(request.referral_conditions),
        prepared_by: request.prepared_by.trim().to_string(),
        recommended,
        alternative,
        risk: risk_summary(risk_plans),
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

/// Conditions not recorded: nothing known that rules a referral order out.
const NOT_RECORDED: ReferralConditions = ReferralConditions {
    imprisonable: true,
    pleaded_guilty: true,
    first_conviction: false,
};

/// A referral order of the proposed length (held to 3 to 12 months), planned.
async fn referral_package(
    access: &Access<'_>,
    solvers: &Solvers,
    records: &ChildRecords,
    child: Sentenced,
    proposed_months: u32,
    conditions: ReferralConditions,
) -> AppResult<Package> {
    let months = proposed_months.clamp(3, 12);
    let request = PackageRequest {
        disposal: Disposal::ReferralOrder,
        months: Some(months),
        requirements: Vec::new(),
        custody_threshold: String::new(),
    };
    let mut errors = FieldErrors::default();
    check(
        "recommended",
        &request,
        months,
        records,
        child,
        Some(conditions),
        &mut errors,
    );
    errors.into_result(())?;
    plan_package(access, solvers, records, &request, months).await
}

/// A youth rehabilitation order with the requirements its plan needs: planned first with
/// every requirement the service may derive, then again with only those it used.
async fn rehabilitation_package(
    access: &Access<'_>,
    solvers: &Solvers,
    records: &ChildRecords,
    child: Sentenced,
    proposed_months: u32,
) -> AppResult<Package> {
    let age = child.age_at_conviction;
    let months = proposed_months.clamp(1, 36);
    let every = PackageRequest {
        disposal: Disposal::YouthRehabilitationOrder,
        months: Some(months),
        requirements: derivable(age)
            .into_iter()
            .map(RequirementTerms::bare)
            .collect(),
        custody_threshold: String::new(),
    };
    let first = plan_package(access, solvers, records, &every, months).await?;
    let needed = PackageRequest {
        requirements: requirements_for(&first.plan, age),
        ..every
    };
    let mut rehabilitation = plan_package(access, solvers, records, &needed, months).await?;
    // The terms (days, hours) are those of the plan made under the chosen requirements.
    let terms = with_terms_of(&needed.requirements, &rehabilitation.plan, age);
    let stated = PackageRequest {
        requirements: terms,
        ..needed
    };
    // The derived terms keep the statutory ranges; the child's age is checked here too.
    let mut errors = FieldErrors::default();
    check(
        "recommended",
        &stated,
        months,
        records,
        child,
        None,
        &mut errors,
    );
    errors.into_result(())?;
    rehabilitation.restate(&stated);
    Ok(rehabilitation)
}

fn risk_summary(plans: Option<&RiskPlans>) -> RiskSummary {
    RiskSummary {
        contingency: contingency(plans),
        safety_and_wellbeing: plans
            .and_then(|p| p.safety_and_wellbeing.as_ref())
            .map(|p| {
                p.actions
                    .iter()
                    .filter(|a| !a.trim().is_empty())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    }
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
    let plans = risk.as_ref().map(|r| &r.document);
    let summary = risk_summary(plans);
    let d = &proposal.document;
    let mut errors = FieldErrors::default();
    if d.assessment.needs_risk_plan() && summary.contingency.is_empty() {
        errors.push(
            "risk_management.contingency",
            format!(
                "the child's risk of serious harm is {}: a proposal cannot be finalised until \
                 their risk management plan records at least one contingency action",
                d.assessment.risk_of_serious_harm.as_str().replace('_', " ")
            ),
        );
    }
    // A court report says what the offence is, who signs it, and where the child stands on
    // compulsory referral.
    if d.offence.trim().is_empty() {
        errors.push(
            "order.offence",
            "record the offence on the child's order, then build the proposal again",
        );
    }
    if d.summary.trim().is_empty() {
        errors.push(
            "summary",
            "a proposal for the court needs the case manager's summary: build it again with one",
        );
    }
    if d.prepared_by.trim().is_empty() {
        errors.push(
            "prepared_by",
            "name the case manager who signs the proposal: build it again with prepared_by",
        );
    }
    match d.request.referral_conditions {
        None => errors.push(
            "referral_conditions",
            "record whether the compulsory referral conditions are met: build it again with \
             referral_conditions",
        ),
        Some(c)
            if c.compulsory()
                && d.recommended.disposal == Disposal::YouthRehabilitationOrder
                && d.request
                    .recommended
                    .as_ref()
                    .is_none_or(|p| p.custody_threshold.trim().is_empty()) =>
        {
            errors.push(
                "recommended.custody_threshold",
                "the compulsory referral conditions are met: a youth rehabilitation order can be \
                 proposed only where the court is considering custody; say why",
            )
        }
        Some(_) => {}
    }
    errors.into_result(())?;
    let mut document = proposal.document.clone();
    document.risk = summary;
    document.cautions.clear();
    Ok(store::proposals::finalise(access.db, access.caller, &proposal, version, &document).await?)
}

/// The court report's view of a stored proposal (`render::proposal`), for the printable page and
/// the text, over the API and on the pages alike.
pub fn court_report_view(child: &ChildRecord, p: &StoredProposal) -> ProposalView {
    view(
        &Identity {
            name: &child.name,
            reference: &child.reference,
            date_of_birth: child.date_of_birth,
        },
        &Standing {
            number: p.number,
            finalised: p.state == ProposalState::Finalised,
            finalised_at: p.finalised_at.as_deref(),
        },
        &p.document,
    )
}
