//! `--watch` for `validate` and `test`: runs the check once in full, then again on every save
//! under the watched paths, printing only the results that appeared or went away.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use rapport::reload::FileStamps;

/// How often the watched files are looked at.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long to wait after a change before checking, so an editor's save (write, rename, touch)
/// is read once it is whole.
const SETTLE: Duration = Duration::from_millis(150);

/// What one run of a check found: one line per result, and a summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Results {
    pub lines: BTreeSet<String>,
    pub summary: String,
}

/// What changed between two runs of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Changes {
    pub appeared: Vec<String>,
    pub went_away: Vec<String>,
}

impl Changes {
    /// The results in `now` that were not in `before`, and those of `before` that are gone.
    pub fn between(before: &Results, now: &Results) -> Changes {
        Changes {
            appeared: now.lines.difference(&before.lines).cloned().collect(),
            went_away: before.lines.difference(&now.lines).cloned().collect(),
        }
    }
}

/// Runs `check` now and after every change to a file under `paths`, until interrupted.
pub(super) fn watch(paths: &[PathBuf], mut check: impl FnMut() -> Results) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    // Taken before the first check, so a save made while it runs is seen.
    let mut seen = FileStamps::of(paths);
    let mut last = check();
    for line in &last.lines {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", last.summary)?;
    writeln!(
        out,
        "watching {} for changes (Ctrl-C stops)",
        shown_paths(paths)
    )?;
    out.flush()?;
    loop {
        std::thread::sleep(POLL_INTERVAL);
        let now = FileStamps::of(paths);
        if now == seen {
            continue;
        }
        std::thread::sleep(SETTLE);
        let settled = FileStamps::of(paths);
        let changed_files: Vec<String> = settled
            .changed_since(&seen)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        seen = settled;
        let results = check();
        let changes = Changes::between(&last, &results);
        writeln!(
            out,
            "\n[{}] changed: {}",
            clock_time(),
            changed_files.join(", ")
        )?;
        if changes.appeared.is_empty() && changes.went_away.is_empty() {
            writeln!(out, "  no change in the results")?;
        }
        for line in &changes.went_away {
            writeln!(out, "  gone: {line}")?;
        }
        for line in &changes.appeared {
            writeln!(out, "  new:  {line}")?;
        }
        writeln!(out, "{}", results.summary)?;
        out.flush()?;
        last = results;
    }
}

/// The watched paths, for the banner.
fn shown_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The time of day in UTC, `HH:MM:SS`.
fn clock_time() -> String {
    let now = jiff::Timestamp::now();
    now.strftime("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(lines: &[&str]) -> Results {
        Results {
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            summary: String::new(),
        }
    }

    #[test]
    fn only_what_appeared_or_went_away_is_a_change() {
        let before = results(&["error A", "warning B"]);
        let now = results(&["warning B", "error C"]);
        let changes = Changes::between(&before, &now);
        assert_eq!(changes.appeared, ["error C"]);
        assert_eq!(changes.went_away, ["error A"]);
        assert_eq!(Changes::between(&now, &now), Changes::default());
    }
}
