//! One normalised, ASCII copy of a reply that the lexicon's patterns match, mapped back to the original.
//!
//! Every character of the reply becomes exactly one ASCII byte: letters are lower-cased with
//! Unicode-aware folding, curly quotes become `'` or `"`, dashes `-`, pound and euro signs `$`,
//! control characters and every kind of space one space (runs of spaces collapse), other letters
//! and digits outside ASCII `_` (so they still make words) and everything else (emoji, symbols,
//! combining marks) a space. Patterns therefore stay simple and fast on any input, and a byte
//! range of the copy maps back to the reply's own words through [`Normalised::original`].

/// A reply's normalised text with the map back to the reply.
#[derive(Debug, Clone)]
pub struct Normalised<'a> {
    /// The reply as written.
    pub original: &'a str,
    /// The normalised text: ASCII only.
    pub text: String,
    /// For each byte of `text`, and one past its end, the byte offset in `original`.
    offsets: Vec<usize>,
}

/// The stand-in for letters and digits outside ASCII: a word character no pattern names.
const FOREIGN_LETTER: u8 = b'_';

impl<'a> Normalised<'a> {
    /// Normalises a reply.
    pub fn new(original: &'a str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut offsets = Vec::with_capacity(original.len() + 1);
        let mut last_space = true;
        for (at, c) in original.char_indices() {
            let byte = fold(c);
            if byte == b' ' {
                if last_space {
                    continue;
                }
                last_space = true;
            } else {
                last_space = false;
            }
            text.push(char::from(byte));
            offsets.push(at);
        }
        offsets.push(original.len());
        Normalised {
            original,
            text,
            offsets,
        }
    }

    /// The reply's own words for a byte range of the normalised text, trimmed.
    pub fn original(&self, start: usize, end: usize) -> &'a str {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let from = self.offsets[start];
        let to = self.offsets[end];
        self.original[from..to].trim()
    }

    /// The byte ranges of the sentences: text between `.`, `!`, `?`, `;` or a line break.
    ///
    /// A full stop between two digits (`5.30`, `£10.50`) does not end a sentence.
    pub fn sentences(&self) -> Vec<(usize, usize)> {
        let bytes = self.text.as_bytes();
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
        if start < bytes.len() {
            sentences.push((start, bytes.len()));
        }
        sentences
    }
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

/// Whether a byte of the normalised text is part of a word.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b == FOREIGN_LETTER
}

/// The one ASCII byte a character becomes.
fn fold(c: char) -> u8 {
    if c.is_ascii() {
        // Line breaks are kept: they end sentences in chat replies.
        if c == '\n' {
            return b'\n';
        }
        if c.is_ascii_control() {
            return b' ';
        }
        return c.to_ascii_lowercase() as u8;
    }
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{02BC}' | '\u{2032}'
        | '\u{00B4}' => b'\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => b'"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => b'-',
        '\u{2026}' => b'.',
        '\u{00A3}' | '\u{20AC}' => b'$',
        '\u{FF01}' => b'!',
        '\u{FF1F}' => b'?',
        _ if c.is_whitespace() || c.is_control() => b' ',
        _ => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.is_ascii() => l as u8,
                _ if c.is_alphanumeric() => FOREIGN_LETTER,
                _ => b' ',
            }
        }
    }
}

/// Lower-cases and normalises a short phrase (a name, a jargon term) the same way as replies.
pub fn normalise_phrase(phrase: &str) -> String {
    Normalised::new(phrase.trim()).text.trim().to_owned()
}

/// Finds `needle` in `haystack` at word boundaries (both normalised), returning its byte range.
pub(crate) fn find_word(haystack: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(found) = haystack[from..].find(needle) {
        let start = from + found;
        let end = start + needle.len();
        let bounded_before =
            start == 0 || !is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'\'';
        let bounded_after = end == bytes.len() || !is_word_byte(bytes[end]) || bytes[end] == b'\'';
        if bounded_before && bounded_after {
            return Some((start, end));
        }
        from = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_quotes_and_spaces() {
        let norm = Normalised::new("I\u{2019}M  So\tSORRY \u{1F620}!");
        assert_eq!(norm.text, "i'm so sorry !");
    }

    #[test]
    fn maps_ranges_back_to_the_original_words() {
        let text = "Ça va, I\u{2019}m sorry 😡 Maria";
        let norm = Normalised::new(text);
        let start = norm.text.find("i'm sorry").unwrap();
        assert_eq!(norm.original(start, start + 9), "I\u{2019}m sorry");
        assert_eq!(norm.text.len(), norm.offsets.len() - 1);
    }

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
    fn finds_words_only_at_boundaries() {
        assert_eq!(find_word("hi mariana, maria", "maria"), Some((12, 17)));
        assert_eq!(find_word("mariana", "maria"), None);
    }

    #[test]
    fn foreign_letters_stay_words() {
        assert_eq!(Normalised::new("José").text, "jos_");
        assert_eq!(Normalised::new("مرحبا").text, "_____");
    }
}
