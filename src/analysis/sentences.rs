//! Stage 2, sentences and clauses: where the sentences of a normalised reply start and end, and
//! the clauses ("parts") a sentence is cut into for the promise ledger.
//!
//! A sentence ends at `.`, `!`, `?`, `;` or a line break, but not at a full stop between two
//! digits (`5.30`, `£10.50`). A sentence is cut into clauses at commas, colons, brackets, a dash
//! after a space, and the lexicon's part breaks ("and", "then").

use super::normalise::{Normalised, WordSet, is_word_byte};

impl Normalised<'_> {
    /// The byte ranges of the sentences, in order.
    pub fn sentences(&self) -> Vec<(usize, usize)> {
        sentences_of(&self.text)
    }
}

/// The byte ranges of the sentences of a normalised text, in order.
pub(crate) fn sentences_of(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut sentences = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        if is_sentence_end(bytes, i) {
            if i > start {
                sentences.push((start, i));
            }
            start = i + 1;
        }
    }
    if bytes.len() > start {
        sentences.push((start, bytes.len()));
    }
    sentences
}

/// Whether the byte at `i` ends a sentence.
pub(crate) fn is_sentence_end(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'!' | b'?' | b';' | b'\n' => true,
        b'.' => {
            let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
            let digit_after = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            !(digit_before && digit_after)
        }
        _ => false,
    }
}

/// The clauses of a sentence, trimmed, in order.
pub(crate) fn clauses(
    part_breaks: &WordSet,
    text: &str,
    (s0, s1): (usize, usize),
) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut clauses = Vec::new();
    let mut start = s0;
    let mut i = s0;
    while i < s1 {
        let b = bytes[i];
        if b == b','
            || b == b':'
            || (b == b'-' && i > 0 && bytes[i - 1] == b' ')
            || b == b'('
            || b == b')'
        {
            push_clause(&mut clauses, text, start, i);
            start = i + 1;
            i += 1;
        } else if is_word_byte(b) {
            let word_start = i;
            while i < s1 && is_word_byte(bytes[i]) {
                i += 1;
            }
            if part_breaks.contains(&text[word_start..i]) {
                push_clause(&mut clauses, text, start, word_start);
                start = i;
            }
        } else {
            i += 1;
        }
    }
    push_clause(&mut clauses, text, start, s1);
    clauses
}

/// Adds `start..end` without its spaces, unless nothing is left.
fn push_clause(clauses: &mut Vec<(usize, usize)>, text: &str, start: usize, end: usize) {
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if start + lead < end - trail {
        clauses.push((start + lead, end - trail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalise::word_set;

    #[test]
    fn sentences_do_not_split_decimals() {
        let norm = Normalised::new("It costs £10.50. I'll call at 5.30!");
        let sentences: Vec<&str> = norm
            .sentences()
            .iter()
            .map(|&(s, e)| &norm.text[s..e])
            .collect();
        assert_eq!(sentences, ["it costs $10.50", " i'll call at 5.30"]);
    }

    #[test]
    fn clauses_are_cut_at_punctuation_and_part_breaks() {
        let text = "i'll check today, and call you back - promise (really)";
        let breaks = word_set(["and"]);
        let clauses: Vec<&str> = clauses(&breaks, text, (0, text.len()))
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            clauses,
            ["i'll check today", "call you back", "promise", "really"]
        );
    }
}
