//! The court proposal as its templates read it: every value already in words ("4 January
//! 2027", "2 hours a week", "linked to offending"), so the templates only lay it out.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::RiskLevel;
use crate::domain::levels::{DeliveredUnder, InterventionLevel, Requirement};
use crate::domain::plan::{GapReason, ReviewKind};
use crate::domain::proposal::{FOR_PARENTS, Package, ProposalDocument};
use crate::domain::sentencing::{Disposal, order_end};
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
    /// "Prepared by …, case manager, having considered …".
    pub prepared: String,
    /// The compulsory referral conditions, in words.
    pub referral: String,
    /// What to look at again before finalising (the draft only).
    pub before_finalising: Vec<String>,
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
    /// Safety and wellbeing at medium or above: the plan's actions are stated.
    pub safety_needed: bool,
    pub safety_actions: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PackageView {
    pub description: String,
    /// How often the case manager sees the child, at the package's level.
    pub contact: String,
    /// For a referral order: how the panel works.
    pub panel_note: String,
    pub sections: Vec<SectionView>,
    pub gaps: Vec<GapView>,
    /// Plan reviews, or a referral order's panels.
    pub reviews: Vec<ReviewView>,
    pub needs_met: String,
    pub offending_needs_met: String,
    pub weekly_hours_at_most: String,
}

#[derive(Debug, Serialize)]
pub struct SectionView {
    pub heading: String,
    pub items: Vec<ItemView>,
    /// What the report says when no item sits here.
    pub empty: String,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub name: String,
    pub dates: String,
    pub rationale: String,
    pub hours: String,
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

/// Contacts a month with the case manager, first 3 months then after (national defaults).
fn contact_line(name: &str, level: InterventionLevel) -> String {
    let (first, then) = match level {
        InterventionLevel::Standard => (2, 1),
        InterventionLevel::Enhanced => (4, 2),
        InterventionLevel::Intensive => (12, 4),
    };
    let times = |n: i32| {
        if n == 1 {
            "once".to_string()
        } else {
            format!("{n} times")
        }
    };
    format!(
        "The case manager will see {name} at least {} a month for the first 3 months, then {} \
         a month (the {} level of intervention).",
        times(first),
        times(then),
        level.as_str()
    )
}

/// A referral order's panels: the initial panel agrees the contract (within 20 working days of
/// sentence; the package's order runs from that latest day), progress panels at least every 3
/// months, a final panel at the end.
fn panels(p: &Package) -> Vec<ReviewView> {
    let start = p.order.start;
    let mut out = vec![ReviewView {
        due: long_date(start),
        what: "Initial youth offender panel, to agree and sign the contract (by)".into(),
    }];
    let mut k = 3;
    loop {
        let day = order_end(start, k).succ_opt().unwrap_or(start);
        if day + chrono::Duration::days(14) >= p.order.end {
            break;
        }
        out.push(ReviewView {
            due: long_date(day),
            what: "Progress panel (at the latest)".into(),
        });
        k += 3;
    }
    out.push(ReviewView {
        due: long_date(p.order.end),
        what: "Final panel".into(),
    });
    out
}

/// The most hours a week the package asks of the child, in any week.
fn peak_hours(p: &Package) -> f64 {
    let for_parents: Vec<&str> = p
        .sections
        .iter()
        .filter(|s| s.under == FOR_PARENTS)
        .flat_map(|s| s.items.iter().map(|i| i.intervention.as_str()))
        .collect();
    let items: Vec<_> = p
        .plan
        .items
        .iter()
        .filter(|i| !for_parents.contains(&i.intervention.as_str()))
        .collect();
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

fn package(p: &Package, name: &str) -> PackageView {
    PackageView {
        description: p.description.clone(),
        contact: contact_line(name, p.intervention_level),
        panel_note: if p.disposal == Disposal::ReferralOrder {
            "The youth offender panel agrees the contract with the child; the order runs from \
             when the contract is signed. The dates below assume it is signed at the initial \
             panel, at the latest (20 working days after sentence): no work starts before."
                .into()
        } else {
            String::new()
        },
        sections: p
            .sections
            .iter()
            .map(|s| {
                let requirement = match DeliveredUnder::parse(&s.under) {
                    Some(DeliveredUnder::Yro(r)) => Some(r),
                    _ => None,
                };
                // A curfew or a tag is monitoring, not contact time.
                let control = requirement.is_some_and(|r| r.is_control());
                SectionView {
                    heading: s.heading.clone(),
                    empty: if requirement == Some(Requirement::Supervision) {
                        "The case manager's own supervision, as above; no other work sits under \
                         it."
                        .into()
                    } else {
                        "No work is planned under this requirement yet.".into()
                    },
                    items: s
                        .items
                        .iter()
                        .map(|i| ItemView {
                            name: i.name.clone(),
                            dates: format!("{} to {}", long_date(i.start), long_date(i.end)),
                            rationale: i.rationale.clone(),
                            hours: if control {
                                "monitored, not contact time".into()
                            } else {
                                format!("{} a week", hours(i.weekly_hours))
                            },
                            kind: if control {
                                "monitoring and control".into()
                            } else if i.assessment {
                                "assessment".into()
                            } else if i.offending_focused {
                                "offending-focused".into()
                            } else {
                                "support".into()
                            },
                        })
                        .collect(),
                }
            })
            .collect(),
        gaps: p
            .gaps
            .iter()
            .map(|g| GapView {
                name: g.name.clone(),
                level: g.level.as_str().to_string(),
                reason: reason_words(g.reason).to_string(),
                detail: g.statement.clone(),
            })
            .collect(),
        reviews: if p.disposal == Disposal::ReferralOrder {
            panels(p)
        } else {
            p.plan
                .reviews
                .iter()
                .filter(|r| r.kind == ReviewKind::Plan)
                .map(|r| ReviewView {
                    due: long_date(r.due),
                    what: "Review of the plan with the child and their carers".into(),
                })
                .collect()
        },
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
        row("What the order is", &|p| match p.disposal {
            Disposal::ReferralOrder => "a contract agreed with the child at a youth offender \
                panel, which reviews progress; the conviction is spent once the order is \
                completed"
                .into(),
            Disposal::YouthRehabilitationOrder => "requirements imposed by the court; not \
                keeping to them can be taken back to court as a breach"
                .into(),
        }),
        row("Ends", &|p| long_date(p.order.end)),
        row("Interventions", &|p| p.plan.items.len().to_string()),
        row("Assessed needs with planned work", &|p| {
            format!("{} of {}", p.needs_met, p.needs_assessed)
        }),
        row(
            "Offending-related needs (medium or above) with offending-focused work",
            &|p| format!("{} of {}", p.offending_needs_met, p.offending_needs),
        ),
        row("Most hours in a week", &|p| hours(peak_hours(p))),
        row("Needs with no planned work", &|p| {
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
    let mut before_finalising = d.cautions.clone();
    for flag in &d.recommended.flags {
        if !before_finalising.contains(&flag.detail) {
            before_finalising.push(flag.detail.clone());
        }
    }
    ProposalView {
        title: format!(
            "Sentence proposal for {}: annex to the pre-sentence report",
            who.name
        ),
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
            safety_needed: a.safety_and_wellbeing >= RiskLevel::Medium,
            safety_actions: d.risk.safety_and_wellbeing.clone(),
        },
        recommendation: d.why.clone(),
        prepared: if d.prepared_by.is_empty() {
            "Prepared by: not yet named (this is a draft).".into()
        } else {
            format!(
                "Prepared by {}, case manager, having considered the assessment and the \
                 packages below.",
                d.prepared_by
            )
        },
        referral: d.referral.clone(),
        before_finalising: if standing.finalised {
            Vec::new()
        } else {
            before_finalising
        },
        recommended: package(&d.recommended, who.name),
        comparison: d
            .alternative
            .as_ref()
            .map(|b| comparison(&d.recommended, b))
            .unwrap_or_default(),
        alternative: d.alternative.as_ref().map(|p| package(p, who.name)),
    }
}
