//! Disputes: a trainee disputes one criterion of their own session with a reason; a QA lead accepts (setting the rating, audited) or rejects with a reply; the trainee sees the outcome.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::report::review::CriterionView;
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::pages::sessions::short_id;
use crate::serve::pages::signed_in_page;
use crate::team::disputes::{Dispute, DisputeState};
use crate::team::{Action, Team};

/// The dispute form under a trainee's own session.
pub fn dispute_form(session_id: &str, csrf: &str, views: &[CriterionView]) -> Markup {
    html! {
        details.card {
            summary { "Dispute a score" }
            form.stack method="post" action=(format!("/sessions/{session_id}/disputes")) {
                input type="hidden" name="csrf" value=(csrf);
                label for="criterion" { "Criterion" }
                select #criterion name="criterion" required {
                    @for view in views { option value=(view.criterion) { (view.title) } }
                }
                label for="reason" { "Why the score is wrong" }
                textarea #reason name="reason" rows="3" required maxlength="2000" {}
                p { button type="submit" { "Send the dispute" } }
            }
        }
    }
}

/// The disputes of one session, for its page.
pub fn dispute_list(disputes: &[Dispute]) -> Markup {
    html! {
        @if !disputes.is_empty() {
            h2 #disputes { "Disputes" }
            @for d in disputes { (dispute_card(d, None)) }
        }
    }
}

fn state_label(state: DisputeState) -> &'static str {
    match state {
        DisputeState::Open => "open",
        DisputeState::Accepted => "accepted",
        DisputeState::Rejected => "rejected",
    }
}

fn dispute_card(d: &Dispute, decide_csrf: Option<&str>) -> Markup {
    html! {
        div.card {
            p {
                b { (d.criterion) } " of " a href=(format!("/sessions/{}", d.session_id)) { code { (short_id(&d.session_id)) } }
                " · raised by " (d.raised_by) " · " b { (state_label(d.state)) }
            }
            p { "“" (d.reason) "”" }
            @if let Some(reply) = &d.reply {
                p { (d.decided_by.as_deref().unwrap_or("")) ": " (reply) }
            }
            @if let Some(csrf) = decide_csrf {
                form.filters method="post" action=(format!("/disputes/{}/decide", d.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "Reply" br; input type="text" name="reply" required; }
                    label { "New rating (if accepted)" br; input type="text" name="rating" size="4" placeholder="N or na"; }
                    button type="submit" name="decision" value="accept" { "Accept" }
                    button type="submit" name="decision" value="reject" { "Reject" }
                }
            }
        }
    }
}

/// `GET /disputes`: a trainee's own disputes, or the open ones for a lead.
pub async fn show_disputes(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Markup, PageError> {
    let decides = viewer.may(Action::DecideDispute);
    if !decides && !viewer.may(Action::RaiseDispute) {
        return Err(PageError::Forbidden);
    }
    let user = viewer.user().clone();
    let disputes = state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            if decides {
                team.open_disputes(&user)
            } else {
                team.my_disputes(&user)
            }
            .map_err(PageError::from)
        })
        .await?;
    let body = html! {
        @if disputes.is_empty() { p.muted { "No dispute here." } }
        @for d in &disputes { (dispute_card(d, decides.then(|| viewer.csrf()))) }
    };
    Ok(signed_in_page(&viewer, "Disputes", body))
}

/// What the dispute form sends.
#[derive(Debug, Deserialize)]
pub struct Raise {
    criterion: String,
    reason: String,
}

/// `POST /sessions/{id}/disputes`.
pub async fn raise(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(session_id): Path<String>,
    Form(form): Form<Raise>,
) -> Result<Response, PageError> {
    let user = viewer.user().clone();
    let id = session_id.clone();
    state
        .pool
        .run(move |store| {
            Team::new(store)
                .raise_dispute(&user, &id, &form.criterion, &form.reason)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to(&format!("/sessions/{session_id}#disputes")).into_response())
}

/// What a lead's decision sends.
#[derive(Debug, Deserialize)]
pub struct Decide {
    decision: String,
    reply: String,
    #[serde(default)]
    rating: String,
}

/// `POST /disputes/{id}/decide`.
pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(dispute): Path<i64>,
    Form(form): Form<Decide>,
) -> Result<Response, PageError> {
    viewer.require(Action::DecideDispute)?;
    let user = viewer.user().clone();
    let rating = match form.rating.trim().to_ascii_lowercase().as_str() {
        "" | "na" | "n/a" => None,
        text => Some(text.parse::<i32>().map_err(|_| {
            PageError::BadRequest(format!(
                "`{text}` is not a rating; give a whole number or na"
            ))
        })?),
    };
    state
        .pool
        .run(move |store| {
            let mut team = Team::new(store);
            match form.decision.as_str() {
                "accept" => team
                    .accept_dispute(&user, dispute, rating, &form.reply, &|s| {
                        crate::report::review::recorded_rubric(s, None)
                    })
                    .map(drop),
                "reject" => team.reject_dispute(&user, dispute, &form.reply).map(drop),
                other => {
                    return Err(PageError::BadRequest(format!(
                        "`{other}` is not a decision; accept or reject"
                    )));
                }
            }
            .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to("/disputes").into_response())
}
