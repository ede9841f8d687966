//! The customer in the scenario format: who calls, their three meters, and how those meters move
//! with their temperament, with time and with free-text replies.

use serde::{Deserialize, Serialize};

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
