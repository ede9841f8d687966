//! The sessions a person may see, filtered (trainee, team, scenario, dates, verdict), and one session in full.

use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use crate::report::parse_date_bound;
use crate::report::review::criterion_views;
use crate::serve::app::AppState;
use crate::serve::auth::{Viewer, authorize};
use crate::serve::error::PageError;
use crate::serve::pages::disputes::{dispute_form, dispute_list};
use crate::serve::pages::session_detail::{session_body, verdict};
use crate::serve::pages::signed_in_page;
use crate::store::{Filter, SessionSummary, StoredSession};
use crate::team::{Action, Role, Target, Team};

/// The most sessions one list page shows; the filters narrow the rest.
pub const LIST_LIMIT: usize = 200;

/// The list's filters, as the form sends them (empty fields mean "any").
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    trainee: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    scenario: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    since: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    until: String,
    /// `pass`, `fail` or empty.
    #[serde(default)]
    verdict: String,
}

impl ListQuery {
    pub fn trainee(&self) -> &str {
        &self.trainee
    }
    pub fn team(&self) -> &str {
        &self.team
    }
    pub fn scenario(&self) -> &str {
        &self.scenario
    }
    pub fn since(&self) -> &str {
        &self.since
    }
    pub fn until(&self) -> &str {
        &self.until
    }

    /// The store's filter; a date that does not read is said plainly.
    pub fn filter(&self) -> Result<Filter, PageError> {
        let one = |text: &str| -> Vec<String> {
            let text = text.trim();
            if text.is_empty() {
                Vec::new()
            } else {
                vec![text.to_owned()]
            }
        };
        let date = |text: &str, end: bool| -> Result<Option<i64>, PageError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse_date_bound(text, end)
                .map(Some)
                .map_err(|e| PageError::BadRequest(e.0))
        };
        Ok(Filter {
            trainees: one(&self.trainee),
            teams: one(&self.team),
            scenarios: one(&self.scenario),
            since: date(&self.since, false)?,
            until: date(&self.until, true)?,
        })
    }

    fn keeps(&self, summary: &SessionSummary) -> bool {
        match self.verdict.as_str() {
            "pass" => summary.final_passed,
            "fail" => !summary.final_passed,
            _ => true,
        }
    }
}

/// `GET /sessions`.
pub async fn list_sessions(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Result<Markup, PageError> {
    let filter = query.filter()?;
    let user = viewer.user().clone();
    let summaries = state
        .pool
        .run(move |store| {
            Team::new(store)
                .visible_summaries(&user, &filter)
                .map_err(PageError::from)
        })
        .await?;
    let shown: Vec<&SessionSummary> = summaries.iter().filter(|s| query.keeps(s)).collect();
    let is_trainee = viewer.user().role == Role::Trainee;
    let body = html! {
        form.filters method="get" action="/sessions" role="search" {
            @if !is_trainee {
                label { "Trainee" br; input type="search" name="trainee" value=(query.trainee); }
                label { "Team" br; input type="search" name="team" value=(query.team); }
            }
            label { "Scenario" br; input type="search" name="scenario" value=(query.scenario); }
            label { "From" br; input type="date" name="since" value=(query.since); }
            label { "To" br; input type="date" name="until" value=(query.until); }
            label { "Verdict" br;
                select name="verdict" {
                    option value="" selected[query.verdict.is_empty()] { "any" }
                    option value="pass" selected[query.verdict == "pass"] { "pass" }
                    option value="fail" selected[query.verdict == "fail"] { "fail" }
                }
            }
            button type="submit" { "Filter" }
        }
        p.muted {
            (shown.len()) " session(s)"
            @if shown.len() > LIST_LIMIT { ", the newest " (LIST_LIMIT) " shown; narrow the filters to see the rest" }
            "."
        }
        (session_table(&shown[..shown.len().min(LIST_LIMIT)]))
    };
    Ok(signed_in_page(&viewer, "Sessions", body))
}

/// A table of sessions, each linking to its page.
pub fn session_table(sessions: &[&SessionSummary]) -> Markup {
    html! {
        div.scroll {
            table.cards {
                thead { tr { th { "session" } th { "started" } th { "trainee" } th { "scenario" } th { "outcome" } th { "machine" } th { "final" } } }
                tbody {
                    @for s in sessions {
                        tr {
                            td { a href=(format!("/sessions/{}", s.session_id)) { code { (short_id(&s.session_id)) } } }
                            td data-label="started" { (crate::report::format_time(&s.started_at)) }
                            td data-label="trainee" { (s.trainee) @if let Some(team) = &s.team { br; span.muted { (team) } } }
                            td data-label="scenario" { (s.scenario_id) }
                            td data-label="outcome" { (s.outcome) }
                            td.n data-label="machine" { (format!("{:.1}", s.overall)) " " (verdict(s.passed)) }
                            td.n data-label="final" {
                                (format!("{:.1}", s.final_overall)) " " (verdict(s.final_passed))
                                @if s.reviewed { br; span.muted { "reviewed" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The first characters of a session id, enough to tell sessions apart in a list.
pub fn short_id(id: &str) -> String {
    id.chars().take(crate::report::table::SHORT_ID).collect()
}

/// Loads one session the viewer may take `action` on; any other id is not found, whether it
/// exists or not. The id must be whole: a prefix would let ids be probed a character at a time.
pub async fn load_authorized(
    state: &AppState,
    viewer: &Viewer,
    action: Action,
    session_id: String,
) -> Result<StoredSession, PageError> {
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            authorize(&mut team, &user, action, &session_id)?;
            team.store()
                .load_sessions(std::slice::from_ref(&session_id))?
                .pop()
                .ok_or(PageError::NotFound)
        })
        .await
}

/// `GET /sessions/{id}`.
pub async fn show_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(session_id): Path<String>,
) -> Result<Markup, PageError> {
    let user = viewer.user().clone();
    // One trip to the store for the whole page: the session and what the viewer may do with it.
    let (session, may_review, may_dispute, disputes) = state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            authorize(&mut team, &user, Action::ViewSession, &session_id)?;
            let session = team
                .store()
                .load_sessions(std::slice::from_ref(&session_id))?
                .pop()
                .ok_or(PageError::NotFound)?;
            let target = Target::Session(&session_id);
            let may_review = team.can(&user, Action::ReviewSession, target)?;
            let may_dispute = team.can(&user, Action::RaiseDispute, target)?;
            let disputes = team.disputes_of_session(&user, &session_id)?;
            Ok::<_, PageError>((session, may_review, may_dispute, disputes))
        })
        .await?;
    let session_id = &session.summary.session_id;
    let actions = html! {
        @if may_review {
            p { a href=(format!("/sessions/{session_id}/review")) { "Review this session" } }
        }
        @if may_dispute {
            (dispute_form(session_id, viewer.csrf(), &criterion_views(&session)))
        }
        (dispute_list(&disputes))
    };
    let title = format!(
        "{} · {}",
        session.summary.scenario_id, session.summary.trainee
    );
    Ok(signed_in_page(
        &viewer,
        &title,
        session_body(&session, actions),
    ))
}
