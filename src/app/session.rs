//! The bridge to the core: runs a recorded session on the real clock, turns the engine's events
//! into Bevy messages and the trainee's moves into engine moves, and scores and stores the call.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;

use super::library::{Library, Trainee, results_db, with_causes};
use super::{AppSystems, Screen};
use crate::engine::{Move, Session, TimedEvent};
use crate::runner::Toolkit;
use crate::scenario::{LoadedScenario, Scenario};
use crate::scoring::{Debrief, Rubric};
use crate::store::Store;
use crate::transcript::{ClockKind, PlayError, Recorder, SessionSetup, Transcript};

/// How long the last line of a finished call stays on screen before the debrief opens.
const LINGER_AFTER_END: Duration = Duration::from_millis(2500);

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(Kit(Toolkit::shipped()));
    app.add_message::<CallEvent>();
    app.add_message::<TraineeMove>();
    app.add_message::<MoveRefused>();
    app.add_systems(OnEnter(Screen::Call), start_call);
    app.add_systems(
        Update,
        (apply_moves, run_clock, finish_call)
            .chain()
            .in_set(AppSystems::Drive)
            .run_if(in_state(Screen::Call).and_then(resource_exists::<LiveCall>)),
    );
}

/// The shipped analysers and rubric.
#[derive(Resource, Debug, Clone)]
pub(super) struct Kit(pub Toolkit);

/// Something the engine reported, in order, for every view and for the sound.
#[derive(Message, Debug, Clone, PartialEq)]
pub(super) struct CallEvent {
    pub timed: TimedEvent,
    /// Replayed while retrying from a turn: shown, but not announced with sound.
    pub replayed: bool,
}

/// A move the trainee made (from a key, a button or the scripted driver).
#[derive(Message, Debug, Clone, PartialEq)]
pub(super) struct TraineeMove(pub Move);

/// A move the engine refused, in words for the trainee.
#[derive(Message, Debug, Clone, PartialEq)]
pub(super) struct MoveRefused(pub String);

/// What the next call should be: a scenario, a seed, and optionally a turn to retry from.
#[derive(Resource, Debug, Clone)]
pub(super) struct CallRequest {
    pub loaded: LoadedScenario,
    pub seed: u64,
    /// Replay this transcript's first `turns` turns, then hand over to the trainee.
    pub retry: Option<(Transcript, usize)>,
}

/// The call in progress.
#[derive(Resource, Debug)]
pub(super) struct LiveCall {
    pub loaded: LoadedScenario,
    pub scenario: Arc<Scenario>,
    pub rubric: Arc<Rubric>,
    pub seed: u64,
    recorder: Option<Recorder>,
    /// Real time (since the app started) at which session time 0 was.
    zero: Duration,
    ended_at: Option<Duration>,
}

impl LiveCall {
    /// The live engine session.
    pub fn session(&self) -> Option<&Session> {
        self.recorder.as_ref().map(Recorder::session)
    }

    /// Session time now, in milliseconds.
    pub fn now_ms(&self, time: &Time<Real>) -> u64 {
        time.elapsed().saturating_sub(self.zero).as_millis() as u64
    }
}

/// A finished call, for the debrief screen.
#[derive(Resource, Debug, Clone)]
pub(super) struct FinishedCall {
    pub loaded: LoadedScenario,
    pub transcript: Transcript,
    pub debrief: Debrief,
    pub seed: u64,
}

/// Starts the requested call: the recorder, the opening lines, and any replayed turns.
fn start_call(
    mut commands: Commands,
    request: Option<Res<CallRequest>>,
    library: Res<Library>,
    kit: Res<Kit>,
    trainee: Res<Trainee>,
    time: Res<Time<Real>>,
    mut events: MessageWriter<CallEvent>,
) {
    let request = match request {
        Some(request) => request.clone(),
        None => match library.scenarios.first() {
            Some(loaded) => CallRequest {
                loaded: loaded.clone(),
                seed: random_seed(),
                retry: None,
            },
            None => return,
        },
    };
    let rubric = kit
        .0
        .rubric_for(&request.loaded)
        .unwrap_or_else(|diagnostic| {
            warn!(
                "the scenario's rubric does not load ({}); scoring with the shipped rubric",
                diagnostic.message
            );
            Arc::clone(&kit.0.rubric)
        });
    let scenario = Arc::new(request.loaded.scenario.clone());
    let setup = SessionSetup {
        seed: request.seed,
        trainee: trainee.0.clone(),
        clock: ClockKind::Real,
        started_at: None,
    };
    let path = transcript_path(&trainee.0, &scenario.id);
    let started = Recorder::start(
        &request.loaded,
        Arc::clone(&scenario),
        Arc::clone(&kit.0.analyser),
        &setup,
        Some(&path),
    )
    .or_else(|error| {
        warn!("{error}");
        Recorder::start(
            &request.loaded,
            Arc::clone(&scenario),
            Arc::clone(&kit.0.analyser),
            &setup,
            None,
        )
    });
    let (mut recorder, opening) = match started {
        Ok(started) => started,
        Err(error) => {
            error!("cannot start the call: {error}");
            return;
        }
    };
    let replaying = request.retry.is_some();
    events.write_batch(opening.into_iter().map(|timed| CallEvent {
        timed,
        replayed: replaying,
    }));
    let mut resume_at_ms = 0;
    if let Some((transcript, turns)) = &request.retry {
        for turn in transcript.turns.iter().take(*turns).skip(1) {
            let replayed = match &turn.mv {
                Some(mv) => recorder
                    .apply(turn.at_ms, mv.clone())
                    .map_err(|e| e.to_string()),
                None => recorder.advance(turn.at_ms).map_err(|e| e.to_string()),
            };
            match replayed {
                Ok(new) => {
                    events.write_batch(new.into_iter().map(|timed| CallEvent {
                        timed,
                        replayed: true,
                    }));
                }
                Err(error) => {
                    warn!("retry stopped replaying at {} ms: {error}", turn.at_ms);
                    break;
                }
            }
            resume_at_ms = turn.at_ms;
        }
    }
    commands.insert_resource(LiveCall {
        loaded: request.loaded,
        scenario,
        rubric,
        seed: request.seed,
        recorder: Some(recorder),
        zero: time
            .elapsed()
            .saturating_sub(Duration::from_millis(resume_at_ms)),
        ended_at: None,
    });
}

/// Where a new call's transcript is written.
fn transcript_path(trainee: &str, scenario: &str) -> PathBuf {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    crate::paths::transcripts_dir().join(format!(
        "{}-{scenario}-{stamp}.jsonl",
        crate::scenario::scaffold::slug(trainee)
    ))
}

/// A seed from the clock, so every call plays a little differently.
fn random_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Applies the trainee's moves at the current session time.
fn apply_moves(
    mut moves: MessageReader<TraineeMove>,
    mut call: ResMut<LiveCall>,
    time: Res<Time<Real>>,
    mut events: MessageWriter<CallEvent>,
    mut refused: MessageWriter<MoveRefused>,
) {
    let now = call.now_ms(&time);
    for TraineeMove(mv) in moves.read() {
        let Some(recorder) = call.recorder.as_mut() else {
            continue;
        };
        match recorder.apply(now, mv.clone()) {
            Ok(new) => {
                events.write_batch(new.into_iter().map(|timed| CallEvent {
                    timed,
                    replayed: false,
                }));
            }
            Err(PlayError::Move(error)) => {
                refused.write(MoveRefused(error.to_string()));
            }
            Err(PlayError::Transcript(error)) => {
                warn!("{error}");
                recorder.detach_writer();
            }
        }
    }
}

/// Lets session time pass so silence and timeout timers fire.
fn run_clock(
    mut call: ResMut<LiveCall>,
    time: Res<Time<Real>>,
    mut events: MessageWriter<CallEvent>,
) {
    let now = call.now_ms(&time);
    let Some(recorder) = call.recorder.as_mut() else {
        return;
    };
    if recorder.session().outcome().is_some() {
        return;
    }
    match recorder.advance(now) {
        Ok(new) => {
            events.write_batch(new.into_iter().map(|timed| CallEvent {
                timed,
                replayed: false,
            }));
        }
        Err(error) => {
            warn!("{error}");
            recorder.detach_writer();
        }
    }
}

/// Once the call is over and its last line has been read: score, store, open the debrief.
fn finish_call(
    mut commands: Commands,
    mut call: ResMut<LiveCall>,
    time: Res<Time<Real>>,
    kit: Res<Kit>,
    mut library: ResMut<Library>,
    mut next: ResMut<NextState<Screen>>,
) {
    let over = call.session().is_some_and(|s| s.outcome().is_some());
    if !over {
        return;
    }
    let now = time.elapsed();
    let ended_at = *call.ended_at.get_or_insert(now);
    if now.saturating_sub(ended_at) < LINGER_AFTER_END {
        return;
    }
    let Some(recorder) = call.recorder.take() else {
        return;
    };
    let transcript = recorder.finish();
    let debrief = kit.0.debrief(&transcript, &call.loaded, &call.rubric);
    store_session(&transcript, &debrief);
    let best = library
        .best
        .entry(call.scenario.id.clone())
        .or_insert(debrief.scorecard.overall);
    *best = best.max(debrief.scorecard.overall);
    commands.insert_resource(FinishedCall {
        loaded: call.loaded.clone(),
        transcript,
        debrief,
        seed: call.seed,
    });
    commands.remove_resource::<LiveCall>();
    next.set(Screen::Debrief);
}

/// Keeps the finished session in the results database; a failure is a warning, never a crash.
fn store_session(transcript: &Transcript, debrief: &Debrief) {
    let saved = Store::open(Some(&results_db()))
        .and_then(|mut store| store.save_session(transcript, &debrief.scorecard));
    if let Err(error) = saved {
        warn!(
            "the session was not stored in the results database: {}; the transcript is kept on disk",
            with_causes(&error)
        );
    }
}

/// Leaves the call unfinished (the trainee went back to the library); it is scored as abandoned.
pub(super) fn abandon_call(commands: &mut Commands) {
    commands.remove_resource::<LiveCall>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::headless_app;
    use crate::engine::{Event, Move};

    fn collected(app: &mut App) -> Vec<CallEvent> {
        app.world_mut()
            .resource_mut::<Messages<CallEvent>>()
            .drain()
            .collect()
    }

    fn start_first_scenario(app: &mut App) {
        app.update();
        let loaded = app.world().resource::<Library>().scenarios[0].clone();
        app.insert_resource(CallRequest {
            loaded,
            seed: 7,
            retry: None,
        });
        app.world_mut()
            .resource_mut::<NextState<Screen>>()
            .set(Screen::Call);
        app.update();
    }

    #[test]
    fn a_call_opens_with_the_customer_speaking() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        // SAFETY of the test: RAPPORT_HOME only redirects where transcripts go.
        unsafe { std::env::set_var(crate::paths::HOME_ENV, dir.path()) };
        let mut app = headless_app(Duration::from_millis(100));
        start_first_scenario(&mut app);
        let events = collected(&mut app);
        assert!(
            events
                .iter()
                .any(|e| matches!(e.timed.event, Event::CustomerSaid { .. })),
            "{events:?}"
        );
        assert!(app.world().contains_resource::<LiveCall>());
    }

    #[test]
    fn a_chosen_option_reaches_the_engine() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        unsafe { std::env::set_var(crate::paths::HOME_ENV, dir.path()) };
        let mut app = headless_app(Duration::from_millis(100));
        start_first_scenario(&mut app);
        collected(&mut app);
        let offered = app
            .world()
            .resource::<LiveCall>()
            .session()
            .map(|s| s.offered().len())
            .unwrap_or(0);
        let mv = if offered > 0 {
            Move::Choose(1)
        } else {
            Move::Say("I'm so sorry, I'll sort this out for you today.".to_owned())
        };
        app.world_mut().write_message(TraineeMove(mv));
        app.update();
        let events = collected(&mut app);
        assert!(
            events.iter().any(|e| matches!(
                e.timed.event,
                Event::TraineeChose { .. } | Event::TraineeReplied { .. }
            )),
            "{events:?}"
        );
    }
}
