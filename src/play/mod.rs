//! The terminal player: a real-time call in a plain terminal (or from piped input), then the debrief.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::engine::{Event, Move, TimedEvent, TransferKind};
use crate::runner::Examiner;
use crate::scenario::{LoadedScenario, Meter, Meters};
use crate::scoring::{Rubric, Scorecard, render_debrief, score};
use crate::transcript::{
    ClockKind, Recorder, SessionSetup, Transcript, TranscriptError, prepare_to_append,
    read_transcript,
};

/// The longest the player sleeps between clock checks, so the prompt's clock stays honest.
const MAX_WAIT: Duration = Duration::from_millis(500);

/// How a person wants to play.
#[derive(Debug, Clone, Default)]
pub struct PlayOptions {
    pub trainee: String,
    pub seed: Option<u64>,
    pub transcript: Option<PathBuf>,
    pub resume: Option<PathBuf>,
    /// No sound at all.
    pub muted: bool,
    /// Sound volume, 0–1.
    pub volume: f32,
}

/// A finished (or abandoned) call.
#[derive(Debug, Clone)]
pub struct Finished {
    pub transcript: Transcript,
    pub scorecard: Scorecard,
    pub path: Option<PathBuf>,
}

/// What a line the trainee typed means.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Move(Move),
    Help,
    Status,
    /// Something that looks like a command but is not one.
    Unknown(String),
}

/// Parses one typed line: a number picks an option, `/word` is a command, anything else is a reply.
pub fn parse_command(line: &str) -> Command {
    let trimmed = line.trim();
    if let Ok(number) = trimmed.parse::<u32>() {
        return Command::Move(Move::Choose(number));
    }
    let Some(rest) = trimmed.strip_prefix('/') else {
        return Command::Move(Move::Say(line.trim_end_matches(['\r', '\n']).to_owned()));
    };
    let mut words = rest.split_whitespace();
    let word = words.next().unwrap_or("").to_lowercase();
    let arg = words.next().map(str::to_lowercase);
    match (word.as_str(), arg.as_deref()) {
        ("hold", Some(secs)) => match secs.trim_end_matches('s').parse::<u32>() {
            Ok(secs) => Command::Move(Move::Hold(secs)),
            Err(_) => Command::Unknown(format!(
                "`/hold {secs}`: give the hold time in seconds, e.g. `/hold 60`"
            )),
        },
        ("hold", None) => Command::Move(Move::Hold(0)),
        ("unhold" | "back", _) => Command::Move(Move::Unhold),
        ("transfer", Some("warm")) => Command::Move(Move::Transfer(TransferKind::Warm)),
        ("transfer", Some("cold")) => Command::Move(Move::Transfer(TransferKind::Cold)),
        ("transfer", _) => Command::Unknown(
            "say `/transfer warm` (you introduce the case) or `/transfer cold`".to_owned(),
        ),
        ("escalate", _) => Command::Move(Move::Escalate),
        ("end" | "hangup", _) => Command::Move(Move::End),
        ("help" | "?", _) => Command::Help,
        ("status", _) => Command::Status,
        _ => Command::Unknown(format!("`/{word}` is not a command; type /help")),
    }
}

const HELP: &str = "  Type a number to pick an option, or type your reply.\n  Commands: /hold SECS, /unhold, /transfer warm|cold, /escalate, /end, /status, /help";

/// Plays a scenario on a real clock, reading lines from `input` and writing the call to `out`.
pub fn play_terminal<R: Read + Send + 'static, W: Write>(
    loaded: &LoadedScenario,
    kit: &Examiner,
    rubric: &Rubric,
    options: &PlayOptions,
    input: R,
    out: &mut W,
) -> anyhow::Result<Finished> {
    let prepared = kit.prepare(loaded);
    let scenario = Arc::clone(prepared.scenario());
    let (mut recorder, opening, offset_ms, path) = match &options.resume {
        Some(path) => {
            let (transcript, _) = read_transcript(path)?;
            let cut = prepare_to_append(path)?;
            if cut > 0 {
                writeln!(
                    out,
                    "note: the last line of `{}` was cut off mid-write ({cut} bytes, no complete turn); it was removed before resuming, and every complete turn is kept",
                    path.display()
                )?;
            }
            let offset = transcript.duration_ms();
            // Show where the call stood: the last turn's lines and options.
            let last = transcript
                .turns
                .last()
                .map(|t| t.events.clone())
                .unwrap_or_default();
            let recorder = Recorder::resume(transcript, Arc::clone(&prepared), Some(path))?;
            writeln!(out, "Resuming {} at {}.", path.display(), clock(offset))?;
            (recorder, last, offset, Some(path.clone()))
        }
        None => {
            let seed = options.seed.unwrap_or_else(random_seed);
            let path = options.transcript.clone().unwrap_or_else(|| {
                let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
                crate::paths::transcripts_dir().join(format!(
                    "{}-{}-{stamp}.jsonl",
                    crate::scenario::scaffold::slug(&options.trainee),
                    scenario.id
                ))
            });
            let setup = SessionSetup {
                seed,
                trainee: options.trainee.clone(),
                clock: ClockKind::Real,
                started_at: None,
            };
            let (recorder, opening) =
                match Recorder::start(loaded, Arc::clone(&prepared), &setup, Some(&path)) {
                    Ok(started) => started,
                    Err(error) => {
                        writeln!(
                            out,
                            "warning: {error}; playing without a transcript on disk"
                        )?;
                        let (r, o) = Recorder::start(loaded, Arc::clone(&prepared), &setup, None)?;
                        (r, o)
                    }
                };
            (recorder, opening, 0, recorder_path(&path))
        }
    };
    intro(loaded, out)?;
    let name = scenario.persona.name.clone();
    let speaker = Speaker::new(options, loaded);
    speaker.ring();
    print_events(&opening, &name, out)?;
    speaker.react(&opening, loaded.scenario.persona.meters.anger);
    let lines = spawn_reader(input);
    let started = Instant::now();
    let now_ms = || offset_ms + started.elapsed().as_millis() as u64;
    let levels = scenario.service_levels();
    let mut prompt_due = true;
    while recorder.session().outcome().is_none() {
        if prompt_due {
            // What was logged while the last prompt showed comes out now, on its own lines.
            out.flush()?;
            crate::logging::release();
            status_line(
                recorder.session().meters(),
                recorder.session().patience_at(now_ms()),
                out,
            )?;
            write!(
                out,
                "[{} · reply within {} s] > ",
                clock(now_ms()),
                levels.between_replies_secs
            )?;
            out.flush()?;
            crate::logging::hold();
            prompt_due = false;
        }
        let wait = recorder
            .session()
            .next_deadline_ms()
            .map_or(MAX_WAIT, |d| {
                Duration::from_millis(d.saturating_sub(now_ms()))
            })
            .min(MAX_WAIT);
        match lines.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {
                let anger = recorder.session().meters().anger;
                let recorded = recorder.advance(now_ms());
                warn_unsaved(recorded.unsaved.as_ref(), out)?;
                if !recorded.events.is_empty() {
                    speaker.react(recorded.events, anger);
                    writeln!(out)?;
                    print_events(recorded.events, &name, out)?;
                    prompt_due = true;
                }
            }
            Ok(Some(line)) => {
                if line.trim().is_empty() {
                    prompt_due = true;
                    continue;
                }
                prompt_due = true;
                match parse_command(&line) {
                    Command::Help => writeln!(out, "{HELP}")?,
                    Command::Status => {}
                    Command::Unknown(message) => writeln!(out, "  ! {message}")?,
                    Command::Move(mv) => {
                        let anger = recorder.session().meters().anger;
                        match recorder.apply(now_ms(), mv) {
                            // A turn that could not be written is kept in memory and shown.
                            Ok(recorded) => {
                                warn_unsaved(recorded.unsaved.as_ref(), out)?;
                                print_events(recorded.events, &name, out)?;
                                speaker.react(recorded.events, anger);
                            }
                            Err(error) => writeln!(out, "  ! {error}")?,
                        }
                    }
                }
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                writeln!(
                    out,
                    "\n(input ended: the call is left unfinished and scored as abandoned)"
                )?;
                break;
            }
        }
    }
    out.flush()?;
    crate::logging::release();
    let path = recorder.path().map(|p| p.to_path_buf()).or(path);
    let transcript = recorder.finish();
    let scorecard = score(&transcript, &loaded.scenario, rubric);
    let debrief = kit.debrief(&transcript, loaded, rubric);
    writeln!(out, "\n{}", render_debrief(&debrief))?;
    if let Some(path) = &path {
        writeln!(out, "Transcript: {}", path.display())?;
    }
    Ok(Finished {
        transcript,
        scorecard,
        path,
    })
}

/// Reports a failed transcript write: the recorder goes on in memory and the debrief still comes.
fn warn_unsaved<W: Write>(unsaved: Option<&TranscriptError>, out: &mut W) -> anyhow::Result<()> {
    if let Some(error) = unsaved {
        // The error says what was kept and what to do.
        writeln!(out, "  ! warning: {error}")?;
    }
    Ok(())
}

/// Anger at or above each of these marks a moodier band (calm, annoyed, angry, furious).
const MOOD_MARKS: [i32; 3] = [25, 50, 75];

/// The customer's mood band for an anger value, 0 (calm) to 3 (furious).
pub fn mood_band(anger: i32) -> usize {
    MOOD_MARKS.iter().filter(|&&mark| anger >= mark).count()
}

/// How long the player waits for the sound device before the call starts, so that a warning
/// about it comes before the first prompt.
#[cfg(feature = "audio")]
const DEVICE_WAIT: Duration = Duration::from_secs(2);

/// The call's sounds: a ring, hold music, mood cues and voice lines; silent without a device.
struct Speaker {
    #[cfg(feature = "audio")]
    audio: Option<crate::audio::Audio>,
    #[cfg(feature = "audio")]
    assets: Option<PathBuf>,
}

impl Speaker {
    #[cfg_attr(not(feature = "audio"), allow(unused_variables))]
    fn new(options: &PlayOptions, loaded: &LoadedScenario) -> Speaker {
        Speaker {
            #[cfg(feature = "audio")]
            audio: (!options.muted)
                .then(|| crate::audio::Audio::start_waiting(options.volume, false, DEVICE_WAIT)),
            #[cfg(feature = "audio")]
            assets: crate::scenario::validate::find_assets_dir(loaded.dir()),
        }
    }

    fn ring(&self) {
        #[cfg(feature = "audio")]
        if let Some(audio) = &self.audio {
            audio.play(crate::audio::Cue::Ring);
        }
    }

    /// Plays what a batch of events calls for; `anger_before` is the anger before the batch.
    #[cfg_attr(not(feature = "audio"), allow(unused_variables))]
    fn react(&self, events: &[TimedEvent], anger_before: i32) {
        #[cfg(feature = "audio")]
        {
            use crate::audio::Cue;
            let Some(audio) = &self.audio else { return };
            let mut anger = anger_before;
            for timed in events {
                match &timed.event {
                    Event::HoldStarted { .. } => audio.start_hold_music(),
                    Event::HoldEnded { .. } | Event::Ended { .. } => audio.stop_hold_music(),
                    Event::CustomerSaid {
                        audio: Some(file), ..
                    } => {
                        // Only a recording inside the assets directory (see `scenario::assets`).
                        if let Some(dir) = &self.assets
                            && let Ok(path) = crate::scenario::assets::resolve_inside(
                                dir,
                                file,
                                crate::scenario::assets::MAX_ASSET_BYTES,
                            )
                        {
                            audio.play_voice(&path);
                        }
                    }
                    Event::MeterChanged {
                        meter: Meter::Anger,
                        to,
                        ..
                    } => anger = *to,
                    _ => {}
                }
            }
            match mood_band(anger).cmp(&mood_band(anger_before)) {
                std::cmp::Ordering::Greater => audio.play(Cue::MoodDown),
                std::cmp::Ordering::Less => audio.play(Cue::MoodUp),
                std::cmp::Ordering::Equal => {}
            }
        }
    }
}

fn recorder_path(path: &std::path::Path) -> Option<PathBuf> {
    path.exists().then(|| path.to_path_buf())
}

/// Reads lines on a thread so the clock keeps running while the trainee thinks; `None` is end of input.
fn spawn_reader<R: Read + Send + 'static>(input: R) -> mpsc::Receiver<Option<String>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(input);
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = send.send(None);
                    return;
                }
                Ok(_) => {
                    if send.send(Some(line)).is_err() {
                        return;
                    }
                }
            }
        }
    });
    receive
}

fn random_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn intro<W: Write>(loaded: &LoadedScenario, out: &mut W) -> std::io::Result<()> {
    let s = &loaded.scenario;
    let levels = s.service_levels();
    writeln!(
        out,
        "━━ {} ━━  ({} · {})",
        s.title,
        s.channel.label(),
        s.difficulty.label()
    )?;
    writeln!(out, "{}", s.summary)?;
    writeln!(
        out,
        "Customer: {} — {}",
        s.persona.name, s.persona.situation
    )?;
    if !s.policy.facts.is_empty() || !s.policy.commitments.is_empty() {
        writeln!(out, "What you know:")?;
        for fact in &s.policy.facts {
            writeln!(out, "  • {fact}")?;
        }
        for rule in &s.policy.commitments {
            writeln!(out, "  • {}", rule.terms)?;
        }
    }
    writeln!(
        out,
        "Service level: first reply within {} s, then within {} s; target handle time {} s.",
        levels.first_response_secs, levels.between_replies_secs, s.target_handle_secs
    )?;
    writeln!(out, "{HELP}\n")
}

fn status_line<W: Write>(meters: Meters, patience: i32, out: &mut W) -> std::io::Result<()> {
    let shown = Meters { patience, ..meters };
    let parts: Vec<String> = Meter::ALL
        .iter()
        .map(|m| format!("{} {} {:>3}", m.label(), bar(shown.get(*m)), shown.get(*m)))
        .collect();
    writeln!(out, "  {}", parts.join("   "))
}

fn bar(value: i32) -> String {
    let filled = (value.clamp(0, 100) / 10) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

fn clock(ms: u64) -> String {
    let secs = ms / 1000;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// Prints the events a person needs to see.
pub fn print_events<W: Write>(
    events: &[TimedEvent],
    customer: &str,
    out: &mut W,
) -> std::io::Result<()> {
    for timed in events {
        match &timed.event {
            Event::CustomerSaid { text, .. } => writeln!(out, "\n  {customer}: {text}")?,
            Event::OptionsOffered { options } => {
                for option in options {
                    writeln!(out, "    [{}] {}", option.number, option.text)?;
                }
            }
            Event::ReplyInvited { .. } => writeln!(out, "    (type your reply)")?,
            Event::TraineeChose { text, .. } => writeln!(out, "  You: {text}")?,
            Event::HoldStarted { announced_secs } => writeln!(
                out,
                "  (on hold: you said {announced_secs} s; /unhold to come back)"
            )?,
            Event::HoldEnded {
                held_secs,
                announced_secs,
            } => writeln!(
                out,
                "  (off hold after {held_secs} s of {announced_secs} s announced)"
            )?,
            Event::Transferred { kind } => writeln!(
                out,
                "  ({} transfer)",
                if *kind == TransferKind::Warm {
                    "warm"
                } else {
                    "cold"
                }
            )?,
            Event::Escalated => writeln!(out, "  (escalated to a supervisor)")?,
            Event::Ended { outcome, .. } => {
                writeln!(out, "\n  ── call ended: {} ──", outcome.label())?
            }
            _ => {}
        }
    }
    Ok(())
}
