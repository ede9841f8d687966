//! Gathers the evidence in a transcript: findings per turn, the promise ledger and the timings.

use serde::{Deserialize, Serialize};
use smol_str::{SmolStr, format_smolstr};

use super::rubric::Rubric;
use crate::analysis::normalise::{find_word, normalise_phrase};
use crate::analysis::{Finding, Polarity, Promise, PromiseVerdict, Reading};
use crate::engine::{Event, Move, TransferKind};
use crate::scenario::{Choice, Dimension, Intent, Meter, PromiseKind, Scenario};
use crate::transcript::Transcript;

/// One observation tied to the turn it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the turn in the transcript.
    pub turn: usize,
    /// Session time, in milliseconds.
    pub at_ms: u64,
    #[serde(flatten)]
    pub finding: Finding,
}

/// A commitment in the ledger, with the turn it was made in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub turn: usize,
    pub at_ms: u64,
    #[serde(flatten)]
    pub promise: Promise,
}

/// How long the trainee took to answer one customer turn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub turn: usize,
    /// When the customer started waiting.
    pub from_ms: u64,
    /// How long they waited.
    pub waited_ms: u64,
    /// Whether this was the first reply of the call.
    pub first: bool,
    /// How many times the customer spoke into the silence meanwhile.
    pub silences: u32,
    /// Whether the trainee answered at all (false: the call ended or stopped while they waited).
    pub answered: bool,
}

/// One hold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HoldRecord {
    pub turn: usize,
    pub held_secs: u32,
    pub announced_secs: u32,
}

/// Everything the scorer reads off a transcript.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    pub evidence: Vec<Evidence>,
    pub ledger: Vec<LedgerEntry>,
    pub latencies: Vec<Latency>,
    pub holds: Vec<HoldRecord>,
    pub handle_ms: u64,
    pub ended: bool,
    /// Whether the trainee said anything at all (picked an option or replied).
    pub spoke: bool,
    /// The customer's meters after each turn.
    pub meters: Vec<MeterPoint>,
}

/// The meters after one turn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeterPoint {
    pub turn: usize,
    pub at_ms: u64,
    pub anger: i32,
    pub patience: i32,
    pub trust: i32,
}

/// Reads the evidence off a transcript.
pub fn observe(transcript: &Transcript, scenario: &Scenario, rubric: &Rubric) -> Observations {
    let turns = transcript.turns.len();
    let mut obs = Observations {
        handle_ms: transcript.duration_ms(),
        ended: transcript.ending().is_some(),
        // A turn rarely brings more than a few findings; room made up front saves regrowing.
        evidence: Vec::with_capacity(turns * 4),
        latencies: Vec::with_capacity(turns),
        meters: Vec::with_capacity(turns),
        ..Observations::default()
    };
    let mut meters = scenario.persona.meters;
    let mut waiting_since: Option<u64> = None;
    let mut silences = 0;
    let mut answered_any = false;
    let mut expects: Vec<Intent> = Vec::new();
    // What the customer has said so far: a term they used is their word, not jargon.
    let mut customer_lines: Vec<&str> = Vec::new();
    for (turn, record) in transcript.turns.iter().enumerate() {
        // Every move but `Wait` answers the customer.
        if record.mv.as_ref().is_some_and(|mv| *mv != Move::Wait) {
            if let Some(from) = waiting_since.take() {
                obs.latencies.push(Latency {
                    turn,
                    from_ms: from,
                    waited_ms: record.at_ms.saturating_sub(from),
                    first: !answered_any,
                    silences,
                    answered: true,
                });
                answered_any = true;
            }
            silences = 0;
        }
        for timed in &record.events {
            let at_ms = timed.at_ms;
            let mut push = |finding: Finding| {
                obs.evidence.push(Evidence {
                    turn,
                    at_ms,
                    finding,
                })
            };
            match &timed.event {
                Event::OptionsOffered { .. } | Event::ReplyInvited { .. } => {
                    waiting_since.get_or_insert(at_ms);
                    if let Event::ReplyInvited { expects: e } = &timed.event {
                        expects = e.clone();
                    }
                }
                Event::SilenceFired { .. } => silences += 1,
                Event::CustomerSaid { text, .. } => customer_lines.push(text),
                Event::TraineeChose {
                    id, text, reading, ..
                } => {
                    obs.spoke = true;
                    expects.clear();
                    for finding in &reading.findings {
                        if !is_customers_word(finding, &customer_lines) {
                            push(finding.clone());
                        }
                    }
                    for promise in &reading.promises {
                        obs.ledger.push(LedgerEntry {
                            turn,
                            at_ms,
                            promise: promise.clone(),
                        });
                    }
                    if let Some(choice) = find_choice(scenario, id) {
                        for finding in choice_findings(choice, text, scenario, rubric) {
                            push(finding);
                        }
                        let rated_overpromise = rated_overpromise(choice);
                        for kind in &choice.promises {
                            let mut promise = policy_promise(scenario, *kind, text);
                            // The author's rating wins: an option rated an over-promise is
                            // never an allowed promise in the ledger.
                            if rated_overpromise && !promise.verdict.is_overpromise() {
                                promise.verdict = PromiseVerdict::RatedOverpromise;
                            }
                            obs.ledger.push(LedgerEntry {
                                turn,
                                at_ms,
                                promise,
                            });
                        }
                    }
                }
                Event::TraineeReplied { text, reading } => {
                    obs.spoke = true;
                    for finding in &reading.findings {
                        if !is_customers_word(finding, &customer_lines) {
                            push(finding.clone());
                        }
                    }
                    for finding in missing_intents(&expects, reading, text) {
                        push(finding);
                    }
                    expects.clear();
                    for promise in &reading.promises {
                        obs.ledger.push(LedgerEntry {
                            turn,
                            at_ms,
                            promise: promise.clone(),
                        });
                    }
                }
                Event::Transferred { kind } => push(handoff_finding(*kind)),
                Event::Escalated => push(Finding {
                    dimension: Dimension::Ownership,
                    polarity: Polarity::Good,
                    criterion: SmolStr::new_static("ownership.handoff"),
                    rule: SmolStr::new_static("escalated"),
                    matched: SmolStr::new_static("escalate"),
                    note: SmolStr::new_static(
                        "Brought in a senior rather than leaving the customer stuck.",
                    ),
                    weight: 1,
                }),
                Event::HoldEnded {
                    held_secs,
                    announced_secs,
                } => obs.holds.push(HoldRecord {
                    turn,
                    held_secs: *held_secs,
                    announced_secs: *announced_secs,
                }),
                Event::MeterChanged { meter, to, .. } => *meters.get_mut(*meter) = *to,
                Event::Ended { .. } => {
                    // The customer was still waiting for a reply when the call ended.
                    if let Some(from) = waiting_since.take() {
                        obs.latencies.push(Latency {
                            turn,
                            from_ms: from,
                            waited_ms: at_ms.saturating_sub(from),
                            first: !answered_any,
                            silences,
                            answered: false,
                        });
                    }
                }
                _ => {}
            }
        }
        obs.meters.push(MeterPoint {
            turn,
            at_ms: record.at_ms,
            anger: meters.get(Meter::Anger),
            patience: meters.get(Meter::Patience),
            trust: meters.get(Meter::Trust),
        });
    }
    if let Some(from) = waiting_since {
        // The customer was left waiting when the record stops (an abandoned session).
        obs.latencies.push(Latency {
            turn: transcript.turns.len().saturating_sub(1),
            from_ms: from,
            waited_ms: obs.handle_ms.saturating_sub(from),
            first: !answered_any,
            silences,
            answered: false,
        });
    }
    obs
}

/// Whether an analyser's jargon finding quotes a term the customer used first (their words are
/// plain language to them). Authored annotations are the author's call and are kept.
/// The customer's lines are normalised only when a jargon finding asks (rarely), so scoring a
/// session costs nothing more otherwise.
fn is_customers_word(finding: &Finding, customer_lines: &[&str]) -> bool {
    if !(finding.criterion == "expectations.plain-language"
        && finding.polarity == Polarity::Bad
        && finding.rule != "annotation")
    {
        return false;
    }
    let term = normalise_phrase(&finding.matched);
    customer_lines
        .iter()
        .any(|line| find_word(&normalise_phrase(line), &term).is_some())
}

fn find_choice<'a>(scenario: &'a Scenario, id: &str) -> Option<&'a Choice> {
    scenario
        .beats
        .iter()
        .flat_map(|b| b.options.iter())
        .find(|c| c.id == id)
}

/// Findings of a picked option: its annotations, plus nothing else on the dimensions they cover.
fn choice_findings(
    choice: &Choice,
    text: &SmolStr,
    scenario: &Scenario,
    rubric: &Rubric,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for annotation in &choice.score {
        if annotation.rating == 0 {
            continue;
        }
        let criterion = annotation.criterion.clone().unwrap_or_else(|| {
            rubric
                .dimensions
                .iter()
                .find(|d| d.dimension == annotation.dimension)
                .map_or_else(SmolStr::default, |d| d.authored.clone())
        });
        out.push(Finding {
            dimension: annotation.dimension,
            polarity: if annotation.rating > 0 {
                Polarity::Good
            } else {
                Polarity::Bad
            },
            criterion,
            rule: SmolStr::new_static("annotation"),
            matched: text.clone(),
            note: annotation.note.clone(),
            weight: annotation.rating.unsigned_abs(),
        });
    }
    for kind in &choice.promises {
        let promise = policy_promise(scenario, *kind, text);
        if promise.verdict.is_overpromise() {
            out.push(overpromise_finding(&promise, scenario));
        }
    }
    if choice.makes_repeat {
        out.push(Finding {
            dimension: Dimension::Ownership,
            polarity: Polarity::Bad,
            criterion: SmolStr::new_static("ownership.no-repeat"),
            rule: SmolStr::new_static("makes-repeat"),
            matched: text.clone(),
            note: SmolStr::new_static("Asks for something the customer already gave."),
            weight: 1,
        });
    }
    out
}

/// Whether an option's author rated it an over-promise.
fn rated_overpromise(choice: &Choice) -> bool {
    choice
        .score
        .iter()
        .any(|a| a.rating < 0 && a.criterion.as_deref() == Some(OVERPROMISE_CRITERION))
}

/// The criterion over-promises fail.
const OVERPROMISE_CRITERION: &str = "expectations.no-overpromise";

/// The ledger entry of an authored promise, judged by the policy.
fn policy_promise(scenario: &Scenario, kind: PromiseKind, text: &str) -> Promise {
    let rule = scenario.commitment(kind);
    let verdict = match rule {
        None => PromiseVerdict::NotInPolicy,
        Some(rule) if !rule.allowed => PromiseVerdict::Forbidden,
        Some(_) => PromiseVerdict::Allowed,
    };
    Promise {
        kind,
        quote: SmolStr::new(text),
        hours: None,
        verdict,
        amount: None,
        terms: rule.map_or_else(SmolStr::default, |r| r.terms.clone()),
    }
}

fn overpromise_finding(promise: &Promise, scenario: &Scenario) -> Finding {
    let terms = scenario
        .commitment(promise.kind)
        .map_or("the policy does not cover it", |c| c.terms.as_str());
    Finding {
        dimension: Dimension::Expectations,
        polarity: Polarity::Bad,
        criterion: SmolStr::new_static("expectations.no-overpromise"),
        rule: SmolStr::new_static("policy-ledger"),
        matched: promise.quote.clone(),
        note: format_smolstr!("Promises {:?} against policy: {terms}", promise.kind),
        weight: 1,
    }
}

fn handoff_finding(kind: TransferKind) -> Finding {
    let (polarity, note) = match kind {
        TransferKind::Warm => (
            Polarity::Good,
            "A warm transfer: introduced the case so the customer need not repeat it.",
        ),
        TransferKind::Cold => (
            Polarity::Bad,
            "A cold transfer: the customer starts again from the beginning.",
        ),
    };
    Finding {
        dimension: Dimension::Ownership,
        polarity,
        criterion: SmolStr::new_static("ownership.handoff"),
        rule: SmolStr::new_static(match kind {
            TransferKind::Warm => "warm-transfer",
            TransferKind::Cold => "cold-transfer",
        }),
        matched: SmolStr::default(),
        note: SmolStr::new_static(note),
        weight: 1,
    }
}

/// A bad finding for each intent the reply point expected and the reply did not show.
fn missing_intents(expects: &[Intent], reading: &Reading, text: &SmolStr) -> Vec<Finding> {
    let mut out = Vec::new();
    for intent in expects {
        if reading.intents.contains(intent) {
            continue;
        }
        let Some((dimension, criterion, note)) = expected_intent_criterion(*intent) else {
            continue;
        };
        out.push(Finding {
            dimension,
            polarity: Polarity::Bad,
            criterion: SmolStr::new(criterion),
            rule: SmolStr::new_static(expected_rule(*intent)),
            matched: text.clone(),
            note: SmolStr::new(note),
            weight: 1,
        });
    }
    out
}

/// The rule a missing expected intent is reported under: `expected-` and the intent's name in
/// lower case, spelled out (every reply point with expectations asks).
fn expected_rule(intent: Intent) -> &'static str {
    match intent {
        Intent::Acknowledge => "expected-acknowledge",
        Intent::Apologize => "expected-apologize",
        Intent::UseName => "expected-usename",
        Intent::Explain => "expected-explain",
        Intent::Timeframe => "expected-timeframe",
        Intent::Ownership => "expected-ownership",
        Intent::Solution => "expected-solution",
        Intent::Question => "expected-question",
        Intent::Escalation => "expected-escalation",
        Intent::Promise => "expected-promise",
        Intent::CalmDown => "expected-calmdown",
        Intent::Blame => "expected-blame",
        Intent::Dismiss => "expected-dismiss",
    }
}

/// The criterion under which a missing expected intent counts.
fn expected_intent_criterion(intent: Intent) -> Option<(Dimension, &'static str, &'static str)> {
    Some(match intent {
        Intent::Acknowledge => (
            Dimension::Empathy,
            "empathy.acknowledge",
            "The customer needed their frustration acknowledged here.",
        ),
        Intent::Apologize => (
            Dimension::Empathy,
            "empathy.apology",
            "A sincere apology was due here.",
        ),
        Intent::UseName => (
            Dimension::Empathy,
            "empathy.personal",
            "Using the customer's name would have made it personal.",
        ),
        Intent::Explain => (
            Dimension::Expectations,
            "expectations.explain",
            "The customer needed the policy or process explained here.",
        ),
        Intent::Timeframe => (
            Dimension::Expectations,
            "expectations.timeframe",
            "The customer needed a realistic time frame here.",
        ),
        Intent::Ownership | Intent::Solution | Intent::Promise => (
            Dimension::Ownership,
            "ownership.commitment",
            "The customer needed someone to take this on here.",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::expected_rule;
    use crate::scenario::Intent;

    #[test]
    fn a_missing_intent_is_reported_under_its_lower_case_name() {
        let every = [
            Intent::Acknowledge,
            Intent::Apologize,
            Intent::UseName,
            Intent::Explain,
            Intent::Timeframe,
            Intent::Ownership,
            Intent::Solution,
            Intent::Question,
            Intent::Escalation,
            Intent::Promise,
            Intent::CalmDown,
            Intent::Blame,
            Intent::Dismiss,
        ];
        for intent in every {
            let spelled = format!("expected-{}", format!("{intent:?}").to_lowercase());
            assert_eq!(expected_rule(intent), spelled);
        }
    }
}
