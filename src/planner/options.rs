//! Every way an intervention could be delivered to this young person (a provision, or the case
//! manager, at a start date), each either open or blocked by the first rule it breaks. The model
//! is built from the open ones; gaps are explained from the blocked ones.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use crate::domain::levels::Requirement;
use crate::domain::plan::GapReason;
use crate::domain::problem::KeptItem;
use crate::domain::problem::Order;
use crate::domain::{
    Catalogue, Format, Intervention, OrderType, Provision, RiskLevel, YoungPerson,
};

/// Work that continues after the order still starts at least this many days before its end.
pub const CONTINUING_LEAD_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq)]
pub enum Ineligibility {
    Age {
        age: i64,
        min: Option<i64>,
        max: Option<i64>,
    },
    Risk {
        assessed: RiskLevel,
        cap: RiskLevel,
    },
    Gender,
}

/// Why a candidate cannot be used, in the order of the gap reasons.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The order does not permit it (`delivered_under`).
    NotPermitted,
    Ineligible(Ineligibility),
    Excluded {
        by: String,
        reason: String,
    },
    UnsafeArea(String),
    /// Members of these rival groups hold places in the same group cohort.
    RivalInCohort(Vec<String>),
    StartsBeforeAsOf,
    StartsBeforeOrder,
    /// Before the licence part of a detention and training order: the child is in custody.
    InCustody {
        licence_start: NaiveDate,
    },
    /// Inside the provision's referral wait.
    InReferralWait {
        wait_days: i64,
        earliest: NaiveDate,
    },
    EndsAfterOrder,
    /// Work that continues after the order, starting less than 14 days before its end.
    TooCloseToOrderEnd,
    Full {
        taken: usize,
        places: i64,
    },
    OverWeeklyHours {
        weekly: f64,
        cap: f64,
    },
    Prerequisite(String),
    /// A control the court imposed (a curfew): it meets no need and serves the order, so it runs
    /// from its source's first open start, not later when convenient.
    ControlStartsLater {
        first: NaiveDate,
    },
    /// Another start of an intervention kept as it was planned (`keep`).
    KeptAt {
        start: NaiveDate,
    },
    /// Left out of one search only (reduced-cost fixing, places others hold); never explained.
    Pruned,
}

impl Block {
    /// The gap reason a need gets when every option stops at this block.
    pub fn stage(&self) -> GapReason {
        match self {
            Block::NotPermitted => GapReason::NotPermitted,
            Block::Ineligible(_) => GapReason::Ineligible,
            Block::Excluded { .. } => GapReason::Excluded,
            Block::UnsafeArea(_) | Block::RivalInCohort(_) => GapReason::Unsafe,
            Block::StartsBeforeAsOf
            | Block::StartsBeforeOrder
            | Block::InCustody { .. }
            | Block::InReferralWait { .. }
            | Block::EndsAfterOrder
            | Block::TooCloseToOrderEnd
            | Block::Full { .. } => GapReason::NoCapacity,
            Block::OverWeeklyHours { .. }
            | Block::Prerequisite(_)
            | Block::ControlStartsLater { .. }
            | Block::KeptAt { .. }
            | Block::Pruned => GapReason::NotSelected,
        }
    }
}

/// One intervention delivered by one provision (or the case manager) from one start date.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into `Options::interventions`.
    pub intervention: usize,
    /// Index into `Options::provision`; `None` when the case manager delivers it.
    pub provision: Option<usize>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub block: Option<Block>,
    /// Kept from an earlier version of the plan (started, or pinned): the planner keeps it
    /// unless it cannot be planned beside other kept work.
    pub kept: bool,
    /// What choosing it costs for the shared places it uses, when a caseload's bound prices
    /// them (objective units); 0 in every plan.
    pub price: f64,
}

/// The people and places a young person's candidates are judged against.
pub struct Setting<'a> {
    pub as_of: NaiveDate,
    pub person: &'a YoungPerson,
    pub order: &'a Order,
    pub rivalries: &'a [(String, String)],
    pub catalogue: &'a Catalogue,
    pub provision: &'a [Provision],
    pub max_hours_per_week: f64,
    pub max_concurrent_items: i64,
    pub prerequisite_max_gap_weeks: i64,
    /// Items kept as they are (the document's `keep`).
    pub keep: &'a [KeptItem],
}

/// What the order asks to be delivered: a referral order's reparation, or a youth
/// rehabilitation order's requirement other than supervision.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Reparation,
    Requirement(Requirement),
}

impl Expected {
    pub fn label(&self) -> String {
        match self {
            Expected::Reparation => "reparation (expected in a referral order contract)".into(),
            Expected::Requirement(r) => format!("the {} requirement", r.label()),
        }
    }

    /// Whether a planned `iv` puts this in the plan, as `requirement_unplanned` reads it
    /// (docs/planning.md): an item of category reparation, an item that may be delivered under
    /// the requirement.
    pub fn in_plan_through(&self, iv: &Intervention) -> bool {
        match self {
            Expected::Reparation => iv.category == "reparation",
            Expected::Requirement(r) => iv
                .delivered_under
                .as_ref()
                .is_some_and(|u| u.contains(&crate::domain::levels::DeliveredUnder::Yro(*r))),
        }
    }

    /// Whether planning `iv` delivers this, for the objective, given every intervention it
    /// could be planned beside (`all`): a purely preparatory one (no needs addressed, another's
    /// prerequisite) is planned only for what it prepares (docs/planning.md), so it never earns
    /// the order's work alone: a one-hour reparation preparation is not the referral order's
    /// reparation. Planned as a prerequisite, it still puts it in the plan (`in_plan_through`).
    pub fn served_by<'i>(
        &self,
        iv: &Intervention,
        mut all: impl Iterator<Item = &'i Intervention>,
    ) -> bool {
        let preparatory = iv.addresses.is_empty() && all.any(|o| o.requires.contains(&iv.id));
        !preparatory && self.in_plan_through(iv)
    }
}

/// What the order expects to see delivered, for the objective and the `requirement_unplanned`
/// flag.
pub fn expected_work(order: &Order) -> Vec<Expected> {
    match order.order_type {
        OrderType::ReferralOrder => vec![Expected::Reparation],
        OrderType::YouthRehabilitationOrder => order
            .requirements
            .iter()
            .flatten()
            .filter(|r| **r != Requirement::Supervision)
            .map(|r| Expected::Requirement(*r))
            .collect(),
        _ => Vec::new(),
    }
}

#[derive(Clone)]
pub struct Options<'a> {
    /// Interventions that address one of the young person's needs or serve what the order
    /// expects, and their prerequisites, sorted by id.
    pub interventions: Vec<&'a Intervention>,
    /// Provision of those interventions, sorted by id.
    pub provision: Vec<&'a Provision>,
    pub candidates: Vec<Candidate>,
    /// The first day anything can start: the latest of `as_of`, the order start and (detention
    /// and training orders) the licence start.
    pub window_start: NaiveDate,
    pub order_start: NaiveDate,
    pub order_end: NaiveDate,
    pub max_hours_per_week: f64,
    pub max_concurrent_items: i64,
    /// Latest a prerequisite may end, in days before its dependant starts.
    pub prerequisite_max_gap_days: i64,
    /// What the order expects, with the interventions that serve each.
    pub expected: Vec<(Expected, Vec<usize>)>,
    /// Controls the court imposed (a curfew): each source keeps only its first open start.
    pub controls: BTreeSet<usize>,
    /// For each assessment, the interventions that must start after it ends when both are
    /// planned: work on a need it shares with the young person, and, when it assesses an
    /// assess-first need at medium or above, everything else (its own prerequisites aside).
    pub waits_for_assessment: BTreeMap<usize, BTreeSet<usize>>,
}

impl<'a> Options<'a> {
    pub fn intervention_index(&self, id: &str) -> Option<usize> {
        self.interventions.iter().position(|i| i.id == id)
    }

    pub fn candidates_of(&self, intervention: usize) -> impl Iterator<Item = (usize, &Candidate)> {
        self.candidates
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.intervention == intervention)
    }

    pub fn open(&self) -> impl Iterator<Item = (usize, &Candidate)> {
        self.candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.block.is_none())
    }

    pub fn provision_of(&self, c: &Candidate) -> Option<&'a Provision> {
        c.provision.map(|p| self.provision[p])
    }

    /// The id a plan item shows for where it comes from: the provision, or `case_manager`.
    pub fn source_id(&self, c: &Candidate) -> &str {
        self.provision_of(c).map_or(CASE_MANAGER, |p| p.id.as_str())
    }

    /// Whether a candidate of this source runs every week (rolling provision, the case manager).
    pub fn is_rolling(&self, c: &Candidate) -> bool {
        self.provision_of(c).is_none_or(|p| p.rolling)
    }

    /// Order weeks (from the order start) that a candidate counts in for the hours and
    /// concurrency limits: its own weeks, up to the order's last week.
    pub fn weeks_of(&self, c: &Candidate) -> std::ops::RangeInclusive<i64> {
        let week = |d: NaiveDate| (d - self.order_start).num_days().div_euclid(7);
        week(c.start)..=week(c.end.min(self.order_end))
    }
}

/// What a plan item names as its source when the case manager delivers it.
pub const CASE_MANAGER: &str = crate::domain::problem::CASE_MANAGER;

pub fn end_of(start: NaiveDate, intervention: &Intervention) -> NaiveDate {
    start + Duration::days(7 * intervention.weeks() - 1)
}

/// Interventions addressing any of `needs` or serving what the order expects, with everything
/// they require, transitively.
fn relevant_interventions<'a>(
    catalogue: &'a Catalogue,
    needs: &BTreeSet<&str>,
    kept: &BTreeSet<&str>,
    expected: &[Expected],
) -> Vec<&'a Intervention> {
    let mut wanted: BTreeSet<&str> = catalogue
        .interventions
        .iter()
        .filter(|i| {
            i.addresses.iter().any(|n| needs.contains(n.as_str()))
                || expected
                    .iter()
                    .any(|e| e.served_by(i, catalogue.interventions.iter()))
                || kept.contains(i.id.as_str())
        })
        .map(|i| i.id.as_str())
        .collect();
    let mut frontier: Vec<&str> = wanted.iter().copied().collect();
    while let Some(id) = frontier.pop() {
        if let Some(iv) = catalogue.intervention(id) {
            for req in &iv.requires {
                if wanted.insert(req.as_str()) {
                    frontier.push(req.as_str());
                }
            }
        }
    }
    let mut list: Vec<&Intervention> = wanted
        .into_iter()
        .filter_map(|id| catalogue.intervention(id))
        .collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list
}

/// Every order week's first day from the first one on or after `from` to the order's end.
fn weekly_starts(order: &Order, from: NaiveDate) -> Vec<NaiveDate> {
    let behind = (from - order.start).num_days().max(0);
    let mut day = order.start + Duration::days((behind + 6) / 7 * 7);
    let mut starts = Vec::new();
    while day <= order.end {
        starts.push(day);
        day += Duration::days(7);
    }
    if starts.is_empty() {
        // The order has no week left: keep one notional start so the gap can say so.
        starts.push(day);
    }
    starts
}

pub fn build<'a>(setting: &Setting<'a>) -> Options<'a> {
    let needs: BTreeSet<&str> = setting
        .person
        .needs
        .iter()
        .map(|n| n.need.as_str())
        .collect();
    let expected = expected_work(setting.order);
    let kept: BTreeSet<&str> = setting
        .keep
        .iter()
        .map(|k| k.intervention.as_str())
        .collect();
    let interventions = relevant_interventions(setting.catalogue, &needs, &kept, &expected);
    let ids: BTreeMap<&str, usize> = interventions
        .iter()
        .enumerate()
        .map(|(k, i)| (i.id.as_str(), k))
        .collect();
    let mut provision: Vec<&Provision> = setting
        .provision
        .iter()
        .filter(|p| {
            ids.get(p.intervention.as_str())
                .is_some_and(|&k| !interventions[k].by_case_manager())
        })
        .collect();
    provision.sort_by(|a, b| a.id.cmp(&b.id));
    let window_start = setting
        .as_of
        .max(setting.order.start)
        .max(setting.order.community_start());

    let rivals =
        crate::domain::problem::rivals_of(&setting.person.gang_affiliations, setting.rivalries);
    let judge = Judge {
        setting,
        rivals: &rivals,
    };
    let mut candidates = Vec::new();
    for (ik, iv) in interventions.iter().enumerate() {
        if !iv.by_case_manager() {
            continue;
        }
        for start in weekly_starts(setting.order, window_start) {
            let end = end_of(start, iv);
            candidates.push(Candidate {
                intervention: ik,
                provision: None,
                start,
                end,
                block: judge.first_block(iv, None, start, end),
                kept: false,
                price: 0.0,
            });
        }
    }
    for (pk, p) in provision.iter().enumerate() {
        let ik = ids[p.intervention.as_str()];
        let iv = interventions[ik];
        let starts = if p.rolling {
            weekly_starts(setting.order, window_start)
        } else {
            let mut starts = p.starts.clone();
            starts.sort();
            starts
        };
        for start in starts {
            let end = end_of(start, iv);
            candidates.push(Candidate {
                intervention: ik,
                provision: Some(pk),
                start,
                end,
                block: judge.first_block(iv, Some(p), start, end),
                kept: false,
                price: 0.0,
            });
        }
    }
    let expected: Vec<(Expected, Vec<usize>)> = expected
        .into_iter()
        .map(|e| {
            let serving = (0..interventions.len())
                .filter(|&i| e.served_by(interventions[i], interventions.iter().copied()))
                .collect();
            (e, serving)
        })
        .collect();
    let controls = controls(&interventions, &expected);
    let waits_for_assessment = assessment_order(setting, &interventions);
    let mut options = Options {
        waits_for_assessment,
        interventions,
        provision,
        candidates,
        window_start,
        order_start: setting.order.start,
        order_end: setting.order.end,
        max_hours_per_week: setting.max_hours_per_week,
        max_concurrent_items: setting.max_concurrent_items,
        prerequisite_max_gap_days: 7 * setting.prerequisite_max_gap_weeks + 1,
        expected,
        controls: controls.clone(),
    };
    block_unreachable_prerequisites(&mut options);
    hold_controls_to_first_start(&mut options, &controls);
    keep_as_planned(&mut options, setting.keep);
    options
}

/// Each kept item is the one open candidate of its intervention: as it was planned, even when
/// it started before `as_of` or its source is now full (the place it holds is its own).
fn keep_as_planned(options: &mut Options<'_>, keep: &[KeptItem]) {
    for item in keep {
        let Some(ik) = options.intervention_index(&item.intervention) else {
            continue;
        };
        let pk = options
            .provision
            .iter()
            .position(|p| p.id == item.provision);
        let found = options
            .candidates
            .iter()
            .position(|c| c.intervention == ik && c.provision == pk && c.start == item.start);
        let k = found.unwrap_or_else(|| {
            options.candidates.push(Candidate {
                intervention: ik,
                provision: pk,
                start: item.start,
                end: end_of(item.start, options.interventions[ik]),
                block: None,
                kept: true,
                price: 0.0,
            });
            options.candidates.len() - 1
        });
        for (j, c) in options.candidates.iter_mut().enumerate() {
            if j == k {
                c.block = None;
                c.kept = true;
            } else if c.intervention == ik {
                c.block = Some(Block::KeptAt { start: item.start });
            }
        }
    }
}

/// Interventions delivered only under requirements that are controls the court imposed (a
/// curfew with electronic monitoring) and that serve this order: they start with the order.
fn controls(
    interventions: &[&Intervention],
    expected: &[(Expected, Vec<usize>)],
) -> BTreeSet<usize> {
    use crate::domain::levels::DeliveredUnder;
    expected
        .iter()
        .flat_map(|(_, serving)| serving.iter().copied())
        .filter(|&i| {
            interventions[i]
                .delivered_under
                .as_ref()
                .is_some_and(|under| {
                    !under.is_empty()
                        && under
                            .iter()
                            .all(|u| matches!(u, DeliveredUnder::Yro(r) if r.is_control()))
                })
        })
        .collect()
}

/// Each source of a control keeps only its first open start, and (when an assessment it must
/// wait for, contract §5.2, could be planned) its first open start after that assessment could
/// end: work on needs may wait for a control, but a control waits for nothing else.
fn hold_controls_to_first_start(options: &mut Options<'_>, controls: &BTreeSet<usize>) {
    let earliest_end = |a: usize| {
        options
            .candidates
            .iter()
            .filter(|c| c.intervention == a && c.block.is_none())
            .map(|c| c.end)
            .min()
    };
    let mut kept: BTreeSet<usize> = BTreeSet::new();
    for &control in controls {
        let mut after: Vec<Option<NaiveDate>> = vec![None];
        after.extend(
            options
                .waits_for_assessment
                .iter()
                .filter(|(_, waiting)| waiting.contains(&control))
                .filter_map(|(&a, _)| earliest_end(a))
                .map(Some),
        );
        let mut first: BTreeMap<(Option<usize>, Option<NaiveDate>), (NaiveDate, usize)> =
            BTreeMap::new();
        for (k, c) in options.candidates.iter().enumerate() {
            if c.intervention != control || c.block.is_some() {
                continue;
            }
            for &t in &after {
                if t.is_none_or(|t| c.start > t) {
                    let at = first.entry((c.provision, t)).or_insert((c.start, k));
                    if c.start < at.0 {
                        *at = (c.start, k);
                    }
                }
            }
        }
        kept.extend(first.values().map(|&(_, k)| k));
    }
    let firsts: BTreeMap<(usize, Option<usize>), NaiveDate> = kept
        .iter()
        .map(|&k| &options.candidates[k])
        .fold(BTreeMap::new(), |mut m, c| {
            let at = m.entry((c.intervention, c.provision)).or_insert(c.start);
            *at = (*at).min(c.start);
            m
        });
    for (k, c) in options.candidates.iter_mut().enumerate() {
        if controls.contains(&c.intervention) && c.block.is_none() && !kept.contains(&k) {
            c.block = Some(Block::ControlStartsLater {
                first: firsts[&(c.intervention, c.provision)],
            });
        }
    }
}

/// Interventions that wait for each assessment (see `Options::waits_for_assessment`).
fn assessment_order(
    setting: &Setting<'_>,
    interventions: &[&Intervention],
) -> BTreeMap<usize, BTreeSet<usize>> {
    use crate::domain::Level;
    let mine = |iv: &Intervention| -> BTreeSet<&str> {
        setting
            .person
            .needs
            .iter()
            .filter(|n| iv.addresses.contains(&n.need))
            .map(|n| n.need.as_str())
            .collect()
    };
    let ids: BTreeMap<&str, usize> = interventions
        .iter()
        .enumerate()
        .map(|(k, i)| (i.id.as_str(), k))
        .collect();
    let mut out = BTreeMap::new();
    for (a, assessment) in interventions.iter().enumerate() {
        if !assessment.is_assessment() {
            continue;
        }
        let shared = mine(assessment);
        let first = setting.person.needs.iter().any(|n| {
            n.level >= Level::Medium
                && shared.contains(n.need.as_str())
                && setting
                    .catalogue
                    .need(&n.need)
                    .is_some_and(|d| d.assess_first)
        });
        // Its own prerequisites, transitively, come before it anyway.
        let mut own = BTreeSet::new();
        let mut stack: Vec<&str> = assessment.requires.iter().map(String::as_str).collect();
        while let Some(id) = stack.pop() {
            if let Some(&j) = ids.get(id)
                && own.insert(j)
            {
                stack.extend(interventions[j].requires.iter().map(String::as_str));
            }
        }
        let waiting: BTreeSet<usize> = (0..interventions.len())
            .filter(|&x| x != a && !own.contains(&x))
            .filter(|&x| {
                first
                    || (!interventions[x].is_assessment()
                        && !mine(interventions[x]).is_disjoint(&shared))
            })
            .collect();
        if !waiting.is_empty() {
            out.insert(a, waiting);
        }
    }
    out
}

struct Judge<'s, 'a> {
    setting: &'s Setting<'a>,
    rivals: &'s BTreeSet<String>,
}

impl Judge<'_, '_> {
    /// The first rule an option breaks, in the order of the gap reasons.
    fn first_block(
        &self,
        iv: &Intervention,
        p: Option<&Provision>,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Option<Block> {
        let setting = self.setting;
        let person = setting.person;
        let order = setting.order;
        if !iv.permitted_under(order) {
            return Some(Block::NotPermitted);
        }
        let age = person.age_on(start);
        if iv.min_age.is_some_and(|min| age < min) || iv.max_age.is_some_and(|max| age > max) {
            return Some(Block::Ineligible(Ineligibility::Age {
                age,
                min: iv.min_age,
                max: iv.max_age,
            }));
        }
        if let Some(cap) = iv.max_risk_of_serious_harm
            && person.risk_of_serious_harm > cap
        {
            return Some(Block::Ineligible(Ineligibility::Risk {
                assessed: person.risk_of_serious_harm,
                cap,
            }));
        }
        if let Some(genders) = &iv.genders
            && !person.gender.as_ref().is_some_and(|g| genders.contains(g))
        {
            return Some(Block::Ineligible(Ineligibility::Gender));
        }
        if let Some(ex) = person.exclusions.iter().find(|e| e.intervention == iv.id) {
            return Some(Block::Excluded {
                by: ex.by.clone(),
                reason: ex.reason.clone(),
            });
        }
        if let Some(p) = p {
            if !p.outreach && !p.area.is_empty() && person.unsafe_areas.iter().any(|a| *a == p.area)
            {
                return Some(Block::UnsafeArea(p.area.clone()));
            }
            if iv.format == Format::Group {
                let groups: BTreeSet<String> = p
                    .participants_during(start, end)
                    .iter()
                    .flat_map(|q| q.gang_affiliations.iter())
                    .filter(|g| self.rivals.contains(g.as_str()))
                    .cloned()
                    .collect();
                if !groups.is_empty() {
                    return Some(Block::RivalInCohort(groups.into_iter().collect()));
                }
            }
        }
        if start < setting.as_of {
            return Some(Block::StartsBeforeAsOf);
        }
        if start < order.start {
            return Some(Block::StartsBeforeOrder);
        }
        let licence_start = order.community_start();
        if start < licence_start {
            return Some(Block::InCustody { licence_start });
        }
        if let Some(p) = p
            && p.wait_days > 0
        {
            let earliest = setting.as_of + Duration::days(p.wait_days);
            if start < earliest {
                return Some(Block::InReferralWait {
                    wait_days: p.wait_days,
                    earliest,
                });
            }
        }
        if end > order.end {
            if !iv.continues_after_order {
                return Some(Block::EndsAfterOrder);
            }
            if (order.end - start).num_days() < CONTINUING_LEAD_DAYS {
                return Some(Block::TooCloseToOrderEnd);
            }
        }
        if let Some(p) = p {
            let held = p.most_held_during(start, end);
            if held as i64 >= p.places {
                return Some(Block::Full {
                    taken: held,
                    places: p.places,
                });
            }
        }
        if iv.weekly_hours() > setting.max_hours_per_week + 1e-9 {
            return Some(Block::OverWeeklyHours {
                weekly: iv.weekly_hours(),
                cap: setting.max_hours_per_week,
            });
        }
        None
    }
}

/// Whether candidate `pre` can serve as the prerequisite of `c`: it ends before `c` starts and
/// at most the allowed gap before.
pub fn prepares(options: &Options<'_>, pre: &Candidate, c: &Candidate) -> bool {
    pre.end < c.start && (c.start - pre.end).num_days() <= options.prerequisite_max_gap_days
}

/// A candidate whose prerequisite has no open candidate finishing shortly before it starts can
/// never be planned. Repeats until nothing changes, since blocking one candidate can strand
/// another.
fn block_unreachable_prerequisites(options: &mut Options<'_>) {
    loop {
        let mut changed = false;
        for k in 0..options.candidates.len() {
            if options.candidates[k].block.is_some() {
                continue;
            }
            let c = &options.candidates[k];
            let iv = options.interventions[c.intervention];
            let missing = iv.requires.iter().find(|req| {
                let Some(j) = options.intervention_index(req) else {
                    return true;
                };
                !options
                    .candidates
                    .iter()
                    .any(|o| o.intervention == j && o.block.is_none() && prepares(options, o, c))
            });
            if let Some(req) = missing {
                options.candidates[k].block = Some(Block::Prerequisite(req.clone()));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}
