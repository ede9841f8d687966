//! A revealed calibration as tables: agreement and Cohen's κ per criterion and per reviewer, every reviewer's ratings side by side, each reviewer's drift from the consensus over time, and the plain small-sample warning.

use std::collections::BTreeMap;

use maud::{Markup, html};

use crate::report::calibration::{Agreement, Calibration, ReviewerCalibration, kappa_label};
use crate::report::format_rate;
use crate::serve::layout::{NoticeKind, notice};
use crate::serve::pages::sessions::short_id;
use crate::team::calibrations::{CalibrationRating, CalibrationResults};

/// Three cells of one agreement: pairs, percent agreed (marked ⚠ when the figure should not be
/// trusted, with the reason as its title) and κ with Landis and Koch's word. `side` names the
/// comparison in each cell's label, which a phone shows in place of the table's header.
fn agreement_cells(agreement: Option<&Agreement>, side: &str) -> Markup {
    let pairs = format!("{side}: pairs");
    let agree = format!("{side}: agree");
    let kappa = format!("{side}: κ");
    html! {
        @match agreement {
            Some(a) => {
                td.n data-label=(pairs) { (a.pairs) }
                td.n data-label=(agree) title=[a.warning.as_deref()] {
                    (format_rate(a.percent))
                    @if a.warning.is_some() { " " span.warn aria-label="uncertain" { "⚠" } }
                }
                td.n data-label=(kappa) {
                    @match a.kappa {
                        Some(k) => { (format!("{k:.2}")) " " span.muted { (kappa_label(Some(k))) } }
                        None => { "—" }
                    }
                }
            }
            None => { td.n data-label=(pairs) { "0" } td.n data-label=(agree) { "—" } td.n data-label=(kappa) { "—" } }
        }
    }
}

/// The two header rows of a table comparing one scope with two kinds of agreement.
fn two_sided_head(first: &str, left: &str, right: &str) -> Markup {
    html! {
        thead {
            tr { th rowspan="2" { (first) } th colspan="3" { (left) } th colspan="3" { (right) } }
            tr { th { "pairs" } th { "agree" } th { "κ" } th { "pairs" } th { "agree" } th { "κ" } }
        }
    }
}

fn scope_name(level: &str, name: &str) -> Markup {
    html! {
        @match level {
            "all" => { b { "all criteria" } }
            "dimension" => { b { (name) } " " span.muted { "dimension" } }
            _ => { (name) }
        }
    }
}

/// Agreement per scope (all, each dimension, each criterion).
fn per_criterion(figures: &Calibration) -> Markup {
    html! {
        div.scroll {
            table.cards.figures {
                (two_sided_head("scope", "between reviewers", "machine ↔ reviewers"))
                tbody {
                    @for row in &figures.rows {
                        tr {
                            td { (scope_name(row.level, &row.name)) }
                            (agreement_cells(row.between_reviewers.as_ref(), "between reviewers"))
                            (agreement_cells(row.machine_vs_reviewers.as_ref(), "machine ↔ reviewers"))
                        }
                    }
                }
            }
        }
    }
}

/// Each reviewer against the consensus of the others and against the machine.
fn per_reviewer(reviewers: &[ReviewerCalibration]) -> Markup {
    html! {
        div.scroll {
            table.cards.figures {
                (two_sided_head("reviewer", "with the others' consensus", "with the machine"))
                tbody {
                    @for r in reviewers {
                        tr {
                            td { b { (r.reviewer) } }
                            (agreement_cells(r.consensus.as_ref(), "with the consensus"))
                            (agreement_cells(r.machine.as_ref(), "with the machine"))
                        }
                    }
                }
            }
        }
    }
}

/// Each reviewer's agreement with the consensus period by period, over every revealed calibration.
pub fn drift_table(drift: &CalibrationResults) -> Markup {
    let rows: Vec<(&str, &crate::report::calibration::ReviewerPeriod)> = drift
        .figures
        .per_reviewer
        .iter()
        .flat_map(|r| r.over_time.iter().map(move |p| (r.reviewer.as_str(), p)))
        .collect();
    html! {
        @if rows.is_empty() {
            p.muted { "No revealed calibration has paired ratings yet." }
        } @else {
            div.scroll {
                table.cards.figures {
                    (two_sided_head("reviewer · month", "with the others' consensus", "with the machine"))
                    tbody {
                        @for (reviewer, period) in rows {
                            tr {
                                td { b { (reviewer) } " · " (period.period) }
                                (agreement_cells(period.consensus.as_ref(), "with the consensus"))
                                (agreement_cells(period.machine.as_ref(), "with the machine"))
                            }
                        }
                    }
                }
            }
            @if let Some(warning) = &drift.warning { p.muted { "⚠ " (warning) } }
        }
    }
}

/// Every reviewer's latest rating of each criterion of each session, side by side.
fn ratings_grid(reviewers: &[String], ratings: &[CalibrationRating]) -> Markup {
    // The latest rating counts: ratings come oldest first, so a later one replaces it.
    let mut latest: BTreeMap<(&str, &str), BTreeMap<&str, Option<i32>>> = BTreeMap::new();
    for r in ratings {
        latest
            .entry((r.session_id.as_str(), r.criterion.as_str()))
            .or_default()
            .insert(r.reviewer.as_str(), r.rating);
    }
    html! {
        div.scroll {
            table.grid {
                thead { tr { th { "session" } th { "criterion" } @for reviewer in reviewers { th { (reviewer) } } } }
                tbody {
                    @for ((session, criterion), by_reviewer) in &latest {
                        @let values: Vec<Option<Option<i32>>> = reviewers.iter().map(|r| by_reviewer.get(r.as_str()).copied()).collect();
                        @let rated: Vec<Option<i32>> = values.iter().flatten().copied().collect();
                        @let split = rated.windows(2).any(|w| w[0] != w[1]);
                        tr class=[split.then_some("split")] {
                            td { a href=(format!("/sessions/{session}")) { code { (short_id(session)) } } }
                            td { (criterion) }
                            @for value in values {
                                td.n {
                                    @match value {
                                        Some(Some(v)) => { (v) }
                                        Some(None) => { "N/A" }
                                        None => { span.muted { "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.muted { "Rows where reviewers differ are shaded. — : not rated." }
    }
}

/// The whole revealed calibration.
pub fn results_body(results: &CalibrationResults, ratings: &[CalibrationRating]) -> Markup {
    let figures = &results.figures;
    html! {
        @if let Some(warning) = &results.warning { (notice(NoticeKind::Error, warning)) }
        p.muted {
            (figures.reviews) " ratings by " (figures.reviewers.len()) " reviewers. "
            "κ is Cohen's kappa: agreement beyond chance (1 perfect, 0 no better than chance); "
            "⚠ marks a figure with too few pairs or agreement that is mostly chance."
        }
        h2 #agreement { "Agreement per criterion" }
        (per_criterion(figures))
        h2 #reviewers { "Agreement per reviewer" }
        (per_reviewer(&figures.per_reviewer))
        h2 #ratings { "The ratings" }
        (ratings_grid(&results.calibration.reviewers, ratings))
    }
}
