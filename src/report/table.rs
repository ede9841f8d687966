//! A report as terminal tables and as CSV.

use std::fmt::Write as _;

use comfy_table::{Table, presets};
use serde::Serialize;

use super::{ALL, GroupBy, Report, format_rate, format_score};
use crate::scenario::Dimension;
use crate::store::dimension_index;

/// The characters of a session id shown in tables (enough to be unique for `rapport review`).
pub const SHORT_ID: usize = 12;

/// Which table a CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CsvRows {
    /// One row per group (trainee, team or scenario).
    Groups,
    /// One row per session.
    Sessions,
    /// One row per group and period.
    Trend,
    /// One row per trainee and weak criterion.
    Weakest,
    /// One row per dimension.
    Dimensions,
}

fn new_table(header: Vec<String>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_header(header);
    table
}

fn group_title(group_by: GroupBy) -> &'static str {
    match group_by {
        GroupBy::Trainee => "trainee",
        GroupBy::Team => "team",
        GroupBy::Scenario => "scenario",
    }
}

/// The report as terminal tables.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let totals = &report.totals;
    let _ = writeln!(
        out,
        "{} session(s), {} reviewed · IQS {:.1} (machine {:.1}) · pass rate {} (machine {})",
        totals.sessions,
        totals.reviewed,
        totals.iqs,
        totals.machine_iqs,
        format_rate(totals.pass_rate),
        format_rate(totals.machine_pass_rate)
    );
    let _ = writeln!(out, "{}", abandoned_note(totals.abandoned));
    if totals.sessions == 0 {
        let _ = writeln!(
            out,
            "No stored session matches; `rapport import FILES...` loads transcripts, and every `rapport play` is stored."
        );
        return out;
    }
    let dimensions = report.shown_dimensions();
    let mut header = vec![
        group_title(report.group_by).to_owned(),
        "sessions".into(),
        "reviewed".into(),
        "IQS".into(),
        "machine".into(),
        "pass rate".into(),
    ];
    header.extend(dimensions.iter().map(|d| d.label().to_owned()));
    let mut groups = new_table(header);
    for group in report.groups.iter().chain(std::iter::once(&report.totals)) {
        let mut row = vec![
            group.group.clone(),
            group.sessions.to_string(),
            group.reviewed.to_string(),
            format!("{:.1}", group.iqs),
            format!("{:.1}", group.machine_iqs),
            format_rate(group.pass_rate),
        ];
        row.extend(
            dimensions
                .iter()
                .map(|d| format_score(group.dimensions[dimension_index(*d)])),
        );
        groups.add_row(row);
    }
    let _ = writeln!(
        out,
        "\nBy {} (IQS: mean overall after reviews)\n{groups}",
        group_title(report.group_by)
    );

    let mut dims = new_table(vec![
        "dimension".into(),
        "machine".into(),
        "after review".into(),
        "rated sessions".into(),
    ]);
    for dimension in &report.dimensions {
        dims.add_row(vec![
            dimension.dimension.to_owned(),
            format_score(dimension.machine_mean),
            format_score(dimension.final_mean),
            dimension.rated.to_string(),
        ]);
    }
    let _ = writeln!(out, "\nDimensions\n{dims}");

    if let Some(all) = report.trend.iter().find(|s| s.group == ALL) {
        let mut trend = new_table(vec![
            "period".into(),
            "sessions".into(),
            "IQS".into(),
            "machine".into(),
            "pass rate".into(),
        ]);
        for point in &all.points {
            trend.add_row(vec![
                point.period.clone(),
                point.sessions.to_string(),
                format!("{:.1}", point.iqs),
                format!("{:.1}", point.machine_iqs),
                format_rate(point.pass_rate),
            ]);
        }
        let period = match report.period {
            super::Period::Day => "day",
            super::Period::Week => "week",
            super::Period::Month => "month",
        };
        let _ = writeln!(out, "\nTrend by {period} (all sessions)\n{trend}");
    }

    let mut weakest = new_table(vec![
        "trainee".into(),
        "weakest criteria (mean score after review, sessions rated)".into(),
    ]);
    for trainee in &report.weakest {
        let criteria: Vec<String> = trainee
            .criteria
            .iter()
            .map(|c| {
                format!(
                    "{} {} ({})",
                    c.criterion,
                    format_score(c.final_mean),
                    c.rated
                )
            })
            .collect();
        weakest.add_row(vec![trainee.trainee.clone(), criteria.join("\n")]);
    }
    let _ = writeln!(out, "\nWeakest criteria per trainee\n{weakest}");

    let mut recent = new_table(vec![
        "session".into(),
        "started".into(),
        "trainee".into(),
        "scenario".into(),
        "outcome".into(),
        "machine".into(),
        "reviewed".into(),
        "passed".into(),
    ]);
    for session in &report.recent {
        recent.add_row(vec![
            session.session_id.chars().take(SHORT_ID).collect(),
            super::format_time(&session.started_at),
            session.trainee.clone(),
            session.scenario_id.clone(),
            session.outcome.clone(),
            format!("{:.1}", session.overall),
            if session.reviewed {
                format!("{:.1}", session.final_overall)
            } else {
                "—".to_owned()
            },
            if session.final_passed {
                "yes".to_owned()
            } else {
                "no".to_owned()
            },
        ]);
    }
    let _ = writeln!(
        out,
        "\nNewest {} session(s) (`rapport review ID` to review one)\n{recent}",
        report.recent.len()
    );
    out
}

/// One CSV field, quoted when needed; text that a spreadsheet would run as a formula is prefixed with `'`.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v:.2}"))
}

fn push_row(out: &mut String, cells: &[String]) {
    out.push_str(&cells.join(","));
    out.push('\n');
}

/// What the IQS does with abandoned sessions, said in every report.
pub fn abandoned_note(abandoned: usize) -> String {
    format!(
        "{abandoned} abandoned session(s) (never ended): counted in IQS with the score they have and in the pass rate as failed"
    )
}

/// A UTF-8 byte-order mark, so that a spreadsheet opening the CSV reads £ and accents right.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// The report as CSV: one table, chosen by `rows`, after a byte-order mark.
pub fn render_csv(report: &Report, rows: CsvRows) -> String {
    let mut out = String::from(BYTE_ORDER_MARK);
    let dimension_names: Vec<String> = Dimension::ALL
        .iter()
        .map(|d| d.label().to_owned())
        .collect();
    match rows {
        CsvRows::Groups => {
            let mut header: Vec<String> = vec![
                group_title(report.group_by).into(),
                "sessions".into(),
                "reviewed".into(),
                "iqs".into(),
                "machine_iqs".into(),
                "pass_rate".into(),
                "machine_pass_rate".into(),
            ];
            header.extend(dimension_names.iter().cloned());
            header.extend(dimension_names.iter().map(|d| format!("machine_{d}")));
            push_row(&mut out, &header);
            for group in report.groups.iter().chain(std::iter::once(&report.totals)) {
                let mut cells = vec![
                    field(&group.group),
                    group.sessions.to_string(),
                    group.reviewed.to_string(),
                    number(Some(group.iqs)),
                    number(Some(group.machine_iqs)),
                    number(Some(group.pass_rate)),
                    number(Some(group.machine_pass_rate)),
                ];
                cells.extend(group.dimensions.iter().map(|d| number(*d)));
                cells.extend(group.machine_dimensions.iter().map(|d| number(*d)));
                push_row(&mut out, &cells);
            }
        }
        CsvRows::Sessions => {
            let mut header: Vec<String> = [
                "session_id",
                "trainee",
                "team",
                "scenario",
                "started_at",
                "outcome",
                "handle_secs",
                "overall",
                "passed",
                "reviewed",
                "final_overall",
                "final_passed",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
            header.extend(dimension_names.iter().cloned());
            header.extend(dimension_names.iter().map(|d| format!("final_{d}")));
            push_row(&mut out, &header);
            for s in &report.sessions {
                let mut cells = vec![
                    field(&s.session_id),
                    field(&s.trainee),
                    field(s.team.as_deref().unwrap_or("")),
                    field(&s.scenario_id),
                    field(&super::format_time(&s.started_at)),
                    field(&s.outcome),
                    number(Some(s.handle_secs)),
                    number(Some(s.overall)),
                    s.passed.to_string(),
                    s.reviewed.to_string(),
                    number(Some(s.final_overall)),
                    s.final_passed.to_string(),
                ];
                cells.extend(s.dimensions.iter().map(|d| number(*d)));
                cells.extend(s.final_dimensions.iter().map(|d| number(*d)));
                push_row(&mut out, &cells);
            }
        }
        CsvRows::Trend => {
            push_row(
                &mut out,
                &[
                    "group",
                    "period",
                    "sessions",
                    "iqs",
                    "machine_iqs",
                    "pass_rate",
                ]
                .map(str::to_owned),
            );
            for series in &report.trend {
                for point in &series.points {
                    push_row(
                        &mut out,
                        &[
                            field(&series.group),
                            field(&point.period),
                            point.sessions.to_string(),
                            number(Some(point.iqs)),
                            number(Some(point.machine_iqs)),
                            number(Some(point.pass_rate)),
                        ],
                    );
                }
            }
        }
        CsvRows::Weakest => {
            push_row(
                &mut out,
                &[
                    "trainee",
                    "rank",
                    "criterion",
                    "dimension",
                    "mean",
                    "machine_mean",
                    "rated",
                ]
                .map(str::to_owned),
            );
            for trainee in &report.weakest {
                for (rank, c) in trainee.criteria.iter().enumerate() {
                    push_row(
                        &mut out,
                        &[
                            field(&trainee.trainee),
                            (rank + 1).to_string(),
                            field(&c.criterion),
                            field(&c.dimension),
                            number(c.final_mean),
                            number(c.machine_mean),
                            c.rated.to_string(),
                        ],
                    );
                }
            }
        }
        CsvRows::Dimensions => {
            push_row(
                &mut out,
                &["dimension", "machine_mean", "mean", "rated"].map(str::to_owned),
            );
            for d in &report.dimensions {
                push_row(
                    &mut out,
                    &[
                        field(d.dimension),
                        number(d.machine_mean),
                        number(d.final_mean),
                        d.rated.to_string(),
                    ],
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
