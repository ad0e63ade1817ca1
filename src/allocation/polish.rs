//! The fairness polish: one young person's plan re-planned alone, with everyone else's places
//! held; kept only when better than the plan they have.

use std::collections::HashMap;

use super::Taken;
use crate::planner::model::{self, Values};
use crate::planner::options::Options;

/// A better plan for this young person with the places left free, if there is one: the proof
/// of `plan`, started from the plan they have (which prunes most of the search), within
/// `seconds_left` and no fixed cap, so a slow build reaches the same answer as a fast one; a
/// search cut off by time only keeps what they have.
pub fn improve(
    options: &Options<'_>,
    values: &Values,
    current: &[usize],
    seconds_left: f64,
) -> Option<Vec<usize>> {
    if options.open().next().is_none() || seconds_left <= 0.0 {
        return None;
    }
    let solved = model::prove(options, values, current, seconds_left).ok()?;
    let before = model::objective_of(options, current, values);
    let after = model::objective_of(options, &solved.chosen, values);
    (after > before + 1e-6 * (1.0 + before.abs())).then_some(solved.chosen)
}

/// Which young people the polish must look at again: a plan re-planned alone can only change
/// when someone else's places on a provision it could use have changed since it was last
/// re-planned (its document is otherwise the same, and the search deterministic).
pub struct Freshness {
    /// The young people's provision, by id (each sorted).
    uses: Vec<Vec<String>>,
    /// When each young person was last re-planned (0: never).
    checked: Vec<u64>,
    /// When the places on each provision last changed.
    changed: HashMap<String, u64>,
    now: u64,
}

impl Freshness {
    /// Everyone to be looked at.
    pub fn new(uses: Vec<Vec<String>>) -> Freshness {
        let checked = vec![0; uses.len()];
        Freshness {
            uses,
            checked,
            changed: HashMap::new(),
            now: 1,
        }
    }

    /// Whether young person `k` may have a better plan than when last re-planned.
    pub fn stale(&self, k: usize) -> bool {
        self.checked[k] == 0
            || self.uses[k]
                .iter()
                .any(|p| self.changed.get(p).is_some_and(|&t| t >= self.checked[k]))
    }

    pub fn checked(&mut self, k: usize) {
        self.now += 1;
        self.checked[k] = self.now;
    }

    /// These places were given up or taken.
    pub fn touch<'t>(&mut self, places: impl IntoIterator<Item = &'t Taken>) {
        self.now += 1;
        for t in places {
            self.changed.insert(t.provision.clone(), self.now);
        }
    }

    /// Everyone to be looked at again (the whole allocation was replaced).
    pub fn reset(&mut self) {
        self.checked.iter_mut().for_each(|c| *c = 0);
    }
}
