//! The debrief: scores, pass/fail and band, what went well, the three costliest moments with a
//! better reply for each, and the customer's meters turn by turn.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::evidence::{Evidence, MeterPoint, Observations, observe};
use super::rubric::Rubric;
use super::scorecard::{Scorecard, score_observations};
use crate::analysis::{Polarity, disguise_note};
use crate::engine::Event;
use crate::scenario::{Dimension, Outcome, Scenario};
use crate::transcript::Transcript;

/// How many costly moments the debrief shows.
pub const COSTLY_MOMENTS: usize = 3;

/// How many strengths the debrief shows.
const STRENGTHS: usize = 5;

/// A moment that cost points, with what would have been better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostlyMoment {
    pub turn: usize,
    pub at_ms: u64,
    /// What the trainee said or did.
    pub said: String,
    /// Overall points lost: the overall had this turn gone right, minus the actual overall.
    pub points: f64,
    /// The criteria it hurt, with the reason.
    pub problems: Vec<String>,
    /// A better reply (authored, or from the lexicon's model replies).
    pub better: Option<String>,
}

/// Everything the trainee sees after a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debrief {
    pub scenario_title: String,
    pub trainee: String,
    pub scorecard: Scorecard,
    pub strengths: Vec<Evidence>,
    pub costly: Vec<CostlyMoment>,
    pub meters: Vec<MeterPoint>,
    /// The replies that held invisible characters or look-alike letters (read without them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disguised: Vec<DisguisedTurn>,
}

/// A turn whose words held invisible characters or look-alike letters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisguisedTurn {
    pub turn: usize,
    /// What was found and how the reply was read, in a sentence.
    pub note: String,
}

/// Builds the debrief of a transcript. `model_reply` gives a better reply for a criterion id.
pub fn build_debrief(
    transcript: &Transcript,
    scenario: &Scenario,
    rubric: &Rubric,
    model_reply: &dyn Fn(&str) -> Option<String>,
) -> Debrief {
    let observations = observe(transcript, scenario, rubric);
    let outcome = transcript.outcome();
    let scorecard = score_observations(observations.clone(), outcome, scenario, rubric);
    let mut turns: Vec<usize> = observations
        .evidence
        .iter()
        .filter(|e| e.finding.polarity == Polarity::Bad)
        .map(|e| e.turn)
        .chain(
            scorecard
                .criteria
                .iter()
                .flat_map(|c| c.evidence.iter())
                .filter(|e| e.finding.polarity == Polarity::Bad)
                .map(|e| e.turn),
        )
        .collect();
    turns.sort_unstable();
    turns.dedup();
    let mut costly = Vec::new();
    for turn in turns {
        let counterfactual = score_observations(
            turn_gone_right(&observations, turn, &[]),
            outcome,
            scenario,
            rubric,
        );
        let mut points = counterfactual.overall - scorecard.overall;
        let bad: Vec<&Evidence> = scorecard
            .criteria
            .iter()
            .flat_map(|c| c.evidence.iter())
            .filter(|e| e.turn == turn && e.finding.polarity == Polarity::Bad)
            .collect();
        let mut problems: Vec<String> = bad
            .iter()
            .map(|e| format!("{}: {}", e.finding.criterion, e.finding.note))
            .collect();
        if points <= 0.0
            && let Some((shared_points, note)) =
                shared_critical_cost(&observations, &scorecard, turn, &bad, scenario, rubric)
        {
            points = shared_points;
            problems.push(note);
        }
        if points <= 0.0 {
            continue;
        }
        let better = authored_better(transcript, scenario, turn)
            .or_else(|| bad.iter().find_map(|e| model_reply(&e.finding.criterion)));
        costly.push(CostlyMoment {
            turn,
            at_ms: transcript.turns.get(turn).map_or(0, |t| t.at_ms),
            said: said_at(transcript, turn),
            points,
            problems,
            better,
        });
    }
    costly.sort_by(|a, b| b.points.total_cmp(&a.points).then(a.turn.cmp(&b.turn)));
    costly.truncate(COSTLY_MOMENTS);
    let mut strengths: Vec<Evidence> = observations
        .evidence
        .iter()
        .filter(|e| e.finding.polarity == Polarity::Good && !rests_on_overpromise(e, &observations))
        .cloned()
        .collect();
    strengths.sort_by(|a, b| {
        b.finding
            .weight
            .cmp(&a.finding.weight)
            .then(a.turn.cmp(&b.turn))
    });
    strengths.dedup_by(|a, b| a.finding.criterion == b.finding.criterion);
    strengths.truncate(STRENGTHS);
    Debrief {
        scenario_title: scenario.title.clone(),
        trainee: transcript.header.trainee.clone(),
        meters: scorecard.meters.clone(),
        scorecard,
        strengths,
        costly,
        disguised: disguised_turns(transcript),
    }
}

/// The turns whose reply or option text held invisible characters or look-alike letters.
fn disguised_turns(transcript: &Transcript) -> Vec<DisguisedTurn> {
    let mut turns = Vec::new();
    for (turn, record) in transcript.turns.iter().enumerate() {
        for timed in &record.events {
            let reading = match &timed.event {
                Event::TraineeChose { reading, .. } | Event::TraineeReplied { reading, .. } => {
                    reading
                }
                _ => continue,
            };
            if let Some(note) = disguise_note(reading) {
                turns.push(DisguisedTurn { turn, note });
            }
        }
    }
    turns
}

/// The rules of the promise ledger's good findings (`src/analysis/promises.rs`): credit for the
/// promise itself, which an over-promise must not earn in the debrief.
const PROMISE_RULES: [&str; 2] = ["first-person-promise", "promised-timeframe"];

/// Whether a good finding is credit for a promise that the same turn over-promised: "I guarantee
/// it'll be with you tomorrow" is not a strength of ownership, whatever else it is.
fn rests_on_overpromise(good: &Evidence, observations: &Observations) -> bool {
    let matched = good.finding.matched.as_str();
    PROMISE_RULES.contains(&good.finding.rule.as_str())
        && observations.evidence.iter().any(|bad| {
            let quote = bad.finding.matched.as_str();
            bad.turn == good.turn
                && bad.finding.polarity == Polarity::Bad
                && bad.finding.criterion == "expectations.no-overpromise"
                && !quote.is_empty()
                && !matched.is_empty()
                && (quote.contains(matched) || matched.contains(quote))
        })
}

/// The observations had a turn gone right: its poor observations gone, its reply in time, and
/// the poor observations of the `also_cleared` criteria gone from every turn.
fn turn_gone_right(
    observations: &Observations,
    turn: usize,
    also_cleared: &[&str],
) -> Observations {
    let mut better = observations.clone();
    better.evidence.retain(|e| {
        let cleared = e.turn == turn || also_cleared.contains(&e.finding.criterion.as_str());
        !(cleared && e.finding.polarity == Polarity::Bad)
    });
    for latency in better.latencies.iter_mut().filter(|l| l.turn == turn) {
        latency.waited_ms = 0;
        latency.silences = 0;
        latency.answered = true;
    }
    better
}

/// The cost of a turn that broke a critical criterion another turn broke too: righting it alone
/// changes nothing (the overall stays 0 while any of them stands), so it is costed together with
/// those turns, and the debrief says so. `None` when the turn broke no failed critical criterion.
fn shared_critical_cost(
    observations: &Observations,
    scorecard: &Scorecard,
    turn: usize,
    bad: &[&Evidence],
    scenario: &Scenario,
    rubric: &Rubric,
) -> Option<(f64, String)> {
    let critical: Vec<&str> = scorecard
        .critical_failures
        .iter()
        .map(String::as_str)
        .filter(|id| bad.iter().any(|e| e.finding.criterion == *id))
        .collect();
    if critical.is_empty() {
        return None;
    }
    let mut others: Vec<usize> = observations
        .evidence
        .iter()
        .filter(|e| {
            e.turn != turn
                && e.finding.polarity == Polarity::Bad
                && critical.contains(&e.finding.criterion.as_str())
        })
        .map(|e| e.turn)
        .collect();
    others.sort_unstable();
    others.dedup();
    let joint = score_observations(
        turn_gone_right(observations, turn, &critical),
        scorecard.outcome,
        scenario,
        rubric,
    );
    // Another critical failure (one this turn did not cause) may still hold the overall at 0:
    // then the figures before critical failures say what the turns cost.
    let points = if joint.critical_failures.is_empty() {
        joint.overall - scorecard.overall
    } else {
        joint.weighted - scorecard.weighted
    };
    let turns: Vec<String> = others.iter().map(usize::to_string).collect();
    let note = if turns.is_empty() {
        format!(
            "{} is critical: the overall stays 0 while any critical criterion fails.",
            critical.join(", ")
        )
    } else {
        format!(
            "{} is critical and also broken at turn {}: the points are what this turn and those \
             cost together, as the overall stays 0 while any of them stands.",
            critical.join(", "),
            turns.join(", ")
        )
    };
    Some((points, note))
}

/// What the trainee said or did in a turn.
fn said_at(transcript: &Transcript, turn: usize) -> String {
    let Some(record) = transcript.turns.get(turn) else {
        return String::new();
    };
    for timed in &record.events {
        match &timed.event {
            Event::TraineeChose { text, .. } | Event::TraineeReplied { text, .. } => {
                return text.to_string();
            }
            _ => {}
        }
    }
    record
        .mv
        .as_ref()
        .map_or_else(|| "(silence)".to_owned(), |m| m.describe())
}

/// The scenario's own better reply for the option picked or the reply point answered in a turn.
fn authored_better(transcript: &Transcript, scenario: &Scenario, turn: usize) -> Option<String> {
    let record = transcript.turns.get(turn)?;
    for timed in &record.events {
        if let Event::TraineeChose { id, .. } = &timed.event {
            let choice = scenario
                .beats
                .iter()
                .flat_map(|b| b.options.iter())
                .find(|c| &c.id == id)?;
            return choice.better.clone();
        }
    }
    if record
        .events
        .iter()
        .any(|e| matches!(e.event, Event::TraineeReplied { .. }))
    {
        let beat = transcript.turns[..turn]
            .iter()
            .rev()
            .flat_map(|t| t.events.iter().rev())
            .find_map(|e| match &e.event {
                Event::BeatEntered { beat } => Some(beat.clone()),
                _ => None,
            })?;
        return scenario.beat(&beat)?.reply.as_ref()?.better.clone();
    }
    None
}

/// The debrief as plain text for the terminal.
pub fn render_debrief(debrief: &Debrief) -> String {
    let card = &debrief.scorecard;
    let mut out = String::new();
    let verdict = match (card.passed, card.outcome) {
        (true, _) => "PASSED",
        (false, Outcome::Abandoned) => "NOT PASSED: the call was left unfinished",
        (false, _) => "NOT PASSED",
    };
    let _ = writeln!(
        out,
        "Debrief — {} ({})",
        debrief.scenario_title, debrief.trainee
    );
    let _ = writeln!(
        out,
        "Outcome: {}   Handle time: {:.0} s",
        card.outcome.label(),
        card.handle_secs
    );
    let _ = writeln!(
        out,
        "Overall: {:.0}/100 — {verdict} ({}; pass mark {:.0})",
        card.overall, card.band, card.pass_mark
    );
    if !card.critical_failures.is_empty() {
        let _ = writeln!(
            out,
            "Critical failure: {} — the overall is set to 0 (it would have been {:.0}).",
            card.critical_failures.join(", "),
            card.weighted
        );
    }
    let _ = writeln!(out);
    for dimension in Dimension::ALL {
        let score = card.dimension(dimension);
        let shown = score.map_or("n/a".to_owned(), |s| format!("{s:>3.0}"));
        let _ = writeln!(
            out,
            "  {:<13} {:>4}  {}",
            dimension.label(),
            shown,
            bar(score.unwrap_or(0.0), 20)
        );
        for criterion in card.criteria.iter().filter(|c| c.dimension == dimension) {
            let rating = criterion
                .rating
                .map_or("n/a".to_owned(), |r| format!("{r}/{}", criterion.max));
            let flag = if criterion.failed_critical() {
                "  ✗ critical"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "      {:<46} {:>5}  {}{flag}",
                criterion.title, rating, criterion.reason
            );
        }
    }
    if !debrief.strengths.is_empty() {
        let _ = writeln!(out, "\nWhat went well:");
        for evidence in &debrief.strengths {
            let quote = if evidence.finding.matched.is_empty() {
                String::new()
            } else {
                format!(" — \"{}\"", shorten(&evidence.finding.matched, 70))
            };
            let _ = writeln!(
                out,
                "  + {} (turn {}){quote}",
                evidence.finding.note, evidence.turn
            );
        }
    }
    if !debrief.costly.is_empty() {
        let _ = writeln!(out, "\nWhat cost the most:");
        for (index, moment) in debrief.costly.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. turn {} at {:.0} s, −{:.1} points: \"{}\"",
                index + 1,
                moment.turn,
                moment.at_ms as f64 / 1000.0,
                moment.points,
                shorten(&moment.said, 80)
            );
            for problem in &moment.problems {
                let _ = writeln!(out, "       - {problem}");
            }
            if let Some(better) = &moment.better {
                let _ = writeln!(out, "       Better: \"{better}\"");
            }
        }
    }
    if !debrief.disguised.is_empty() {
        let _ = writeln!(out, "\nHidden characters:");
        for disguised in &debrief.disguised {
            let _ = writeln!(out, "  turn {}: {}", disguised.turn, disguised.note);
        }
    }
    if !card.ledger.is_empty() {
        let _ = writeln!(out, "\nPromises made:");
        for entry in &card.ledger {
            let hours = entry
                .promise
                .hours
                .map_or(String::new(), |h| format!(" within {h} h"));
            let _ = writeln!(
                out,
                "  turn {}: {:?}{hours} — {}",
                entry.turn,
                entry.promise.kind,
                crate::analysis::explain::verdict_words(entry.promise.verdict, "")
            );
        }
    }
    let _ = writeln!(
        out,
        "\nThe customer, turn by turn (anger / patience / trust):"
    );
    for point in &debrief.meters {
        let _ = writeln!(
            out,
            "  turn {:>2} {:>6.0} s   anger {:>3} {}  patience {:>3}  trust {:>3}",
            point.turn,
            point.at_ms as f64 / 1000.0,
            point.anger,
            bar(f64::from(point.anger), 10),
            point.patience,
            point.trust
        );
    }
    out
}

fn bar(value: f64, width: usize) -> String {
    let filled = ((value / 100.0) * width as f64)
        .round()
        .clamp(0.0, width as f64) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
