//! The queue's sampling rules, for QA leads: every rule with its seed, a form to add one (per trainee per week, all failed calls, all critical failures, random n %), and turning a rule off or on.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::report::parse_date_bound;
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::layout::{NoticeKind, notice};
use crate::serve::pages::signed_in_page;
use crate::store::epoch_text;
use crate::team::queues::{QueueRule, Sampling};
use crate::team::{Action, Team};

/// A rule in words.
fn describe(sampling: Sampling) -> String {
    match sampling {
        Sampling::PerTraineePerWeek { sessions } => {
            format!("{sessions} session(s) of each trainee each week")
        }
        Sampling::AllFailed => "every call the machine failed".to_owned(),
        Sampling::AllCriticalFailures => "every call with a failed critical criterion".to_owned(),
        Sampling::RandomPercent { percent } => format!("{percent}% of calls, at random"),
    }
}

fn rules_table(rules: &[QueueRule], csrf: &str) -> Markup {
    html! {
        @if rules.is_empty() {
            p.muted { "No rule yet: nothing is queued by sampling." }
        } @else {
            div.scroll {
                table.cards {
                    thead { tr { th { "rule" } th { "picks" } th { "seed" } th { "since" } th { "state" } th {} } }
                    tbody {
                        @for rule in rules {
                            tr {
                                td { "#" (rule.id) }
                                td data-label="picks" { (describe(rule.sampling)) }
                                td.n data-label="seed" { (rule.seed) }
                                td data-label="since" {
                                    @match rule.since {
                                        Some(since) => { (crate::report::format_time(&epoch_text(since))) }
                                        None => { span.muted { "any time" } }
                                    }
                                }
                                td data-label="state" {
                                    @if rule.active { span.pass { "on" } } @else { span.muted { "off" } }
                                }
                                td {
                                    form method="post" action=(format!("/queue/rules/{}", rule.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="active" value=(if rule.active { "off" } else { "on" });
                                        button type="submit" { @if rule.active { "Turn off" } @else { "Turn on" } }
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

fn add_rule_form(csrf: &str) -> Markup {
    html! {
        form.stack method="post" action="/queue/rules" {
            input type="hidden" name="csrf" value=(csrf);
            label for="kind" { "Pick" }
            select #kind name="kind" required {
                option value="per-trainee-per-week" { "N sessions of each trainee each week" }
                option value="all-failed" { "every failed call" }
                option value="all-critical-failures" { "every critical failure" }
                option value="random-percent" { "N % of calls at random" }
            }
            label for="amount" { "N (sessions per week, or percent)" }
            input #amount type="text" name="amount" inputmode="decimal" size="6" placeholder="e.g. 2 or 10";
            label for="seed" { "Seed (blank: one is chosen; written down so a sample can be redrawn)" }
            input #seed type="text" name="seed" inputmode="numeric";
            label for="since" { "Only sessions from (blank: any time)" }
            input #since type="date" name="since";
            p { button type="submit" { "Add the rule" } }
        }
    }
}

/// What the rules page is told after a change.
#[derive(Debug, Default, Deserialize)]
pub struct RulesNotice {
    #[serde(default)]
    added: Option<i64>,
}

/// `GET /queue/rules`.
pub async fn show_rules(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<RulesNotice>,
) -> Result<Markup, PageError> {
    viewer.require(Action::ManageQueues)?;
    let rules = state
        .pool
        .run(|store| Team::new(store).queue_rules().map_err(PageError::from))
        .await?;
    let body = html! {
        p.muted { a href="/queue" { "Back to the queue" } " · A rule queues the sessions it picks when the rules are applied; a session is queued once, however many rules pick it." }
        @if let Some(id) = done.added { (notice(NoticeKind::Done, &format!("Rule #{id} added. Apply the rules to queue what it picks."))) }
        (rules_table(&rules, viewer.csrf()))
        form method="post" action="/queue/sample" {
            input type="hidden" name="csrf" value=(viewer.csrf());
            p { button type="submit" { "Apply the sampling rules now" } }
        }
        h2 #add { "Add a rule" }
        (add_rule_form(viewer.csrf()))
    };
    Ok(signed_in_page(&viewer, "Sampling rules", body))
}

/// What the add form sends.
#[derive(Debug, Deserialize)]
pub struct NewRule {
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    seed: String,
    #[serde(default)]
    since: String,
}

impl NewRule {
    fn sampling(&self) -> Result<Sampling, PageError> {
        let amount = self.amount.trim().trim_end_matches('%').trim();
        let needs = |what: &str| {
            PageError::BadRequest(format!("`{amount}` is not {what}; give it in the N field"))
        };
        match self.kind.as_str() {
            "per-trainee-per-week" => Ok(Sampling::PerTraineePerWeek {
                sessions: amount
                    .parse()
                    .map_err(|_| needs("a number of sessions per week"))?,
            }),
            "all-failed" => Ok(Sampling::AllFailed),
            "all-critical-failures" => Ok(Sampling::AllCriticalFailures),
            "random-percent" => Ok(Sampling::RandomPercent {
                percent: amount.parse().map_err(|_| needs("a percentage"))?,
            }),
            other => Err(PageError::BadRequest(format!(
                "`{other}` is not a kind of rule; choose one from the list"
            ))),
        }
    }

    fn seed(&self) -> Result<i64, PageError> {
        let seed = self.seed.trim();
        if seed.is_empty() {
            // Any seed does; the rule keeps it, so its sample can be redrawn and checked.
            return Ok(i64::from(rand::random::<u32>()));
        }
        seed.parse().map_err(|_| {
            PageError::BadRequest(format!(
                "`{seed}` is not a seed; give a whole number or leave it blank"
            ))
        })
    }

    fn since(&self) -> Result<Option<i64>, PageError> {
        let since = self.since.trim();
        if since.is_empty() {
            return Ok(None);
        }
        parse_date_bound(since, false)
            .map(Some)
            .map_err(|e| PageError::BadRequest(e.0))
    }
}

/// `POST /queue/rules`.
pub async fn add_rule(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewRule>,
) -> Result<Response, PageError> {
    viewer.require(Action::ManageQueues)?;
    let (sampling, seed, since) = (form.sampling()?, form.seed()?, form.since()?);
    let user = viewer.user().clone();
    let rule = state
        .pool
        .run(move |store| {
            Team::new(store)
                .add_queue_rule(&user, sampling, seed, since)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to(&format!("/queue/rules?added={}", rule.id)).into_response())
}

/// What turning a rule off or on sends.
#[derive(Debug, Deserialize)]
pub struct RuleSwitch {
    active: String,
}

/// `POST /queue/rules/{id}`: turns the rule off or on.
pub async fn switch_rule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(rule_id): Path<i64>,
    Form(form): Form<RuleSwitch>,
) -> Result<Response, PageError> {
    viewer.require(Action::ManageQueues)?;
    let active = match form.active.as_str() {
        "on" => true,
        "off" => false,
        other => {
            return Err(PageError::BadRequest(format!(
                "`{other}` is not a rule state; on or off"
            )));
        }
    };
    let user = viewer.user().clone();
    state
        .pool
        .run(move |store| {
            Team::new(store)
                .set_queue_rule_active(&user, rule_id, active)
                .map_err(PageError::from)
        })
        .await?;
    Ok(Redirect::to("/queue/rules").into_response())
}
