//! The lexicon: the phrases, patterns and notes the analysers read replies with, and their compiled form.
//!
//! A lexicon is a RON file (`scenarios/default.lexicon.ron` is the shipped one). Patterns are
//! regular expressions matched against the normalised reply (lower case, straight quotes, single
//! spaces; see [`super::normalise`]). A pattern that starts or ends with a letter or digit gets a
//! word boundary there, so `relax` does not fire inside `relaxation`. Everything is
//! compiled once. Every pattern of the lexicon also goes into one lazy DFA, the gate: a single
//! overlapping pass over a reply says where a match of each pattern ends, so only the patterns that
//! match are looked at (most replies touch a handful), each match is found back from where it ends
//! over its own bytes only (see [`super::spans`]), and an exception that ends nowhere near a phrase
//! is never looked at.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;

use memchr::memmem::Finder;
use regex::RegexBuilder;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::meta;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchError, MatchKind, PatternID};
use serde::Deserialize;
use smol_str::SmolStr;

use super::negation::Negation;
use super::normalise::{
    Normalised, WordSet, bounded, find_word, find_word_with, find_word_with_from, normalise_phrase,
    with_normalised_phrase,
};
use super::respell::Respellings;
use super::spans::{SpanCaches, Spans};
use super::{Finding, Polarity, Reading, dimension_of};
use crate::scenario::{Code, Diagnostic, Intent, Policy, PromiseKind, SourceFile};

/// A word boundary: the normalised text is ASCII, so ASCII boundaries are exact and much faster.
const ASCII_BOUNDARY: &str = r"(?-u:\b)";

/// The most memory one compiled pattern may take; far more than any phrase list needs.
const REGEX_SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// The most memory the gate's lazy DFA may cache per thread. The gate holds every pattern of the
/// lexicon, so its states are large: with the regex crate's default (2 MiB) varied replies
/// overflow the cache again and again and the search falls back to a far slower engine (measured
/// on the labelled set and the scenarios' texts: 4 MiB thrashes, 8 MiB just holds). The cache
/// only grows as far as the replies read need.
const GATE_DFA_LIMIT: usize = 32 * 1024 * 1024;

/// A lexicon file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// How negation is recognised.
    pub negation: NegationSpec,
    /// The phrase rules: each fires a finding and/or intents.
    pub rules: Vec<RuleSpec>,
    /// How commitments are recognised for the promise ledger.
    pub promises: PromiseSpec,
    /// How time frames are read.
    pub timeframes: TimeframeSpec,
    /// Business jargon customers do not understand (the policy's own list is added at read time).
    pub jargon: JargonSpec,
    /// Questions that ask the customer again for what they already gave.
    pub repeats: RepeatSpec,
    /// Words that open a targeted question.
    pub interrogatives: Vec<String>,
    /// The notes of findings that are not phrase rules.
    pub notes: DerivedNotes,
    /// Per criterion, a better reply the debrief shows.
    #[serde(default)]
    pub model_replies: BTreeMap<String, String>,
    /// Chat spellings and common typos, each with the word it stands for ("ur": "your"); replies
    /// are read with them respelt (see `respell.rs`).
    #[serde(default)]
    pub spellings: BTreeMap<String, String>,
}

/// How negation is recognised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegationSpec {
    /// Words that negate; an entry starting with `-` is a word ending (`-n't`).
    pub negators: Vec<String>,
    /// How many words before a phrase a negator may stand.
    pub window: usize,
    /// Words that end a clause, beyond which negation does not reach.
    pub clause_breaks: Vec<String>,
}

/// One phrase rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// A stable id (`acknowledge-frustration`), shown as the finding's rule.
    pub id: String,
    /// The rubric criterion of its finding; none for a rule that only sets intents.
    #[serde(default)]
    pub criterion: Option<String>,
    /// Whether the finding earns or costs points.
    #[serde(default = "good")]
    pub polarity: Polarity,
    /// The intents the reply shows when the rule fires.
    #[serde(default)]
    pub intents: Vec<Intent>,
    /// Why it matters, in a sentence.
    #[serde(default)]
    pub note: String,
    /// The patterns; any one fires the rule.
    pub patterns: Vec<String>,
    /// Whether a negator shortly before the phrase cancels it.
    #[serde(default = "yes")]
    pub negatable: bool,
    /// Patterns that cancel a match they overlap.
    #[serde(default)]
    pub except: Vec<String>,
    /// Rules whose overlapping matches this rule's matches cancel (a non-apology cancels the apology).
    #[serde(default)]
    pub suppresses: Vec<String>,
}

fn good() -> Polarity {
    Polarity::Good
}

fn yes() -> bool {
    true
}

/// How commitments are recognised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromiseSpec {
    /// First-person-singular commitment frames ("I'll", "I'm going to"): they also show ownership.
    pub first_person: Vec<String>,
    /// Company and outcome frames ("we'll", "you'll receive", "it will arrive").
    pub company: Vec<String>,
    /// Patterns that cancel a frame they overlap ("you'll have to").
    pub frame_except: Vec<String>,
    /// Words right after a frame that negate it ("I will *not*").
    pub negated_by_next: Vec<String>,
    /// Hedges that make their part of the sentence tentative ("check if", "ask whether").
    pub hedges: Vec<String>,
    /// Hedges that make the rest of the sentence tentative ("try to", "hopefully").
    pub carried_hedges: Vec<String>,
    /// Words that split a sentence into parts ("and", "then").
    pub part_breaks: Vec<String>,
    /// Words that open a part with its own subject, so it does not inherit the frame before it.
    pub subjects: Vec<String>,
    /// What each kind of commitment looks like.
    pub kinds: Vec<KindSpec>,
    /// Bare amounts of money ("£119"), whose kind depends on what the sentence said before them.
    #[serde(default)]
    pub amounts: Option<AmountSpec>,
    /// Words of an outcome that name no kind ("it'll be back", "it'll all be sorted"): in a
    /// sentence with a time frame and no kind, they stand for the policy's principal outcome.
    #[serde(default)]
    pub outcomes: Vec<String>,
}

/// Bare amounts of money: the amount of a refund named before them in the sentence ("you're
/// entitled to a full refund: I've issued the £119"), else a kind of their own (compensation).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountSpec {
    pub patterns: Vec<String>,
    /// The kinds an amount belongs to when one of them is named before it in the same sentence
    /// (the nearest counts).
    pub follows: Vec<PromiseKind>,
    /// The kind of an amount otherwise.
    pub otherwise: PromiseKind,
}

/// The words of one kind of commitment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    pub kind: PromiseKind,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
}

/// How time frames are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeframeSpec {
    /// Number words and their values ("two": 2, "a couple of": 2).
    pub numbers: BTreeMap<String, u32>,
    /// Units in hours, singular ("day": 24, "business day": 24, "week": 168).
    pub units: BTreeMap<String, u32>,
    /// Patterns with groups `n` and `unit` ("within 2 days").
    pub counted: Vec<String>,
    /// Patterns with groups `n` and `unit` ("5 to 7 business days"): `n` is the lower bound, which counts.
    pub ranges: Vec<String>,
    /// Fixed phrases and their hours; `None` for a date that cannot be turned into hours.
    pub fixed: Vec<FixedTime>,
    /// Words that make a time frame outside a promise a statement of process ("takes", "usually").
    pub cues: Vec<String>,
}

/// A fixed time phrase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedTime {
    pub pattern: String,
    pub hours: Option<u32>,
}

/// Business jargon.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JargonSpec {
    pub note: String,
    pub patterns: Vec<String>,
}

/// Questions that ask again for what the customer gave.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatSpec {
    pub note: String,
    /// Patterns with a group `item`: what is asked for.
    pub asks: Vec<String>,
    /// Other words for what the customer gave, keyed by the scenario's wording.
    pub aliases: BTreeMap<String, Vec<String>>,
}

/// The notes of findings that do not come from a phrase rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedNotes {
    pub overpromise: SmolStr,
    pub promised_timeframe: SmolStr,
    pub stated_timeframe: SmolStr,
    pub own_promise: SmolStr,
    pub customer_name: SmolStr,
    pub policy_jargon: SmolStr,
}

/// A compiled pattern list: the regex and the pattern text it was built from.
///
/// Built without a literal prefilter: the gate already says where the regex matches, so it is
/// only ever searched in short stretches of a reply, where starting up a prefilter costs more
/// than the plain lazy-DFA scan it would save.
#[derive(Debug)]
pub(crate) struct Pattern {
    regex: meta::Regex,
    source: String,
    /// Whether it can match the empty string (then a search may find one more, empty, match
    /// right where the last one ended).
    may_be_empty: bool,
    /// Its longest match in bytes (`None`: unbounded).
    max_len: Option<usize>,
}

impl Pattern {
    /// Compiles a pattern as the lexicon's patterns are: bytes of ASCII, no Unicode classes.
    fn new(source: &str) -> Result<Pattern, Box<meta::BuildError>> {
        let syntax = syntax::Config::new().unicode(false);
        let (may_be_empty, max_len) = match syntax::parse_with(source, &syntax) {
            Ok(hir) => (
                hir.properties().minimum_len() == Some(0),
                hir.properties().maximum_len(),
            ),
            Err(_) => (true, None),
        };
        let regex = meta::Regex::builder()
            .syntax(syntax)
            .configure(
                meta::Config::new()
                    .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                    .auto_prefilter(false),
            )
            .build(source)
            .map_err(Box::new)?;
        Ok(Pattern {
            regex,
            source: source.to_owned(),
            may_be_empty,
            max_len,
        })
    }

    /// Where iterating its matches may stop: after one that ends at `last_end`, the end of the
    /// last match the gate saw, unless it can match the empty string there too.
    fn stop_after(&self, last_end: Option<usize>) -> Option<usize> {
        last_end.filter(|_| !self.may_be_empty)
    }

    /// The pattern text.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether it matches anywhere in the text.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The successive non-overlapping matches, leftmost first, as `(start, end)`.
    pub(crate) fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.regex.find_iter(text).map(|m| (m.start(), m.end()))
    }

    /// Every group of every successive match over the whole text, for tests of the gate.
    #[cfg(test)]
    pub(crate) fn every_group(&self, text: &str) -> Vec<Vec<Option<(usize, usize)>>> {
        self.regex
            .captures_iter(text)
            .map(|captures| {
                let groups = captures.group_len();
                (0..groups)
                    .map(|g| captures.get_group(g).map(|span| (span.start, span.end)))
                    .collect()
            })
            .collect()
    }

    /// How many groups it has, the whole match first.
    pub(crate) fn group_len(&self) -> usize {
        self.regex.group_info().group_len(PatternID::ZERO)
    }

    /// The names of its groups.
    fn group_names(&self) -> impl Iterator<Item = &str> {
        self.regex
            .group_info()
            .pattern_names(PatternID::ZERO)
            .flatten()
    }
}

/// A lexicon pattern that parses, with the word boundaries the lexicon adds, and its longest
/// match in bytes (`None`: unbounded), read off the same parse.
struct Checked {
    source: String,
    max_len: Option<usize>,
}

/// One match with its groups, in positions of the whole text.
pub(crate) struct Groups<'t> {
    text: &'t str,
    captures: Captures,
}

impl<'t> Groups<'t> {
    /// The whole match.
    pub(crate) fn whole(&self) -> Option<(usize, usize)> {
        let span = self.captures.get_match()?.span();
        Some((span.start, span.end))
    }

    /// Every group's range, the whole match first, for tests of the gate.
    #[cfg(test)]
    pub(crate) fn every_group(&self) -> Vec<Option<(usize, usize)>> {
        (0..self.captures.group_len())
            .map(|g| {
                let span = self.captures.get_group(g)?;
                Some((span.start, span.end))
            })
            .collect()
    }

    /// A named group: its range and its words.
    pub(crate) fn name(&self, name: &str) -> Option<(usize, usize, &'t str)> {
        // The regexes have a handful of groups: looking along their names is cheaper than
        // hashing the name.
        let index = self
            .captures
            .group_info()
            .pattern_names(PatternID::ZERO)
            .position(|group| group == Some(name))?;
        let span = self.captures.get_group(index)?;
        Some((span.start, span.end, &self.text[span.range()]))
    }
}

/// A compiled phrase rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: SmolStr,
    pub criterion: Option<SmolStr>,
    pub polarity: Polarity,
    pub intents: Vec<Intent>,
    pub note: SmolStr,
    pub regex: Gated,
    pub negatable: bool,
    pub except: Option<Gated>,
    pub suppresses: Vec<usize>,
    /// The rules whose matches cancel this rule's (the inverse of `suppresses`).
    pub suppressed_by: Vec<usize>,
}

/// A compiled pattern list and where its patterns sit in the lexicon's gate.
#[derive(Debug)]
pub(crate) struct Gated {
    pub regex: Pattern,
    /// Its patterns in the gate: any of them matching means the regex matches somewhere.
    gate: Range<usize>,
    /// Its pattern in the gate's [`Spans`], which finds its matches where the gate saw them end.
    span: PatternID,
    /// Its backtracker in the gate, when it has groups to read (see [`Gated::captures_in`]).
    capture: Option<usize>,
    /// Whether it may hold a text anchor (`^`, `$`, `\A`, `\z`), which a search of part of the
    /// text cannot be gated for. Conservative: any `^` or `$`, even escaped or in a class.
    anchored: bool,
}

/// Where the lexicon's patterns match in one reply: the result of the gate's pass.
///
/// Every position at which some match of each gate pattern ends, sorted by pattern and then by
/// position: the `i`th is where pattern `patterns[i]` matched, ending at `ends[i]`. A reply
/// touches a handful of patterns, so nothing here grows with the size of the lexicon. When the
/// gate could not run (its DFA gave up) `ran` is false, and every pattern may match anywhere.
pub(crate) struct Hits<'g> {
    ran: bool,
    patterns: Vec<u32>,
    ends: Vec<u32>,
    gate: &'g Gate,
    /// This thread's search state, held for the whole reply.
    caches: RefCell<PoolGuard<'g, Caches, CacheMaker>>,
    /// For each pattern of the gate, its hits' place in `patterns` and `ends` (see
    /// [`Caches::slots`], lent to the reply while it is read); empty when the gate did not run.
    slot_table: Vec<(u32, u32)>,
    /// The matches over the whole reply of the short regexes asked about so far, by their first
    /// pattern in the gate.
    matches: RefCell<Vec<(usize, Matches)>>,
}

impl Drop for Hits<'_> {
    /// Hands the slot table and the hit lists back to the thread's caches for the next reply
    /// (a gate that did not run borrowed none of them).
    fn drop(&mut self) {
        if !self.ran {
            return;
        }
        let caches = self.caches.get_mut();
        caches.slots = std::mem::take(&mut self.slot_table);
        caches.hit_lists = (
            std::mem::take(&mut self.patterns),
            std::mem::take(&mut self.ends),
        );
    }
}

/// A regex's matches in a reply, as `(start, end)`, in order.
type Matches = Vec<(usize, usize)>;

impl Hits<'_> {
    /// Where the hits of the gate's patterns `range` are in `patterns` and `ends`.
    fn slots(&self, range: &Range<usize>) -> Range<usize> {
        // Most regexes are one pattern of the gate: their slots are read off the table.
        if range.len() == 1
            && let Some(&(from, to)) = self.slot_table.get(range.start)
        {
            return from as usize..to as usize;
        }
        let from = self
            .patterns
            .partition_point(|&p| (p as usize) < range.start);
        let to = from + self.patterns[from..].partition_point(|&p| (p as usize) < range.end);
        from..to
    }

    /// The match ends of the gate's patterns `range`, each with its pattern's longest match;
    /// `None` when the gate could not run.
    fn ends_in(
        &self,
        range: &Range<usize>,
    ) -> Option<impl Iterator<Item = (usize, Option<usize>)>> {
        if !self.ran {
            return None;
        }
        let max_len = &self.gate.max_len;
        let slots = self.slots(range);
        Some(
            self.patterns[slots.clone()]
                .iter()
                .zip(&self.ends[slots])
                .map(move |(&p, &end)| (end as usize, max_len[p as usize])),
        )
    }

    /// Whether every match of the gated regex is at most [`NEARBY`] bytes long (and the gate ran,
    /// and it has no text anchors): then what overlaps a range is read off its matches over the
    /// whole reply.
    fn is_short(&self, gated: &Gated) -> bool {
        self.ran
            && !gated.anchored
            && self.gate.max_len[gated.gate.clone()]
                .iter()
                .all(|len| len.is_some_and(|len| len <= NEARBY))
    }

    /// Calls `f` with the gated regex's matches over the whole reply, found once per reply.
    fn with_matches<R>(
        &self,
        gated: &Gated,
        text: &str,
        f: impl FnOnce(&[(usize, usize)]) -> R,
    ) -> R {
        let key = gated.gate.start;
        if let Some((_, found)) = self.matches.borrow().iter().find(|(k, _)| *k == key) {
            return f(found);
        }
        let found: Matches = gated.find_in(self, text).collect();
        let result = f(&found);
        self.matches.borrow_mut().push((key, found));
        result
    }

    /// The most match ends an unbounded regex is found back from; past that it is searched for
    /// (each match would otherwise look back from every later end).
    const UNBOUNDED_ENDS: usize = 32;

    /// Every position where the gate saw a match of the gated regex end, in order, when its
    /// matches can be found back from there: the gate ran, the regex has no text anchors and
    /// cannot match the empty string, and an unbounded one has few ends.
    fn exact_ends(&self, gated: &Gated) -> Option<Cow<'_, [u32]>> {
        if !self.ran || gated.anchored || gated.regex.may_be_empty {
            return None;
        }
        let slots = self.slots(&gated.gate);
        let one_pattern =
            self.patterns[slots.clone()].first() == self.patterns[slots.clone()].last();
        let ends = &self.ends[slots];
        let ends = if one_pattern {
            Cow::Borrowed(ends)
        } else {
            let mut all = ends.to_vec();
            all.sort_unstable();
            all.dedup();
            Cow::Owned(all)
        };
        (gated.regex.max_len.is_some() || ends.len() <= Self::UNBOUNDED_ENDS).then_some(ends)
    }

    /// The gated regex's first match at or after `from`, found back from its `ends`.
    fn next_exact(
        &self,
        gated: &Gated,
        text: &str,
        from: usize,
        ends: &[u32],
    ) -> Result<Option<(usize, usize)>, MatchError> {
        let caches = &mut self.caches.borrow_mut().spans;
        self.gate
            .spans
            .next_match(caches, gated.span, text, from, ends, gated.regex.max_len)
    }

    /// Whether the gated regex matches anywhere in the reply.
    pub fn any(&self, gated: &Gated) -> bool {
        !self.ran || !self.slots(&gated.gate).is_empty()
    }

    /// The gate's patterns that match somewhere, in order.
    fn matching(&self) -> impl Iterator<Item = usize> + '_ {
        let every = if self.ran {
            0..0
        } else {
            0..self.gate.max_len.len()
        };
        let mut previous = None;
        every.chain(self.patterns.iter().filter_map(move |&p| {
            let new = previous != Some(p);
            previous = Some(p);
            new.then_some(p as usize)
        }))
    }

    /// Whether some match of the gated regex may overlap `range`: a match ends after its start
    /// and starts (at the latest, its pattern's longest match before its end) before its end.
    pub(crate) fn may_overlap(&self, gated: &Gated, range: (usize, usize)) -> bool {
        let Some(mut ends) = self.ends_in(&gated.gate) else {
            return true;
        };
        ends.any(|(end, max_len)| end > range.0 && max_len.is_none_or(|len| end < range.1 + len))
    }

    /// The part of `text` where every match of the gated regex lies, widened to word edges so that
    /// searching it sees what searching the whole text sees; `None` when it matches nowhere.
    ///
    /// A match ends where the gate saw one of its patterns end, and starts at most that pattern's
    /// longest match before: from the earliest such start to the latest end.
    fn window(&self, gated: &Gated, text: &str) -> Option<Window> {
        let everywhere = Window {
            from: 0,
            to: text.len(),
            last_end: None,
        };
        let Some(ends) = self.ends_in(&gated.gate) else {
            return Some(everywhere);
        };
        let mut window: Option<(usize, usize)> = None;
        for (end, max_len) in ends {
            let start = max_len.map_or(0, |len| end.saturating_sub(len));
            window = Some(window.map_or((start, end), |(s, e)| (s.min(start), e.max(end))));
        }
        let (from, last_end) = window?;
        if gated.anchored {
            return Some(everywhere);
        }
        let bytes = text.as_bytes();
        let mut from = from.min(bytes.len());
        while from > 0 && is_regex_word_byte(bytes[from - 1]) {
            from -= 1;
        }
        let mut to = last_end.min(bytes.len());
        while to < bytes.len() && is_regex_word_byte(bytes[to]) {
            to += 1;
        }
        Some(Window {
            from: floor(text, from),
            to: ceil(text, to),
            last_end: Some(last_end),
        })
    }
}

/// Where a gated regex's matches lie in a reply (see [`Hits::window`]).
#[derive(Debug, Clone, Copy)]
struct Window {
    from: usize,
    to: usize,
    /// Where its last match ends, when the gate knows: a search past a match that ends there
    /// finds nothing more.
    last_end: Option<usize>,
}

impl Gated {
    /// The matches of the regex in the text, as [`Pattern::find_iter`] finds them over the whole
    /// text: found back from where the gate saw them end (see [`Spans::next_match`]), or, where
    /// that cannot be done, searched for only where the gate saw them.
    pub(crate) fn find_in<'a>(
        &'a self,
        hits: &'a Hits<'_>,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut exact = hits.exact_ends(self);
        let mut searched: Option<Box<dyn Iterator<Item = (usize, usize)> + 'a>> = match exact {
            Some(_) => None,
            None => Some(Box::new(self.search_window(hits, text))),
        };
        let mut from = 0;
        std::iter::from_fn(move || {
            if let Some(ends) = &exact {
                match hits.next_exact(self, text, from, ends) {
                    Ok(found) => {
                        let (start, end) = found?;
                        from = end;
                        return Some((start, end));
                    }
                    // The DFAs gave up (they do not on the lexicon's ASCII patterns): search the
                    // rest of the text as the regex always could.
                    Err(_) => {
                        exact = None;
                        let rest = Input::new(text).range(from..);
                        searched = Some(Box::new(
                            self.regex
                                .regex
                                .find_iter(rest)
                                .map(|m| (m.start(), m.end())),
                        ));
                    }
                }
            }
            searched.as_mut()?.next()
        })
    }

    /// Whether its groups are read by a backtracker of the gate.
    #[cfg(test)]
    pub(crate) fn has_backtracker(&self) -> bool {
        self.capture.is_some()
    }

    /// The matches with their groups, successive and leftmost first over the whole text: each
    /// match [`Gated::find_in`] finds, with its groups read within it.
    pub(crate) fn captures_in<'a>(
        &'a self,
        hits: &'a Hits<'_>,
        text: &'a str,
    ) -> impl Iterator<Item = Groups<'a>> + 'a {
        self.find_in(hits, text).filter_map(move |(start, end)| {
            let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
            // The match is known, so its groups are read straight off it by the backtracker
            // (the regex would first search for the match again).
            if let Some(index) = self.capture {
                let backtracker = &hits.gate.captures[index];
                let mut captures = backtracker.create_captures();
                let cache = &mut hits.caches.borrow_mut().captures[index];
                if backtracker.try_search(cache, &input, &mut captures).is_ok() {
                    return captures.is_match().then_some(Groups { text, captures });
                }
            }
            let mut captures = self.regex.regex.create_captures();
            self.regex.regex.search_captures(&input, &mut captures);
            captures.is_match().then_some(Groups { text, captures })
        })
    }

    /// The matches of the regex in the stretch of `text` where the gate saw it match, placed in
    /// the whole text, stopping after the one that ends where the gate's last match does.
    fn search_window<'a>(
        &'a self,
        hits: &Hits<'_>,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let window = hits.window(self, text);
        let from = window.map_or(0, |w| w.from);
        let mut found = window.map(|w| self.regex.find_iter(&text[w.from..w.to]));
        let stop = window.and_then(|w| self.regex.stop_after(w.last_end));
        std::iter::from_fn(move || {
            let (start, end) = found.as_mut()?.next()?;
            if stop.is_some_and(|last| from + end >= last) {
                found = None;
            }
            Some((from + start, from + end))
        })
    }
}

/// The gate: every pattern of the lexicon in one lazy DFA that reports, in one overlapping pass,
/// each position where a match of each pattern ends.
struct Gate {
    dfa: std::sync::Arc<DFA>,
    /// Every gated regex, one pattern each: finds a match where the gate saw it end.
    spans: std::sync::Arc<Spans>,
    /// The gated regexes that have groups, each as a backtracker that reads them off a match.
    captures: std::sync::Arc<Vec<BoundedBacktracker>>,
    /// One set of search caches per thread that reads replies.
    caches: Pool<Caches, CacheMaker>,
    /// Each pattern's longest match in bytes (`None`: unbounded).
    max_len: Vec<Option<usize>>,
}

/// The search state of one thread: the gate's and the spans'.
#[derive(Debug, Clone)]
struct Caches {
    gate: Cache,
    spans: SpanCaches,
    /// One per backtracker of the gate.
    captures: Vec<backtrack::Cache>,
    /// For each pattern of the gate, where its hits are in the last reply's [`Hits`]
    /// (`patterns` and `ends`); empty for a pattern that did not match.
    slots: Vec<(u32, u32)>,
    /// The patterns whose `slots` are set, to be cleared before the next reply.
    touched: Vec<u32>,
    /// The gate's pass gathers its `(pattern, end)` pairs here.
    found: Vec<(u32, u32)>,
    /// The `patterns` and `ends` of [`Hits`], lent to each reply and handed back.
    hit_lists: (Vec<u32>, Vec<u32>),
}

type CacheMaker =
    Box<dyn Fn() -> Caches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

impl Caches {
    /// Records where each pattern's hits are in `patterns` (sorted by pattern), clearing what
    /// the previous reply left: the cost follows the hits, not the size of the lexicon.
    fn mark_slots(&mut self, patterns: &[u32], pattern_count: usize) {
        if self.slots.len() == pattern_count {
            for pattern in self.touched.drain(..) {
                self.slots[pattern as usize] = (0, 0);
            }
        } else {
            // A reply read before never handed the table back (it unwound): start afresh.
            self.slots = vec![(0, 0); pattern_count];
            self.touched.clear();
        }
        let mut from = 0;
        while from < patterns.len() {
            let pattern = patterns[from];
            let to = from + patterns[from..].partition_point(|&p| p == pattern);
            self.slots[pattern as usize] = (from as u32, to as u32);
            self.touched.push(pattern);
            from = to;
        }
    }
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("patterns", &self.max_len.len())
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// One pass over a normalised reply.
    fn hits(&self, text: &str) -> Hits<'_> {
        let mut caches = self.caches.get();
        let gave_up = |caches| Hits {
            ran: false,
            patterns: Vec::new(),
            ends: Vec::new(),
            gate: self,
            caches: RefCell::new(caches),
            slot_table: Vec::new(),
            matches: RefCell::default(),
        };
        // Replies are far shorter than 4 GiB (the engine caps them).
        if u32::try_from(text.len()).is_err() {
            return gave_up(caches);
        }
        // The thread's buffer, grown once to what its replies need.
        let mut found = std::mem::take(&mut caches.found);
        found.clear();
        if self.pass(&mut caches.gate, text, &mut found).is_err() {
            caches.found = found;
            return gave_up(caches);
        }
        // Found left to right, so a stable sort by pattern leaves each pattern's ends in order;
        // each (pattern, end) is found once.
        found.sort_by_key(|&(pattern, _)| pattern);
        let (mut patterns, mut ends) = std::mem::take(&mut caches.hit_lists);
        patterns.clear();
        ends.clear();
        patterns.extend(found.iter().map(|&(pattern, _)| pattern));
        ends.extend(found.iter().map(|&(_, end)| end));
        caches.found = found;
        caches.mark_slots(&patterns, self.max_len.len());
        let slot_table = std::mem::take(&mut caches.slots);
        Hits {
            ran: true,
            patterns,
            ends,
            gate: self,
            caches: RefCell::new(caches),
            slot_table,
            matches: RefCell::default(),
        }
    }

    /// The gate's pass: every `(pattern, end)` of a match in the text, left to right, as an
    /// overlapping search reports them one call at a time, here gathered in one walk of the DFA.
    ///
    /// The lazy DFA reports a match one byte late: entering a match state on the byte at `at`
    /// means its patterns' matches end at `at`, and the end-of-text transition reports those
    /// that end with the text. A match state lists each of its patterns once.
    fn pass(
        &self,
        cache: &mut Cache,
        text: &str,
        found: &mut Vec<(u32, u32)>,
    ) -> Result<(), MatchError> {
        let dfa = &*self.dfa;
        let bytes = text.as_bytes();
        let record = |cache: &Cache, sid: LazyStateID, at: usize, found: &mut Vec<(u32, u32)>| {
            for index in 0..dfa.match_len(cache, sid) {
                found.push((dfa.match_pattern(cache, sid, index).as_u32(), at as u32));
            }
        };
        let mut sid = dfa.start_state_forward(cache, &Input::new(text))?;
        for (at, &byte) in bytes.iter().enumerate() {
            sid = dfa
                .next_state(cache, sid, byte)
                .map_err(|_| MatchError::gave_up(at))?;
            if sid.is_tagged() {
                if sid.is_match() {
                    record(cache, sid, at, found);
                } else if sid.is_dead() {
                    return Ok(());
                } else if sid.is_quit() {
                    return Err(MatchError::quit(byte, at));
                }
            }
        }
        sid = dfa
            .next_eoi_state(cache, sid)
            .map_err(|_| MatchError::gave_up(bytes.len()))?;
        if sid.is_match() {
            record(cache, sid, bytes.len(), found);
        }
        Ok(())
    }

    /// The gate's pass as the library's overlapping search makes it, for the tests to hold
    /// [`Gate::pass`] to.
    #[cfg(test)]
    fn overlapping_search(&self, cache: &mut Cache, text: &str) -> Option<Vec<(u32, u32)>> {
        let input = Input::new(text);
        let mut state = regex_automata::hybrid::dfa::OverlappingState::start();
        let mut found = Vec::new();
        loop {
            self.dfa
                .try_search_overlapping_fwd(cache, &input, &mut state)
                .ok()?;
            let Some(half) = state.get_match() else {
                return Some(found);
            };
            found.push((half.pattern().as_u32(), half.offset() as u32));
        }
    }
}

/// Collects the patterns of the gate while the lexicon compiles.
#[derive(Default)]
struct GateBuilder {
    patterns: Vec<String>,
    /// Each pattern's longest match in bytes (`None`: unbounded).
    max_len: Vec<Option<usize>>,
    /// The gated regexes, for the gate's [`Spans`].
    regexes: Vec<String>,
    /// The gated regexes that have groups, for the gate's backtrackers.
    captured: Vec<String>,
}

impl GateBuilder {
    /// Registers a regex as one pattern of the gate.
    fn gate(&mut self, regex: Pattern) -> Gated {
        let at = self.patterns.len();
        self.patterns.push(regex.as_str().to_owned());
        self.max_len.push(regex.max_len);
        self.gated(regex, at..at + 1)
    }

    /// A regex whose patterns are `gate` in the gate.
    fn gated(&mut self, regex: Pattern, gate: Range<usize>) -> Gated {
        let span = PatternID::new_unchecked(self.regexes.len());
        self.regexes.push(regex.as_str().to_owned());
        let capture = (regex.group_len() > 1).then(|| {
            self.captured.push(regex.as_str().to_owned());
            self.captured.len() - 1
        });
        Gated::new(regex, gate, span, capture)
    }

    /// Registers one checked pattern of a phrase rule.
    fn push(&mut self, checked: Checked) {
        self.patterns.push(checked.source);
        self.max_len.push(checked.max_len);
    }

    fn gate_option(&mut self, regex: Option<Pattern>) -> Option<Gated> {
        regex.map(|regex| self.gate(regex))
    }
}

impl Gated {
    fn new(regex: Pattern, gate: Range<usize>, span: PatternID, capture: Option<usize>) -> Self {
        let source = regex.as_str();
        let anchored = source.contains('^')
            || source.contains('$')
            || source.contains(r"\A")
            || source.contains(r"\z");
        Gated {
            regex,
            gate,
            span,
            capture,
            anchored,
        }
    }
}

/// A compiled kind of commitment.
#[derive(Debug)]
pub(crate) struct Kind {
    pub kind: PromiseKind,
    pub regex: Gated,
    pub except: Option<Gated>,
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct CompiledLexicon {
    pub(crate) negation: Negation,
    pub(crate) rules: Vec<Rule>,
    /// Every pattern of the lexicon: the phrase rules' patterns one by one first, then one per
    /// other pattern list. One pass says what can match in a reply.
    gate: Gate,
    /// The rule of each of the gate's first patterns.
    rule_of_pattern: Vec<usize>,
    pub(crate) first_person: Gated,
    pub(crate) company: Gated,
    pub(crate) frame_except: Option<Gated>,
    /// Outcome words that stand for the policy's principal outcome (see [`PromiseSpec::outcomes`]).
    pub(crate) outcomes: Option<Gated>,
    pub(crate) negated_by_next: WordSet,
    pub(crate) hedges: Option<Gated>,
    pub(crate) carried_hedges: Option<Gated>,
    pub(crate) part_breaks: WordSet,
    pub(crate) subjects: WordSet,
    pub(crate) kinds: Vec<Kind>,
    /// Bare amounts of money, the kinds they follow and their kind otherwise.
    pub(crate) amounts: Option<(Gated, Vec<PromiseKind>, PromiseKind)>,
    pub(crate) numbers: BTreeMap<String, u32>,
    pub(crate) units: BTreeMap<String, u32>,
    pub(crate) counted: Vec<Gated>,
    pub(crate) ranges: Vec<Gated>,
    pub(crate) fixed: Vec<(Gated, Option<u32>)>,
    pub(crate) cues: Option<Gated>,
    jargon: Option<Gated>,
    jargon_note: SmolStr,
    asks: Option<Gated>,
    repeat_note: SmolStr,
    aliases: BTreeMap<String, Vec<String>>,
    interrogatives: WordSet,
    pub(crate) notes: DerivedNotes,
    pub(crate) model_replies: BTreeMap<String, String>,
    pub(crate) respellings: Respellings,
}

/// Compiles patterns with the source at hand for diagnostics.
struct Compiler<'s> {
    source: &'s SourceFile,
}

impl Compiler<'_> {
    /// A diagnostic pointing at `needle` in the file (a pattern as written, or an id).
    fn error(&self, needle: &str, message: String, help: &str) -> Box<Diagnostic> {
        let span = self
            .source
            .find(&format!("{needle:?}"), 0)
            .or_else(|| self.source.find(needle, 0));
        Box::new(
            Diagnostic::new(Code::WrongType, &self.source.path, message)
                .at(self.source, span, "here")
                .with_help(help),
        )
    }

    /// One pattern, with word boundaries added where it starts or ends with a word character.
    fn bounded(pattern: &str) -> String {
        let starts_word = pattern
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ends_word = pattern
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        format!(
            "{}(?:{pattern}){}",
            if starts_word { ASCII_BOUNDARY } else { "" },
            if ends_word { ASCII_BOUNDARY } else { "" }
        )
    }

    /// Checks one pattern parses, for a precise diagnostic; what only building it can find (a
    /// pattern too big) is found when its list is built (see [`Compiler::build_failure`]).
    fn check(&self, owner: &str, pattern: &str) -> Result<Checked, Box<Diagnostic>> {
        if pattern.trim().is_empty() {
            return Err(self.error(
                owner,
                format!("an empty pattern in `{owner}`"),
                "remove the empty string, or write the phrase it should match",
            ));
        }
        let bounded = Self::bounded(pattern);
        match syntax::parse_with(&bounded, &syntax::Config::new().unicode(false)) {
            Ok(hir) => Ok(Checked {
                source: bounded,
                max_len: hir.properties().maximum_len(),
            }),
            Err(e) => Err(self.invalid(owner, pattern, &e.to_string())),
        }
    }

    /// The diagnostic for a pattern that is not a valid regular expression.
    fn invalid(&self, owner: &str, pattern: &str, error: &str) -> Box<Diagnostic> {
        self.error(
            pattern,
            format!("invalid pattern `{pattern}` in `{owner}`: {}", first_line(error)),
            "patterns are regular expressions (https://docs.rs/regex); escape `( ) [ ] ? * + . \\` with `\\\\`",
        )
    }

    /// Why a list of patterns that each parse could not be built: the first pattern that cannot
    /// be built by itself (one too big, say), or else the list as a whole.
    fn build_failure(
        &self,
        owner: &str,
        patterns: &[String],
        error: &dyn std::fmt::Display,
    ) -> Box<Diagnostic> {
        for pattern in patterns {
            if let Err(e) = RegexBuilder::new(&Self::bounded(pattern))
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                return self.invalid(owner, pattern, &e.to_string());
            }
        }
        self.uncombinable(owner, error)
    }

    /// Several patterns as one alternation, or `None` for an empty list.
    fn alternation(
        &self,
        owner: &str,
        patterns: &[String],
    ) -> Result<Option<Pattern>, Box<Diagnostic>> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut parts = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            parts.push(self.check(owner, pattern)?.source);
        }
        let joined = parts.join("|");
        Pattern::new(&joined)
            .map(Some)
            .map_err(|e| self.build_failure(owner, patterns, &e))
    }

    /// The diagnostic for patterns that each compile but not together.
    fn uncombinable(&self, owner: &str, error: &dyn std::fmt::Display) -> Box<Diagnostic> {
        self.error(
            owner,
            format!(
                "the patterns of `{owner}` cannot be combined: {}",
                first_line(&error.to_string())
            ),
            "split the list or simplify its patterns",
        )
    }

    /// Each pattern of a list compiled on its own (lists whose patterns reuse group names).
    fn each(&self, owner: &str, patterns: &[String]) -> Result<Vec<Pattern>, Box<Diagnostic>> {
        let mut compiled = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            compiled.push(self.required(owner, std::slice::from_ref(pattern))?);
        }
        Ok(compiled)
    }

    /// Like [`Compiler::alternation`] for a list that must not be empty.
    fn required(&self, owner: &str, patterns: &[String]) -> Result<Pattern, Box<Diagnostic>> {
        self.alternation(owner, patterns)?.ok_or_else(|| {
            self.error(
                owner,
                format!("`{owner}` has no patterns"),
                "add at least one pattern",
            )
        })
    }

    /// The gate over already-checked patterns.
    fn gate(
        &self,
        owner: &str,
        GateBuilder {
            patterns,
            max_len,
            regexes,
            captured,
        }: GateBuilder,
        cache_limit: usize,
    ) -> Result<Gate, Box<Diagnostic>> {
        let fail = |e: &dyn std::fmt::Display| self.uncombinable(owner, e);
        let syntax = syntax::Config::new().unicode(false);
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(cache_limit),
            )
            .syntax(syntax)
            .thompson(
                thompson::Config::new()
                    .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                    .which_captures(WhichCaptures::None),
            )
            .build_many(&patterns)
            .map_err(|e| fail(&e))?;
        let spans = Spans::new(&regexes, REGEX_SIZE_LIMIT).map_err(|e| fail(&e))?;
        let captures = captured
            .iter()
            .map(|source| {
                BoundedBacktracker::builder()
                    .syntax(syntax)
                    .thompson(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
                    .build(source)
                    .map_err(|e| fail(&e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let dfa = std::sync::Arc::new(dfa);
        let spans = std::sync::Arc::new(spans);
        let captures = std::sync::Arc::new(captures);
        let (for_gate, for_spans, for_captures) = (
            std::sync::Arc::clone(&dfa),
            std::sync::Arc::clone(&spans),
            std::sync::Arc::clone(&captures),
        );
        let maker: CacheMaker = Box::new(move || Caches {
            gate: for_gate.create_cache(),
            spans: for_spans.create_caches(),
            captures: for_captures
                .iter()
                .map(BoundedBacktracker::create_cache)
                .collect(),
            slots: Vec::new(),
            touched: Vec::new(),
            found: Vec::new(),
            hit_lists: (Vec::new(), Vec::new()),
        });
        Ok(Gate {
            dfa,
            spans,
            captures,
            caches: Pool::new(maker),
            max_len,
        })
    }
}

/// The gist of a regex error: its `error:` line, without the pattern echoed above it.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or(text))
        .trim()
        .to_owned()
}

impl Lexicon {
    /// Compiles the lexicon, or says precisely what is wrong with it.
    pub fn compile(self, source: &SourceFile) -> Result<CompiledLexicon, Box<Diagnostic>> {
        let compiler = Compiler { source };
        let mut gate = GateBuilder::default();
        let (rules, rule_of_pattern) = compile_rules(&compiler, &mut gate, &self.rules)?;
        check_criteria(&compiler, &self)?;
        let promises = &self.promises;
        let mut kinds = Vec::new();
        for spec in &promises.kinds {
            let owner = format!("{:?}", spec.kind);
            let regex = compiler.required(&owner, &spec.patterns)?;
            let except = compiler.alternation(&owner, &spec.except)?;
            kinds.push(Kind {
                kind: spec.kind,
                regex: gate.gate(regex),
                except: gate.gate_option(except),
            });
        }
        let amounts = match &promises.amounts {
            Some(spec) => Some((
                gate.gate(compiler.required("amounts", &spec.patterns)?),
                spec.follows.clone(),
                spec.otherwise,
            )),
            None => None,
        };
        let times = &self.timeframes;
        let counted = compiler.each("counted", &times.counted)?;
        let ranges = compiler.each("ranges", &times.ranges)?;
        for regex in &counted {
            check_groups(&compiler, "counted", Some(regex), &["n", "unit"])?;
        }
        for regex in &ranges {
            check_groups(&compiler, "ranges", Some(regex), &["n", "unit"])?;
        }
        let counted = counted.into_iter().map(|r| gate.gate(r)).collect();
        let ranges = ranges.into_iter().map(|r| gate.gate(r)).collect();
        let mut fixed = Vec::new();
        for time in &times.fixed {
            let regex = compiler.required("fixed", std::slice::from_ref(&time.pattern))?;
            fixed.push((gate.gate(regex), time.hours));
        }
        let asks = compiler.alternation("asks", &self.repeats.asks)?;
        check_groups(&compiler, "asks", asks.as_ref(), &["item"])?;
        let words = |list: &[String]| WordSet::new(list.iter().map(String::as_str));
        let first_person = gate.gate(compiler.required("first_person", &promises.first_person)?);
        let company = gate.gate(compiler.required("company", &promises.company)?);
        let frame_except =
            gate.gate_option(compiler.alternation("frame_except", &promises.frame_except)?);
        let hedges = gate.gate_option(compiler.alternation("hedges", &promises.hedges)?);
        let outcomes = gate.gate_option(compiler.alternation("outcomes", &promises.outcomes)?);
        let carried_hedges =
            gate.gate_option(compiler.alternation("carried_hedges", &promises.carried_hedges)?);
        let cues = gate.gate_option(compiler.alternation("cues", &times.cues)?);
        let jargon = gate.gate_option(compiler.alternation("jargon", &self.jargon.patterns)?);
        let asks = gate.gate_option(asks);
        let gate = compiler.gate("the lexicon", gate, GATE_DFA_LIMIT)?;
        Ok(CompiledLexicon {
            negation: Negation::new(
                &self.negation.negators,
                self.negation.window,
                &self.negation.clause_breaks,
            ),
            rules,
            gate,
            rule_of_pattern,
            first_person,
            company,
            frame_except,
            outcomes,
            negated_by_next: words(&promises.negated_by_next),
            hedges,
            carried_hedges,
            part_breaks: words(&promises.part_breaks),
            subjects: words(&promises.subjects),
            kinds,
            amounts,
            numbers: times
                .numbers
                .iter()
                .map(|(k, v)| (normalise_phrase(k), *v))
                .collect(),
            units: times
                .units
                .iter()
                .map(|(k, v)| (normalise_phrase(k), *v))
                .collect(),
            counted,
            ranges,
            fixed,
            cues,
            jargon,
            jargon_note: self.jargon.note.into(),
            asks,
            repeat_note: self.repeats.note.into(),
            aliases: self
                .repeats
                .aliases
                .iter()
                .map(|(k, v)| {
                    (
                        normalise_phrase(k),
                        v.iter().map(|a| normalise_phrase(a)).collect(),
                    )
                })
                .collect(),
            interrogatives: words(&self.interrogatives),
            notes: self.notes,
            model_replies: self.model_replies,
            respellings: Respellings::new(&self.spellings),
        })
    }
}

/// Compiles the phrase rules: one regex per rule, and each pattern on its own in the gate.
fn compile_rules(
    compiler: &Compiler<'_>,
    gate: &mut GateBuilder,
    specs: &[RuleSpec],
) -> Result<(Vec<Rule>, Vec<usize>), Box<Diagnostic>> {
    let mut rules = Vec::with_capacity(specs.len());
    let mut rule_of_pattern = Vec::new();
    let mut excepts = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        if specs[..index].iter().any(|other| other.id == spec.id) {
            return Err(compiler.error(
                &spec.id,
                format!("two rules have the id `{}`", spec.id),
                "give each rule its own id",
            ));
        }
        let first = gate.patterns.len();
        for pattern in &spec.patterns {
            gate.push(compiler.check(&spec.id, pattern)?);
            rule_of_pattern.push(index);
        }
        let patterns = first..gate.patterns.len();
        let mut suppresses = Vec::new();
        for id in &spec.suppresses {
            let target = specs
                .iter()
                .position(|other| &other.id == id)
                .ok_or_else(|| {
                    compiler.error(
                        id,
                        format!(
                            "rule `{}` suppresses `{id}`, which no rule defines",
                            spec.id
                        ),
                        "name the id of another rule in this file",
                    )
                })?;
            suppresses.push(target);
        }
        rules.push(Rule {
            id: SmolStr::new(&spec.id),
            criterion: spec.criterion.as_deref().map(SmolStr::new),
            polarity: spec.polarity,
            intents: spec.intents.clone(),
            note: SmolStr::new(&spec.note),
            regex: gate.gated(compiler.required(&spec.id, &spec.patterns)?, patterns),
            negatable: spec.negatable,
            except: None,
            suppresses,
            suppressed_by: Vec::new(),
        });
        excepts.push(compiler.alternation(&spec.id, &spec.except)?);
    }
    // Exceptions go into the gate after every rule pattern, which `rule_of_pattern` indexes.
    for (rule, except) in rules.iter_mut().zip(excepts) {
        rule.except = gate.gate_option(except);
    }
    for index in 0..rules.len() {
        let suppressed_by = (0..rules.len())
            .filter(|&other| rules[other].suppresses.contains(&index))
            .collect();
        rules[index].suppressed_by = suppressed_by;
    }
    Ok((rules, rule_of_pattern))
}

/// Every criterion named must belong to a dimension, and every model reply to a known criterion.
fn check_criteria(compiler: &Compiler<'_>, lexicon: &Lexicon) -> Result<(), Box<Diagnostic>> {
    for criterion in lexicon
        .rules
        .iter()
        .filter_map(|r| r.criterion.as_deref())
        .chain(lexicon.model_replies.keys().map(String::as_str))
    {
        if dimension_of(criterion).is_none() {
            return Err(compiler.error(
                criterion,
                format!("criterion `{criterion}` names no dimension"),
                "start criteria with `empathy.`, `timeliness.`, `expectations.` or `ownership.`",
            ));
        }
    }
    Ok(())
}

/// A pattern list that must define named groups.
fn check_groups(
    compiler: &Compiler<'_>,
    owner: &str,
    regex: Option<&Pattern>,
    groups: &[&str],
) -> Result<(), Box<Diagnostic>> {
    let Some(regex) = regex else {
        return Ok(());
    };
    let names: Vec<&str> = regex.group_names().collect();
    for group in groups {
        if !names.contains(group) {
            return Err(compiler.error(
                owner,
                format!("the patterns of `{owner}` have no group `{group}`"),
                &format!("name the part with `(?P<{group}>...)`"),
            ));
        }
    }
    Ok(())
}

/// Whether two byte ranges overlap.
pub(crate) fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// How far around a range [`overlapped_by`] looks for a match: patterns are phrases, not paragraphs.
const NEARBY: usize = 80;

/// Whether a match of `regex` near the range overlaps it.
///
/// For a regex whose matches are at most [`NEARBY`] bytes long, that is whether one of its
/// matches over the whole reply does (its matches are found once per reply and kept: exceptions
/// and hedges are asked about again and again). Any other regex is searched in the text around
/// the range, [`NEARBY`] bytes either side.
pub(crate) fn overlapped_by(
    regex: Option<&Gated>,
    hits: &Hits,
    text: &str,
    range: (usize, usize),
) -> bool {
    let Some(gated) = regex else {
        return false;
    };
    if hits.is_short(gated) {
        return hits.may_overlap(gated, range)
            && hits.with_matches(gated, text, |matches| {
                matches.iter().any(|&m| overlaps(m, range))
            });
    }
    let mut from = floor(text, range.0.saturating_sub(NEARBY));
    let mut to = ceil(text, (range.1 + NEARBY).min(text.len()));
    // A regex with no match near the range in the reply has none in a part of it either, unless
    // the part's edges cut a word (its `\b` would then see a boundary the reply lacks) or the
    // regex has text anchors: then the part is searched as it always was.
    if natural_window(text, from, to, gated.anchored) {
        if !hits.may_overlap(gated, range) {
            return false;
        }
        // Every match in the part also lies where the gate saw the regex match, whose edges are
        // word edges too: searching only their overlap finds the same matches.
        let Some(Window {
            from: start,
            to: end,
            ..
        }) = hits.window(gated, text)
        else {
            return false;
        };
        (from, to) = (from.max(start), to.min(end));
        if from >= to {
            return false;
        }
    }
    gated
        .regex
        .find_iter(&text[from..to])
        .any(|(start, end)| overlaps((from + start, from + end), range))
}

/// Whether searching `text[from..to]` sees the same assertions as searching the whole text:
/// outside the window stands nothing or a byte that is not an ASCII word character.
pub(crate) fn natural_window(text: &str, from: usize, to: usize, anchored: bool) -> bool {
    let bytes = text.as_bytes();
    if anchored {
        return from == 0 && to == bytes.len();
    }
    (from == 0 || !is_regex_word_byte(bytes[from - 1]))
        && (to == bytes.len() || !is_regex_word_byte(bytes[to]))
}

/// Whether a byte is a word character to the patterns' `\b` (ASCII letters, digits and `_`;
/// not the apostrophe that [`super::normalise`] counts as part of a word).
fn is_regex_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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

impl CompiledLexicon {
    /// The criteria this lexicon can report, sorted.
    pub fn criteria(&self) -> Vec<&str> {
        let mut criteria: Vec<&str> = self
            .rules
            .iter()
            .filter_map(|r| r.criterion.as_deref())
            .collect();
        criteria.extend([
            "empathy.personal",
            "expectations.no-overpromise",
            "expectations.timeframe",
            "expectations.plain-language",
            "ownership.commitment",
            "ownership.no-repeat",
        ]);
        criteria.sort_unstable();
        criteria.dedup();
        criteria
    }

    /// Every gated regex of the lexicon, for tests of the gate.
    #[cfg(test)]
    pub(crate) fn every_gated(&self) -> Vec<&Gated> {
        let mut all: Vec<&Gated> = Vec::new();
        for rule in &self.rules {
            all.push(&rule.regex);
            all.extend(&rule.except);
        }
        for kind in &self.kinds {
            all.push(&kind.regex);
            all.extend(&kind.except);
        }
        all.extend([&self.first_person, &self.company]);
        all.extend(self.amounts.iter().map(|(gated, _, _)| gated));
        all.extend(self.counted.iter().chain(&self.ranges));
        all.extend(self.fixed.iter().map(|(gated, _)| gated));
        for optional in [
            &self.frame_except,
            &self.outcomes,
            &self.hedges,
            &self.carried_hedges,
            &self.cues,
            &self.jargon,
            &self.asks,
        ] {
            all.extend(optional);
        }
        all
    }

    /// The gate's pass over a normalised reply: which patterns can match in it.
    pub(crate) fn hits(&self, text: &str) -> Hits<'_> {
        self.gate.hits(text)
    }

    /// The gate's pass over a text, then the library's overlapping search over it, each sorted.
    #[cfg(test)]
    pub(crate) fn gate_passes(&self, text: &str) -> [Option<Vec<(u32, u32)>>; 2] {
        let mut caches = self.gate.caches.get();
        let mut pass = Vec::new();
        let pass = self
            .gate
            .pass(&mut caches.gate, text, &mut pass)
            .ok()
            .map(|()| pass);
        let search = self.gate.overlapping_search(&mut caches.gate, text);
        let sorted = |found: Option<Vec<(u32, u32)>>| {
            found.map(|mut found| {
                found.sort_unstable();
                found
            })
        };
        [sorted(pass), sorted(search)]
    }

    /// Applies the phrase rules.
    pub(crate) fn read_rules(&self, norm: &Normalised<'_>, hits: &Hits, reading: &mut Reading) {
        let text = norm.text.as_str();
        // Each rule reports its first match that survives negation, its exceptions and the
        // rules that suppress it; later matches are never looked at, so long replies stay linear.
        let mut firsts: Vec<(usize, usize, usize)> = Vec::new();
        let mut previous = usize::MAX;
        for pattern in hits.matching() {
            let Some(&index) = self.rule_of_pattern.get(pattern) else {
                // The rules' patterns come first in the gate, in order.
                break;
            };
            if index == previous {
                continue;
            }
            previous = index;
            let rule = &self.rules[index];
            // Written as three conditions, cheapest first, rather than the one clippy would fold.
            #[allow(clippy::nonminimal_bool)]
            let first = rule.regex.find_in(hits, text).find(|&range| {
                !(rule.negatable && self.negation.negated_before(text, range.0))
                    && !overlapped_by(rule.except.as_ref(), hits, text, range)
                    && !rule.suppressed_by.iter().any(|&other| {
                        overlapped_by(Some(&self.rules[other].regex), hits, text, range)
                    })
            });
            if let Some((start, end)) = first {
                firsts.push((index, start, end));
            }
        }
        firsts.sort_by_key(|&(index, start, _)| (start, index));
        for (index, start, end) in firsts {
            let rule = &self.rules[index];
            for &intent in &rule.intents {
                reading.add_intent(intent);
            }
            if let Some(criterion) = &rule.criterion {
                push_finding(
                    reading,
                    criterion,
                    rule.polarity,
                    &rule.id,
                    norm.original(start, end),
                    &rule.note,
                );
            }
        }
    }

    /// Finds the customer's name: full name, first name, or title and surname.
    pub(crate) fn read_name(&self, norm: &Normalised<'_>, name: &str, reading: &mut Reading) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        let found = if name.is_ascii() {
            NameSearch::with(name, |search| search.find(norm))
        } else {
            find_unicode_name(norm.original, name)
        };
        if let Some(words) = found {
            reading.add_intent(Intent::UseName);
            push_finding(
                reading,
                &SmolStr::new_static("empathy.personal"),
                Polarity::Good,
                &SmolStr::new_static("customer-name"),
                words,
                &self.notes.customer_name,
            );
        }
    }

    /// Finds business jargon and the policy's own jargon.
    pub(crate) fn read_jargon(
        &self,
        norm: &Normalised<'_>,
        hits: &Hits,
        policy: &Policy,
        reading: &mut Reading,
    ) {
        let text = norm.text.as_str();
        let mut found: Vec<(usize, usize, &str, &SmolStr)> = Vec::new();
        if let Some(jargon) = &self.jargon
            && hits.any(jargon)
        {
            for (start, end) in jargon.find_in(hits, text) {
                found.push((start, end, "business-jargon", &self.jargon_note));
            }
        }
        for finder in policy.jargon_searchers() {
            if let Some((start, end)) = find_word_with(text, finder)
                && !found.iter().any(|f| overlaps((f.0, f.1), (start, end)))
            {
                found.push((start, end, "policy-jargon", &self.notes.policy_jargon));
            }
        }
        found.sort_by_key(|f| f.0);
        for (start, end, rule, note) in found {
            push_finding(
                reading,
                &SmolStr::new_static("expectations.plain-language"),
                Polarity::Bad,
                &SmolStr::new_static(rule),
                norm.original(start, end),
                note,
            );
        }
    }

    /// Finds questions that ask again for what the customer already gave.
    pub(crate) fn read_repeats(
        &self,
        norm: &Normalised<'_>,
        hits: &Hits,
        already_given: &[String],
        reading: &mut Reading,
    ) {
        let Some(asks) = &self.asks else {
            return;
        };
        if already_given.is_empty() || !hits.any(asks) {
            return;
        }
        let text = norm.text.as_str();
        for groups in asks.captures_in(hits, text) {
            let (Some(whole), Some(item)) = (groups.whole(), groups.name("item")) else {
                continue;
            };
            if self.negation.negated_before(text, whole.0) {
                continue;
            }
            let asked = item.2;
            let repeats = already_given.iter().any(|given| {
                with_normalised_phrase(given, |given| {
                    let names = self.aliases.get(given);
                    let mut names = names
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .chain([given]);
                    names.any(|name| {
                        find_word(asked, name).is_some_and(|(start, _)| start == 0)
                            || asks_for(asked, name)
                    })
                })
            });
            if repeats {
                push_finding(
                    reading,
                    &SmolStr::new_static("ownership.no-repeat"),
                    Polarity::Bad,
                    &SmolStr::new_static("ask-again"),
                    norm.original(whole.0, item.1),
                    &self.repeat_note,
                );
                return;
            }
        }
    }

    /// Marks targeted questions: a sentence that ends with `?` and opens with an interrogative.
    pub(crate) fn read_questions(&self, norm: &Normalised<'_>, reading: &mut Reading) {
        let bytes = norm.text.as_bytes();
        if memchr::memchr(b'?', bytes).is_none() {
            return;
        }
        for (start, end) in norm.sentence_ranges() {
            if bytes.get(end) != Some(&b'?') {
                continue;
            }
            let first = norm.text[start..end]
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
                .find(|w| !w.is_empty())
                .unwrap_or("");
            if self.interrogatives.contains(first) {
                reading.add_intent(Intent::Question);
                return;
            }
        }
    }
}

/// Adds a finding unless the same rule already reported one.
pub(crate) fn push_finding(
    reading: &mut Reading,
    criterion: &SmolStr,
    polarity: Polarity,
    rule: &SmolStr,
    matched: &str,
    note: &SmolStr,
) {
    push_finding_as(
        reading,
        criterion,
        polarity,
        rule,
        || SmolStr::new(matched),
        note,
    );
}

/// Like [`push_finding`], with the matched words made only when the finding is added (a quote
/// already held as a `SmolStr` is then shared rather than copied).
pub(crate) fn push_finding_as(
    reading: &mut Reading,
    criterion: &SmolStr,
    polarity: Polarity,
    rule: &SmolStr,
    matched: impl FnOnce() -> SmolStr,
    note: &SmolStr,
) {
    if reading
        .findings
        .iter()
        .any(|f| f.rule == *rule && f.criterion == *criterion)
    {
        return;
    }
    let Some(dimension) = dimension_of(criterion) else {
        return;
    };
    reading.findings.push(Finding {
        dimension,
        polarity,
        criterion: criterion.clone(),
        rule: rule.clone(),
        matched: matched(),
        note: note.clone(),
        weight: 1,
    });
}

/// The titles that may stand before a surname, in the order they are tried.
const TITLES: [&str; 6] = ["mr", "mrs", "ms", "miss", "mx", "dr"];

/// The searchers for an ASCII customer name, normalised as replies are: a scenario's customer
/// is asked about in every reply, so they are built once per thread and name.
struct NameSearch {
    /// The name as given, which the searchers were built for.
    name: String,
    full: Finder<'static>,
    first: Finder<'static>,
    /// The surname, when the name has more than one word.
    last: Option<Finder<'static>>,
}

/// How many names' searchers a thread keeps: one per scenario it reads replies for, lately.
const NAMES_KEPT: usize = 16;

thread_local! {
    /// The searchers for the names asked about on this thread, the latest last.
    static NAME_SEARCHES: RefCell<Vec<NameSearch>> = const { RefCell::new(Vec::new()) };
}

impl NameSearch {
    /// The searchers for a name; `None` when it has no word.
    fn new(name: &str) -> Option<NameSearch> {
        let normalised = normalise_phrase(name);
        let mut words = normalised.split(' ').filter(|w| !w.is_empty());
        let first = words.next()?;
        let last = words.next_back();
        Some(NameSearch {
            name: name.to_owned(),
            full: Finder::new(&normalised).into_owned(),
            first: Finder::new(first).into_owned(),
            last: last.map(|last| Finder::new(last).into_owned()),
        })
    }

    /// Calls `f` with the searchers for `name` (built on first use), or returns `None` when the
    /// name has no word.
    fn with<R>(name: &str, f: impl FnOnce(&NameSearch) -> Option<R>) -> Option<R> {
        NAME_SEARCHES.with(|cell| {
            let mut kept = cell.borrow_mut();
            if let Some(search) = kept.iter().rev().find(|search| search.name == name) {
                return f(search);
            }
            let search = NameSearch::new(name)?;
            if kept.len() == NAMES_KEPT {
                kept.remove(0);
            }
            kept.push(search);
            f(kept.last()?)
        })
    }

    /// The name in the normalised reply: the full name, else a title and the surname (the first
    /// title of [`TITLES`] found, without then with a full stop), else the first name.
    fn find<'a>(&self, norm: &Normalised<'a>) -> Option<&'a str> {
        let text = norm.text.as_str();
        let found = find_word_with(text, &self.full)
            .or_else(|| self.last.as_ref().and_then(|last| find_titled(text, last)))
            .or_else(|| find_word_with(text, &self.first))?;
        Some(norm.original(found.0, found.1))
    }
}

/// The first of "mr last", "mr. last", "mrs last"… found in the text, as [`find_word`] finds it.
fn find_titled(text: &str, last: &Finder<'_>) -> Option<(usize, usize)> {
    if last.needle().is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    // The best candidate so far: its rank in the order tried, and its range.
    let mut best: Option<(usize, (usize, usize))> = None;
    let mut from = 0;
    while let Some((start, end)) = find_word_with_from(text, last, from) {
        from = start + 1;
        for (t, title) in TITLES.iter().enumerate() {
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
fn find_unicode_name<'a>(original: &'a str, name: &str) -> Option<&'a str> {
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
fn find_folded<'a>(text: &'a str, needle: &[char]) -> Option<&'a str> {
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

/// Whether the words asked for open with the words of an item, the small words aside ("the
/// reason for the return" asks for the "reason for return").
fn asks_for(asked: &str, item: &str) -> bool {
    const SMALL: [&str; 8] = ["the", "a", "an", "your", "ur", "of", "for", "my"];
    let content = |text: &str| {
        text.split(' ')
            .filter(|w| !w.is_empty() && !SMALL.contains(w))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let (asked, item) = (content(asked), content(item));
    !item.is_empty() && asked.len() >= item.len() && asked[..item.len()] == item[..]
}
