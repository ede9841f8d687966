//! The results store: every finished session (transcript and scorecard) kept for QA leads.

mod sqlite;

use std::path::PathBuf;

use crate::scoring::Scorecard;
use crate::transcript::Transcript;

pub use sqlite::SqliteStore;

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the results database `{path}`: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the data directory `{path}`: {source}")]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the results database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the results database holds schema version {found}, newer than this rapport understands ({supported}); upgrade rapport"
    )]
    SchemaTooNew { found: i64, supported: i64 },
}

/// Whether a save added a session or found it already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Added,
    AlreadyStored,
}

/// The results store in use.
#[derive(Debug)]
pub enum Store {
    Sqlite(SqliteStore),
}

impl Store {
    /// Opens the store named by `--db`/`RAPPORT_DB`, or the default SQLite file in the data directory.
    pub fn open(db: Option<&str>) -> Result<Store, StoreError> {
        let path = db.map_or_else(
            || crate::paths::data_dir().join("rapport.sqlite3"),
            PathBuf::from,
        );
        Ok(Store::Sqlite(SqliteStore::open(&path)?))
    }

    /// Stores a finished session; storing the same session twice changes nothing.
    pub fn save_session(
        &mut self,
        transcript: &Transcript,
        scorecard: &Scorecard,
    ) -> Result<Saved, StoreError> {
        match self {
            Store::Sqlite(store) => store.save_session(transcript, scorecard),
        }
    }
}
