//! Every way an intervention could be delivered to this young person (a provision at a start
//! date), each either open or blocked by the first rule it breaks. The model is built from the
//! open ones; gaps are explained from the blocked ones.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use crate::domain::plan::GapReason;
use crate::domain::problem::Order;
use crate::domain::{Catalogue, Format, Intervention, Provision, RiskLevel, YoungPerson};

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

/// Why a candidate cannot be used, in the contract's order of gap reasons.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Ineligible(Ineligibility),
    Excluded { by: String },
    UnsafeArea(String),
    RivalInCohort(String),
    StartsBeforeAsOf,
    StartsBeforeOrder,
    EndsAfterOrder,
    Full { taken: usize, places: i64 },
    OverWeeklyHours { weekly: f64, cap: f64 },
    Prerequisite(String),
}

impl Block {
    /// The gap reason a need gets when every option stops at this block.
    pub fn stage(&self) -> GapReason {
        match self {
            Block::Ineligible(_) => GapReason::Ineligible,
            Block::Excluded { .. } => GapReason::Excluded,
            Block::UnsafeArea(_) | Block::RivalInCohort(_) => GapReason::Unsafe,
            Block::StartsBeforeAsOf
            | Block::StartsBeforeOrder
            | Block::EndsAfterOrder
            | Block::Full { .. } => GapReason::NoCapacity,
            Block::OverWeeklyHours { .. } | Block::Prerequisite(_) => GapReason::NotSelected,
        }
    }
}

/// One intervention delivered by one provision from one start date.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into `Options::interventions`.
    pub intervention: usize,
    /// Index into `Options::provision`.
    pub provision: usize,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub block: Option<Block>,
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
}

#[derive(Clone)]
pub struct Options<'a> {
    /// Interventions that address one of the young person's needs, and their prerequisites,
    /// sorted by id.
    pub interventions: Vec<&'a Intervention>,
    /// Provision of those interventions, sorted by id.
    pub provision: Vec<&'a Provision>,
    pub candidates: Vec<Candidate>,
    /// The first day anything can start: the later of `as_of` and the order start.
    pub window_start: NaiveDate,
    pub max_hours_per_week: f64,
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
}

pub fn end_of(start: NaiveDate, intervention: &Intervention) -> NaiveDate {
    start + Duration::days(7 * intervention.weeks() - 1)
}

/// Groups the young person must not share a group cohort with.
pub fn rival_groups(person: &YoungPerson, rivalries: &[(String, String)]) -> BTreeSet<String> {
    let own: BTreeSet<&str> = person
        .gang_affiliations
        .iter()
        .map(String::as_str)
        .collect();
    let mut rivals = BTreeSet::new();
    for (a, b) in rivalries {
        if own.contains(a.as_str()) {
            rivals.insert(b.clone());
        }
        if own.contains(b.as_str()) {
            rivals.insert(a.clone());
        }
    }
    rivals
}

/// Interventions addressing any of `needs`, with everything they require, transitively.
pub fn relevant_interventions<'a>(
    catalogue: &'a Catalogue,
    needs: &BTreeSet<&str>,
) -> Vec<&'a Intervention> {
    let mut wanted: BTreeSet<&str> = catalogue
        .interventions
        .iter()
        .filter(|i| i.addresses.iter().any(|n| needs.contains(n.as_str())))
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

/// Start dates to consider: each cohort, or each order week of a rolling provision from `as_of`
/// to the order's end.
fn start_dates(p: &Provision, as_of: NaiveDate, order: &Order) -> Vec<NaiveDate> {
    if !p.rolling {
        let mut starts = p.starts.clone();
        starts.sort();
        return starts;
    }
    let mut starts = Vec::new();
    let mut day = order.start;
    while day < as_of {
        day += Duration::days(7);
    }
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
    let interventions = relevant_interventions(setting.catalogue, &needs);
    let ids: BTreeMap<&str, usize> = interventions
        .iter()
        .enumerate()
        .map(|(k, i)| (i.id.as_str(), k))
        .collect();
    let mut provision: Vec<&Provision> = setting
        .provision
        .iter()
        .filter(|p| ids.contains_key(p.intervention.as_str()))
        .collect();
    provision.sort_by(|a, b| a.id.cmp(&b.id));

    let rivals = rival_groups(setting.person, setting.rivalries);
    let mut candidates = Vec::new();
    for (pk, p) in provision.iter().enumerate() {
        let ik = ids[p.intervention.as_str()];
        let iv = interventions[ik];
        for start in start_dates(p, setting.as_of, setting.order) {
            let end = end_of(start, iv);
            let block = first_block(setting, iv, p, start, end, &rivals);
            candidates.push(Candidate {
                intervention: ik,
                provision: pk,
                start,
                end,
                block,
            });
        }
    }
    let mut options = Options {
        interventions,
        provision,
        candidates,
        window_start: setting.as_of.max(setting.order.start),
        max_hours_per_week: setting.max_hours_per_week,
    };
    block_unreachable_prerequisites(&mut options);
    options
}

fn first_block(
    setting: &Setting<'_>,
    iv: &Intervention,
    p: &Provision,
    start: NaiveDate,
    end: NaiveDate,
    rivals: &BTreeSet<String>,
) -> Option<Block> {
    let person = setting.person;
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
        return Some(Block::Excluded { by: ex.by.clone() });
    }
    if person
        .unsafe_areas
        .iter()
        .any(|a| !p.area.is_empty() && *a == p.area)
    {
        return Some(Block::UnsafeArea(p.area.clone()));
    }
    let sharing = p.participants_during(start, end);
    if iv.format == Format::Group
        && let Some(group) = sharing
            .iter()
            .flat_map(|q| q.gang_affiliations.iter())
            .find(|g| rivals.contains(g.as_str()))
    {
        return Some(Block::RivalInCohort(group.clone()));
    }
    if start < setting.as_of {
        return Some(Block::StartsBeforeAsOf);
    }
    if start < setting.order.start {
        return Some(Block::StartsBeforeOrder);
    }
    if end > setting.order.end {
        return Some(Block::EndsAfterOrder);
    }
    let held = p.most_held_during(start, end);
    if held as i64 >= p.places {
        return Some(Block::Full {
            taken: held,
            places: p.places,
        });
    }
    if iv.weekly_hours() > setting.max_hours_per_week + 1e-9 {
        return Some(Block::OverWeeklyHours {
            weekly: iv.weekly_hours(),
            cap: setting.max_hours_per_week,
        });
    }
    None
}

/// A candidate whose prerequisite has no open candidate finishing before it starts can never be
/// planned. Repeats until nothing changes, since blocking one candidate can strand another.
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
                    .any(|o| o.intervention == j && o.block.is_none() && o.end < c.start)
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
