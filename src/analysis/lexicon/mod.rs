//! The lexicon: the phrases, patterns and notes the analysers read replies with, and their compiled form.
//!
//! A lexicon is a RON file (`scenarios/default.lexicon.ron` is the shipped one). Patterns are
//! regular expressions matched against the normalised reply (lower case, straight quotes, single
//! spaces; see [`super::normalise`]). A pattern that starts or ends with a letter or digit gets a
//! word boundary there, so `relax` does not fire inside `relaxation`. Everything is
//! compiled once, with every pattern also in the lexicon's one [`PatternSet`] (see
//! [`super::matches`]).

use std::collections::BTreeMap;

use regex::RegexBuilder;
use serde::Deserialize;
use smol_str::SmolStr;

use super::amounts::MoneyWords;
use super::matches::{
    Hits, Pattern, PatternList, PatternSet, PatternSetBuilder, REGEX_SIZE_LIMIT, overlapped_by,
    overlaps,
};
use super::negation::Negation;
use super::normalise::{
    Normalised, WordSet, bounded, find_word, find_word_with, find_word_with_from, normalise_phrase,
    word_set,
};
use super::respell::Respellings;

mod changes;
mod compile;
mod names;

pub use changes::{LIBRARY_LEXICON_CHANGES, LexiconChanges, PatternChanges, Removals};

use super::prepared::ScenarioWords;
use super::{Finding, Polarity, Reading, dimension_of};
use crate::scenario::{Code, Diagnostic, Intent, PromiseKind, SourceFile};
use memchr::memmem::Finder;
pub(crate) use names::{NameSearch, find_unicode_name};

/// A word boundary: the normalised text is ASCII, so ASCII boundaries are exact and much faster.
const ASCII_BOUNDARY: &str = r"(?-u:\b)";

/// A lexicon file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// The language it reads (`"en"`), matched to the scenarios' `language`.
    #[serde(default = "english")]
    pub language: String,
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
    /// How amounts of money and shares are written in words.
    #[serde(default)]
    pub money: MoneySpec,
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

fn english() -> String {
    "en".to_owned()
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
    /// Verbs that open the mention of an escalation when the agent hands the case on ("send it
    /// to them", "pass it to my team lead"): the time then said is when it is handed on.
    #[serde(default)]
    pub hand_on: Vec<String>,
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

/// How amounts are written in words: currency words after a number, each with the currency code
/// it names (`"quid": "GBP"`), and the words that make a number a share (`"per cent"`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneySpec {
    #[serde(default)]
    pub currencies: BTreeMap<String, String>,
    #[serde(default)]
    pub percent: Vec<String>,
}

/// A compiled phrase rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: SmolStr,
    pub criterion: Option<SmolStr>,
    pub polarity: Polarity,
    pub intents: Vec<Intent>,
    pub note: SmolStr,
    pub regex: PatternList,
    pub negatable: bool,
    pub except: Option<PatternList>,
    pub suppresses: Vec<usize>,
    /// The rules whose matches cancel this rule's (the inverse of `suppresses`).
    pub suppressed_by: Vec<usize>,
}

/// A compiled kind of commitment.
#[derive(Debug)]
pub(crate) struct Kind {
    pub kind: PromiseKind,
    pub regex: PatternList,
    pub except: Option<PatternList>,
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct CompiledLexicon {
    pub(crate) negation: Negation,
    pub(crate) rules: Vec<Rule>,
    /// Every pattern of the lexicon: the phrase rules' patterns one by one first, then one per
    /// other pattern list. One pass says what can match in a reply.
    patterns: PatternSet,
    /// The rule of each of the set's first patterns.
    rule_of_pattern: Vec<usize>,
    pub(crate) first_person: PatternList,
    pub(crate) company: PatternList,
    pub(crate) frame_except: Option<PatternList>,
    /// Outcome words that stand for the policy's principal outcome (see [`PromiseSpec::outcomes`]).
    pub(crate) outcomes: Option<PatternList>,
    pub(crate) negated_by_next: WordSet,
    pub(crate) hedges: Option<PatternList>,
    pub(crate) carried_hedges: Option<PatternList>,
    pub(crate) part_breaks: WordSet,
    pub(crate) hand_on: WordSet,
    pub(crate) money: MoneyWords,
    pub(crate) subjects: WordSet,
    pub(crate) kinds: Vec<Kind>,
    /// Bare amounts of money, the kinds they follow and their kind otherwise.
    pub(crate) amounts: Option<(PatternList, Vec<PromiseKind>, PromiseKind)>,
    pub(crate) numbers: BTreeMap<String, u32>,
    pub(crate) units: BTreeMap<String, u32>,
    pub(crate) counted: Vec<PatternList>,
    pub(crate) ranges: Vec<PatternList>,
    pub(crate) fixed: Vec<(PatternList, Option<u32>)>,
    pub(crate) cues: Option<PatternList>,
    jargon: Option<PatternList>,
    jargon_note: SmolStr,
    asks: Option<PatternList>,
    repeat_note: SmolStr,
    aliases: BTreeMap<String, Vec<String>>,
    interrogatives: WordSet,
    pub(crate) notes: DerivedNotes,
    pub(crate) model_replies: BTreeMap<String, String>,
    pub(crate) respellings: Respellings,
    pub(crate) language: String,
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

    /// Every pattern list of the lexicon, for tests of the matches.
    #[cfg(test)]
    pub(crate) fn every_list(&self) -> Vec<&PatternList> {
        let mut all: Vec<&PatternList> = Vec::new();
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

    /// The one pass over a normalised reply that says which patterns can match in it.
    pub(crate) fn hits(&self, text: &str) -> Hits {
        self.patterns.hits(text)
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
                // The rules' patterns come first in the set, in order.
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
    pub(crate) fn read_name(
        &self,
        norm: &Normalised<'_>,
        words: &ScenarioWords,
        reading: &mut Reading,
    ) {
        if let Some(words) = words.find_name(norm) {
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
        words: &ScenarioWords,
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
        for (start, end) in words.jargon_in(text) {
            if !found.iter().any(|f| overlaps((f.0, f.1), (start, end))) {
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
                let given = normalise_phrase(given);
                let names = self.aliases.get(&given);
                let mut names = names
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .chain([given.as_str()]);
                names.any(|name| {
                    find_word(asked, name).is_some_and(|(start, _)| start == 0)
                        || asks_for(asked, name)
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
