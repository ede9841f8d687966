//! `--watch` for `validate` and `test`: runs the check once in full, then again on every save
//! under the watched paths, printing only the results that appeared or went away.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the watched files are looked at.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long to wait after a change before checking, so an editor's save (write, rename, touch)
/// is read once it is whole.
const SETTLE: Duration = Duration::from_millis(150);

/// How deep a watched folder is walked; a scenario library is a few levels at most.
const MAX_DEPTH: usize = 8;

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
    let mut seen = snapshot(paths);
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
        let now = snapshot(paths);
        if now == seen {
            continue;
        }
        std::thread::sleep(SETTLE);
        let settled = snapshot(paths);
        let changed_files = changed_files(&seen, &settled);
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

/// Every file under the watched paths with its modification time and length.
fn snapshot(paths: &[PathBuf]) -> BTreeMap<PathBuf, (Option<SystemTime>, u64)> {
    let mut files = BTreeMap::new();
    for path in paths {
        walk(path, 0, &mut files);
    }
    files
}

/// Adds `path` (a file) or the files under it (a folder) to `files`; symbolic links to folders
/// are not followed, so a link loop cannot make the walk endless.
fn walk(path: &Path, depth: usize, files: &mut BTreeMap<PathBuf, (Option<SystemTime>, u64)>) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_dir() {
        if depth >= MAX_DEPTH {
            return;
        }
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            walk(&entry.path(), depth + 1, files);
        }
    } else if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
    {
        files.insert(path.to_owned(), (meta.modified().ok(), meta.len()));
    }
}

/// The files added, changed or removed between two snapshots.
fn changed_files(
    before: &BTreeMap<PathBuf, (Option<SystemTime>, u64)>,
    now: &BTreeMap<PathBuf, (Option<SystemTime>, u64)>,
) -> Vec<String> {
    let mut changed: BTreeSet<&PathBuf> = BTreeSet::new();
    for (path, stamp) in now {
        if before.get(path) != Some(stamp) {
            changed.insert(path);
        }
    }
    changed.extend(before.keys().filter(|path| !now.contains_key(*path)));
    changed.iter().map(|p| p.display().to_string()).collect()
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

    #[test]
    fn a_saved_file_is_seen_as_changed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ron");
        std::fs::write(&file, "()").unwrap();
        let before = snapshot(&[dir.path().to_owned()]);
        std::fs::write(&file, "(longer)").unwrap();
        let now = snapshot(&[dir.path().to_owned()]);
        assert_eq!(changed_files(&before, &now), [file.display().to_string()]);
    }
}
