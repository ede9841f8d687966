//! Replay: a transcript's moves run through the engine again, every event checked against the
//! record.

use std::sync::Arc;

use super::{Transcript, TranscriptError, Turn};
use crate::analysis::PreparedScenario;
use crate::engine::{MoveError, Session, TimedEvent};

/// Why a replay could not run, or where it parted from the record.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("turn {turn} (at {at_ms} ms): the engine refused the recorded move `{mv}`: {source}")]
    Refused {
        turn: usize,
        at_ms: u64,
        mv: String,
        #[source]
        source: MoveError,
    },
    #[error(
        "turn {turn} (at {at_ms} ms) diverges: the transcript has {expected} but the engine now gives {actual}"
    )]
    Diverged {
        turn: usize,
        at_ms: u64,
        expected: String,
        actual: String,
    },
    #[error(transparent)]
    Transcript(TranscriptError),
}

/// Re-runs a transcript's moves and checks the engine reproduces every event exactly.
pub fn replay(
    transcript: &Transcript,
    prepared: Arc<PreparedScenario>,
) -> Result<Session, ReplayError> {
    let (mut session, opening) = Session::start(prepared, transcript.header.seed);
    let mut turns = transcript.turns.iter().enumerate();
    if let Some((index, first)) = turns.next() {
        if first.is_opening() {
            compare(index, first, &opening)?;
        } else {
            replay_turn(&mut session, index, first)?;
        }
    }
    for (index, turn) in turns {
        replay_turn(&mut session, index, turn)?;
    }
    Ok(session)
}

fn replay_turn(session: &mut Session, index: usize, turn: &Turn) -> Result<(), ReplayError> {
    let events = match &turn.mv {
        None => session.advance(turn.at_ms),
        Some(mv) => session
            .apply(turn.at_ms, mv)
            .map_err(|source| ReplayError::Refused {
                turn: index,
                at_ms: turn.at_ms,
                mv: mv.describe(),
                source,
            })?,
    };
    compare(index, turn, &events)
}

/// Whether a turn's recorded events are the ones the engine gave now; where they part, if not.
pub(super) fn compare(index: usize, turn: &Turn, actual: &[TimedEvent]) -> Result<(), ReplayError> {
    if turn.events == actual {
        return Ok(());
    }
    let position = turn
        .events
        .iter()
        .zip(actual.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(turn.events.len().min(actual.len()));
    let describe =
        |e: Option<&TimedEvent>| e.map_or("nothing".to_owned(), |e| format!("{:?}", e.event));
    Err(ReplayError::Diverged {
        turn: index,
        at_ms: turn.at_ms,
        expected: describe(turn.events.get(position)),
        actual: describe(actual.get(position)),
    })
}
