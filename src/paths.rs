//! Where Rapport keeps its data: transcripts and the results database.

use std::path::PathBuf;

/// Overrides the data directory (tests, portable installs).
pub const HOME_ENV: &str = "RAPPORT_HOME";

/// The data directory: `$RAPPORT_HOME`, else the platform's data directory, else `./.rapport`.
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os(HOME_ENV) {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("", "", "rapport").map_or_else(
        || PathBuf::from(".rapport"),
        |dirs| dirs.data_dir().to_path_buf(),
    )
}

/// Where transcripts are written unless `--transcript` says otherwise.
pub fn transcripts_dir() -> PathBuf {
    data_dir().join("transcripts")
}
