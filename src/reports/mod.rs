//! The managers' reports (docs/reports.md), built from facts about the live caseload and the
//! local offer: pure aggregation, no HTTP, no SQL. Everything a report returns is a count, a
//! rate or a name of a need, an intervention or provision: never a child's name, reference or
//! date of birth. Counts of 1 to 4 are suppressed (`null`; "<5" in the CSV), and so is any
//! rate or mean over fewer than 5.

pub mod charts;
pub mod csv;
pub mod facts;
pub mod outcomes;
pub mod provision_gaps;
pub mod what_if;

/// Smallest count shown.
pub const SMALLEST_SHOWN: usize = 5;

/// A count as a report shows it: `None` when 1 to 4 (suppressed).
pub type Count = Option<usize>;

pub fn count(n: usize) -> Count {
    if n > 0 && n < SMALLEST_SHOWN {
        None
    } else {
        Some(n)
    }
}

/// The cells of a breakdown of a shown total (children by level, by risk, by reason). When
/// one cell is suppressed, the smallest other non-zero cell is suppressed too, so that no
/// hidden cell is the total minus the cells shown.
pub fn breakdown(cells: &[usize]) -> Vec<Count> {
    let mut out: Vec<Count> = cells.iter().map(|&n| count(n)).collect();
    if out.iter().filter(|c| c.is_none()).count() == 1 {
        let smallest = cells
            .iter()
            .enumerate()
            .filter(|(k, n)| out[*k].is_some() && **n > 0)
            .min_by_key(|(_, n)| **n)
            .map(|(k, _)| k);
        if let Some(k) = smallest {
            out[k] = None;
        }
    }
    out
}

/// A mean or rate over `n` cases to two decimals, `None` below the smallest shown.
pub fn over(n: usize, value: impl FnOnce() -> f64) -> Option<f64> {
    (n >= SMALLEST_SHOWN).then(|| (value() * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hidden_cell_hides_another() {
        assert_eq!(breakdown(&[3, 10, 0]), vec![None, None, Some(0)]);
        assert_eq!(breakdown(&[3, 2, 9]), vec![None, None, Some(9)]);
        assert_eq!(breakdown(&[5, 6, 0]), vec![Some(5), Some(6), Some(0)]);
        assert_eq!(
            breakdown(&[4, 0]),
            vec![None, Some(0)],
            "nothing else to hide"
        );
    }
}

/// "13", or "fewer than 5".
pub fn words(c: Count) -> String {
    c.map_or("fewer than 5".into(), |n| n.to_string())
}
