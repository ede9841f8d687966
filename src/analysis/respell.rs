//! Chat spellings read as the words they stand for ("ill" → "i'll", "ur" → "your", "tommorow" →
//! "tomorrow"), over the normalised copy of a reply, keeping the map back to its own words.
//!
//! The spellings are language data: the lexicon's `spellings` table (word → word), so the
//! patterns are written once, in standard spelling, and read chat lowercase and common typos too.
//! A respelt word's bytes all map back to the start of the word as written, so quotes of a
//! finding still show the reply's own words.

use std::collections::HashMap;

use super::normalise::{Normalised, is_word_byte, normalise_phrase};

/// The lexicon's spellings, ready to apply.
#[derive(Debug, Clone, Default)]
pub(crate) struct Respellings {
    /// Each word as written (normalised) and the word it stands for.
    standard: HashMap<String, String>,
}

impl Respellings {
    /// The spellings of a lexicon, normalised as replies are.
    pub(crate) fn new<'w>(spellings: impl IntoIterator<Item = (&'w String, &'w String)>) -> Self {
        let standard: HashMap<String, String> = spellings
            .into_iter()
            .map(|(written, meant)| (normalise_phrase(written), normalise_phrase(meant)))
            .filter(|(written, _)| !written.is_empty())
            .collect();
        Respellings { standard }
    }

    /// The standard word for a word of a normalised text, when it has one.
    fn standard_of(&self, word: &str) -> Option<&str> {
        self.standard.get(word).map(String::as_str)
    }

    /// Rewrites the respelt words of a normalised reply in place, keeping its map back to the
    /// reply. Replies without such words (most) are left untouched, at the cost of one look at
    /// each word.
    pub(crate) fn respell(&self, norm: &mut Normalised<'_>) {
        if self.standard.is_empty() {
            return;
        }
        let words = word_ranges(&norm.text);
        if !words
            .iter()
            .any(|&(s, e)| self.standard_of(&norm.text[s..e]).is_some())
        {
            return;
        }
        let text = norm.text.as_str();
        let offset = |i: usize| norm.offset_of(i);
        let mut respelt = String::with_capacity(text.len() + 16);
        let mut offsets = Vec::with_capacity(text.len() + 17);
        let mut at = 0;
        for (start, end) in words {
            for i in at..start {
                respelt.push(char::from(text.as_bytes()[i]));
                offsets.push(offset(i));
            }
            match self.standard_of(&text[start..end]) {
                Some(standard) => {
                    respelt.push_str(standard);
                    offsets.extend(std::iter::repeat_n(offset(start), standard.len()));
                }
                None => {
                    respelt.push_str(&text[start..end]);
                    offsets.extend((start..end).map(offset));
                }
            }
            at = end;
        }
        for i in at..text.len() {
            respelt.push(char::from(text.as_bytes()[i]));
            offsets.push(offset(i));
        }
        offsets.push(offset(text.len()));
        norm.replace_text(respelt, offsets);
    }
}

/// The byte ranges of the words of a normalised text.
fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (is_word_byte(b), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                ranges.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        ranges.push((s, bytes.len()));
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spellings() -> Respellings {
        let table: Vec<(String, String)> =
            [("ill", "i'll"), ("ur", "your"), ("tommorow", "tomorrow")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        Respellings::new(table.iter().map(|(a, b)| (a, b)))
    }

    #[test]
    fn chat_spellings_read_as_standard_words_and_quote_the_reply_as_written() {
        let reply = "ok ILL send it to ur house tommorow";
        let mut norm = Normalised::new(reply);
        spellings().respell(&mut norm);
        assert_eq!(norm.text, "ok i'll send it to your house tomorrow");
        let start = norm.text.find("i'll").unwrap();
        let end = norm.text.find(" house").unwrap();
        assert_eq!(norm.original(start, end), "ILL send it to ur");
        assert_eq!(norm.original(0, norm.text.len()), reply);
    }

    #[test]
    fn words_that_merely_contain_a_spelling_are_left_alone() {
        let mut norm = Normalised::new("Bill will fill your urn");
        spellings().respell(&mut norm);
        assert_eq!(norm.text, "bill will fill your urn");
    }

    #[test]
    fn non_ascii_replies_keep_their_map_back() {
        let reply = "Désolé, ill call u";
        let mut norm = Normalised::new(reply);
        spellings().respell(&mut norm);
        assert_eq!(norm.text, "d_sol_, i'll call u");
        let start = norm.text.find("i'll").unwrap();
        assert_eq!(norm.original(start, norm.text.len()), "ill call u");
    }
}
