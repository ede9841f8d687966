//! The conversation in the scenario format: beats of customer lines and the trainee's options,
//! free replies and where they route, silences, triggers, the four scored dimensions and endings.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::{Meter, PromiseKind};

/// Where the agent's actions lead; `None` means the engine's default for that action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    /// Target (beat or ending) of escalating to a supervisor.
    #[serde(default)]
    pub escalate: Option<SmolStr>,
    /// Target of a warm transfer (the agent introduces the case and stays on).
    #[serde(default)]
    pub transfer_warm: Option<SmolStr>,
    /// Target of a cold transfer (straight into another queue).
    #[serde(default)]
    pub transfer_cold: Option<SmolStr>,
    /// Target of the agent ending the call.
    #[serde(default)]
    pub end: Option<SmolStr>,
}

/// One customer turn and the trainee's possible answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beat {
    /// Stable id, unique among beats and endings.
    pub id: SmolStr,
    /// A note for trainers; never shown to trainees.
    #[serde(default)]
    pub note: String,
    /// What the customer says on entering the beat: every line whose condition holds, in order.
    pub lines: Vec<Line>,
    /// Meter changes on entering the beat.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Flags set on entering the beat.
    #[serde(default)]
    pub set: Vec<String>,
    /// Scripted answers the trainee can pick.
    #[serde(default)]
    pub options: Vec<Choice>,
    /// A point where the trainee types a free reply.
    #[serde(default)]
    pub reply: Option<ReplyPoint>,
    /// What happens if the trainee says nothing for a while.
    #[serde(default)]
    pub silence: Option<Silence>,
    /// Where to go straight away when the beat has no options and no reply point.
    #[serde(default)]
    pub next: Option<SmolStr>,
    /// Overrides of the scenario's action targets while in this beat.
    #[serde(default)]
    pub actions: Actions,
}

/// A customer line with a stable id and one or more wordings picked by the session's seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Stable id, unique in the scenario; test plans and transcripts refer to it.
    pub id: SmolStr,
    /// Alternative wordings; one is picked by the seeded random generator.
    pub variants: Vec<SmolStr>,
    /// The line is said only when this holds.
    #[serde(default)]
    pub when: Option<Condition>,
    /// Voice recording, relative to the assets directory.
    #[serde(default)]
    pub audio: Option<SmolStr>,
}

/// A scripted answer the trainee can pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stable id, unique in the scenario.
    pub id: SmolStr,
    /// What the trainee says.
    pub text: SmolStr,
    /// Offered only when this holds.
    #[serde(default)]
    pub when: Option<Condition>,
    /// How the choice scores, dimension by dimension (authored; adds to or overrides analysis).
    #[serde(default)]
    pub score: Vec<Annotation>,
    /// Whether the analysers also read `text` (default) or only the annotations count.
    #[serde(default = "yes")]
    pub analyse: bool,
    /// Meter changes the choice causes.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Flags the choice sets.
    #[serde(default)]
    pub set: Vec<String>,
    /// Commitments the choice makes, checked against the policy.
    #[serde(default)]
    pub promises: Vec<PromiseKind>,
    /// The choice makes the customer repeat what they already said.
    #[serde(default)]
    pub makes_repeat: bool,
    /// Where the conversation goes next (beat or ending id).
    pub next: SmolStr,
    /// A better reply, shown in the debrief when this choice cost points.
    #[serde(default)]
    pub better: Option<String>,
}

fn yes() -> bool {
    true
}

/// An authored judgement of a choice on one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// The dimension judged.
    pub dimension: Dimension,
    /// From −2 (harmful) to +2 (exemplary); 0 is neutral.
    pub rating: i32,
    /// Why, in a sentence the debrief shows.
    #[serde(default)]
    pub note: SmolStr,
    /// The rubric criterion the judgement counts under; the dimension's first criterion if absent.
    #[serde(default)]
    pub criterion: Option<SmolStr>,
}

/// The four scored dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dimension {
    Empathy,
    Timeliness,
    Expectations,
    Ownership,
}

impl Dimension {
    /// Every dimension, in display order.
    pub const ALL: [Dimension; 4] = [
        Dimension::Empathy,
        Dimension::Timeliness,
        Dimension::Expectations,
        Dimension::Ownership,
    ];

    /// A lower-case label (`expectations`).
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Empathy => "empathy",
            Dimension::Timeliness => "timeliness",
            Dimension::Expectations => "expectations",
            Dimension::Ownership => "ownership",
        }
    }
}

/// A change to one meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Anger(i32),
    Patience(i32),
    Trust(i32),
}

impl Effect {
    /// The meter and the signed amount.
    pub fn parts(self) -> (Meter, i32) {
        match self {
            Effect::Anger(d) => (Meter::Anger, d),
            Effect::Patience(d) => (Meter::Patience, d),
            Effect::Trust(d) => (Meter::Trust, d),
        }
    }
}

/// A point where the trainee types a free reply, read by the analysers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyPoint {
    /// What a good reply does here; each missing intent is noted in the debrief.
    #[serde(default)]
    pub expects: Vec<Intent>,
    /// Routes tried in order; the first whose condition holds wins.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Where to go when no route matches.
    pub next: SmolStr,
    /// A model reply shown in the debrief when this reply cost points.
    #[serde(default)]
    pub better: Option<String>,
}

/// A conditional branch after a free reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub when: Condition,
    pub next: SmolStr,
}

/// What a reply does, as the analysers read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Intent {
    /// Names the customer's feeling or situation ("I understand how frustrating…").
    Acknowledge,
    /// A sincere apology.
    Apologize,
    /// Uses the customer's name.
    UseName,
    /// Explains the policy or the process.
    Explain,
    /// Gives a realistic time frame.
    Timeframe,
    /// Takes personal responsibility ("I'll handle this").
    Ownership,
    /// Proposes a concrete next step or remedy.
    Solution,
    /// Asks a targeted question.
    Question,
    /// Brings in a supervisor or the right team.
    Escalation,
    /// Makes a commitment (see the promise ledger).
    Promise,
    /// Tells the customer to calm down or relax.
    CalmDown,
    /// Blames the customer.
    Blame,
    /// Dismisses, deflects or argues ("not my department").
    Dismiss,
}

/// What happens if the trainee is silent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Silence {
    /// Seconds of silence before the customer speaks up.
    pub after_secs: u32,
    /// What the customer says ("Hello? Are you still there?").
    pub line: Line,
    /// Meter changes each time it fires.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// How many times it may fire in one beat before `then` applies.
    #[serde(default = "default_silence_limit")]
    pub limit: u32,
    /// Where to go once the limit is reached (usually a hang-up ending).
    #[serde(default)]
    pub then: Option<SmolStr>,
}

fn default_silence_limit() -> u32 {
    3
}

/// A condition over the session's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// A meter compared with a value: `Meter(Anger, Ge, 80)`.
    Meter(Meter, Cmp, i32),
    /// A flag is set: `Flag("offered_refund")`.
    Flag(String),
    /// How many times a beat was entered: `Visits("hold", Ge, 2)`.
    Visits(String, Cmp, u32),
    /// Seconds since the call started: `Elapsed(Ge, 300)`.
    Elapsed(Cmp, u32),
    /// The last free reply showed this intent: `Said(Apologize)`.
    Said(Intent),
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmp {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
}

impl Cmp {
    /// Compares two values with this operator.
    pub fn holds<T: PartialOrd>(self, left: T, right: T) -> bool {
        match self {
            Cmp::Lt => left < right,
            Cmp::Le => left <= right,
            Cmp::Eq => left == right,
            Cmp::Ne => left != right,
            Cmp::Ge => left >= right,
            Cmp::Gt => left > right,
        }
    }
}

/// A jump that fires as soon as its condition holds after any move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Stable id.
    pub id: SmolStr,
    pub when: Condition,
    /// Beat or ending to jump to.
    pub goto: SmolStr,
    /// Fire at most once per session (default).
    #[serde(default = "yes")]
    pub once: bool,
}

/// How a call ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    /// Stable id, unique among beats and endings.
    pub id: SmolStr,
    pub outcome: Outcome,
    /// The customer's last words.
    #[serde(default)]
    pub lines: Vec<Line>,
}

/// The outcome of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Outcome {
    /// The problem was solved or a credible plan agreed.
    Resolved,
    /// Handed to a supervisor.
    Escalated,
    /// Transferred to another team.
    Transferred,
    /// The customer hung up.
    HungUp,
    /// The trainee ran out of time.
    TimedOut,
    /// The trainee ended the call without resolution.
    AgentEnded,
    /// The session was interrupted and never finished.
    Abandoned,
}

impl Outcome {
    /// A lower-case label (`hung-up`).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Escalated => "escalated",
            Outcome::Transferred => "transferred",
            Outcome::HungUp => "hung-up",
            Outcome::TimedOut => "timed-out",
            Outcome::AgentEnded => "agent-ended",
            Outcome::Abandoned => "abandoned",
        }
    }
}
