//! The analysers: how a free-text reply is read, per dimension, with evidence and a promise ledger.
//!
//! Deterministic, offline and explainable: every finding names its rule, its criterion and the
//! words that matched. Phrases and patterns live in a lexicon file trainers can extend.

use serde::{Deserialize, Serialize};

use crate::scenario::{Dimension, Intent, Policy, PromiseKind, Scenario};

/// What the analysers need to know about the call to read a reply.
#[derive(Debug, Clone, Copy)]
pub struct ReplyContext<'a> {
    /// The customer's name (using it is good practice).
    pub customer_name: &'a str,
    /// The policy that promises are checked against.
    pub policy: &'a Policy,
    /// What the customer already told the company; asking for it again is a repeat.
    pub already_given: &'a [String],
}

impl<'a> ReplyContext<'a> {
    /// The context of a scenario.
    pub fn for_scenario(scenario: &'a Scenario) -> Self {
        ReplyContext {
            customer_name: &scenario.persona.name,
            policy: &scenario.policy,
            already_given: &scenario.persona.already_given,
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
    pub criterion: String,
    /// The lexicon rule that fired (`acknowledge-frustration`), or `annotation` for authored ones.
    pub rule: String,
    /// The words that matched, verbatim from the reply.
    pub matched: String,
    /// Why it matters, in a sentence.
    pub note: String,
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
}

impl PromiseVerdict {
    /// Whether the promise is an over-promise.
    pub fn is_overpromise(self) -> bool {
        !matches!(self, PromiseVerdict::Allowed)
    }
}

/// A commitment extracted from a reply, with its terms and the policy's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Promise {
    pub kind: PromiseKind,
    /// The words of the commitment, verbatim.
    pub quote: String,
    /// The time frame promised, in hours, when one was given ("by tomorrow" = 24).
    pub hours: Option<u32>,
    pub verdict: PromiseVerdict,
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
}

/// The compiled analysers: cheap to share between sessions (`Arc<Analyser>`).
#[derive(Debug, Default)]
pub struct Analyser {}

impl Analyser {
    /// The analysers with the shipped lexicon.
    pub fn shipped() -> Self {
        Analyser {}
    }

    /// Reads one reply.
    pub fn read(&self, _text: &str, _ctx: &ReplyContext<'_>) -> Reading {
        Reading::default()
    }
}
