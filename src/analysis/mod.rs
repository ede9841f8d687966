//! The analysers: how a free-text reply is read, per dimension, with evidence and a promise ledger.
//!
//! Deterministic, offline and explainable: every finding names its rule, its criterion and the
//! words that matched. Phrases and patterns live in a lexicon file trainers can extend
//! (`scenarios/default.lexicon.ron` is shipped inside the binary).
//!
//! A reply is read in four passes over one normalised copy of its text (invisible characters
//! dropped and look-alike letters read as Latin ones, see [`disguise`]; lower case, straight
//! quotes, one space between words, see [`normalise`]; chat spellings respelt, see `respell`):
//! the phrase rules, the customer's name and the jargon, the questions that ask again for what
//! the customer already gave, and the promise ledger (see [`promises`]). Negation and hedging are
//! handled in [`negation`] and [`promises`].

mod clock;
pub mod disguise;
pub mod explain;
pub mod lexicon;
pub mod model;
pub mod negation;
pub mod normalise;
pub mod promises;
mod respell;
mod spans;
mod verdict;

use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::scenario::{
    Amount, CallTime, Choice, Diagnostic, Dimension, Intent, Policy, PromiseKind, Scenario,
};

pub use disguise::{Disguise, DisguiseKind};
pub use explain::{disguise_note, render_reading};
pub use lexicon::{CompiledLexicon, Lexicon};

use normalise::Normalised;

/// What the analysers need to know about the call to read a reply.
#[derive(Debug, Clone, Copy)]
pub struct ReplyContext<'a> {
    /// The customer's name (using it is good practice).
    pub customer_name: &'a str,
    /// The policy that promises are checked against.
    pub policy: &'a Policy,
    /// What the customer already told the company; asking for it again is a repeat.
    pub already_given: &'a [String],
    /// When the call takes place, so "by Saturday" and "this afternoon" become hours.
    pub call_at: Option<CallTime>,
    /// The scenario flags set when the reply is made, for commitments allowed only if one is.
    pub flags: &'a [String],
}

impl<'a> ReplyContext<'a> {
    /// The context of a scenario.
    pub fn for_scenario(scenario: &'a Scenario) -> Self {
        ReplyContext {
            customer_name: &scenario.persona.name,
            policy: &scenario.policy,
            already_given: &scenario.persona.already_given,
            call_at: scenario.call_at,
            flags: &[],
        }
    }
}

/// Whether a finding earns or costs points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Polarity {
    Good,
    Bad,
}

/// One piece of evidence about a reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub dimension: Dimension,
    pub polarity: Polarity,
    /// The rubric criterion it counts under (`empathy.acknowledge`).
    pub criterion: SmolStr,
    /// The lexicon rule that fired (`acknowledge-frustration`), or `annotation` for authored ones.
    pub rule: SmolStr,
    /// The words that matched, verbatim from the reply.
    pub matched: SmolStr,
    /// Why it matters, in a sentence.
    pub note: SmolStr,
    /// How many observations it counts for (an authored ±2 counts twice).
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

/// What the policy says of a promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromiseVerdict {
    /// The policy allows it, in that time frame.
    Allowed,
    /// The policy forbids this kind of commitment.
    Forbidden,
    /// Allowed, but promised sooner than the policy's soonest.
    TooSoon { min_hours: u32 },
    /// The policy says nothing of this kind: the trainee cannot know it can be kept.
    NotInPolicy,
    /// An open-ended commitment to do work ("I'll sort this out", "I'll look into it") that the
    /// policy does not cover: kept in the ledger, but no time frame or outcome was promised.
    Undertaking,
    /// The scenario's author rated the option that made it an over-promise, though the policy
    /// allows its kind (the terms it broke, an amount or a condition, are in the author's note).
    RatedOverpromise,
    /// Allowed, but for more than the policy's most (`amount`, or the amount its terms name).
    OverCap { cap: Amount },
    /// Allowed only on a condition (`only_if`, by its index there) that did not hold.
    ConditionUnmet { requirement: u32 },
    /// The learned reader's decision where it overruled the rules (see [`model`]): an
    /// over-promise they missed, or one they read that it is sure is not.
    Learned { overpromise: bool },
}

impl PromiseVerdict {
    /// Whether the promise is an over-promise.
    pub fn is_overpromise(self) -> bool {
        match self {
            PromiseVerdict::Allowed | PromiseVerdict::Undertaking => false,
            PromiseVerdict::Learned { overpromise } => overpromise,
            _ => true,
        }
    }
}

/// A commitment extracted from a reply, with its terms and the policy's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Promise {
    pub kind: PromiseKind,
    /// The words of the commitment, verbatim.
    pub quote: SmolStr,
    /// The time frame promised, in hours, when one was given ("by tomorrow" = 24).
    pub hours: Option<u32>,
    pub verdict: PromiseVerdict,
    /// The amount of money or share promised, when the reply named one ("a £20 credit").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// The policy's terms for this kind, quoted in explanations; empty when the policy is silent.
    #[serde(default)]
    pub terms: SmolStr,
}

/// Everything the analysers read in one reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// What the reply does, for routing and the customer's reaction.
    pub intents: Vec<Intent>,
    /// Evidence for the scorecard.
    pub findings: Vec<Finding>,
    /// The commitments made, with the policy's verdict.
    pub promises: Vec<Promise>,
    /// Invisible characters and look-alike letters the reply held: it was read without them, or
    /// with the Latin letters they imitate, so they neither hide nor earn anything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disguised: Vec<Disguise>,
}

impl Reading {
    /// Whether any promise in the ledger is an over-promise.
    pub fn overpromised(&self) -> bool {
        self.promises.iter().any(|p| p.verdict.is_overpromise())
    }

    /// Whether a finding with this criterion and polarity was made.
    pub fn has(&self, criterion: &str, polarity: Polarity) -> bool {
        self.findings
            .iter()
            .any(|f| f.criterion == criterion && f.polarity == polarity)
    }

    fn add_intent(&mut self, intent: Intent) {
        if !self.intents.contains(&intent) {
            self.intents.push(intent);
        }
    }
}

/// The compiled analysers: cheap to share between sessions (`Arc<Analyser>`).
#[derive(Debug)]
pub struct Analyser {
    lexicon: CompiledLexicon,
    /// The readings of each scenario's option texts, computed once and shared by every session.
    option_readings: OptionReadings,
    /// The learned reader that revises the rules' reading, when the language has one.
    reader: Option<Arc<model::LearnedReader>>,
}

/// The readings of a scenario's options, by beat and option index.
pub type OptionReadingTable = Vec<Vec<Arc<Reading>>>;

/// Option texts are fixed per scenario, so each is read once. Entries are keyed by the scenario's
/// `Arc`: holding its `Weak` keeps the address from being reused, so the key stays sound.
#[derive(Debug, Default)]
struct OptionReadings {
    entries: Mutex<Vec<(Weak<Scenario>, Arc<OptionReadingTable>)>>,
}

/// The lexicon shipped inside the binary.
const SHIPPED_LEXICON: &str = include_str!("../../scenarios/default.lexicon.ron");

/// The name the shipped lexicon's diagnostics point at.
const SHIPPED_LEXICON_NAME: &str = "scenarios/default.lexicon.ron";

impl Default for Analyser {
    fn default() -> Self {
        Analyser::shipped()
    }
}

impl Analyser {
    /// The analysers with the shipped lexicon.
    pub fn shipped() -> Self {
        // The shipped lexicon is tested (`shipped_lexicon_compiles`), so this cannot fail at run time.
        Analyser::from_text(SHIPPED_LEXICON_NAME, SHIPPED_LEXICON)
            .unwrap_or_else(|d| panic!("the shipped lexicon is invalid: {}", d.message))
    }

    /// The analysers with a lexicon file (`*.lexicon.ron`).
    pub fn load(path: &Path) -> Result<Analyser, Box<Diagnostic>> {
        let source = crate::scenario::load::read_source(path)?;
        Analyser::from_source(&source)
    }

    /// The analysers with lexicon text that has no file (tests, generated lexicons).
    pub fn from_text(name: &str, text: &str) -> Result<Analyser, Box<Diagnostic>> {
        let source = crate::scenario::SourceFile::new(name, text);
        Analyser::from_source(&source)
    }

    fn from_source(source: &crate::scenario::SourceFile) -> Result<Analyser, Box<Diagnostic>> {
        let lexicon: Lexicon = crate::scenario::load::parse_ron(source)?;
        let lexicon = lexicon.compile(source)?;
        Ok(Analyser {
            lexicon,
            option_readings: OptionReadings::default(),
            reader: model::LearnedReader::shipped("en"),
        })
    }

    /// The same analysers reading by their rules alone, as the learned reader is trained on and
    /// compared with.
    pub fn without_reader(mut self) -> Self {
        self.reader = None;
        self
    }

    /// The same analysers with another learned reader (a retrained model).
    pub fn with_reader(mut self, reader: Option<Arc<model::LearnedReader>>) -> Self {
        self.reader = reader;
        self
    }

    /// How every option of a scenario reads (see [`Analyser::read_option`]), by beat and option
    /// index; read once per scenario and shared by every session that plays it.
    pub fn option_readings(&self, scenario: &Arc<Scenario>) -> Arc<OptionReadingTable> {
        let weak = Arc::downgrade(scenario);
        let mut entries = self
            .option_readings
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, readings)) = entries.iter().find(|(key, _)| key.ptr_eq(&weak)) {
            return Arc::clone(readings);
        }
        // Forget scenarios no session uses any more.
        entries.retain(|(key, _)| key.strong_count() > 0);
        let context = ReplyContext::for_scenario(scenario);
        let readings: OptionReadingTable = scenario
            .beats
            .iter()
            .map(|beat| {
                beat.options
                    .iter()
                    .map(|o| Arc::new(self.read_option(o, &context)))
                    .collect()
            })
            .collect();
        let readings = Arc::new(readings);
        entries.push((weak, Arc::clone(&readings)));
        readings
    }

    /// How an option's text reads on the dimensions its authored annotations leave open:
    /// authored annotations override the analysers where they speak, and add to them elsewhere.
    /// An option that opts out of analysis reads as nothing.
    pub fn read_option(&self, choice: &Choice, context: &ReplyContext<'_>) -> Reading {
        if !choice.analyse {
            return Reading::default();
        }
        let mut reading = self.read(&choice.text, context);
        let authored = |dimension: Dimension| choice.score.iter().any(|a| a.dimension == dimension);
        reading.findings.retain(|f| !authored(f.dimension));
        if authored(Dimension::Expectations) || !choice.promises.is_empty() {
            reading.promises.clear();
        }
        reading
    }

    /// A better reply for a criterion, shown in the debrief (`empathy.respect`).
    pub fn model_reply(&self, criterion: &str) -> Option<&str> {
        self.lexicon
            .model_replies
            .get(criterion)
            .map(String::as_str)
    }

    /// The criteria the lexicon's rules and derived findings can report, sorted.
    pub fn criteria(&self) -> Vec<&str> {
        self.lexicon.criteria()
    }

    /// Reads one reply: by the rules, then revised by the learned reader where it is sure.
    pub fn read(&self, text: &str, ctx: &ReplyContext<'_>) -> Reading {
        let mut norm = self.normalise(text);
        let mut reading = self.read_by_rules(&mut norm, ctx);
        if let Some(reader) = &self.reader
            && !norm.text.trim().is_empty()
        {
            reader.revise(&norm, ctx, &mut reading);
        }
        reading
    }

    /// A reply's normalised text and its reading by the rules alone, as the learned reader sees
    /// them (for training).
    pub fn read_for_model(&self, text: &str, ctx: &ReplyContext<'_>) -> (String, Reading) {
        let mut norm = self.normalise(text);
        let reading = self.read_by_rules(&mut norm, ctx);
        (norm.text, reading)
    }

    fn normalise<'t>(&self, text: &'t str) -> Normalised<'t> {
        let mut norm = Normalised::new(text);
        self.lexicon.respellings.respell(&mut norm);
        norm
    }

    fn read_by_rules(&self, norm: &mut Normalised<'_>, ctx: &ReplyContext<'_>) -> Reading {
        let norm = &mut *norm;
        let mut reading = Reading {
            disguised: std::mem::take(&mut norm.disguises),
            ..Reading::default()
        };
        if norm.text.trim().is_empty() {
            return reading;
        }
        let lex = &self.lexicon;
        // One pass says which of the lexicon's patterns can match; only those are searched for.
        let hits = lex.hits(&norm.text);
        lex.read_rules(norm, &hits, &mut reading);
        lex.read_name(norm, ctx.customer_name, &mut reading);
        lex.read_jargon(norm, &hits, ctx.policy, &mut reading);
        lex.read_repeats(norm, &hits, ctx.already_given, &mut reading);
        lex.read_questions(norm, &mut reading);
        promises::read_promises(lex, norm, &hits, ctx, &mut reading);
        reading
    }
}

/// The dimension a criterion id counts under (`expectations.explain` → Expectations).
pub fn dimension_of(criterion: &str) -> Option<Dimension> {
    let prefix = criterion
        .bytes()
        .position(|b| b == b'.')
        .map_or(criterion, |dot| &criterion[..dot]);
    // Spelled out rather than searched for: every finding asks (see the test below).
    match prefix {
        "empathy" => Some(Dimension::Empathy),
        "timeliness" => Some(Dimension::Timeliness),
        "expectations" => Some(Dimension::Expectations),
        "ownership" => Some(Dimension::Ownership),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
