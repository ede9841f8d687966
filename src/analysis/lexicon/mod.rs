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
use super::matches::{Hits, Pattern, PatternList, PatternSet, PatternSetBuilder, REGEX_SIZE_LIMIT};
use super::negation::Negation;
use super::normalise::{
    Normalised, WordSet, bounded, find_word_with, find_word_with_from, normalise_phrase, word_set,
};
use super::respell::Respellings;
use super::{Polarity, dimension_of};
use crate::scenario::{Code, Diagnostic, Intent, PromiseKind, SourceFile};
use memchr::memmem::Finder;

mod changes;
mod compile;
mod names;

pub use changes::{LIBRARY_LEXICON_CHANGES, LexiconChanges, PatternChanges, Removals};
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
    /// Titles that may stand before the customer's surname ("mr", "dr"), in the order tried.
    #[serde(default)]
    pub titles: Vec<String>,
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
    /// Assurances ("rest assured", "I promise"): vouching only for the agent's own callbacks and
    /// escalations they are judged by them; otherwise they are a guarantee of their own.
    #[serde(default)]
    pub assurances: Vec<String>,
    /// Words that open a condition ("if", "once"): a hedged condition makes the part after it
    /// tentative ("If the team lead approves it, you'll get a refund").
    #[serde(default)]
    pub conditions: Vec<String>,
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
/// entitled to a full refund: I've issued the £119") or, failing that, after them ("the $687 will
/// be returned to your card"), else a kind of their own (compensation).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountSpec {
    pub patterns: Vec<String>,
    /// The kinds an amount belongs to when one of them is named in the same sentence: the nearest
    /// before it, else the first after it.
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
    /// Things a time phrase may own, which make it no deadline ("tonight's stay", "today's order").
    #[serde(default)]
    pub possessed: Vec<String>,
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
    /// Small words that do not count when what is asked for is compared with what was given
    /// ("the reason for the return" asks for the "reason for return").
    #[serde(default)]
    pub small_words: Vec<String>,
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
    pub(crate) rule_of_pattern: Vec<usize>,
    pub(crate) first_person: PatternList,
    pub(crate) company: PatternList,
    pub(crate) frame_except: Option<PatternList>,
    /// Outcome words that stand for the policy's principal outcome (see [`PromiseSpec::outcomes`]).
    pub(crate) outcomes: Option<PatternList>,
    pub(crate) negated_by_next: WordSet,
    pub(crate) hedges: Option<PatternList>,
    pub(crate) assurances: Option<PatternList>,
    pub(crate) carried_hedges: Option<PatternList>,
    pub(crate) part_breaks: WordSet,
    pub(crate) hand_on: WordSet,
    pub(crate) money: MoneyWords,
    pub(crate) subjects: WordSet,
    pub(crate) conditions: WordSet,
    pub(crate) kinds: Vec<Kind>,
    /// Bare amounts of money, the kinds they follow and their kind otherwise.
    pub(crate) amounts: Option<(PatternList, Vec<PromiseKind>, PromiseKind)>,
    pub(crate) numbers: BTreeMap<String, u32>,
    pub(crate) units: BTreeMap<String, u32>,
    pub(crate) counted: Vec<PatternList>,
    pub(crate) ranges: Vec<PatternList>,
    pub(crate) fixed: Vec<(PatternList, Option<u32>)>,
    pub(crate) cues: Option<PatternList>,
    pub(crate) possessed: WordSet,
    pub(crate) jargon: Option<PatternList>,
    pub(crate) jargon_note: SmolStr,
    pub(crate) asks: Option<PatternList>,
    pub(crate) repeat_note: SmolStr,
    pub(crate) aliases: BTreeMap<String, Vec<String>>,
    pub(crate) interrogatives: WordSet,
    pub(crate) small_words: WordSet,
    pub(crate) titles: Vec<String>,
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
}
