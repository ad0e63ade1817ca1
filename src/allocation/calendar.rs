//! Where two places are the same place at the same time, as the joint model and its bound count
//! them: a cohort, or a span of days of a rolling provision in which nobody's place (a
//! candidate's or a document participant's) begins or ends. Within a span who holds a place
//! cannot change, so a row per span says exactly what the day-by-day rule says. Rows per calendar
//! week (before) were stricter: one young person leaving on a Tuesday and another starting on
//! the Wednesday shared a week, so the joint model refused allocations that keep every rule and
//! the bound built on it came out below them (BENCHMARKS.md, 2026-12-08).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::joint::Child;
use crate::domain::Provision;
use crate::planner::options::Candidate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Slot {
    Cohort(NaiveDate),
    /// The span of a rolling provision that begins on this day.
    Span(NaiveDate),
}

/// The days each rolling provision's spans begin on, by provision index in the caseload.
#[derive(Debug, Clone, Default)]
pub(super) struct Calendar {
    breaks: HashMap<usize, Vec<NaiveDate>>,
}

impl Calendar {
    /// The spans of every rolling provision the young people's open candidates could use.
    pub(super) fn new(
        children: &[Child<'_>],
        provision: &[Provision],
        index: &HashMap<&str, usize>,
    ) -> Calendar {
        let mut breaks: HashMap<usize, Vec<NaiveDate>> = HashMap::new();
        for child in children {
            for (_, c) in child.options.open() {
                let Some(offer) = child.options.provision_of(c).filter(|o| o.rolling) else {
                    continue;
                };
                let Some(&p) = index.get(offer.id.as_str()) else {
                    continue;
                };
                let days = breaks.entry(p).or_default();
                days.push(c.start);
                days.extend(c.end.succ_opt());
            }
        }
        for (p, days) in &mut breaks {
            for q in &provision[*p].participants {
                days.extend(q.start);
                days.extend(q.until.and_then(|u| u.succ_opt()));
            }
            days.sort_unstable();
            days.dedup();
        }
        Calendar { breaks }
    }

    /// The slots candidate `c` of provision `p` occupies. A start that is not a span's first
    /// day (a candidate the calendar was not made from) takes the whole span it falls in:
    /// counting more can only under-fill.
    pub(super) fn slots(&self, p: usize, offer: &Provision, c: &Candidate) -> Vec<Slot> {
        if !offer.rolling {
            return vec![Slot::Cohort(c.start)];
        }
        let Some(days) = self.breaks.get(&p) else {
            return Vec::new();
        };
        let first = days.partition_point(|d| *d <= c.start).saturating_sub(1);
        days[first..]
            .iter()
            .take_while(|d| **d <= c.end)
            .map(|d| Slot::Span(*d))
            .collect()
    }

    /// Places of a slot not already held by the document's participants.
    pub(super) fn free_places(&self, p: usize, offer: &Provision, slot: Slot) -> i64 {
        let (from, to) = self.days(p, slot);
        (offer.places - offer.most_held_during(from, to) as i64).max(0)
    }

    /// The first and last day of a slot (a cohort's: its start). A span ends the day before the
    /// next begins; the last never ends.
    fn days(&self, p: usize, slot: Slot) -> (NaiveDate, NaiveDate) {
        match slot {
            Slot::Cohort(start) => (start, start),
            Slot::Span(from) => {
                let to = self
                    .breaks
                    .get(&p)
                    .and_then(|days| days.get(days.partition_point(|d| *d <= from)))
                    .and_then(|next| next.pred_opt())
                    .unwrap_or(NaiveDate::MAX);
                (from, to)
            }
        }
    }

    /// The slot of `coarse` (a calendar made from fewer candidates: the joint model's thinned
    /// starts) that this calendar's `slot` lies within, and the share of its days `slot` has:
    /// the bound prices a finer span at that share of the coarse span's price, so that a start
    /// using all of the coarse span pays its price once. `None` when it lies within none.
    pub(super) fn within(&self, coarse: &Calendar, p: usize, slot: Slot) -> Option<(Slot, f64)> {
        let Slot::Span(from) = slot else {
            return Some((slot, 1.0));
        };
        let days = coarse.breaks.get(&p)?;
        let outer = Slot::Span(days[days.partition_point(|d| *d <= from).checked_sub(1)?]);
        let ((_, to), (outer_from, outer_to)) = (self.days(p, slot), coarse.days(p, outer));
        if to > outer_to {
            return None;
        }
        let length = |a: NaiveDate, b: NaiveDate| ((b - a).num_days() + 1) as f64;
        Some((outer, length(from, to) / length(outer_from, outer_to)))
    }
}
