//! The report's charts as SVG (plotters' SVG backend, no font files: the viewer lays out the
//! text), each with a `<title>` and a `<desc>` holding the same numbers in words, so a screen
//! reader or a printout without the picture loses nothing. Suppressed counts are not drawn;
//! the text says "fewer than 5".

use plotters::coord::Shift;
use plotters::prelude::*;

use super::provision_gaps::ProvisionGapReport;
use super::words;

/// The charts a report has, by the name in its address.
pub const CHARTS: &[&str] = &["unmet-demand", "funnel"];

/// One chart: its title, its text alternative, and the SVG.
pub struct Chart {
    pub title: String,
    pub text: String,
    pub svg: String,
}

struct Bar {
    label: String,
    value: Option<usize>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per label, longest first as given.
fn bars(title: &str, axis: &str, bars: &[Bar]) -> Result<String, String> {
    let rows = bars.len().max(1);
    let height = u32::try_from(90 + 28 * rows).unwrap_or(2000).min(4000);
    let most = bars
        .iter()
        .filter_map(|b| b.value)
        .max()
        .unwrap_or(0)
        .max(5);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        draw(&root, title, axis, bars, most, rows).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn draw(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    axis: &str,
    bars: &[Bar],
    most: usize,
    rows: usize,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(260)
        .build_cartesian_2d(0..most, (0..rows).into_segmented())?;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(axis)
        .y_labels(rows)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(k) => labels.get(*k).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 13))
        .draw()?;
    let colour = RGBColor(29, 112, 184);
    chart.draw_series(bars.iter().enumerate().filter_map(|(k, b)| {
        let value = b.value?;
        let mut bar = Rectangle::new(
            [
                (0, SegmentValue::Exact(k)),
                (value, SegmentValue::Exact(k + 1)),
            ],
            colour.filled(),
        );
        bar.set_margin(5, 5, 0, 0);
        Some(bar)
    }))?;
    // A suppressed count is marked, never drawn as nothing.
    chart.draw_series(bars.iter().enumerate().filter_map(|(k, b)| {
        b.value.is_none().then(|| {
            Text::new(
                "fewer than 5",
                (0, SegmentValue::CenterOf(k)),
                ("sans-serif", 12).into_font().color(&RGBColor(80, 90, 95)),
            )
        })
    }))?;
    Ok(())
}

/// The SVG with its title and description for assistive technology.
fn accessible(svg: &str, title: &str, text: &str) -> String {
    let Some(open) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[open..].find('>') else {
        return svg.to_string();
    };
    let at = open + end;
    let (head, tail) = svg.split_at(at);
    format!(
        "{head} role=\"img\" aria-labelledby=\"chart-title chart-desc\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>{}",
        escape(title),
        escape(text),
        &tail[1..]
    )
}

fn sentence(intro: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return format!("{intro}: none.");
    }
    let parts: Vec<String> = bars
        .iter()
        .map(|b| format!("{} {}", b.label, words(b.value)))
        .collect();
    format!("{intro}: {}.", parts.join("; "))
}

/// Children whose need is unmet, by need (most first; needs with none left out).
fn unmet_demand(report: &ProvisionGapReport) -> (String, Vec<Bar>, String) {
    let mut rows: Vec<(usize, Bar)> = report
        .needs
        .iter()
        .filter(|n| n.unmet != Some(0))
        .map(|n| {
            (
                n.unmet.unwrap_or(1),
                Bar {
                    label: n.name.clone(),
                    value: n.unmet,
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.label.cmp(&b.1.label)));
    let bars: Vec<Bar> = rows.into_iter().map(|(_, b)| b).collect();
    let text = sentence(
        "Children with an unmet need on the live caseload, by need",
        &bars,
    );
    ("Children with an unmet need, by need".into(), bars, text)
}

/// The funnel for offending-related needs, summed over needs (a child counts once per need).
fn funnel(report: &ProvisionGapReport) -> (String, Vec<Bar>, String) {
    let f = &report.offending_funnel;
    let bars = [
        ("Identified", f.identified),
        ("Planned", f.planned),
        ("Started", f.started),
        ("Completed", f.completed),
    ]
    .into_iter()
    .map(|(label, value)| Bar {
        label: label.into(),
        value,
    })
    .collect::<Vec<_>>();
    let text = sentence(
        "Offending-related needs on the live caseload (a child counts once per need), from identified to completed",
        &bars,
    );
    (
        "Offending-related needs: identified to completed".into(),
        bars,
        text,
    )
}

/// The chart `name` of the report, if there is one of that name.
pub fn chart(report: &ProvisionGapReport, name: &str) -> Option<Result<Chart, String>> {
    let (title, list, text, axis) = match name {
        "unmet-demand" => {
            let (t, b, x) = unmet_demand(report);
            (t, b, x, "children")
        }
        "funnel" => {
            let (t, b, x) = funnel(report);
            (t, b, x, "children (each need counted)")
        }
        _ => return None,
    };
    Some(bars(&title, axis, &list).map(|svg| Chart {
        svg: accessible(&svg, &title, &text),
        title,
        text,
    }))
}
