//! Reading the files Rapport is given, boundedly, and walking directories once over.
//!
//! Every file a command reads (scenarios, rubrics, lexicons, test plans, scripts, transcripts)
//! comes through [`read_bounded`]: it refuses what is not a regular file before opening it (a
//! FIFO would block, `/dev/zero` never ends), opens without blocking in case the file was
//! swapped meanwhile, and reads at most one byte past the cap whatever the file's reported size
//! says (a `/proc` file reports 0). [`walk_files`] visits each directory and each file once, so
//! symlinks to `.` or to a parent cannot make a walk loop or repeat.

use std::collections::HashSet;
use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read `{}`: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is {kind}, not a regular file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    /// `size` is the size the file reports, when that alone is over the cap; a file that
    /// reports less (a `/proc` file reports 0) is caught by reading one byte past the cap.
    #[error("`{}` is {} bytes; the limit is {cap} bytes", path.display(), size.map_or_else(|| format!("more than {cap}"), |s| s.to_string()))]
    TooLarge {
        path: PathBuf,
        cap: u64,
        size: Option<u64>,
    },
}

/// Reads a whole regular file of at most `cap` bytes.
pub fn read_bounded(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let open_error = |source| ReadError::Open {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(open_error)?;
    check_regular(path, &meta)?;
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            cap,
            size: Some(meta.len()),
        });
    }
    let file = open_nonblocking(path).map_err(open_error)?;
    // The path may have been swapped between the check and the open: check what was opened.
    check_regular(path, &file.metadata().map_err(open_error)?)?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(open_error)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            cap,
            size: None,
        });
    }
    Ok(bytes)
}

/// Refuses anything but a regular file, naming what it is.
pub fn check_regular(path: &Path, meta: &Metadata) -> Result<(), ReadError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(ReadError::NotAFile {
        path: path.to_path_buf(),
        kind: kind_of(meta),
    })
}

/// What a file that is not a regular file is, in words.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// What identifies a file or directory however it is reached (device and inode on Unix, the
/// canonical path elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

fn identity(path: &Path, meta: &Metadata) -> Identity {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Identity::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Identity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// Every file under `root` whose path `wanted` accepts, sorted. Symlinks are followed, but each
/// directory is entered once and each file listed once, so link loops end and two links to one
/// file give it once. Unreadable directories and broken links are skipped. A file of the wanted
/// name that is not a regular file (a FIFO called `x.ron`) is listed, so that reading it says
/// what it is.
pub fn walk_files(root: &Path, wanted: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut seen: HashSet<Identity> = HashSet::new();
    let mut pending = vec![root.to_path_buf()];
    if let Ok(meta) = std::fs::metadata(root) {
        seen.insert(identity(root, &meta));
    }
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if seen.insert(identity(&path, &meta)) {
                    pending.push(path);
                }
            } else if wanted(&path) && seen.insert(identity(&path, &meta)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_cap_is_refused_and_one_at_the_cap_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").expect("write");
        assert_eq!(read_bounded(&path, 5).expect("read"), b"12345");
        assert!(matches!(
            read_bounded(&path, 4),
            Err(ReadError::TooLarge { cap: 4, .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_that_reports_no_size_is_refused_not_read_forever() {
        let error = read_bounded(Path::new("/dev/zero"), 1024).expect_err("refused");
        assert!(error.to_string().contains("a device"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn links_to_the_same_directory_are_walked_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.ron"), "x").expect("write");
        std::os::unix::fs::symlink(".", dir.path().join("loop1")).expect("link");
        std::os::unix::fs::symlink(".", dir.path().join("loop2")).expect("link");
        std::os::unix::fs::symlink("a.ron", dir.path().join("b.ron")).expect("link");
        let found = walk_files(dir.path(), |p| p.extension().is_some_and(|e| e == "ron"));
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
