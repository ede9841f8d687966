//! Hot reload without a window: a library in a temporary folder, edited underneath a call.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::engine::{Event, Move};
use crate::scenario::{Code, LoadedScenario};
use crate::transcript::{ClockKind, Recorder, SessionSetup, Transcript};

/// The two ways the customer of `late-delivery` asks when the bike comes, in the `where` beat.
const WHERE_LINES: [&str; 2] = [
    "Okay. So will it be here by Saturday?",
    "So when will it actually arrive? Before Saturday?",
];

/// A library holding a copy of the shipped `late-delivery` scenario and the shipped lexicon.
fn library() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let scenario = dir.path().join("late-delivery.ron");
    std::fs::copy(shipped.join("late-delivery.ron"), &scenario).expect("the scenario is copied");
    std::fs::copy(
        shipped.join(LIBRARY_LEXICON),
        dir.path().join(LIBRARY_LEXICON),
    )
    .expect("the lexicon is copied");
    (dir, scenario)
}

/// Replaces the first `from` in the file with `to`, as a trainer's save would.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("the file reads");
    assert!(text.contains(from), "`{from}` is in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("the file is written");
}

/// A call of `loaded` in which the trainee chose option `choice` at 4 s, and the beat it stands on.
fn call_after_choosing(
    live: &LiveLibrary,
    loaded: &LoadedScenario,
    choice: u32,
) -> (Transcript, String) {
    let setup = SessionSetup {
        seed: 7,
        trainee: "trainee".to_owned(),
        clock: ClockKind::Virtual,
        started_at: None,
    };
    let (mut recorder, _) = Recorder::start(loaded, live.examiner().prepare(loaded), &setup, None)
        .expect("the call starts");
    recorder
        .apply(4_000, Move::Choose(choice))
        .expect("the option is open");
    let beat = recorder
        .session()
        .current_beat()
        .expect("the call goes on")
        .id
        .to_string();
    (recorder.transcript().clone(), beat)
}

fn customer_lines(events: &[crate::engine::TimedEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            Event::CustomerSaid { text, .. } => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_edited_line_is_carried_over_to_the_beat_the_call_stood_on() {
    let (_dir, path) = library();
    let mut live = LiveLibrary::load(path.parent().expect("a folder"));
    assert!(live.problems().is_empty(), "{:?}", live.problems());
    let v1 = live.scenario_at(&path).expect("the scenario loads").clone();
    let (played, beat) = call_after_choosing(&live, &v1, 1);
    assert_eq!(beat, "where");

    for line in WHERE_LINES {
        edit(&path, line, &format!("EDITED: {line}"));
    }
    let change = live.reload(std::slice::from_ref(&path));
    assert_eq!(change.reloaded, std::slice::from_ref(&path), "{change:?}");
    assert!(change.broken.is_empty() && !change.analysers_reloaded);

    let v2 = live.scenario_at(&path).expect("the new version");
    let carried = carry_over(
        &played,
        &beat,
        9_000,
        v2,
        &live.examiner().prepare(v2),
        None,
    )
    .expect("the call is carried over");
    assert_eq!(carried.moves, 1);
    let lines = customer_lines(&carried.events);
    assert!(
        lines.last().is_some_and(|l| l.starts_with("EDITED: ")),
        "{lines:?}"
    );
    let session = carried.recorder.session();
    assert_eq!(session.current_beat().map(|b| b.id.as_str()), Some("where"));
    assert_eq!(
        carried.recorder.transcript().header.scenario_hash,
        v2.content_hash()
    );
}

#[test]
fn a_file_that_no_longer_validates_keeps_its_last_good_version_and_says_where() {
    let (_dir, path) = library();
    let mut live = LiveLibrary::load(path.parent().expect("a folder"));
    let good = live
        .scenario_at(&path)
        .expect("loads")
        .content_hash()
        .to_owned();

    edit(&path, r#"next: "where","#, r#"next: "nowhere","#);
    let change = live.reload(std::slice::from_ref(&path));
    assert_eq!(change.broken, std::slice::from_ref(&path), "{change:?}");
    assert!(change.reloaded.is_empty());
    let problems = live.problems_with(&path).expect("the file's errors");
    let undefined = problems
        .iter()
        .find(|d| d.code == Code::UndefinedTarget)
        .unwrap_or_else(|| panic!("an undefined target is reported: {problems:?}"));
    let text = std::fs::read_to_string(&path).expect("reads");
    let line = text
        .lines()
        .position(|l| l.contains(r#"next: "nowhere""#))
        .expect("the edit")
        + 1;
    assert_eq!(undefined.line_col().map(|(l, _)| l), Some(line));
    assert!(
        undefined.message.contains("nowhere"),
        "{}",
        undefined.message
    );
    assert_eq!(
        live.scenario_at(&path).map(LoadedScenario::content_hash),
        Some(good.as_str()),
        "the last good version is kept"
    );
    assert_eq!(live.scenarios().len(), 1);

    edit(&path, r#"next: "nowhere","#, r#"next: "where","#);
    edit(&path, WHERE_LINES[0], "FIXED: will it come by Saturday?");
    let change = live.reload(std::slice::from_ref(&path));
    assert_eq!(change.reloaded, std::slice::from_ref(&path), "{change:?}");
    assert!(live.problems().is_empty());
}

#[test]
fn a_call_whose_beat_is_gone_says_so() {
    let (_dir, path) = library();
    let mut live = LiveLibrary::load(path.parent().expect("a folder"));
    let v1 = live.scenario_at(&path).expect("loads").clone();
    let (played, beat) = call_after_choosing(&live, &v1, 1);

    let text = std::fs::read_to_string(&path).expect("reads");
    std::fs::write(&path, text.replace(r#""where""#, r#""where-now""#)).expect("written");
    let change = live.reload(std::slice::from_ref(&path));
    assert_eq!(change.reloaded, std::slice::from_ref(&path), "{change:?}");
    let v2 = live.scenario_at(&path).expect("the new version");
    let error = carry_over(
        &played,
        &beat,
        9_000,
        v2,
        &live.examiner().prepare(v2),
        None,
    )
    .expect_err("the beat is gone");
    assert!(matches!(&error, CarryError::BeatGone { beat } if beat == "where"));
    assert_eq!(
        error.to_string(),
        "the beat `where` the call stood on is no longer in the scenario"
    );
}

#[test]
fn moves_that_now_lead_elsewhere_are_not_carried_over() {
    let (_dir, path) = library();
    let mut live = LiveLibrary::load(path.parent().expect("a folder"));
    let v1 = live.scenario_at(&path).expect("loads").clone();
    let (played, beat) = call_after_choosing(&live, &v1, 1);

    edit(&path, r#"next: "where","#, r#"next: "repeat","#);
    live.reload(std::slice::from_ref(&path));
    let v2 = live.scenario_at(&path).expect("the new version");
    let error = carry_over(
        &played,
        &beat,
        9_000,
        v2,
        &live.examiner().prepare(v2),
        None,
    )
    .expect_err("the move leads elsewhere");
    assert!(
        matches!(&error, CarryError::Elsewhere { was, now } if was == "where" && now == "repeat"),
        "{error}"
    );
}

#[test]
fn a_carried_call_is_written_to_its_file() {
    let (dir, path) = library();
    let mut live = LiveLibrary::load(dir.path());
    let v1 = live.scenario_at(&path).expect("loads").clone();
    let (played, beat) = call_after_choosing(&live, &v1, 1);
    edit(&path, WHERE_LINES[1], "EDITED: when will it come?");
    live.reload(std::slice::from_ref(&path));
    let v2 = live.scenario_at(&path).expect("the new version");
    let file = dir.path().join("carried.jsonl");
    let carried = carry_over(
        &played,
        &beat,
        9_000,
        v2,
        &live.examiner().prepare(v2),
        Some(&file),
    )
    .expect("carried over");
    assert!(carried.unsaved.is_none());
    let (written, _) = crate::transcript::read_transcript(&file).expect("the file reads");
    assert_eq!(written.turns, carried.recorder.transcript().turns);
}

#[test]
fn a_lexicon_that_does_not_compile_keeps_the_last_analysers() {
    let (dir, _) = library();
    let lexicon = dir.path().join(LIBRARY_LEXICON);
    let mut live = LiveLibrary::load(dir.path());
    let before = Arc::clone(&live.examiner().analyser);

    let good = std::fs::read_to_string(&lexicon).expect("reads");
    std::fs::write(&lexicon, "Lexicon(").expect("written");
    let change = live.reload(std::slice::from_ref(&lexicon));
    assert!(!change.analysers_reloaded);
    assert_eq!(change.broken, std::slice::from_ref(&lexicon));
    assert!(Arc::ptr_eq(&before, &live.examiner().analyser));
    let problem = &live.problems_with(&lexicon).expect("its error")[0];
    assert!(problem.line_col().is_some(), "{problem:?}");

    std::fs::write(&lexicon, good).expect("written");
    let change = live.reload(std::slice::from_ref(&lexicon));
    assert!(change.analysers_reloaded && change.broken.is_empty());
    assert!(live.problems().is_empty());
}

#[test]
fn a_removed_scenario_leaves_the_library() {
    let (dir, path) = library();
    let mut live = LiveLibrary::load(dir.path());
    let copy = dir.path().join("second.ron");
    let text = std::fs::read_to_string(&path).expect("reads");
    std::fs::write(
        &copy,
        text.replacen(r#"id: "late-delivery""#, r#"id: "second""#, 1),
    )
    .expect("written");
    let change = live.reload(std::slice::from_ref(&copy));
    assert_eq!(change.reloaded, std::slice::from_ref(&copy));
    assert_eq!(live.scenarios().len(), 2);

    std::fs::remove_file(&copy).expect("removed");
    let change = live.reload(std::slice::from_ref(&copy));
    assert_eq!(change.removed, [copy]);
    assert_eq!(live.scenarios().len(), 1);
}
