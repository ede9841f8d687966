//! The scenario library, the trainee and their settings, as resources every screen reads; the
//! library follows its files (the core's live library, reloaded as files change on disk).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};

use super::AppSystems;
use super::session::Kit;
use crate::library::library_dir;
use crate::reload::{LibraryChange, LiveLibrary, watch_in_background};
use crate::scenario::{Diagnostic, LoadedScenario};
use crate::store::{DB_ENV, Store, default_sqlite_path, is_postgres_url};

/// How often the library's files are looked at for changes.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// The trainee's name when none is given.
const DEFAULT_TRAINEE: &str = "trainee";

/// The environment variable that preselects the trainee's name (`RAPPORT_TRAINEE`).
const TRAINEE_ENV: &str = "RAPPORT_TRAINEE";

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Library>();
    app.init_resource::<Trainee>();
    app.init_resource::<Settings>();
    app.init_resource::<Selected>();
    app.add_message::<LibraryReloaded>();
    // Bevy runs the first state transition before the startup schedules, so the title screen is
    // entered with an empty library; its list fills itself when this has run.
    app.add_systems(PreStartup, load_scenarios);
    app.add_systems(Startup, watch_library);
    app.add_systems(
        Update,
        reload_library
            .in_set(AppSystems::ReadInput)
            .run_if(resource_exists::<LibraryWatch>),
    );
}

/// Every scenario that loaded and validated (its last good version), sorted by id, and the
/// trainee's best score in each.
#[derive(Resource, Debug, Default)]
pub(super) struct Library {
    pub scenarios: Vec<LoadedScenario>,
    /// The errors of the files that fail to load or validate, one line each (shown on the title
    /// screen).
    pub problems: Vec<String>,
    /// Best overall score per scenario id, for the current trainee.
    pub best: HashMap<String, f64>,
}

impl Library {
    /// The scenarios and problems of the live library (the starter scenario when it has none).
    fn follow(&mut self, live: &LiveLibrary) {
        let scenarios: Vec<LoadedScenario> = live.scenarios().into_iter().cloned().collect();
        if scenarios.is_empty() {
            warn!(
                "no scenarios in `{}`; showing the built-in starter scenario",
                live.dir().display()
            );
        }
        self.scenarios = if scenarios.is_empty() {
            vec![starter()]
        } else {
            scenarios
        };
        self.problems = live
            .problems()
            .values()
            .flatten()
            .map(|d| format!("{} {}: {}", d.code, d.location(), d.message))
            .collect();
    }
}

/// The library as its files are now, and the changes its watcher has seen.
#[derive(Resource, Debug)]
pub(super) struct LibraryWatch {
    pub live: LiveLibrary,
    changes: Mutex<Receiver<Vec<PathBuf>>>,
    /// Handed to the watcher thread.
    sender: Sender<Vec<PathBuf>>,
}

impl LibraryWatch {
    /// Follows `live`, with no change seen yet.
    pub(super) fn new(live: LiveLibrary) -> LibraryWatch {
        let (sender, changes) = channel();
        LibraryWatch {
            live,
            changes: Mutex::new(changes),
            sender,
        }
    }
}

/// A reload of the library after its files changed, for the screens to follow.
#[derive(Message, Debug, Clone)]
pub(super) struct LibraryReloaded(pub LibraryChange);

/// A diagnostic as the game shows it: code, file name, line and column, message.
pub(super) fn problem_line(diagnostic: &Diagnostic) -> String {
    let file = diagnostic.file.file_name().map_or_else(
        || diagnostic.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    match diagnostic.line_col() {
        Some((line, col)) => format!(
            "{} {file}:{line}:{col}  {}",
            diagnostic.code, diagnostic.message
        ),
        None => format!("{} {file}  {}", diagnostic.code, diagnostic.message),
    }
}

/// Who is playing.
#[derive(Resource, Debug, Clone, PartialEq)]
pub(super) struct Trainee(pub String);

impl Default for Trainee {
    fn default() -> Self {
        let name = std::env::var(TRAINEE_ENV)
            .ok()
            .filter(|n| !n.trim().is_empty());
        Trainee(name.unwrap_or_else(|| DEFAULT_TRAINEE.to_owned()))
    }
}

/// Volume, mute and text size.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub(super) struct Settings {
    /// Master volume, 0–1.
    pub volume: f32,
    pub muted: bool,
    /// Text size as a share of the base size (1.0 = 100 %).
    pub text_scale: f32,
}

impl Settings {
    /// One step of the volume and text-size controls.
    pub const STEP: f32 = 0.1;
    /// The text-size range.
    pub const TEXT_SCALE_RANGE: (f32, f32) = (0.8, 1.5);

    /// The volume one step up or down.
    pub fn nudge_volume(&mut self, steps: f32) {
        self.volume = ((self.volume + steps * Self::STEP) * 10.0)
            .round()
            .clamp(0.0, 10.0)
            / 10.0;
    }

    /// The text size one step up or down.
    pub fn nudge_text(&mut self, steps: f32) {
        let (low, high) = Self::TEXT_SCALE_RANGE;
        self.text_scale = ((self.text_scale + steps * Self::STEP) * 10.0)
            .round()
            .clamp(low * 10.0, high * 10.0)
            / 10.0;
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            volume: 0.8,
            muted: false,
            text_scale: 1.0,
        }
    }
}

/// The scenario highlighted on the title screen (an index into [`Library::scenarios`]).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Selected(pub usize);

/// Loads the library from `$RAPPORT_SCENARIOS`, `./scenarios` or the shipped one, with the
/// analysers of its lexicon.
fn load_scenarios(mut commands: Commands, mut library: ResMut<Library>, trainee: Res<Trainee>) {
    let live = LiveLibrary::load(&library_dir());
    library.follow(&live);
    library.best = best_scores(&trainee.0);
    commands.insert_resource(Kit(live.examiner().clone()));
    commands.insert_resource(LibraryWatch::new(live));
}

/// Watches the library's folder on a thread of its own; a change wakes the window (which
/// otherwise sleeps until input) so the library follows it at once.
fn watch_library(watch: Res<LibraryWatch>, event_loop: Option<Res<EventLoopProxyWrapper>>) {
    let sender = watch.sender.clone();
    let waker = event_loop.map(|proxy| (**proxy).clone());
    let started = watch_in_background(
        vec![watch.live.dir().to_path_buf()],
        WATCH_INTERVAL,
        move |changed| {
            sender.send(changed).is_ok()
                && waker
                    .as_ref()
                    .is_none_or(|proxy| proxy.send_event(WinitUserEvent::WakeUp).is_ok())
        },
    );
    if let Err(error) = started {
        warn!("the scenario library is not watched for changes: {error}");
    }
}

/// Reloads what the changed files affect, and tells the screens.
fn reload_library(
    mut watch: ResMut<LibraryWatch>,
    mut library: ResMut<Library>,
    mut kit: ResMut<Kit>,
    mut selected: ResMut<Selected>,
    mut reloaded: MessageWriter<LibraryReloaded>,
) {
    let batches: Vec<Vec<PathBuf>> = match watch.changes.lock() {
        Ok(changes) => changes.try_iter().collect(),
        Err(_) => return,
    };
    for changed in batches {
        let change = watch.live.reload(&changed);
        info!(
            "library files changed: {}; reloaded {}, broken {}, removed {}",
            shown(&change.files),
            shown(&change.reloaded),
            shown(&change.broken),
            shown(&change.removed)
        );
        library.follow(&watch.live);
        if change.analysers_reloaded {
            kit.0 = watch.live.examiner().clone();
        }
        selected.0 = selected.0.min(library.scenarios.len().saturating_sub(1));
        reloaded.write(LibraryReloaded(change));
    }
}

/// Paths for the log, or `none`.
fn shown(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "none".to_owned();
    }
    paths
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scaffold's starter scenario, so an empty library still has something to play.
fn starter() -> LoadedScenario {
    let text = crate::scenario::scaffold::starter_scenario("starter");
    crate::scenario::parse_scenario("starter.ron", &text)
        .unwrap_or_else(|d| panic!("the built-in starter scenario does not load: {}", d.message))
}

/// The results database the game reads best scores from and stores calls in: `RAPPORT_DB` (a
/// SQLite path or a `postgres://` URL) when set, as for the CLI, else `rapport.sqlite3` in the
/// data directory.
pub(super) fn results_db() -> String {
    std::env::var(DB_ENV)
        .ok()
        .filter(|db| !db.trim().is_empty())
        .unwrap_or_else(|| default_sqlite_path().display().to_string())
}

/// The trainee's best overall per scenario from the results database.
pub(super) fn best_scores(trainee: &str) -> HashMap<String, f64> {
    best_scores_in(&results_db(), trainee)
}

/// The trainee's best overall per scenario from the database at `db`: none when there is no
/// database yet (it is not created just to be read), and none, with a warning, when it cannot be
/// read.
fn best_scores_in(db: &str, trainee: &str) -> HashMap<String, f64> {
    if !is_postgres_url(db) && !Path::new(db).is_file() {
        return HashMap::new();
    }
    match Store::open(Some(db)).and_then(|mut store| store.best_scores(trainee)) {
        Ok(best) => best.into_iter().collect(),
        Err(error) => {
            warn!("no best scores shown: {}", crate::with_causes(&error));
            HashMap::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_and_text_size_stay_in_range() {
        let mut settings = Settings::default();
        for _ in 0..20 {
            settings.nudge_volume(1.0);
            settings.nudge_text(1.0);
        }
        assert_eq!((settings.volume, settings.text_scale), (1.0, 1.5));
        for _ in 0..30 {
            settings.nudge_volume(-1.0);
            settings.nudge_text(-1.0);
        }
        assert_eq!((settings.volume, settings.text_scale), (0.0, 0.8));
    }

    #[test]
    fn best_scores_come_from_the_store_and_never_fail_the_game() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("results.sqlite3").display().to_string();
        assert!(best_scores_in(&db, "trainee-01").is_empty());
        assert!(
            !Path::new(&db).exists(),
            "reading best scores creates no database"
        );

        let runs = crate::store::sample::sample_sessions(&crate::store::sample::SampleOptions {
            sessions: 4,
            trainees: 1,
            ..Default::default()
        });
        let mut store = Store::open(Some(&db)).expect("the database opens");
        for run in &runs {
            store
                .save_session(&run.transcript, &run.scorecard)
                .expect("the session is stored");
        }
        drop(store);
        let trainee = &runs[0].transcript.header.trainee;
        let mut expected: HashMap<String, f64> = HashMap::new();
        for run in &runs {
            let best = expected
                .entry(run.transcript.header.scenario_id.clone())
                .or_insert(f64::MIN);
            *best = best.max(run.scorecard.overall);
        }
        assert_eq!(best_scores_in(&db, trainee), expected);
        assert!(best_scores_in(&db, "someone else").is_empty());

        let garbage = dir.path().join("not-a-database.sqlite3");
        std::fs::write(&garbage, "this is not SQLite").expect("a file is written");
        assert!(best_scores_in(&garbage.display().to_string(), trainee).is_empty());
    }

    #[test]
    fn the_starter_scenario_loads() {
        assert!(!starter().scenario.beats.is_empty());
    }
}
