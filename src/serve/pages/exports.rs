//! Exports of what a person may see, with the dashboard's filters: CSV (sessions or groups; formula-looking text neutralised by the report's CSV writer), JSON, the single-file HTML report and xAPI statements; for admins and QA leads, the LRS delivery of reviewed scores.

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::report::html::render_html;
use crate::report::table::{CsvRows, render_csv};
use crate::report::{load_recent, xapi};
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::pages::report_query::{ReportQuery, visible_report};
use crate::serve::pages::{lrs_outbox, signed_in_page};
use crate::team::Action;

/// The formats offered, by file name.
const FILES: [(&str, &str); 5] = [
    ("sessions.csv", "every session, one row each (CSV)"),
    ("groups.csv", "the groups' scores (CSV)"),
    ("report.json", "the whole report (JSON)"),
    (
        "report.html",
        "the single-file HTML report, with the newest sessions' transcripts",
    ),
    (
        "xapi.json",
        "xAPI statements for a learning record store (reviewed scores void the old ones)",
    ),
];

/// `GET /exports`: the files, each with the dashboard's filters carried over.
pub async fn show_exports(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Markup, PageError> {
    viewer.require(Action::Export)?;
    let outbox = if viewer.may(Action::ManageLrs) {
        Some(lrs_outbox::outbox_section(&state, &viewer).await?)
    } else {
        None
    };
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    let body = html! {
        p.muted { "Each file holds only the sessions you may see. Filter on the " a href=(format!("/dashboard{query}")) { "dashboard" } " first to narrow them." }
        ul {
            @for (file, what) in FILES {
                li { a href=(format!("/exports/{file}{query}")) download { (file) } " — " (what) }
            }
        }
        @if let Some(outbox) = outbox { (outbox) }
    };
    Ok(signed_in_page(&viewer, "Exports", body))
}

/// `GET /exports/{file}`: the file, as a download.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    if !FILES.iter().any(|(name, _)| *name == file) {
        return Err(PageError::NotFound);
    }
    let report = visible_report(&state, &viewer, Action::Export, &query).await?;
    let (content_type, text) = match file.as_str() {
        "sessions.csv" => (
            "text/csv; charset=utf-8",
            render_csv(&report, CsvRows::Sessions),
        ),
        "groups.csv" => (
            "text/csv; charset=utf-8",
            render_csv(&report, CsvRows::Groups),
        ),
        "report.json" => (
            "application/json",
            serde_json::to_string_pretty(&report).map_err(|e| PageError::Store(e.to_string()))?,
        ),
        "report.html" => {
            let report = report.clone();
            let html = state
                .pool
                .run(move |store| {
                    let sessions = load_recent(store, &report)?;
                    Ok::<_, PageError>(render_html(&report, &sessions))
                })
                .await?;
            ("text/html; charset=utf-8", html)
        }
        _ => {
            let sessions = report.sessions.clone();
            let ids: std::collections::BTreeSet<String> =
                sessions.iter().map(|s| s.session_id.clone()).collect();
            let filter = report.filter.clone();
            let base = state.config.xapi_base.clone();
            let value = state
                .pool
                .run(move |store| {
                    let revisions = store
                        .score_revisions(&filter)?
                        .into_iter()
                        .filter(|r| ids.contains(&r.session_id))
                        .collect::<Vec<_>>();
                    Ok::<_, PageError>(xapi::statements(&sessions, &revisions, &base))
                })
                .await?;
            (
                "application/json",
                serde_json::to_string_pretty(&value)
                    .map_err(|e| PageError::Store(e.to_string()))?,
            )
        }
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"rapport-{file}\""),
            ),
        ],
        text,
    )
        .into_response())
}
