//! Whether a set of chosen candidates keeps every rule the model encodes, and if not, the first
//! it breaks. The list schedule builds plans with it; explanations use it to say truly why an
//! item does not start earlier.

use std::collections::BTreeMap;

use super::options::{Options, prepares};

/// The first rule a set of candidates breaks.
#[derive(Debug, Clone, PartialEq)]
pub enum Misfit {
    /// An intervention chosen twice.
    Twice(usize),
    /// Contact hours over the weekly limit in an order week.
    Hours { week: i64, hours: f64 },
    /// More items at once than the limit in an order week.
    Items { week: i64, items: i64 },
    /// A chosen candidate's prerequisite is not chosen to end shortly before it.
    Prerequisite { candidate: usize, requires: String },
    /// A chosen candidate starts before an assessment it waits for ends.
    Assessment { candidate: usize, assessment: usize },
}

pub fn misfit(options: &Options<'_>, chosen: &[usize]) -> Option<Misfit> {
    let cands = &options.candidates;
    let mut seen = BTreeMap::new();
    for &k in chosen {
        if seen.insert(cands[k].intervention, k).is_some() {
            return Some(Misfit::Twice(cands[k].intervention));
        }
    }
    let mut hours: BTreeMap<i64, f64> = BTreeMap::new();
    let mut items: BTreeMap<i64, i64> = BTreeMap::new();
    for &k in chosen {
        let c = &cands[k];
        for w in options.weeks_of(c) {
            *hours.entry(w).or_default() += options.interventions[c.intervention].weekly_hours();
            *items.entry(w).or_default() += 1;
        }
    }
    if let Some((&week, &h)) = hours
        .iter()
        .find(|(_, h)| **h > options.max_hours_per_week + 1e-9)
    {
        return Some(Misfit::Hours { week, hours: h });
    }
    if let Some((&week, &n)) = items
        .iter()
        .find(|(_, n)| **n > options.max_concurrent_items)
    {
        return Some(Misfit::Items { week, items: n });
    }
    for &k in chosen {
        let c = &cands[k];
        for req in &options.interventions[c.intervention].requires {
            let ready = options.intervention_index(req).is_some_and(|j| {
                seen.get(&j)
                    .is_some_and(|&kj| prepares(options, &cands[kj], c))
            });
            if !ready {
                return Some(Misfit::Prerequisite {
                    candidate: k,
                    requires: req.clone(),
                });
            }
        }
    }
    for (&a, waiting) in &options.waits_for_assessment {
        let Some(&ka) = seen.get(&a) else { continue };
        for &k in chosen {
            if waiting.contains(&cands[k].intervention) && cands[k].start <= cands[ka].end {
                return Some(Misfit::Assessment {
                    candidate: k,
                    assessment: ka,
                });
            }
        }
    }
    None
}
