//! What the learned reader sees of a reply: its words (single words and pairs of the normalised
//! text, numbers as `#`) and what the rules read in it (criteria and ratings, rules fired,
//! commitments with the policy's verdicts, time frames and amounts), each with the words it came
//! from so a decision can quote them.

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

/// A reply's features, each named once, in the order first seen.
#[derive(Debug, Default, Clone)]
pub struct Features {
    /// The names, most short enough to be held inline (no allocation per feature).
    pub names: Vec<SmolStr>,
    pub evidence: Vec<Evidence>,
    /// The value of each word feature: smaller the more words a reply has, so a long reply's many
    /// words do not outweigh what the rules read in it (whose features count 1).
    pub word_value: f32,
}

/// Whether a feature is one of the reply's words or pairs of words.
pub fn is_word(name: &str) -> bool {
    name.starts_with("w:") || name.starts_with("b:")
}

/// The value of word features in a reply with this many of them: 1 up to 16, then falling as
/// one over the square root.
pub fn word_value(word_features: usize) -> f32 {
    (4.0 / (word_features.max(1) as f32).sqrt()).min(1.0)
}

impl Features {
    fn push(&mut self, seen: &mut HashSet<SmolStr>, name: SmolStr, evidence: Evidence) {
        if seen.insert(name.clone()) {
            self.names.push(name);
            self.evidence.push(evidence);
        }
    }

    /// The names, for tests.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(SmolStr::as_str)
    }

    /// The names with their values, for scoring.
    pub fn values(&self) -> impl Iterator<Item = (&str, f32)> {
        self.names.iter().map(|n| {
            let value = if is_word(n) { self.word_value } else { 1.0 };
            (n.as_str(), value)
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

/// A word of the normalised text: its byte range and how it is named (`~refund` after a
/// negation in its clause, so "I will not refund you" and "I will refund you" differ).
struct Token {
    start: usize,
    end: usize,
    /// `None` for the mark between sentences.
    word: Option<SmolStr>,
}

/// The words of a normalised text, with a mark where a sentence ends. Numbers read as `#` and a
/// currency (normalising spells every one `$`) as `$`, so "£20" and "$50" share their features.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    // Inside a clause after a negation: until a comma, a sentence end or "but".
    let mut negated = false;
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
            let mut word = SmolStr::new(if raw.bytes().any(|c| c.is_ascii_digit()) {
                "#"
            } else {
                raw
            });
            if word == "but" {
                negated = false;
            } else if negates(&word) {
                negated = true;
            } else if negated {
                word = format_smolstr!("~{word}");
            }
            tokens.push(Token {
                start,
                end: at,
                word: Some(word),
            });
            continue;
        }
        match b {
            b'$' => tokens.push(Token {
                start: at,
                end: at + 1,
                word: Some(SmolStr::new_static("$")),
            }),
            b'%' => tokens.push(Token {
                start: at,
                end: at + 1,
                word: Some(SmolStr::new_static("%")),
            }),
            b',' | b':' => negated = false,
            b'.' | b'!' | b'?' | b';' | b'\n' => {
                negated = false;
                if tokens.last().is_some_and(|t: &Token| t.word.is_some()) {
                    tokens.push(Token {
                        start: at,
                        end: at + 1,
                        word: None,
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
pub fn extract(text: &str, rules: &Reading) -> Features {
    let tokens = tokens(text);
    // Each token names a word and a pair; each finding two features, each promise five.
    let most = 2 * tokens.len() + 1 + 2 * rules.findings.len() + 5 * rules.promises.len();
    let mut features = Features {
        names: Vec::with_capacity(most),
        evidence: Vec::with_capacity(most),
        word_value: 0.0,
    };
    let mut seen = HashSet::with_capacity(most);
    let mut previous: Option<&Token> = None;
    let mut words = 0;
    for token in &tokens {
        let name = token.word.as_deref().unwrap_or("|");
        if let Some(word) = &token.word {
            words += 1;
            features.push(
                &mut seen,
                format_smolstr!("w:{word}"),
                Evidence::Words(token.start, token.end),
            );
        }
        // Pairs across a sentence end mark how a sentence opens or closes ("| ill").
        let (before, start) = previous.map_or(("|", token.start), |p| {
            (p.word.as_deref().unwrap_or("|"), p.start)
        });
        if before != "|" || name != "|" {
            features.push(
                &mut seen,
                format_smolstr!("b:{before} {name}"),
                Evidence::Words(start, token.end),
            );
        }
        previous = Some(token);
    }
    features.word_value = word_value(features.names.len());
    features.push(
        &mut seen,
        SmolStr::new_static(length_band(words)),
        Evidence::Nothing,
    );
    for (index, finding) in rules.findings.iter().enumerate() {
        let sign = match finding.polarity {
            Polarity::Good => '+',
            Polarity::Bad => '-',
        };
        let evidence = Evidence::Finding(index);
        features.push(
            &mut seen,
            format_smolstr!("f:{}{sign}", finding.criterion),
            evidence,
        );
        features.push(&mut seen, format_smolstr!("r:{}", finding.rule), evidence);
    }
    for (index, promise) in rules.promises.iter().enumerate() {
        let evidence = Evidence::Promise(index);
        let verdict = verdict_name(promise.verdict);
        let over = if promise.verdict.is_overpromise() {
            "over"
        } else {
            "kept"
        };
        features.push(&mut seen, format_smolstr!("p:{verdict}"), evidence);
        features.push(&mut seen, format_smolstr!("p:{over}"), evidence);
        features.push(
            &mut seen,
            format_smolstr!("p:{:?}:{verdict}", promise.kind),
            evidence,
        );
        if promise.hours.is_some() {
            features.push(&mut seen, format_smolstr!("p:timed:{over}"), evidence);
        }
        if promise.amount.is_some() {
            features.push(&mut seen, format_smolstr!("p:amount:{over}"), evidence);
        }
    }
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_pairs_and_sentence_marks() {
        let features = extract("ill refund the $20 today. sorry", &Reading::default());
        let names: Vec<&str> = features.iter().collect();
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
        let features = extract(
            "i will not refund you, but i'll call. calm down",
            &Reading::default(),
        );
        let names: Vec<&str> = features.iter().collect();
        for expected in ["w:not", "w:~refund", "b:~refund ~you", "w:call", "w:calm"] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        assert!(
            !names.contains(&"w:refund") && !names.contains(&"w:~call"),
            "{names:?}"
        );
    }

    #[test]
    fn each_feature_is_named_once() {
        let features = extract("sorry, so sorry", &Reading::default());
        let sorry = features.iter().filter(|n| *n == "w:sorry").count();
        assert_eq!(sorry, 1);
    }
}
