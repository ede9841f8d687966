//! Negation: whether a negator ("not", "never", "won't"…) governs a phrase.
//!
//! A phrase is negated when a negator stands within a few words before it in the same clause
//! ("I'm not going to tell you to calm down"; "I won't blame you"). Clauses end at punctuation and
//! at words such as "but", so "I can't refund it, but I understand" keeps its acknowledgement. Only
//! words *before* the match are looked at, so a phrase that carries its own negation ("not my
//! department", "you didn't read") is never cancelled by it.

use super::normalise::{WordSet, is_word_byte, word_set};

/// The compiled negation settings of a lexicon.
#[derive(Debug, Clone)]
pub struct Negation {
    /// Whole words that negate ("not", "never", "cannot").
    negators: WordSet,
    /// Word endings that negate ("n't").
    negator_suffixes: Vec<String>,
    /// How many words before a phrase a negator may stand.
    window: usize,
    /// Words that end a clause ("but", "however").
    clause_breaks: WordSet,
}

impl Negation {
    /// Negation settings from the lexicon's lists (already lower case).
    pub fn new(negators: &[String], window: usize, clause_breaks: &[String]) -> Self {
        let (suffixes, words): (Vec<String>, Vec<String>) = negators
            .iter()
            .map(|n| n.trim().to_lowercase())
            .partition(|n| n.starts_with('-'));
        Negation {
            negators: word_set(words.iter().map(String::as_str)),
            negator_suffixes: suffixes
                .into_iter()
                .map(|s| s.trim_start_matches('-').to_owned())
                .collect(),
            window,
            clause_breaks: word_set(clause_breaks.iter().map(String::as_str)),
        }
    }

    /// Whether a word is a negator.
    pub fn is_negator(&self, word: &str) -> bool {
        self.negators.contains(word)
            || self
                .negator_suffixes
                .iter()
                .any(|s| word.ends_with(s.as_str()))
    }

    /// Whether a word ends a clause.
    pub fn is_clause_break(&self, word: &str) -> bool {
        self.clause_breaks.contains(word)
    }

    /// Whether a negator stands within the window before byte `at`, in the same clause.
    pub fn negated_before(&self, text: &str, at: usize) -> bool {
        let mut negated = false;
        self.each_word_before(text, at, self.window, |word| {
            negated = self.is_negator(word);
            !negated
        });
        negated
    }

    /// Whether one of the next `count` words after byte `at` is a negator ("I will not …").
    pub fn negated_after(&self, text: &str, at: usize, count: usize) -> bool {
        words_after(text, at, count).any(|word| self.is_negator(word))
    }

    /// Up to `limit` words before `at`, nearest first, stopping at the clause's start.
    pub fn words_before<'t>(&self, text: &'t str, at: usize, limit: usize) -> Vec<&'t str> {
        let mut words = Vec::new();
        self.each_word_before(text, at, limit, |word| {
            words.push(word);
            true
        });
        words
    }

    /// Calls `visit` with up to `limit` words before `at`, nearest first, stopping at the
    /// clause's start or when `visit` returns false. Allocates nothing.
    fn each_word_before<'t>(
        &self,
        text: &'t str,
        at: usize,
        limit: usize,
        mut visit: impl FnMut(&'t str) -> bool,
    ) {
        let bytes = text.as_bytes();
        let mut seen = 0;
        let mut i = at.min(bytes.len());
        while seen < limit && i > 0 {
            let b = bytes[i - 1];
            if is_word_byte(b) {
                let end = i;
                while i > 0 && is_word_byte(bytes[i - 1]) {
                    i -= 1;
                }
                // The normalised text is ASCII, so any byte offset is a character boundary; the
                // `get` keeps arbitrary text safe all the same.
                let Some(word) = text.get(i..end) else {
                    break;
                };
                if self.is_clause_break(word) {
                    break;
                }
                seen += 1;
                if !visit(word) {
                    break;
                }
            } else if is_clause_punctuation(b) {
                break;
            } else {
                i -= 1;
            }
        }
    }
}

/// The next `count` words after byte `at`, stopping at clause punctuation.
pub fn words_after(text: &str, at: usize, count: usize) -> impl Iterator<Item = &str> {
    let tail = text.get(at..).unwrap_or("");
    let clause_end = tail
        .bytes()
        .position(is_clause_punctuation)
        .unwrap_or(tail.len());
    tail[..clause_end]
        .split(|c: char| !is_word_byte(c as u8))
        .filter(|w| !w.is_empty())
        .take(count)
}

/// Whether a byte ends a clause.
pub fn is_clause_punctuation(b: u8) -> bool {
    matches!(
        b,
        b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\n' | b'(' | b')' | b'"'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negation() -> Negation {
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        Negation::new(&words(&["not", "never", "no", "-n't"]), 6, &words(&["but"]))
    }

    fn negated(text: &str, phrase: &str) -> bool {
        negation().negated_before(text, text.find(phrase).unwrap())
    }

    #[test]
    fn a_negator_a_few_words_before_negates() {
        assert!(negated(
            "i'm not going to tell you to calm down",
            "calm down"
        ));
        assert!(negated("i won't blame you", "blame you"));
        assert!(negated("i would never say calm down", "calm down"));
    }

    #[test]
    fn a_phrase_carrying_its_own_negation_is_not_negated() {
        assert!(!negated("that's not my department", "not my department"));
        assert!(!negated("you didn't read the terms", "you didn't read"));
    }

    #[test]
    fn negation_stops_at_the_clause() {
        assert!(!negated(
            "i can't refund it, but i understand",
            "i understand"
        ));
        assert!(!negated(
            "i can't refund it but i understand",
            "i understand"
        ));
        assert!(!negated("no. calm down", "calm down"));
    }

    #[test]
    fn negation_is_limited_to_the_window() {
        assert!(!negated(
            "not that it matters much to anyone here really, calm down",
            "calm down"
        ));
        assert!(!negated(
            "no one here would ever ask anybody at all to calm down",
            "calm down"
        ));
    }

    #[test]
    fn words_after_stop_at_punctuation() {
        let words: Vec<&str> = words_after("i will not. never", 6, 3).collect();
        assert_eq!(words, ["not"]);
    }
}
