//! `validate --watch` and `test --watch` as a trainer meets them: run in a terminal (a pty, made
//! by util-linux's `script`), a file changed underneath, and only what changed printed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use super::util::{crate_path, rapport_command};

/// How long a watcher may take to notice a save and print its results.
const NOTICE_TIMEOUT: Duration = Duration::from_secs(30);

/// A `rapport … --watch` running in a pseudo-terminal, with its output read line by line.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: String,
}

impl Watcher {
    fn start(dir: &Path, args: &[&str]) -> Watcher {
        let probe = rapport_command(dir);
        let mut line = shell_quote(probe.get_program().to_string_lossy().as_ref());
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut command = std::process::Command::new("script");
        command
            .args(["-qfec", &line, "/dev/null"])
            .current_dir(dir)
            .envs(
                probe
                    .get_envs()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("`script` (util-linux) runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher {
            child,
            lines,
            seen: String::new(),
        }
    }

    /// Reads output until a line contains `needle`; fails with everything seen if it never does.
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + NOTICE_TIMEOUT;
        let mut since = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let line = line.trim_end_matches('\r').to_owned();
                    since.push_str(&line);
                    since.push('\n');
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                    if line.contains(needle) {
                        return since;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                    "the watcher never printed `{needle}`; it printed:\n{}",
                    self.seen
                ),
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// A library folder with one shipped scenario and its test plan.
fn library_with_late_delivery() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let shipped = crate_path("scenarios");
    for name in ["late-delivery.ron", "late-delivery.testplan.ron"] {
        std::fs::copy(shipped.join(name), dir.path().join(name)).expect("copy");
    }
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "`{from}` is in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn validate_watch_prints_a_new_error_on_save_and_its_fix() {
    let library = library_with_late_delivery();
    let scenario = library.path().join("late-delivery.ron");
    let mut watcher = Watcher::start(library.path(), &["validate", "--watch", "."]);
    let first = watcher.wait_for("watching");
    assert!(first.contains("1 file(s) checked: 0 error(s)"), "{first}");

    edit(&scenario, r#"start: "opening""#, r#"start: "openin""#);
    let broken = watcher.wait_for("file(s) checked");
    assert!(broken.contains("changed: ./late-delivery.ron"), "{broken}");
    assert!(broken.contains("new:  error[RP0011]"), "{broken}");
    assert!(broken.contains("1 error(s)"), "{broken}");

    edit(&scenario, r#"start: "openin""#, r#"start: "opening""#);
    let fixed = watcher.wait_for("file(s) checked");
    assert!(fixed.contains("gone: error[RP0011]"), "{fixed}");
    assert!(!fixed.contains("new:"), "only the fix is printed:\n{fixed}");
}

#[test]
fn test_watch_prints_only_the_runs_whose_result_changed() {
    let library = library_with_late_delivery();
    let plan = library.path().join("late-delivery.testplan.ron");
    let mut watcher = Watcher::start(library.path(), &["test", "--watch", "."]);
    let first = watcher.wait_for("watching");
    assert!(first.contains("3 passed, 0 failed"), "{first}");

    edit(&plan, r#"ending: "resolved""#, r#"ending: "hung-up""#);
    let failing = watcher.wait_for("passed,");
    assert!(failing.contains("new:  FAIL"), "{failing}");
    assert!(failing.contains("gone: ok   "), "{failing}");
    assert_eq!(
        failing.matches("new:").count(),
        1,
        "one run changed:\n{failing}"
    );
    assert!(failing.contains("2 passed, 1 failed"), "{failing}");
}
