//! Stage 3, matches: where the lexicon's pattern lists match in a normalised reply.
//!
//! Every pattern of the lexicon is one entry of a `RegexSet`, searched once per reply: it says
//! which pattern lists can match at all (most replies touch a handful). Only those lists are then
//! searched over the reply with their own regex, which finds exactly what a search of the whole
//! reply finds. Patterns are bytes of ASCII (the normalised text is lower-case ASCII but for
//! foreign letters, which stay letters), so the regexes are built without Unicode classes.

use std::ops::Range;

use regex::bytes::{Captures, Regex, RegexBuilder, RegexSet, RegexSetBuilder, SetMatches};

/// The most memory one compiled pattern list may take; far more than any phrase list needs.
pub(crate) const REGEX_SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// The most memory the set's lazy DFA may cache per thread. The set holds every pattern of the
/// lexicon, so its states are large: with the regex crate's default (2 MiB) varied replies
/// overflow the cache again and again and the search falls back to a far slower engine. The
/// cache only grows as far as the replies read need.
const SET_DFA_LIMIT: usize = 32 * 1024 * 1024;

/// A compiled pattern list: one regex (the list as an alternation) and its text.
#[derive(Debug)]
pub(crate) struct Pattern {
    regex: Regex,
    source: String,
}

impl Pattern {
    /// Compiles a pattern as the lexicon's patterns are: bytes of ASCII, no Unicode classes.
    pub(crate) fn new(source: &str) -> Result<Pattern, regex::Error> {
        let regex = RegexBuilder::new(source)
            .unicode(false)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()?;
        Ok(Pattern {
            regex,
            source: source.to_owned(),
        })
    }

    /// The pattern text.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether it matches anywhere in the text.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text.as_bytes())
    }

    /// The successive non-overlapping matches, leftmost first, as `(start, end)`.
    pub(crate) fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.regex
            .find_iter(text.as_bytes())
            .map(|m| (m.start(), m.end()))
    }

    /// The names of its groups.
    pub(crate) fn group_names(&self) -> impl Iterator<Item = &str> {
        self.regex.capture_names().flatten()
    }
}

/// One match with its groups.
pub(crate) struct Groups<'t> {
    text: &'t str,
    captures: Captures<'t>,
}

impl<'t> Groups<'t> {
    /// The whole match.
    pub(crate) fn whole(&self) -> Option<(usize, usize)> {
        let m = self.captures.get(0)?;
        Some((m.start(), m.end()))
    }

    /// A named group: its range and its words.
    pub(crate) fn name(&self, name: &str) -> Option<(usize, usize, &'t str)> {
        let m = self.captures.name(name)?;
        Some((m.start(), m.end(), self.text.get(m.range())?))
    }
}

/// A pattern list of the lexicon and where its patterns sit in the lexicon's [`PatternSet`].
#[derive(Debug)]
pub(crate) struct PatternList {
    pub(crate) regex: Pattern,
    /// Its patterns in the set: any of them matching means the list matches somewhere.
    pub(crate) in_set: Range<usize>,
}

impl PatternList {
    /// The list's matches in the reply, as a search of the whole reply finds them; none when
    /// the set saw none of its patterns.
    pub(crate) fn find_in<'a>(
        &'a self,
        hits: &Hits,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        hits.any(self)
            .then(|| self.regex.find_iter(text))
            .into_iter()
            .flatten()
    }

    /// The list's matches with their groups, successive and leftmost first.
    pub(crate) fn captures_in<'a>(
        &'a self,
        hits: &Hits,
        text: &'a str,
    ) -> impl Iterator<Item = Groups<'a>> + 'a {
        hits.any(self)
            .then(|| self.regex.regex.captures_iter(text.as_bytes()))
            .into_iter()
            .flatten()
            .map(move |captures| Groups { text, captures })
    }
}

/// Every pattern of the lexicon, searched in one pass over a reply.
#[derive(Debug)]
pub(crate) struct PatternSet {
    set: RegexSet,
}

impl PatternSet {
    /// Which of the lexicon's patterns match somewhere in a normalised reply.
    pub(crate) fn hits(&self, text: &str) -> Hits {
        Hits {
            matched: self.set.matches(text.as_bytes()),
        }
    }
}

/// Which of the lexicon's patterns match somewhere in one reply.
#[derive(Debug)]
pub(crate) struct Hits {
    matched: SetMatches,
}

impl Hits {
    /// Whether the pattern list matches anywhere in the reply.
    pub(crate) fn any(&self, list: &PatternList) -> bool {
        list.in_set.clone().any(|index| self.matched.matched(index))
    }

    /// The set's patterns that match somewhere, in order.
    pub(crate) fn matching(&self) -> impl Iterator<Item = usize> + '_ {
        self.matched.iter()
    }
}

/// Collects the lexicon's patterns for its [`PatternSet`] while the lexicon compiles.
#[derive(Default)]
pub(crate) struct PatternSetBuilder {
    pub(crate) patterns: Vec<String>,
}

impl PatternSetBuilder {
    /// Registers a pattern list as one pattern of the set.
    pub(crate) fn list(&mut self, regex: Pattern) -> PatternList {
        let at = self.patterns.len();
        self.patterns.push(regex.as_str().to_owned());
        PatternList {
            regex,
            in_set: at..at + 1,
        }
    }

    /// A pattern list whose patterns were registered one by one as `in_set`.
    pub(crate) fn listed(&mut self, regex: Pattern, in_set: Range<usize>) -> PatternList {
        PatternList { regex, in_set }
    }

    /// Registers one pattern (of a phrase rule, whose patterns each have their place in the set).
    pub(crate) fn push(&mut self, source: String) {
        self.patterns.push(source);
    }

    /// Registers a list when there is one.
    pub(crate) fn list_option(&mut self, regex: Option<Pattern>) -> Option<PatternList> {
        regex.map(|regex| self.list(regex))
    }

    /// The set of every registered pattern.
    pub(crate) fn build(self) -> Result<PatternSet, regex::Error> {
        let set = RegexSetBuilder::new(&self.patterns)
            .unicode(false)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(SET_DFA_LIMIT)
            .build()?;
        Ok(PatternSet { set })
    }
}

/// Whether two byte ranges overlap.
pub(crate) fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// How far around a range [`overlapped_by`] looks for a match: patterns are phrases, not paragraphs.
const NEARBY: usize = 80;

/// Whether a match of the list found in the text around the range ([`NEARBY`] bytes either
/// side) overlaps it: exceptions and hedges are asked about their phrase's neighbourhood only.
pub(crate) fn overlapped_by(
    list: Option<&PatternList>,
    hits: &Hits,
    text: &str,
    range: (usize, usize),
) -> bool {
    let Some(list) = list.filter(|list| hits.any(list)) else {
        return false;
    };
    let from = floor(text, range.0.saturating_sub(NEARBY));
    let to = ceil(text, (range.1 + NEARBY).min(text.len()));
    list.regex
        .find_iter(&text[from..to])
        .any(|(start, end)| overlaps((from + start, from + end), range))
}

fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}
