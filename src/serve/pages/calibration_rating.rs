//! A reviewer rates one calibration session blind, on the whole-scorecard form: the machine's rating and evidence, their own earlier ratings, and never another reviewer's.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::report::review::{CriterionView, criterion_views};
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::layout::{NoticeKind, REVIEW_SCRIPT_PATH, notice};
use crate::serve::pages::review_form::{FormWords, read_review_form, review_form};
use crate::serve::pages::signed_in_page_with_script;
use crate::store::StoredSession;
use crate::team::calibrations::{CalibrationRating, CalibrationSession};
use crate::team::{Action, Team, TeamError};

const CALIBRATION_WORDS: FormWords = FormWords {
    what_saving_does: "Your ratings are blind: nobody sees them, nor you theirs, until the lead reveals the calibration. Rating again replaces your earlier rating.",
    preset: "your rating so far",
    submit: "Save my calibration ratings",
};

/// The criteria as the blind form shows them: the machine's rating and evidence, each preset to
/// the viewer's own latest rating (or the machine's), with no trace of anyone's review.
fn blind_views(session: &StoredSession, own: &[CalibrationRating]) -> Vec<CriterionView> {
    criterion_views(session)
        .into_iter()
        .map(|mut view| {
            let mine = own.iter().rev().find(|r| r.criterion == view.criterion);
            view.effective_rating = mine.map_or(view.machine_rating, |r| r.rating);
            view.reviews.clear();
            view.adjudicated = false;
            view.reviewers_disagree = false;
            view
        })
        .collect()
}

/// The calibration, the session and the viewer's own ratings of it, for a reviewer taking part
/// before the reveal. A lead who does not take part may not rate (403); a session outside the
/// calibration is not found.
fn read_item(
    team: &mut Team<'_>,
    viewer: &crate::team::User,
    calibration_id: i64,
    session_id: &str,
) -> Result<(CalibrationSession, StoredSession, Vec<CalibrationRating>), PageError> {
    let calibration = team.calibration(viewer, calibration_id)?;
    if !calibration.reviewers.contains(&viewer.login) {
        return Err(PageError::Forbidden);
    }
    if !calibration.sessions.iter().any(|s| s == session_id) {
        return Err(PageError::NotFound);
    }
    let session = team
        .store()
        .load_sessions(&[session_id.to_owned()])?
        .pop()
        .ok_or(PageError::NotFound)?;
    let own: Vec<CalibrationRating> = team
        .calibration_ratings(viewer, calibration_id)?
        .into_iter()
        .filter(|r| r.session_id == session_id && r.reviewer == viewer.login)
        .collect();
    Ok((calibration, session, own))
}

fn rating_page(
    viewer: &Viewer,
    calibration: &CalibrationSession,
    session: &StoredSession,
    own: &[CalibrationRating],
    problem: Option<&str>,
) -> Markup {
    let id = &session.summary.session_id;
    let position = calibration
        .sessions
        .iter()
        .position(|s| s == id)
        .unwrap_or(0);
    let body = html! {
        p.muted {
            a href=(format!("/calibrations/{}", calibration.id)) { "Back to the calibration" } " · "
            a href=(format!("/sessions/{id}#transcript")) { "Read the transcript" } " · "
            "session " (position + 1) " of " (calibration.sessions.len()) " · "
            code { (crate::serve::pages::sessions::short_id(id)) } " · " (session.summary.trainee) " · " (session.summary.scenario_id)
        }
        @if let Some(problem) = problem { (notice(NoticeKind::Error, problem)) }
        @if calibration.revealed_at.is_some() {
            (notice(NoticeKind::Error, "This calibration is revealed: its ratings are closed."))
        } @else {
            (review_form(
                &format!("/calibrations/{}/sessions/{id}", calibration.id),
                viewer.csrf(),
                &blind_views(session, own),
                html! {},
                CALIBRATION_WORDS,
            ))
        }
    };
    signed_in_page_with_script(
        viewer,
        &format!("Calibration: {}", calibration.name),
        body,
        Some(REVIEW_SCRIPT_PATH),
    )
}

/// `GET /calibrations/{id}/sessions/{session}`.
pub async fn show_rating(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((calibration_id, session_id)): Path<(i64, String)>,
) -> Result<Markup, PageError> {
    viewer.require(Action::JoinCalibration)?;
    let user = viewer.user().clone();
    let (calibration, session, own) = state
        .pool
        .run(move |store| read_item(&mut Team::new(store), &user, calibration_id, &session_id))
        .await?;
    Ok(rating_page(&viewer, &calibration, &session, &own, None))
}

/// `POST /calibrations/{id}/sessions/{session}`: the whole card, then on to the next session
/// the viewer has not rated, or back to the calibration.
pub async fn submit_rating(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((calibration_id, session_id)): Path<(i64, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    viewer.require(Action::JoinCalibration)?;
    let user = viewer.user().clone();
    let id = session_id.clone();
    let (calibration, session, own) = state
        .pool
        .run(move |store| read_item(&mut Team::new(store), &user, calibration_id, &id))
        .await?;
    let views = blind_views(&session, &own);
    let ratings = match read_review_form(&fields, &views) {
        Ok(ratings) => ratings,
        Err(problem) => {
            let page = rating_page(&viewer, &calibration, &session, &own, Some(&problem));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let user = viewer.user().clone();
    let id = session_id.clone();
    let next = state
        .pool
        .run(move |store| {
            save_and_find_next(&mut Team::new(store), &user, calibration_id, &id, &ratings)
                .map_err(PageError::from)
        })
        .await?;
    match next {
        Some(next) => Ok(
            Redirect::to(&format!("/calibrations/{calibration_id}/sessions/{next}"))
                .into_response(),
        ),
        None => Ok(Redirect::to(&format!("/calibrations/{calibration_id}#items")).into_response()),
    }
}

/// Stores the ratings; the next session of the calibration the reviewer has not rated at all.
fn save_and_find_next(
    team: &mut Team<'_>,
    user: &crate::team::User,
    calibration_id: i64,
    session_id: &str,
    ratings: &[crate::report::review::CriterionRating],
) -> Result<Option<String>, TeamError> {
    team.rate_in_calibration(user, calibration_id, session_id, ratings)?;
    let rated: Vec<String> = team
        .calibration_ratings(user, calibration_id)?
        .into_iter()
        .filter(|r| r.reviewer == user.login)
        .map(|r| r.session_id)
        .collect();
    Ok(team
        .calibration(user, calibration_id)?
        .sessions
        .into_iter()
        .find(|s| !rated.contains(s)))
}
