//! The single-file HTML report: inline CSS and SVG charts, and a drill-down into each session's transcript with its evidence highlighted.
//!
//! Everything that came from a person or a file (replies, names, ids, notes, comments) goes
//! through [`escape`]; the page has no script.

use std::fmt::Write as _;

use super::{ALL, CHARTED_GROUPS, GroupBy, Report, TrendSeries, format_rate, format_score};
use crate::analysis::Polarity;
use crate::engine::{Event, TransferKind};
use crate::scoring::{Evidence, Scorecard};
use crate::store::{StoredSession, dimension_index};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Line colours of the trend chart, "all" first.
const PALETTE: [&str; 9] = [
    "#1f2937", "#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626",
    "#65a30d",
];

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f8fafc;color:#0f172a}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:26px}h2{margin:32px 0 10px;font-size:19px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.muted{color:#64748b;font-size:13px}
.kpis{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.kpi{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 16px;min-width:150px}
.kpi b{display:block;font-size:24px}.kpi span{color:#64748b;font-size:12px}
.charts{display:grid;grid-template-columns:3fr 2fr;gap:16px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid #e2e8f0;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f5f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:8px;background:#2563eb;border-radius:2px;margin-right:6px;vertical-align:middle}
details{background:#fff;border:1px solid #e2e8f0;border-radius:8px;margin:8px 0;padding:6px 12px}
summary{cursor:pointer;font-size:14px}
.pass{color:#047857;font-weight:600}.fail{color:#b91c1c;font-weight:600}
.turn{display:grid;grid-template-columns:60px 1fr;gap:8px;padding:4px 0;border-top:1px dashed #e2e8f0}
.t{color:#64748b;font-size:12px;font-variant-numeric:tabular-nums}
.msg{margin:2px 0;padding:4px 8px;border-radius:6px;max-width:90%}
.customer{background:#f1f5f9}.trainee{background:#eff6ff;margin-left:auto}.system{color:#475569;font-style:italic;font-size:12px}
.who{font-weight:600;font-size:12px;margin-right:6px}
mark.good{background:#bbf7d0}mark.bad{background:#fecaca}
ul.ev{margin:2px 0 4px 0;padding-left:18px;font-size:12px}
li.good::marker{content:"▲ ";color:#047857}li.bad::marker{content:"▼ ";color:#b91c1c}
.changed{background:#fef9c3}
"#;

/// The whole report as one HTML document; `sessions` are drilled into.
pub fn render_html(report: &Report, sessions: &[StoredSession]) -> String {
    let mut out = String::with_capacity(64 * 1024 + sessions.len() * 16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Rapport QA report</title><style>{STYLE}</style></head><body><main>\n"
    );
    let _ = write!(
        out,
        "<h1>Rapport QA report</h1><div class=\"muted\">Generated {} · {}</div>",
        escape(&report.generated_at),
        escape(&describe_filter(report))
    );
    write_kpis(&mut out, report);
    if report.totals.sessions == 0 {
        out.push_str("<p>No stored session matches these filters.</p></main></body></html>\n");
        return out;
    }
    let pass_mark = sessions.first().map(|s| s.scorecard.pass_mark);
    out.push_str("<div class=\"charts\"><div class=\"card\"><h3>IQS over time</h3>");
    out.push_str(&trend_chart(&charted_series(report), pass_mark));
    out.push_str("</div><div class=\"card\"><h3>Dimensions: machine vs after review</h3>");
    out.push_str(&dimension_chart(report));
    out.push_str("</div></div>");
    write_groups(&mut out, report);
    write_weakest(&mut out, report);
    write_sessions(&mut out, report, sessions);
    out.push_str("</main></body></html>\n");
    out
}

fn describe_filter(report: &Report) -> String {
    let f = &report.filter;
    let mut parts = Vec::new();
    let list = |name: &str, values: &[String]| {
        (!values.is_empty()).then(|| format!("{name}: {}", values.join(", ")))
    };
    parts.extend(list("trainee", &f.trainees));
    parts.extend(list("team", &f.teams));
    parts.extend(list("scenario", &f.scenarios));
    let date = |epoch: i64| {
        jiff::Timestamp::from_second(epoch)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    if let Some(since) = f.since {
        parts.push(format!("since {}", date(since)));
    }
    if let Some(until) = f.until {
        parts.push(format!("before {}", date(until)));
    }
    if let Some(dimension) = report.dimension {
        parts.push(format!("dimension: {dimension}"));
    }
    if parts.is_empty() {
        "all sessions".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn write_kpis(out: &mut String, report: &Report) {
    let t = &report.totals;
    let kpis = [
        (t.sessions.to_string(), "sessions".to_owned()),
        (
            format!("{:.1}", t.iqs),
            format!("IQS after review (machine {:.1})", t.machine_iqs),
        ),
        (
            format_rate(t.pass_rate),
            format!("pass rate (machine {})", format_rate(t.machine_pass_rate)),
        ),
        (t.reviewed.to_string(), "sessions reviewed".to_owned()),
        (
            t.abandoned.to_string(),
            "abandoned: counted in IQS, as failed".to_owned(),
        ),
    ];
    out.push_str("<div class=\"kpis\">");
    for (value, label) in kpis {
        let _ = write!(
            out,
            "<div class=\"kpi\"><b>{}</b><span>{}</span></div>",
            escape(&value),
            escape(&label)
        );
    }
    out.push_str("</div>");
}

/// "all" and the groups with the most sessions.
pub fn charted_series(report: &Report) -> Vec<&TrendSeries> {
    let mut groups: Vec<&TrendSeries> = report.trend.iter().filter(|s| s.group != ALL).collect();
    let sessions = |s: &TrendSeries| s.points.iter().map(|p| p.sessions).sum::<usize>();
    groups.sort_by(|a, b| {
        sessions(b)
            .cmp(&sessions(a))
            .then_with(|| a.group.cmp(&b.group))
    });
    groups.truncate(CHARTED_GROUPS);
    report
        .trend
        .iter()
        .filter(|s| s.group == ALL)
        .chain(groups)
        .collect()
}

const CHART_W: f64 = 640.0;
const CHART_H: f64 = 280.0;
const MARGIN_L: f64 = 40.0;
/// Room right of the plot for the pass mark's label, where no line is drawn.
const MARGIN_R: f64 = 84.0;
const MARGIN_T: f64 = 10.0;
const MARGIN_B: f64 = 40.0;

/// The height of one row of the legend under the plot.
const LEGEND_ROW_H: f64 = 16.0;

/// Legend entries side by side under the plot.
const LEGEND_COLUMNS: usize = 2;

/// The longest name a legend column holds at the chart's font size (about 6.5 px a character);
/// longer names are cut, with the whole name on hover.
const LEGEND_NAME_CHARS: usize = 44;

/// Trend lines of IQS per period, one per series, on a 0–100 scale, with the legend under the
/// plot (group names are often long) and the pass mark labelled right of the plot.
pub fn trend_chart(series: &[&TrendSeries], pass_mark: Option<f64>) -> String {
    let mut periods: Vec<&str> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.period.as_str()))
        .collect();
    periods.sort_unstable();
    periods.dedup();
    let plot_w = CHART_W - MARGIN_L - MARGIN_R;
    let plot_h = CHART_H - MARGIN_T - MARGIN_B;
    let x = |period: &str| {
        let index = periods.iter().position(|p| *p == period).unwrap_or(0) as f64;
        MARGIN_L
            + if periods.len() > 1 {
                index / (periods.len() - 1) as f64 * plot_w
            } else {
                plot_w / 2.0
            }
    };
    let y = |score: f64| MARGIN_T + (1.0 - score.clamp(0.0, 100.0) / 100.0) * plot_h;
    let legend_rows = series.len().div_ceil(LEGEND_COLUMNS);
    let height = CHART_H + 8.0 + LEGEND_ROW_H * legend_rows as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_W} {height}\" width=\"100%\" role=\"img\" aria-label=\"IQS over time\" font-size=\"11\">"
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            svg,
            "<line x1=\"{MARGIN_L}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e2e8f0\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#64748b\">{tick}</text>",
            MARGIN_L + plot_w,
            MARGIN_L - 4.0,
            y(tick) + 4.0,
            y = y(tick)
        );
    }
    if let Some(mark) = pass_mark {
        let _ = write!(
            svg,
            "<line x1=\"{MARGIN_L}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#b91c1c\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#b91c1c\">pass mark {mark:.0}</text>",
            MARGIN_L + plot_w,
            MARGIN_L + plot_w + 6.0,
            y(mark) + 4.0,
            y = y(mark)
        );
    }
    // At most six labels fit under the plot.
    let label_every = periods.len().div_ceil(6).max(1);
    for (index, period) in periods.iter().enumerate() {
        let last_fits = index + 1 == periods.len() && index % label_every > label_every / 2;
        if index % label_every == 0 || last_fits {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#64748b\">{}</text>",
                x(period),
                CHART_H - MARGIN_B + 16.0,
                escape(period)
            );
        }
    }
    for (index, line) in series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let width = if index == 0 { 3 } else { 1 };
        let points: Vec<String> = line
            .points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(&p.period), y(p.iqs)))
            .collect();
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" points=\"{}\"/>",
            points.join(" ")
        );
        for point in &line.points {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{colour}\"><title>{}: {} — IQS {:.1}, {} session(s), pass rate {}</title></circle>",
                x(&point.period),
                y(point.iqs),
                escape(&line.group),
                escape(&point.period),
                point.iqs,
                point.sessions,
                format_rate(point.pass_rate)
            );
        }
        let column_w = (CHART_W - MARGIN_L) / LEGEND_COLUMNS as f64;
        let legend_x = MARGIN_L + column_w * (index % LEGEND_COLUMNS) as f64;
        let legend_y = CHART_H + 8.0 + LEGEND_ROW_H * (index / LEGEND_COLUMNS) as f64;
        let _ = write!(
            svg,
            "<rect x=\"{legend_x:.1}\" y=\"{:.1}\" width=\"10\" height=\"3\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{legend_y:.1}\"><title>{}</title>{}</text>",
            legend_y - 4.0,
            legend_x + 14.0,
            escape(&line.group),
            escape(&truncate(&line.group, LEGEND_NAME_CHARS))
        );
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(chars - 1).collect::<String>())
    }
}

/// Bars of each dimension's mean: the machine's (grey) and after review (blue).
pub fn dimension_chart(report: &Report) -> String {
    let width = 420.0;
    let row_h = 44.0;
    let label_w = 100.0;
    let bar_w = width - label_w - 50.0;
    let height = row_h * report.dimensions.len() as f64 + 30.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Dimension scores\" font-size=\"12\">"
    );
    for (index, dimension) in report.dimensions.iter().enumerate() {
        let top = 10.0 + row_h * index as f64;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            top + 16.0,
            escape(dimension.dimension)
        );
        for (offset, value, colour, name) in [
            (0.0, dimension.machine_mean, "#94a3b8", "machine"),
            (16.0, dimension.final_mean, "#2563eb", "after review"),
        ] {
            let length = value.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0 * bar_w;
            let _ = write!(
                svg,
                "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{length:.1}\" height=\"13\" fill=\"{colour}\"><title>{name}: {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#334155\">{}</text>",
                top + offset,
                format_score(value),
                label_w + length + 4.0,
                top + offset + 11.0,
                format_score(value)
            );
        }
    }
    let legend_y = height - 8.0;
    let _ = write!(
        svg,
        "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#94a3b8\"/><text x=\"{:.1}\" y=\"{legend_y:.1}\">machine</text>\
         <rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#2563eb\"/><text x=\"{:.1}\" y=\"{legend_y:.1}\">after review</text>",
        legend_y - 9.0,
        label_w + 14.0,
        label_w + 90.0,
        legend_y - 9.0,
        label_w + 104.0
    );
    svg.push_str("</svg>");
    svg
}

fn write_groups(out: &mut String, report: &Report) {
    let title = match report.group_by {
        GroupBy::Trainee => "trainee",
        GroupBy::Team => "team",
        GroupBy::Scenario => "scenario",
    };
    let dimensions = report.shown_dimensions();
    let _ = write!(
        out,
        "<h2>By {title}</h2><table><tr><th>{title}</th><th>sessions</th><th>reviewed</th><th>IQS</th><th>machine</th><th>pass rate</th>"
    );
    for dimension in &dimensions {
        let _ = write!(out, "<th>{}</th>", dimension.label());
    }
    out.push_str("</tr>");
    for group in report.groups.iter().chain(std::iter::once(&report.totals)) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\"><span class=\"bar\" style=\"width:{:.0}px\"></span>{:.1}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td>",
            escape(&group.group),
            group.sessions,
            group.reviewed,
            group.iqs.clamp(0.0, 100.0) * 0.6,
            group.iqs,
            group.machine_iqs,
            format_rate(group.pass_rate)
        );
        for dimension in &dimensions {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                format_score(group.dimensions[dimension_index(*dimension)])
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn write_weakest(out: &mut String, report: &Report) {
    out.push_str("<h2>Weakest criteria per trainee</h2><table><tr><th>trainee</th><th>criterion</th><th>dimension</th><th>mean after review</th><th>machine</th><th>sessions rated</th></tr>");
    for trainee in &report.weakest {
        for (rank, criterion) in trainee.criteria.iter().enumerate() {
            let name = if rank == 0 {
                escape(&trainee.trainee)
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<tr><td>{name}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&criterion.criterion),
                escape(&criterion.dimension),
                format_score(criterion.final_mean),
                format_score(criterion.machine_mean),
                criterion.rated
            );
        }
    }
    out.push_str("</table>");
}

fn write_sessions(out: &mut String, report: &Report, sessions: &[StoredSession]) {
    let _ = write!(
        out,
        "<h2>Sessions</h2><p class=\"muted\">The newest {} of {} session(s); open one to read its transcript with the evidence marked (green: good, red: poor). \
         <code>rapport review ID --criterion … --rating …</code> corrects a rating.</p>",
        sessions.len(),
        report.totals.sessions
    );
    for session in sessions {
        write_session(out, session);
    }
}

fn verdict(passed: bool) -> &'static str {
    if passed {
        "<span class=\"pass\">pass</span>"
    } else {
        "<span class=\"fail\">fail</span>"
    }
}

fn write_session(out: &mut String, session: &StoredSession) {
    let s = &session.summary;
    let reviewed = if s.reviewed {
        format!(
            " → reviewed {:.1} {}",
            s.final_overall,
            verdict(s.final_passed)
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<details id=\"s-{id}\"><summary><code>{short}</code> · {started} · <b>{trainee}</b> · {scenario} · {outcome} · machine {overall:.1} {machine_verdict}{reviewed}</summary>",
        id = escape(&s.session_id),
        short = escape(
            &s.session_id
                .chars()
                .take(super::table::SHORT_ID)
                .collect::<String>()
        ),
        started = escape(&super::format_time(&s.started_at)),
        trainee = escape(&s.trainee),
        scenario = escape(&s.scenario_id),
        outcome = escape(&s.outcome),
        overall = s.overall,
        machine_verdict = verdict(s.passed),
    );
    write_criteria(out, session);
    write_transcript(out, session);
    out.push_str("</details>");
}

fn rating_text(rating: Option<i32>, max: i32) -> String {
    rating.map_or_else(|| "N/A".to_owned(), |r| format!("{r}/{max}"))
}

fn write_criteria(out: &mut String, session: &StoredSession) {
    let reviewed: Option<&Scorecard> = session.reviewed.as_ref();
    out.push_str("<table><tr><th>criterion</th><th>dimension</th><th>machine</th><th>after review</th><th>why</th><th>reviews</th></tr>");
    for criterion in &session.scorecard.criteria {
        let after = reviewed
            .and_then(|card| card.criterion(&criterion.id))
            .map_or(criterion.rating, |c| c.rating);
        let changed = after != criterion.rating;
        let comments: Vec<String> = session
            .reviews
            .iter()
            .filter(|r| r.criterion == criterion.id)
            .map(|r| {
                let kind = match r.kind {
                    crate::store::ReviewKind::Rating => String::new(),
                    other => format!(" ({})", other.label()),
                };
                let comment = if r.comment.is_empty() {
                    String::new()
                } else {
                    format!(": {}", escape(&r.comment))
                };
                let text = format!(
                    "<b>{}</b> {} rated {}{}{comment}",
                    escape(&r.reviewer),
                    escape(&super::format_time(&r.reviewed_at)),
                    escape(&rating_text(r.rating, criterion.max)),
                    escape(&kind),
                );
                match &r.retraction {
                    // A retracted review stays visible, struck out, with who took it back and why.
                    Some(x) => format!(
                        "<div><s>{text}</s> — retracted by {} {}: {}</div>",
                        escape(&x.by),
                        escape(&super::format_time(&x.at)),
                        escape(&x.reason)
                    ),
                    None => format!("<div>{text}</div>"),
                }
            })
            .collect();
        let _ = write!(
            out,
            "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            if changed { " class=\"changed\"" } else { "" },
            escape(&criterion.id),
            escape(criterion.dimension.label()),
            escape(&rating_text(criterion.rating, criterion.max)),
            escape(&rating_text(after, criterion.max)),
            escape(&criterion.reason),
            comments.join("")
        );
    }
    out.push_str("</table>");
}

/// `m:ss` of a session time.
fn clock(at_ms: u64) -> String {
    let secs = at_ms / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn write_transcript(out: &mut String, session: &StoredSession) {
    let evidence: Vec<&Evidence> = session
        .scorecard
        .criteria
        .iter()
        .flat_map(|c| c.evidence.iter())
        .collect();
    out.push_str("<div class=\"transcript\">");
    for (index, turn) in session.transcript.turns.iter().enumerate() {
        let here: Vec<&Evidence> = evidence
            .iter()
            .copied()
            .filter(|e| e.turn == index)
            .collect();
        let mut body = String::new();
        for timed in &turn.events {
            match &timed.event {
                Event::CustomerSaid { text, .. } => {
                    let _ = write!(
                        body,
                        "<div class=\"msg customer\"><span class=\"who\">Customer</span>{}</div>",
                        escape(text)
                    );
                }
                Event::TraineeChose { text, .. } | Event::TraineeReplied { text, .. } => {
                    let _ = write!(
                        body,
                        "<div class=\"msg trainee\"><span class=\"who\">{}</span>{}</div>",
                        escape(&session.summary.trainee),
                        highlight(text, &here)
                    );
                }
                Event::HoldStarted { announced_secs } => {
                    let _ = write!(
                        body,
                        "<div class=\"system\">put on hold for {announced_secs} s</div>"
                    );
                }
                Event::HoldEnded { held_secs, .. } => {
                    let _ = write!(
                        body,
                        "<div class=\"system\">back from hold after {held_secs} s</div>"
                    );
                }
                Event::Transferred { kind } => {
                    let kind = match kind {
                        TransferKind::Warm => "warm",
                        TransferKind::Cold => "cold",
                    };
                    let _ = write!(body, "<div class=\"system\">{kind} transfer</div>");
                }
                Event::Escalated => {
                    body.push_str("<div class=\"system\">escalated to a supervisor</div>")
                }
                Event::SilenceFired { count } => {
                    let _ = write!(body, "<div class=\"system\">silence ({count})</div>");
                }
                Event::Ended { ending, outcome } => {
                    let _ = write!(
                        body,
                        "<div class=\"system\">call ended: {} ({})</div>",
                        escape(ending),
                        escape(outcome.label())
                    );
                }
                _ => {}
            }
        }
        if !here.is_empty() {
            body.push_str("<ul class=\"ev\">");
            for e in &here {
                let _ = write!(
                    body,
                    "<li class=\"{}\"><b>{}</b> <span class=\"muted\">{}</span> {}</li>",
                    polarity_class(e.finding.polarity),
                    escape(&e.finding.criterion),
                    escape(&e.finding.rule),
                    escape(&e.finding.note)
                );
            }
            body.push_str("</ul>");
        }
        if body.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<div class=\"turn\"><div class=\"t\">{}</div><div>{body}</div></div>",
            clock(turn.at_ms)
        );
    }
    out.push_str("</div>");
}

fn polarity_class(polarity: Polarity) -> &'static str {
    match polarity {
        Polarity::Good => "good",
        Polarity::Bad => "bad",
    }
}

/// The text with each piece of evidence's matched words marked; every piece is escaped.
pub fn highlight(text: &str, evidence: &[&Evidence]) -> String {
    let mut spans: Vec<(usize, usize, &Evidence)> = evidence
        .iter()
        .filter(|e| !e.finding.matched.is_empty())
        .filter_map(|e| {
            text.find(e.finding.matched.as_str())
                .map(|start| (start, start + e.finding.matched.len(), *e))
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (start, end, evidence) in spans {
        if start < at {
            continue;
        }
        out.push_str(&escape(&text[at..start]));
        let _ = write!(
            out,
            "<mark class=\"{}\" title=\"{}\">{}</mark>",
            polarity_class(evidence.finding.polarity),
            escape(&format!(
                "{}: {}",
                evidence.finding.criterion, evidence.finding.note
            )),
            escape(&text[start..end])
        );
        at = end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Finding;
    use crate::scenario::Dimension;
    use smol_str::SmolStr;

    fn evidence(matched: &str, polarity: Polarity) -> Evidence {
        Evidence {
            turn: 1,
            at_ms: 0,
            finding: Finding {
                dimension: Dimension::Empathy,
                polarity,
                criterion: SmolStr::new_static("empathy.apology"),
                rule: SmolStr::new_static("r"),
                matched: SmolStr::new(matched),
                note: SmolStr::new_static("<b>note</b>"),
                weight: 1,
            },
        }
    }

    #[test]
    fn highlighting_escapes_everything_around_and_inside_marks() {
        let sorry = evidence("sorry <now>", Polarity::Good);
        let html = highlight("I'm sorry <now> <script>alert(1)</script>", &[&sorry]);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<now>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("<mark class=\"good\""));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn chart_legends_keep_whole_names_and_the_pass_mark_label_sits_right_of_the_lines() {
        let series = |group: &str| TrendSeries {
            group: group.to_owned(),
            points: vec![crate::report::TrendPoint {
                period: "2026-01-05".to_owned(),
                sessions: 3,
                iqs: 80.0,
                machine_iqs: 80.0,
                pass_rate: 1.0,
            }],
        };
        let (all, refund) = (series("all"), series("refund-outside-policy"));
        let svg = trend_chart(&[&all, &refund], Some(80.0));
        assert!(svg.contains(">refund-outside-policy</text>"), "{svg}");
        // The label starts right of the plot, where no line or point is drawn.
        let label = svg.find(">pass mark 80<").expect("a pass mark label");
        let x_at = svg[..label].rfind("x=\"").expect("the label's x") + 3;
        let x: f64 = svg[x_at..]
            .split('"')
            .next()
            .and_then(|x| x.parse().ok())
            .expect("a number");
        assert!(x > CHART_W - MARGIN_R, "{x}");
    }

    #[test]
    fn overlapping_evidence_is_marked_once() {
        let long = evidence("so sorry", Polarity::Good);
        let short = evidence("sorry", Polarity::Bad);
        let html = highlight("I'm so sorry", &[&short, &long]);
        assert_eq!(html.matches("<mark").count(), 1);
    }
}
