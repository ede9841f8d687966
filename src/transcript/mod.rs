//! Transcripts: everything that happened in a session, written durably turn by turn, and replayed.
//!
//! The transcript itself lives here; [`file`] reads and writes it as JSON Lines, [`recorder`]
//! records a live session (and retries one from a move), [`replay`] re-runs one against the engine.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engine::{Event, Move, TimedEvent};
use crate::scenario::Outcome;

mod file;
mod recorder;
mod replay;
mod session_id;

pub use file::{
    MAX_TRANSCRIPT_BYTES, ReadReport, TranscriptWriter, parse_transcript, prepare_to_append,
    read_transcript,
};
pub use recorder::{Recorded, Recorder, Retry, RetryError, SessionSetup};
pub use replay::{ReplayError, replay};
pub use session_id::expected_session_id;

/// The format tag on the first line of every transcript.
pub const FORMAT: &str = "rapport-transcript/1";

/// Whether the session ran on a real or a virtual clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClockKind {
    /// A person played in real time.
    Real,
    /// A script or test plan supplied every delay.
    Virtual,
}

/// The first line of a transcript: what was played, by whom, with which seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    /// The session's id: a hash of every other field of the header except the scenario's path,
    /// the nonce included, so no two sessions share one and an edited header no longer matches
    /// it (see [`expected_session_id`]).
    pub session_id: String,
    pub scenario_id: String,
    pub scenario_version: u32,
    /// Hash of the scenario file's content when the session was played.
    pub scenario_hash: String,
    /// Where the scenario file was, when known.
    #[serde(default)]
    pub scenario_path: Option<String>,
    pub seed: u64,
    pub trainee: String,
    /// Wall-clock start, RFC 3339.
    pub started_at: String,
    pub clock: ClockKind,
    /// A random value drawn when the session started, so that two sessions of the same trainee,
    /// scenario, seed and start time still have different ids. Transcripts written before it
    /// existed have none; their ids hash the trainee, scenario, start time, seed and scenario hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// One step of the session: a move (or time passing) and what it caused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Session time of the move, in milliseconds.
    pub at_ms: u64,
    /// The trainee's move; `None` for the opening and for timers that fired while waiting.
    #[serde(rename = "move")]
    pub mv: Option<Move>,
    pub events: Vec<TimedEvent>,
}

impl Turn {
    /// Whether this is a session's opening: no move, at time 0.
    pub fn is_opening(&self) -> bool {
        self.mv.is_none() && self.at_ms == 0
    }
}

/// A whole transcript in memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub header: Header,
    pub turns: Vec<Turn>,
}

impl Transcript {
    /// Every event, in order.
    pub fn events(&self) -> impl Iterator<Item = &TimedEvent> {
        self.turns.iter().flat_map(|t| t.events.iter())
    }

    /// The ending and its outcome, when the session finished.
    pub fn ending(&self) -> Option<(&str, Outcome)> {
        self.events().find_map(|e| match &e.event {
            Event::Ended { ending, outcome } => Some((ending.as_str(), *outcome)),
            _ => None,
        })
    }

    /// The outcome; a session that never ended is `Abandoned`.
    pub fn outcome(&self) -> Outcome {
        self.ending().map_or(Outcome::Abandoned, |(_, o)| o)
    }

    /// Session time of the last event or move.
    pub fn duration_ms(&self) -> u64 {
        let last_event = self.events().map(|e| e.at_ms).max().unwrap_or(0);
        let last_move = self.turns.iter().map(|t| t.at_ms).max().unwrap_or(0);
        last_event.max(last_move)
    }

    /// The transcript as JSON Lines, exactly as the writer stores it.
    pub fn to_jsonl(&self) -> String {
        let mut out = serde_json::to_string(&self.header).unwrap_or_default();
        out.push('\n');
        for turn in &self.turns {
            out.push_str(&serde_json::to_string(turn).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

/// Why a transcript could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error(
        "cannot write transcript `{path}`: {source}; the session is kept in memory — free some space or choose another path with --transcript"
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read transcript `{path}`: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Unreadable(#[from] crate::files::ReadError),
    #[error("`{path}` is empty, not a transcript")]
    Empty { path: PathBuf },
    #[error(
        "`{path}:1` is not a Rapport transcript (expected the header of `{FORMAT}`): {message}"
    )]
    NotATranscript { path: PathBuf, message: String },
    #[error("`{path}:{line}` is corrupt: {message}; every turn before it is intact")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}
