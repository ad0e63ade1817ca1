//! The court proposal as its templates read it: every value already in words ("4 January
//! 2027", "2 hours a week", "linked to offending"), so the templates only lay it out.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::plan::GapReason;
use crate::domain::proposal::{ChosenBy, Package, ProposalDocument};
use crate::planner::explain::{hours, long_date};

/// Who the proposal is about, from the child's record (never stored in the proposal).
pub struct Identity<'a> {
    pub name: &'a str,
    pub reference: &'a str,
    pub date_of_birth: NaiveDate,
}

/// The proposal's place in its history.
pub struct Standing<'a> {
    pub number: i64,
    pub finalised: bool,
    /// When it was finalised (RFC 3339), for a finalised proposal.
    pub finalised_at: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ProposalView {
    pub title: String,
    pub name: String,
    pub reference: String,
    pub date_of_birth: String,
    pub age_at_conviction: i64,
    pub convicted_on: String,
    pub prepared_on: String,
    pub status: String,
    pub finalised: bool,
    pub offence: String,
    pub summary: Vec<String>,
    pub assessment: AssessmentView,
    pub risk: RiskView,
    pub recommendation: Vec<String>,
    pub chosen_by: String,
    pub recommended: PackageView,
    pub alternative: Option<PackageView>,
    pub comparison: Vec<ComparisonRow>,
}

#[derive(Debug, Serialize)]
pub struct AssessmentView {
    pub assessed_on: String,
    pub likelihood_of_reoffending: String,
    pub risk_of_serious_harm: String,
    pub safety_and_wellbeing: String,
    pub intervention_level: String,
    pub needs: Vec<NeedView>,
}

#[derive(Debug, Serialize)]
pub struct NeedView {
    pub name: String,
    pub level: String,
    pub links: String,
}

#[derive(Debug, Serialize)]
pub struct RiskView {
    /// Risk of serious harm high or very high: a risk management plan is required.
    pub required: bool,
    pub contingency: Vec<String>,
    pub missing: bool,
}

#[derive(Debug, Serialize)]
pub struct PackageView {
    pub description: String,
    pub sections: Vec<SectionView>,
    pub gaps: Vec<GapView>,
    pub flags: Vec<String>,
    pub reviews: Vec<ReviewView>,
    pub needs_met: String,
    pub offending_needs_met: String,
    pub weekly_hours_at_most: String,
}

#[derive(Debug, Serialize)]
pub struct SectionView {
    pub heading: String,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub name: String,
    pub dates: String,
    pub addresses: String,
    pub rationale: String,
    pub delivered_by: String,
    pub hours: String,
    pub evidence: String,
    pub kind: String,
}

#[derive(Debug, Serialize)]
pub struct GapView {
    pub name: String,
    pub level: String,
    pub reason: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct ReviewView {
    pub due: String,
    pub what: String,
}

#[derive(Debug, Serialize)]
pub struct ComparisonRow {
    pub label: String,
    pub recommended: String,
    pub alternative: String,
}

fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn reason_words(reason: GapReason) -> &'static str {
    match reason {
        GapReason::NoIntervention => "no intervention in the catalogue",
        GapReason::NoProvision => "not provided locally",
        GapReason::NotPermitted => "not permitted under this order",
        GapReason::Ineligible => "not eligible",
        GapReason::Excluded => "excluded",
        GapReason::Unsafe => "not safe for this child",
        GapReason::NoCapacity => "no place in time",
        GapReason::NotSelected => "left out of the plan",
    }
}

/// The most hours a week the package asks of the child, in any week.
fn peak_hours(p: &Package) -> f64 {
    let items = &p.plan.items;
    items
        .iter()
        .map(|i| {
            items
                .iter()
                .filter(|o| o.start <= i.start && i.start <= o.end)
                .map(|o| o.weekly_hours)
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

fn package(p: &Package) -> PackageView {
    PackageView {
        description: p.description.clone(),
        sections: p
            .sections
            .iter()
            .map(|s| SectionView {
                heading: s.heading.clone(),
                items: s
                    .items
                    .iter()
                    .map(|i| ItemView {
                        name: i.name.clone(),
                        dates: format!("{} to {}", long_date(i.start), long_date(i.end)),
                        addresses: i.addresses.join(", "),
                        rationale: i.rationale.clone(),
                        delivered_by: i.delivered_by.clone(),
                        hours: format!("{} a week", hours(i.weekly_hours)),
                        evidence: i.evidence.clone(),
                        kind: if i.assessment {
                            "assessment".into()
                        } else if i.offending_focused {
                            "offending-focused".into()
                        } else {
                            "supporting".into()
                        },
                    })
                    .collect(),
            })
            .collect(),
        gaps: p
            .gaps
            .iter()
            .map(|g| GapView {
                name: g.name.clone(),
                level: g.level.as_str().to_string(),
                reason: reason_words(g.reason).to_string(),
                detail: g.detail.clone(),
            })
            .collect(),
        flags: p.flags.iter().map(|f| f.detail.clone()).collect(),
        reviews: p
            .reviews
            .iter()
            .map(|r| ReviewView {
                due: long_date(r.due),
                what: r.what.clone(),
            })
            .collect(),
        needs_met: format!("{} of {}", p.needs_met, p.needs_assessed),
        offending_needs_met: format!("{} of {}", p.offending_needs_met, p.offending_needs),
        weekly_hours_at_most: hours(peak_hours(p)),
    }
}

fn comparison(a: &Package, b: &Package) -> Vec<ComparisonRow> {
    let row = |label: &str, f: &dyn Fn(&Package) -> String| ComparisonRow {
        label: label.to_string(),
        recommended: f(a),
        alternative: f(b),
    };
    vec![
        row("Order", &|p| p.description.clone()),
        row("Ends", &|p| long_date(p.order.end)),
        row("Interventions", &|p| p.plan.items.len().to_string()),
        row("Assessed needs met", &|p| {
            format!("{} of {}", p.needs_met, p.needs_assessed)
        }),
        row(
            "Offending-related needs met by offending-focused work",
            &|p| format!("{} of {}", p.offending_needs_met, p.offending_needs),
        ),
        row("Most hours in a week", &|p| hours(peak_hours(p))),
        row("Needs not met", &|p| {
            if p.gaps.is_empty() {
                "none".into()
            } else {
                p.gaps
                    .iter()
                    .map(|g| g.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }),
    ]
}

pub fn view(who: &Identity<'_>, standing: &Standing<'_>, d: &ProposalDocument) -> ProposalView {
    let a = &d.assessment;
    let required = a.needs_risk_plan();
    let status = if standing.finalised {
        let on = standing
            .finalised_at
            .and_then(|t| t.get(..10))
            .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
            .map(long_date)
            .unwrap_or_default();
        format!("Proposal {}, finalised on {on}", standing.number)
    } else {
        format!("Proposal {}, draft (not finalised)", standing.number)
    };
    ProposalView {
        title: format!("Pre-sentence proposal for {}", who.name),
        name: who.name.to_string(),
        reference: who.reference.to_string(),
        date_of_birth: long_date(who.date_of_birth),
        age_at_conviction: d.age_at_conviction,
        convicted_on: long_date(d.convicted_on),
        prepared_on: long_date(d.as_of),
        status,
        finalised: standing.finalised,
        offence: d.offence.clone(),
        summary: d
            .summary
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        assessment: AssessmentView {
            assessed_on: long_date(a.assessed_on),
            likelihood_of_reoffending: words(a.likelihood_of_reoffending.as_str()),
            risk_of_serious_harm: words(a.risk_of_serious_harm.as_str()),
            safety_and_wellbeing: words(a.safety_and_wellbeing.as_str()),
            intervention_level: words(a.intervention_level.as_str()),
            needs: a
                .needs
                .iter()
                .map(|n| NeedView {
                    name: n.name.clone(),
                    level: n.level.as_str().to_string(),
                    links: match (n.linked_to_offending, n.linked_to_harm) {
                        (true, true) => "linked to offending and to harm".into(),
                        (true, false) => "linked to offending".into(),
                        (false, true) => "linked to harm".into(),
                        (false, false) => String::new(),
                    },
                })
                .collect(),
        },
        risk: RiskView {
            required,
            contingency: d.risk.contingency.clone(),
            missing: required && d.risk.contingency.is_empty(),
        },
        recommendation: d.why.clone(),
        chosen_by: match d.chosen_by {
            ChosenBy::CaseManager => "the case manager".into(),
            ChosenBy::Service => "the service, from the plans of both orders".into(),
        },
        recommended: package(&d.recommended),
        comparison: d
            .alternative
            .as_ref()
            .map(|b| comparison(&d.recommended, b))
            .unwrap_or_default(),
        alternative: d.alternative.as_ref().map(package),
    }
}
