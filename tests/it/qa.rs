//! The QA commands as a QA lead meets them: import, report in every format, xAPI, review, calibration, teams, bad input.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::util::{
    POSTGRES_ENV, TestDb, backends, crate_path, run_with_db, sample, write_transcripts,
};

fn stored_count(db: &TestDb) -> usize {
    db.open()
        .summaries(&rapport::store::Filter::default())
        .expect("summaries")
        .len()
}

#[test]
fn importing_twice_changes_nothing() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_transcripts(&dir.path().join("t"));
        let (code, _, err) = run_with_db(dir.path(), &db, &["import", "t", "--team", "north"]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(
            err.contains(&format!(
                "imported {} new session(s), 0 already stored, 0 failed",
                sample().len()
            )),
            "{}: {err}",
            db.name
        );
        let (code, _, err) = run_with_db(dir.path(), &db, &["import", "t"]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(
            err.contains(&format!(
                "imported 0 new session(s), {} already stored",
                sample().len()
            )),
            "{}: {err}",
            db.name
        );
        assert_eq!(stored_count(&db), sample().len(), "{}", db.name);
        let (_, teams, _) = run_with_db(dir.path(), &db, &["team", "list"]);
        assert_eq!(teams.lines().count(), 8, "{}: {teams}", db.name);
    }
}

#[test]
fn a_corrupt_transcript_is_reported_and_the_rest_imported() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    let files = write_transcripts(&dir.path().join("t"));
    let text = std::fs::read_to_string(&files[0]).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "{\"at_ms\": 12, this is not json";
    std::fs::write(dir.path().join("t/broken.jsonl"), lines.join("\n") + "\n").expect("write");
    std::fs::write(dir.path().join("t/empty.jsonl"), "").expect("write");
    let (code, _, err) = run_with_db(dir.path(), &db, &["import", "t"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("broken.jsonl:3` is corrupt"), "{err}");
    assert!(err.contains("empty.jsonl` is empty"), "{err}");
    assert!(
        err.contains(&format!(
            "imported {} new session(s), 0 already stored, 2 failed",
            sample().len()
        )),
        "{err}"
    );
    assert_eq!(stored_count(&db), sample().len());
}

#[test]
fn concurrent_import_processes_lose_nothing() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = write_transcripts(&dir.path().join("t"));
        // Each process imports its own third plus a shared overlap.
        let children: Vec<_> = (0..3)
            .map(|part| {
                let mine: Vec<&PathBuf> = files
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 3 == part || *i < 6)
                    .map(|(_, f)| f)
                    .collect();
                Command::new(env!("CARGO_BIN_EXE_rapport"))
                    .arg("import")
                    .args(mine)
                    .args(["--db", db.url.as_str()])
                    .env("RAPPORT_SCENARIOS", crate_path("scenarios"))
                    .env("RAPPORT_HOME", dir.path().join("home"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().expect("wait");
            assert!(
                output.status.success(),
                "{}: {}",
                db.name,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_eq!(stored_count(&db), sample().len(), "{}", db.name);
    }
}

#[test]
fn reports_come_in_every_format() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_transcripts(&dir.path().join("t"));
        run_with_db(dir.path(), &db, &["import", "t"]);
        run_with_db(dir.path(), &db, &["team", "set", "trainee-01", "north"]);

        let (code, table, err) = run_with_db(dir.path(), &db, &["report"]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(
            table.contains(&format!("{} session(s), 0 reviewed", sample().len())),
            "{}: {table}",
            db.name
        );
        assert!(
            table.contains("Weakest criteria per trainee"),
            "{}",
            db.name
        );

        let (_, json, _) = run_with_db(
            dir.path(),
            &db,
            &["report", "--format", "json", "--team", "north"],
        );
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        let north = sample()
            .iter()
            .filter(|r| r.transcript.header.trainee == "trainee-01")
            .count();
        assert_eq!(value["totals"]["sessions"], north, "{}", db.name);

        let (_, csv, _) = run_with_db(
            dir.path(),
            &db,
            &["report", "--format", "csv", "--rows", "sessions"],
        );
        assert_eq!(csv.lines().count(), sample().len() + 1, "{}", db.name);
        assert!(
            csv.starts_with("\u{feff}session_id,trainee,team,scenario,started_at"),
            "{}",
            db.name
        );
        let (_, groups, _) = run_with_db(
            dir.path(),
            &db,
            &["report", "--format", "csv", "--by", "scenario"],
        );
        assert!(
            groups.starts_with("\u{feff}scenario,sessions,reviewed,iqs"),
            "{}: {groups}",
            db.name
        );

        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "report",
                "--format",
                "html",
                "-o",
                "report.html",
                "--since",
                "2026-01-01",
            ],
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        let page = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
        assert!(
            page.starts_with("<!DOCTYPE html>") && page.contains("<svg"),
            "{}",
            db.name
        );

        let (code, _, err) = run_with_db(dir.path(), &db, &["report", "--since", "yesterday-ish"]);
        assert_eq!(code, 2, "{}", db.name);
        assert!(
            err.contains("`yesterday-ish` is not a date"),
            "{}: {err}",
            db.name
        );
    }
}

#[test]
fn xapi_statements_are_what_an_lrs_accepts() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    write_transcripts(&dir.path().join("t"));
    run_with_db(dir.path(), &db, &["import", "t"]);
    let (code, out, err) = run_with_db(
        dir.path(),
        &db,
        &["xapi", "--xapi-base", "https://lms.example.org/"],
    );
    assert_eq!(code, 0, "{err}");
    let statements: Vec<serde_json::Value> = serde_json::from_str(&out).expect("a JSON array");
    assert!(statements.len() >= sample().len());
    let mut ids = std::collections::BTreeSet::new();
    for statement in &statements {
        assert!(
            ids.insert(statement["id"].as_str().expect("id").to_owned()),
            "statement ids are unique"
        );
        assert_eq!(statement["actor"]["objectType"], "Agent");
        assert_eq!(
            statement["actor"]["account"]["homePage"],
            "https://lms.example.org"
        );
        assert!(
            statement["actor"]["account"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("trainee-"))
        );
        let verb = statement["verb"]["id"].as_str().expect("verb");
        assert!(
            [
                rapport::report::xapi::VERB_COMPLETED,
                rapport::report::xapi::VERB_PASSED,
                rapport::report::xapi::VERB_FAILED
            ]
            .contains(&verb),
            "{verb}"
        );
        assert!(
            statement["object"]["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("https://lms.example.org/scenarios/"))
        );
        assert_eq!(statement["object"]["objectType"], "Activity");
        assert!(
            statement["timestamp"]
                .as_str()
                .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok())
        );
        if verb != rapport::report::xapi::VERB_COMPLETED {
            let scaled = statement["result"]["score"]["scaled"]
                .as_f64()
                .expect("scaled score");
            assert!((0.0..=1.0).contains(&scaled));
            assert_eq!(
                statement["result"]["success"].as_bool(),
                Some(verb == rapport::report::xapi::VERB_PASSED)
            );
            let extensions = statement["result"]["extensions"]
                .as_object()
                .expect("extensions");
            assert!(
                extensions
                    .keys()
                    .all(|k| k.starts_with("https://lms.example.org/xapi/extensions/"))
            );
            assert!(extensions.keys().any(|k| k.ends_with("/dimension/empathy")));
        }
    }
    let (_, same, _) = run_with_db(
        dir.path(),
        &db,
        &[
            "report",
            "--format",
            "xapi",
            "--xapi-base",
            "https://lms.example.org",
        ],
    );
    assert_eq!(same, out, "`report --format xapi` and `xapi` agree");
}

#[test]
fn a_review_is_shown_in_reports_and_calibration() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    write_transcripts(&dir.path().join("t"));
    run_with_db(dir.path(), &db, &["import", "t"]);
    let run0 = &sample()[0];
    let id = &run0.transcript.header.session_id;
    let criterion = run0
        .scorecard
        .criteria
        .iter()
        .find(|c| c.rating.is_some_and(|r| r > c.min))
        .expect("criterion");
    let (code, out, err) = run_with_db(
        dir.path(),
        &db,
        &[
            "review",
            &id[..10],
            "--criterion",
            &criterion.id,
            "--rating",
            &criterion.min.to_string(),
            "--comment",
            "too generic",
            "--reviewer",
            "dana",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(dana)") && out.contains("(reviewed)"),
        "{out}"
    );
    let (code, _, err) = run_with_db(
        dir.path(),
        &db,
        &[
            "review",
            &id[..10],
            "--criterion",
            &criterion.id,
            "--rating",
            "lots",
            "--reviewer",
            "dana",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`lots` is not a rating"), "{err}");
    let (_, shown, _) = run_with_db(dir.path(), &db, &["review", &id[..10]]);
    assert!(shown.contains("too generic"), "{shown}");

    let (_, table, _) = run_with_db(dir.path(), &db, &["report"]);
    assert!(table.contains(", 1 reviewed"), "{table}");
    let (_, calibration, err) = run_with_db(dir.path(), &db, &["calibration"]);
    assert!(
        calibration.contains("1 review(s) by 1 reviewer(s): dana"),
        "{calibration}{err}"
    );
    let (_, json, _) = run_with_db(dir.path(), &db, &["calibration", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value["rows"][0]["machine_vs_reviewers"]["pairs"], 1);
    assert_eq!(value["rows"][0]["machine_vs_reviewers"]["percent"], 0.0);
}

#[test]
fn the_postgres_suite_is_skipped_only_without_a_server() {
    // A visible marker in test output of which backends ran.
    let names: Vec<&str> = backends().iter().map(|b| b.name).collect();
    if cfg!(feature = "postgres") && std::env::var(POSTGRES_ENV).is_ok_and(|u| !u.is_empty()) {
        assert_eq!(names, ["sqlite", "postgres"]);
    } else {
        assert_eq!(names, ["sqlite"]);
    }
}
