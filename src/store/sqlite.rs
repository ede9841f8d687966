//! The SQLite results store, with versioned schema migrations.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Saved, StoreError};
use crate::scoring::Scorecard;
use crate::transcript::Transcript;

/// Schema migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE sessions (
    session_id       TEXT PRIMARY KEY,
    trainee          TEXT NOT NULL,
    scenario_id      TEXT NOT NULL,
    scenario_version INTEGER NOT NULL,
    scenario_hash    TEXT NOT NULL,
    seed             INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    rubric_id        TEXT NOT NULL,
    rubric_version   INTEGER NOT NULL,
    overall          REAL NOT NULL,
    passed           INTEGER NOT NULL,
    band             TEXT NOT NULL,
    handle_secs      REAL NOT NULL,
    transcript       TEXT NOT NULL,
    scorecard        TEXT NOT NULL
);
CREATE INDEX sessions_trainee ON sessions (trainee, started_at);
CREATE INDEX sessions_scenario ON sessions (scenario_id, started_at);
CREATE TABLE criterion_scores (
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    criterion  TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    rating     INTEGER,
    score      REAL,
    PRIMARY KEY (session_id, criterion)
);
CREATE TABLE dimension_scores (
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    dimension  TEXT NOT NULL,
    score      REAL,
    PRIMARY KEY (session_id, dimension)
);
"#];

/// A SQLite database of sessions.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported,
            });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Stores a session in one transaction; a session already stored is left as it is.
    pub fn save_session(
        &mut self,
        transcript: &Transcript,
        card: &Scorecard,
    ) -> Result<Saved, StoreError> {
        let header = &transcript.header;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists = tx
            .query_row(
                "SELECT 1 FROM sessions WHERE session_id = ?1",
                [&header.session_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if exists {
            return Ok(Saved::AlreadyStored);
        }
        tx.execute(
            "INSERT INTO sessions (session_id, trainee, scenario_id, scenario_version, scenario_hash, seed, started_at, outcome, rubric_id, rubric_version, overall, passed, band, handle_secs, transcript, scorecard)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                header.session_id,
                header.trainee,
                header.scenario_id,
                header.scenario_version,
                header.scenario_hash,
                header.seed as i64,
                header.started_at,
                card.outcome.label(),
                card.rubric_id,
                card.rubric_version,
                card.overall,
                card.passed,
                card.band,
                card.handle_secs,
                transcript.to_jsonl(),
                serde_json::to_string(card).unwrap_or_default(),
            ],
        )?;
        for criterion in &card.criteria {
            tx.execute(
                "INSERT INTO criterion_scores (session_id, criterion, dimension, rating, score) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![header.session_id, criterion.id, criterion.dimension.label(), criterion.rating, criterion.score],
            )?;
        }
        for dimension in &card.dimensions {
            tx.execute(
                "INSERT INTO dimension_scores (session_id, dimension, score) VALUES (?1, ?2, ?3)",
                params![
                    header.session_id,
                    dimension.dimension.label(),
                    dimension.score
                ],
            )?;
        }
        tx.commit()?;
        Ok(Saved::Added)
    }
}
