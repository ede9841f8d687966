//! Carrying a call in progress over to a new version of its scenario: the trainee's moves are
//! played again, at their times, on the new version, up to the beat the call stood on; or the
//! reason they cannot be is given, so the call goes on with the version it had.
//!
//! Unlike a retry from a turn (`Recorder::start_from`), the replay does not ask for the same
//! events: the new version may word its lines differently. It asks for the same moves to be
//! possible and to lead to the same beat.

use std::path::Path;
use std::sync::Arc;

use crate::analysis::PreparedScenario;
use crate::engine::{MoveError, TimedEvent};
use crate::scenario::LoadedScenario;
use crate::transcript::{Recorder, SessionSetup, Transcript, TranscriptError, Turn};

/// A call carried over: the new recorder and what the trainee sees again.
#[derive(Debug)]
pub struct CarriedCall {
    /// The session on the new version, recording from the opening.
    pub recorder: Recorder,
    /// Every event of the replayed call, the opening first.
    pub events: Vec<TimedEvent>,
    /// How many of the trainee's moves were replayed.
    pub moves: usize,
    /// Why the carried call could not be written to its file, if it could not (it is kept in
    /// memory, as a recorder that failed to write keeps its turns).
    pub unsaved: Option<TranscriptError>,
}

/// Why a call cannot be carried over to a new version of its scenario.
#[derive(Debug, thiserror::Error)]
pub enum CarryError {
    #[error("the beat `{beat}` the call stood on is no longer in the scenario")]
    BeatGone { beat: String },
    #[error("your move {number} (`{mv}`) cannot be made in the new version: {source}")]
    MoveRefused {
        number: usize,
        mv: String,
        #[source]
        source: MoveError,
    },
    #[error(
        "in the new version your moves lead to the beat `{now}`, not `{was}` where the call stood"
    )]
    Elsewhere { was: String, now: String },
    #[error("in the new version the call ends within your {moves} move(s)")]
    Ended { moves: usize },
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
}

/// Replays the call recorded in `played` (which stood on the beat `stood_on` at session time
/// `now_ms`) on the new version `loaded`, with the same seed and trainee; the carried call is
/// written to `path` when given. The replay is made in memory, and written only once it has
/// carried over, so a call that cannot be carried over leaves no file behind.
pub fn carry_over(
    played: &Transcript,
    stood_on: &str,
    now_ms: u64,
    loaded: &LoadedScenario,
    prepared: &Arc<PreparedScenario>,
    path: Option<&Path>,
) -> Result<CarriedCall, CarryError> {
    if !loaded.scenario.beats.iter().any(|beat| beat.id == stood_on) {
        return Err(CarryError::BeatGone {
            beat: stood_on.to_owned(),
        });
    }
    let mut carried = replay(played, stood_on, now_ms, loaded, prepared)?;
    if let Some(path) = path {
        carried.unsaved = carried.recorder.write_to(path).err();
    }
    Ok(carried)
}

/// Replays the played moves on the new version, in memory.
fn replay(
    played: &Transcript,
    stood_on: &str,
    now_ms: u64,
    loaded: &LoadedScenario,
    prepared: &Arc<PreparedScenario>,
) -> Result<CarriedCall, CarryError> {
    let setup = SessionSetup {
        seed: played.header.seed,
        trainee: played.header.trainee.clone(),
        clock: played.header.clock,
        started_at: None,
    };
    let (mut recorder, mut events) = Recorder::start(loaded, Arc::clone(prepared), &setup, None)?;
    let mut moves = 0;
    let turns = played.turns.iter().skip(usize::from(
        played.turns.first().is_some_and(Turn::is_opening),
    ));
    for turn in turns {
        let recorded = match &turn.mv {
            Some(mv) => {
                moves += 1;
                recorder.apply(turn.at_ms, mv.clone()).map_err(|source| {
                    CarryError::MoveRefused {
                        number: moves,
                        mv: mv.describe(),
                        source,
                    }
                })?
            }
            None => recorder.advance(turn.at_ms),
        };
        events.extend_from_slice(recorded.events);
        if recorder.session().outcome().is_some() {
            return Err(CarryError::Ended { moves });
        }
    }
    // Timers of the new version that fall between the last turn and now.
    events.extend_from_slice(recorder.advance(now_ms).events);
    match recorder.session().current_beat() {
        Some(beat) if beat.id == stood_on => Ok(CarriedCall {
            recorder,
            events,
            moves,
            unsaved: None,
        }),
        Some(beat) => Err(CarryError::Elsewhere {
            was: stood_on.to_owned(),
            now: beat.id.to_string(),
        }),
        None => Err(CarryError::Ended { moves }),
    }
}
