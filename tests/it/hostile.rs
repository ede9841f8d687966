//! Hostile input (issue 21): what a file says cannot hang, crash or escape. Scenarios that loop,
//! numbers that overflow, delays that overflow, paths that leave the library, special files,
//! link loops and closed pipes, each tried as a tester would.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rapport::analysis::{Analyser, PreparedScenario};
use rapport::engine::{Move, Session};
use rapport::scenario::scaffold::starter_scenario;
use rapport::scenario::{Outcome, parse_scenario};

use super::util::{crate_path, rapport_command, temp, write};

/// The most memory a hostile run may take (in KiB, for `ulimit -v`): a run that grows without
/// bound fails here instead of taking the machine's memory.
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

/// The longest a hostile run may take; a run that hangs is killed and the test fails.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The starter scenario with `edits` (from, to) applied; each `from` must be in it.
fn starter_with(edits: &[(&str, &str)]) -> String {
    let mut text = starter_scenario("Hostile");
    for (from, to) in edits {
        assert!(text.contains(from), "the starter holds `{from}`");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Runs `rapport` under a memory limit and a time limit: (exit code, stdout, stderr); the code
/// is -1 when the run was killed or died of a signal.
fn rapport_bounded(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut command = rapport_command(dir);
    let program = command.get_program().to_owned();
    let mut bounded = Command::new("sh");
    bounded
        .arg("-c")
        .arg(format!(
            "ulimit -S -v {MEMORY_LIMIT_KIB} 2>/dev/null; exec \"$0\" \"$@\""
        ))
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            bounded.env(key, value);
        }
    }
    command = bounded;
    let mut child = command.spawn().expect("rapport starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().expect("kill");
            let output = child.wait_with_output().expect("output");
            panic!(
                "`rapport {}` still ran after {TIME_LIMIT:?}; stderr: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Starts a session on scenario text that skipped the validator (as a fuzzer or a buggy front
/// end would hand it over).
fn unvalidated_session(text: &str) -> Session {
    let loaded = parse_scenario("hostile.ron", text).expect("parses");
    let (session, _) = Session::start(
        Arc::new(PreparedScenario::new(
            Arc::new(Analyser::shipped()),
            Arc::new(loaded.scenario),
        )),
        1,
    );
    session
}

/// A silence that fires at once and leads nowhere: it would fire forever at the same instant.
fn silence_at_once() -> String {
    starter_with(&[
        ("after_secs: 30,", "after_secs: 0,"),
        ("effects: [Patience(-10), Anger(5)],", ""),
        ("then: \"hung-up\",", ""),
    ])
}

#[test]
fn a_silence_after_zero_seconds_is_refused_by_validate_at_its_place() {
    let dir = temp();
    let file = write(dir.path(), "silent.ron", &silence_at_once());
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", &file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("RP0032"), "{err}");
    assert!(
        err.contains("silent.ron:41:21"),
        "located at the value: {err}"
    );
}

#[test]
fn a_silence_after_zero_seconds_cannot_hang_the_engine() {
    // Without a `then`, it fires its `limit` (3) times and falls quiet.
    let mut session = unvalidated_session(&silence_at_once());
    let events = session.apply(10_000, &Move::Wait).expect("wait");
    let fired = events
        .iter()
        .filter(|e| matches!(e.event, rapport::engine::Event::SilenceFired { .. }))
        .count();
    assert_eq!(fired, 3);
    assert_eq!(session.outcome(), None);
    // With a `then` back to the same beat it would fire forever at the same instant: the
    // engine stops it with an error.
    let text = starter_with(&[
        ("after_secs: 30,", "after_secs: 0,"),
        ("effects: [Patience(-10), Anger(5)],", ""),
        ("then: \"hung-up\",", "then: \"opening\","),
    ]);
    let mut session = unvalidated_session(&text);
    let result = session.apply(10_000, &Move::Wait);
    assert!(result.is_err(), "the runaway is an engine error");
    assert_eq!(session.outcome(), Some(Outcome::Abandoned));
}

#[test]
fn run_refuses_an_invalid_scenario_before_running_it() {
    let dir = temp();
    let file = write(dir.path(), "silent.ron", &silence_at_once());
    let script = write(
        dir.path(),
        "wait.script.ron",
        "Script(moves: [(after: 10.0, do: Wait)])",
    );
    let (code, out, err) = rapport_bounded(
        dir.path(),
        &["run", &file, "--script", &script, "--no-store"],
    );
    assert_eq!(code, 1, "refused as a validation failure: {err}");
    assert!(err.contains("RP0032"), "its diagnostics are shown: {err}");
    assert!(out.is_empty(), "no debrief of an invalid scenario: {out}");
}

#[test]
fn triggers_that_send_each_other_back_and_forth_end_the_call_instead_of_the_stack() {
    let text = starter_with(&[(
        r#"(id: "boils-over", when: Meter(Anger, Ge, 95), goto: "hung-up"),"#,
        r#"(id: "ping", when: Meter(Anger, Ge, 0), goto: "explain", once: false),
        (id: "pong", when: Meter(Anger, Ge, 0), goto: "close", once: false),"#,
    )]);
    let mut session = unvalidated_session(&text);
    assert_eq!(session.outcome(), Some(Outcome::Abandoned));
    assert!(session.runaway());
    assert!(session.apply(1000, &Move::Wait).is_err());
}

/// Effects, dynamics and temperament at the edges of their types.
fn huge_numbers() -> String {
    starter_with(&[
        (
            "effects: [Anger(-15), Trust(10)],",
            "effects: [Anger(2147483647), Trust(-2147483648)],",
        ),
        (
            "temperament: (heat: 1.0, forgiveness: 1.0)",
            "temperament: (heat: 3.0e38, forgiveness: 1.0)",
        ),
        (
            r#"(id: "boils-over", when: Meter(Anger, Ge, 95), goto: "hung-up"),"#,
            "",
        ),
        (
            "flags: [\"explained_delay\"],",
            "flags: [\"explained_delay\"],\n    dynamics: (repeat_anger: 2147483647, good_reply_trust: 2147483647, bad_reply_trust: -2147483648, waiting_patience_per_min: 1.0e30),",
        ),
    ])
}

#[test]
fn huge_effects_dynamics_and_temperament_are_refused_by_validate_at_their_place() {
    let dir = temp();
    let file = write(dir.path(), "huge.ron", &huge_numbers());
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", &file]);
    assert_eq!(code, 1, "{err}");
    for what in [
        "Anger(2147483647)",
        "Trust(-2147483648)",
        "`repeat_anger`",
        "`good_reply_trust`",
        "`bad_reply_trust`",
        "`waiting_patience_per_min`",
        "`heat`",
    ] {
        assert!(err.contains(what), "{what} is named: {err}");
    }
    assert!(err.matches("RP0032").count() >= 7, "{err}");
    assert!(!err.contains("huge.ron\n"), "every one is located: {err}");
}

#[test]
fn huge_effects_and_dynamics_saturate_the_meters_instead_of_overflowing() {
    let mut session = unvalidated_session(&huge_numbers());
    // `opening.calm-down` makes the customer repeat (`repeat_anger`).
    session.apply(5_000, &Move::Choose(2)).expect("choose");
    let meters = session.meters();
    assert!((0..=100).contains(&meters.anger), "{meters:?}");
    assert!((0..=100).contains(&meters.trust), "{meters:?}");
    // `opening.empathise` has the huge effects, then a free reply meets the huge dynamics.
    let mut session = unvalidated_session(&huge_numbers());
    session.apply(0, &Move::Choose(1)).expect("choose");
    session
        .apply(
            0,
            &Move::Say("I promise a full refund today, calm down, not my problem.".to_owned()),
        )
        .expect("say");
    assert!((0..=100).contains(&session.meters().trust));
    // A drain of 1e30 points a minute empties patience without overflowing.
    let mut session = unvalidated_session(&huge_numbers());
    session.apply(60_000, &Move::Wait).expect("wait");
    assert_eq!(session.meters().patience, 0);
    assert_eq!(session.outcome(), Some(Outcome::HungUp));
}

fn plan_with_delays(delays: &[&str]) -> String {
    let moves: Vec<String> = delays
        .iter()
        .map(|after| format!("(after: {after}, do: Wait)"))
        .collect();
    format!(
        "TestPlan(\n    scenario: \"call.ron\",\n    runs: [\n        (name: \"hostile\", moves: [\n            {}\n        ], expect: ()),\n    ],\n)\n",
        moves.join(",\n            ")
    )
}

#[test]
fn script_and_test_plan_delays_that_overflow_are_refused_at_their_place() {
    let dir = temp();
    write(dir.path(), "call.ron", &starter_scenario("Call"));
    for (bad, line) in [
        (&["1.0", "1.0e16", "1.0e16"][..], 6),
        (&["1e308"][..], 5),
        (&["NaN"][..], 5),
        (&["-1.0"][..], 5),
        (&["inf"][..], 5),
    ] {
        let plan = write(dir.path(), "bad.testplan.ron", &plan_with_delays(bad));
        let (code, out, err) = rapport_bounded(dir.path(), &["test", &plan]);
        assert_eq!(code, 2, "{bad:?} is unusable input: {out}{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("RP0032"), "{bad:?}: {err}");
        let place = format!("bad.testplan.ron:{line}:");
        assert!(err.contains(&place), "{bad:?} is located at {place}: {err}");
        let script_text = format!(
            "Script(moves: [{}])",
            bad.iter()
                .map(|after| format!("(after: {after}, do: Wait)"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let script = write(dir.path(), "bad.script.ron", &script_text);
        let (code, _, err) = rapport_bounded(
            dir.path(),
            &["run", "call.ron", "--script", &script, "--no-store"],
        );
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(
            err.contains("RP0032") && err.contains("bad.script.ron:1:"),
            "{err}"
        );
    }
}

#[test]
fn one_bad_test_plan_does_not_abort_the_others() {
    let dir = temp();
    write(dir.path(), "call.ron", &starter_scenario("Call"));
    write(
        dir.path(),
        "a.testplan.ron",
        &plan_with_delays(&["1.0e16", "1.0e16"]),
    );
    write(dir.path(), "b.testplan.ron", &plan_with_delays(&["5.0"]));
    let (code, out, err) = rapport_bounded(dir.path(), &["test", "."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("b.testplan.ron"),
        "the good plan still ran: {out}"
    );
}

/// Makes a named pipe (FIFO) at `path`.
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_named_as_a_scenario_is_refused_without_blocking() {
    let dir = temp();
    mkfifo(&dir.path().join("pipe.ron"));
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", "pipe.ron"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("RP0001") && err.contains("named pipe"),
        "{err}"
    );
    // In a directory walk too, beside a good scenario.
    write(dir.path(), "good.ron", &starter_scenario("Good"));
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", "."]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2 file(s) checked"), "{err}");
    let (code, _, err) = rapport_bounded(dir.path(), &["test", "pipe.ron"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("named pipe"), "{err}");
}

#[test]
fn a_device_named_as_a_transcript_or_scenario_is_refused_not_read_until_memory_runs_out() {
    let dir = temp();
    let (code, _, err) = rapport_bounded(dir.path(), &["score", "/dev/zero"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a device, not a regular file"), "{err}");
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", "/dev/zero"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a device, not a regular file"), "{err}");
    let (code, _, err) = rapport_bounded(
        dir.path(),
        &["import", "/dev/zero", "--db", "results.sqlite3"],
    );
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("a device, not a regular file"), "{err}");
}

#[test]
fn a_transcript_whose_header_names_a_foreign_file_as_its_scenario_is_not_read_from_there() {
    let dir = temp();
    let script = write(
        dir.path(),
        "one.script.ron",
        "Script(moves: [(after: 5.0, do: Choose(1))])",
    );
    let (code, _, err) = rapport_bounded(
        dir.path(),
        &[
            "run",
            "late-delivery",
            "--script",
            &script,
            "--transcript",
            "t.jsonl",
            "--no-store",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("t.jsonl")).expect("transcript");
    let (header, rest) = text.split_once('\n').expect("a header line");
    let mut header: serde_json::Value = serde_json::from_str(header).expect("json");
    for foreign in ["/dev/zero", "/etc/passwd"] {
        header["scenario_path"] = serde_json::Value::from(foreign);
        let forged = format!("{header}\n{rest}");
        write(dir.path(), "forged.jsonl", &forged);
        let (_, out, err) = rapport_bounded(dir.path(), &["score", "forged.jsonl"]);
        assert!(
            !err.contains("root:"),
            "{foreign}'s contents are not shown: {err}"
        );
        assert!(!out.contains("root:"), "{out}");
    }
}

/// A library directory holding one scenario, its test plan, a transcript, and two links to itself.
#[cfg(unix)]
fn looping_library(dir: &Path) {
    write(dir, "call.ron", &starter_scenario("Call"));
    write(dir, "call.testplan.ron", &plan_with_delays(&["5.0"]));
    std::os::unix::fs::symlink(".", dir.join("again")).expect("link");
    std::os::unix::fs::symlink(".", dir.join("once-more")).expect("link");
}

#[cfg(unix)]
#[test]
fn two_links_to_the_library_itself_do_not_make_walks_loop_or_repeat() {
    let dir = temp();
    let library = dir.path().join("lib");
    std::fs::create_dir(&library).expect("dir");
    looping_library(&library);
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", "lib"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 file(s) checked"), "each file once: {err}");
    let (code, out, err) = rapport_bounded(dir.path(), &["test", "lib"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 passed, 0 failed, 1 plan(s)"), "{out}");
    let mut command = rapport_command(dir.path());
    let output = command
        .env("RAPPORT_SCENARIOS", &library)
        .args(["list", "--format", "json"])
        .output()
        .expect("list runs");
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    write(
        dir.path(),
        "one.script.ron",
        "Script(moves: [(after: 5.0, do: Choose(1))])",
    );
    let (code, _, err) = rapport_bounded(
        dir.path(),
        &[
            "run",
            "lib/call.ron",
            "--script",
            "one.script.ron",
            "--no-store",
            "--transcript",
            "lib/one.jsonl",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) =
        rapport_bounded(dir.path(), &["import", "lib", "--db", "results.sqlite3"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        format!("{out}{err}").contains("imported 1 new session(s)"),
        "each transcript once: {out}{err}"
    );
}

/// A scenario folder with an `assets/` directory, a file outside it, and a link out of it.
#[cfg(unix)]
fn library_with_assets(dir: &Path) {
    std::fs::create_dir(dir.join("assets")).expect("assets");
    std::fs::write(dir.join("secret.ogg"), "root:x:0:0:not an asset").expect("write");
    std::os::unix::fs::symlink("../secret.ogg", dir.join("assets/out.ogg")).expect("link");
    std::fs::write(dir.join("assets/sam.png"), "a portrait").expect("write");
}

#[cfg(unix)]
#[test]
fn asset_paths_that_leave_the_assets_directory_are_validation_errors_at_their_place() {
    let dir = temp();
    library_with_assets(dir.path());
    let text = starter_with(&[
        (
            "already_given: [\"order number\"],",
            "already_given: [\"order number\"],\n        portrait: \"/etc/passwd\",\n        voice: \"../../../../../../etc/passwd\",",
        ),
        (
            r#"(id: "explain.1", variants: ["So what's going on with it?"])"#,
            r#"(id: "explain.1", variants: ["So what's going on with it?"], audio: "/dev/zero")"#,
        ),
        (
            r#"(id: "resolved.bye", variants: ["Alright, thank you. Bye."])"#,
            r#"(id: "resolved.bye", variants: ["Alright, thank you. Bye."], audio: "out.ogg")"#,
        ),
        (
            r#"(id: "hung-up.bye", variants: ["Forget it. I'm done."])"#,
            r#"(id: "hung-up.bye", variants: ["Forget it. I'm done."], audio: "/proc/self/environ")"#,
        ),
    ]);
    let file = write(dir.path(), "paths.ron", &text);
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", &file]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("RP0033").count(), 5, "{err}");
    for (path, line) in [
        ("/etc/passwd", 24),
        ("../../../../../../etc/passwd", 25),
        ("/dev/zero", 92),
        ("out.ogg", 130),
        ("/proc/self/environ", 132),
    ] {
        assert!(err.contains(&format!("`{path}`")), "{path} is named: {err}");
        assert!(
            err.contains(&format!("paths.ron:{line}:")),
            "{path} is located on line {line}: {err}"
        );
    }
    assert!(!err.contains("not an asset"), "{err}");
    // The same with the portrait inside assets/ is clean.
    let clean = starter_with(&[(
        "already_given: [\"order number\"],",
        "already_given: [\"order number\"],\n        portrait: \"sam.png\",",
    )]);
    let file = write(dir.path(), "clean.ron", &clean);
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", &file]);
    assert_eq!(code, 0, "{err}");
}

#[cfg(unix)]
#[test]
fn a_rubric_path_out_of_the_scenario_folder_is_refused_and_never_shown() {
    let dir = temp();
    library_with_assets(dir.path());
    std::fs::create_dir(dir.path().join("lib")).expect("lib");
    std::os::unix::fs::symlink("../secret.ogg", dir.path().join("lib/linked.rubric.ron"))
        .expect("link");
    write(
        dir.path(),
        "one.script.ron",
        "Script(moves: [(after: 5.0, do: Choose(1))])",
    );
    for rubric in [
        "/etc/passwd",
        "../../../../../../etc/passwd",
        "/dev/zero",
        "../secret.ogg",
        "linked.rubric.ron",
    ] {
        let text = starter_with(&[(
            "flags: [\"explained_delay\"],",
            &format!("flags: [\"explained_delay\"],\n    rubric: {rubric:?},"),
        )]);
        write(&dir.path().join("lib"), "call.ron", &text);
        let (code, _, err) = rapport_bounded(dir.path(), &["validate", "lib/call.ron"]);
        assert_eq!(code, 1, "{rubric}: {err}");
        // Named by its bare file name from inside its folder too.
        let (code, _, err) = rapport_bounded(&dir.path().join("lib"), &["validate", "call.ron"]);
        assert!(code == 1 && err.contains("RP0033"), "{rubric}: {err}");
        assert!(
            err.contains("RP0033") && err.contains("call.ron:"),
            "{rubric}: {err}"
        );
        let (code, out, err) = rapport_bounded(
            dir.path(),
            &[
                "run",
                "lib/call.ron",
                "--script",
                "one.script.ron",
                "--no-store",
            ],
        );
        assert_ne!(code, 0, "{rubric}: {err}");
        for seen in [&out, &err] {
            assert!(
                !seen.contains("root:"),
                "{rubric}: no foreign contents: {seen}"
            );
        }
        write(
            &dir.path().join("lib"),
            "call.testplan.ron",
            &plan_with_delays(&["5.0"]),
        );
        let (code, out, err) = rapport_bounded(dir.path(), &["test", "lib"]);
        assert_eq!(code, 2, "{rubric}: {out}{err}");
        assert!(err.contains("RP0033"), "{rubric}: {err}");
        assert!(!err.contains("root:") && !out.contains("root:"), "{err}");
    }
}

/// Runs `rapport` with its stdout a pipe whose reader has already gone (`rapport ... | :`).
#[cfg(unix)]
fn rapport_into_closed_pipe(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = rapport_command(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rapport starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("rapport ends");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_each_printing_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = temp();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = root.join("scenarios");
    let late = scenarios.join("late-delivery.ron");
    let late = late.to_str().expect("utf-8 path");
    let scenarios = scenarios.to_str().expect("utf-8 path");
    write(
        dir.path(),
        "one.script.ron",
        "Script(moves: [(after: 5.0, do: Choose(1))])",
    );
    for args in [
        &["analyse", "sorry", "--json"][..],
        &["validate", "--format", "json", scenarios],
        &["list"],
        &["graph", late],
        &["test", scenarios],
        &[
            "run",
            "late-delivery",
            "--script",
            "one.script.ron",
            "--no-store",
        ],
    ] {
        let (status, err) = rapport_into_closed_pipe(dir.path(), args);
        assert!(
            !err.contains("panicked"),
            "`rapport {}`: {err}",
            args.join(" ")
        );
        assert!(
            status.code().is_none_or(|code| code != 101) && status.signal().is_none_or(|s| s == 13),
            "`rapport {}` ends quietly: {status:?} {err}",
            args.join(" ")
        );
    }
}

#[test]
fn meter_conditions_empty_starts_and_escaped_values_are_located() {
    let dir = temp();
    for (edit, code, place) in [
        (
            ("Meter(Anger, Ge, 95)", "Meter(Anger, Ge, 950)"),
            "RP0018",
            "f.ron:52:34",
        ),
        (
            ("start: \"opening\",", "start: \"\","),
            "RP0022",
            "f.ron:55:12",
        ),
        (
            ("next: \"explain\",", r#"next: "expl\u{61}in-x","#),
            "RP0011",
            "f.ron:72:27",
        ),
        (
            (
                "set: [\"explained_delay\"],",
                r#"set: ["expl\u{61}ined_delay", "w\x61s_told"],"#,
            ),
            "RP0016",
            "f.ron:98:43",
        ),
    ] {
        let file = write(dir.path(), "f.ron", &starter_with(&[edit]));
        let (status, _, err) = rapport_bounded(dir.path(), &["validate", &file]);
        assert_eq!(status, 1, "{err}");
        let at = err.find(code).unwrap_or_else(|| panic!("{code}: {err}"));
        let section = &err[at..];
        let section = &section[..section[1..].find("RP00").map_or(section.len(), |i| i + 1)];
        assert!(
            section.contains(place),
            "{code} is located at {place}: {section}"
        );
    }
}

#[test]
fn a_run_whose_opening_loops_fails_with_an_engine_error() {
    let dir = temp();
    let text = starter_with(&[(
        r#"(id: "boils-over", when: Meter(Anger, Ge, 95), goto: "hung-up"),"#,
        r#"(id: "ping", when: Meter(Anger, Ge, 0), goto: "explain", once: false),
        (id: "pong", when: Meter(Anger, Ge, 0), goto: "close", once: false),"#,
    )]);
    let file = write(dir.path(), "pingpong.ron", &text);
    let script = write(
        dir.path(),
        "wait.script.ron",
        "Script(moves: [(after: 10.0, do: Wait)])",
    );
    let (code, out, err) = rapport_bounded(
        dir.path(),
        &["run", &file, "--script", &script, "--no-store"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("the scenario looped"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_test_plan_whose_scenario_path_leaves_its_folder_is_refused_and_never_shown() {
    let dir = temp();
    std::fs::create_dir(dir.path().join("plans")).expect("dir");
    write(dir.path(), "outside.ron", "root:x:0:0:not a scenario");
    for scenario in [
        "/etc/passwd",
        "../outside.ron",
        "../../../../../../etc/passwd",
    ] {
        let plan = plan_with_delays(&["5.0"]).replace("\"call.ron\"", &format!("{scenario:?}"));
        write(&dir.path().join("plans"), "p.testplan.ron", &plan);
        let (code, out, err) = rapport_bounded(dir.path(), &["test", "plans"]);
        assert_eq!(code, 2, "{scenario}: {out}{err}");
        assert!(
            err.contains("RP0033") && err.contains("p.testplan.ron:2:"),
            "{scenario}: {err}"
        );
        assert!(!err.contains("root:") && !out.contains("root:"), "{err}");
    }
}

#[test]
fn a_rubric_beside_a_scenario_named_by_its_bare_file_name_is_found() {
    let dir = temp();
    let rubric =
        std::fs::read_to_string(crate_path("scenarios/default.rubric.ron")).expect("rubric");
    write(dir.path(), "own.rubric.ron", &rubric);
    let text = starter_with(&[(
        "flags: [\"explained_delay\"],",
        "flags: [\"explained_delay\"],\n    rubric: \"own.rubric.ron\",",
    )]);
    write(dir.path(), "call.ron", &text);
    write(dir.path(), "call.testplan.ron", &plan_with_delays(&["5.0"]));
    let (code, _, err) = rapport_bounded(dir.path(), &["validate", "call.ron"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = rapport_bounded(dir.path(), &["test", "call.testplan.ron"]);
    assert_eq!(code, 0, "{out}{err}");
}
