//! A call follows its scenario's files: a new version carries the call over to it (the
//! trainee's moves replayed by the core, the call screen built again), a file that no longer
//! validates shows its errors while the last good version keeps running, and a call that cannot
//! be carried over says why.

use std::path::{Path, PathBuf};

use bevy::prelude::*;

use super::Screen;
use super::library::{LibraryReloaded, LibraryWatch, Trainee, problem_line};
use super::session::{CallRequest, Kit, LiveCall, transcript_path};
use crate::analysis::LIBRARY_LEXICON_CHANGES;
use crate::reload::{CarriedCall, LIBRARY_LEXICON, carry_over};
use crate::with_causes;

/// What became of the call when files of its scenario changed, for the call screen to show.
#[derive(Resource, Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum ReloadStatus {
    /// Nothing changed, or the files were saved back to the version running.
    #[default]
    Quiet,
    /// The call was carried over to the new version: its moves replayed to where it stood.
    Carried { file: String, moves: usize },
    /// A file does not validate now; the last good version keeps running.
    Broken {
        files: String,
        problems: Vec<String>,
    },
    /// The new version validates, but the call cannot be carried over to it.
    CannotCarry { file: String, reason: String },
    /// The scenario's file is gone; the call goes on with the version it had.
    Removed { file: String },
}

/// A call carried over to a new version, waiting for the call screen to be built again.
#[derive(Resource, Debug, Default)]
pub(super) struct PendingCarry(pub Option<CarriedOver>);

/// A carried-over call and the session time it goes on from.
#[derive(Debug)]
pub(super) struct CarriedOver {
    pub carried: CarriedCall,
    pub resume_at_ms: u64,
}

/// Follows the library's reloads during a call: a new version of the call's scenario (or of the
/// lexicon) carries the call over to it, replaying the trainee's moves, and the call screen is
/// built again; a file that fails shows its errors while the last good version keeps running; a
/// call that cannot be carried over says why.
pub(super) fn follow_library_reloads(
    mut reloads: MessageReader<LibraryReloaded>,
    call: Res<LiveCall>,
    watch: Res<LibraryWatch>,
    kit: Res<Kit>,
    trainee: Res<Trainee>,
    time: Res<Time<Real>>,
    mut status: ResMut<ReloadStatus>,
    mut pending: ResMut<PendingCarry>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    let path = call.loaded.source.path.clone();
    let lexicon = watch.live.dir().join(LIBRARY_LEXICON);
    let lexicon_changes = watch.live.dir().join(LIBRARY_LEXICON_CHANGES);
    let file = file_name(&path);
    for LibraryReloaded(change) in reloads.read() {
        if change.removed.contains(&path) {
            status.set_if_neq(ReloadStatus::Removed { file: file.clone() });
            continue;
        }
        let failing: Vec<&PathBuf> = [&path, &lexicon, &lexicon_changes]
            .into_iter()
            .filter(|p| change.broken.contains(p))
            .collect();
        if !failing.is_empty() {
            let problems: Vec<String> = failing
                .iter()
                .flat_map(|p| watch.live.problems_with(p).unwrap_or_default())
                .map(problem_line)
                .collect();
            let files = failing.iter().map(|p| file_name(p)).collect::<Vec<_>>();
            status.set_if_neq(ReloadStatus::Broken {
                files: files.join(", "),
                problems,
            });
            continue;
        }
        if !change.reloaded.contains(&path) && !change.analysers_reloaded {
            if [&path, &lexicon, &lexicon_changes]
                .iter()
                .any(|p| change.files.contains(p))
            {
                status.set_if_neq(ReloadStatus::Quiet);
            }
            continue;
        }
        let (Some(loaded), Some(recorder)) = (watch.live.scenario_at(&path), call.recorder())
        else {
            continue;
        };
        let session = recorder.session();
        let Some(beat) = session
            .current_beat()
            .filter(|_| session.outcome().is_none())
        else {
            continue;
        };
        let now_ms = call.now_ms(&time);
        let written_to = transcript_path(&trainee.0, &loaded.scenario.id);
        match carry_over(
            recorder.transcript(),
            &beat.id,
            now_ms,
            loaded,
            &kit.0.prepare(loaded),
            Some(&written_to),
        ) {
            Ok(carried) => {
                if let Some(error) = &carried.unsaved {
                    warn!("{}", with_causes(error));
                }
                info!(
                    "carried the call over to the new version of `{}`: {} move(s) replayed",
                    path.display(),
                    carried.moves
                );
                status.set_if_neq(ReloadStatus::Carried {
                    file,
                    moves: carried.moves,
                });
                pending.0 = Some(CarriedOver {
                    carried,
                    resume_at_ms: now_ms,
                });
                commands.insert_resource(CallRequest {
                    loaded: loaded.clone(),
                    seed: call.seed,
                    retry: None,
                });
                // Entering the call screen again builds it for the new version.
                next.set(Screen::Call);
                return;
            }
            Err(error) => {
                info!("the call cannot be carried over: {error}");
                status.set_if_neq(ReloadStatus::CannotCarry {
                    file: file.clone(),
                    reason: error.to_string(),
                });
            }
        }
    }
}

/// Forgets what the reloads said once the call is left (not when it is built again for a
/// carried-over call).
pub(super) fn forget_reload_status(pending: Res<PendingCarry>, mut status: ResMut<ReloadStatus>) {
    if pending.0.is_none() {
        status.set_if_neq(ReloadStatus::Quiet);
    }
}

/// A file's name, for messages.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::app::session::TraineeMove;
    use crate::app::testing::{collected, headless_app, open_call};
    use crate::engine::{Event, Move};

    /// A trainer saves the open scenario twice during a call: first with the beat the call stands
    /// on renamed (the call cannot be carried over and says why, going on as it was), then with
    /// a line reworded (the call is carried over, its move replayed, and shows the new line).
    #[test]
    fn a_call_follows_its_scenario_file_or_says_why_it_cannot() {
        let home = tempfile::tempdir().expect("a temporary directory");
        unsafe { std::env::set_var(crate::paths::HOME_ENV, home.path()) };
        let library = tempfile::tempdir().expect("a temporary library");
        let path = library.path().join("late-delivery.ron");
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        std::fs::copy(shipped.join("late-delivery.ron"), &path).expect("copied");
        let original = std::fs::read_to_string(&path).expect("reads");

        let mut app = headless_app(Duration::from_millis(100));
        app.update();
        let live = crate::reload::LiveLibrary::load(library.path());
        let loaded = live.scenario_at(&path).expect("the copy loads").clone();
        app.insert_resource(LibraryWatch::new(live));
        open_call(
            &mut app,
            CallRequest {
                loaded,
                seed: 7,
                retry: None,
            },
        );
        app.world_mut().write_message(TraineeMove(Move::Choose(1)));
        app.update();
        collected(&mut app);

        let save = |app: &mut App, text: String| {
            std::fs::write(&path, text).expect("saved");
            let change = app
                .world_mut()
                .resource_mut::<LibraryWatch>()
                .live
                .reload(std::slice::from_ref(&path));
            app.world_mut().write_message(LibraryReloaded(change));
            app.update();
            app.update();
        };
        save(&mut app, original.replace(r#""where""#, r#""where-now""#));
        let status = app.world().resource::<ReloadStatus>().clone();
        assert!(
            matches!(&status, ReloadStatus::CannotCarry { reason, .. }
                if reason.contains("the beat `where` the call stood on is no longer in the scenario")),
            "{status:?}"
        );
        let call = app.world().resource::<LiveCall>();
        assert_eq!(
            call.session()
                .and_then(|s| s.current_beat())
                .map(|b| b.id.as_str()),
            Some("where"),
            "the call goes on as it was"
        );

        save(
            &mut app,
            original
                .replace("Okay. So will it be here", "EDITED: will it be here")
                .replace("So when will it actually", "EDITED: when will it actually"),
        );
        assert_eq!(
            *app.world().resource::<ReloadStatus>(),
            ReloadStatus::Carried {
                file: "late-delivery.ron".to_owned(),
                moves: 1
            }
        );
        let events = collected(&mut app);
        assert!(
            events.iter().all(|e| e.replayed)
                && events.iter().any(|e| matches!(&e.timed.event,
                    Event::CustomerSaid { text, .. } if text.starts_with("EDITED: "))),
            "{events:?}"
        );
        let call = app.world().resource::<LiveCall>();
        assert!(call.loaded.scenario.beats.iter().any(|b| b.id == "where"));
        assert!(app.world().resource::<PendingCarry>().0.is_none());
    }
}
