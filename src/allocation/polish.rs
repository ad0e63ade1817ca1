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

/// Which young people the polish must look at again. A young person's plan, re-planned alone,
/// can only get better when places were given up on a provision open to them since they were
/// last re-planned: places taken by others only take options away (the plan they have stays
/// open, and it was the best), and their document is otherwise the same and the search
/// deterministic. A place given up also ends any rival-group block it caused, so it counts too.
pub struct Freshness {
    /// The young people's provision, by id (each sorted).
    uses: Vec<Vec<String>>,
    /// When each young person was last re-planned (0: never, or to be looked at again).
    checked: Vec<u64>,
    /// When places on each provision were last given up.
    freed: HashMap<String, u64>,
    now: u64,
}

impl Freshness {
    /// Everyone to be looked at.
    pub fn new(uses: Vec<Vec<String>>) -> Freshness {
        let checked = vec![0; uses.len()];
        Freshness {
            uses,
            checked,
            freed: HashMap::new(),
            now: 1,
        }
    }

    /// Whether young person `k` may have a better plan than when last re-planned.
    pub fn stale(&self, k: usize) -> bool {
        self.checked[k] == 0
            || self.uses[k]
                .iter()
                .any(|p| self.freed.get(p).is_some_and(|&t| t >= self.checked[k]))
    }

    /// Young person `k`'s plan is the best they can have alone, as the places now stand.
    pub fn checked(&mut self, k: usize) {
        self.now += 1;
        self.checked[k] = self.now;
    }

    /// Young person `k` to be looked at again (their plan was changed other than by the polish).
    pub fn forget(&mut self, k: usize) {
        self.checked[k] = 0;
    }

    /// The places in `before` and not in `after` were given up.
    pub fn given_up(&mut self, before: &[Taken], after: &[Taken]) {
        self.now += 1;
        for t in before.iter().filter(|t| !after.contains(t)) {
            self.freed.insert(t.provision.clone(), self.now);
        }
    }

    /// Everyone to be looked at again (the whole allocation was replaced).
    pub fn reset(&mut self) {
        self.checked.iter_mut().for_each(|c| *c = 0);
    }
}
