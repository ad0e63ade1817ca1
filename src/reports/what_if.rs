//! "What if we commissioned it?": changes to the local offer tried on a copy of it, and the
//! unmet need of two fresh caseload allocations (today's offer, and the changed one) side by
//! side, by need and risk of serious harm. Nothing is stored: a change counts only once it is
//! saved as real provision.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::facts::ProvisionFacts;
use super::provision_gaps::{RiskCount, by_risk};
use super::{Count, count};
use crate::domain::input;
use crate::domain::plan::Plan;
use crate::domain::validation::FieldErrors;
use crate::domain::{Catalogue, Participant, Provision, RiskLevel};

/// One change to try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProvisionChange {
    /// New rolling places of an intervention, open from `from` (absent: now).
    AddPlaces {
        intervention: String,
        places: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>, format = Date)]
        #[serde(deserialize_with = "input::optional_date")]
        from: Option<NaiveDate>,
        #[serde(default)]
        area: String,
        /// Delivered where the child is.
        #[serde(default)]
        outreach: bool,
        #[serde(default)]
        wait_days: i64,
    },
    /// A provision record's places at once (rolling) or per cohort.
    SetPlaces { provision: String, places: i64 },
    /// A provision record's referral wait.
    SetWait { provision: String, wait_days: i64 },
    /// One cohort no longer runs.
    DropCohort {
        provision: String,
        #[schema(value_type = String, format = Date)]
        #[serde(deserialize_with = "input::date")]
        start: NaiveDate,
    },
    /// A provision record no longer runs.
    DropProvision { provision: String },
    /// Staff trained to deliver an intervention.
    TrainFacilitators { intervention: String, count: usize },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    pub changes: Vec<ProvisionChange>,
}

/// The id of new provision tried in a what-if (followed by the change's number).
const ADDED: &str = "what-if-";

/// Who holds a place before new provision opens: placeholders that fill it until `from`.
const HOLD: &str = "WHAT-IF-NOT-YET-OPEN";

fn find<'a>(
    offer: &'a mut [ProvisionFacts],
    id: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<&'a mut ProvisionFacts> {
    let found = offer.iter_mut().find(|f| f.provision.id == id);
    if found.is_none() {
        errors.push(field, format!("no provision '{id}' in your team"));
    }
    found
}

/// A number of a provision record that a change sets: `places` or `wait_days`.
struct Setting {
    field: &'static str,
    most: i64,
    words: &'static str,
    value: i64,
}

/// Sets `setting` on `provision` in `offer`, returning the change in words (given the
/// intervention's name), or records why it cannot.
fn set(
    offer: &mut [ProvisionFacts],
    here: &str,
    provision: &str,
    setting: Setting,
    errors: &mut FieldErrors,
) -> Option<impl FnOnce(&dyn Fn(&str) -> String) -> String> {
    if !(0..=setting.most).contains(&setting.value) {
        errors.push(
            format!("{here}.{}", setting.field),
            format!("must be 0 to {}", setting.most),
        );
        return None;
    }
    let f = find(offer, provision, &format!("{here}.provision"), errors)?;
    let slot = match setting.field {
        "places" => &mut f.provision.places,
        _ => &mut f.provision.wait_days,
    };
    let before = std::mem::replace(slot, setting.value);
    let (intervention, id) = (f.provision.intervention.clone(), f.provision.id.clone());
    Some(move |name: &dyn Fn(&str) -> String| {
        format!(
            "{} ({id}) with {} {} instead of {before}",
            name(&intervention),
            setting.value,
            setting.words
        )
    })
}

/// Applies `request` to a copy of the team's offer, returning the changed offer and each
/// change in words. A change that names nothing known, or a value out of range, is refused
/// naming the field; nothing is applied then.
pub fn apply(
    request: &WhatIfRequest,
    offer: &[ProvisionFacts],
    catalogue: &Catalogue,
    team: &str,
    today: NaiveDate,
) -> Result<(Vec<ProvisionFacts>, Vec<String>), FieldErrors> {
    let mut errors = FieldErrors::default();
    if request.changes.is_empty() || request.changes.len() > 50 {
        errors.push("changes", "give 1 to 50 changes");
    }
    let mut changed = offer.to_vec();
    let mut said = Vec::new();
    let name = |id: &str| {
        catalogue
            .intervention(id)
            .map_or(id.to_string(), |i| i.name.clone())
    };
    for (k, change) in request.changes.iter().enumerate() {
        let here = format!("changes[{k}]");
        match change {
            ProvisionChange::AddPlaces {
                intervention,
                places,
                from,
                area,
                outreach,
                wait_days,
            } => {
                if catalogue.intervention(intervention).is_none() {
                    errors.push(
                        format!("{here}.intervention"),
                        format!("unknown intervention '{intervention}'"),
                    );
                    continue;
                }
                if !(1..=500).contains(places) {
                    errors.push(format!("{here}.places"), "must be 1 to 500");
                    continue;
                }
                let opens = from.unwrap_or(today).max(today);
                if opens > today + Duration::days(366 * 2) {
                    errors.push(format!("{here}.from"), "at most two years ahead");
                    continue;
                }
                let holders: Vec<Participant> = if opens > today {
                    (0..*places)
                        .map(|j| Participant {
                            reference: format!("{HOLD}-{k}-{j}"),
                            gang_affiliations: Vec::new(),
                            start: None,
                            until: opens.pred_opt(),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let provision = Provision {
                    id: format!("{ADDED}{k}"),
                    intervention: intervention.clone(),
                    provider: "commissioned (what if)".into(),
                    area: area.clone(),
                    starts: Vec::new(),
                    rolling: true,
                    places: *places,
                    participants: holders,
                    outreach: *outreach,
                    wait_days: *wait_days,
                };
                let mut problems = FieldErrors::default();
                provision.validate(&here, Some(catalogue), &mut problems);
                if !problems.is_empty() {
                    errors.0.extend(problems.0);
                    continue;
                }
                said.push(format!(
                    "{} {} of {} from {}",
                    places,
                    if *places == 1 { "place" } else { "places" },
                    name(intervention),
                    opens
                ));
                changed.push(ProvisionFacts {
                    team: team.to_string(),
                    provision,
                    trained_facilitators: 0,
                });
            }
            ProvisionChange::SetPlaces { provision, places } => {
                let setting = Setting {
                    field: "places",
                    most: 500,
                    words: "places",
                    value: *places,
                };
                if let Some(line) = set(&mut changed, &here, provision, setting, &mut errors) {
                    said.push(line(&name));
                }
            }
            ProvisionChange::SetWait {
                provision,
                wait_days,
            } => {
                let setting = Setting {
                    field: "wait_days",
                    most: 365,
                    words: "days' wait",
                    value: *wait_days,
                };
                if let Some(line) = set(&mut changed, &here, provision, setting, &mut errors) {
                    said.push(line(&name));
                }
            }
            ProvisionChange::DropCohort { provision, start } => {
                if let Some(f) = find(
                    &mut changed,
                    provision,
                    &format!("{here}.provision"),
                    &mut errors,
                ) {
                    if !f.provision.starts.contains(start) {
                        errors.push(
                            format!("{here}.start"),
                            format!("'{provision}' has no cohort starting {start}"),
                        );
                    } else {
                        f.provision.starts.retain(|s| s != start);
                        f.provision.participants.retain(|p| p.start != Some(*start));
                        said.push(format!(
                            "no {} cohort starting {start}",
                            name(&f.provision.intervention)
                        ));
                    }
                }
            }
            ProvisionChange::DropProvision { provision } => {
                if find(
                    &mut changed,
                    provision,
                    &format!("{here}.provision"),
                    &mut errors,
                )
                .is_some()
                {
                    let f = changed.iter().position(|f| f.provision.id == *provision);
                    if let Some(at) = f {
                        let gone = changed.remove(at);
                        said.push(format!(
                            "no {} ({})",
                            name(&gone.provision.intervention),
                            gone.provision.id
                        ));
                    }
                }
            }
            ProvisionChange::TrainFacilitators {
                intervention,
                count,
            } => {
                if catalogue.intervention(intervention).is_none() {
                    errors.push(
                        format!("{here}.intervention"),
                        format!("unknown intervention '{intervention}'"),
                    );
                } else if !(1..=50).contains(count) {
                    errors.push(format!("{here}.count"), "must be 1 to 50");
                } else {
                    for f in changed
                        .iter_mut()
                        .filter(|f| f.provision.intervention == *intervention)
                    {
                        f.trained_facilitators += count;
                    }
                    said.push(format!(
                        "{count} more {} trained to deliver {}",
                        if *count == 1 {
                            "facilitator"
                        } else {
                            "facilitators"
                        },
                        name(intervention)
                    ));
                }
            }
        }
    }
    errors.into_result((changed, said))
}

/// Unmet need of one allocation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedUnmet {
    pub need: String,
    pub name: String,
    pub children: Count,
    pub by_risk: Vec<RiskCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scenario {
    /// How the figures were made.
    pub basis: String,
    /// Children with at least one unmet need.
    pub children_with_unmet_need: Count,
    pub unmet: Vec<NeedUnmet>,
    /// Provision whose intervention needs trained facilitators and has none.
    pub without_trained_facilitator: Vec<String>,
    pub solver_status: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Difference {
    pub need: String,
    pub name: String,
    /// Children whose current stored plan leaves the need unmet (the live picture).
    pub live: Count,
    pub today: Count,
    pub with_changes: Count,
    /// `fewer`, `more` or `same` children with the need unmet.
    pub direction: String,
    /// The first day work on the need would start, with the changes, for a child unmet today.
    #[schema(value_type = Option<String>, format = Date)]
    pub first_start_with_changes: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhatIfAnswer {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub changes: Vec<String>,
    pub today: Scenario,
    pub with_changes: Scenario,
    pub difference: Vec<Difference>,
    /// Always false: a what-if changes nothing.
    pub stored: bool,
}

/// Children (by index) with each need unmet, and each child's risk of serious harm.
fn unmet_sets(plans: &[Plan]) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, plan) in plans.iter().enumerate() {
        for gap in &plan.gaps {
            let list = out.entry(gap.need.clone()).or_default();
            if !list.contains(&k) {
                list.push(k);
            }
        }
    }
    out
}

pub struct Allocated<'a> {
    pub plans: &'a [Plan],
    pub status: String,
    pub seconds: f64,
    pub offer: &'a [ProvisionFacts],
}

fn scenario(
    a: &Allocated<'_>,
    risk: &[RiskLevel],
    catalogue: &Catalogue,
) -> (Scenario, BTreeMap<String, usize>) {
    let sets = unmet_sets(a.plans);
    let mut raw = BTreeMap::new();
    let unmet = sets
        .iter()
        .map(|(need, children)| {
            raw.insert(need.clone(), children.len());
            NeedUnmet {
                need: need.clone(),
                name: catalogue
                    .need(need)
                    .map_or(need.clone(), |n| n.name.clone()),
                children: count(children.len()),
                by_risk: by_risk(children.iter().map(|k| risk[*k])),
            }
        })
        .collect();
    let any = a.plans.iter().filter(|p| !p.gaps.is_empty()).count();
    let without = a
        .offer
        .iter()
        .filter(|f| {
            f.trained_facilitators == 0
                && catalogue
                    .intervention(&f.provision.intervention)
                    .is_some_and(|i| i.facilitator_training_required == Some(true))
        })
        .map(|f| {
            let name = catalogue
                .intervention(&f.provision.intervention)
                .map_or(f.provision.intervention.clone(), |i| i.name.clone());
            if f.provision.id.starts_with(ADDED) {
                format!("{name} (the new places)")
            } else {
                format!("{name} ({})", f.provision.id)
            }
        })
        .collect();
    (
        Scenario {
            basis: String::new(),
            children_with_unmet_need: count(any),
            unmet,
            without_trained_facilitator: without,
            solver_status: a.status.clone(),
            seconds: (a.seconds * 100.0).round() / 100.0,
        },
        raw,
    )
}

/// Today and with the changes, side by side. `risk[k]` is child `k`'s risk of serious harm
/// (the plans of both allocations are in the same order).
pub fn compare(
    as_of: NaiveDate,
    changes: Vec<String>,
    today: &Allocated<'_>,
    changed: &Allocated<'_>,
    risk: &[RiskLevel],
    live: &BTreeMap<String, usize>,
    catalogue: &Catalogue,
) -> WhatIfAnswer {
    let (mut before, raw_before) = scenario(today, risk, catalogue);
    let (mut after, raw_after) = scenario(changed, risk, catalogue);
    before.basis = "the live caseload planned afresh on today's offer: each child's own \
                    bookings set aside and work already started not kept (the same on both \
                    sides, so the difference is the change)"
        .into();
    after.basis = "the same, on the offer with the changes".into();
    let unmet_today = unmet_sets(today.plans);
    let mut needs: Vec<&String> = raw_before
        .keys()
        .chain(raw_after.keys())
        .chain(live.keys())
        .collect();
    needs.sort();
    needs.dedup();
    let difference = needs
        .into_iter()
        .map(|need| {
            let b = raw_before.get(need).copied().unwrap_or(0);
            let a = raw_after.get(need).copied().unwrap_or(0);
            let first_start = unmet_today.get(need).and_then(|children| {
                children
                    .iter()
                    .filter_map(|k| changed.plans.get(*k))
                    .flat_map(|p| &p.items)
                    .filter(|i| !i.assessment && i.addresses.iter().any(|a| a == need))
                    .map(|i| i.start)
                    .min()
            });
            Difference {
                need: need.clone(),
                name: catalogue
                    .need(need)
                    .map_or(need.clone(), |n| n.name.clone()),
                live: count(live.get(need).copied().unwrap_or(0)),
                today: count(b),
                with_changes: count(a),
                direction: match a.cmp(&b) {
                    std::cmp::Ordering::Less => "fewer",
                    std::cmp::Ordering::Greater => "more",
                    std::cmp::Ordering::Equal => "same",
                }
                .into(),
                first_start_with_changes: first_start,
            }
        })
        .collect();
    WhatIfAnswer {
        as_of,
        changes,
        today: before,
        with_changes: after,
        difference,
        stored: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn catalogue() -> Catalogue {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue");
        crate::catalogue_files::load_dir(&dir).unwrap()
    }

    fn offer() -> Vec<ProvisionFacts> {
        let kcp = Provision {
            id: "kcp".into(),
            intervention: "knife-crime-programme".into(),
            provider: "YOS".into(),
            area: "Holloway".into(),
            starts: vec![day("2027-01-04"), day("2027-03-01")],
            rolling: false,
            places: 6,
            participants: vec![Participant {
                reference: "A-0001".into(),
                gang_affiliations: vec![],
                start: Some(day("2027-01-04")),
                until: None,
            }],
            outreach: false,
            wait_days: 21,
        };
        vec![ProvisionFacts {
            team: "t".into(),
            provision: kcp,
            trained_facilitators: 0,
        }]
    }

    fn request(changes: serde_json::Value) -> WhatIfRequest {
        serde_json::from_value(serde_json::json!({ "changes": changes })).unwrap()
    }

    #[test]
    fn changes_apply_to_a_copy_and_say_what_they_did() {
        let today = day("2026-12-07");
        let base = offer();
        let (changed, said) = apply(
            &request(serde_json::json!([
                {"change": "set_wait", "provision": "kcp", "wait_days": 7},
                {"change": "set_places", "provision": "kcp", "places": 8},
                {"change": "drop_cohort", "provision": "kcp", "start": "2027-01-04"},
                {"change": "add_places", "intervention": "gang-exit-mentoring", "places": 2, "from": "2027-05-03"},
                {"change": "train_facilitators", "intervention": "knife-crime-programme", "count": 2}
            ])),
            &base,
            &catalogue(),
            "t",
            today,
        )
        .unwrap();
        assert_eq!(
            base[0].provision.wait_days, 21,
            "the offer itself is untouched"
        );
        let kcp = &changed[0];
        assert_eq!((kcp.provision.wait_days, kcp.provision.places), (7, 8));
        assert_eq!(kcp.provision.starts, vec![day("2027-03-01")]);
        assert!(
            kcp.provision.participants.is_empty(),
            "the dropped cohort's place goes too"
        );
        assert_eq!(kcp.trained_facilitators, 2);
        let added = &changed[1].provision;
        assert!(added.rolling && added.places == 2);
        assert!(
            added
                .participants
                .iter()
                .all(|p| p.until == Some(day("2027-05-02")))
        );
        assert_eq!(
            said[0],
            "Knife crime programme (kcp) with 7 days' wait instead of 21"
        );
        assert!(said[3].starts_with("2 places of Gang exit mentoring from 2027-05-03"));
    }

    #[test]
    fn unknown_names_are_refused_naming_the_field() {
        let errors = apply(
            &request(serde_json::json!([
                {"change": "drop_provision", "provision": "nope"},
                {"change": "drop_cohort", "provision": "kcp", "start": "2027-02-01"},
                {"change": "add_places", "intervention": "nope", "places": 2}
            ])),
            &offer(),
            &catalogue(),
            "t",
            day("2026-12-07"),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "changes[0].provision",
                "changes[1].start",
                "changes[2].intervention"
            ]
        );
    }
}
