//! A live session that records itself: every turn kept in memory and, given a path, written as it
//! happens; and a session retried from a move of an earlier transcript.

use std::path::Path;
use std::sync::Arc;

use super::replay::{ReplayError, compare, replay};
use super::session_id::{expected_session_id, new_nonce};
use super::{ClockKind, FORMAT, Header, Transcript, TranscriptError, TranscriptWriter, Turn};
use crate::analysis::PreparedScenario;
use crate::engine::{Move, MoveError, Session, TimedEvent};
use crate::scenario::LoadedScenario;

/// A turn as recorded: its events, and whether it reached the disk.
#[derive(Debug)]
pub struct Recorded<'r> {
    /// The turn's events (none when time passed and no timer fired).
    pub events: &'r [TimedEvent],
    /// Why the turn could not be written, if it could not. It is kept in memory (see
    /// [`Recorder::transcript`]) and the recorder stops writing, so play goes on.
    pub unsaved: Option<TranscriptError>,
}

/// A session that records itself: every turn goes into memory and, when a path is given, to disk.
#[derive(Debug)]
pub struct Recorder {
    session: Session,
    transcript: Transcript,
    writer: Option<TranscriptWriter>,
}

/// Who plays what, with which seed and clock.
#[derive(Debug, Clone)]
pub struct SessionSetup {
    pub seed: u64,
    pub trainee: String,
    pub clock: ClockKind,
    /// Wall-clock start, RFC 3339; `None` uses the current time (in whole seconds).
    pub started_at: Option<String>,
}

impl Recorder {
    /// Starts a session and its transcript (written to `path` when given).
    pub fn start(
        loaded: &LoadedScenario,
        prepared: Arc<PreparedScenario>,
        setup: &SessionSetup,
        path: Option<&Path>,
    ) -> Result<(Recorder, Vec<TimedEvent>), TranscriptError> {
        let scenario = prepared.scenario();
        let started_at = setup.started_at.clone().unwrap_or_else(current_start_time);
        let mut header = Header {
            format: FORMAT.to_owned(),
            session_id: String::new(),
            scenario_id: scenario.id.clone(),
            scenario_version: scenario.version,
            scenario_hash: loaded.content_hash().to_owned(),
            scenario_path: Some(loaded.source.path.to_string_lossy().into_owned()),
            seed: setup.seed,
            trainee: setup.trainee.clone(),
            started_at,
            clock: setup.clock,
            nonce: Some(new_nonce()),
        };
        header.session_id = expected_session_id(&header);
        let writer = path
            .map(|p| TranscriptWriter::create(p, &header))
            .transpose()?;
        let (session, events) = Session::start(Arc::clone(&prepared), setup.seed);
        let mut recorder = Recorder {
            session,
            transcript: Transcript {
                header,
                turns: Vec::new(),
            },
            writer,
        };
        if let Some(error) = recorder.record(0, None, events.clone()).unsaved {
            return Err(error);
        }
        Ok((recorder, events))
    }

    /// Resumes an interrupted transcript: replays its turns, then appends new ones to the same file.
    pub fn resume(
        transcript: Transcript,
        prepared: Arc<PreparedScenario>,
        path: Option<&Path>,
    ) -> Result<Recorder, ReplayError> {
        let session = replay(&transcript, prepared)?;
        let writer = path
            .map(TranscriptWriter::append_to)
            .transpose()
            .map_err(ReplayError::Transcript)?;
        Ok(Recorder {
            session,
            transcript,
            writer,
        })
    }

    /// The live session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Everything recorded so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Where the transcript is being written, if anywhere.
    pub fn path(&self) -> Option<&Path> {
        self.writer.as_ref().map(TranscriptWriter::path)
    }

    /// Applies and records a move. A refused move records nothing.
    pub fn apply(&mut self, at_ms: u64, mv: Move) -> Result<Recorded<'_>, MoveError> {
        let events = self.session.apply(at_ms, &mv)?;
        Ok(self.record(at_ms, Some(mv), events))
    }

    /// Lets time pass; records a turn only when a timer fired.
    pub fn advance(&mut self, at_ms: u64) -> Recorded<'_> {
        let events = self.session.advance(at_ms);
        if events.is_empty() {
            return Recorded {
                events: &[],
                unsaved: None,
            };
        }
        self.record(at_ms, None, events)
    }

    /// Writes everything recorded so far to a new file at `path`, and every later turn after it.
    /// For a recorder that started without a file, once what it replayed is known to be wanted.
    pub fn write_to(&mut self, path: &Path) -> Result<(), TranscriptError> {
        let mut writer = TranscriptWriter::create(path, &self.transcript.header)?;
        for turn in &self.transcript.turns {
            writer.append(turn)?;
        }
        self.writer = Some(writer);
        Ok(())
    }

    /// Ends the recording and hands back the transcript.
    pub fn finish(self) -> Transcript {
        self.transcript
    }

    /// Keeps a turn in memory, then writes it; after a failed write the recorder stops writing.
    fn record(&mut self, at_ms: u64, mv: Option<Move>, events: Vec<TimedEvent>) -> Recorded<'_> {
        let turn = Turn { at_ms, mv, events };
        let unsaved = self
            .writer
            .as_mut()
            .and_then(|writer| writer.append(&turn).err());
        if unsaved.is_some() {
            self.writer = None;
        }
        self.transcript.turns.push(turn);
        let events = self
            .transcript
            .turns
            .last()
            .map_or(&[][..], |turn| turn.events.as_slice());
        Recorded { events, unsaved }
    }
}

/// What a session retried from a move starts with (see [`Recorder::start_from`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// Every event of the replayed turns, in order, the opening first: what the trainee sees
    /// again before taking over.
    pub events: Vec<TimedEvent>,
    /// Session time of the last replayed turn, where the trainee takes over.
    pub resume_at_ms: u64,
    /// How many of the original transcript's turns were replayed, the opening included.
    pub turns_replayed: usize,
}

/// Why a session could not be retried from a transcript's move.
#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error(
        "the transcript is of scenario `{transcript}`, not `{scenario}`; retry it with its own scenario"
    )]
    OtherScenario {
        transcript: String,
        scenario: String,
    },
    #[error(
        "cannot replay {asked} trainee moves: the transcript has only {recorded}; retry from an earlier move"
    )]
    TooFewMoves { asked: usize, recorded: usize },
    #[error(
        "replaying the first {moves} trainee moves of `{scenario}` parted from the transcript{}",
        if *scenario_changed { " (the scenario file has changed since it was played)" } else { "" }
    )]
    Diverged {
        scenario: String,
        moves: usize,
        scenario_changed: bool,
        #[source]
        source: ReplayError,
    },
    #[error(
        "the call ended within the first {moves} trainee moves, so nothing is left to play; retry from an earlier move"
    )]
    EndedInReplay { moves: usize },
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
}

impl Recorder {
    /// Starts a new recorded session of the same scenario, seed and trainee as `original`, and
    /// replays the original up to and including its `moves`-th trainee move (the opening and any
    /// timers that fired before that move too), checking every replayed turn gives exactly the
    /// events it gave then. The trainee plays on from there; the new transcript (written to
    /// `path` when given, once the replay has succeeded) holds the replayed turns and what follows.
    ///
    /// `moves == 0` replays only the opening.
    pub fn start_from(
        loaded: &LoadedScenario,
        prepared: Arc<PreparedScenario>,
        original: &Transcript,
        moves: usize,
        clock: ClockKind,
        path: Option<&Path>,
    ) -> Result<(Recorder, Retry), RetryError> {
        let scenario = Arc::clone(prepared.scenario());
        if original.header.scenario_id != scenario.id {
            return Err(RetryError::OtherScenario {
                transcript: original.header.scenario_id.clone(),
                scenario: scenario.id.clone(),
            });
        }
        let move_turns: Vec<usize> = original
            .turns
            .iter()
            .enumerate()
            .filter(|(_, turn)| turn.mv.is_some())
            .map(|(index, _)| index)
            .collect();
        let replayed_turns = match moves.checked_sub(1) {
            None => usize::from(original.turns.first().is_some_and(Turn::is_opening)),
            Some(last) => match move_turns.get(last) {
                Some(index) => index + 1,
                None => {
                    return Err(RetryError::TooFewMoves {
                        asked: moves,
                        recorded: move_turns.len(),
                    });
                }
            },
        };
        let diverged = |source| RetryError::Diverged {
            scenario: scenario.id.clone(),
            moves,
            scenario_changed: original.header.scenario_hash != loaded.content_hash(),
            source,
        };
        let setup = SessionSetup {
            seed: original.header.seed,
            trainee: original.header.trainee.clone(),
            clock,
            started_at: None,
        };
        let (mut recorder, opening) = Recorder::start(loaded, prepared, &setup, None)?;
        let mut events = opening;
        let mut turns = original.turns[..replayed_turns].iter().enumerate();
        if let Some(opening) = original.turns.first().filter(|t| t.is_opening()) {
            compare(0, opening, &events).map_err(diverged)?;
            turns.next();
        }
        let mut resume_at_ms = 0;
        for (index, turn) in turns {
            // Nothing is written during the replay: the recorder has no file yet.
            let new = match &turn.mv {
                Some(mv) => recorder.apply(turn.at_ms, mv.clone()).map_err(|source| {
                    diverged(ReplayError::Refused {
                        turn: index,
                        at_ms: turn.at_ms,
                        mv: mv.describe(),
                        source,
                    })
                })?,
                None => recorder.advance(turn.at_ms),
            };
            compare(index, turn, new.events).map_err(diverged)?;
            events.extend_from_slice(new.events);
            resume_at_ms = turn.at_ms;
        }
        if recorder.session.outcome().is_some() {
            return Err(RetryError::EndedInReplay { moves });
        }
        if let Some(path) = path {
            recorder.write_to(path)?;
        }
        Ok((
            recorder,
            Retry {
                events,
                resume_at_ms,
                turns_replayed: replayed_turns,
            },
        ))
    }
}

/// The current time as a session's start: RFC 3339 in whole seconds (reports and filters count
/// seconds, and nanoseconds in a header only clutter what a QA lead reads).
fn current_start_time() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}
