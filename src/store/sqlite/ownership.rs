//! Whether a SQLite file is Rapport's, decided before anything is written to it.
//!
//! Rapport marks its databases with `PRAGMA application_id` ([`RAPPORT_APPLICATION_ID`]). A file
//! with another application id, or with tables but neither the mark nor Rapport's schema, belongs
//! to another program and is refused untouched: no table added, no `user_version` set, no switch to
//! WAL. Databases made before the mark existed are recognised by their schema and marked.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{Connection, ErrorCode};

use crate::store::StoreError;

/// Rapport's `PRAGMA application_id`: "RPRT" in ASCII.
pub const RAPPORT_APPLICATION_ID: i32 = 0x5250_5254;

/// The tables of each schema version Rapport has made, by `user_version` (1-based).
const SCHEMA_TABLES: &[&[&str]] = &[
    &["sessions", "criterion_scores", "dimension_scores"],
    &[
        "sessions",
        "session_documents",
        "criterion_scores",
        "teams",
        "reviews",
    ],
    &[
        "sessions",
        "session_documents",
        "criterion_scores",
        "reviews",
        "review_retractions",
        "score_revisions",
        "team_memberships",
    ],
];

/// Columns every version of Rapport's `sessions` table has.
const SESSION_COLUMNS: &[&str] = &[
    "session_id",
    "trainee",
    "scenario_id",
    "scenario_hash",
    "seed",
    "started_at",
    "overall",
];

/// Whose a SQLite file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// Marked as Rapport's.
    Marked,
    /// Rapport's but not marked yet: new and empty, or made before the mark existed.
    Unmarked,
}

/// Decides whether the database is Rapport's, reading only.
pub fn check(conn: &Connection, location: &str) -> Result<Ownership, StoreError> {
    let read = |source| super::classify(location, 0.0, source);
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(read)?;
    let refuse = |reason: String| StoreError::ForeignDatabase {
        location: location.to_owned(),
        reason,
    };
    if application_id == RAPPORT_APPLICATION_ID {
        return Ok(Ownership::Marked);
    }
    if application_id != 0 {
        return Err(refuse(format!(
            "its application id is {application_id}, another program's"
        )));
    }
    let tables = table_names(conn).map_err(read)?;
    if tables.is_empty() {
        return Ok(Ownership::Unmarked);
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(read)?;
    // A version newer than this list (a newer Rapport's, refused later as too new) is checked
    // against the newest tables known here.
    let expected = usize::try_from(version)
        .ok()
        .and_then(|v| v.checked_sub(1))
        .map(|index| index.min(SCHEMA_TABLES.len() - 1))
        .and_then(|index| SCHEMA_TABLES.get(index));
    let Some(expected) = expected else {
        return Err(refuse(format!(
            "it holds tables Rapport did not make ({}) and no Rapport schema version",
            listed(&tables)
        )));
    };
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|t| !tables.contains(*t))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "it lacks Rapport's tables {} (it holds {})",
            missing
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            listed(&tables)
        )));
    }
    let columns = column_names(conn, "sessions").map_err(read)?;
    let lacking: Vec<&str> = SESSION_COLUMNS
        .iter()
        .copied()
        .filter(|c| !columns.contains(*c))
        .collect();
    if !lacking.is_empty() {
        return Err(refuse(format!(
            "its `sessions` table is not Rapport's (it has no {})",
            lacking
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(Ownership::Unmarked)
}

/// Marks a database as Rapport's.
pub fn mark(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "application_id", RAPPORT_APPLICATION_ID)
}

/// A store error on opening, made plainer: SQLite's "unable to open database file" on a file or
/// directory that cannot be written is reported as read-only.
pub fn explain_cannot_open(path: &Path, error: StoreError) -> StoreError {
    let cannot_open = match &error {
        StoreError::Sqlite { source, .. } => {
            source.sqlite_error_code() == Some(ErrorCode::CannotOpen)
        }
        _ => false,
    };
    if cannot_open && is_read_only(path) {
        return StoreError::ReadOnly {
            location: path.display().to_string(),
        };
    }
    error
}

/// Whether the database file, or the directory SQLite writes its journal into, refuses writes.
fn is_read_only(path: &Path) -> bool {
    let refused = |error: &std::io::Error| {
        matches!(
            error.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        ) || error.raw_os_error() == Some(EPERM)
    };
    if let Err(error) = std::fs::OpenOptions::new().append(true).open(path)
        && refused(&error)
    {
        return true;
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = dir.join(format!(".rapport-write-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(error) => refused(&error),
    }
}

/// `EPERM`, which an immutable file or directory gives even to root.
const EPERM: i32 = 1;

fn table_names(conn: &Connection) -> rusqlite::Result<BTreeSet<String>> {
    let mut statement = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let names = statement.query_map([], |row| row.get(0))?;
    names.collect()
}

fn column_names(conn: &Connection, table: &str) -> rusqlite::Result<BTreeSet<String>> {
    let mut statement = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let names = statement.query_map([table], |row| row.get(0))?;
    names.collect()
}

/// Table names for a message, at most five.
fn listed(tables: &BTreeSet<String>) -> String {
    let mut names: Vec<String> = tables.iter().take(5).map(|t| format!("`{t}`")).collect();
    if tables.len() > 5 {
        names.push("…".to_owned());
    }
    names.join(", ")
}
