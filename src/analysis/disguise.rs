//! Characters that disguise a reply's words: invisible ones are dropped, look-alike letters read as the Latin letters they imitate.
//!
//! A zero-width space inside "calm down", or a Cyrillic "С" in "Calm", leaves the words looking
//! the same to a person and different to a pattern. Before a reply is read, [`Undisguiser`]
//! decides for each character outside ASCII whether it is
//!
//! - **invisible**: a Unicode default-ignorable code point (zero-width space and joiners, word
//!   joiner, soft hyphen, bidi controls, variation selectors, the byte order mark, …), which is
//!   dropped; or
//! - **a look-alike** of a Latin letter or digit: its UTS #39 confusable skeleton is that one
//!   ASCII character, and either it is a compatibility form of it (fullwidth `Ｃ`, mathematical
//!   `𝐂`) or it stands in a word that also holds an ASCII letter (`Саlm`), which is read as that
//!   letter. A word wholly in another script ("сор" in Russian) is left as it is.
//!
//! The tables are the Unicode Consortium's, through two well-kept crates: `unicode-security`
//! (confusables.txt and the Default_Ignorable_Code_Point property, via its `skeleton`) and
//! `unicode-normalization` (compatibility decomposition). Each such character is recorded as a
//! [`Disguise`] with its position, so the reading, `rapport analyse` and the debrief can say the
//! reply contained them; characters that are ordinary in other scripts or in emoji (a variation
//! selector after an emoji, a zero-width non-joiner in a Persian word) are dropped without note.

use serde::{Deserialize, Serialize};

/// What kind of disguising character was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisguiseKind {
    /// Zero-width space, joiner, non-joiner or word joiner (U+200B–U+200D, U+2060).
    ZeroWidth,
    /// The soft hyphen (U+00AD), invisible unless a line breaks there.
    SoftHyphen,
    /// A bidirectional control (marks, embeddings, overrides, isolates).
    BidiControl,
    /// A variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF, Mongolian U+180B–U+180F).
    VariationSelector,
    /// The byte order mark, or zero-width no-break space (U+FEFF).
    ByteOrderMark,
    /// Another default-ignorable character (invisible operators, Hangul fillers, tags, …).
    OtherInvisible,
    /// A letter or digit of another script, or a styled form, that looks like a Latin one.
    LookAlike,
}

impl DisguiseKind {
    /// The kind in words, for the debrief and `rapport analyse`.
    pub fn label(self) -> &'static str {
        match self {
            DisguiseKind::ZeroWidth => "zero-width character",
            DisguiseKind::SoftHyphen => "soft hyphen",
            DisguiseKind::BidiControl => "bidi control",
            DisguiseKind::VariationSelector => "variation selector",
            DisguiseKind::ByteOrderMark => "byte order mark",
            DisguiseKind::OtherInvisible => "invisible character",
            DisguiseKind::LookAlike => "look-alike letter",
        }
    }

    /// The kind of an invisible (default-ignorable) character.
    fn of_invisible(c: char) -> DisguiseKind {
        match c {
            '\u{200B}'..='\u{200D}' | '\u{2060}' => DisguiseKind::ZeroWidth,
            '\u{00AD}' => DisguiseKind::SoftHyphen,
            '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' => DisguiseKind::BidiControl,
            '\u{180B}'..='\u{180D}'
            | '\u{180F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0100}'..='\u{E01EF}' => DisguiseKind::VariationSelector,
            '\u{FEFF}' => DisguiseKind::ByteOrderMark,
            _ => DisguiseKind::OtherInvisible,
        }
    }
}

/// One disguising character in a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disguise {
    /// Its position in the reply, counted in characters from 1.
    pub position: usize,
    /// Its byte offset in the reply.
    pub offset: usize,
    /// The character itself.
    pub character: char,
    pub kind: DisguiseKind,
    /// For a look-alike, the Latin letter or digit (lower case) it was read as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<char>,
}

impl Disguise {
    /// The character in words: `zero-width character U+200B at character 2`, or
    /// `look-alike letter "С" (U+0421) read as "c" at character 1`.
    pub fn describe(&self) -> String {
        let code = format!("U+{:04X}", u32::from(self.character));
        match self.read_as {
            Some(latin) => format!(
                "{} \"{}\" ({code}) read as \"{latin}\" at character {}",
                self.kind.label(),
                self.character,
                self.position
            ),
            None => format!(
                "{} {code} at character {}",
                self.kind.label(),
                self.position
            ),
        }
    }
}

/// What a character outside ASCII becomes before the reply is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undisguised {
    /// Invisible: the reply is read without it.
    Dropped,
    /// A look-alike: read as this ASCII byte (lower case).
    Latin(u8),
    /// An ordinary character: folded as usual.
    Unchanged,
}

/// Decides, character by character, what the disguising characters of one reply become, and
/// records them. Each word is looked at once, so a long run of letters costs linear time.
#[derive(Debug)]
pub(crate) struct Undisguiser<'a> {
    original: &'a str,
    /// The byte range of the last word looked at, and whether it holds a Latin letter.
    word: Option<(usize, usize, bool)>,
    /// The disguising characters found so far, in order.
    pub(crate) found: Vec<Disguise>,
}

impl<'a> Undisguiser<'a> {
    pub(crate) fn new(original: &'a str) -> Self {
        Undisguiser {
            original,
            word: None,
            found: Vec::new(),
        }
    }

    /// What the character `c` at byte `at` of the reply (outside ASCII) becomes.
    pub(crate) fn undisguise(&mut self, at: usize, c: char) -> Undisguised {
        let mut utf8 = [0u8; 4];
        let mut skeleton = unicode_security::skeleton(c.encode_utf8(&mut utf8));
        let (first, second) = (skeleton.next(), skeleton.next());
        match (first, second) {
            // The skeleton leaves out exactly the default-ignorable characters.
            (None, _) => {
                let kind = DisguiseKind::of_invisible(c);
                if self.worth_noting(at, c, kind) {
                    self.record(at, c, kind, None);
                }
                Undisguised::Dropped
            }
            (Some(prototype), None) if prototype.is_ascii_alphanumeric() => {
                if !(is_compatibility_form(c) || self.in_latin_word(at)) {
                    return Undisguised::Unchanged;
                }
                let latin = latin_letter(c, prototype);
                self.record(at, c, DisguiseKind::LookAlike, Some(char::from(latin)));
                Undisguised::Latin(latin)
            }
            _ => Undisguised::Unchanged,
        }
    }

    /// Whether an invisible character is worth telling the trainee about: those that are
    /// ordinary in emoji sequences and in words of other scripts are not.
    fn worth_noting(&mut self, at: usize, c: char, kind: DisguiseKind) -> bool {
        match kind {
            // A byte order mark at the start is an editor's habit, not a disguise.
            DisguiseKind::ByteOrderMark if at == 0 => false,
            // Overrides and isolates reorder what is shown: always worth saying.
            DisguiseKind::BidiControl if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') => {
                true
            }
            _ => self.in_latin_word(at),
        }
    }

    fn record(&mut self, at: usize, c: char, kind: DisguiseKind, read_as: Option<char>) {
        self.found.push(Disguise {
            position: self.original[..at].chars().count() + 1,
            offset: at,
            character: c,
            kind,
            read_as,
        });
    }

    /// Whether the word around byte `at` (letters, digits, apostrophes and invisible characters)
    /// holds an ASCII letter or a compatibility form of one, other than the character at `at`.
    fn in_latin_word(&mut self, at: usize) -> bool {
        if let Some((start, end, latin)) = self.word
            && (start..end).contains(&at)
        {
            return latin;
        }
        let text = self.original;
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_word_char(c))
            .last()
            .map_or(at, |(i, _)| i);
        let end = text[at..]
            .char_indices()
            .find(|&(i, c)| i > 0 && !is_word_char(c))
            .map_or(text.len(), |(i, _)| at + i);
        let latin = text[start..end]
            .char_indices()
            .any(|(i, c)| start + i != at && (c.is_ascii_alphabetic() || is_compatibility_form(c)));
        self.word = Some((start, end, latin));
        latin
    }
}

/// Whether a character belongs to a word for [`Undisguiser::in_latin_word`].
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '\u{2019}' || is_invisible(c)
}

/// Whether a character is default-ignorable (its skeleton is empty).
fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut utf8 = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut utf8))
        .next()
        .is_none()
}

/// Whether a character is a compatibility form of one ASCII letter or digit (fullwidth `Ｃ`,
/// mathematical `𝐂`, double-struck `ℂ`): Latin, only styled.
fn is_compatibility_form(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut parts = 0;
    let mut ascii = true;
    unicode_normalization::char::decompose_compatible(c, |part| {
        parts += 1;
        ascii &= part.is_ascii_alphanumeric();
    });
    parts == 1 && ascii
}

/// The lower-case ASCII byte a look-alike is read as. The skeleton of a capital I is a small l
/// (they look alike in many fonts), so a capital whose skeleton is `l` is read as `i`.
fn latin_letter(c: char, prototype: char) -> u8 {
    let latin = if prototype == 'l' && c.is_uppercase() {
        'i'
    } else {
        prototype.to_ascii_lowercase()
    };
    // An ASCII alphanumeric, by the caller's check.
    latin as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn undisguise_all(text: &str) -> (String, Vec<Disguise>) {
        let mut undisguiser = Undisguiser::new(text);
        let mut out = String::new();
        for (at, c) in text.char_indices() {
            if c.is_ascii() {
                out.push(c);
                continue;
            }
            match undisguiser.undisguise(at, c) {
                Undisguised::Dropped => {}
                Undisguised::Latin(b) => out.push(char::from(b)),
                Undisguised::Unchanged => out.push(c),
            }
        }
        (out, undisguiser.found)
    }

    #[test]
    fn invisible_characters_are_dropped_and_recorded_with_their_kind_and_position() {
        let (text, found) = undisguise_all("C\u{200B}alm d\u{00AD}own\u{202E}");
        assert_eq!(text, "Calm down");
        let kinds: Vec<_> = found.iter().map(|d| (d.kind, d.position)).collect();
        assert_eq!(
            kinds,
            [
                (DisguiseKind::ZeroWidth, 2),
                (DisguiseKind::SoftHyphen, 8),
                (DisguiseKind::BidiControl, 12)
            ]
        );
    }

    #[test]
    fn look_alikes_in_latin_words_read_as_latin_letters() {
        let (text, found) = undisguise_all("\u{0421}\u{0430}lm d\u{043E}wn, \u{0406}t's \u{FF2F}K");
        assert_eq!(text, "calm down, it's oK");
        assert_eq!(found.len(), 5);
        assert_eq!(found[0].read_as, Some('c'));
        assert_eq!(
            found[0].describe(),
            "look-alike letter \"С\" (U+0421) read as \"c\" at character 1"
        );
    }

    #[test]
    fn words_of_other_scripts_and_emoji_sequences_are_left_alone() {
        let russian =
            "\u{0421}\u{043F}\u{0430}\u{0441}\u{0438}\u{0431}\u{043E} \u{0441}\u{043E}\u{0440}";
        assert_eq!(undisguise_all(russian), (russian.to_owned(), Vec::new()));
        // A red heart with its emoji variation selector, and a Persian word with a non-joiner.
        let (text, found) = undisguise_all(
            "thanks \u{2764}\u{FE0F} \u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
        );
        assert!(found.is_empty(), "{found:?}");
        assert!(!text.contains('\u{FE0F}'));
        // A byte order mark at the start is not a disguise; inside a word it is.
        assert!(undisguise_all("\u{FEFF}hello").1.is_empty());
        assert_eq!(
            undisguise_all("he\u{FEFF}llo").1[0].kind,
            DisguiseKind::ByteOrderMark
        );
    }

    #[test]
    fn accented_latin_letters_stay_themselves() {
        assert_eq!(undisguise_all("José Ødegård").0, "José Ødegård");
    }

    #[test]
    fn a_long_word_of_another_script_is_looked_at_once() {
        // Linear, not quadratic: a hundred thousand Cyrillic letters without a space.
        let long = "\u{0430}".repeat(100_000);
        let (text, found) = undisguise_all(&long);
        assert_eq!(text, long);
        assert!(found.is_empty());
    }
}
