//! Where the files a scenario names may be: inside the library's folders, regular, and of bounded size.
//!
//! A scenario names a portrait, a voice, line recordings (relative to the assets directory) and
//! a rubric (relative to the scenario). Each must resolve, after following symlinks, to a
//! regular file inside its root: `/etc/passwd`, `../../../etc/passwd`, `/proc/self/environ`,
//! `/dev/zero` and a link out of `assets/` are refused, by the validator and again where the
//! file is used, so what a file says cannot make Rapport read outside its folders.

use std::path::{Path, PathBuf};

/// The largest asset (image or recording) Rapport accepts.
pub const MAX_ASSET_BYTES: u64 = 64 * 1024 * 1024;

/// Why a path named by a scenario cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    #[error("`{path}` does not exist (looked in `{}`)", root.display())]
    Missing { path: String, root: PathBuf },
    #[error("`{path}` is an absolute path; paths are relative to `{}`", root.display())]
    Absolute { path: String, root: PathBuf },
    #[error("`{path}` leads outside `{}`", root.display())]
    Outside { path: String, root: PathBuf },
    #[error("`{path}` is {kind}, not a regular file")]
    NotAFile { path: String, kind: &'static str },
    #[error("`{path}` is {size} bytes; the limit is {cap} bytes")]
    TooLarge { path: String, size: u64, cap: u64 },
}

impl PathProblem {
    /// Whether the file is simply not there (RP0015), rather than unsafe to read (RP0033).
    pub fn is_missing(&self) -> bool {
        matches!(self, PathProblem::Missing { .. })
    }
}

/// Resolves `relative` under `root`: after following every link it must lie inside `root` and
/// be a regular file of at most `cap` bytes. Returns the resolved path, to be read as it is.
pub fn resolve_inside(root: &Path, relative: &str, cap: u64) -> Result<PathBuf, PathProblem> {
    // The parent of a bare file name (`call.ron`) is the empty path: the current directory.
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let path = relative.to_owned();
    if Path::new(relative).is_absolute() || relative.starts_with('~') {
        return Err(PathProblem::Absolute {
            path,
            root: root.to_path_buf(),
        });
    }
    let missing = || PathProblem::Missing {
        path: relative.to_owned(),
        root: root.to_path_buf(),
    };
    let root_resolved = std::fs::canonicalize(root).map_err(|_| missing())?;
    let resolved = std::fs::canonicalize(root_resolved.join(relative)).map_err(|_| missing())?;
    if !resolved.starts_with(&root_resolved) {
        return Err(PathProblem::Outside {
            path,
            root: root.to_path_buf(),
        });
    }
    let meta = std::fs::metadata(&resolved).map_err(|_| missing())?;
    if !meta.is_file() {
        return Err(PathProblem::NotAFile {
            path,
            kind: crate::files::kind_of(&meta),
        });
    }
    if meta.len() > cap {
        return Err(PathProblem::TooLarge {
            path,
            size: meta.len(),
            cap,
        });
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_out_of_the_root_are_refused_and_paths_in_it_resolve() {
        let dir = tempfile::tempdir().expect("temp dir");
        let assets = dir.path().join("assets");
        std::fs::create_dir_all(assets.join("faces")).expect("dirs");
        std::fs::write(assets.join("faces/sam.png"), b"png").expect("write");
        std::fs::write(dir.path().join("secret.txt"), b"secret").expect("write");
        let cap = MAX_ASSET_BYTES;
        assert!(resolve_inside(&assets, "faces/sam.png", cap).is_ok());
        assert!(resolve_inside(&assets, "faces/../faces/sam.png", cap).is_ok());
        for (path, problem) in [
            ("/etc/passwd", "an absolute path"),
            ("../secret.txt", "leads outside"),
            ("../../../../../../etc/passwd", "leads outside"),
            ("faces", "a directory"),
            ("faces/none.png", "does not exist"),
        ] {
            let error = resolve_inside(&assets, path, cap).expect_err(path);
            assert!(error.to_string().contains(problem), "{path}: {error}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../secret.txt", assets.join("link.png")).expect("link");
            std::os::unix::fs::symlink("/dev/zero", assets.join("zero.ogg")).expect("link");
            let error = resolve_inside(&assets, "link.png", cap).expect_err("link out");
            assert!(error.to_string().contains("leads outside"), "{error}");
            let error = resolve_inside(&assets, "zero.ogg", cap).expect_err("device");
            assert!(error.to_string().contains("leads outside"), "{error}");
        }
        assert!(resolve_inside(&assets, "faces/sam.png", 2).is_err());
        // A bare file name's folder is the empty path, read as the current directory.
        let here = std::env::current_dir().expect("cwd");
        let relative = Path::new("Cargo.toml");
        if here.join(relative).is_file() {
            assert!(resolve_inside(Path::new(""), "Cargo.toml", cap).is_ok());
        }
    }
}
