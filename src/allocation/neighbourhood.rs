//! Moving places between young people (README, "Caseload allocation"): a few young people who
//! compete for the same scarce provision are re-planned together, with everyone else's places
//! held, by the joint model over just them, started from the plans they have. Kept only when
//! the group's plans are worth more together, and every new place checks out day by day.
//!
//! The relaxation says who wanted a place they did not get; a group is those young people and
//! the ones holding that provision. The polish and the relaxation-guided rounding re-plan one
//! young person at a time, so neither can give one a place by moving another to a different
//! one; this step can.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::joint::{self, Child, Limits};
use super::polish::Freshness;
use super::run::Context;
use super::{Taken, alone_problem, fewer_rolling_starts_keeping, locate, places};
use crate::domain::problem::ValidProblem;
use crate::planner::fit::misfit;
use crate::planner::model;
use crate::planner::options;
use crate::planner::{PlanError, setting_for, values_for};

/// Young people re-planned together at most: 0.3–0.6 s of HiGHS on a group this size at 300
/// cases; 20 gained more than 10 or 30 (BENCHMARKS.md).
const GROUP: usize = 20;

/// HiGHS's time on one group at most.
const GROUP_SECONDS: f64 = 0.6;

/// How much of a provision each young person's relaxed plan used (sum of its candidates'
/// shares), by provision id; from the first relaxation over the whole caseload.
pub type Wanted = Vec<BTreeMap<String, f64>>;

/// Re-plans groups of competing young people together until `until` or until a round over
/// every contested provision changes nothing. Returns how many groups gained.
pub(super) fn exchange(
    ctx: &Context<'_>,
    taken: &mut Vec<Taken>,
    fresh: &mut Freshness,
    wanted: &Wanted,
    until: Instant,
) -> Result<usize, PlanError> {
    let mut gained = 0;
    for round in 0..3 {
        let mut changed = false;
        for group in groups(ctx, taken, wanted, round) {
            let seconds = until
                .saturating_duration_since(Instant::now())
                .as_secs_f64()
                .min(GROUP_SECONDS);
            if seconds < 0.05 {
                return Ok(gained);
            }
            if let Some(better) = replan_together(ctx, taken, &group, seconds)? {
                let before: Vec<Taken> = taken
                    .iter()
                    .filter(|t| group.contains(&t.child))
                    .cloned()
                    .collect();
                fresh.given_up(&before, &better);
                // Planned together, not each alone: the polish looks at them again.
                group.iter().for_each(|&k| fresh.forget(k));
                taken.retain(|t| !group.contains(&t.child));
                taken.extend(better);
                gained += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(gained)
}

/// The groups of one round, most contested provision first: for each provision someone wanted
/// more of than they hold, those young people (highest priority first) and its holders, up to
/// `GROUP`; round `r` takes the holders from a different offset so that successive rounds try
/// different exchanges.
fn groups(ctx: &Context<'_>, taken: &[Taken], wanted: &Wanted, round: usize) -> Vec<Vec<usize>> {
    let mut held: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for t in taken {
        held.entry(t.provision.as_str())
            .or_default()
            .insert(t.child);
    }
    // Provision id -> young people (priority order) whose relaxed plan used more of it than
    // they hold, and by how much in all.
    let mut short: BTreeMap<&str, (f64, Vec<usize>)> = BTreeMap::new();
    for &k in ctx.order {
        for (p, share) in &wanted[k] {
            let holds = held.get(p.as_str()).is_some_and(|h| h.contains(&k));
            if !holds && *share > 0.05 {
                let entry = short.entry(p.as_str()).or_default();
                entry.0 += share;
                entry.1.push(k);
            }
        }
    }
    let mut contested: Vec<(&str, (f64, Vec<usize>))> = short.into_iter().collect();
    contested.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.0.cmp(b.0)));
    contested
        .into_iter()
        .filter_map(|(p, (_, wanting))| {
            let holders: Vec<usize> = held
                .get(p)
                .map(|h| h.iter().copied().collect())
                .unwrap_or_default();
            if holders.is_empty() {
                return None;
            }
            let mut group: Vec<usize> = wanting.into_iter().take(GROUP / 2).collect();
            let offset = round * (GROUP - group.len()) % holders.len();
            for &h in holders.iter().cycle().skip(offset).take(holders.len()) {
                if group.len() >= GROUP {
                    break;
                }
                if !group.contains(&h) {
                    group.push(h);
                }
            }
            group.sort_unstable();
            Some(group)
        })
        .collect()
}

/// The group's plans re-planned together with everyone else's places held, when that is worth
/// more than the plans they have; `None` otherwise.
fn replan_together(
    ctx: &Context<'_>,
    taken: &[Taken],
    group: &[usize],
    seconds: f64,
) -> Result<Option<Vec<Taken>>, PlanError> {
    let rest: Vec<Taken> = taken
        .iter()
        .filter(|t| !group.contains(&t.child))
        .cloned()
        .collect();
    let problems: Vec<ValidProblem> = group
        .iter()
        .map(|&k| alone_problem(&ctx.problems[k], ctx.provision, &rest, k, ctx.caseload))
        .collect();
    let children: Vec<Child<'_>> = problems
        .iter()
        .zip(group)
        .map(|(p, &k)| Child {
            person: &p.young_person,
            options: fewer_rolling_starts_keeping(
                options::build(&setting_for(p, ctx.planner)),
                taken,
                k,
            ),
            values: joint::caseload_values(
                &p.young_person,
                values_for(p, ctx.planner),
                &ctx.planner.weights,
            ),
        })
        .collect();
    // With the group's places given up, a court's control may open earlier than the start a
    // young person holds (it runs from its first open start): then the plans they have are no
    // start for the group, which is left as it is.
    let Ok(start) = group
        .iter()
        .zip(&children)
        .map(|(&k, c)| locate(&c.options, taken, k))
        .collect::<Result<Vec<Vec<usize>>, _>>()
    else {
        return Ok(None);
    };
    let worth = |chosen: &[Vec<usize>]| -> f64 {
        children
            .iter()
            .zip(chosen)
            .map(|(c, x)| model::objective_of(&c.options, x, &c.values))
            .sum()
    };
    let before = worth(&start);
    // Everyone in the group sees the same provision: the base with the rest's places held.
    let shared = &problems[0].provision;
    let solved = match joint::solve(
        &children,
        shared,
        &ctx.caseload.rivalries,
        &start,
        &Limits {
            mip_rel_gap: 1e-4,
            time_limit_seconds: seconds,
        },
    ) {
        Ok(solved) => solved,
        Err(e) => {
            tracing::debug!(error = %e, "group re-plan failed; plans kept");
            return Ok(None);
        }
    };
    if worth(&solved.chosen) <= before + 1e-6 * (1.0 + before.abs()) {
        return Ok(None);
    }
    let mut better: Vec<Taken> = Vec::new();
    for ((&k, c), chosen) in group.iter().zip(&children).zip(&solved.chosen) {
        better.extend(places(&c.options, chosen, k));
    }
    // Day by day, each new plan must still be open with the others' new places held.
    let mut after = rest;
    after.extend(better.iter().cloned());
    for &k in group {
        let alone = alone_problem(&ctx.problems[k], ctx.provision, &after, k, ctx.caseload);
        let opts = options::build(&setting_for(&alone, ctx.planner));
        match locate(&opts, &after, k) {
            Ok(chosen) if misfit(&opts, &chosen).is_none() => {}
            _ => return Ok(None),
        }
    }
    Ok(Some(better))
}
