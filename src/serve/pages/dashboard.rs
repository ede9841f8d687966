//! The dashboard: the report's content live and filterable (team, trainee, scenario, dimension, period), IQS over time, pass rate, weakest criteria and who needs coaching on what, each figure drilling down to the sessions behind it.

use axum::extract::{Query, State};
use maud::{Markup, PreEscaped, html};

use crate::report::html::{charted_series, dimension_chart, trend_chart};
use crate::report::{GroupBy, Report, format_rate, format_score};
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::pages::report_query::{ReportQuery, visible_report};
use crate::serve::pages::signed_in_page;
use crate::team::{Action, Role};

/// `GET /dashboard`.
pub async fn show_dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ReportQuery>,
) -> Result<Markup, PageError> {
    let report = visible_report(&state, &viewer, Action::ViewDashboards, &query).await?;
    let is_trainee = viewer.user().role == Role::Trainee;
    let body = html! {
        (filters(&query, is_trainee))
        (kpis(&report, &query))
        @if report.totals.sessions > 0 {
            div.card {
                h2 { "IQS over time" }
                // The chart functions escape every name they draw (src/report/html.rs).
                (PreEscaped(trend_chart(&charted_series(&report), None)))
            }
            div.card {
                h2 { "Dimensions: machine and after review" }
                (PreEscaped(dimension_chart(&report)))
            }
            (groups(&report, &query))
            (weakest(&report, &query))
        } @else {
            p { "No session you may see matches these filters." }
        }
    };
    Ok(signed_in_page(&viewer, "Dashboard", body))
}

fn filters(query: &ReportQuery, is_trainee: bool) -> Markup {
    let l = &query.list;
    let pick = |name: &str, current: &str, choices: &[(&str, &str)]| {
        html! {
            label { (name) br;
                select name=(name.to_lowercase()) {
                    @for (value, label) in choices {
                        option value=(value) selected[current == *value] { (label) }
                    }
                }
            }
        }
    };
    html! {
        form.filters method="get" action="/dashboard" role="search" {
            @if !is_trainee {
                label { "Trainee" br; input type="search" name="trainee" value=(l.trainee()); }
                label { "Team" br; input type="search" name="team" value=(l.team()); }
            }
            label { "Scenario" br; input type="search" name="scenario" value=(l.scenario()); }
            label { "From" br; input type="date" name="since" value=(l.since()); }
            label { "To" br; input type="date" name="until" value=(l.until()); }
            (pick("Dimension", &query.dimension, &[("", "all"), ("empathy", "empathy"), ("timeliness", "timeliness"), ("expectations", "expectations"), ("ownership", "ownership")]))
            @if !is_trainee {
                (pick("Group", &query.group, &[("", "trainee"), ("team", "team"), ("scenario", "scenario")]))
            }
            (pick("Period", &query.period, &[("day", "day"), ("", "week"), ("month", "month")]))
            button type="submit" { "Show" }
        }
    }
}

/// The session list with the dashboard's filters and one more narrowing.
fn drill(query: &ReportQuery, extra: &[(&str, &str)]) -> String {
    let l = &query.list;
    let mut pairs: Vec<(&str, String)> = vec![
        ("trainee", l.trainee().to_owned()),
        ("team", l.team().to_owned()),
        ("scenario", l.scenario().to_owned()),
        ("since", l.since().to_owned()),
        ("until", l.until().to_owned()),
    ];
    for (name, value) in extra {
        pairs.retain(|(n, _)| n != name);
        pairs.push((name, (*value).to_owned()));
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    format!("/sessions?{query}")
}

fn kpis(report: &Report, query: &ReportQuery) -> Markup {
    let t = &report.totals;
    html! {
        div.kpis {
            a.kpi href=(drill(query, &[])) { b { (t.sessions) } span.muted { "sessions" } }
            div.kpi { b { (format!("{:.1}", t.iqs)) } span.muted { "IQS after review (machine " (format!("{:.1}", t.machine_iqs)) ")" } }
            a.kpi href=(drill(query, &[("verdict", "pass")])) { b { (format_rate(t.pass_rate)) } span.muted { "pass rate (machine " (format_rate(t.machine_pass_rate)) ")" } }
            div.kpi { b { (t.reviewed) } span.muted { "reviewed" } }
        }
    }
}

fn groups(report: &Report, query: &ReportQuery) -> Markup {
    let by = match report.group_by {
        GroupBy::Trainee => "trainee",
        GroupBy::Team => "team",
        GroupBy::Scenario => "scenario",
    };
    html! {
        h2 { "By " (by) }
        div.scroll {
            table {
                thead { tr { th { (by) } th { "sessions" } th { "IQS" } th { "machine" } th { "pass rate" } th { "reviewed" } } }
                tbody {
                    @for g in &report.groups {
                        tr {
                            td { a href=(drill(query, &[(by, &g.group)])) { (g.group) } }
                            td.n { (g.sessions) }
                            td.n { (format!("{:.1}", g.iqs)) }
                            td.n { (format!("{:.1}", g.machine_iqs)) }
                            td.n { a href=(drill(query, &[(by, &g.group), ("verdict", "fail")])) { (format_rate(g.pass_rate)) } }
                            td.n { (g.reviewed) }
                        }
                    }
                }
            }
        }
    }
}

/// Who needs coaching on what: each trainee's weakest criteria.
fn weakest(report: &Report, query: &ReportQuery) -> Markup {
    html! {
        h2 { "Who needs coaching on what" }
        @if report.weakest.is_empty() {
            p.muted { "No criterion is below its best for anyone here." }
        } @else {
            div.scroll {
                table {
                    thead { tr { th { "trainee" } th { "criterion" } th { "dimension" } th { "mean after review" } th { "machine" } th { "sessions" } } }
                    tbody {
                        @for trainee in &report.weakest {
                            @for (rank, c) in trainee.criteria.iter().enumerate() {
                                tr {
                                    td { @if rank == 0 { a href=(drill(query, &[("trainee", &trainee.trainee)])) { (trainee.trainee) } } }
                                    td { (c.criterion) }
                                    td { (c.dimension) }
                                    td.n { (format_score(c.final_mean)) }
                                    td.n { (format_score(c.machine_mean)) }
                                    td.n { (c.rated) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
