//! Which files changed on disk: every file under the watched paths with its modification time and
//! length, compared between two looks, and a watcher that reports a change once it has settled.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How deep a watched folder is walked; a scenario library is a few levels at most.
const MAX_DEPTH: usize = 8;

/// When a file last changed, as far as its metadata tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

/// Every file under some paths with its modification time and length, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileStamps(BTreeMap<PathBuf, Stamp>);

impl FileStamps {
    /// Looks at every file under `paths` (files, or folders walked to a bounded depth; symbolic
    /// links to folders are not followed, so a link loop cannot make the walk endless).
    pub fn of(paths: &[PathBuf]) -> FileStamps {
        let mut files = BTreeMap::new();
        for path in paths {
            walk(path, 0, &mut files);
        }
        FileStamps(files)
    }

    /// The files added, changed or removed since `earlier`, sorted.
    pub fn changed_since(&self, earlier: &FileStamps) -> Vec<PathBuf> {
        let mut changed: BTreeSet<&PathBuf> = BTreeSet::new();
        for (path, stamp) in &self.0 {
            if earlier.0.get(path) != Some(stamp) {
                changed.insert(path);
            }
        }
        changed.extend(earlier.0.keys().filter(|path| !self.0.contains_key(*path)));
        changed.into_iter().cloned().collect()
    }
}

/// Adds `path` (a file) or the files under it (a folder) to `files`.
fn walk(path: &Path, depth: usize, files: &mut BTreeMap<PathBuf, Stamp>) {
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
        let stamp = Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        };
        files.insert(path.to_owned(), stamp);
    }
}

/// Watches paths by looking at their files now and then; reports a change once two looks in a
/// row agree, so an editor's save (write, rename, touch) is read once it is whole.
#[derive(Debug, Clone)]
pub struct StampWatch {
    paths: Vec<PathBuf>,
    /// What was last reported (or seen at the start).
    reported: FileStamps,
    /// A change seen at the last look, waiting for the next look to confirm it has settled.
    settling: Option<FileStamps>,
}

impl StampWatch {
    /// Starts watching `paths` as they are now.
    pub fn new(paths: Vec<PathBuf>) -> StampWatch {
        let reported = FileStamps::of(&paths);
        StampWatch {
            paths,
            reported,
            settling: None,
        }
    }

    /// The watched paths.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Looks again: the files that changed since the last report, once they have stayed the same
    /// for one look; `None` while nothing changed or a change is still settling.
    pub fn poll(&mut self) -> Option<Vec<PathBuf>> {
        let now = FileStamps::of(&self.paths);
        if now == self.reported {
            self.settling = None;
            return None;
        }
        if self.settling.as_ref() != Some(&now) {
            self.settling = Some(now);
            return None;
        }
        self.settling = None;
        let changed = now.changed_since(&self.reported);
        self.reported = now;
        Some(changed)
    }
}

/// Watches `paths` on a thread of its own, looking every `interval`, and hands each settled change
/// to `on_change`; the thread ends when `on_change` returns false (its receiver has gone).
pub fn watch_in_background(
    paths: Vec<PathBuf>,
    interval: Duration,
    mut on_change: impl FnMut(Vec<PathBuf>) -> bool + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("rapport-file-watch".to_owned())
        .spawn(move || {
            let mut watch = StampWatch::new(paths);
            loop {
                std::thread::sleep(interval);
                if let Some(changed) = watch.poll()
                    && !on_change(changed)
                {
                    return;
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_is_seen_as_changed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ron");
        std::fs::write(&file, "()").unwrap();
        let before = FileStamps::of(&[dir.path().to_owned()]);
        std::fs::write(&file, "(longer)").unwrap();
        let now = FileStamps::of(&[dir.path().to_owned()]);
        assert_eq!(now.changed_since(&before), [file]);
    }

    #[test]
    fn added_and_removed_files_are_changes() {
        let dir = tempfile::tempdir().unwrap();
        let (kept, gone, new) = (
            dir.path().join("kept.ron"),
            dir.path().join("gone.ron"),
            dir.path().join("new.ron"),
        );
        std::fs::write(&kept, "()").unwrap();
        std::fs::write(&gone, "()").unwrap();
        let before = FileStamps::of(&[dir.path().to_owned()]);
        std::fs::remove_file(&gone).unwrap();
        std::fs::write(&new, "()").unwrap();
        let now = FileStamps::of(&[dir.path().to_owned()]);
        assert_eq!(now.changed_since(&before), [gone, new]);
    }

    #[test]
    fn a_change_is_reported_once_it_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ron");
        std::fs::write(&file, "()").unwrap();
        let mut watch = StampWatch::new(vec![dir.path().to_owned()]);
        assert_eq!(watch.poll(), None, "nothing changed");
        std::fs::write(&file, "(changed)").unwrap();
        assert_eq!(watch.poll(), None, "the change is still settling");
        assert_eq!(watch.poll(), Some(vec![file.clone()]));
        assert_eq!(watch.poll(), None, "reported once");
        std::fs::write(&file, "(changed again)").unwrap();
        watch.poll();
        std::fs::write(&file, "(and again, mid-save)").unwrap();
        assert_eq!(watch.poll(), None, "still being written");
        assert_eq!(watch.poll(), Some(vec![file]));
    }
}
