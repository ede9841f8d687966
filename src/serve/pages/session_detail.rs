//! One session as a page: its header, the scorecard with each criterion's evidence, the transcript with the very words behind each finding highlighted in the reply, the promise ledger and the meters chart.

use maud::{Markup, PreEscaped, html};

use crate::analysis::Polarity;
use crate::analysis::explain::verdict_words;
use crate::engine::{Event, TransferKind};
use crate::report::html::highlight;
use crate::report::review::{CriterionView, criterion_views};
use crate::scoring::Evidence;
use crate::serve::charts::{clock, meters_chart};
use crate::store::{Review, ReviewKind, StoredSession};

/// `pass` or `fail`, coloured.
pub fn verdict(passed: bool) -> Markup {
    if passed {
        html! { span.pass { "pass" } }
    } else {
        html! { span.fail { "fail" } }
    }
}

/// A rating for people: `3/5`, or `N/A`.
pub fn rating_text(rating: Option<i32>, max: i32) -> String {
    rating.map_or_else(|| "N/A".to_owned(), |r| format!("{r}/{max}"))
}

/// The whole session; `actions` (links to review or dispute it) sit under the header.
pub fn session_body(session: &StoredSession, actions: Markup) -> Markup {
    let s = &session.summary;
    let views = criterion_views(session);
    html! {
        p.muted {
            code { (s.session_id) } " · trainee " b { (s.trainee) }
            @if let Some(team) = &s.team { " (team " (team) ")" }
            " · scenario " (s.scenario_id) " · " (crate::report::format_time(&s.started_at))
            " · " (s.outcome) " · " (format!("{:.0}", s.handle_secs)) " s"
        }
        div.kpis {
            div.kpi { b { (format!("{:.1}", s.overall)) } span.muted { "machine · " (verdict(s.passed)) } }
            @if s.reviewed {
                div.kpi { b { (format!("{:.1}", s.final_overall)) } span.muted { "after review · " (verdict(s.final_passed)) } }
            }
        }
        (actions)
        h2 #scorecard { "Scorecard" }
        (scorecard(&views))
        h2 #transcript { "Transcript" }
        p.muted { "The words behind each finding are marked in the reply: green for good, red for poor." }
        (transcript(session))
        h2 #ledger { "Promise ledger" }
        (ledger(session))
        h2 #meters { "Customer meters" }
        (meters_chart(&session.scorecard.meters))
    }
}

fn scorecard(views: &[CriterionView]) -> Markup {
    html! {
        div.scroll {
            table.cards {
                thead { tr { th { "criterion" } th { "machine" } th { "counts" } th { "why, and the evidence" } th { "reviews" } } }
                tbody {
                    @for view in views {
                        tr id=(format!("c-{}", view.criterion)) {
                            td { b { (view.title) } br; code.muted { (view.criterion) } }
                            td.n data-label="machine" { (rating_text(view.machine_rating, view.max)) }
                            td.n data-label="counts" {
                                (rating_text(view.effective_rating, view.max))
                                @if view.adjudicated { br; span.muted { "decided" } }
                                @else if view.reviewers_disagree { br; span.muted { "reviewers differ" } }
                            }
                            td {
                                (view.reason)
                                @if !view.evidence.is_empty() {
                                    ul.ev {
                                        @for e in &view.evidence {
                                            li class=(polarity_class(e.polarity)) {
                                                @if !e.quote.is_empty() { "“" (e.quote) "” " }
                                                span.muted { "turn " (e.turn) " at " (clock(e.at_ms)) } " — " (e.note)
                                            }
                                        }
                                    }
                                }
                            }
                            td { @for review in &view.reviews { (review_line(review, view.max)) } }
                        }
                    }
                }
            }
        }
    }
}

/// One review of a criterion; a retracted one stays, struck out, with who took it back and why.
fn review_line(review: &Review, max: i32) -> Markup {
    let kind = match review.kind {
        ReviewKind::Rating => String::new(),
        other => format!(" ({})", other.label()),
    };
    let text = html! {
        b { (review.reviewer) } " " (rating_text(review.rating, max)) (kind)
        @if !review.comment.is_empty() { ": " (review.comment) }
        " " span.muted { (crate::report::format_time(&review.reviewed_at)) }
    };
    html! {
        div {
            @match &review.retraction {
                Some(x) => { s { (text) } " — retracted by " (x.by) ": " (x.reason) }
                None => { (text) }
            }
        }
    }
}

fn polarity_class(polarity: Polarity) -> &'static str {
    match polarity {
        Polarity::Good => "good",
        Polarity::Bad => "bad",
    }
}

fn transcript(session: &StoredSession) -> Markup {
    let evidence: Vec<&Evidence> = session
        .scorecard
        .criteria
        .iter()
        .flat_map(|c| c.evidence.iter())
        .collect();
    html! {
        div.transcript {
            @for (index, turn) in session.transcript.turns.iter().enumerate() {
                @let here: Vec<&Evidence> = evidence.iter().copied().filter(|e| e.turn == index).collect();
                @let lines: Vec<Markup> = turn.events.iter().filter_map(|timed| event_line(&timed.event, &session.summary.trainee, &here)).collect();
                @if !lines.is_empty() {
                    div.turn id=(format!("t-{index}")) {
                        div.t { (clock(turn.at_ms)) }
                        div {
                            @for line in &lines { (line) }
                            @if !here.is_empty() {
                                ul.ev {
                                    @for e in &here {
                                        li class=(polarity_class(e.finding.polarity)) {
                                            b { (e.finding.criterion) } " " (e.finding.note)
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

/// What one event shows in the transcript, if anything.
fn event_line(event: &Event, trainee: &str, evidence: &[&Evidence]) -> Option<Markup> {
    let line = match event {
        Event::CustomerSaid { text, .. } => {
            html! { div.msg.customer { span.who-said { "Customer" } (text) } }
        }
        Event::TraineeChose { text, .. } | Event::TraineeReplied { text, .. } => {
            // A finding about the reply as a whole (its quote is all of it) is listed under the
            // turn rather than marked, so the marks show the very words behind the others.
            let words: Vec<&Evidence> = evidence
                .iter()
                .copied()
                .filter(|e| e.finding.matched.trim() != text.trim())
                .collect();
            // `highlight` escapes every piece of the reply, inside and outside the marks.
            html! { div.msg.trainee { span.who-said { (trainee) } (PreEscaped(highlight(text, &words))) } }
        }
        Event::HoldStarted { announced_secs } => {
            html! { div.system { "put on hold for " (announced_secs) " s" } }
        }
        Event::HoldEnded { held_secs, .. } => {
            html! { div.system { "back from hold after " (held_secs) " s" } }
        }
        Event::Transferred { kind } => {
            let kind = match kind {
                TransferKind::Warm => "warm",
                TransferKind::Cold => "cold",
            };
            html! { div.system { (kind) " transfer" } }
        }
        Event::Escalated => html! { div.system { "escalated to a supervisor" } },
        Event::SilenceFired { count } => html! { div.system { "silence (" (count) ")" } },
        Event::Ended { ending, outcome } => {
            html! { div.system { "call ended: " (ending) " (" (outcome.label()) ")" } }
        }
        _ => return None,
    };
    Some(line)
}

fn ledger(session: &StoredSession) -> Markup {
    let entries = &session.scorecard.ledger;
    html! {
        @if entries.is_empty() {
            p.muted { "No commitments were made in this call." }
        } @else {
            div.scroll {
                table {
                    thead { tr { th { "when" } th { "kind" } th { "the words" } th { "time frame" } th { "policy" } } }
                    tbody {
                        @for entry in entries {
                            tr {
                                td.n { a href=(format!("#t-{}", entry.turn)) { (clock(entry.at_ms)) } }
                                td { (format!("{:?}", entry.promise.kind).to_lowercase()) }
                                td { "“" (entry.promise.quote) "”" }
                                td { @match entry.promise.hours { Some(h) => { (h) " h" } None => { "—" } } }
                                td class=(if entry.promise.verdict.is_overpromise() { "fail" } else { "" }) {
                                    (verdict_words(entry.promise.verdict, &entry.promise.terms))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
