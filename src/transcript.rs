//! Transcripts: everything that happened in a session, written durably turn by turn, and replayed.

use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::Analyser;
use crate::engine::{Event, Move, MoveError, Session, TimedEvent};
use crate::scenario::{LoadedScenario, Outcome, Scenario};

mod session_id;

pub use session_id::expected_session_id;
use session_id::new_nonce;

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

/// Writes a transcript as the session goes: one JSON line per turn, synced to disk.
#[derive(Debug)]
pub struct TranscriptWriter {
    file: File,
    path: PathBuf,
}

impl TranscriptWriter {
    /// Creates the file (and its directory) and writes the header.
    pub fn create(path: &Path, header: &Header) -> Result<Self, TranscriptError> {
        let fail = |source| TranscriptError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(path)
            .map_err(fail)?;
        let mut writer = TranscriptWriter {
            file,
            path: path.to_path_buf(),
        };
        writer.write_line(&serde_json::to_string(header).unwrap_or_default())?;
        Ok(writer)
    }

    /// Opens an existing transcript to append to (resuming a session).
    pub fn append_to(path: &Path) -> Result<Self, TranscriptError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| TranscriptError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(TranscriptWriter {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends one turn and syncs it, so a killed process loses no completed turn.
    pub fn append(&mut self, turn: &Turn) -> Result<(), TranscriptError> {
        self.write_line(&serde_json::to_string(turn).unwrap_or_default())
    }

    /// Where the transcript is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_line(&mut self, line: &str) -> Result<(), TranscriptError> {
        let fail = |source| TranscriptError::Write {
            path: self.path.clone(),
            source,
        };
        let mut buffer = Vec::with_capacity(line.len() + 1);
        buffer.extend_from_slice(line.as_bytes());
        buffer.push(b'\n');
        self.file.write_all(&buffer).map_err(fail)?;
        self.file.sync_data().map_err(fail)
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

/// Makes a transcript ready to append to (resuming a session): a last line cut off mid-write is
/// cut away, since it holds no complete turn and new turns written after it would make the file
/// unreadable; a last line that lacks only its newline gets one. Returns how many bytes of a
/// partial line were cut (0 when the file ended cleanly).
pub fn prepare_to_append(path: &Path) -> Result<usize, TranscriptError> {
    let fail = |source| TranscriptError::Write {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(|source| TranscriptError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(0);
    }
    let tail_start = bytes
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |newline| newline + 1);
    let tail = &bytes[tail_start..];
    let mut file = OpenOptions::new().write(true).open(path).map_err(fail)?;
    let complete = if tail_start == 0 {
        serde_json::from_slice::<Header>(tail).is_ok()
    } else {
        serde_json::from_slice::<Turn>(tail).is_ok()
    };
    if complete {
        file.seek(std::io::SeekFrom::End(0)).map_err(fail)?;
        file.write_all(b"\n").map_err(fail)?;
        file.sync_data().map_err(fail)?;
        return Ok(0);
    }
    file.set_len(tail_start as u64).map_err(fail)?;
    file.sync_data().map_err(fail)?;
    Ok(tail.len())
}

/// What reading a transcript found besides the turns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// The last line was cut off mid-write (a killed process) and was left out.
    pub truncated_tail: bool,
}

/// The largest transcript read: far above any session (a turn is a few kilobytes, a reply at
/// most 4,000 characters), and a bound on what a file named as a transcript can make us hold.
pub const MAX_TRANSCRIPT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a transcript; a final line cut off mid-write is dropped and reported, not an error.
/// Only a regular file of at most [`MAX_TRANSCRIPT_BYTES`] is read.
pub fn read_transcript(path: &Path) -> Result<(Transcript, ReadReport), TranscriptError> {
    let bytes = crate::files::read_bounded(path, MAX_TRANSCRIPT_BYTES)?;
    let ended_cleanly = bytes.is_empty() || bytes.ends_with(b"\n");
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let lines: Vec<Vec<u8>> = if bytes.is_empty() {
        Vec::new()
    } else {
        body.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
    };
    parse_lines(path, &lines, ended_cleanly)
}

/// Parses a transcript held in memory (imports, tests).
pub fn parse_transcript(
    name: &Path,
    text: &str,
) -> Result<(Transcript, ReadReport), TranscriptError> {
    let lines: Vec<Vec<u8>> = text.split('\n').map(|l| l.as_bytes().to_vec()).collect();
    let lines = if text.ends_with('\n') {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    parse_lines(name, lines, text.ends_with('\n'))
}

fn parse_lines(
    path: &Path,
    lines: &[Vec<u8>],
    ended_cleanly: bool,
) -> Result<(Transcript, ReadReport), TranscriptError> {
    let Some(first) = lines
        .first()
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
    else {
        return Err(TranscriptError::Empty {
            path: path.to_path_buf(),
        });
    };
    let header: Header =
        serde_json::from_slice(first).map_err(|e| TranscriptError::NotATranscript {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    if header.format != FORMAT {
        return Err(TranscriptError::NotATranscript {
            path: path.to_path_buf(),
            message: format!("format `{}`", header.format),
        });
    }
    let mut report = ReadReport::default();
    let mut turns = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(1) {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Turn>(line) {
            Ok(turn) => turns.push(turn),
            Err(_) if index + 1 == lines.len() && !ended_cleanly => report.truncated_tail = true,
            Err(e) => {
                return Err(TranscriptError::Corrupt {
                    path: path.to_path_buf(),
                    line: index + 1,
                    message: e.to_string(),
                });
            }
        }
    }
    Ok((Transcript { header, turns }, report))
}

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
        scenario: Arc<Scenario>,
        analyser: Arc<Analyser>,
        setup: &SessionSetup,
        path: Option<&Path>,
    ) -> Result<(Recorder, Vec<TimedEvent>), TranscriptError> {
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
        let (session, events) = Session::start(scenario, analyser, setup.seed);
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
        scenario: Arc<Scenario>,
        analyser: Arc<Analyser>,
        path: Option<&Path>,
    ) -> Result<Recorder, ReplayError> {
        let session = replay_session(&transcript, scenario, analyser)?;
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
        scenario: Arc<Scenario>,
        analyser: Arc<Analyser>,
        original: &Transcript,
        moves: usize,
        clock: ClockKind,
        path: Option<&Path>,
    ) -> Result<(Recorder, Retry), RetryError> {
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
            None => usize::from(original.turns.first().is_some_and(is_opening)),
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
        let (mut recorder, opening) =
            Recorder::start(loaded, Arc::clone(&scenario), analyser, &setup, None)?;
        let mut events = opening;
        let mut turns = original.turns[..replayed_turns].iter().enumerate();
        if let Some(opening) = original.turns.first().filter(|t| is_opening(t)) {
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
            let mut writer = TranscriptWriter::create(path, &recorder.transcript.header)?;
            for turn in &recorder.transcript.turns {
                writer.append(turn)?;
            }
            recorder.writer = Some(writer);
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

/// Whether a turn is a session's opening (no move, at time 0).
fn is_opening(turn: &Turn) -> bool {
    turn.mv.is_none() && turn.at_ms == 0
}

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
    scenario: Arc<Scenario>,
    analyser: Arc<Analyser>,
) -> Result<Session, ReplayError> {
    replay_session(transcript, scenario, analyser)
}

fn replay_session(
    transcript: &Transcript,
    scenario: Arc<Scenario>,
    analyser: Arc<Analyser>,
) -> Result<Session, ReplayError> {
    let (mut session, opening) = Session::start(scenario, analyser, transcript.header.seed);
    let mut turns = transcript.turns.iter().enumerate();
    if let Some((index, first)) = turns.next() {
        if first.mv.is_none() && first.at_ms == 0 {
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

fn compare(index: usize, turn: &Turn, actual: &[TimedEvent]) -> Result<(), ReplayError> {
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

#[cfg(test)]
mod tests {
    use super::{ClockKind, FORMAT, Header, prepare_to_append};

    fn header() -> Header {
        Header {
            format: FORMAT.to_owned(),
            session_id: "0".repeat(32),
            scenario_id: "late-delivery".to_owned(),
            scenario_version: 1,
            scenario_hash: "0123abcd".to_owned(),
            scenario_path: None,
            seed: 42,
            trainee: "ana".to_owned(),
            started_at: "2026-12-02T00:00:00Z".to_owned(),
            clock: ClockKind::Virtual,
            nonce: Some("00".repeat(16)),
        }
    }

    #[test]
    fn a_resume_cuts_a_partial_last_line_and_ends_a_complete_one() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("t.jsonl");
        let header = serde_json::to_string(&header()).expect("json");
        let turn = r#"{"at_ms":0,"move":null,"events":[]}"#;
        std::fs::write(&path, format!("{header}\n{turn}\n{{\"at_ms\":12")).expect("write");
        assert_eq!(
            prepare_to_append(&path).expect("cut"),
            r#"{"at_ms":12"#.len()
        );
        let cut = std::fs::read_to_string(&path).expect("read");
        assert_eq!(cut, format!("{header}\n{turn}\n"));
        assert_eq!(
            prepare_to_append(&path).expect("clean"),
            0,
            "nothing more to cut"
        );
        std::fs::write(&path, format!("{header}\n{turn}")).expect("write");
        assert_eq!(prepare_to_append(&path).expect("newline"), 0);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            format!("{header}\n{turn}\n"),
            "a complete line only lacking its newline is kept and ended"
        );
    }
}
