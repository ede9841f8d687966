//! The bridge to the core: runs a recorded session on the real clock, turns the engine's events
//! into Bevy messages and the trainee's moves into engine moves, and scores and stores the call.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;

use super::carry::{
    CarriedOver, PendingCarry, ReloadStatus, follow_library_reloads, forget_reload_status,
};
use super::library::{Library, Trainee, results_db};
use super::{AppSystems, Screen};
use crate::analysis::PreparedScenario;
use crate::engine::{Move, Session, TimedEvent};
use crate::runner::Examiner;
use crate::scenario::{LoadedScenario, Scenario};
use crate::scoring::{Debrief, Rubric};
use crate::store::Store;
use crate::transcript::{
    ClockKind, Recorded, Recorder, Retry, RetryError, SessionSetup, Transcript,
};
use crate::with_causes;

/// How long the last line of a finished call stays on screen before the debrief opens.
const LINGER_AFTER_END: Duration = Duration::from_millis(2500);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<CallSeeds>();
    app.init_resource::<PendingCarry>();
    app.init_resource::<ReloadStatus>();
    app.add_message::<CallEvent>();
    app.add_message::<TraineeMove>();
    app.add_message::<MoveRefused>();
    app.add_systems(OnEnter(Screen::Call), start_call);
    app.add_systems(OnExit(Screen::Call), forget_reload_status);
    app.add_systems(
        Update,
        (follow_library_reloads, apply_moves, run_clock, finish_call)
            .chain()
            .in_set(AppSystems::Drive)
            .run_if(in_state(Screen::Call).and_then(resource_exists::<LiveCall>)),
    );
}

/// The analysers (of the library's lexicon) and the shipped rubric.
#[derive(Resource, Debug, Clone)]
pub(super) struct Kit(pub Examiner);

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

/// What the next call should be: a scenario, a seed, and optionally a move to retry from.
#[derive(Resource, Debug, Clone)]
pub(super) struct CallRequest {
    pub loaded: LoadedScenario,
    pub seed: u64,
    /// Replay this transcript up to its first `moves` trainee moves, then hand over to the
    /// trainee (the seed and trainee come from the transcript).
    pub retry: Option<RetryFrom>,
}

/// A finished call to replay the start of.
#[derive(Debug, Clone)]
pub(super) struct RetryFrom {
    pub transcript: Transcript,
    /// How many of its trainee moves to replay.
    pub moves: usize,
}

/// The call in progress.
#[derive(Resource, Debug)]
pub(super) struct LiveCall {
    pub loaded: LoadedScenario,
    pub scenario: Arc<Scenario>,
    pub rubric: Arc<Rubric>,
    pub seed: u64,
    recorder: Option<Recorder>,
    /// Real time (since the app started) at which the session clock started running here.
    clock_started: Duration,
    /// Session time when the clock started running here (after a retry's replayed turns).
    resumed_at_ms: u64,
    ended_at: Option<Duration>,
}

impl LiveCall {
    /// The live engine session.
    pub fn session(&self) -> Option<&Session> {
        self.recorder.as_ref().map(Recorder::session)
    }

    /// The recorder of the call, until it is finished.
    pub fn recorder(&self) -> Option<&Recorder> {
        self.recorder.as_ref()
    }

    /// Session time now, in milliseconds.
    pub fn now_ms(&self, time: &Time<Real>) -> u64 {
        let running = time.elapsed().saturating_sub(self.clock_started);
        self.resumed_at_ms + running.as_millis() as u64
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

/// Starts the requested call: the recorder, the opening lines, and any replayed turns (a retry
/// that cannot be replayed starts from the beginning, saying why); or goes on with a call just
/// carried over to a new version of its scenario.
fn start_call(
    mut commands: Commands,
    mut pending: ResMut<PendingCarry>,
    request: Option<Res<CallRequest>>,
    library: Res<Library>,
    kit: Res<Kit>,
    trainee: Res<Trainee>,
    time: Res<Time<Real>>,
    seeds: Res<CallSeeds>,
    mut events: MessageWriter<CallEvent>,
    mut refused: MessageWriter<MoveRefused>,
) {
    let request = match request {
        Some(request) => request.clone(),
        None => match library.scenarios.first() {
            Some(loaded) => CallRequest {
                loaded: loaded.clone(),
                seed: seeds.next(),
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
    if let Some(CarriedOver {
        carried,
        resume_at_ms,
    }) = pending.0.take()
    {
        let session = carried.recorder.session();
        let (scenario, seed) = (Arc::clone(session.scenario()), session.seed());
        events.write_batch(carried.events.into_iter().map(|timed| CallEvent {
            timed,
            replayed: true,
        }));
        commands.insert_resource(LiveCall {
            loaded: request.loaded,
            scenario,
            rubric,
            seed,
            recorder: Some(carried.recorder),
            clock_started: time.elapsed(),
            resumed_at_ms: resume_at_ms,
            ended_at: None,
        });
        return;
    }
    // The analysers prepared for the scenario once per call: the call is the game's unit of play.
    let prepared = kit.0.prepare(&request.loaded);
    let scenario = Arc::clone(prepared.scenario());
    let path = transcript_path(&trainee.0, &scenario.id);
    let retried = request.retry.as_ref().and_then(|retry| {
        start_retry(&request.loaded, &prepared, retry, &path)
            .inspect_err(|error| {
                warn!("{error}");
                refused.write(MoveRefused(format!(
                    "{error}; the call starts from the beginning instead"
                )));
            })
            .ok()
    });
    let (recorder, shown, replayed, resume_at_ms) = match retried {
        Some((recorder, retry)) => (recorder, retry.events, true, retry.resume_at_ms),
        None => {
            let setup = SessionSetup {
                seed: request.seed,
                trainee: trainee.0.clone(),
                clock: ClockKind::Real,
                started_at: None,
            };
            let started =
                Recorder::start(&request.loaded, Arc::clone(&prepared), &setup, Some(&path))
                    .or_else(|error| {
                        warn!("{error}");
                        Recorder::start(&request.loaded, Arc::clone(&prepared), &setup, None)
                    });
            match started {
                Ok((recorder, opening)) => (recorder, opening, false, 0),
                Err(error) => {
                    error!("cannot start the call: {error}");
                    return;
                }
            }
        }
    };
    events.write_batch(shown.into_iter().map(|timed| CallEvent { timed, replayed }));
    commands.insert_resource(LiveCall {
        loaded: request.loaded,
        scenario,
        rubric,
        seed: recorder.session().seed(),
        recorder: Some(recorder),
        clock_started: time.elapsed(),
        resumed_at_ms: resume_at_ms,
        ended_at: None,
    });
}

/// Starts a call replayed up to a move of a finished one, recording to `path` (or, when that
/// cannot be written, in memory only). A replay that cannot be done is an error to show.
fn start_retry(
    loaded: &LoadedScenario,
    prepared: &Arc<PreparedScenario>,
    retry: &RetryFrom,
    path: &Path,
) -> Result<(Recorder, Retry), String> {
    let start = |path: Option<&Path>| {
        Recorder::start_from(
            loaded,
            Arc::clone(prepared),
            &retry.transcript,
            retry.moves,
            ClockKind::Real,
            path,
        )
    };
    match start(Some(path)) {
        Err(RetryError::Transcript(error)) => {
            warn!("{error}");
            start(None)
        }
        started => started,
    }
    .map_err(|error| {
        format!(
            "cannot retry from move {}: {}",
            retry.moves,
            with_causes(&error)
        )
    })
}

/// Where a new call's transcript is written.
pub(super) fn transcript_path(trainee: &str, scenario: &str) -> PathBuf {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    crate::paths::transcripts_dir().join(format!(
        "{}-{scenario}-{stamp}.jsonl",
        crate::scenario::scaffold::slug(trainee)
    ))
}

/// Where each new call's seed comes from: the one given to `rapport gui --seed N` (so a demo, a
/// screenshot or a bug report plays the same lines every time), or else the clock, so every call
/// plays a little differently.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CallSeeds(pub Option<u64>);

impl CallSeeds {
    /// The seed for the next call.
    pub fn next(self) -> u64 {
        self.0.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        })
    }
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
            Ok(recorded) => show_recorded(recorded, &mut events),
            Err(error) => {
                refused.write(MoveRefused(error.to_string()));
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
    show_recorded(recorder.advance(now), &mut events);
}

/// Puts a recorded turn on screen; one that could not be written is kept in memory and shown.
fn show_recorded(recorded: Recorded<'_>, events: &mut MessageWriter<CallEvent>) {
    if let Some(error) = &recorded.unsaved {
        warn!("{}", with_causes(error));
    }
    events.write_batch(recorded.events.iter().cloned().map(|timed| CallEvent {
        timed,
        replayed: false,
    }));
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
    use crate::app::testing::{collected, headless_app, open_call};
    use crate::engine::{Event, Move};

    fn start_first_scenario(app: &mut App) {
        app.update();
        let loaded = app.world().resource::<Library>().scenarios[0].clone();
        open_call(
            app,
            CallRequest {
                loaded,
                seed: 7,
                retry: None,
            },
        );
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

    /// A call of the first scenario played in the core: the opening and the first option.
    fn first_scenario_played_once(app: &App) -> (LoadedScenario, Transcript) {
        let loaded = app.world().resource::<Library>().scenarios[0].clone();
        let kit = app.world().resource::<Kit>().0.clone();
        let setup = SessionSetup {
            seed: 11,
            trainee: "CI trainee".to_owned(),
            clock: ClockKind::Virtual,
            started_at: None,
        };
        let (mut recorder, _) =
            Recorder::start(&loaded, kit.prepare(&loaded), &setup, None).expect("the call starts");
        recorder
            .apply(4_000, Move::Choose(1))
            .expect("option 1 is open");
        (loaded, recorder.finish())
    }

    fn retry_in(app: &mut App, loaded: LoadedScenario, transcript: Transcript, moves: usize) {
        open_call(
            app,
            CallRequest {
                loaded,
                seed: 99,
                retry: Some(RetryFrom { transcript, moves }),
            },
        );
    }

    #[test]
    fn a_retry_shows_the_replayed_turns_and_hands_over_after_them() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        unsafe { std::env::set_var(crate::paths::HOME_ENV, dir.path()) };
        let mut app = headless_app(Duration::from_millis(100));
        app.update();
        let (loaded, original) = first_scenario_played_once(&app);
        retry_in(&mut app, loaded, original.clone(), 1);
        let events = collected(&mut app);
        let replayed: Vec<TimedEvent> = original.events().cloned().collect();
        assert_eq!(
            events.iter().map(|e| e.timed.clone()).collect::<Vec<_>>(),
            replayed
        );
        assert!(events.iter().all(|e| e.replayed), "{events:?}");
        let call = app.world().resource::<LiveCall>();
        assert_eq!(call.seed, original.header.seed, "the original's seed");
        let time = app.world().resource::<Time<Real>>();
        assert!(
            call.now_ms(time) >= 4_000,
            "the clock picks up after the replayed move"
        );
        assert!(app.world().resource::<Messages<MoveRefused>>().is_empty());
    }

    #[test]
    fn a_retry_that_cannot_be_replayed_says_so_and_starts_from_the_beginning() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        unsafe { std::env::set_var(crate::paths::HOME_ENV, dir.path()) };
        let mut app = headless_app(Duration::from_millis(100));
        app.update();
        let (loaded, original) = first_scenario_played_once(&app);
        retry_in(&mut app, loaded, original, 5);
        let notices: Vec<MoveRefused> = app
            .world_mut()
            .resource_mut::<Messages<MoveRefused>>()
            .drain()
            .collect();
        assert!(
            notices
                .iter()
                .any(|n| n.0.contains("cannot retry from move 5")
                    && n.0.contains("from the beginning")),
            "{notices:?}"
        );
        let events = collected(&mut app);
        assert!(
            !events.is_empty() && events.iter().all(|e| !e.replayed),
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
