//! Turns chosen candidates into plan items with a rationale, and explains every need that is
//! not met, with its gap reason and words a case manager understands. Every phrase is derived
//! from the rule that decided it.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::fit::{Misfit, misfit};
use super::options::{Block, Candidate, Expected, Ineligibility, Options};
use crate::domain::levels::{DeliveredUnder, with_article};
use crate::domain::plan::{Gap, GapReason, PlanItem};
use crate::domain::problem::Order;
use crate::domain::{Catalogue, Intervention, YoungPerson};

pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "1 hour", "1.5 hours", "3 hours".
pub fn hours(h: f64) -> String {
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

/// "1 week", "6 weeks".
pub fn weeks(n: i64) -> String {
    plural(n, "week")
}

pub fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn need_name<'a>(catalogue: &'a Catalogue, id: &'a str) -> &'a str {
    catalogue.need(id).map(|n| n.name.as_str()).unwrap_or(id)
}

/// What of the order an intervention is delivered under, when its catalogue entry says: the
/// first permitted entry, a requirement other than supervision first.
pub fn delivered_under(iv: &Intervention, order: &Order) -> Option<DeliveredUnder> {
    let under = iv.delivered_under.as_ref()?;
    let permitted = || under.iter().copied().filter(|d| order.permits(*d));
    permitted()
        .find(|d| *d != DeliveredUnder::Yro(crate::domain::levels::Requirement::Supervision))
        .or_else(|| permitted().next())
}

pub struct ItemContext<'a> {
    pub options: &'a Options<'a>,
    pub catalogue: &'a Catalogue,
    pub person: &'a YoungPerson,
    pub order: &'a Order,
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
            PlanItem {
                intervention: iv.id.clone(),
                provision: options.source_id(c).to_string(),
                start: c.start,
                end: c.end,
                addresses: needs.clone(),
                rationale: rationale(ctx, *k, needs, &chosen),
                after: iv.requires.clone(),
                offending_focused: iv.offending_focused,
                weekly_hours: iv.weekly_hours(),
                assessment: iv.is_assessment(),
                under: delivered_under(iv, ctx.order).map(|d| d.to_string()),
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

fn describe_needs(ctx: &ItemContext<'_>, needs: &[String]) -> Vec<String> {
    needs
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
        .collect()
}

fn rationale(ctx: &ItemContext<'_>, k: usize, needs: &[String], chosen: &[usize]) -> String {
    let options = ctx.options;
    let c = &options.candidates[k];
    let iv = options.interventions[c.intervention];
    let mut parts = purpose(ctx, k, needs, chosen);
    if c.kept {
        // Kept from the previous version (docs/planning.md, "Replanning"): its timing was
        // decided then, and the rules of this run did not move it.
        let when = if c.start < options.window_start {
            "it started"
        } else {
            "it was kept to start"
        };
        parts.push(format!(
            "Kept from the previous version of the plan: {when} on {}.",
            long_date(c.start)
        ));
    } else {
        parts.push(format!("{}.", timing(options, k, chosen)));
    }
    parts.push(format!(
        "{} a week for {}; evidence: {}.",
        hours(iv.weekly_hours()),
        weeks(iv.weeks()),
        iv.evidence.as_str()
    ));
    if iv.continues_after_order && c.end > options.order_end {
        parts.push(format!(
            "Continues after the order ends ({}).",
            long_date(options.order_end)
        ));
    }
    parts.join(" ")
}

/// What an item is for: the needs it meets or assesses, the work it prepares for, the order's
/// expected work it delivers, and the requirement it sits under.
fn purpose(ctx: &ItemContext<'_>, k: usize, needs: &[String], chosen: &[usize]) -> Vec<String> {
    let options = ctx.options;
    let c = &options.candidates[k];
    let iv = options.interventions[c.intervention];
    let mut parts = Vec::new();
    let dependants: Vec<&str> = chosen
        .iter()
        .map(|&o| options.interventions[options.candidates[o].intervention])
        .filter(|d| d.requires.contains(&iv.id))
        .map(|d| d.name.as_str())
        .collect();
    if iv.is_assessment() {
        let assessed: Vec<String> = ctx
            .person
            .needs
            .iter()
            .filter(|n| iv.addresses.contains(&n.need))
            .map(|n| n.need.clone())
            .collect();
        parts.push(format!(
            "Assesses {}: it informs the work but does not meet the need itself.",
            list(&describe_needs(ctx, &assessed))
        ));
    } else if !needs.is_empty() {
        parts.push(format!("Meets {}.", list(&describe_needs(ctx, needs))));
    }
    if !dependants.is_empty() {
        parts.push(format!("Prepares for {}.", list(&dependants)));
    }
    let mut serves: Vec<&Expected> = Vec::new();
    if needs.is_empty() && dependants.is_empty() && !iv.is_assessment() {
        serves = options
            .expected
            .iter()
            .filter(|(_, serving)| serving.contains(&c.intervention))
            .map(|(e, _)| e)
            .collect();
        if !serves.is_empty() {
            let labels: Vec<String> = serves.iter().map(|e| e.label()).collect();
            parts.push(format!("Delivers {}.", list(&labels)));
        }
    }
    // "Delivers the activity requirement" already says what it is delivered under.
    let said = |under: &DeliveredUnder| {
        serves.iter().any(
            |e| matches!((e, under), (Expected::Requirement(r), DeliveredUnder::Yro(u)) if r == u),
        )
    };
    if let Some(under) = delivered_under(iv, ctx.order).filter(|u| !said(u)) {
        parts.push(format!("Delivered under {}.", under.label()));
    }
    parts
}

/// Where and when an item starts, and why not earlier: the prerequisite it waits for, the rule
/// that holds it back, or the earlier cohorts it could not join.
fn timing(options: &Options<'_>, k: usize, chosen: &[usize]) -> String {
    let c = &options.candidates[k];
    let iv = options.interventions[c.intervention];
    let mut timing = match options.provision_of(c) {
        None => format!("Delivered by the case manager from {}", long_date(c.start)),
        Some(p) if p.rolling => format!(
            "Starts {} with {} ({})",
            long_date(c.start),
            provider_or_id(p),
            area_or_unknown(&p.area)
        ),
        Some(p) => format!(
            "Joins the cohort starting {} ({}, {})",
            long_date(c.start),
            provider_or_id(p),
            area_or_unknown(&p.area)
        ),
    };
    if let Some(p) = options.provision_of(c)
        && p.outreach
    {
        timing.push_str(", seen where the young person is");
    }
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
        timing.push_str(&format!(", after {}", list(&waits_for)));
    } else if let Some(why) = why_not_earlier(options, k, chosen) {
        timing.push_str(&format!("; {why}"));
    } else if let Some(why) = held_back_by_its_source(options, c) {
        timing.push_str(&format!("; {why}"));
    }
    let skipped: Vec<String> = options
        .candidates_of(c.intervention)
        .filter(|(_, o)| !options.is_rolling(o) && o.start < c.start)
        .filter(|(_, o)| o.start >= options.window_start)
        .filter_map(|(_, o)| o.block.as_ref().map(|b| (o, b)))
        .filter(|(_, b)| {
            !matches!(
                b,
                Block::Prerequisite(_)
                    | Block::ControlStartsLater { .. }
                    | Block::KeptAt { .. }
                    | Block::Pruned
            )
        })
        .map(|(o, b)| {
            format!(
                "not the cohort of {} ({})",
                long_date(o.start),
                block_words(b, options)
            )
        })
        .collect();
    if !skipped.is_empty() {
        timing.push_str(&format!("; {}", skipped.join("; ")));
    }
    timing
}

/// Why a chosen item does not start at the first open start of its own source, when a rule of
/// the plan is the reason: the phrase for the rule it would break there.
fn why_not_earlier(options: &Options<'_>, k: usize, chosen: &[usize]) -> Option<String> {
    let c = &options.candidates[k];
    let first = options
        .open()
        .filter(|(_, o)| o.intervention == c.intervention && o.provision == c.provision)
        .map(|(j, _)| j)
        .min_by_key(|j| options.candidates[*j].start)?;
    if options.candidates[first].start >= c.start {
        return None;
    }
    let earliest = long_date(options.candidates[first].start);
    let mut moved: Vec<usize> = chosen.iter().copied().filter(|o| *o != k).collect();
    moved.push(first);
    let phrase = match misfit(options, &moved)? {
        Misfit::Hours { hours: h, .. } => format!(
            "not from {earliest}, when the plan would reach {} a week, above the limit of {}",
            hours(h),
            hours(options.max_hours_per_week)
        ),
        Misfit::Items { items, .. } => format!(
            "not from {earliest}, when it would be one of {items} pieces of work at once, above the limit of {}",
            options.max_concurrent_items
        ),
        Misfit::Assessment { assessment, .. } => format!(
            "after {} ends on {}, which it waits for",
            options.interventions[options.candidates[assessment].intervention].name,
            long_date(options.candidates[assessment].end)
        ),
        Misfit::Prerequisite { candidate, .. } => format!(
            "not from {earliest}: {}, which needs it first, must start within {} of its end",
            options.interventions[options.candidates[candidate].intervention].name,
            weeks((options.prerequisite_max_gap_days - 1) / 7)
        ),
        Misfit::Twice(_) => return None,
    };
    Some(phrase)
}

/// Why a rolling item starts later than the first week of the plan when its own source was
/// the reason: the referral wait, or no free place (in a caseload, places others hold).
fn held_back_by_its_source(options: &Options<'_>, c: &Candidate) -> Option<String> {
    if !options.is_rolling(c) || c.start <= options.window_start {
        return None;
    }
    let earlier: Vec<&Candidate> = options
        .candidates_of(c.intervention)
        .filter(|(_, o)| o.provision == c.provision && o.start < c.start)
        .filter(|(_, o)| o.start >= options.window_start)
        .map(|(_, o)| o)
        .collect();
    if earlier.iter().any(|o| o.block.is_none()) {
        return None;
    }
    let earlier: Vec<&Block> = earlier.iter().filter_map(|o| o.block.as_ref()).collect();
    if earlier.iter().any(|b| matches!(b, Block::Full { .. })) {
        Some("an earlier start finds no place free for all its weeks".into())
    } else if let Some(Block::InReferralWait { wait_days, .. }) = earlier
        .iter()
        .find(|b| matches!(b, Block::InReferralWait { .. }))
    {
        Some(format!(
            "after the referral wait of {}",
            plural(*wait_days, "day")
        ))
    } else {
        None
    }
}

fn provider_or_id(p: &crate::domain::Provision) -> &str {
    if p.provider.is_empty() {
        &p.id
    } else {
        &p.provider
    }
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
        Block::NotPermitted => "not permitted under this order".into(),
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
        Block::Excluded { by, reason } => {
            let who = if by.is_empty() {
                "the young person is barred from it".to_string()
            } else {
                format!("barred by {by}")
            };
            if reason.trim().is_empty() {
                who
            } else {
                format!("{who}: {}", reason.trim())
            }
        }
        Block::UnsafeArea(area) => format!("runs in {area}, which is unsafe for the young person"),
        Block::RivalInCohort(groups) => format!(
            "{} of a rival group ({}) {} a place",
            if groups.len() == 1 {
                "a member"
            } else {
                "members"
            },
            list(groups),
            if groups.len() == 1 { "holds" } else { "hold" }
        ),
        Block::StartsBeforeAsOf => "it has already started".into(),
        Block::StartsBeforeOrder => "it starts before the order".into(),
        Block::InCustody { licence_start } => format!(
            "it starts while the young person is in custody (the licence starts {})",
            long_date(*licence_start)
        ),
        Block::InReferralWait {
            wait_days,
            earliest,
        } => format!(
            "inside the referral wait of {} (a new referral starts {} at the earliest)",
            plural(*wait_days, "day"),
            long_date(*earliest)
        ),
        Block::EndsAfterOrder => "it would finish after the order ends".into(),
        Block::TooCloseToOrderEnd => {
            "it would start less than 14 days before the order ends".into()
        }
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
            format!("its prerequisite {name} cannot be finished shortly before it starts")
        }
        Block::ControlStartsLater { first } => format!(
            "a control the court imposed runs from its first possible start, {}",
            long_date(*first)
        ),
        Block::KeptAt { start } => format!("it is kept as planned, from {}", long_date(*start)),
        Block::Pruned => "not considered".into(),
    }
}

pub struct GapContext<'a> {
    pub options: &'a Options<'a>,
    pub catalogue: &'a Catalogue,
    pub person: &'a YoungPerson,
    pub order: &'a Order,
    pub chosen: &'a [usize],
}

/// Needs met by a chosen candidate that is not an assessment.
pub fn covered_needs(options: &Options<'_>, chosen: &[usize]) -> BTreeSet<String> {
    chosen
        .iter()
        .map(|&k| options.interventions[options.candidates[k].intervention])
        .filter(|iv| !iv.is_assessment())
        .flat_map(|iv| iv.addresses.iter().cloned())
        .collect()
}

/// Gaps for every need not met, highest level first, offending-related before welfare.
pub fn gaps(ctx: &GapContext<'_>) -> Vec<Gap> {
    let met = covered_needs(ctx.options, ctx.chosen);
    let mut gaps: Vec<Gap> = ctx
        .person
        .needs
        .iter()
        .filter(|n| !met.contains(&n.need))
        .map(|n| {
            let (reason, mut detail) = explain_need(ctx, &n.need);
            if let Some(assessed) = assessment_planned(ctx, &n.need) {
                detail.push(' ');
                detail.push_str(&assessed);
            }
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

/// "The Speech and language screening is planned (2 February to 1 March 2026): use what it
/// finds to plan the work." for a need only an assessment addresses in the plan.
fn assessment_planned(ctx: &GapContext<'_>, need: &str) -> Option<String> {
    let options = ctx.options;
    let planned: Vec<String> = ctx
        .chosen
        .iter()
        .map(|&k| &options.candidates[k])
        .filter(|c| {
            let iv = options.interventions[c.intervention];
            iv.is_assessment() && iv.addresses.iter().any(|a| a == need)
        })
        .map(|c| {
            format!(
                "{} ({} to {})",
                options.interventions[c.intervention].name,
                long_date(c.start),
                long_date(c.end)
            )
        })
        .collect();
    (!planned.is_empty()).then(|| {
        format!(
            "The assessment {} is planned: use what it finds to plan the work.",
            list(&planned)
        )
    })
}

/// The stage a candidate reaches in the order of gap reasons; an open candidate passes every
/// rule, so a need it could meet is only ever `not_selected`.
fn stage(c: &Candidate) -> GapReason {
    c.block
        .as_ref()
        .map_or(GapReason::NotSelected, Block::stage)
}

fn explain_need(ctx: &GapContext<'_>, need: &str) -> (GapReason, String) {
    let name = need_name(ctx.catalogue, need);
    let in_catalogue: Vec<&Intervention> = ctx
        .catalogue
        .interventions
        .iter()
        .filter(|i| !i.is_assessment() && i.addresses.iter().any(|a| a == need))
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
        .filter(|&i| {
            let iv = options.interventions[i];
            !iv.is_assessment() && iv.addresses.iter().any(|a| a == need)
        })
        .collect();
    let candidates: Vec<&Candidate> = options
        .candidates
        .iter()
        .filter(|c| addressing.contains(&c.intervention))
        .collect();
    if candidates.is_empty() {
        let names: Vec<&str> = in_catalogue.iter().map(|i| i.name.as_str()).collect();
        return (
            GapReason::NoProvision,
            format!(
                "{} would address {name}, but none is provided locally: commission provision or record a spot purchase.",
                list(&names)
            ),
        );
    }
    explain_candidates(ctx, name, candidates)
}

/// Why the work the order expects (`label`, e.g. "the unpaid work requirement") is not in the
/// plan, from the rule that stopped the options that got furthest, as for a need's gap.
pub fn why_expected_unplanned(
    ctx: &GapContext<'_>,
    label: &str,
    serving: &[usize],
) -> (GapReason, String) {
    let options = ctx.options;
    let candidates: Vec<&Candidate> = options
        .candidates
        .iter()
        .filter(|c| serving.contains(&c.intervention))
        .collect();
    if candidates.is_empty() {
        let names: Vec<&str> = serving
            .iter()
            .map(|&i| options.interventions[i].name.as_str())
            .collect();
        return if names.is_empty() {
            (
                GapReason::NoIntervention,
                format!("No intervention in the catalogue is delivered under {label}."),
            )
        } else {
            (
                GapReason::NoProvision,
                format!(
                    "Nothing is provided locally for {label}: {} would deliver it.",
                    list(&names)
                ),
            )
        };
    }
    let (reason, detail) = explain_candidates(ctx, label, candidates);
    (reason, capitalise(detail))
}

/// Why a need linked to offending has no offending-focused work in the plan (it may have
/// welfare work): the catalogue has none for it, none is provided, or the rule that stopped
/// the offending-focused options that got furthest, as for a gap.
pub fn why_no_offending_work(ctx: &GapContext<'_>, need: &str) -> String {
    let name = need_name(ctx.catalogue, need);
    let focused = |iv: &Intervention| {
        iv.offending_focused && !iv.is_assessment() && iv.addresses.iter().any(|a| a == need)
    };
    let in_catalogue: Vec<&str> = ctx
        .catalogue
        .interventions
        .iter()
        .filter(|iv| focused(iv))
        .map(|iv| iv.name.as_str())
        .collect();
    if in_catalogue.is_empty() {
        return format!(
            "{name}: no offending-focused intervention in the catalogue addresses it, so the case manager's own offending work on it must be recorded."
        );
    }
    let options = ctx.options;
    let candidates: Vec<&Candidate> = options
        .candidates
        .iter()
        .filter(|c| focused(options.interventions[c.intervention]))
        .collect();
    if candidates.is_empty() {
        return format!(
            "{name}: {} would be offending-focused work on it, but none is provided locally.",
            list(&in_catalogue)
        );
    }
    let label = format!("offending-focused work on {name}");
    capitalise(explain_candidates(ctx, &label, candidates).1)
}

/// The gap reason and detail for work whose options are `candidates`: the furthest stage any
/// option reached, in the words of the rule that stopped them there.
fn explain_candidates(
    ctx: &GapContext<'_>,
    name: &str,
    candidates: Vec<&Candidate>,
) -> (GapReason, String) {
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
        GapReason::NotPermitted => not_permitted_detail(ctx, name, &furthest),
        GapReason::Ineligible => format!(
            "The young person is not eligible for any local option for {name}: {}.",
            per_option(ctx, &furthest)
        ),
        GapReason::Excluded => format!(
            "Every remaining option for {name} is barred: {}. Record who agreed, and whether the decision is challenged; work the case manager can deliver may still be possible.",
            per_option(ctx, &furthest)
        ),
        GapReason::Unsafe => format!(
            "Every remaining option for {name} is unsafe: {}.",
            per_option(ctx, &furthest)
        ),
        GapReason::NoCapacity => no_capacity_detail(ctx, name, &furthest),
        _ => not_selected_detail(ctx, name, &furthest),
    };
    (reason, detail)
}

pub fn list<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

fn source_words(options: &Options<'_>, c: &Candidate) -> String {
    match options.provision_of(c) {
        None => "by the case manager".into(),
        Some(p) if p.rolling => format!("at {}", provider_or_id(p)),
        Some(_) => format!("the cohort of {}", long_date(c.start)),
    }
}

/// One phrase per option that got furthest: per intervention and source, and for cohorts each
/// cohort that is blocked for its own reason (e.g. two cohorts each holding a rival).
fn per_option(ctx: &GapContext<'_>, furthest: &[&Candidate]) -> String {
    let options = ctx.options;
    let mut seen = BTreeSet::new();
    let mut phrases = Vec::new();
    for c in furthest {
        let cohort = (!options.is_rolling(c)).then_some(c.start);
        if !seen.insert((
            c.intervention,
            c.provision,
            cohort,
            c.block.clone().map(|b| format!("{b:?}")),
        )) {
            continue;
        }
        let iv = options.interventions[c.intervention];
        let block = c
            .block
            .as_ref()
            .map(|b| block_words(b, options))
            .unwrap_or_default();
        phrases.push(format!(
            "{} ({}): {}",
            iv.name,
            source_words(options, c),
            block
        ));
    }
    // The same words for every start of a rolling offer are said once.
    phrases.dedup();
    phrases.join("; ")
}

fn not_permitted_detail(ctx: &GapContext<'_>, name: &str, furthest: &[&Candidate]) -> String {
    let options = ctx.options;
    let mut seen = BTreeSet::new();
    let phrases: Vec<String> = furthest
        .iter()
        .filter(|c| seen.insert(c.intervention))
        .map(|c| {
            let iv = options.interventions[c.intervention];
            let needs: Vec<String> = iv
                .delivered_under
                .iter()
                .flatten()
                .map(|d| match d {
                    DeliveredUnder::Yro(_) => {
                        format!("a youth rehabilitation order with {}", d.label())
                    }
                    other => other.label(),
                })
                .collect();
            format!("{} needs {}", iv.name, or_list(&needs))
        })
        .collect();
    format!(
        "{name} cannot be planned under this order: {}; this is {}.",
        phrases.join("; "),
        with_article(&ctx.order.describe())
    )
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn no_capacity_detail(ctx: &GapContext<'_>, name: &str, furthest: &[&Candidate]) -> String {
    let options = ctx.options;
    let order_end = long_date(ctx.order.end);
    let mut phrases = Vec::new();
    let mut seen = BTreeSet::new();
    // Say first what the next joinable start would be, per intervention and source.
    for c in furthest.iter().filter(|c| c.start >= options.window_start) {
        if !seen.insert((c.intervention, c.provision)) {
            continue;
        }
        phrases.push(next_start_phrase(options, c, furthest));
    }
    for c in furthest.iter().filter(|c| c.start < options.window_start) {
        if seen.insert((c.intervention, c.provision)) {
            let iv = options.interventions[c.intervention];
            let phrase = match &c.block {
                Some(Block::InCustody { licence_start }) => format!(
                    "the {} cohort of {} starts while the young person is in custody (the licence starts {})",
                    iv.name,
                    long_date(c.start),
                    long_date(*licence_start)
                ),
                _ => format!(
                    "the {} cohort of {} has already begun",
                    iv.name,
                    long_date(c.start)
                ),
            };
            phrases.push(phrase);
        }
    }
    let text = format!(
        "No place for {name} can be had within the order: {}; the order ends {order_end}.",
        phrases.join("; ")
    );
    capitalise(text)
}

/// What stands in the way of the next start of one intervention from one source, for a
/// `no_capacity` gap: it ends after the order, the referral wait, a full cohort, custody.
fn next_start_phrase(options: &Options<'_>, c: &Candidate, furthest: &[&Candidate]) -> String {
    let iv = options.interventions[c.intervention];
    let rolling = options.is_rolling(c);
    let source = match options.provision_of(c) {
        Some(p) => provider_or_id(p).to_string(),
        None => "the case manager".into(),
    };
    let later = furthest
        .iter()
        .find(|o| {
            o.intervention == c.intervention
                && o.provision == c.provision
                && o.start > c.start
                && !rolling
        })
        .map(|o| format!(", and the next starts {}", long_date(o.start)))
        .unwrap_or_default();
    match &c.block {
        Some(Block::EndsAfterOrder) if rolling => format!(
            "{} ({source}) runs {}, so starting {} it would end {}",
            iv.name,
            weeks(iv.weeks()),
            long_date(c.start),
            long_date(c.end)
        ),
        Some(Block::EndsAfterOrder) => format!(
            "the next {} cohort starts {} and would end {}{later}",
            iv.name,
            long_date(c.start),
            long_date(c.end)
        ),
        Some(Block::InReferralWait {
            wait_days,
            earliest,
        }) => {
            let then = furthest
                .iter()
                .find(|o| {
                    o.intervention == c.intervention
                        && o.provision == c.provision
                        && !matches!(o.block, Some(Block::InReferralWait { .. }))
                })
                .map(|o| match &o.block {
                    Some(Block::EndsAfterOrder) => format!(
                        ", and starting then it would end {}, after the order",
                        long_date(o.end)
                    ),
                    Some(Block::TooCloseToOrderEnd) => {
                        ", less than 14 days before the order ends".to_string()
                    }
                    Some(Block::Full { taken, places }) => {
                        format!(", and then it is full ({taken} of {places} places)")
                    }
                    _ => String::new(),
                })
                .unwrap_or_default();
            format!(
                "{} ({source}) has a referral wait of {}, so a new referral starts {} at the earliest{then}",
                iv.name,
                plural(*wait_days, "day"),
                long_date(*earliest),
            )
        }
        Some(Block::Full { taken, places }) if rolling => {
            format!(
                "{} ({source}) has no free place ({taken} of {places} held)",
                iv.name
            )
        }
        Some(Block::Full { taken, places }) => format!(
            "the {} cohort starting {} is full ({taken} of {places} places){later}",
            iv.name,
            long_date(c.start)
        ),
        Some(Block::TooCloseToOrderEnd) => format!(
            "{} ({source}) would start less than 14 days before the order ends",
            iv.name
        ),
        Some(Block::InCustody { licence_start }) => format!(
            "the {} cohort of {} starts while the young person is in custody (the licence starts {})",
            iv.name,
            long_date(c.start),
            long_date(*licence_start)
        ),
        _ => format!("{} ({source}) cannot be joined in time", iv.name),
    }
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
                "{} needs {} a week on its own, above the young person's limit of {}",
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
            _ => open_but_left_out(ctx, c),
        };
        phrases.push(phrase);
    }
    format!("{name} is not in the plan: {}.", phrases.join("; "))
}

/// Why an open option was left out: the rule that adding it to the plan as it stands would
/// break.
fn open_but_left_out(ctx: &GapContext<'_>, c: &Candidate) -> String {
    let options = ctx.options;
    let iv = options.interventions[c.intervention];
    let k = options
        .candidates
        .iter()
        .position(|o| o == c)
        .expect("a candidate of these options");
    let mut with: Vec<usize> = ctx.chosen.to_vec();
    with.push(k);
    let busy = |week: i64| -> String {
        let names: Vec<&str> = ctx
            .chosen
            .iter()
            .map(|&o| &options.candidates[o])
            .filter(|o| options.weeks_of(o).contains(&week))
            .map(|o| options.interventions[o.intervention].name.as_str())
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" alongside {}", list(&names))
        }
    };
    let start = long_date(c.start);
    match misfit(options, &with) {
        Some(Misfit::Hours { week, hours: h }) => format!(
            "{} could start {start}, but the week of {} would then hold {} of contact{}, above the limit of {}",
            iv.name,
            long_date(options.order_start + chrono::Duration::days(7 * week)),
            hours(h),
            busy(week),
            hours(options.max_hours_per_week)
        ),
        Some(Misfit::Items { week, items }) => format!(
            "{} could start {start}, but the week of {} would then have {items} pieces of work at once{}, above the limit of {} for the young person's intervention level",
            iv.name,
            long_date(options.order_start + chrono::Duration::days(7 * week)),
            busy(week),
            options.max_concurrent_items
        ),
        Some(Misfit::Assessment { assessment, .. }) => format!(
            "{} could start {start}, but must wait for {} to end on {}, and no later start fits",
            iv.name,
            options.interventions[options.candidates[assessment].intervention].name,
            long_date(options.candidates[assessment].end)
        ),
        Some(Misfit::Prerequisite { requires, .. }) => format!(
            "{} could start {start}, but its prerequisite {} cannot be fitted to end within {} before it",
            iv.name,
            options
                .intervention_index(&requires)
                .map_or(requires.as_str(), |j| options.interventions[j]
                    .name
                    .as_str()),
            weeks((options.prerequisite_max_gap_days - 1) / 7)
        ),
        Some(Misfit::Twice(_)) | None => format!(
            "{} could start {start}, but higher-priority work was preferred",
            iv.name
        ),
    }
}

/// Why a prerequisite cannot be finished shortly before `before`.
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
        None => format!(
            "cannot be finished within {} before {}",
            weeks((options.prerequisite_max_gap_days - 1) / 7),
            long_date(before)
        ),
    }
}

fn capitalise(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => s,
    }
}
