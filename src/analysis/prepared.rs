//! The analysers prepared for one scenario: what every reply of its calls is searched for (the
//! customer's name, the policy's jargon and trade words) and how each of its options reads,
//! made once when the scenario is loaded and shared by every session that plays it.

use std::sync::Arc;

use memchr::memmem::Finder;

use super::lexicon::{CompiledLexicon, NameSearch, find_unicode_name};
use super::normalise::{Normalised, find_word_with, normalise_phrase};
use super::{Analyser, Reading, ReplyContext};
use crate::scenario::{PromiseKind, Scenario};

/// The words of a scenario a reply is searched for, normalised as replies are.
#[derive(Debug)]
pub(crate) struct ScenarioWords {
    /// The customer's name, when it has a word.
    name: Option<CustomerName>,
    /// The policy's jargon, one searcher per term.
    pub(crate) jargon: Vec<Finder<'static>>,
    /// The trade's words of each commitment (`words`), with the kind each names.
    pub(crate) trade_words: Vec<(PromiseKind, Finder<'static>)>,
    /// Each commitment's terms, normalised, in the policy's order: a promise of a kind the
    /// policy does not name may be one it allows in these words.
    pub(crate) terms: Vec<String>,
    /// What the customer already gave, each by the names it may be asked for (the lexicon's
    /// aliases of it, and itself), normalised.
    pub(crate) given: Vec<Vec<String>>,
}

/// How a customer's name is looked for: through its normalised words when it is ASCII, else
/// character by character in the reply as written, folding case.
#[derive(Debug)]
enum CustomerName {
    // Boxed: the searchers of a name are large beside a string.
    Ascii(Box<NameSearch>),
    Unicode(String),
}

impl ScenarioWords {
    /// The searchers for a context's name, jargon and trade words.
    pub(crate) fn new(lexicon: &CompiledLexicon, context: &ReplyContext<'_>) -> ScenarioWords {
        let name = context.customer_name.trim();
        let name = if name.is_ascii() {
            NameSearch::new(name, &lexicon.titles)
                .map(|search| CustomerName::Ascii(Box::new(search)))
        } else {
            Some(CustomerName::Unicode(name.to_owned()))
        };
        let finder = |term: &str| {
            let term = normalise_phrase(term);
            (!term.is_empty()).then(|| Finder::new(term.as_bytes()).into_owned())
        };
        let policy = context.policy;
        ScenarioWords {
            name,
            jargon: policy
                .jargon
                .iter()
                .filter_map(|term| finder(term))
                .collect(),
            trade_words: policy
                .commitments
                .iter()
                .flat_map(|c| c.words.iter().map(move |word| (c.kind, word)))
                .filter_map(|(kind, word)| Some((kind, finder(word)?)))
                .collect(),
            terms: policy
                .commitments
                .iter()
                .map(|c| normalise_phrase(&c.terms))
                .collect(),
            given: context
                .already_given
                .iter()
                .map(|given| {
                    let given = normalise_phrase(given);
                    let aliases = lexicon.aliases.get(&given).into_iter().flatten().cloned();
                    aliases.chain([given]).collect()
                })
                .collect(),
        }
    }

    /// The customer's name in a reply: the full name, a title and the surname, or the first
    /// name, as written in the reply.
    pub(crate) fn find_name<'a>(&self, norm: &Normalised<'a>) -> Option<&'a str> {
        match self.name.as_ref()? {
            CustomerName::Ascii(search) => search.find(norm),
            CustomerName::Unicode(name) => find_unicode_name(norm.original, name),
        }
    }

    /// The first whole-word occurrence of a jargon term in a normalised reply, by term.
    pub(crate) fn jargon_in<'s>(
        &'s self,
        text: &'s str,
    ) -> impl Iterator<Item = (usize, usize)> + 's {
        self.jargon
            .iter()
            .filter_map(move |finder| find_word_with(text, finder))
    }
}

/// The readings of a scenario's options, by beat and option index.
pub type OptionReadingTable = Vec<Vec<Arc<Reading>>>;

/// The analysers prepared for one scenario: build it once per scenario (when it is loaded or
/// reloaded) and share it, `Arc<PreparedScenario>`, with every session that plays the scenario.
#[derive(Debug)]
pub struct PreparedScenario {
    scenario: Arc<Scenario>,
    analyser: Arc<Analyser>,
    words: ScenarioWords,
    /// How each option reads, by beat and option index.
    options: OptionReadingTable,
}

impl PreparedScenario {
    /// Prepares the analysers for a scenario: its searchers, and the reading of every option.
    pub fn new(analyser: Arc<Analyser>, scenario: Arc<Scenario>) -> PreparedScenario {
        let context = ReplyContext::for_scenario(&scenario);
        let words = ScenarioWords::new(&analyser.lexicon, &context);
        let options = scenario
            .beats
            .iter()
            .map(|beat| {
                beat.options
                    .iter()
                    .map(|option| Arc::new(analyser.read_option_with(option, &context, &words)))
                    .collect()
            })
            .collect();
        PreparedScenario {
            scenario,
            analyser,
            words,
            options,
        }
    }

    /// The scenario prepared for.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// The analysers it was prepared with.
    pub fn analyser(&self) -> &Arc<Analyser> {
        &self.analyser
    }

    /// How an option reads (see [`Analyser::read_option`]), by beat and option index.
    pub fn option_reading(&self, beat: usize, option: usize) -> Option<&Arc<Reading>> {
        self.options.get(beat)?.get(option)
    }

    /// Reads one free-text reply made in this scenario, with the flags set when it is made.
    pub fn read(&self, text: &str, flags: &[String]) -> Reading {
        let context = ReplyContext {
            flags,
            ..ReplyContext::for_scenario(&self.scenario)
        };
        self.analyser.read_with(text, &context, &self.words)
    }
}
