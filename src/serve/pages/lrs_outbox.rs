//! The learning record store's delivery, on the exports page for admins and QA leads: how many reviewed-score statements are pending, sent and failed (with the LRS's answer), and a button to retry failed ones (audited).

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::store::epoch_text;
use crate::store::outbox::{OutboxCounts, OutboxEntry, OutboxState};
use crate::team::{Action, Actor, Team};

/// The fragment id of the section, where a retry comes back to.
pub const SECTION_ID: &str = "lrs";

/// The outbox's section of the exports page, for a viewer who may manage the delivery.
pub async fn outbox_section(state: &AppState, viewer: &Viewer) -> Result<Markup, PageError> {
    let user = viewer.user().clone();
    let (counts, entries) = state
        .pool
        .run(move |store| Team::new(store).outbox(&user).map_err(PageError::from))
        .await?;
    let target = state
        .config
        .lrs
        .as_ref()
        .map(|lrs| lrs.config.statements_url().to_owned());
    Ok(render(&counts, &entries, target.as_deref(), viewer.csrf()))
}

fn render(
    counts: &OutboxCounts,
    entries: &[OutboxEntry],
    target: Option<&str>,
    csrf: &str,
) -> Markup {
    html! {
        section #(SECTION_ID) aria-labelledby="lrs-title" {
            h2 #lrs-title { "Learning record store" }
            @match target {
                Some(url) => p { "Reviewed scores are sent to " code { (url) } " as they change; a statement the LRS could not take is tried again later." }
                None => p.muted { "This server sends nothing: statements wait here until a server runs with --lrs-url, or someone runs rapport xapi send." }
            }
            p {
                strong { (counts.pending) } " pending · "
                strong { (counts.sent) } " sent · "
                strong class=(if counts.failed > 0 { "fail" } else { "" }) { (counts.failed) } " failed"
            }
            @if counts.failed > 0 {
                (retry_form(csrf, None, "Retry every failed statement"))
            }
            @if entries.is_empty() {
                p.muted { "Nothing queued yet: a review that changes a session's score queues its statement." }
            } @else {
                div.scroll {
                    table.cards {
                        thead { tr { th { "#" } th { "state" } th { "statement" } th { "session" } th { "attempts" } th { "when" } th { "the LRS answered" } th {} } }
                        tbody {
                            @for entry in entries {
                                (row(entry, csrf))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn row(entry: &OutboxEntry, csrf: &str) -> Markup {
    let (class, when) = match entry.state {
        OutboxState::Sent => ("pass", entry.sent_at.unwrap_or(entry.queued_at)),
        OutboxState::Failed => ("fail", entry.queued_at),
        OutboxState::Pending => ("warn", entry.next_attempt_at),
    };
    let when_label = match entry.state {
        OutboxState::Sent => "sent",
        OutboxState::Failed => "queued",
        OutboxState::Pending if entry.attempts > 0 => "next try",
        OutboxState::Pending => "queued",
    };
    html! {
        tr {
            td.n { (entry.id) }
            td data-label="state" { span class=(class) { (entry.state.label()) } }
            td data-label="statement" {
                (entry.kind.label()) " " code { (entry.statement_id) }
                @if let Some(voided) = &entry.voids { br; span.muted { "voids " code { (voided) } } }
            }
            td data-label="session" { a href=(format!("/sessions/{}", entry.session_id)) { code { (short(&entry.session_id)) } } }
            td.n data-label="attempts" { (entry.attempts) }
            td data-label="when" { (when_label) " " (crate::report::format_time(&epoch_text(when))) }
            td data-label="the LRS answered" { (entry.last_answer.as_deref().unwrap_or("–")) }
            td {
                @if entry.state == OutboxState::Failed {
                    (retry_form(csrf, Some(entry.id), "Retry"))
                }
            }
        }
    }
}

fn retry_form(csrf: &str, id: Option<i64>, label: &str) -> Markup {
    html! {
        form method="post" action="/exports/outbox/retry" {
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(id) = id { input type="hidden" name="id" value=(id); }
            button type="submit" { (label) }
        }
    }
}

/// The first characters of a session id, as the session list shows them.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// What a retry sends: one statement's number, or none for every failed one.
#[derive(Debug, Deserialize)]
pub struct RetryForm {
    id: Option<i64>,
}

/// `POST /exports/outbox/retry`: failed statements back in the queue (audited).
pub async fn retry(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<RetryForm>,
) -> Result<Response, PageError> {
    viewer.require(Action::ManageLrs)?;
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            Team::new(store)
                .retry_outbox(&Actor::user(&user), Some(&user), form.id)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to(&format!("/exports#{SECTION_ID}")).into_response())
}
