//! The analysers: how a free-text reply is read, per dimension, with evidence and a promise ledger.
//!
//! Deterministic, offline and explainable: every finding names its rule, its criterion and the
//! words it rests on, and every promise its words and the policy's verdict with its terms. The
//! phrases, patterns and word lists are language data, one lexicon per language
//! (`scenarios/default.lexicon.ron` is English, shipped inside the binary; see [`lexicon`]); a
//! library may add to or take from it (`library.lexicon.ron`, see [`LexiconChanges`]).
//!
//! What is prepared once: the [`Analyser`] compiles a lexicon; a [`PreparedScenario`] holds what
//! one scenario adds (the customer's name, the policy's jargon and trade words, every option's
//! reading). A reply is then read forwards, one stage after the other
//! ([`Analyser::read_with`]):
//!
//! 1. **Normalise** (`normalise.rs`, with `disguise.rs` and `respell.rs`): one lower-case ASCII
//!    copy of the reply mapped back to its own words; invisible characters dropped and look-alike
//!    letters read as the Latin ones they imitate (and noted), chat spellings respelt ("ur").
//! 2. **Sentences and clauses** (`sentences.rs`): where sentences end, and the clauses a
//!    sentence is cut into at commas and words such as "and".
//! 3. **Matches** (`matches.rs`): one pass of the lexicon's pattern set says which pattern lists
//!    match; those are searched for where.
//! 4. **Interpretation**: negation (`negation.rs`: "I'm not saying calm down"), commitments with
//!    their hedges and frames (`promises.rs`: "I'll try to", "I'll ask whether", "we'll"), time
//!    frames (`times.rs`, with `clock.rs` for "by Saturday" from the call's time), amounts
//!    (`amounts.rs`: "£20", "40 quid") and the policy's verdict on each commitment
//!    (`verdict.rs`).
//! 5. **Findings** (`findings.rs` for the phrase rules, the name, jargon and questions asked
//!    again; `promises.rs` for the ledger's): each a [`Finding`] with its criterion, rule, the
//!    words it rests on and a note; `explain.rs` renders them for `rapport analyse` and the
//!    debrief.

mod amounts;
mod clock;
pub mod disguise;
pub mod explain;
mod findings;
pub mod lexicon;
mod matches;
pub mod model;
pub mod negation;
pub mod normalise;
mod prepared;
pub mod promises;
mod respell;
mod sentences;
mod times;
mod verdict;

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::scenario::{
    Amount, CallTime, Choice, Code, Diagnostic, Dimension, Intent, Policy, PromiseKind, Scenario,
};

pub use disguise::{Disguise, DisguiseKind};
pub use explain::{disguise_note, render_reading};
pub use lexicon::{CompiledLexicon, LIBRARY_LEXICON_CHANGES, Lexicon, LexiconChanges};
pub use prepared::{OptionReadingTable, PreparedScenario};

use prepared::ScenarioWords;

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
    /// The learned reader that revises the rules' reading, when the language has one.
    reader: Option<Arc<model::LearnedReader>>,
}

/// The lexicons shipped inside the binary, one per language: its language, the name its
/// diagnostics point at, and its text. A language is added as a lexicon file and a line here.
const SHIPPED_LEXICONS: &[(&str, &str, &str)] = &[(
    "en",
    "scenarios/default.lexicon.ron",
    include_str!("../../scenarios/default.lexicon.ron"),
)];

/// The language of scenarios that do not name one, whose lexicon [`Analyser::shipped`] reads.
const DEFAULT_LANGUAGE: &str = "en";

impl Default for Analyser {
    fn default() -> Self {
        Analyser::shipped()
    }
}

impl Analyser {
    /// The analysers with the shipped lexicon of the default language.
    pub fn shipped() -> Self {
        // The shipped lexicons are tested (`shipped_lexicon_compiles`), so this cannot fail at
        // run time.
        Analyser::shipped_for(DEFAULT_LANGUAGE)
            .unwrap_or_else(|| panic!("no shipped lexicon for `{DEFAULT_LANGUAGE}`"))
            .unwrap_or_else(|d| panic!("the shipped lexicon is invalid: {}", d.message))
    }

    /// The analysers with the shipped lexicon of a language, if one is shipped.
    pub fn shipped_for(language: &str) -> Option<Result<Analyser, Box<Diagnostic>>> {
        let source = shipped_lexicon(language)?;
        Some(Analyser::from_source(&source))
    }

    /// The languages a lexicon is shipped for.
    pub fn shipped_languages() -> impl Iterator<Item = &'static str> {
        SHIPPED_LEXICONS.iter().map(|(language, _, _)| *language)
    }

    /// The analysers of a library folder: the shipped lexicon with the changes of the folder's
    /// `library.lexicon.ron` made (see [`LexiconChanges`]), or the shipped lexicon when it has
    /// no such file.
    pub fn for_folder(dir: &Path) -> Result<Analyser, Box<Diagnostic>> {
        let path = dir.join(LIBRARY_LEXICON_CHANGES);
        if !path.is_file() {
            return Ok(Analyser::shipped());
        }
        let source = crate::scenario::load::read_source(&path)?;
        let changes: LexiconChanges = crate::scenario::load::parse_ron(&source)?;
        Analyser::with_changes(&changes, &source)
    }

    /// The analysers of the shipped lexicon of the changes' language, with the changes made.
    pub fn with_changes(
        changes: &LexiconChanges,
        source: &crate::scenario::SourceFile,
    ) -> Result<Analyser, Box<Diagnostic>> {
        let language = changes.language.trim();
        let Some(shipped) = shipped_lexicon(language) else {
            let span = source.find(&format!("{language:?}"), 0);
            let languages: Vec<&str> = Analyser::shipped_languages().collect();
            return Err(Box::new(
                Diagnostic::new(
                    Code::BadLexiconChange,
                    &source.path,
                    format!("no lexicon is shipped for the language `{language}`"),
                )
                .at(source, span, "here")
                .with_help(format!(
                    "write one of {}, or give the library a whole lexicon of its own",
                    crate::scenario::suggest::list_names(languages)
                )),
            ));
        };
        let lexicon: Lexicon = crate::scenario::load::parse_ron(&shipped)?;
        let lexicon = lexicon.with_changes(changes, source)?;
        Ok(Analyser {
            reader: model::LearnedReader::shipped(language),
            lexicon: lexicon.compile(&shipped)?,
        })
    }

    /// The language the analysers read.
    pub fn language(&self) -> &str {
        &self.lexicon.language
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
        let language = lexicon.language.clone();
        Ok(Analyser {
            lexicon,
            reader: model::LearnedReader::shipped(&language),
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

    /// How an option's text reads on the dimensions its authored annotations leave open:
    /// authored annotations override the analysers where they speak, and add to them elsewhere.
    /// An option that opts out of analysis reads as nothing.
    pub fn read_option(&self, choice: &Choice, context: &ReplyContext<'_>) -> Reading {
        self.read_option_with(choice, context, &ScenarioWords::new(&self.lexicon, context))
    }

    /// [`Analyser::read_option`] with the scenario's words prepared.
    pub(crate) fn read_option_with(
        &self,
        choice: &Choice,
        context: &ReplyContext<'_>,
        words: &ScenarioWords,
    ) -> Reading {
        if !choice.analyse {
            return Reading::default();
        }
        let mut reading = self.read_with(&choice.text, context, words);
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

    /// Reads one reply in a context prepared for it alone; replies of a scenario's calls are
    /// read through its [`PreparedScenario`], which prepares the context once.
    pub fn read(&self, text: &str, ctx: &ReplyContext<'_>) -> Reading {
        self.read_with(text, ctx, &ScenarioWords::new(&self.lexicon, ctx))
    }

    /// Reads one reply, the stages in order (see the module's documentation). This is where
    /// findings are made.
    pub(crate) fn read_with(
        &self,
        text: &str,
        ctx: &ReplyContext<'_>,
        words: &ScenarioWords,
    ) -> Reading {
        let mut norm = self.normalise(text);
        let mut reading = self.read_by_rules(&mut norm, ctx, words);
        // 6. The learned reader revises the rules' reading where it is sure (see [`model`]).
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
        let words = ScenarioWords::new(&self.lexicon, ctx);
        let mut norm = self.normalise(text);
        let reading = self.read_by_rules(&mut norm, ctx, &words);
        (norm.text, reading)
    }

    /// 1. Normalise (sentences and clauses, stage 2, are cut where they are read).
    fn normalise<'t>(&self, text: &'t str) -> Normalised<'t> {
        let mut norm = Normalised::new(text);
        self.lexicon.respellings.respell(&mut norm);
        norm
    }

    /// Stages 3 to 5: the reply's reading by the lexicon's rules.
    fn read_by_rules(
        &self,
        norm: &mut Normalised<'_>,
        ctx: &ReplyContext<'_>,
        words: &ScenarioWords,
    ) -> Reading {
        let mut reading = Reading {
            disguised: std::mem::take(&mut norm.disguises),
            ..Reading::default()
        };
        if norm.text.trim().is_empty() {
            return reading;
        }
        let lex = &self.lexicon;
        // 3. Matches: one pass says which of the lexicon's patterns can match.
        let hits = lex.hits(&norm.text);
        // 4 and 5. Interpretation and findings: the phrase rules and the scenario's words, then
        // the promise ledger.
        findings::read_rules(lex, norm, &hits, &mut reading);
        findings::read_name(lex, norm, words, &mut reading);
        findings::read_jargon(lex, norm, &hits, words, &mut reading);
        findings::read_repeats(lex, norm, &hits, words, &mut reading);
        findings::read_questions(lex, norm, &mut reading);
        promises::read_promises(lex, norm, &hits, ctx, words, &mut reading);
        reading
    }
}

/// The source of the lexicon shipped for a language.
fn shipped_lexicon(language: &str) -> Option<crate::scenario::SourceFile> {
    SHIPPED_LEXICONS
        .iter()
        .find(|(shipped, _, _)| *shipped == language)
        .map(|(_, name, text)| crate::scenario::SourceFile::new(*name, *text))
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
mod phrase_tests;
#[cfg(test)]
mod tests;
