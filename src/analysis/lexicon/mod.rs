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

mod compile;
mod gate;
mod names;

use super::spans::{SpanCaches, Spans};
use super::{Finding, Polarity, Reading, dimension_of};
use crate::scenario::{Code, Diagnostic, Intent, Policy, PromiseKind, SourceFile};
pub(crate) use gate::*;
use names::*;

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
