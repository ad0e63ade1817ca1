//! The fairness polish: one young person's plan re-planned alone, with everyone else's places
//! held; kept only when better than the plan they have.

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
