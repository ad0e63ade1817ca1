//! The provision-gap picture as CSV, one row per need, for a spreadsheet. Every cell that a
//! spreadsheet could read as a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage
//! return) is prefixed with `'`; every cell is quoted when it holds a comma, a quote or a line
//! break. Suppressed counts are "<5".

use super::Count;
use super::provision_gaps::ProvisionGapReport;

/// One cell, safe for a spreadsheet.
pub fn cell(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

fn n(c: Count) -> String {
    c.map_or("<5".into(), |v| v.to_string())
}

const REASONS: &[&str] = &[
    "no_intervention",
    "no_provision",
    "not_permitted",
    "ineligible",
    "excluded",
    "unsafe",
    "no_capacity",
    "not_selected",
    "no_plan",
];

pub fn provision_gaps(report: &ProvisionGapReport) -> String {
    let mut header: Vec<String> = [
        "need",
        "name",
        "offending_related",
        "children",
        "low",
        "medium",
        "high",
        "weighted_demand",
        "provided_by",
        "free_places_next_12_weeks",
        "shortest_wait_days",
        "unmet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(REASONS.iter().map(|r| format!("unmet_{r}")));
    header.extend(
        ["identified", "planned", "started", "completed"]
            .iter()
            .map(|s| s.to_string()),
    );
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in &report.needs {
        let mut cells = vec![
            row.need.clone(),
            row.name.clone(),
            row.offending_related.to_string(),
            n(row.children),
            n(row.by_level.low),
            n(row.by_level.medium),
            n(row.by_level.high),
            n(row.weighted_demand),
            row.provision
                .iter()
                .map(|p| format!("{} ({})", p.name, p.provision))
                .collect::<Vec<_>>()
                .join("; "),
            row.free_places_next_12_weeks.to_string(),
            row.shortest_wait_days
                .map_or(String::new(), |d| d.to_string()),
            n(row.unmet),
        ];
        for reason in REASONS {
            cells.push(
                row.unmet_by_reason
                    .iter()
                    .find(|r| r.reason == *reason)
                    .map_or("0".into(), |r| n(r.children)),
            );
        }
        let f = &row.funnel;
        cells.extend([f.identified, f.planned, f.started, f.completed].map(n));
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_and_commas_quoted() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Knife crime, group"), "\"Knife crime, group\"");
        assert_eq!(cell("13"), "13");
    }
}
