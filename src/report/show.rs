//! One stored session as `rapport show` prints it: what was said, the scorecard with the quotes
//! behind each rating, and every review; or the same as JSON.

use std::fmt::Write as _;

use serde_json::json;

use crate::analysis::Polarity;
use crate::engine::{Event, Move};
use crate::scoring::{CriterionScore, Scorecard};
use crate::store::StoredSession;
use crate::transcript::Transcript;

/// A session for the terminal: header, transcript, scorecard with evidence, reviews.
pub fn render_session(session: &StoredSession) -> String {
    let mut out = String::new();
    let summary = &session.summary;
    let _ = writeln!(out, "Session {}", summary.session_id);
    let team = summary
        .team
        .as_ref()
        .map_or(String::new(), |t| format!(" (team {t})"));
    let _ = writeln!(
        out,
        "  trainee {}{team} · scenario {} · started {} · {} · {:.0} s",
        summary.trainee,
        summary.scenario_id,
        summary.started_at,
        summary.outcome,
        summary.handle_secs
    );
    let verdict = |passed: bool| if passed { "passed" } else { "not passed" };
    let _ = write!(
        out,
        "  overall {:.1} ({})",
        summary.overall,
        verdict(summary.passed)
    );
    if summary.reviewed {
        let _ = write!(
            out,
            "; after review {:.1} ({})",
            summary.final_overall,
            verdict(summary.final_passed)
        );
    }
    out.push_str("\n\nTranscript\n");
    render_transcript(&session.transcript, &mut out);
    let card = session.reviewed.as_ref().unwrap_or(&session.scorecard);
    render_scorecard(card, &session.scorecard, &mut out);
    out.push_str("\nReviews\n");
    if session.reviews.is_empty() {
        out.push_str("  none\n");
    }
    for review in &session.reviews {
        let rating = |r: Option<i32>| r.map_or("n/a".to_owned(), |r| r.to_string());
        let _ = writeln!(
            out,
            "  {} {} rated {} {} (the machine: {}){}",
            review.reviewed_at,
            review.reviewer,
            review.criterion,
            rating(review.rating),
            rating(review.machine_rating),
            if review.comment.is_empty() {
                String::new()
            } else {
                format!(": “{}”", review.comment)
            }
        );
    }
    out
}

/// Session time as minutes and seconds.
fn clock(at_ms: u64) -> String {
    let secs = at_ms / 1000;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

fn render_transcript(transcript: &Transcript, out: &mut String) {
    for turn in &transcript.turns {
        let at = clock(turn.at_ms);
        match &turn.mv {
            Some(Move::Choose(_) | Move::Say(_)) | None => {}
            Some(other) => {
                let _ = writeln!(out, "  [{at}] trainee: /{}", other.describe());
            }
        }
        for timed in &turn.events {
            let at = clock(timed.at_ms);
            let line = match &timed.event {
                Event::CustomerSaid { text, .. } => format!("customer: “{text}”"),
                Event::TraineeChose { number, text, .. } => {
                    format!("trainee (option {number}): “{text}”")
                }
                Event::TraineeReplied { text, .. } => format!("trainee: “{text}”"),
                Event::SilenceFired { .. } => "(silence)".to_owned(),
                Event::HoldStarted { announced_secs } => {
                    format!("(on hold, {announced_secs} s announced)")
                }
                Event::HoldEnded { held_secs, .. } => {
                    format!("(back from hold after {held_secs} s)")
                }
                Event::Transferred { kind } => format!("(transferred: {kind:?})"),
                Event::Escalated => "(escalated to a supervisor)".to_owned(),
                Event::Ended { ending, outcome } => {
                    format!("call ended: {} ({ending})", outcome.label())
                }
                _ => continue,
            };
            let _ = writeln!(out, "  [{at}] {line}");
        }
    }
}

fn render_scorecard(card: &Scorecard, machine: &Scorecard, out: &mut String) {
    let _ = writeln!(
        out,
        "\nScorecard (rubric {} version {}): overall {:.1}, {}",
        card.rubric_id, card.rubric_version, card.overall, card.band
    );
    for dimension in &card.dimensions {
        let score = dimension
            .score
            .map_or("n/a".to_owned(), |s| format!("{s:.1}"));
        let _ = writeln!(out, "  {} {score}", dimension.dimension.label());
        for criterion in card
            .criteria
            .iter()
            .filter(|c| c.dimension == dimension.dimension)
        {
            let original = machine.criteria.iter().find(|m| m.id == criterion.id);
            render_criterion(criterion, original, out);
        }
    }
}

fn render_criterion(
    criterion: &CriterionScore,
    machine: Option<&CriterionScore>,
    out: &mut String,
) {
    let rating = |c: &CriterionScore| {
        c.rating
            .map_or("n/a".to_owned(), |r| format!("{r}/{}", c.max))
    };
    let reviewed = match machine {
        Some(machine) if criterion.reviewed => {
            format!(" (reviewed; the machine: {})", rating(machine))
        }
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "    {} {}{reviewed} — {}",
        criterion.id,
        rating(criterion),
        criterion.reason
    );
    for evidence in &criterion.evidence {
        let sign = match evidence.finding.polarity {
            Polarity::Good => '+',
            Polarity::Bad => '−',
        };
        // Timing evidence quotes nothing: there are no words behind it, only the clock.
        let quote = if evidence.finding.matched.is_empty() {
            String::new()
        } else {
            format!(" “{}”", evidence.finding.matched)
        };
        let _ = writeln!(
            out,
            "      {sign} turn {} [{}]{quote} — {}",
            evidence.turn,
            clock(evidence.at_ms),
            evidence.finding.note
        );
    }
}

/// A session as JSON: its summary, transcript, machine and reviewed scorecards, and reviews.
pub fn session_json(session: &StoredSession) -> serde_json::Value {
    json!({
        "session_id": session.summary.session_id,
        "summary": session.summary,
        "transcript": session.transcript,
        "scorecard": session.scorecard,
        "reviewed_scorecard": session.reviewed,
        "reviews": session.reviews,
    })
}
