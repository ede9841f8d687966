//! What a trainee can do (moves) and what the engine reports back (events).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::analysis::Reading;
use crate::scenario::{Intent, Meter, Outcome};

/// How a transfer is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransferKind {
    /// The agent introduces the case to the colleague and stays until they take over.
    Warm,
    /// Straight into another queue; the customer starts again.
    Cold,
}

/// One thing the trainee does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Move {
    /// Pick an offered option by its number (1-based, as shown).
    Choose(u32),
    /// Type or say a free reply.
    Say(String),
    /// Put the customer on hold, announcing how long in seconds.
    Hold(u32),
    /// Take the customer off hold.
    Unhold,
    /// Transfer the call.
    Transfer(TransferKind),
    /// Bring in a supervisor.
    Escalate,
    /// End the call.
    End,
    /// Nothing: time passes (scripts use it to let timers fire).
    Wait,
}

impl Move {
    /// A short human description (`choose 2`, `hold 60 s`).
    pub fn describe(&self) -> String {
        match self {
            Move::Choose(n) => format!("choose {n}"),
            Move::Say(text) => format!("say {text:?}"),
            Move::Hold(secs) => format!("hold {secs} s"),
            Move::Unhold => "take off hold".to_owned(),
            Move::Transfer(TransferKind::Warm) => "warm transfer".to_owned(),
            Move::Transfer(TransferKind::Cold) => "cold transfer".to_owned(),
            Move::Escalate => "escalate".to_owned(),
            Move::End => "end the call".to_owned(),
            Move::Wait => "wait".to_owned(),
        }
    }
}

/// Why a meter moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cause {
    /// The beat's own effects on entry.
    Beat(SmolStr),
    /// An option the trainee picked.
    Choice(SmolStr),
    /// How the customer took a free reply.
    Reply,
    /// The customer was made to repeat what they already said.
    Repeat,
    /// Time passing while the customer waits for a reply.
    Waiting,
    /// Time passing on hold.
    Hold,
    /// A hold that ran past the time announced.
    OverdueHold,
    /// A silence timer.
    Silence,
    /// A cold transfer.
    ColdTransfer,
}

/// One option as offered to the trainee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offered {
    /// The number the trainee presses (1-based).
    pub number: u32,
    /// The option's id in the scenario.
    pub id: SmolStr,
    pub text: SmolStr,
}

/// What happened, as plain data for every front end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The conversation moved to a beat.
    BeatEntered { beat: SmolStr },
    /// The customer said a line.
    CustomerSaid {
        line: SmolStr,
        text: SmolStr,
        audio: Option<SmolStr>,
    },
    /// The options now open to the trainee.
    OptionsOffered { options: Vec<Offered> },
    /// The trainee may type a free reply.
    ReplyInvited { expects: Vec<Intent> },
    /// The trainee picked an option; `reading` is how the analysers read its text on the
    /// dimensions its authored annotations leave open (empty when the option opts out).
    TraineeChose {
        number: u32,
        id: SmolStr,
        text: SmolStr,
        #[serde(default, with = "shared_reading")]
        reading: Arc<Reading>,
    },
    /// The trainee typed a reply (as stored, control characters removed), with its reading.
    TraineeReplied {
        text: SmolStr,
        #[serde(with = "shared_reading")]
        reading: Arc<Reading>,
    },
    /// A meter moved.
    MeterChanged {
        meter: Meter,
        from: i32,
        to: i32,
        cause: Cause,
    },
    /// The customer has been left in silence (`count` times in this beat).
    SilenceFired { count: u32 },
    /// The customer was put on hold.
    HoldStarted { announced_secs: u32 },
    /// The customer came back from hold.
    HoldEnded { held_secs: u32, announced_secs: u32 },
    /// The trainee transferred the call.
    Transferred { kind: TransferKind },
    /// The trainee brought in a supervisor.
    Escalated,
    /// A scenario trigger fired.
    TriggerFired { trigger: SmolStr },
    /// The session ended.
    Ended { ending: SmolStr, outcome: Outcome },
}

/// A reading shared between sessions (`Arc`) is written and read as the reading itself.
mod shared_reading {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::analysis::Reading;

    pub fn serialize<S: Serializer>(reading: &Arc<Reading>, out: S) -> Result<S::Ok, S::Error> {
        reading.as_ref().serialize(out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Arc<Reading>, D::Error> {
        Reading::deserialize(input).map(Arc::new)
    }
}

/// An event and the session time it happened at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    /// Milliseconds since the call started.
    pub at_ms: u64,
    pub event: Event,
}

/// Why the engine refused a move; a refused move changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("the call has already ended")]
    SessionEnded,
    #[error("there is no option `{number}` here; pick 1 to {offered}")]
    NoSuchOption { number: u32, offered: u32 },
    #[error("there are no options to pick here; type a reply instead")]
    NoOptionsHere,
    #[error("the customer is not waiting for a typed reply here; pick an option by its number")]
    NoReplyHere,
    #[error("the reply is empty; type what you would say to the customer")]
    EmptyReply,
    #[error("the reply is {chars} characters long; keep it under {max}")]
    ReplyTooLong { chars: usize, max: usize },
    #[error("the customer is already on hold")]
    AlreadyOnHold,
    #[error("the customer is not on hold")]
    NotOnHold,
    #[error("say how long the hold will be: `hold 60` puts the customer on hold for 60 seconds")]
    HoldWithoutDuration,
    #[error("a move at {at_ms} ms comes before the session's clock ({now_ms} ms)")]
    TimeWentBackwards { at_ms: u64, now_ms: u64 },
    /// The scenario looped: the move gave more than `limit` events, or its jumps nested too
    /// deep. Unlike the other refusals the call has changed: the engine ended it as abandoned.
    #[error(
        "the scenario looped: this move set off more than {limit} events (or jumps within jumps), so the engine ended the call; run `rapport validate` on the scenario and check its triggers and silences"
    )]
    Runaway { limit: usize },
}
