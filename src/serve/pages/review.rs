//! Reviewing a whole scorecard on one page: every criterion rated (or N/A) with a comment, stored as new append-only reviews in one transaction; a QA lead may record them as an adjudication.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::report::review::{ReviewError, criterion_views, recorded_rubric};
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::layout::REVIEW_SCRIPT_PATH;
use crate::serve::layout::{NoticeKind, notice};
use crate::serve::pages::review_form::{REVIEW_WORDS, read_review_form, review_form};
use crate::serve::pages::sessions::load_authorized;
use crate::serve::pages::signed_in_page_with_script;
use crate::store::{ReviewKind, StoredSession};
use crate::team::queues::ReviewSubmission;
use crate::team::{Action, Team, TeamError};

/// The form field choosing a lead's kind of review.
const KIND_FIELD: &str = "kind";

fn review_page(viewer: &Viewer, session: &StoredSession, problem: Option<&str>) -> Markup {
    let id = &session.summary.session_id;
    let views = criterion_views(session);
    let kind_choice = html! {
        @if viewer.may(Action::Adjudicate) {
            fieldset.criterion {
                legend { "Kind of review" }
                div.ratings {
                    label { input type="radio" name=(KIND_FIELD) value="rating" checked; span { "my rating" } }
                    label { input type="radio" name=(KIND_FIELD) value="adjudication"; span { "adjudication (final word)" } }
                }
            }
        }
    };
    let body = html! {
        p.muted {
            a href=(format!("/sessions/{id}")) { "Back to the session" } " · "
            code { (id) } " · " (session.summary.trainee) " · " (session.summary.scenario_id)
            " · machine " (format!("{:.1}", session.summary.overall))
            @if session.summary.reviewed { " · after review " (format!("{:.1}", session.summary.final_overall)) }
        }
        @if let Some(problem) = problem { (notice(NoticeKind::Error, problem)) }
        (review_form(&format!("/sessions/{id}/review"), viewer.csrf(), &views, kind_choice, REVIEW_WORDS))
    };
    signed_in_page_with_script(viewer, "Review", body, Some(REVIEW_SCRIPT_PATH))
}

/// `GET /sessions/{id}/review`.
pub async fn show_review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(session_id): Path<String>,
) -> Result<Markup, PageError> {
    let session = load_authorized(&state, &viewer, Action::ReviewSession, session_id).await?;
    Ok(review_page(&viewer, &session, None))
}

/// `POST /sessions/{id}/review`: stores the whole card, then back to the session.
pub async fn submit_review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(session_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let session =
        load_authorized(&state, &viewer, Action::ReviewSession, session_id.clone()).await?;
    let kind = match fields
        .iter()
        .find(|(name, _)| name == KIND_FIELD)
        .map(|(_, v)| v.as_str())
    {
        None | Some("rating") => ReviewKind::Rating,
        Some("adjudication") => {
            viewer.require(Action::Adjudicate)?;
            ReviewKind::Adjudication
        }
        Some(other) => {
            return Err(PageError::BadRequest(format!(
                "`{other}` is not a kind of review; choose a rating or an adjudication"
            )));
        }
    };
    let views = criterion_views(&session);
    let ratings = match read_review_form(&fields, &views) {
        Ok(ratings) => ratings,
        Err(problem) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                review_page(&viewer, &session, Some(&problem)),
            )
                .into_response());
        }
    };
    let submission = ReviewSubmission {
        session_id: session.summary.session_id.clone(),
        ratings,
        kind,
    };
    let user = viewer.user().clone();
    // The team core stores the whole card, completes the reviewer's queue item and writes the
    // audit entry in one transaction.
    let stored = state
        .pool
        .run(move |store| {
            Ok::<_, PageError>(Team::new(store).submit_review(
                &user,
                &submission,
                &|s: &StoredSession| recorded_rubric(s, None),
            ))
        })
        .await?;
    match stored {
        Ok(_) => Ok(Redirect::to(&format!("/sessions/{session_id}#scorecard")).into_response()),
        Err(TeamError::Review(ReviewError::Store(store))) => Err(store.into()),
        Err(TeamError::Review(other)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            review_page(&viewer, &session, Some(&other.to_string())),
        )
            .into_response()),
        Err(other) => Err(other.into()),
    }
}
