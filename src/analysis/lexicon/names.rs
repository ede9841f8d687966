//! The customer's name in a reply: the name or a title and the surname, in ASCII or as written.

use super::*;

/// The searchers for an ASCII customer name, normalised as replies are.
#[derive(Debug)]
pub(crate) struct NameSearch {
    /// The titles that may stand before the surname, in the order they are tried (the lexicon's).
    pub(crate) titles: Vec<String>,
    pub(crate) full: Finder<'static>,
    pub(crate) first: Finder<'static>,
    /// The surname, when the name has more than one word.
    pub(crate) last: Option<Finder<'static>>,
}

impl NameSearch {
    /// The searchers for a name; `None` when it has no word.
    pub(crate) fn new(name: &str, titles: &[String]) -> Option<NameSearch> {
        let normalised = normalise_phrase(name);
        let mut words = normalised.split(' ').filter(|w| !w.is_empty());
        let first = words.next()?;
        let last = words.next_back();
        Some(NameSearch {
            titles: titles.to_vec(),
            full: Finder::new(&normalised).into_owned(),
            first: Finder::new(first).into_owned(),
            last: last.map(|last| Finder::new(last).into_owned()),
        })
    }

    /// The name in the normalised reply: the full name, else a title and the surname (the first
    /// title of [`TITLES`] found, without then with a full stop), else the first name.
    pub(crate) fn find<'a>(&self, norm: &Normalised<'a>) -> Option<&'a str> {
        let text = norm.text.as_str();
        let found = find_word_with(text, &self.full)
            .or_else(|| {
                self.last
                    .as_ref()
                    .and_then(|last| find_titled(text, last, &self.titles))
            })
            .or_else(|| find_word_with(text, &self.first))?;
        Some(norm.original(found.0, found.1))
    }
}

/// The first of "mr last", "mr. last", "mrs last"… found in the text, as [`find_word`] finds it.
pub(crate) fn find_titled(
    text: &str,
    last: &Finder<'_>,
    titles: &[String],
) -> Option<(usize, usize)> {
    if last.needle().is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    // The best candidate so far: its rank in the order tried, and its range.
    let mut best: Option<(usize, (usize, usize))> = None;
    let mut from = 0;
    while let Some((start, end)) = find_word_with_from(text, last, from) {
        from = start + 1;
        for (t, title) in titles.iter().enumerate() {
            for (d, dot) in ["", "."].iter().enumerate() {
                let rank = 2 * t + d;
                if best.is_some_and(|(r, _)| r <= rank) {
                    continue;
                }
                // "title[.] " right before the surname, at a word boundary.
                let prefix = title.len() + dot.len() + 1;
                let Some(at) = start.checked_sub(prefix) else {
                    continue;
                };
                if bytes[start - 1] == b' '
                    && &bytes[at..at + title.len()] == title.as_bytes()
                    && &bytes[at + title.len()..start - 1] == dot.as_bytes()
                    && bounded(bytes, at, end)
                {
                    best = Some((rank, (at, end)));
                }
            }
        }
        if best.is_some_and(|(rank, _)| rank == 0) {
            break;
        }
    }
    best.map(|(_, range)| range)
}

/// A name with letters outside ASCII, compared character by character with Unicode folding.
pub(crate) fn find_unicode_name<'a>(original: &'a str, name: &str) -> Option<&'a str> {
    let full: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let first: Vec<char> = name
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .flat_map(char::to_lowercase)
        .collect();
    [full, first]
        .iter()
        .find_map(|needle| find_folded(original, needle))
}

/// Finds a lower-cased needle in text at word boundaries, folding the text as it goes.
pub(crate) fn find_folded<'a>(text: &'a str, needle: &[char]) -> Option<&'a str> {
    if needle.is_empty() {
        return None;
    }
    let mut previous: Option<char> = None;
    for (start, c) in text.char_indices() {
        let boundary_before = previous.is_none_or(|p| !p.is_alphanumeric());
        previous = Some(c);
        if !boundary_before {
            continue;
        }
        let mut folded = text[start..]
            .char_indices()
            .flat_map(|(at, c)| c.to_lowercase().map(move |l| (at, c, l)));
        let mut end = start;
        let mut matched = true;
        for &want in needle {
            match folded.next() {
                Some((at, c, l)) if l == want => end = start + at + c.len_utf8(),
                _ => {
                    matched = false;
                    break;
                }
            }
        }
        let boundary_after = text[end..]
            .chars()
            .next()
            .is_none_or(|n| !n.is_alphanumeric());
        if matched && boundary_after {
            return Some(&text[start..end]);
        }
    }
    None
}
