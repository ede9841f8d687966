//! The meters chart of a session as inline SVG: the customer's anger, patience and trust after each turn, drawn on the server (no script, nothing for the content security policy to allow).

use maud::{Markup, html};

use crate::scoring::MeterPoint;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const MARGIN_LEFT: f64 = 36.0;
const MARGIN_RIGHT: f64 = 12.0;
const MARGIN_TOP: f64 = 12.0;
const MARGIN_BOTTOM: f64 = 28.0;
/// Meters run from 0 to 100 in every scenario.
const METER_MAX: f64 = 100.0;

/// One line of the chart: which meter, its colour, and how it reads off a point.
struct Line {
    name: &'static str,
    colour: &'static str,
    /// A dash pattern, so the lines differ without colour too.
    dash: &'static str,
    value: fn(&MeterPoint) -> i32,
}

const LINES: [Line; 3] = [
    Line {
        name: "anger",
        colour: "#b91c1c",
        dash: "",
        value: |p| p.anger,
    },
    Line {
        name: "patience",
        colour: "#1d4ed8",
        dash: "6 3",
        value: |p| p.patience,
    },
    Line {
        name: "trust",
        colour: "#047857",
        dash: "2 3",
        value: |p| p.trust,
    },
];

/// The chart of the meters over the call; a sentence when there is nothing to draw.
pub fn meters_chart(points: &[MeterPoint]) -> Markup {
    if points.is_empty() {
        return html! { p.muted { "No meter readings were recorded for this session." } };
    }
    let last_ms = points.iter().map(|p| p.at_ms).max().unwrap_or(0).max(1) as f64;
    let plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
    let plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
    let x = |at_ms: u64| MARGIN_LEFT + plot_w * (at_ms as f64 / last_ms);
    let y = |value: i32| MARGIN_TOP + plot_h * (1.0 - f64::from(value.clamp(0, 100)) / METER_MAX);
    let summary = describe(points);
    html! {
        figure.card {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(summary) xmlns="http://www.w3.org/2000/svg" {
                @for tick in [0, 50, 100] {
                    line x1=(MARGIN_LEFT) x2=(WIDTH - MARGIN_RIGHT) y1=(y(tick)) y2=(y(tick)) stroke="#e2e8f0" {}
                    text x=(MARGIN_LEFT - 6.0) y=(y(tick) + 4.0) text-anchor="end" font-size="11" fill="#475569" { (tick) }
                }
                text x=(MARGIN_LEFT) y=(HEIGHT - 8.0) font-size="11" fill="#475569" { "0:00" }
                text x=(WIDTH - MARGIN_RIGHT) y=(HEIGHT - 8.0) text-anchor="end" font-size="11" fill="#475569" { (clock(last_ms as u64)) }
                @for line in &LINES {
                    polyline fill="none" stroke=(line.colour) stroke-width="2" stroke-dasharray=(line.dash)
                        points=(points.iter().map(|p| format!("{:.1},{:.1}", x(p.at_ms), y((line.value)(p)))).collect::<Vec<_>>().join(" ")) {}
                }
            }
            figcaption.muted {
                @for line in &LINES {
                    span { svg width="24" height="8" aria-hidden="true" { line x1="0" x2="24" y1="4" y2="4" stroke=(line.colour) stroke-width="2" stroke-dasharray=(line.dash) {} } " " (line.name) " " }
                }
                " — " (summary)
            }
        }
    }
}

/// The chart in words, for screen readers and the caption: where each meter started and ended.
fn describe(points: &[MeterPoint]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    LINES
        .iter()
        .map(|line| {
            format!(
                "{} {} → {}",
                line.name,
                (line.value)(first),
                (line.value)(last)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `m:ss` of a session time.
pub fn clock(at_ms: u64) -> String {
    let secs = at_ms / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}
