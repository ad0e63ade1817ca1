//! Turns chosen candidates into plan items with a rationale, and explains every need that is
//! not met, with the contract's gap reason and words a case manager understands.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::options::{Block, Candidate, Ineligibility, Options};
use crate::domain::plan::{Gap, GapReason, PlanItem};
use crate::domain::problem::Order;
use crate::domain::{Catalogue, YoungPerson};

pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn hours(h: f64) -> String {
    let s = if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    };
    if s == "1" {
        "1 hour".into()
    } else {
        format!("{s} hours")
    }
}

pub fn need_name<'a>(catalogue: &'a Catalogue, id: &'a str) -> &'a str {
    catalogue.need(id).map(|n| n.name.as_str()).unwrap_or(id)
}

/// Needs met by a chosen candidate, in the young person's order: each need a chosen item's
/// catalogue entry addresses counts as met.
pub fn covered_needs(
    options: &Options<'_>,
    chosen: &[usize],
    person: &YoungPerson,
) -> BTreeSet<String> {
    let mut met = BTreeSet::new();
    for &k in chosen {
        let iv = options.interventions[options.candidates[k].intervention];
        for need in &person.needs {
            if iv.addresses.contains(&need.need) {
                met.insert(need.need.clone());
            }
        }
    }
    met
}

pub struct ItemContext<'a> {
    pub options: &'a Options<'a>,
    pub catalogue: &'a Catalogue,
    pub person: &'a YoungPerson,
    /// For each chosen candidate, the needs it is credited with.
    pub credited: Vec<(usize, Vec<String>)>,
}

pub fn items(ctx: &ItemContext<'_>) -> Vec<PlanItem> {
    let options = ctx.options;
    let chosen: Vec<usize> = ctx.credited.iter().map(|(k, _)| *k).collect();
    let mut items: Vec<PlanItem> = ctx
        .credited
        .iter()
        .map(|(k, needs)| {
            let c = &options.candidates[*k];
            let iv = options.interventions[c.intervention];
            let p = options.provision[c.provision];
            PlanItem {
                intervention: iv.id.clone(),
                provision: p.id.clone(),
                start: c.start,
                end: c.end,
                addresses: needs.clone(),
                rationale: rationale(ctx, *k, needs, &chosen),
                after: iv.requires.clone(),
                offending_focused: iv.offending_focused,
                weekly_hours: iv.weekly_hours(),
            }
        })
        .collect();
    // By start; on the same day offending-focused work is listed first.
    items.sort_by(|a, b| {
        (a.start, !a.offending_focused, &a.intervention).cmp(&(
            b.start,
            !b.offending_focused,
            &b.intervention,
        ))
    });
    items
}

fn rationale(ctx: &ItemContext<'_>, k: usize, needs: &[String], chosen: &[usize]) -> String {
    let options = ctx.options;
    let c = &options.candidates[k];
    let iv = options.interventions[c.intervention];
    let p = options.provision[c.provision];
    let mut parts = Vec::new();

    if needs.is_empty() {
        let dependants: Vec<&str> = chosen
            .iter()
            .map(|&o| options.interventions[options.candidates[o].intervention])
            .filter(|d| d.requires.contains(&iv.id))
            .map(|d| d.name.as_str())
            .collect();
        parts.push(format!("Prerequisite for {}.", dependants.join(" and ")));
    } else {
        let described: Vec<String> = needs
            .iter()
            .filter_map(|n| ctx.person.needs.iter().find(|a| &a.need == n))
            .map(|a| {
                let related = ctx
                    .catalogue
                    .need(&a.need)
                    .is_some_and(|d| d.offending_related);
                format!(
                    "{} ({}{})",
                    need_name(ctx.catalogue, &a.need),
                    a.level.as_str(),
                    if related { ", linked to offending" } else { "" }
                )
            })
            .collect();
        parts.push(format!("Meets {}.", described.join(" and ")));
    }

    // Why it starts when it does.
    let mut timing = if p.rolling {
        format!(
            "Starts {} ({}, {}, rolling)",
            long_date(c.start),
            p.id,
            area_or_unknown(&p.area)
        )
    } else {
        format!(
            "Joins the cohort starting {} ({}, {})",
            long_date(c.start),
            p.id,
            area_or_unknown(&p.area)
        )
    };
    let waits_for: Vec<String> = iv
        .requires
        .iter()
        .filter_map(|req| {
            chosen
                .iter()
                .map(|&o| &options.candidates[o])
                .find(|o| options.interventions[o.intervention].id == *req)
        })
        .map(|pre| {
            format!(
                "{}, which ends {}",
                options.interventions[pre.intervention].name,
                long_date(pre.end)
            )
        })
        .collect();
    if !waits_for.is_empty() {
        timing.push_str(&format!(
            ", after its prerequisite {}",
            waits_for.join(" and ")
        ));
    } else if p.rolling && c.start > options.window_start {
        timing.push_str(", later than the first possible week so that weekly contact hours stay within the limit alongside higher-priority work");
    }
    let skipped: Vec<String> = options
        .candidates_of(c.intervention)
        .filter(|(_, o)| !p.rolling || o.provision != c.provision)
        .filter(|(_, o)| o.start < c.start && o.start >= options.window_start)
        .filter_map(|(_, o)| o.block.as_ref().map(|b| (o, b)))
        .filter(|(_, b)| !matches!(b, Block::Prerequisite(_)))
        .map(|(o, b)| {
            format!(
                "not the cohort of {} ({})",
                long_date(o.start),
                block_words(b, options)
            )
        })
        .take(2)
        .collect();
    if !skipped.is_empty() {
        timing.push_str(&format!("; {}", skipped.join("; ")));
    }
    parts.push(format!("{timing}."));
    parts.push(format!(
        "{} a week for {} weeks; evidence: {}.",
        hours(iv.weekly_hours()),
        iv.weeks(),
        iv.evidence.as_str()
    ));
    parts.join(" ")
}

fn area_or_unknown(area: &str) -> &str {
    if area.is_empty() {
        "area not recorded"
    } else {
        area
    }
}

/// A short phrase for why one candidate is blocked.
fn block_words(block: &Block, options: &Options<'_>) -> String {
    match block {
        Block::Ineligible(Ineligibility::Age { age, min, max }) => format!(
            "for ages {}–{}, and the young person would be {age}",
            min.map_or("any".into(), |m| m.to_string()),
            max.map_or("any".into(), |m| m.to_string())
        ),
        Block::Ineligible(Ineligibility::Risk { assessed, cap }) => format!(
            "takes risk of serious harm up to {}, assessed {}",
            cap.as_str().replace('_', " "),
            assessed.as_str().replace('_', " ")
        ),
        Block::Ineligible(Ineligibility::Gender) => "not open to the young person's gender".into(),
        Block::Excluded { by } if by.is_empty() => "the young person is barred from it".into(),
        Block::Excluded { by } => format!("barred by {by}"),
        Block::UnsafeArea(area) => format!("runs in {area}, which is unsafe for the young person"),
        Block::RivalInCohort(group) => format!("a member of a rival group ({group}) holds a place"),
        Block::StartsBeforeAsOf => "it has already started".into(),
        Block::StartsBeforeOrder => "it starts before the order".into(),
        Block::EndsAfterOrder => "it would finish after the order ends".into(),
        Block::Full { taken, places } => format!("full, {taken} of {places} places taken"),
        Block::OverWeeklyHours { weekly, cap } => {
            format!(
                "{} a week, above the limit of {}",
                hours(*weekly),
                hours(*cap)
            )
        }
        Block::Prerequisite(req) => {
            let name = options
                .intervention_index(req)
                .map(|j| options.interventions[j].name.clone())
                .unwrap_or_else(|| req.clone());
            format!("its prerequisite {name} cannot be finished before it starts")
        }
    }
}

pub struct GapContext<'a> {
    pub options: &'a Options<'a>,
    pub catalogue: &'a Catalogue,
    pub person: &'a YoungPerson,
    pub order: &'a Order,
    pub chosen: &'a [usize],
}

/// Gaps for every need not met, highest level first, offending-related before welfare.
pub fn gaps(ctx: &GapContext<'_>, met: &BTreeSet<String>) -> Vec<Gap> {
    let mut gaps: Vec<Gap> = ctx
        .person
        .needs
        .iter()
        .filter(|n| !met.contains(&n.need))
        .map(|n| {
            let (reason, detail) = explain_need(ctx, &n.need);
            Gap {
                need: n.need.clone(),
                level: n.level,
                reason,
                detail,
            }
        })
        .collect();
    gaps.sort_by_key(|g| {
        let related = ctx
            .catalogue
            .need(&g.need)
            .is_some_and(|d| d.offending_related);
        (std::cmp::Reverse(g.level), !related)
    });
    gaps
}

/// The stage a candidate reaches in the contract's order of reasons; an open candidate passes
/// every rule, so a need it could meet is only ever `not_selected`.
fn stage(c: &Candidate) -> GapReason {
    c.block
        .as_ref()
        .map_or(GapReason::NotSelected, Block::stage)
}

fn explain_need(ctx: &GapContext<'_>, need: &str) -> (GapReason, String) {
    let name = need_name(ctx.catalogue, need);
    let in_catalogue: Vec<&str> = ctx
        .catalogue
        .interventions
        .iter()
        .filter(|i| i.addresses.iter().any(|a| a == need))
        .map(|i| i.name.as_str())
        .collect();
    if in_catalogue.is_empty() {
        return (
            GapReason::NoIntervention,
            format!(
                "No intervention in the catalogue addresses {name}. Record how it will be met and report the gap."
            ),
        );
    }
    let options = ctx.options;
    let addressing: Vec<usize> = (0..options.interventions.len())
        .filter(|&i| options.interventions[i].addresses.iter().any(|a| a == need))
        .collect();
    let candidates: Vec<&Candidate> = options
        .candidates
        .iter()
        .filter(|c| addressing.contains(&c.intervention))
        .collect();
    if candidates.is_empty() {
        return (
            GapReason::NoProvision,
            format!(
                "{} would address {name}, but none is provided locally: commission provision or record a spot purchase.",
                list(&in_catalogue)
            ),
        );
    }
    let reason = candidates
        .iter()
        .map(|c| stage(c))
        .max()
        .expect("not empty");
    let mut furthest: Vec<&Candidate> = candidates
        .into_iter()
        .filter(|c| stage(c) == reason)
        .collect();
    furthest.sort_by_key(|c| (c.start, c.intervention, c.provision));
    let detail = match reason {
        GapReason::Ineligible => format!(
            "The young person is not eligible for any local option for {name}: {}.",
            per_intervention(ctx, &furthest)
        ),
        GapReason::Excluded => format!(
            "Every remaining option for {name} is barred: {}. Record who agreed and any challenge.",
            per_intervention(ctx, &furthest)
        ),
        GapReason::Unsafe => format!(
            "Every remaining option for {name} is unsafe: {}.",
            per_intervention(ctx, &furthest)
        ),
        GapReason::NoCapacity => no_capacity_detail(ctx, name, &furthest),
        _ => not_selected_detail(ctx, name, &furthest),
    };
    (reason, detail)
}

fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// One phrase per intervention, from its first candidate that got furthest.
fn per_intervention(ctx: &GapContext<'_>, furthest: &[&Candidate]) -> String {
    let options = ctx.options;
    let mut seen = BTreeSet::new();
    let mut phrases = Vec::new();
    for c in furthest {
        if !seen.insert(c.intervention) {
            continue;
        }
        let iv = options.interventions[c.intervention];
        let block = c
            .block
            .as_ref()
            .map(|b| block_words(b, options))
            .unwrap_or_default();
        phrases.push(format!(
            "{} ({}) {}",
            iv.name, options.provision[c.provision].id, block
        ));
    }
    phrases.join("; ")
}

fn no_capacity_detail(ctx: &GapContext<'_>, name: &str, furthest: &[&Candidate]) -> String {
    let options = ctx.options;
    let order_end = long_date(ctx.order.end);
    let mut phrases = Vec::new();
    let mut seen = BTreeSet::new();
    // Say first what the next joinable start would be, per intervention.
    for c in furthest.iter().filter(|c| c.start >= options.window_start) {
        if !seen.insert(c.intervention) {
            continue;
        }
        let iv = options.interventions[c.intervention];
        let p = options.provision[c.provision];
        let later = furthest
            .iter()
            .find(|o| o.intervention == c.intervention && o.start > c.start && !p.rolling)
            .map(|o| format!(", and the next starts {}", long_date(o.start)))
            .unwrap_or_default();
        let phrase = match c.block {
            Some(Block::EndsAfterOrder) if p.rolling => format!(
                "{} ({}) runs {} weeks, so starting {} it would end {}",
                iv.name,
                p.id,
                iv.weeks(),
                long_date(c.start),
                long_date(c.end)
            ),
            Some(Block::EndsAfterOrder) => format!(
                "the next {} cohort starts {} and would end {}{later}",
                iv.name,
                long_date(c.start),
                long_date(c.end)
            ),
            Some(Block::Full { taken, places }) if p.rolling => {
                format!(
                    "{} ({}) has no free place ({taken} of {places} held)",
                    iv.name, p.id
                )
            }
            Some(Block::Full { taken, places }) => format!(
                "the {} cohort starting {} is full ({taken} of {places} places)",
                iv.name,
                long_date(c.start)
            ),
            _ => format!("{} ({}) cannot be joined in time", iv.name, p.id),
        };
        phrases.push(phrase);
    }
    for c in furthest.iter().filter(|c| c.start < options.window_start) {
        if seen.insert(c.intervention) {
            let iv = options.interventions[c.intervention];
            phrases.push(format!(
                "the {} cohort of {} has already begun",
                iv.name,
                long_date(c.start)
            ));
        }
    }
    let mut text = format!(
        "No place for {name} can be had within the order: {}",
        phrases.join("; ")
    );
    text.push_str(&format!("; the order ends {order_end}."));
    capitalise(text)
}

fn not_selected_detail(ctx: &GapContext<'_>, name: &str, furthest: &[&Candidate]) -> String {
    let options = ctx.options;
    let mut phrases = Vec::new();
    let mut seen = BTreeSet::new();
    for c in furthest {
        if !seen.insert(c.intervention) {
            continue;
        }
        let iv = options.interventions[c.intervention];
        let phrase = match &c.block {
            Some(Block::OverWeeklyHours { weekly, cap }) => format!(
                "{} needs {} a week, above the young person's limit of {}",
                iv.name,
                hours(*weekly),
                hours(*cap)
            ),
            Some(Block::Prerequisite(req)) => format!(
                "{} requires {}, which {}",
                iv.name,
                options
                    .intervention_index(req)
                    .map_or(req.as_str(), |j| options.interventions[j].name.as_str()),
                prerequisite_problem(options, req, c.start)
            ),
            _ => {
                let busy: Vec<&str> = ctx
                    .chosen
                    .iter()
                    .map(|&k| &options.candidates[k])
                    .filter(|o| o.start <= c.end && c.start <= o.end)
                    .map(|o| options.interventions[o.intervention].name.as_str())
                    .collect();
                let mut s = format!(
                    "{} could start {} but does not fit within {} a week alongside higher-priority work",
                    iv.name,
                    long_date(c.start),
                    hours(options.max_hours_per_week)
                );
                if !busy.is_empty() {
                    s.push_str(&format!(" ({})", list(&busy)));
                }
                s
            }
        };
        phrases.push(phrase);
    }
    format!("{name} is not in the plan: {}.", phrases.join("; "))
}

/// Why a prerequisite cannot be finished before `before`.
fn prerequisite_problem(options: &Options<'_>, req: &str, before: NaiveDate) -> String {
    let Some(j) = options.intervention_index(req) else {
        return "is not in the catalogue".into();
    };
    let candidates: Vec<&Candidate> = options.candidates_of(j).map(|(_, c)| c).collect();
    if candidates.is_empty() {
        return "is not provided locally".into();
    }
    let reason = candidates
        .iter()
        .map(|c| stage(c))
        .max()
        .expect("not empty");
    match candidates
        .iter()
        .find(|c| stage(c) == reason)
        .and_then(|c| c.block.as_ref())
    {
        Some(block) => format!("cannot be planned ({})", block_words(block, options)),
        None => format!("cannot be finished before {}", long_date(before)),
    }
}

fn capitalise(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => s,
    }
}
