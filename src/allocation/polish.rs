//! The fairness polish: one young person's plan re-planned alone, with everyone else's places
//! held, from the plan they have.

use crate::planner::model::{self, Values};
use crate::planner::options::Options;

/// Time one young person's polish may take: it starts from a feasible plan, so a cut-off search
/// only keeps what they have.
const POLISH_SECONDS: f64 = 2.0;

/// A better plan for this young person with the places left free, if there is one.
pub fn improve(
    options: &Options<'_>,
    values: &Values,
    current: &[usize],
    seconds_left: f64,
) -> Option<Vec<usize>> {
    if options.open().next().is_none() || seconds_left <= 0.0 {
        return None;
    }
    let solved = model::prove(options, values, current, POLISH_SECONDS.min(seconds_left)).ok()?;
    let before = model::objective_of(options, current, values);
    let after = model::objective_of(options, &solved.chosen, values);
    (after > before + 1e-6 * (1.0 + before.abs())).then_some(solved.chosen)
}
