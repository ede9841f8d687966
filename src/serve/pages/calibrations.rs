//! Calibration sessions: a QA lead picks sessions and reviewers, follows who has rated how much (never what), and reveals; then everyone in it sees the agreement, κ and the ratings, and the lead each reviewer's drift.

use std::collections::{BTreeMap, BTreeSet};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::report::calibration::CalibrationPeriod;
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::layout::{NoticeKind, notice};
use crate::serve::pages::calibration_results::{drift_table, results_body};
use crate::serve::pages::sessions::{ListQuery, short_id};
use crate::serve::pages::signed_in_page;
use crate::store::{SessionSummary, epoch_text};
use crate::team::calibrations::{CalibrationProgress, CalibrationSession};
use crate::team::{Action, Team, User};

/// The most sessions the new-calibration form offers; the filters narrow the rest.
const PICK_LIMIT: usize = 100;

fn when(epoch: i64) -> String {
    crate::report::format_time(&epoch_text(epoch))
}

fn state_word(calibration: &CalibrationSession) -> Markup {
    html! {
        @if calibration.revealed_at.is_some() { span.pass { "revealed" } } @else { span.muted { "blind" } }
    }
}

fn calibration_list(calibrations: &[CalibrationSession]) -> Markup {
    html! {
        @if calibrations.is_empty() {
            p.muted { "No calibration yet." }
        } @else {
            div.scroll {
                table.cards {
                    thead { tr { th { "calibration" } th { "by" } th { "started" } th { "sessions" } th { "reviewers" } th { "state" } } }
                    tbody {
                        @for c in calibrations.iter().rev() {
                            tr {
                                td { a href=(format!("/calibrations/{}", c.id)) { (c.name) } }
                                td data-label="by" { (c.created_by) }
                                td data-label="started" { (when(c.created_at)) }
                                td.n data-label="sessions" { (c.sessions.len()) }
                                td data-label="reviewers" { (c.reviewers.join(", ")) }
                                td data-label="state" { (state_word(c)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The lead's form: a name, sessions to pick (filtered as the session list is) and reviewers.
fn new_calibration_form(
    viewer: &Viewer,
    query: &ListQuery,
    sessions: &[SessionSummary],
    reviewers: &[User],
) -> Markup {
    html! {
        form.filters method="get" action="/calibrations" role="search" {
            label { "Trainee" br; input type="search" name="trainee" value=(query.trainee()); }
            label { "Scenario" br; input type="search" name="scenario" value=(query.scenario()); }
            label { "From" br; input type="date" name="since" value=(query.since()); }
            label { "To" br; input type="date" name="until" value=(query.until()); }
            button type="submit" { "Show these sessions" }
        }
        form.stack method="post" action="/calibrations" {
            input type="hidden" name="csrf" value=(viewer.csrf());
            label for="name" { "Name" }
            input #name type="text" name="name" required maxlength="200" placeholder="e.g. December week 1";
            fieldset.criterion {
                legend { "Sessions to rate" }
                @if sessions.is_empty() { p.muted { "No session matches these filters." } }
                @if sessions.len() > PICK_LIMIT { p.muted { "The newest " (PICK_LIMIT) " of " (sessions.len()) " are offered; narrow the filters to see the rest." } }
                div.scroll.picks {
                    @for s in sessions.iter().take(PICK_LIMIT) {
                        label.pick {
                            input type="checkbox" name="session" value=(s.session_id);
                            span { code { (short_id(&s.session_id)) } " " (s.trainee) " · " (s.scenario_id) " · " (crate::report::format_time(&s.started_at)) }
                        }
                    }
                }
            }
            fieldset.criterion {
                legend { "Reviewers (at least two)" }
                @for r in reviewers {
                    label.pick {
                        input type="checkbox" name="reviewer" value=(r.login);
                        span { (r.display_name) " " span.muted { (r.login) " · " (r.role.label()) } }
                    }
                }
            }
            p { button type="submit" { "Start the calibration" } }
        }
    }
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    query: ListQuery,
    problem: Option<String>,
) -> Result<Markup, PageError> {
    viewer.require(Action::JoinCalibration)?;
    let runs = viewer.may(Action::RunCalibration);
    let user = viewer.user().clone();
    let filter = query.filter()?;
    let (calibrations, sessions, reviewers) = state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            let calibrations = team.calibrations(&user)?;
            let (sessions, reviewers) = if runs {
                let sessions = team.visible_summaries(&user, &filter)?;
                let reviewers = team
                    .users()?
                    .into_iter()
                    .filter(|u| u.active && u.role.allows(Action::JoinCalibration))
                    .collect();
                (sessions, reviewers)
            } else {
                (Vec::new(), Vec::new())
            };
            Ok::<_, PageError>((calibrations, sessions, reviewers))
        })
        .await?;
    let body = html! {
        p.muted { "Reviewers rate the same sessions blind: each sees only their own ratings until the lead reveals them all, with how far they agree." }
        @if let Some(problem) = &problem { (notice(NoticeKind::Error, problem)) }
        (calibration_list(&calibrations))
        @if runs {
            h2 #new { "New calibration" }
            (new_calibration_form(viewer, &query, &sessions, &reviewers))
        }
    };
    Ok(signed_in_page(viewer, "Calibration", body))
}

/// `GET /calibrations`: the calibrations a person runs or takes part in; for leads, a form to
/// start one.
pub async fn show_calibrations(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Result<Markup, PageError> {
    list_page(&state, &viewer, query, None).await
}

/// `POST /calibrations`: a lead starts a calibration; a refusal (too few reviewers, no session)
/// shows the form again with the reason.
pub async fn create_calibration(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    viewer.require(Action::RunCalibration)?;
    let values = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let name = values("name").concat();
    let sessions = values("session");
    let reviewers = values("reviewer");
    let user = viewer.user().clone();
    let created = state
        .pool
        .run(move |store| {
            Ok::<_, PageError>(
                Team::new(store).create_calibration(&user, &name, &sessions, &reviewers),
            )
        })
        .await?;
    match created {
        Ok(calibration) => {
            Ok(Redirect::to(&format!("/calibrations/{}", calibration.id)).into_response())
        }
        Err(crate::team::TeamError::Store(store)) => Err(store.into()),
        Err(refused) => {
            let page = list_page(
                &state,
                &viewer,
                ListQuery::default(),
                Some(refused.to_string()),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// What one calibration page needs, read in one go.
struct CalibrationView {
    calibration: CalibrationSession,
    /// Each session's trainee, scenario and number of criteria.
    sessions: Vec<(SessionSummary, usize)>,
    /// Criteria the viewer has rated, per session (before the reveal: only their own exist).
    own_rated: BTreeMap<String, usize>,
    /// For leads before the reveal: how far each reviewer is.
    progress: Vec<CalibrationProgress>,
    /// After the reveal.
    results: Option<(
        crate::team::calibrations::CalibrationResults,
        Vec<crate::team::calibrations::CalibrationRating>,
    )>,
    /// For leads after the reveal: every reviewer's drift over all revealed calibrations.
    drift: Option<crate::team::calibrations::CalibrationResults>,
}

fn read_calibration(
    team: &mut Team<'_>,
    user: &User,
    calibration_id: i64,
) -> Result<CalibrationView, PageError> {
    let calibration = team.calibration(user, calibration_id)?;
    let runs = user.role.allows(Action::RunCalibration);
    let stored = team.store().load_sessions(&calibration.sessions)?;
    let sessions = stored
        .into_iter()
        .map(|s| {
            let criteria = s.scorecard.criteria.len();
            (s.summary, criteria)
        })
        .collect();
    let mut own_rated: BTreeMap<String, usize> = BTreeMap::new();
    let revealed = calibration.revealed_at.is_some();
    let ratings = team.calibration_ratings(user, calibration_id)?;
    let mine: BTreeSet<(&str, &str)> = ratings
        .iter()
        .filter(|r| r.reviewer == user.login)
        .map(|r| (r.session_id.as_str(), r.criterion.as_str()))
        .collect();
    for (session, _) in mine {
        *own_rated.entry(session.to_owned()).or_default() += 1;
    }
    let progress = if runs && !revealed {
        team.calibration_progress(user, calibration_id)?
    } else {
        Vec::new()
    };
    let results = if revealed {
        Some((team.calibration_results(user, calibration_id)?, ratings))
    } else {
        None
    };
    let drift = if runs && revealed {
        Some(team.calibration_drift(user, CalibrationPeriod::Month)?)
    } else {
        None
    };
    Ok(CalibrationView {
        calibration,
        sessions,
        own_rated,
        progress,
        results,
        drift,
    })
}

fn items_table(view: &CalibrationView, calibration_id: i64, takes_part: bool) -> Markup {
    let revealed = view.calibration.revealed_at.is_some();
    html! {
        div.scroll {
            table.cards {
                thead { tr { th { "session" } th { "trainee" } th { "scenario" } @if takes_part { th { "you rated" } th {} } } }
                tbody {
                    @for (s, criteria) in &view.sessions {
                        @let rated = view.own_rated.get(&s.session_id).copied().unwrap_or(0);
                        tr {
                            td { a href=(format!("/sessions/{}", s.session_id)) { code { (short_id(&s.session_id)) } } }
                            td data-label="trainee" { (s.trainee) }
                            td data-label="scenario" { (s.scenario_id) }
                            @if takes_part {
                                td.n data-label="you rated" { (rated) " of " (criteria) }
                                td {
                                    @if !revealed {
                                        a href=(format!("/calibrations/{calibration_id}/sessions/{}", s.session_id)) {
                                            @if rated == 0 { "Rate blind" } @else { "Change my ratings" }
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
}

fn progress_table(view: &CalibrationView) -> Markup {
    let total: usize = view.sessions.iter().map(|(_, n)| n).sum();
    html! {
        div.scroll {
            table.cards {
                thead { tr { th { "reviewer" } th { "criteria rated" } } }
                tbody {
                    @for p in &view.progress {
                        tr {
                            td { (p.reviewer) }
                            td.n data-label="criteria rated" {
                                (p.rated) " of " (total)
                                @if usize::try_from(p.rated).unwrap_or(0) >= total { " " span.pass { "done" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /calibrations/{id}`.
pub async fn show_calibration(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(calibration_id): Path<i64>,
) -> Result<Markup, PageError> {
    viewer.require(Action::JoinCalibration)?;
    let user = viewer.user().clone();
    let view = state
        .pool
        .run(move |store| read_calibration(&mut Team::new(store), &user, calibration_id))
        .await?;
    let c = &view.calibration;
    let takes_part = c.reviewers.contains(&viewer.user().login);
    let runs = viewer.may(Action::RunCalibration);
    let body = html! {
        p.muted {
            a href="/calibrations" { "All calibrations" } " · started by " (c.created_by) " on " (when(c.created_at))
            " · reviewers " (c.reviewers.join(", ")) " · " (state_word(c))
            @if let Some(at) = c.revealed_at { " on " (when(at)) }
        }
        @if c.revealed_at.is_none() {
            p { "The ratings are blind: each reviewer sees only their own until the lead reveals them." }
        }
        h2 #items { "Sessions" }
        (items_table(&view, calibration_id, takes_part))
        @if runs && c.revealed_at.is_none() {
            h2 #progress { "Progress" }
            p.muted { "How much each reviewer has rated, not what: the lead is blind too until the reveal." }
            (progress_table(&view))
            form method="post" action=(format!("/calibrations/{calibration_id}/reveal")) {
                input type="hidden" name="csrf" value=(viewer.csrf());
                p { button type="submit" { "Reveal the ratings" } " " span.muted { "Rating closes; everyone in the calibration sees every rating and the agreement." } }
            }
        }
        @if let Some((results, ratings)) = &view.results {
            (results_body(results, ratings))
        }
        @if let Some(drift) = &view.drift {
            h2 #drift { "Drift: each reviewer against the consensus, month by month" }
            p.muted { "Over every revealed calibration, so a reviewer drifting away from the team shows here before it shows in trainees' scores." }
            (drift_table(drift))
        }
    };
    Ok(signed_in_page(
        &viewer,
        &format!("Calibration: {}", c.name),
        body,
    ))
}

/// `POST /calibrations/{id}/reveal`.
pub async fn reveal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(calibration_id): Path<i64>,
) -> Result<Response, PageError> {
    viewer.require(Action::RunCalibration)?;
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            Team::new(store)
                .reveal_calibration(&user, calibration_id)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to(&format!("/calibrations/{calibration_id}#agreement")).into_response())
}
