//! What gets written to the store and what a transcript is trusted for: `--no-store`, real start
//! times, ids that cannot collide, imports that never drop a session silently, tampered
//! transcripts, databases that are not Rapport's, resuming after a cut-off line, and `show`.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use super::util::{TestDb, backends, crate_path, rapport, rapport_command, sqlite_db};
use rapport::store::Filter;

/// A good call of `double-charge`: the first option, then the end.
const GOOD_SCRIPT: &str = "Script(seed: 1, trainee: \"bot\", moves: [(after: 3.0, do: Choose(1)), (after: 5.0, do: End)])";
/// The same trainee, scenario and seed hanging up at once.
const HANG_UP_SCRIPT: &str = "Script(seed: 1, trainee: \"bot\", moves: [(after: 3.0, do: End)])";
/// A call left open after one move.
const OPEN_SCRIPT: &str = "Script(seed: 1, trainee: \"bot\", moves: [(after: 3.0, do: Choose(1)), (after: 4.0, do: Say(\"I'm so sorry, let me look into it.\"))])";

fn run_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = rapport_command(dir);
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output: Output = command.output().expect("rapport runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Plays `script` on `double-charge`, writing its transcript to `transcript` and storing nothing.
fn transcript_of(dir: &Path, script: &str, transcript: &str) -> String {
    let name = format!("{transcript}.script.ron");
    std::fs::write(dir.join(&name), script).expect("write script");
    let (code, _, err) = rapport(
        dir,
        &[
            "run",
            "double-charge",
            "--script",
            &name,
            "--transcript",
            transcript,
            "--no-store",
        ],
    );
    assert_eq!(code, 0, "{err}");
    std::fs::read_to_string(dir.join(transcript)).expect("transcript")
}

fn stored(db: &TestDb) -> Vec<rapport::store::SessionSummary> {
    db.open().summaries(&Filter::default()).expect("summaries")
}

fn play_ending_at_once(dir: &Path, args: &[&str]) -> Output {
    let mut child = rapport_command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"/end\n")
        .expect("write");
    child.wait_with_output().expect("finishes")
}

/// Every file under `dir`, for checking nothing was created.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn no_store_stores_nothing_for_run_and_play() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("good.script.ron"), GOOD_SCRIPT).expect("write");
    let (code, _, err) = rapport(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "good.script.ron",
            "--no-store",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let output = play_ending_at_once(
        dir.path(),
        &[
            "play",
            "double-charge",
            "--transcript",
            "p.jsonl",
            "--no-store",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let home = dir.path().join(".rapport-home");
    let databases: Vec<_> = files_under(&home)
        .into_iter()
        .filter(|f| f.to_string_lossy().contains("sqlite"))
        .collect();
    assert!(databases.is_empty(), "nothing stored: {databases:?}");
    // Nor in a database named by RAPPORT_DB.
    let (code, _, err) = run_with(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "good.script.ron",
            "--no-store",
        ],
        &[("RAPPORT_DB", "named.sqlite3")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!dir.path().join("named.sqlite3").exists());
}

#[test]
fn scripted_runs_are_stamped_with_the_time_they_ran() {
    let db = sqlite_db();
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("good.script.ron"), GOOD_SCRIPT).expect("write");
    let before = jiff::Timestamp::now().as_second();
    let (code, _, err) = rapport(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "good.script.ron",
            "--db",
            &db.url,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let after = jiff::Timestamp::now().as_second();
    let sessions = stored(&db);
    assert_eq!(sessions.len(), 1);
    let started = sessions[0].started_epoch;
    assert_eq!(
        sessions[0].started_at,
        jiff::Timestamp::from_second(started)
            .expect("time")
            .to_string(),
        "whole seconds, RFC 3339"
    );
    assert!(
        (before - 1..=after + 1).contains(&started),
        "started at {} ({started}), run between {before} and {after}",
        sessions[0].started_at
    );
}

#[test]
fn two_scripts_with_the_same_trainee_scenario_and_seed_are_two_sessions() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("good.script.ron"), GOOD_SCRIPT).expect("write");
        std::fs::write(dir.path().join("hang.script.ron"), HANG_UP_SCRIPT).expect("write");
        for script in ["good.script.ron", "hang.script.ron", "good.script.ron"] {
            let (code, _, err) = rapport(
                dir.path(),
                &["run", "double-charge", "--script", script, "--db", &db.url],
            );
            assert_eq!(code, 0, "{}: {err}", db.name);
        }
        let sessions = stored(&db);
        assert_eq!(sessions.len(), 3, "{}: every run is a session", db.name);
        let mut overalls: Vec<f64> = sessions.iter().map(|s| s.overall).collect();
        overalls.sort_by(f64::total_cmp);
        assert!(overalls[0] < overalls[2], "{}: {overalls:?}", db.name);
    }
}

#[test]
fn importing_a_different_session_under_a_known_id_is_refused_and_the_stored_one_kept() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp");
        let good = transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
        let hang = transcript_of(dir.path(), HANG_UP_SCRIPT, "hang.jsonl");
        // The hang-up's turns under the good call's header: a different session, the same id.
        let good_header = good.lines().next().expect("header");
        let forged: Vec<&str> = std::iter::once(good_header)
            .chain(hang.lines().skip(1))
            .collect();
        std::fs::write(dir.path().join("same-id.jsonl"), forged.join("\n") + "\n").expect("write");
        let (code, _, err) = rapport(dir.path(), &["import", "good.jsonl", "--db", &db.url]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        let before = stored(&db);
        let (code, _, err) = rapport(dir.path(), &["import", "same-id.jsonl", "--db", &db.url]);
        assert_eq!(code, 1, "{}: dropping it is a failure: {err}", db.name);
        assert!(
            err.contains("same-id.jsonl") && err.contains("different"),
            "{}: says so: {err}",
            db.name
        );
        assert!(err.contains("1 failed"), "{}: {err}", db.name);
        assert_eq!(
            stored(&db),
            before,
            "{}: the stored session is kept",
            db.name
        );
        // The same transcript again is still one session.
        let (code, _, err) = rapport(dir.path(), &["import", "good.jsonl", "--db", &db.url]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(err.contains("0 new session(s), 1 already stored"), "{err}");
    }
    // Both in one import, into a new database: one is stored, the other refused.
    let db = sqlite_db();
    let dir = tempfile::tempdir().expect("temp");
    let good = transcript_of(dir.path(), GOOD_SCRIPT, "a-good.jsonl");
    let hang = transcript_of(dir.path(), HANG_UP_SCRIPT, "hang.jsonl");
    let forged: Vec<&str> = std::iter::once(good.lines().next().expect("header"))
        .chain(hang.lines().skip(1))
        .collect();
    std::fs::write(dir.path().join("b-same-id.jsonl"), forged.join("\n") + "\n").expect("write");
    let (code, _, err) = rapport(
        dir.path(),
        &["import", "a-good.jsonl", "b-same-id.jsonl", "--db", &db.url],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("1 new session(s), 0 already stored, 1 failed"),
        "{err}"
    );
    // Files are read in parallel, so either may be the one stored first; the other is named.
    assert!(
        err.contains("b-same-id.jsonl` was not imported")
            || err.contains("a-good.jsonl` was not imported"),
        "{err}"
    );
    assert_eq!(stored(&db).len(), 1);
}

#[test]
fn an_empty_database_location_is_an_error_not_a_temporary_database() {
    let dir = tempfile::tempdir().expect("temp");
    transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
    let (code, _, err) = rapport(dir.path(), &["import", "good.jsonl", "--db", ""]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty"), "{err}");
    let (code, _, err) = run_with(dir.path(), &["report"], &[("RAPPORT_DB", "")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("RAPPORT_DB") && err.contains("empty"), "{err}");
    std::fs::write(dir.path().join("good.script.ron"), GOOD_SCRIPT).expect("write");
    let (code, _, err) = run_with(
        dir.path(),
        &["run", "double-charge", "--script", "good.script.ron"],
        &[("RAPPORT_DB", "")],
    );
    assert_eq!(code, 2, "{err}");
}

/// Bytes of every file whose name starts with the database's, to see a file left untouched.
fn database_files(path: &Path) -> Vec<(String, Vec<u8>)> {
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut files: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&name))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn another_programs_sqlite_file_is_refused_untouched_even_by_report() {
    let dir = tempfile::tempdir().expect("temp");
    transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
    for (name, schema) in [
        (
            "notes.sqlite3",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);",
        ),
        (
            "shop.sqlite3",
            "CREATE TABLE sessions (id INTEGER PRIMARY KEY, cart TEXT); INSERT INTO sessions (cart) VALUES ('kettle');",
        ),
        ("empty-app.sqlite3", "PRAGMA application_id = 1234;"),
    ] {
        let path = dir.path().join(name);
        {
            let conn = rusqlite::Connection::open(&path).expect("open");
            conn.execute_batch(schema).expect("schema");
            if name == "empty-app.sqlite3" {
                conn.execute_batch("CREATE TABLE t (x); DROP TABLE t;")
                    .expect("write something");
            }
        }
        let before = database_files(&path);
        for args in [
            vec!["report", "--db", name],
            vec!["import", "good.jsonl", "--db", name],
            vec!["team", "list", "--db", name],
        ] {
            let (code, _, err) = rapport(dir.path(), &args);
            assert_ne!(code, 0, "{args:?}: {err}");
            assert!(
                err.contains("not a Rapport results database"),
                "{args:?}: {err}"
            );
            assert_eq!(
                database_files(&path),
                before,
                "{args:?} left `{name}` untouched"
            );
        }
    }
}

#[test]
fn rapport_databases_without_the_mark_still_open_and_new_ones_are_marked() {
    let db = sqlite_db();
    let dir = tempfile::tempdir().expect("temp");
    transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
    let (code, _, err) = rapport(dir.path(), &["import", "good.jsonl", "--db", &db.url]);
    assert_eq!(code, 0, "{err}");
    let application_id = |path: &str| -> i64 {
        rusqlite::Connection::open(path)
            .expect("open")
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .expect("application_id")
    };
    assert_ne!(application_id(&db.url), 0, "a new database is marked");
    // A database made before the mark existed: Rapport's schema, no application id.
    rusqlite::Connection::open(&db.url)
        .expect("open")
        .pragma_update(None, "application_id", 0)
        .expect("unmark");
    let (code, out, err) = rapport(dir.path(), &["report", "--db", &db.url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("bot"), "{out}");
}

/// A transcript with one of its lines changed by `edit`.
fn tampered(text: &str, line: usize, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut value: serde_json::Value = serde_json::from_str(&lines[line]).expect("json line");
    edit(&mut value);
    lines[line] = serde_json::to_string(&value).expect("json");
    lines.join("\n") + "\n"
}

/// A transcript with every finding of its readings removed (a poor reply made to look clean).
fn strip_findings(text: &str) -> String {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(fields) => {
                for (key, inner) in fields.iter_mut() {
                    match inner {
                        serde_json::Value::Array(items) if key == "findings" => items.clear(),
                        _ => strip(inner),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(index, line)| {
            let mut value: serde_json::Value = serde_json::from_str(line).expect("json line");
            if index > 0 {
                strip(&mut value);
            }
            serde_json::to_string(&value).expect("json")
        })
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn tampered_transcripts_are_neither_scored_nor_stored() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp");
        let good = transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
        let mut lines: Vec<&str> = good.lines().collect();
        let reordered = {
            let last = lines.len() - 1;
            lines.swap(1, last);
            lines.join("\n") + "\n"
        };
        let open = transcript_of(dir.path(), OPEN_SCRIPT, "open.jsonl");
        let stripped = strip_findings(&open);
        assert_ne!(stripped, open, "the reply's findings were there to strip");
        let forged = {
            // A turn the engine never gave: a reply after the call ended, scored as empathy.
            let reply = serde_json::json!({"at_ms": 60_000, "move": {"Say": "I'm so sorry."}, "events": []});
            format!("{good}{reply}\n")
        };
        let cases = [
            ("reordered.jsonl", reordered),
            ("stripped.jsonl", stripped),
            ("forged.jsonl", forged),
            (
                "choose-0.jsonl",
                tampered(&good, 2, |turn| {
                    turn["move"] = serde_json::json!({"Choose": 0})
                }),
            ),
            (
                "huge-reply.jsonl",
                tampered(&good, 2, |turn| {
                    turn["move"] = serde_json::json!({"Say": "sorry ".repeat(900_000)})
                }),
            ),
            (
                "trainee.jsonl",
                tampered(&good, 0, |h| h["trainee"] = "someone-else".into()),
            ),
            (
                "started.jsonl",
                tampered(&good, 0, |h| {
                    h["started_at"] = "2020-01-01T00:00:00Z".into()
                }),
            ),
            (
                "id.jsonl",
                tampered(&good, 0, |h| h["session_id"] = "0123456789abcdef".into()),
            ),
            (
                "events.jsonl",
                tampered(&good, 2, |turn| {
                    if let Some(events) = turn["events"].as_array_mut() {
                        events.truncate(1);
                    }
                }),
            ),
        ];
        for (name, text) in &cases {
            std::fs::write(dir.path().join(name), text).expect("write");
            let (code, out, err) = rapport(dir.path(), &["score", name, "--json"]);
            assert_eq!(code, 1, "{name}: score refuses it: {out}{err}");
            assert!(out.is_empty(), "{name}: no score is printed: {out}");
            assert!(err.contains(name), "{name}: {err}");
            let (code, _, err) = rapport(dir.path(), &["import", name, "--db", &db.url]);
            assert_eq!(code, 1, "{}: {name}: import refuses it: {err}", db.name);
            assert!(err.contains("1 failed"), "{name}: {err}");
        }
        assert!(
            stored(&db).is_empty(),
            "{}: nothing tampered stored",
            db.name
        );
        // Scored against another scenario than its own.
        let (code, _, err) = rapport(
            dir.path(),
            &["score", "good.jsonl", "--scenario", "late-delivery"],
        );
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("`double-charge`") && err.contains("`late-delivery`"),
            "{err}"
        );
        // The untouched file scores and imports.
        let (code, _, err) = rapport(dir.path(), &["score", "good.jsonl"]);
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = rapport(dir.path(), &["import", "good.jsonl", "--db", &db.url]);
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn import_warns_on_a_changed_scenario_version() {
    let db = sqlite_db();
    let dir = tempfile::tempdir().expect("temp");
    transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
    let scenario =
        std::fs::read_to_string(crate_path("scenarios/double-charge.ron")).expect("scenario");
    let library = dir.path().join("library");
    std::fs::create_dir_all(&library).expect("dir");
    std::fs::write(
        library.join("double-charge.ron"),
        scenario.replace("version: 1,", "version: 2,"),
    )
    .expect("write");
    let text = std::fs::read_to_string(dir.path().join("good.jsonl")).expect("read");
    let moved = tampered(&text, 0, |h| {
        h["scenario_path"] = "gone/double-charge.ron".into()
    });
    std::fs::write(dir.path().join("moved.jsonl"), moved).expect("write");
    let (code, _, err) = run_with(
        dir.path(),
        &["import", "moved.jsonl", "--db", &db.url],
        &[("RAPPORT_SCENARIOS", library.to_str().expect("utf-8"))],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("version 1") && err.contains("version 2"),
        "the version change is named: {err}"
    );
}

#[test]
fn run_and_play_exit_non_zero_when_the_session_was_not_stored() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("good.script.ron"), GOOD_SCRIPT).expect("write");
    std::fs::write(
        dir.path().join("junk.sqlite3"),
        "this is not a database, just text\n",
    )
    .expect("write");
    let (code, out, err) = rapport(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "good.script.ron",
            "--db",
            "junk.sqlite3",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("not stored"), "{err}");
    let output = play_ending_at_once(
        dir.path(),
        &[
            "play",
            "double-charge",
            "--transcript",
            "p.jsonl",
            "--db",
            "junk.sqlite3",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("not stored"));
    assert!(
        dir.path().join("p.jsonl").exists(),
        "the transcript is kept"
    );
}

/// Makes a file or directory read-only, even to root (who ignores permissions: the file is made
/// immutable then); undone by [`writable`].
fn read_only(path: &Path) {
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !immutable {
        let mut permissions = std::fs::metadata(path).expect("meta").permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(path, permissions).expect("chmod");
    }
}

fn writable(path: &Path) {
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(path)
        .status();
    let mut permissions = std::fs::metadata(path).expect("meta").permissions();
    #[expect(
        clippy::permissions_set_readonly_false,
        reason = "undoing the test's own read-only file, so that its folder can be removed"
    )]
    permissions.set_readonly(false);
    let _ = std::fs::set_permissions(path, permissions);
}

#[test]
fn a_read_only_database_says_read_only() {
    let dir = tempfile::tempdir().expect("temp");
    transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
    // The file itself, then (a fresh database) the directory SQLite writes its journal into.
    for (case, lock_dir) in [("file", false), ("directory", true)] {
        let store_dir = dir.path().join(case);
        let db = store_dir.join("results.sqlite3");
        let db_arg = db.to_str().expect("utf-8");
        let (code, _, err) = rapport(dir.path(), &["team", "set", "ana", "north", "--db", db_arg]);
        assert_eq!(code, 0, "{err}");
        let locked = if lock_dir {
            store_dir.as_path()
        } else {
            db.as_path()
        };
        read_only(locked);
        let (import, _, import_err) =
            rapport(dir.path(), &["import", "good.jsonl", "--db", db_arg]);
        let (set, _, set_err) =
            rapport(dir.path(), &["team", "set", "bo", "south", "--db", db_arg]);
        writable(locked);
        for (code, err) in [(import, import_err), (set, set_err)] {
            assert_ne!(code, 0, "{case}: {err}");
            assert!(err.contains("read-only"), "{case}: {err}");
        }
    }
}

#[test]
fn resuming_after_a_cut_off_last_line_cuts_it_first() {
    let dir = tempfile::tempdir().expect("temp");
    let text = transcript_of(dir.path(), OPEN_SCRIPT, "open.jsonl");
    std::fs::write(dir.path().join("open.jsonl"), &text[..text.len() - 20]).expect("cut");
    let output = play_ending_at_once(
        dir.path(),
        &[
            "play",
            "double-charge",
            "--resume",
            "open.jsonl",
            "--no-store",
        ],
    );
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{out}{err}");
    assert!(
        format!("{out}{err}").contains("cut off"),
        "the cut is said: {out}{err}"
    );
    let (code, out, err) = rapport(dir.path(), &["replay", "open.jsonl"]);
    assert_eq!(
        code, 0,
        "the resumed transcript reads and replays: {out}{err}"
    );
    assert!(!err.contains("cut off"), "{err}");
    assert!(out.contains("ended"), "{out}");
}

#[test]
fn show_prints_a_stored_session_and_writes_its_transcript_back() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp");
        let good = transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
        let (code, _, err) = rapport(dir.path(), &["import", "good.jsonl", "--db", &db.url]);
        assert_eq!(code, 0, "{err}");
        let id = stored(&db)[0].session_id.clone();
        let prefix = &id[..8];
        let (code, out, err) = rapport(dir.path(), &["show", prefix, "--db", &db.url]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(out.contains(&id), "{out}");
        assert!(
            out.contains("Transcript") && out.contains("Scorecard"),
            "{out}"
        );
        assert!(
            out.contains("bot") && out.contains("double-charge"),
            "{out}"
        );
        assert!(
            out.contains('“') || out.contains('"'),
            "evidence is quoted: {out}"
        );
        let (code, json, err) = rapport(dir.path(), &["show", prefix, "--json", "--db", &db.url]);
        assert_eq!(code, 0, "{err}");
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(value["session_id"], id.as_str());
        assert!(value["scorecard"]["criteria"].is_array(), "{value}");
        assert!(value["transcript"]["turns"].is_array(), "{value}");
        assert!(value["reviews"].is_array(), "{value}");
        let criterion = &value["scorecard"]["criteria"][0];
        let (code, _, err) = rapport(
            dir.path(),
            &[
                "review",
                prefix,
                "--criterion",
                criterion["id"].as_str().expect("id"),
                "--rating",
                &criterion["min"].to_string(),
                "--comment",
                "too generic",
                "--reviewer",
                "dana",
                "--db",
                &db.url,
            ],
        );
        assert_eq!(code, 0, "{err}");
        let (_, out, _) = rapport(dir.path(), &["show", prefix, "--db", &db.url]);
        assert!(
            out.contains("dana") && out.contains("too generic") && out.contains("after review"),
            "the review is shown: {out}"
        );
        let (code, jsonl, err) = rapport(
            dir.path(),
            &["show", prefix, "--transcript", "-", "--db", &db.url],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            jsonl, good,
            "{}: the transcript comes back as it was",
            db.name
        );
        let (code, _, err) = rapport(
            dir.path(),
            &[
                "show",
                prefix,
                "--transcript",
                "back.jsonl",
                "--db",
                &db.url,
            ],
        );
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = rapport(dir.path(), &["import", "back.jsonl", "--db", &db.url]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("0 new session(s), 1 already stored"), "{err}");
        let (code, _, err) = rapport(dir.path(), &["show", "zzzz", "--db", &db.url]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("no stored session"), "{err}");
    }
}

#[test]
fn a_transcript_written_before_nonces_still_imports_under_its_old_id() {
    let db = sqlite_db();
    let dir = tempfile::tempdir().expect("temp");
    let good = transcript_of(dir.path(), GOOD_SCRIPT, "good.jsonl");
    let legacy = tampered(&good, 0, |header| {
        let object = header.as_object_mut().expect("object");
        object.remove("nonce");
        let field = |name: &str| {
            object[name]
                .as_str()
                .map_or_else(|| object[name].to_string(), str::to_owned)
        };
        let key = [
            field("trainee"),
            field("scenario_id"),
            field("started_at"),
            field("seed"),
            field("scenario_hash"),
        ]
        .join("\u{1f}");
        let id = rapport::scenario::load::content_hash(&key);
        object.insert("session_id".to_owned(), id.into());
    });
    std::fs::write(dir.path().join("legacy.jsonl"), &legacy).expect("write");
    let (code, _, err) = rapport(dir.path(), &["import", "legacy.jsonl", "--db", &db.url]);
    assert_eq!(code, 0, "{err}");
    let sessions = stored(&db);
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].session_id.len(), 16, "the old id is kept");
    let edited = tampered(&legacy, 0, |header| {
        header["trainee"] = "someone-else".into()
    });
    std::fs::write(dir.path().join("edited.jsonl"), edited).expect("write");
    let (code, _, err) = rapport(dir.path(), &["import", "edited.jsonl", "--db", &db.url]);
    assert_eq!(code, 1, "an edited old header is caught too: {err}");
}

#[test]
fn a_longer_transcript_of_a_stored_session_is_refused_and_named_as_its_continuation() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp");
        let full = transcript_of(dir.path(), OPEN_SCRIPT, "full.jsonl");
        let lines: Vec<&str> = full.lines().collect();
        let early = lines[..lines.len() - 1].join("\n") + "\n";
        std::fs::write(dir.path().join("early.jsonl"), early).expect("write");
        let (code, _, err) = rapport(dir.path(), &["import", "early.jsonl", "--db", &db.url]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        let before = stored(&db);
        let (code, _, err) = rapport(dir.path(), &["import", "full.jsonl", "--db", &db.url]);
        assert_eq!(code, 1, "{}: {err}", db.name);
        assert!(
            err.contains("continues it with 1 more turn(s)"),
            "{}: {err}",
            db.name
        );
        assert_eq!(stored(&db), before, "{}", db.name);
    }
}
