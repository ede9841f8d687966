//! Review queues: a reviewer's "my queue", and for QA leads the unassigned and open items, assigning them and applying the sampling rules.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::pages::sessions::short_id;
use crate::serve::pages::signed_in_page;
use crate::team::queues::{QueueItem, QueueState};
use crate::team::{Action, Team};

fn items_table(items: &[QueueItem], assign: Option<&str>) -> Markup {
    html! {
        @if items.is_empty() {
            p.muted { "Nothing here." }
        } @else {
            div.scroll {
                table.cards {
                    thead { tr { th { "session" } th { "trainee" } th { "scenario" } th { "why" } th { "reviewer" } th {} } }
                    tbody {
                        @for item in items {
                            tr {
                                td { a href=(format!("/sessions/{}", item.session_id)) { code { (short_id(&item.session_id)) } } }
                                td data-label="trainee" { (item.trainee) }
                                td data-label="scenario" { (item.scenario_id) }
                                td data-label="why" { (item.reason) }
                                td data-label="reviewer" { (item.reviewer.as_deref().unwrap_or("—")) }
                                td {
                                    @if let Some(csrf) = assign {
                                        form.filters method="post" action=(format!("/queue/{}/assign", item.id)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            label { "Reviewer" br; input type="text" name="reviewer" required size="10"; }
                                            button type="submit" { "Assign" }
                                        }
                                    } @else {
                                        a href=(format!("/sessions/{}/review", item.session_id)) { "Review" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /queue`.
pub async fn show_queue(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Markup, PageError> {
    viewer.require(Action::WorkQueue)?;
    let user = viewer.user().clone();
    let leads = viewer.may(Action::ManageQueues);
    let (mine, unassigned, open) = state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            let mine = team.my_queue(&user)?;
            let (unassigned, open) = if leads {
                (
                    team.queue(&user, QueueState::Unassigned)?,
                    team.queue(&user, QueueState::Open)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok::<_, PageError>((mine, unassigned, open))
        })
        .await?;
    let body = html! {
        h2 { "My queue" }
        (items_table(&mine, None))
        @if leads {
            h2 { "Waiting for a reviewer" }
            form method="post" action="/queue/sample" {
                input type="hidden" name="csrf" value=(viewer.csrf());
                p { button type="submit" { "Apply the sampling rules now" } " " a href="/queue/rules" { "Set the sampling rules" } }
            }
            (items_table(&unassigned, Some(viewer.csrf())))
            h2 { "Assigned, not reviewed yet" }
            (items_table(&open, Some(viewer.csrf())))
        }
    };
    Ok(signed_in_page(&viewer, "Review queue", body))
}

/// What the assign form sends.
#[derive(Debug, Deserialize)]
pub struct Assign {
    reviewer: String,
}

/// `POST /queue/{item}/assign`.
pub async fn assign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(item): Path<i64>,
    Form(form): Form<Assign>,
) -> Result<Response, PageError> {
    viewer.require(Action::ManageQueues)?;
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            Team::new(store)
                .assign_item(&user, item, &form.reviewer)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to("/queue").into_response())
}

/// `POST /queue/sample`.
pub async fn apply_sampling(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer.require(Action::ManageQueues)?;
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            Team::new(store)
                .apply_sampling(&user)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to("/queue").into_response())
}
