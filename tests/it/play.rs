//! The terminal player and transcripts as a trainee and a QA lead meet them: piped play, kill -9,
//! resume, replay, truncated and foreign transcripts.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::util::{crate_path, rapport, rapport_command};

fn transcripts(home: &Path) -> Vec<std::path::PathBuf> {
    let dir = home.join(".rapport-home").join("transcripts");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn piped_play_runs_to_the_debrief_and_stores_a_replayable_transcript() {
    let dir = tempfile::tempdir().expect("temp");
    let mut child = rapport_command(dir.path())
        .args(["play", "double-charge", "--trainee", "pipe", "--seed", "4"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let script = "7\n/bogus\n1\n\nKwame, I'm so sorry. Finance refunds the duplicate today and your bank shows it in 3 to 5 working days; I'll call you tomorrow to confirm.\n1\n1\n";
    stdin.write_all(script.as_bytes()).expect("write");
    drop(stdin);
    let output = child.wait_with_output().expect("finishes");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}");
    assert!(
        out.contains("there is no option `7` here; pick 1 to 4"),
        "a wrong number is refused clearly: {out}"
    );
    assert!(out.contains("`/bogus` is not a command"), "{out}");
    assert!(out.contains("Debrief — Charged twice"), "{out}");
    assert!(out.contains("call ended: resolved"), "{out}");
    let files = transcripts(dir.path());
    assert_eq!(files.len(), 1);
    let file = files[0].display().to_string();
    let (code, replayed, err) = rapport(dir.path(), &["replay", &file]);
    assert_eq!(code, 0, "{replayed}{err}");
    assert!(replayed.contains("replay matches"), "{replayed}");
    let (code, json, err) = rapport(dir.path(), &["score", &file, "--json"]);
    assert_eq!(code, 0, "{err}");
    let card: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(card["outcome"], "Resolved");
}

#[test]
fn kill_9_loses_no_completed_turn_and_the_session_resumes() {
    let dir = tempfile::tempdir().expect("temp");
    let mut child = rapport_command(dir.path())
        .args([
            "play",
            "double-charge",
            "--trainee",
            "killed",
            "--seed",
            "4",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"1\n").expect("write");
    stdin.flush().expect("flush");
    let deadline = Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = transcripts(dir.path()).into_iter().next().filter(|f| {
            std::fs::read_to_string(f)
                .map(|t| t.lines().count() >= 3)
                .unwrap_or(false)
        });
        if let Some(file) = found {
            break file;
        }
        assert!(Instant::now() < deadline, "the turn reached the disk");
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().expect("kill -9");
    let _ = child.wait();
    let text = std::fs::read_to_string(&file).expect("transcript");
    assert!(
        text.contains("TraineeChose"),
        "the completed turn survived: {text}"
    );
    let path = file.display().to_string();
    let (code, out, _) = rapport(dir.path(), &["replay", &path]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("still open (interrupted)"), "{out}");
    let (_, json, _) = rapport(dir.path(), &["score", &path, "--json"]);
    let card: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(card["outcome"], "Abandoned");
    assert_eq!(card["passed"], false, "an unfinished call cannot pass");

    let mut resumed = rapport_command(dir.path())
        .args(["play", "double-charge", "--resume", &path])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    resumed
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"/end\n")
        .expect("write");
    let output = resumed.wait_with_output().expect("finishes");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("Resuming") && out.contains("call ended: agent-ended"),
        "{out}"
    );
    let (code, out, _) = rapport(dir.path(), &["replay", &path]);
    assert_eq!(code, 0, "the resumed transcript still replays: {out}");
}

#[test]
fn truncated_corrupt_and_foreign_transcripts_get_clear_messages() {
    let dir = tempfile::tempdir().expect("temp");
    let script = dir.path().join("model.script.ron");
    std::fs::write(&script, "Script(seed: 2, trainee: \"t\", moves: [(after: 3.0, do: Choose(1)), (after: 5.0, do: End)])").expect("write");
    let (code, _, err) = rapport(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "model.script.ron",
            "--transcript",
            "t.jsonl",
            "--no-store",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("t.jsonl")).expect("transcript");

    let cut = &text[..text.len() - 20];
    std::fs::write(dir.path().join("cut.jsonl"), cut).expect("write");
    let (code, out, err) = rapport(dir.path(), &["replay", "cut.jsonl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("cut off mid-write") && out.contains("still open"),
        "{err}{out}"
    );

    let mut lines: Vec<&str> = text.lines().collect();
    lines[1] = "{not json";
    std::fs::write(dir.path().join("corrupt.jsonl"), lines.join("\n") + "\n").expect("write");
    let (code, _, err) = rapport(dir.path(), &["replay", "corrupt.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("corrupt.jsonl:2` is corrupt"), "{err}");

    std::fs::write(dir.path().join("other.jsonl"), "{\"hello\": 1}\n").expect("write");
    let (code, _, err) = rapport(dir.path(), &["score", "other.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a Rapport transcript"), "{err}");

    let scenario =
        std::fs::read_to_string(crate_path("scenarios/double-charge.ron")).expect("scenario");
    let changed = scenario
        .replace("version: 1,", "version: 2,")
        .replace("You've taken my money twice!", "You took my money twice!");
    std::fs::write(dir.path().join("double-charge-v2.ron"), changed).expect("write");
    let (code, out, err) = rapport(
        dir.path(),
        &["replay", "t.jsonl", "--scenario", "double-charge-v2.ron"],
    );
    assert!(
        err.contains("recorded on `double-charge` version 1") && err.contains("is now version 2"),
        "{err}"
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("diverges") && out.contains("turn 0"), "{out}");
}
