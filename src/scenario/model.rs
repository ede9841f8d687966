//! The scenario format: the serde types a trainer's RON file deserialises into. Here the scenario
//! itself, its channel and service levels; the customer, the conversation and the policy (the
//! scorer's ground truth) have files of their own.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::conversation::{Actions, Beat, Ending, Line, Silence, Trigger};
use super::customer::{Dynamics, Persona};

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
