//! What the learned reader sees of a reply: its words (single words and pairs of the normalised
//! text, numbers as `#`) and what the rules read in it (criteria and ratings, rules fired,
//! commitments with the policy's verdicts, time frames and amounts), each with the words it came
//! from so a decision can quote them.

use std::fmt::{self, Write as _};

use foldhash::{HashSet, HashSetExt};
use smol_str::{SmolStr, format_smolstr};

use super::super::{Polarity, PromiseVerdict, Reading};

/// Where a feature came from, to quote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A byte range of the normalised text.
    Words(usize, usize),
    /// The words of one of the rules' findings, by index.
    Finding(usize),
    /// The words of one of the rules' promises, by index.
    Promise(usize),
    /// Nothing to quote (the reply's length).
    Nothing,
}

/// A word of a reply as the model sees it: as normalised (`#` for a number, `$` for a currency),
/// marked when a negation comes before it in its clause, so "I will not refund you" and "I will
/// refund you" differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term<'t> {
    pub word: &'t str,
    pub negated: bool,
}

/// One thing the model weighs, borrowed from the reply and the rules' reading. Its name
/// ([`fmt::Display`]: `w:~refund`, `b:| ill`, `r:calm-down`, `p:Refund:forbidden`) is how the
/// model file lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature<'t> {
    /// A word.
    Word(Term<'t>),
    /// Two words in a row; `None` is the mark between sentences ("| ill" opens a sentence).
    Pair(Option<Term<'t>>, Option<Term<'t>>),
    /// How long the reply is (`len:short`).
    Length(&'static str),
    /// A criterion the rules rated, and how.
    Criterion(&'t str, Polarity),
    /// A rule that fired.
    Rule(&'t str),
    /// A commitment the rules read, by the policy's verdict (`p:too-soon`).
    Verdict(&'static str),
    /// A commitment the rules read, by whether it over-promises (`p:over`, `p:kept`).
    OverPromise(bool),
    /// A commitment the rules read, by its kind and verdict (`p:Refund:forbidden`).
    KindVerdict(&'t str, &'static str),
    /// A commitment that named a time, by whether it over-promises (`p:timed:over`).
    Timed(bool),
    /// A commitment that named an amount, by whether it over-promises (`p:amount:over`).
    Amount(bool),
}

impl Feature<'_> {
    /// Whether the feature is one of the reply's words or pairs of words.
    pub fn is_word(self) -> bool {
        matches!(self, Feature::Word(_) | Feature::Pair(..))
    }

    /// Writes the feature's name, piece by piece: [`fmt::Display`] and [`fingerprint`] share it,
    /// so a name and its fingerprint always agree.
    fn write_name(self, out: &mut impl fmt::Write) -> fmt::Result {
        fn term(out: &mut impl fmt::Write, term: Option<Term<'_>>) -> fmt::Result {
            match term {
                Some(Term { word, negated }) => {
                    if negated {
                        out.write_char('~')?;
                    }
                    out.write_str(word)
                }
                None => out.write_char('|'),
            }
        }
        let over = |over: bool| if over { "over" } else { "kept" };
        match self {
            Feature::Word(word) => {
                out.write_str("w:")?;
                term(out, Some(word))
            }
            Feature::Pair(before, after) => {
                out.write_str("b:")?;
                term(out, before)?;
                out.write_char(' ')?;
                term(out, after)
            }
            Feature::Length(band) => out.write_str(band),
            Feature::Criterion(criterion, polarity) => {
                out.write_str("f:")?;
                out.write_str(criterion)?;
                out.write_char(match polarity {
                    Polarity::Good => '+',
                    Polarity::Bad => '-',
                })
            }
            Feature::Rule(rule) => {
                out.write_str("r:")?;
                out.write_str(rule)
            }
            Feature::Verdict(verdict) => {
                out.write_str("p:")?;
                out.write_str(verdict)
            }
            Feature::OverPromise(over_promise) => {
                out.write_str("p:")?;
                out.write_str(over(over_promise))
            }
            Feature::KindVerdict(kind, verdict) => {
                out.write_str("p:")?;
                out.write_str(kind)?;
                out.write_char(':')?;
                out.write_str(verdict)
            }
            Feature::Timed(over_promise) => {
                out.write_str("p:timed:")?;
                out.write_str(over(over_promise))
            }
            Feature::Amount(over_promise) => {
                out.write_str("p:amount:")?;
                out.write_str(over(over_promise))
            }
        }
    }

    /// The fingerprint of the feature's name, without spelling the name out.
    pub fn fingerprint(self) -> u64 {
        let mut hash = Fingerprint::default();
        // Writing into a fingerprint cannot fail.
        let _ = self.write_name(&mut hash);
        hash.0
    }
}

impl fmt::Display for Feature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_name(f)
    }
}

/// A feature name's fingerprint: 64-bit FNV-1a over its bytes, so the model finds a feature's
/// weights by hashing the pieces of its name where they lie in the reply (the hashing trick:
/// two of the model's few thousand names sharing a fingerprint would take one in 10^15 chance,
/// and the model refuses a file where two do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl fmt::Write for Fingerprint {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for byte in text.bytes() {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(())
    }
}

/// The fingerprint of a feature's name as the model file spells it.
pub fn fingerprint(name: &str) -> u64 {
    let mut hash = Fingerprint::default();
    let _ = hash.write_str(name);
    hash.0
}

/// A reply's features, each once, in the order first seen.
#[derive(Debug, Default, Clone)]
pub struct Features<'t> {
    pub features: Vec<Feature<'t>>,
    /// Each feature's fingerprint, found once to tell repeats and again to weigh it.
    pub fingerprints: Vec<u64>,
    pub evidence: Vec<Evidence>,
    /// The value of each word feature: smaller the more words a reply has, so a long reply's many
    /// words do not outweigh what the rules read in it (whose features count 1).
    pub word_value: f32,
}

/// Whether a feature, by its name, is one of the reply's words or pairs of words.
pub fn is_word(name: &str) -> bool {
    name.starts_with("w:") || name.starts_with("b:")
}

/// The value of word features in a reply with this many of them: 1 up to 16, then falling as
/// one over the square root.
pub fn word_value(word_features: usize) -> f32 {
    (4.0 / (word_features.max(1) as f32).sqrt()).min(1.0)
}

impl<'t> Features<'t> {
    fn push(&mut self, seen: &mut HashSet<u64>, feature: Feature<'t>, evidence: Evidence) {
        let fingerprint = feature.fingerprint();
        if seen.insert(fingerprint) {
            self.features.push(feature);
            self.fingerprints.push(fingerprint);
            self.evidence.push(evidence);
        }
    }

    /// The features' names, as the model file spells them (for training and tests).
    pub fn names(&self) -> Vec<SmolStr> {
        self.features
            .iter()
            .map(|f| format_smolstr!("{f}"))
            .collect()
    }

    /// The features' fingerprints with their values, for scoring.
    pub fn values(&self) -> impl Iterator<Item = (u64, f32)> + '_ {
        self.features
            .iter()
            .zip(&self.fingerprints)
            .map(|(feature, &fingerprint)| {
                let value = if feature.is_word() {
                    self.word_value
                } else {
                    1.0
                };
                (fingerprint, value)
            })
    }
}

/// Whether a word negates what follows it in its clause.
fn negates(word: &str) -> bool {
    matches!(
        word,
        "not" | "no" | "never" | "cannot" | "nothing" | "nobody"
    ) || word.ends_with("n't")
}

/// A word of the normalised text and its byte range; `term` is `None` for the mark between
/// sentences.
struct Token<'t> {
    start: usize,
    end: usize,
    term: Option<Term<'t>>,
}

/// The words of a normalised text, with a mark where a sentence ends. Numbers read as `#` and a
/// currency (normalising spells every one `$`) as `$`, so "£20" and "$50" share their features.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    // Inside a clause after a negation: until a comma, a sentence end or "but".
    let mut negated = false;
    let mark = |start: usize, word: &'static str| Token {
        start,
        end: start + 1,
        term: Some(Term {
            word,
            negated: false,
        }),
    };
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_alphanumeric() || b == b'\'' || b == b'_' {
            let start = at;
            while at < bytes.len()
                && (bytes[at].is_ascii_alphanumeric()
                    || bytes[at] == b'\''
                    || bytes[at] == b'_'
                    || (bytes[at] == b'.'
                        && bytes[at - 1].is_ascii_digit()
                        && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)))
            {
                at += 1;
            }
            let raw = text[start..at].trim_matches('\'');
            if raw.is_empty() {
                continue;
            }
            let word = if raw.bytes().any(|c| c.is_ascii_digit()) {
                "#"
            } else {
                raw
            };
            let mut term = Term {
                word,
                negated: false,
            };
            if word == "but" {
                negated = false;
            } else if negates(word) {
                negated = true;
            } else {
                term.negated = negated;
            }
            tokens.push(Token {
                start,
                end: at,
                term: Some(term),
            });
            continue;
        }
        match b {
            b'$' => tokens.push(mark(at, "$")),
            b'%' => tokens.push(mark(at, "%")),
            b',' | b':' => negated = false,
            b'.' | b'!' | b'?' | b';' | b'\n' => {
                negated = false;
                if tokens.last().is_some_and(|t| t.term.is_some()) {
                    tokens.push(Token {
                        start: at,
                        end: at + 1,
                        term: None,
                    });
                }
            }
            _ => {}
        }
        at += 1;
    }
    tokens
}

/// How many words a reply has, in three bands.
fn length_band(words: usize) -> &'static str {
    match words {
        0..=8 => "len:short",
        9..=30 => "len:medium",
        _ => "len:long",
    }
}

/// The verdict's name in features: its kind only, without amounts or hours.
fn verdict_name(verdict: PromiseVerdict) -> &'static str {
    match verdict {
        PromiseVerdict::Allowed => "allowed",
        PromiseVerdict::Forbidden => "forbidden",
        PromiseVerdict::TooSoon { .. } => "too-soon",
        PromiseVerdict::NotInPolicy => "uncovered",
        PromiseVerdict::Undertaking => "undertaking",
        PromiseVerdict::RatedOverpromise => "rated",
        PromiseVerdict::OverCap { .. } => "over-cap",
        PromiseVerdict::ConditionUnmet { .. } => "condition-unmet",
        PromiseVerdict::Learned { overpromise: true } => "learned-over",
        PromiseVerdict::Learned { overpromise: false } => "learned-kept",
    }
}

/// The features of a reply: its normalised text and what the rules read in it.
pub fn extract<'t>(text: &'t str, rules: &'t Reading) -> Features<'t> {
    let tokens = tokens(text);
    // Each token names a word and a pair; each finding two features, each promise five.
    let most = 2 * tokens.len() + 1 + 2 * rules.findings.len() + 5 * rules.promises.len();
    let mut features = Features {
        features: Vec::with_capacity(most),
        fingerprints: Vec::with_capacity(most),
        evidence: Vec::with_capacity(most),
        word_value: 0.0,
    };
    let mut seen = HashSet::with_capacity(most);
    let mut previous: Option<&Token<'_>> = None;
    let mut words = 0;
    for token in &tokens {
        if let Some(term) = token.term {
            words += 1;
            features.push(
                &mut seen,
                Feature::Word(term),
                Evidence::Words(token.start, token.end),
            );
        }
        // Pairs across a sentence end mark how a sentence opens or closes ("| ill").
        let (before, start) = previous.map_or((None, token.start), |p| (p.term, p.start));
        if before.is_some() || token.term.is_some() {
            features.push(
                &mut seen,
                Feature::Pair(before, token.term),
                Evidence::Words(start, token.end),
            );
        }
        previous = Some(token);
    }
    features.word_value = word_value(features.features.len());
    features.push(
        &mut seen,
        Feature::Length(length_band(words)),
        Evidence::Nothing,
    );
    for (index, finding) in rules.findings.iter().enumerate() {
        let evidence = Evidence::Finding(index);
        features.push(
            &mut seen,
            Feature::Criterion(&finding.criterion, finding.polarity),
            evidence,
        );
        features.push(&mut seen, Feature::Rule(&finding.rule), evidence);
    }
    for (index, promise) in rules.promises.iter().enumerate() {
        let evidence = Evidence::Promise(index);
        let verdict = verdict_name(promise.verdict);
        let over = promise.verdict.is_overpromise();
        features.push(&mut seen, Feature::Verdict(verdict), evidence);
        features.push(&mut seen, Feature::OverPromise(over), evidence);
        features.push(
            &mut seen,
            Feature::KindVerdict(promise.kind.name(), verdict),
            evidence,
        );
        if promise.hours.is_some() {
            features.push(&mut seen, Feature::Timed(over), evidence);
        }
        if promise.amount.is_some() {
            features.push(&mut seen, Feature::Amount(over), evidence);
        }
    }
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_pairs_and_sentence_marks() {
        let reading = Reading::default();
        let features = extract("ill refund the $20 today. sorry", &reading);
        let names = features.names();
        let names: Vec<&str> = names.iter().map(SmolStr::as_str).collect();
        for expected in [
            "w:ill",
            "b:| ill",
            "b:ill refund",
            "w:$",
            "w:#",
            "b:$ #",
            "b:today |",
            "b:| sorry",
            "len:short",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        let at = names.iter().position(|n| *n == "b:ill refund").unwrap();
        assert_eq!(features.evidence[at], Evidence::Words(0, 10));
    }

    #[test]
    fn words_after_a_negation_in_their_clause_are_marked() {
        let reading = Reading::default();
        let features = extract("i will not refund you, but i'll call. calm down", &reading);
        let names = features.names();
        let names: Vec<&str> = names.iter().map(SmolStr::as_str).collect();
        for expected in ["w:not", "w:~refund", "b:~refund ~you", "w:call", "w:calm"] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        assert!(
            !names.contains(&"w:refund") && !names.contains(&"w:~call"),
            "{names:?}"
        );
    }

    #[test]
    fn a_features_fingerprint_is_its_names() {
        let term = |word, negated| Term { word, negated };
        let every_kind = [
            Feature::Word(term("refund", true)),
            Feature::Pair(None, Some(term("ill", false))),
            Feature::Pair(Some(term("today", false)), None),
            Feature::Length("len:short"),
            Feature::Criterion("empathy.respect", Polarity::Bad),
            Feature::Rule("calm-down"),
            Feature::Verdict("too-soon"),
            Feature::OverPromise(true),
            Feature::KindVerdict("Refund", "forbidden"),
            Feature::Timed(false),
            Feature::Amount(true),
        ];
        let names: Vec<String> = every_kind.iter().map(Feature::to_string).collect();
        assert_eq!(
            names,
            [
                "w:~refund",
                "b:| ill",
                "b:today |",
                "len:short",
                "f:empathy.respect-",
                "r:calm-down",
                "p:too-soon",
                "p:over",
                "p:Refund:forbidden",
                "p:timed:kept",
                "p:amount:over",
            ]
        );
        for (feature, name) in every_kind.iter().zip(&names) {
            assert_eq!(feature.fingerprint(), fingerprint(name), "{name}");
        }
        assert_ne!(fingerprint("w:refund"), fingerprint("w:~refund"));
    }

    #[test]
    fn each_feature_is_named_once() {
        let reading = Reading::default();
        let features = extract("sorry, so sorry", &reading);
        let sorry = features.names().iter().filter(|n| *n == "w:sorry").count();
        assert_eq!(sorry, 1);
    }
}
