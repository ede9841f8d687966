//! The scenario format: the serde types a trainer's RON file deserialises into.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

pub use super::policy::*;

/// A complete angry-customer scenario: who calls, what is true, and how the call can go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable identifier, used by `rapport play ID`, transcripts and reports (`late-delivery`).
    pub id: String,
    /// Title shown in the library.
    pub title: String,
    /// One or two sentences a trainee reads before the call.
    #[serde(default)]
    pub summary: String,
    /// How hard the customer is to bring round.
    pub difficulty: Difficulty,
    /// Phone, chat, email or messaging: sets the service-level clock and the look of the call.
    pub channel: Channel,
    /// BCP 47 language tag of the lines (`en`).
    #[serde(default = "default_language")]
    pub language: String,
    /// Bumped whenever a change would alter a replay; transcripts record it.
    #[serde(default = "default_version")]
    pub version: u32,
    /// Who wrote the scenario.
    #[serde(default)]
    pub author: String,
    /// Free labels for filtering the library (`refund`, `billing`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The handle time a good agent needs, in seconds.
    pub target_handle_secs: u32,
    /// Overrides of the channel's default service levels.
    #[serde(default)]
    pub service_levels: ServiceLevelOverrides,
    /// The customer on the other end.
    pub persona: Persona,
    /// What is true and what the company can and cannot do: the scorer's ground truth.
    pub policy: Policy,
    /// When the call takes place (`"Tuesday 10:30"`): "by Saturday" or "this afternoon" in a
    /// reply become hours from here. Without it, only time frames that count from now
    /// ("within 24 hours", "two days") are checked against the policy.
    #[serde(default)]
    pub call_at: Option<CallTime>,
    /// The flags beats and options may set and conditions may test.
    #[serde(default)]
    pub flags: Vec<String>,
    /// How the customer's meters drift with time and react to free text.
    #[serde(default)]
    pub dynamics: Dynamics,
    /// What the customer says if the trainee is silent too long, in any beat without its own.
    #[serde(default)]
    pub silence: Option<Silence>,
    /// What the customer says when taken off hold.
    #[serde(default)]
    pub hold_return: Option<Line>,
    /// Where hold, transfer, escalate and end lead unless a beat says otherwise.
    #[serde(default)]
    pub actions: Actions,
    /// Beats that fire whenever their condition becomes true (a customer who boils over hangs up).
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// The id of the first beat.
    pub start: SmolStr,
    /// The conversation, one beat per customer turn.
    pub beats: Vec<Beat>,
    /// How the call can end.
    pub endings: Vec<Ending>,
    /// Path of a rubric file that overrides the default rubric, relative to the scenario.
    #[serde(default)]
    pub rubric: Option<String>,
}

fn default_language() -> String {
    "en".to_owned()
}

fn default_version() -> u32 {
    1
}

/// How hard a scenario is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// The channel the customer uses; each has its own service-level clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    Phone,
    Chat,
    Email,
    Messaging,
}

/// Service-level targets, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLevels {
    /// Time allowed before the first reply.
    pub first_response_secs: u32,
    /// Time allowed between a customer line and the trainee's reply.
    pub between_replies_secs: u32,
    /// Longest acceptable hold.
    pub max_hold_secs: u32,
    /// During a hold or long wait, the customer expects an update this often.
    pub status_update_secs: u32,
}

/// Per-scenario overrides of the channel's service levels; missing fields keep the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevelOverrides {
    #[serde(default)]
    pub first_response_secs: Option<u32>,
    #[serde(default)]
    pub between_replies_secs: Option<u32>,
    #[serde(default)]
    pub max_hold_secs: Option<u32>,
    #[serde(default)]
    pub status_update_secs: Option<u32>,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 4] = [
        Channel::Phone,
        Channel::Chat,
        Channel::Email,
        Channel::Messaging,
    ];

    /// The default service levels of the channel: live for phone, near-live for chat and
    /// messaging, slower for email.
    pub fn default_service_levels(self) -> ServiceLevels {
        match self {
            Channel::Phone => ServiceLevels {
                first_response_secs: 10,
                between_replies_secs: 30,
                max_hold_secs: 120,
                status_update_secs: 60,
            },
            Channel::Chat => ServiceLevels {
                first_response_secs: 30,
                between_replies_secs: 60,
                max_hold_secs: 180,
                status_update_secs: 120,
            },
            Channel::Messaging => ServiceLevels {
                first_response_secs: 120,
                between_replies_secs: 180,
                max_hold_secs: 600,
                status_update_secs: 600,
            },
            Channel::Email => ServiceLevels {
                first_response_secs: 4 * 3600,
                between_replies_secs: 4 * 3600,
                max_hold_secs: 24 * 3600,
                status_update_secs: 24 * 3600,
            },
        }
    }

    /// A lower-case label (`phone`).
    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Email => "email",
            Channel::Messaging => "messaging",
        }
    }
}

impl Difficulty {
    /// A lower-case label (`medium`).
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

impl Scenario {
    /// The service levels in force: the channel's defaults with this scenario's overrides.
    pub fn service_levels(&self) -> ServiceLevels {
        let base = self.channel.default_service_levels();
        let o = &self.service_levels;
        ServiceLevels {
            first_response_secs: o.first_response_secs.unwrap_or(base.first_response_secs),
            between_replies_secs: o.between_replies_secs.unwrap_or(base.between_replies_secs),
            max_hold_secs: o.max_hold_secs.unwrap_or(base.max_hold_secs),
            status_update_secs: o.status_update_secs.unwrap_or(base.status_update_secs),
        }
    }

    /// The beat with this id.
    pub fn beat(&self, id: &str) -> Option<&Beat> {
        self.beats.iter().find(|b| b.id == id)
    }

    /// The ending with this id.
    pub fn ending(&self, id: &str) -> Option<&Ending> {
        self.endings.iter().find(|e| e.id == id)
    }

    /// The policy rule for a kind of promise, if the policy defines one.
    pub fn commitment(&self, kind: PromiseKind) -> Option<&Commitment> {
        self.policy.commitments.iter().find(|c| c.kind == kind)
    }
}

/// The customer: who they are, how they feel at the start and how fast that changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// The customer's name, as the trainee should use it.
    pub name: String,
    /// Backstory and situation, shown to the trainee before the call.
    pub situation: String,
    /// Anger, patience and trust when the call starts (0–100).
    pub meters: Meters,
    /// How fast the customer heats up and forgives.
    #[serde(default)]
    pub temperament: Temperament,
    /// Things the customer has already told the company (order number, address…); asking for
    /// them again makes the customer repeat themselves.
    #[serde(default)]
    pub already_given: Vec<String>,
    /// Portrait image, relative to the assets directory.
    #[serde(default)]
    pub portrait: Option<String>,
    /// Voice pack directory or file, relative to the assets directory.
    #[serde(default)]
    pub voice: Option<String>,
}

/// The customer's three meters, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meters {
    pub anger: i32,
    pub patience: i32,
    pub trust: i32,
}

impl Meters {
    /// The value of one meter.
    pub fn get(&self, meter: Meter) -> i32 {
        match meter {
            Meter::Anger => self.anger,
            Meter::Patience => self.patience,
            Meter::Trust => self.trust,
        }
    }

    /// A mutable reference to one meter.
    pub fn get_mut(&mut self, meter: Meter) -> &mut i32 {
        match meter {
            Meter::Anger => &mut self.anger,
            Meter::Patience => &mut self.patience,
            Meter::Trust => &mut self.trust,
        }
    }
}

/// One of the customer's meters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Meter {
    Anger,
    Patience,
    Trust,
}

impl Meter {
    /// Every meter, in display order.
    pub const ALL: [Meter; 3] = [Meter::Anger, Meter::Patience, Meter::Trust];

    /// A lower-case label (`anger`).
    pub fn label(self) -> &'static str {
        match self {
            Meter::Anger => "anger",
            Meter::Patience => "patience",
            Meter::Trust => "trust",
        }
    }
}

/// Multipliers on how the customer's meters move.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Temperament {
    /// Scales every rise in anger and fall in trust (1.0 = as authored; 1.5 = hot-headed).
    #[serde(default = "unit")]
    pub heat: f32,
    /// Scales every fall in anger and rise in trust (0.5 = slow to forgive).
    #[serde(default = "unit")]
    pub forgiveness: f32,
}

fn unit() -> f32 {
    1.0
}

impl Default for Temperament {
    fn default() -> Self {
        Temperament {
            heat: 1.0,
            forgiveness: 1.0,
        }
    }
}

/// How the customer's meters drift with time and react to free-text replies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dynamics {
    /// Patience lost per minute while the customer waits for a reply.
    #[serde(default = "default_waiting_drain")]
    pub waiting_patience_per_min: f32,
    /// Patience lost per minute on hold.
    #[serde(default = "default_hold_drain")]
    pub hold_patience_per_min: f32,
    /// Extra anger when the customer is made to repeat something already given.
    #[serde(default = "default_repeat_anger")]
    pub repeat_anger: i32,
    /// Anger change for each good empathy finding in a free-text reply (negative calms).
    #[serde(default = "default_good_reply_anger")]
    pub good_reply_anger: i32,
    /// Anger change for each bad finding in a free-text reply.
    #[serde(default = "default_bad_reply_anger")]
    pub bad_reply_anger: i32,
    /// Trust change for each good ownership or honesty finding.
    #[serde(default = "default_good_reply_trust")]
    pub good_reply_trust: i32,
    /// Trust change for each bad ownership or honesty finding.
    #[serde(default = "default_bad_reply_trust")]
    pub bad_reply_trust: i32,
}

fn default_waiting_drain() -> f32 {
    6.0
}
fn default_hold_drain() -> f32 {
    12.0
}
fn default_repeat_anger() -> i32 {
    12
}
fn default_good_reply_anger() -> i32 {
    -6
}
fn default_bad_reply_anger() -> i32 {
    10
}
fn default_good_reply_trust() -> i32 {
    5
}
fn default_bad_reply_trust() -> i32 {
    -8
}

impl Default for Dynamics {
    fn default() -> Self {
        Dynamics {
            waiting_patience_per_min: default_waiting_drain(),
            hold_patience_per_min: default_hold_drain(),
            repeat_anger: default_repeat_anger(),
            good_reply_anger: default_good_reply_anger(),
            bad_reply_anger: default_bad_reply_anger(),
            good_reply_trust: default_good_reply_trust(),
            bad_reply_trust: default_bad_reply_trust(),
        }
    }
}

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
