//! A pre-sentence proposal (docs/proposals.md): the package a case manager puts before the
//! court, built from the optimised plan, each intervention under the requirement it sits
//! under, with the needs and risks it answers, the gaps, the reviews, and one alternative set
//! beside it. Pure: the use case plans, this shapes what was planned into the document.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::casework::Assessment;
use super::catalogue::Catalogue;
use super::input;
use super::levels::{DeliveredUnder, InterventionLevel, Level, Requirement, RiskLevel};
use super::plan::{FlagCode, GapReason, Plan, ReviewKind};
use super::problem::{CASE_MANAGER, Order};
use super::provision::Provision;
use super::sentencing::{Disposal, PackageRequest, ReferralConditions, RequirementTerms};
use super::validation::FieldErrors;

/// What the case manager asks for. Both packages may be left out: the service then plans a
/// referral order and a youth rehabilitation order and recommends one, the other beside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended: Option<PackageRequest>,
    /// A second package for the court to compare (e.g. the same order with intensive
    /// supervision and surveillance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<PackageRequest>,
    /// The day of conviction (ages for unpaid work and attendance centre); absent: today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(deserialize_with = "input::optional_date")]
    pub convicted_on: Option<NaiveDate>,
    /// The case manager's words for the court: the offence, the child's circumstances.
    #[serde(default)]
    pub summary: String,
    /// Why the case manager proposes `recommended` (required with it).
    #[serde(default)]
    pub reasons: String,
    /// The case manager who signs the proposal, as named in the report (required to finalise).
    #[serde(default)]
    pub prepared_by: String,
    /// Whether the compulsory referral conditions are met (required to finalise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_conditions: Option<ReferralConditions>,
}

fn check_text(field: &str, text: &str, most: usize, errors: &mut FieldErrors) {
    if let Some(problem) = input::text_problem(text) {
        errors.push(field, problem);
    } else if text.contains(['<', '>']) {
        errors.push(field, "must not contain '<' or '>'");
    } else if text.len() > most {
        errors.push(field, format!("at most {most} characters"));
    }
}

impl ProposalRequest {
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(day) = self.convicted_on
            && day > today
        {
            errors.push("convicted_on", "is in the future");
        }
        if self.alternative.is_some() && self.recommended.is_none() {
            errors.push(
                "alternative",
                "name the recommended package before an alternative to it",
            );
        }
        check_text("summary", &self.summary, 8000, &mut errors);
        check_text("reasons", &self.reasons, 4000, &mut errors);
        if !self.prepared_by.is_empty() {
            input::check_name("prepared_by", &self.prepared_by, &mut errors);
        }
        if self.recommended.is_some() && self.reasons.trim().is_empty() {
            errors.push(
                "reasons",
                "say why this package is proposed: the court reads the case manager's reasons",
            );
        }
        errors.into_result(())
    }
}

/// Who chose the recommended package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    CaseManager,
    /// Recommended by the service from the plans of both disposals.
    Service,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NeedLine {
    pub need: String,
    pub name: String,
    pub level: Level,
    pub linked_to_offending: bool,
    pub linked_to_harm: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssessmentSummary {
    #[schema(value_type = String, format = Date)]
    pub assessed_on: NaiveDate,
    pub likelihood_of_reoffending: Level,
    pub risk_of_serious_harm: RiskLevel,
    pub safety_and_wellbeing: RiskLevel,
    pub intervention_level: InterventionLevel,
    pub needs: Vec<NeedLine>,
}

impl AssessmentSummary {
    pub fn of(assessment: &Assessment, catalogue: &Catalogue) -> AssessmentSummary {
        AssessmentSummary {
            assessed_on: assessment.assessed_on,
            likelihood_of_reoffending: assessment.likelihood_of_reoffending,
            risk_of_serious_harm: assessment.risk_of_serious_harm,
            safety_and_wellbeing: assessment.safety_and_wellbeing,
            intervention_level: assessment.intervention_level(),
            needs: assessment
                .needs
                .iter()
                .map(|n| NeedLine {
                    need: n.need.clone(),
                    name: need_name(catalogue, &n.need),
                    level: n.level,
                    linked_to_offending: n.linked_to_offending,
                    linked_to_harm: n.linked_to_harm,
                })
                .collect(),
        }
    }

    /// Risk of serious harm high or very high: the proposal is finalised only with a risk
    /// management plan that has contingency actions.
    pub fn needs_risk_plan(&self) -> bool {
        matches!(
            self.risk_of_serious_harm,
            RiskLevel::High | RiskLevel::VeryHigh
        )
    }
}

/// One planned intervention as the court reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposedItem {
    pub intervention: String,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end: NaiveDate,
    /// Names of the needs it is planned to meet (empty: it prepares for other work).
    pub addresses: Vec<String>,
    pub rationale: String,
    /// "Holloway (YOS)", or "the case manager".
    pub delivered_by: String,
    pub weekly_hours: f64,
    pub offending_focused: bool,
    pub assessment: bool,
    pub evidence: String,
}

/// The work under one requirement (or under the referral order's contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Section {
    /// `referral_order` or `yro:<requirement>`.
    pub under: String,
    /// "Activity requirement (60 days)".
    pub heading: String,
    pub items: Vec<ProposedItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GapLine {
    pub need: String,
    pub name: String,
    pub level: Level,
    pub reason: GapReason,
    /// The planner's detail (for the service).
    pub detail: String,
    /// The same for the court: what is missing, without the service's instructions.
    pub statement: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FlagLine {
    pub code: FlagCode,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReviewLine {
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    /// "Plan review", "Outcome review: Knife crime programme".
    pub what: String,
}

/// A package as planned: the order, its requirements, the work under each, and what it
/// leaves unmet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Package {
    pub disposal: Disposal,
    pub months: u32,
    pub order: Order,
    pub requirements: Vec<RequirementTerms>,
    /// "A youth rehabilitation order for 9 months with a supervision requirement and an
    /// activity requirement (60 days)".
    pub description: String,
    pub sections: Vec<Section>,
    pub gaps: Vec<GapLine>,
    pub flags: Vec<FlagLine>,
    pub reviews: Vec<ReviewLine>,
    /// Assessed needs an item meets, of all assessed needs.
    pub needs_met: usize,
    pub needs_assessed: usize,
    /// Offending-related needs (medium or above) that offending-focused work meets.
    pub offending_needs_met: usize,
    pub offending_needs: usize,
    /// The level of intervention the package is planned at (intensive with intensive
    /// supervision and surveillance).
    pub intervention_level: InterventionLevel,
    pub plan: Plan,
}

impl Package {
    /// Builds the package document from the plan made for `request`'s order.
    pub fn from_plan(
        request: &PackageRequest,
        months: u32,
        plan: Plan,
        order: Order,
        catalogue: &Catalogue,
        provision: &[Provision],
        assessment: &Assessment,
    ) -> Package {
        let sections = sections(request, &plan, catalogue, provision);
        let met: BTreeSet<&str> = plan
            .items
            .iter()
            .filter(|i| !i.assessment)
            .flat_map(|i| i.addresses.iter().map(String::as_str))
            .collect();
        let offending: Vec<&str> = assessment
            .needs
            .iter()
            .filter(|n| n.level >= Level::Medium)
            .filter(|n| {
                n.linked_to_offending
                    || catalogue.need(&n.need).is_some_and(|d| d.offending_related)
            })
            .map(|n| n.need.as_str())
            .collect();
        let offending_met = offending
            .iter()
            .filter(|need| {
                plan.items.iter().any(|i| {
                    !i.assessment && i.offending_focused && i.addresses.iter().any(|a| a == *need)
                })
            })
            .count();
        Package {
            disposal: request.disposal,
            months,
            description: describe(request, months),
            requirements: request.requirements.clone(),
            sections,
            gaps: plan
                .gaps
                .iter()
                .map(|g| GapLine {
                    need: g.need.clone(),
                    name: need_name(catalogue, &g.need),
                    level: g.level,
                    reason: g.reason,
                    statement: court_statement(g, catalogue),
                    detail: g.detail.clone(),
                })
                .collect(),
            flags: plan
                .flags
                .iter()
                .map(|f| FlagLine {
                    code: f.code,
                    detail: f.detail.clone(),
                })
                .collect(),
            reviews: plan
                .reviews
                .iter()
                .map(|r| ReviewLine {
                    due: r.due,
                    what: match (r.kind, &r.intervention) {
                        (ReviewKind::ItemOutcome, Some(id)) => {
                            format!("Outcome review: {}", intervention_name(catalogue, id))
                        }
                        (ReviewKind::ItemOutcome, None) => "Outcome review".into(),
                        (ReviewKind::Plan, _) => "Plan review".into(),
                    },
                })
                .collect(),
            needs_met: assessment
                .needs
                .iter()
                .filter(|n| met.contains(n.need.as_str()))
                .count(),
            needs_assessed: assessment.needs.len(),
            offending_needs_met: offending_met,
            offending_needs: offending.len(),
            intervention_level: if request.has_iss() {
                InterventionLevel::Intensive
            } else {
                assessment.intervention_level()
            },
            order,
            plan,
        }
    }

    /// The package restated with `request`'s terms (the same requirements, their days or
    /// hours now known): its description and headings.
    pub fn restate(&mut self, request: &PackageRequest) {
        self.requirements = request.requirements.clone();
        self.description = describe(request, self.months);
        for section in &mut self.sections {
            if let Some(t) = request
                .requirements
                .iter()
                .find(|t| DeliveredUnder::Yro(t.requirement).to_string() == section.under)
            {
                section.heading = heading_of(t, request.has_iss());
            }
        }
    }

    /// How the package compares, in the order a court weighs it: offending needs met by
    /// offending-focused work, then needs met.
    fn strength(&self) -> (usize, usize) {
        (self.offending_needs_met, self.needs_met)
    }
}

/// "A referral order for 6 months", "A youth rehabilitation order for 9 months with a
/// supervision requirement and an activity requirement (60 days)", "A youth rehabilitation
/// order with intensive supervision and surveillance for 12 months: an extended activity
/// requirement (120 days), a supervision requirement and a curfew requirement (8 hours a day
/// for 4 months), electronically monitored". Intensive supervision and surveillance is the
/// order's form, not a requirement of its own; electronic monitoring is how a requirement is
/// checked.
pub fn describe(request: &PackageRequest, months: u32) -> String {
    let length = if months == 1 {
        "1 month".to_string()
    } else {
        format!("{months} months")
    };
    let iss = request.has_iss();
    let monitored = request
        .requirements
        .iter()
        .any(|r| r.requirement == Requirement::ElectronicMonitoring);
    // With intensive supervision and surveillance the extended activity requirement leads.
    let mut listed: Vec<&RequirementTerms> = request.requirements.iter().collect();
    if iss {
        listed.sort_by_key(|r| r.requirement != Requirement::Activity);
    }
    let parts: Vec<String> = listed
        .into_iter()
        .filter(|r| {
            !matches!(
                r.requirement,
                Requirement::IntensiveSupervisionAndSurveillance
                    | Requirement::ElectronicMonitoring
            )
        })
        .map(|r| requirement_words(r, iss))
        .collect();
    let mut words = if iss {
        format!(
            "A youth rehabilitation order with intensive supervision and surveillance for {length}"
        )
    } else {
        let order = super::levels::with_article(request.disposal.label());
        let mut chars = order.chars();
        let order = match chars.next() {
            Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
            None => order,
        };
        format!("{order} for {length}")
    };
    if !parts.is_empty() {
        words.push_str(if iss { ": " } else { " with " });
        words.push_str(&join_and(&parts));
    }
    if monitored {
        words.push_str(if parts.is_empty() {
            " with electronic monitoring"
        } else {
            ", electronically monitored"
        });
    }
    words
}

/// A requirement in words; with intensive supervision and surveillance the activity
/// requirement is the extended one.
fn requirement_words(r: &RequirementTerms, iss: bool) -> String {
    let words = r.describe();
    if iss && r.requirement == Requirement::Activity {
        words.replacen(
            "an activity requirement",
            "an extended activity requirement",
            1,
        )
    } else {
        words
    }
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A gap as the court reads it: no provision names what would meet the need; the other
/// reasons keep the planner's account, which says what blocked each option.
fn court_statement(g: &crate::domain::plan::Gap, catalogue: &Catalogue) -> String {
    match g.reason {
        GapReason::NoProvision => {
            let names: Vec<String> = catalogue
                .interventions
                .iter()
                .filter(|i| {
                    i.kind != crate::domain::catalogue::InterventionKind::Assessment
                        && i.addresses.iter().any(|a| *a == g.need)
                })
                .map(|i| i.name.clone())
                .collect();
            format!("{} would meet it; none is provided here.", join_and(&names))
        }
        GapReason::NoIntervention => {
            "No intervention for this need is known to the service.".into()
        }
        _ => g.detail.clone(),
    }
}

fn need_name(catalogue: &Catalogue, id: &str) -> String {
    catalogue
        .need(id)
        .map_or(id.to_string(), |n| n.name.clone())
}

fn intervention_name(catalogue: &Catalogue, id: &str) -> String {
    catalogue
        .intervention(id)
        .map_or(id.to_string(), |i| i.name.clone())
}

/// Where an item sits: its planned `under`, or, when the intervention may go under any part
/// of the order, the supervision requirement (a youth rehabilitation order) or the contract
/// (a referral order).
fn section_key(item_under: Option<&str>, request: &PackageRequest) -> String {
    match (item_under, request.disposal) {
        (Some(u), _) => u.to_string(),
        (None, Disposal::ReferralOrder) => "referral_order".into(),
        (None, Disposal::YouthRehabilitationOrder) => {
            let first = request
                .requirements
                .iter()
                .map(|r| r.requirement)
                .find(|r| *r == Requirement::Supervision)
                .or_else(|| request.requirements.first().map(|r| r.requirement))
                .unwrap_or(Requirement::Supervision);
            DeliveredUnder::Yro(first).to_string()
        }
    }
}

/// "a supervision requirement (…)" → "Supervision requirement (…)".
fn heading_of(r: &RequirementTerms, iss: bool) -> String {
    let words = requirement_words(r, iss);
    let heading = words
        .split_once(' ')
        .map_or(words.clone(), |(_, rest)| rest.to_string());
    let mut chars = heading.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => heading,
    }
}

/// Work for the child's parents or carers: offered alongside the order, not required of the
/// child (a parenting order is for the court to consider).
pub const FOR_PARENTS: &str = "alongside:parents";

/// Intensive supervision and surveillance is delivered as the extended activity requirement;
/// electronic monitoring as part of the curfew, when there is one.
fn folded(r: Requirement, request: &PackageRequest) -> bool {
    let has = |x| request.requirements.iter().any(|t| t.requirement == x);
    match r {
        Requirement::IntensiveSupervisionAndSurveillance => has(Requirement::Activity),
        Requirement::ElectronicMonitoring => has(Requirement::Curfew),
        _ => false,
    }
}

fn folded_into(key: String, request: &PackageRequest) -> String {
    match DeliveredUnder::parse(&key) {
        Some(DeliveredUnder::Yro(r)) if folded(r, request) => match r {
            Requirement::IntensiveSupervisionAndSurveillance => {
                DeliveredUnder::Yro(Requirement::Activity).to_string()
            }
            _ => DeliveredUnder::Yro(Requirement::Curfew).to_string(),
        },
        _ => key,
    }
}

fn sections(
    request: &PackageRequest,
    plan: &Plan,
    catalogue: &Catalogue,
    provision: &[Provision],
) -> Vec<Section> {
    let mut out: Vec<Section> = match request.disposal {
        Disposal::ReferralOrder => vec![Section {
            under: "referral_order".into(),
            heading: "What the service will propose to the youth offender panel".into(),
            items: Vec::new(),
        }],
        Disposal::YouthRehabilitationOrder => request
            .requirements
            .iter()
            .filter(|r| !folded(r.requirement, request))
            .map(|r| Section {
                under: DeliveredUnder::Yro(r.requirement).to_string(),
                heading: heading_of(r, request.has_iss()),
                items: Vec::new(),
            })
            .collect(),
    };
    for item in &plan.items {
        let iv = catalogue.intervention(&item.intervention);
        let key = if iv.is_some_and(|i| i.category == "parenting") {
            FOR_PARENTS.to_string()
        } else {
            folded_into(section_key(item.under.as_deref(), request), request)
        };
        let delivered_by =
            if item.provision == CASE_MANAGER {
                "the case manager".to_string()
            } else {
                provision.iter().find(|p| p.id == item.provision).map_or(
                    item.provision.clone(),
                    |p| match (p.provider.is_empty(), p.area.is_empty()) {
                        (false, false) => format!("{} ({})", p.provider, p.area),
                        (false, true) => p.provider.clone(),
                        (true, false) => p.area.clone(),
                        (true, true) => "local provision".into(),
                    },
                )
            };
        let line = ProposedItem {
            intervention: item.intervention.clone(),
            name: intervention_name(catalogue, &item.intervention),
            start: item.start,
            end: item.end,
            addresses: item
                .addresses
                .iter()
                .map(|n| need_name(catalogue, n))
                .collect(),
            rationale: item.rationale.clone(),
            delivered_by,
            weekly_hours: item.weekly_hours,
            offending_focused: item.offending_focused,
            assessment: item.assessment,
            evidence: iv.map_or("unrated".into(), |i| i.evidence.as_str().to_string()),
        };
        match out.iter_mut().find(|s| s.under == key) {
            Some(section) => section.items.push(line),
            None => out.push(Section {
                heading: if key == FOR_PARENTS {
                    "Alongside the order: for parents and carers (voluntary)".into()
                } else {
                    DeliveredUnder::parse(&key).map_or(key.clone(), |d| d.label())
                },
                under: key,
                items: vec![line],
            }),
        }
    }
    out
}

/// Requirements the service may propose on its own from a plan: the work of the order. The
/// court's controls (curfew, monitoring, exclusion, residence, ISS, fostering) and treatment
/// requirements (which need consent and clinical evidence) are for the case manager to
/// propose, never derived.
pub fn derivable(age_at_conviction: i64) -> Vec<Requirement> {
    let mut out = vec![
        Requirement::Supervision,
        Requirement::Activity,
        Requirement::Programme,
        Requirement::AttendanceCentre,
        Requirement::Education,
    ];
    if (16..=17).contains(&age_at_conviction) {
        out.push(Requirement::UnpaidWork);
    }
    out
}

/// The requirements a youth rehabilitation order needs for what `plan` holds (supervision
/// always), with terms from the plan: activity one day a week of each item under it, unpaid
/// work and attendance centre the planned hours, within the statutory ranges. Only work for
/// the child's needs counts (an item meeting a need, or a prerequisite of one): work planned
/// only because a requirement was imposed does not make the requirement needed.
pub fn requirements_for(plan: &Plan, age_at_conviction: i64) -> Vec<RequirementTerms> {
    let needed = |i: &&crate::domain::plan::PlanItem| {
        !i.addresses.is_empty()
            || plan
                .items
                .iter()
                .any(|other| other.after.iter().any(|a| *a == i.intervention))
    };
    let mut out = vec![RequirementTerms::bare(Requirement::Supervision)];
    for r in derivable(age_at_conviction) {
        if r == Requirement::Supervision {
            continue;
        }
        let key = DeliveredUnder::Yro(r).to_string();
        let items: Vec<_> = plan
            .items
            .iter()
            .filter(|i| i.under.as_deref() == Some(key.as_str()))
            .filter(needed)
            .collect();
        if items.is_empty() {
            continue;
        }
        let weeks = |i: &&crate::domain::plan::PlanItem| ((i.end - i.start).num_days() + 1) / 7;
        let hours: f64 = items.iter().map(|i| i.weekly_hours * weeks(i) as f64).sum();
        let mut terms = RequirementTerms::bare(r);
        match r {
            Requirement::Activity => {
                let days: i64 = items.iter().map(weeks).sum();
                terms.days = Some(u32::try_from(days.clamp(1, 90)).unwrap_or(90));
            }
            Requirement::UnpaidWork => {
                let rounded = ((hours / 10.0).ceil() * 10.0) as u32;
                terms.hours = Some(rounded.clamp(40, 240));
            }
            Requirement::AttendanceCentre => {
                let (least, most) = match age_at_conviction {
                    ..=13 => (1, 12),
                    14..=15 => (12, 24),
                    _ => (12, 36),
                };
                terms.hours = Some((hours.ceil() as u32).clamp(least, most));
            }
            _ => {}
        }
        out.push(terms);
    }
    out
}

/// `chosen`'s requirements with their terms taken from `plan`, the plan made under them
/// (the terms of a requirement the plan holds no needed work under stay as they were).
pub fn with_terms_of(
    chosen: &[RequirementTerms],
    plan: &Plan,
    age_at_conviction: i64,
) -> Vec<RequirementTerms> {
    let measured = requirements_for(plan, age_at_conviction);
    chosen
        .iter()
        .map(|c| {
            measured
                .iter()
                .find(|m| m.requirement == c.requirement)
                .cloned()
                .unwrap_or_else(|| c.clone())
        })
        .collect()
}

/// Which of the two planned disposals the service recommends, and why, in words for the
/// court. A youth rehabilitation order when the child is assessed at the intensive level, or
/// when it meets offending needs the referral order cannot; otherwise the referral order.
pub fn recommend(
    referral: &Package,
    rehabilitation: &Package,
    level: InterventionLevel,
) -> (Disposal, Vec<String>) {
    let mut why = Vec::new();
    let disposal = if level == InterventionLevel::Intensive {
        why.push(
            "The assessment points to the intensive level of intervention: a youth \
             rehabilitation order gives the court the requirements to hold that intensity."
                .to_string(),
        );
        Disposal::YouthRehabilitationOrder
    } else if rehabilitation.strength() > referral.strength() {
        why.push(format!(
            "A youth rehabilitation order meets {} of {} offending-related needs with \
             offending-focused work, against {} under a referral order.",
            rehabilitation.offending_needs_met,
            rehabilitation.offending_needs,
            referral.offending_needs_met
        ));
        Disposal::YouthRehabilitationOrder
    } else {
        why.push(format!(
            "A referral order's contract can hold as much of the work as a youth \
             rehabilitation order could here ({} of {} assessed needs met, {} of {} \
             offending-related needs with offending-focused work), without the further \
             requirements of a youth rehabilitation order.",
            referral.needs_met,
            referral.needs_assessed,
            referral.offending_needs_met,
            referral.offending_needs
        ));
        Disposal::ReferralOrder
    };
    (disposal, why)
}

/// The risk picture the proposal carries: contingency actions of the risk management plan,
/// and the actions of the safety and wellbeing plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RiskSummary {
    pub contingency: Vec<String>,
    #[serde(default)]
    pub safety_and_wellbeing: Vec<String>,
}

/// What the case manager should look at again before finalising: an assessment that reads
/// oddly, what the report still lacks. Shown on the draft only.
pub fn cautions(
    assessment: &AssessmentSummary,
    request: &ProposalRequest,
    offence: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    if assessment.risk_of_serious_harm == RiskLevel::Low {
        let named: Vec<&str> = assessment
            .needs
            .iter()
            .filter(|n| n.level == Level::High && n.linked_to_harm)
            .map(|n| n.name.as_str())
            .collect();
        if !named.is_empty() {
            out.push(format!(
                "{} is a high need linked to harm, yet the risk of serious harm is low: \
                 reconsider the risk rating before proposing.",
                join_and(&named.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            ));
        }
    }
    if offence.trim().is_empty() {
        out.push("Record the offence on the child's order before finalising.".into());
    }
    if request.summary.trim().is_empty() {
        out.push("Write the summary for the court before finalising.".into());
    }
    if request.prepared_by.trim().is_empty() {
        out.push("Name the case manager who signs the proposal (prepared_by).".into());
    }
    if request.referral_conditions.is_none() {
        out.push("Record whether the compulsory referral conditions are met.".into());
    }
    out
}

/// The proposal as stored: everything the court report shows, fixed when it was built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposalDocument {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub convicted_on: NaiveDate,
    pub age_at_conviction: i64,
    pub offence: String,
    pub summary: String,
    pub assessment: AssessmentSummary,
    pub chosen_by: ChosenBy,
    /// Why this package is recommended.
    pub why: Vec<String>,
    /// The compulsory referral conditions, in words.
    pub referral: String,
    /// The case manager who signs it.
    pub prepared_by: String,
    /// What to look at again before finalising (the draft shows them).
    pub cautions: Vec<String>,
    pub recommended: Package,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Package>,
    /// The risk management plan's contingency actions when the proposal was built (and again
    /// when it was finalised).
    pub risk: RiskSummary,
    pub request: ProposalRequest,
}
