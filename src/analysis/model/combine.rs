//! Interpretation → findings: the one place where the learned reader's decisions meet the rules'.
//!
//! For each of the five labels, what the rules read is kept unless the model confidently rejects
//! it (below the label's `drop` threshold), and what they missed is added when the model is
//! confident (at its `add` threshold or more). A finding the model adds quotes the words that
//! carried its decision and says so ("learned: …"); one it drops is removed with the rules'
//! other findings left as they were.

use smol_str::SmolStr;

use super::features::{self, Evidence, Features};
use super::linear::{Label, LinearModel, Score, Thresholds};
use crate::analysis::normalise::Normalised;
use crate::analysis::{Finding, Polarity, Promise, PromiseVerdict, Reading, dimension_of};
use crate::scenario::{Policy, PromiseKind};

/// The criterion and polarity a label adds as, and every one that counts for it.
pub fn criteria(label: Label) -> (&'static str, Polarity, &'static [&'static str]) {
    match label {
        Label::Empathic => (
            "empathy.acknowledge",
            Polarity::Good,
            &["empathy.acknowledge", "empathy.apology"],
        ),
        Label::Disrespect => ("empathy.respect", Polarity::Bad, &["empathy.respect"]),
        Label::Overpromise => (
            "expectations.no-overpromise",
            Polarity::Bad,
            &["expectations.no-overpromise"],
        ),
        Label::Ownership => (
            "ownership.commitment",
            Polarity::Good,
            &["ownership.commitment"],
        ),
        Label::Deflection => (
            "ownership.no-deflection",
            Polarity::Bad,
            &["ownership.no-deflection", "ownership.no-repeat"],
        ),
    }
}

/// What the model read a reply from: its features, its text and the rules' reading of it, as
/// they were before any label changed it.
pub struct Seen<'r> {
    pub model: &'r LinearModel,
    pub features: &'r Features<'r>,
    pub norm: &'r Normalised<'r>,
    pub rules: &'r Reading,
    pub policy: &'r Policy,
}

/// Whether the reading holds a label (over-promises by the ledger's verdicts).
pub fn holds(reading: &Reading, label: Label) -> bool {
    if label == Label::Overpromise {
        return reading.overpromised();
    }
    let (_, polarity, members) = criteria(label);
    reading
        .findings
        .iter()
        .any(|f| f.polarity == polarity && members.contains(&f.criterion.as_str()))
}

/// Whether the rules read commitments and the policy allows every one of them.
pub fn allowed_only(reading: &Reading) -> bool {
    !reading.promises.is_empty()
        && reading
            .promises
            .iter()
            .all(|p| p.verdict == PromiseVerdict::Allowed)
}

/// The rules whose findings hold a label in a reading, each once (the ledger's over-promises
/// count as their finding's rule).
pub fn rules_holding(reading: &Reading, label: Label) -> Vec<String> {
    let (_, polarity, members) = criteria(label);
    let mut rules: Vec<String> = Vec::new();
    for finding in &reading.findings {
        if finding.polarity == polarity
            && members.contains(&finding.criterion.as_str())
            && !rules.iter().any(|r| *r == finding.rule)
        {
            rules.push(finding.rule.to_string());
        }
    }
    rules
}

/// Whether the rules' reading of a label rests on an exact check of the policy the model cannot
/// overrule (it reads words, not the policy's amounts or the scenario's flags): an amount over
/// the policy's cap, a condition of the call not met, or the author's own rating; and an
/// over-promise the rules read beside a commitment whose amount or condition checked as allowed.
pub fn firm(reading: &Reading, policy: &Policy, label: Label) -> bool {
    label == Label::Overpromise
        && (reading.promises.iter().any(|p| {
            matches!(
                p.verdict,
                PromiseVerdict::OverCap { .. }
                    | PromiseVerdict::ConditionUnmet { .. }
                    | PromiseVerdict::RatedOverpromise
            )
        }) || (reading.overpromised() && checked_allowed(reading, policy)))
}

/// How sure the model must be to add an over-promise the rules did not read beside a commitment
/// whose amount or condition the ledger checked and found allowed. Below it the check stands;
/// at it, what the model reads is mostly what the check did not cover: a second sum ("and add £50
/// for the trouble"), "in cash", "plus 50% off your next booking".
pub const SURE_BESIDE_A_CHECK: f32 = 0.85;

/// Whether the ledger checked a commitment's amount against the policy's cap, or its
/// conditions, and found it allowed.
pub fn checked_allowed(reading: &Reading, policy: &Policy) -> bool {
    reading.promises.iter().any(|p| {
        p.verdict == PromiseVerdict::Allowed
            && policy.commitment(p.kind).is_some_and(|c| {
                !c.only_if.is_empty() || (c.amount.is_some() && p.amount.is_some())
            })
    })
}

/// What the rules read of a reply that the model's decision on a label depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RulesRead {
    /// The rules read the label.
    pub holds: bool,
    /// The rules read commitments and the policy allows every one ([`allowed_only`]).
    pub allowed_only: bool,
    /// The rules read no over-promise beside a commitment checked as allowed ([`checked_allowed`]).
    pub beside_a_check: bool,
}

impl RulesRead {
    /// What the rules read of a label in a reading.
    pub fn of(reading: &Reading, policy: &Policy, label: Label) -> RulesRead {
        let holds = holds(reading, label);
        let over = label == Label::Overpromise;
        RulesRead {
            holds,
            allowed_only: over && allowed_only(reading),
            beside_a_check: over && !holds && checked_allowed(reading, policy),
        }
    }

    /// Whether the model decides the label holds at this probability.
    pub fn decide(self, thresholds: Thresholds, probability: f32) -> bool {
        if self.beside_a_check {
            probability >= SURE_BESIDE_A_CHECK
        } else {
            thresholds.decide(self.holds, self.allowed_only, probability)
        }
    }

    /// The probability at which the model adds the label when the rules did not read it.
    pub fn adds_at(self, thresholds: Thresholds) -> f32 {
        if self.beside_a_check {
            SURE_BESIDE_A_CHECK
        } else if self.allowed_only {
            thresholds.add_over_allowed
        } else {
            thresholds.add
        }
    }
}

/// Changes the rules' reading where the model's decision for a label differs from it: the
/// rules' reading stands unless the model's score crosses the label's thresholds.
pub fn apply(
    label: Label,
    score: &Score,
    thresholds: Thresholds,
    seen: &Seen<'_>,
    reading: &mut Reading,
) {
    let read = RulesRead::of(seen.rules, seen.policy, label);
    let decided = read.decide(thresholds, score.probability);
    if read.holds == decided
        || firm(seen.rules, seen.policy, label)
        || rules_holding(seen.rules, label)
            .iter()
            .any(|rule| seen.model.firm_rules.contains(rule))
    {
        return;
    }
    if decided {
        let (words, quote) = evidence_words(score, seen);
        let note = SmolStr::new(format!(
            "learned: read as {} from {words} (the model's score {:.2}, at least the {:.2} it \
             takes to add what the rules missed).",
            label.name(),
            score.probability,
            read.adds_at(thresholds)
        ));
        add(label, quote, note, reading);
    } else if unsure_in_its_sentences(label, thresholds, seen) {
        remove(label, reading);
    }
}

/// Whether the model, reading alone each sentence the rules' findings of a label rest in, is as
/// sure as it was of the whole reply that the label does not hold. A long reply dilutes one
/// sentence's words ("that's on you" among an apology and a booking change), so a finding is
/// dropped only when its own sentence does not hold the label either.
fn unsure_in_its_sentences(label: Label, thresholds: Thresholds, seen: &Seen<'_>) -> bool {
    let (_, polarity, members) = criteria(label);
    let quotes: Vec<&str> = seen
        .rules
        .findings
        .iter()
        .filter(|f| f.polarity == polarity && members.contains(&f.criterion.as_str()))
        .map(|f| f.matched.as_str())
        .chain(
            seen.rules
                .promises
                .iter()
                .filter(|p| label == Label::Overpromise && p.verdict.is_overpromise())
                .map(|p| p.quote.as_str()),
        )
        .filter(|quote| !quote.is_empty())
        .collect();
    let sentences = seen.norm.sentences();
    if sentences.len() < 2 {
        return true;
    }
    sentences.into_iter().all(|(start, end)| {
        let own = seen.norm.original(start, end);
        if !quotes.iter().any(|quote| own.contains(quote)) {
            return true;
        }
        let features = features::extract(&seen.norm.text[start..end], seen.rules);
        seen.model.score(features.values())[label.index()].probability < thresholds.drop
    })
}

/// The words of the features that carried a decision, quoted (`"sorry", "i'd be furious"`), and
/// the sentence holding the first of them, verbatim from the reply.
fn evidence_words(score: &Score, seen: &Seen<'_>) -> (String, SmolStr) {
    let (features, norm, reading) = (seen.features, seen.norm, seen.rules);
    let mut quoted: Vec<String> = Vec::new();
    let mut sentence: Option<SmolStr> = None;
    for (index, _) in score.top() {
        let (words, span) = match features.evidence[index] {
            Evidence::Words(start, end) => (norm.original(start, end), Some((start, end))),
            Evidence::Finding(at) => (reading.findings[at].matched.as_str(), None),
            Evidence::Promise(at) => (reading.promises[at].quote.as_str(), None),
            Evidence::Nothing => continue,
        };
        let feature = features.features[index];
        let what = if feature.is_word() {
            format!("\"{words}\"")
        } else {
            // Past the name's prefix (`r:`, `f:`, `p:`).
            format!("the rules' `{}` in \"{words}\"", &feature.to_string()[2..])
        };
        if !quoted.contains(&what) {
            quoted.push(what);
        }
        if sentence.is_none() {
            sentence = Some(match span {
                Some((start, end)) => sentence_around(norm, start, end),
                None => SmolStr::new(words),
            });
        }
    }
    if quoted.is_empty() {
        quoted.push("the reply as a whole".to_owned());
    }
    let sentence = sentence
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| SmolStr::new(norm.original.trim()));
    (quoted.join(", "), sentence)
}

/// The reply's own words of the sentence a range of the normalised text falls in.
fn sentence_around(norm: &Normalised<'_>, start: usize, end: usize) -> SmolStr {
    let (from, to) = norm
        .sentences()
        .into_iter()
        .find(|&(s, e)| s <= start && end <= e.max(s))
        .unwrap_or((start, end));
    SmolStr::new(norm.original(from, to))
}

fn add(label: Label, quote: SmolStr, note: SmolStr, reading: &mut Reading) {
    let (criterion, polarity, _) = criteria(label);
    let rule = SmolStr::new(format!("learned-{}", label.name()));
    if label == Label::Overpromise {
        // The rules' own commitment where they found one, else an assurance in the model's words.
        match reading
            .promises
            .iter_mut()
            .find(|p| !p.verdict.is_overpromise())
        {
            Some(promise) => promise.verdict = PromiseVerdict::Learned { overpromise: true },
            None => reading.promises.push(Promise {
                kind: PromiseKind::Guarantee,
                quote: quote.clone(),
                hours: None,
                verdict: PromiseVerdict::Learned { overpromise: true },
                amount: None,
                terms: SmolStr::default(),
            }),
        }
    }
    let Some(dimension) = dimension_of(criterion) else {
        return;
    };
    reading.findings.push(Finding {
        dimension,
        polarity,
        criterion: SmolStr::new_static(criterion),
        rule,
        matched: quote,
        note,
        weight: 1,
    });
}

/// Drops the rules' findings of a label; over-promises stay in the ledger, marked as kept by the
/// learned reader, so the debrief still lists the commitment.
fn remove(label: Label, reading: &mut Reading) {
    let (_, polarity, members) = criteria(label);
    reading
        .findings
        .retain(|f| !(f.polarity == polarity && members.contains(&f.criterion.as_str())));
    if label == Label::Overpromise {
        for promise in &mut reading.promises {
            if promise.verdict.is_overpromise() {
                promise.verdict = PromiseVerdict::Learned { overpromise: false };
            }
        }
    }
}
