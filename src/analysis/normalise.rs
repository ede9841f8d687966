//! One normalised, ASCII copy of a reply that the lexicon's patterns match, mapped back to the original.
//!
//! Every character of the reply but the invisible ones becomes exactly one ASCII byte: letters are lower-cased with
//! Unicode-aware folding, curly quotes become `'` or `"`, dashes `-`, pound and euro signs `$`,
//! control characters and every kind of space one space (runs of spaces collapse), other letters
//! and digits outside ASCII `_` (so they still make words) and everything else (emoji, symbols,
//! combining marks) a space. Patterns therefore stay simple and fast on any input, and a byte
//! range of the copy maps back to the reply's own words through [`Normalised::original`].
//!
//! Before that, characters that disguise words are undone (see [`super::disguise`]): invisible
//! ones (zero-width spaces, soft hyphens, bidi controls, …) become no byte at all, and look-alike
//! letters in Latin words (a Cyrillic "С" in "Calm") the Latin letter they imitate.

use super::disguise::{Disguise, Undisguised, Undisguiser};

/// A reply's normalised text with the map back to the reply.
#[derive(Debug, Clone)]
pub struct Normalised<'a> {
    /// The reply as written.
    pub original: &'a str,
    /// The normalised text: ASCII only.
    pub text: String,
    /// For each byte of `text`, and one past its end, the byte offset in `original`.
    offsets: Vec<usize>,
    /// The invisible and look-alike characters that were dropped or read as Latin letters
    /// (see [`super::disguise`]), in order; empty for ASCII replies.
    pub disguises: Vec<Disguise>,
}

/// The stand-in for letters and digits outside ASCII: a word character no pattern names.
const FOREIGN_LETTER: u8 = b'_';

impl<'a> Normalised<'a> {
    /// Normalises a reply.
    pub fn new(original: &'a str) -> Self {
        let mut bytes: Vec<u8> = Vec::with_capacity(original.len());
        let mut offsets: Vec<usize> = Vec::with_capacity(original.len() + 1);
        let mut undisguiser = Undisguiser::new(original);
        // Runs of spaces collapse, and leading spaces go.
        let mut last_space = true;
        for (at, c) in original.char_indices() {
            let byte = if c.is_ascii() {
                fold_ascii(c as u8)
            } else {
                match undisguiser.undisguise(at, c) {
                    // Read without it: "C\u{200B}alm" is "calm".
                    Undisguised::Dropped => continue,
                    Undisguised::Latin(byte) => byte,
                    Undisguised::Unchanged => fold(c),
                }
            };
            let space = byte == b' ';
            if space && last_space {
                continue;
            }
            last_space = space;
            bytes.push(byte);
            offsets.push(at);
        }
        offsets.push(original.len());
        // Every byte pushed is ASCII, so this cannot fail.
        let text = String::from_utf8(bytes).unwrap_or_default();
        Normalised {
            original,
            text,
            offsets,
            disguises: undisguiser.found,
        }
    }

    /// The reply's own words for a byte range of the normalised text, trimmed.
    pub fn original(&self, start: usize, end: usize) -> &'a str {
        let end = end.min(self.text.len());
        let start = start.min(end);
        self.original[self.offsets[start]..self.offsets[end]].trim()
    }

    /// The byte offset in `original` of byte `i` of `text` (or of its end).
    pub(crate) fn offset_of(&self, i: usize) -> usize {
        self.offsets[i.min(self.offsets.len() - 1)]
    }

    /// Replaces the normalised text and its map back (one offset per byte, and one past the end),
    /// as [`super::respell`] does.
    pub(crate) fn replace_text(&mut self, text: String, offsets: Vec<usize>) {
        debug_assert_eq!(offsets.len(), text.len() + 1);
        self.text = text;
        self.offsets = offsets;
    }
}

/// Whether a byte of the normalised text is part of a word.
#[inline]
pub(crate) fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[usize::from(b)]
}

/// [`is_word_byte`] as a table: ASCII letters and digits, the apostrophe and [`FOREIGN_LETTER`].
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'\'' || byte == FOREIGN_LETTER;
        b += 1;
    }
    table
};

/// The byte an ASCII byte becomes.
#[inline]
fn fold_ascii(b: u8) -> u8 {
    ASCII_FOLD[usize::from(b & 0x7f)]
}

/// [`fold_ascii`] as a table: lower case, and control characters a space, but line breaks, which
/// are kept because they end sentences in chat replies.
const ASCII_FOLD: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if byte == b'\n' {
            b'\n'
        } else if byte.is_ascii_control() {
            b' '
        } else {
            byte.to_ascii_lowercase()
        };
        b += 1;
    }
    table
};

/// The one ASCII byte a character becomes.
fn fold(c: char) -> u8 {
    if c.is_ascii() {
        return fold_ascii(c as u8);
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
    find_word_from(haystack, needle, 0)
}

/// The longest text [`find_word_from`] searches by its first byte; a longer one gets a `memmem`
/// searcher, whose set-up costs more than a reply's worth of comparisons but keeps long texts
/// linear.
const SHORT_TEXT: usize = 4096;

/// Like [`find_word`], from byte `from` of the haystack on, for a needle searched for once.
pub(crate) fn find_word_from(haystack: &str, needle: &str, from: usize) -> Option<(usize, usize)> {
    let (bytes, wanted) = (haystack.as_bytes(), needle.as_bytes());
    let &first = wanted.first()?;
    if bytes.len() > SHORT_TEXT {
        return find_word_with_from(haystack, &memchr::memmem::Finder::new(needle), from);
    }
    let mut at = from;
    while let Some(found) = bytes.get(at..).and_then(|rest| memchr::memchr(first, rest)) {
        let (start, end) = (at + found, at + found + wanted.len());
        if bytes.get(start..end)? == wanted && bounded(bytes, start, end) {
            return Some((start, end));
        }
        at = start + 1;
    }
    None
}

/// Like [`find_word`] with a searcher built once for the needle.
pub(crate) fn find_word_with(
    haystack: &str,
    finder: &memchr::memmem::Finder<'_>,
) -> Option<(usize, usize)> {
    find_word_with_from(haystack, finder, 0)
}

/// Like [`find_word_with`], from byte `from` of the haystack on (`memmem` looks for the needle's
/// rarest bytes first, so common first letters cost nothing).
pub(crate) fn find_word_with_from(
    haystack: &str,
    finder: &memchr::memmem::Finder<'_>,
    from: usize,
) -> Option<(usize, usize)> {
    let bytes = haystack.as_bytes();
    let len = finder.needle().len();
    // Each occurrence is tried, overlapping ones too: "ab ab" in "xab ab ab" is found at 4.
    let mut at = from;
    while let Some(found) = bytes.get(at..).and_then(|rest| finder.find(rest)) {
        let (start, end) = (at + found, at + found + len);
        if bounded(bytes, start, end) {
            return Some((start, end));
        }
        at = start + 1;
    }
    None
}

/// A set of whole words, lower case as the normalised text has them.
pub(crate) type WordSet = std::collections::HashSet<String>;

/// The set of the given words, trimmed and lower-cased.
pub(crate) fn word_set<'w>(words: impl IntoIterator<Item = &'w str>) -> WordSet {
    words
        .into_iter()
        .map(|word| word.trim().to_lowercase())
        .collect()
}

/// Whether `start..end` of a normalised text stands at word boundaries (an apostrophe counts as one).
pub(crate) fn bounded(bytes: &[u8], start: usize, end: usize) -> bool {
    let bounded_before = start == 0 || !is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'\'';
    let bounded_after = end == bytes.len() || !is_word_byte(bytes[end]) || bytes[end] == b'\'';
    bounded_before && bounded_after
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
    fn finds_words_only_at_boundaries() {
        assert_eq!(find_word("hi mariana, maria", "maria"), Some((12, 17)));
        assert_eq!(find_word("mariana", "maria"), None);
        // Texts too long to search by first byte get a searcher: the same answers.
        let long = format!("{}maria", "mariana ".repeat(600));
        assert!(long.len() > SHORT_TEXT);
        assert_eq!(
            find_word(&long, "maria"),
            Some((long.len() - 5, long.len()))
        );
        assert_eq!(find_word(&long[..long.len() - 1], "maria"), None);
        assert_eq!(find_word_from("maria maria", "maria", 1), Some((6, 11)));
        // An occurrence that overlaps an earlier one, not at a boundary, is still found.
        assert_eq!(find_word("xab ab ab", "ab ab"), Some((4, 9)));
        let finder = memchr::memmem::Finder::new("ab ab");
        assert_eq!(find_word_with("xab ab ab", &finder), Some((4, 9)));
        assert_eq!(find_word_with_from("ab ab ab", &finder, 1), Some((3, 8)));
    }

    #[test]
    fn normalising_collapses_spaces_wherever_they_are() {
        for (reply, text) in [
            ("  so  sorry ", "so sorry "),
            ("so sorry", "so sorry"),
            ("sorry  £5", "sorry $5"),
            ("£5  back ", "$5 back "),
            ("\tsorry", "sorry"),
            ("", ""),
        ] {
            let norm = Normalised::new(reply);
            assert_eq!(norm.text, text, "{reply:?}");
            let words = norm.original(0, norm.text.len());
            assert_eq!(words, reply.trim(), "{reply:?}");
        }
    }

    #[test]
    fn foreign_letters_stay_words() {
        assert_eq!(Normalised::new("José").text, "jos_");
        assert_eq!(Normalised::new("مرحبا").text, "_____");
    }
}
