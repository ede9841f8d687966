//! The results store: every finished session (transcript and scorecard) kept for QA leads, in SQLite or PostgreSQL.
//!
//! One interface ([`Store`]) over two backends. Each backend has its own versioned migrations;
//! the rows, filters and reviews are shared types, so reports read the same from both.

pub mod import;
mod postgres;
mod record;
pub mod sample;
mod sqlite;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::scenario::Dimension;
use crate::scoring::Scorecard;
use crate::transcript::Transcript;

pub use self::postgres::PostgresStore;
pub use record::SessionRecord;
pub use sqlite::SqliteStore;

/// The environment variable naming the results database (a SQLite path or a `postgres://` URL).
pub const DB_ENV: &str = "RAPPORT_DB";

/// What to do about an empty `--db` or `RAPPORT_DB`.
pub const EMPTY_LOCATION_HELP: &str = "the results database location is empty (an empty SQLite path would be a temporary database that keeps nothing); give a SQLite path or a postgres:// URL with --db or RAPPORT_DB, or unset RAPPORT_DB to use the default store";

/// How long a writer waits for another writer's lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the results database `{path}`")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{}", EMPTY_LOCATION_HELP)]
    EmptyLocation,
    #[error("cannot create the data directory `{path}`")]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the results database `{location}` failed")]
    Sqlite {
        location: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "`{location}` is not a Rapport results database (it is not a SQLite file, or it is damaged); choose another file with --db, or move it away"
    )]
    NotADatabase {
        location: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "`{location}` is not a Rapport results database: {reason}. It was left untouched; choose another file with --db, or move it away"
    )]
    ForeignDatabase { location: String, reason: String },
    #[error(
        "the results database `{location}` is locked by another program (waited {waited_secs:.1} s); nothing was written — try again when it is done"
    )]
    Locked { location: String, waited_secs: f64 },
    #[error(
        "the disk holding the results database `{location}` is full; nothing was written — free some space and run the command again (`rapport import` stores transcripts later)"
    )]
    DiskFull { location: String },
    #[error(
        "the results database `{location}` is read-only; nothing was written — check its permissions or choose another with --db"
    )]
    ReadOnly { location: String },
    #[error(
        "cannot connect to the PostgreSQL results database `{location}`; check the server is running and the URL given by --db or RAPPORT_DB"
    )]
    Connect {
        location: String,
        #[source]
        source: ::postgres::Error,
    },
    #[error("the PostgreSQL results database `{location}` failed")]
    Postgres {
        location: String,
        #[source]
        source: ::postgres::Error,
    },
    #[error(
        "the results database holds schema version {found}, newer than this rapport understands ({supported}); upgrade rapport"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error(
        "session `{session_id}` has the start time `{started_at}`, which is not an RFC 3339 timestamp"
    )]
    BadStartTime {
        session_id: String,
        started_at: String,
    },
    #[error("the stored session `{session_id}` cannot be read back: {message}")]
    Decode { session_id: String, message: String },
    #[error(
        "another session is stored under the id `{session_id}` with a different transcript; nothing was written and the stored session is kept"
    )]
    DifferentSession { session_id: String },
    #[error(
        "no stored session has an id starting with `{prefix}`; `rapport report --format json` lists session ids"
    )]
    NoSuchSession { prefix: String },
    #[error(
        "`{prefix}` matches {count} stored sessions (`{first}`, `{second}`, …); give more of the id"
    )]
    AmbiguousSession {
        prefix: String,
        count: usize,
        first: String,
        second: String,
    },
}

/// Whether a save added a session, found it already stored, or found another session under its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Added,
    /// The same transcript is stored: nothing changed.
    AlreadyStored,
    /// A different transcript is stored under the same id: nothing was written, the stored
    /// session is kept.
    Different,
}

/// Which stored sessions a query is about; empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub trainees: Vec<String>,
    /// Teams, through the trainee → team mapping.
    pub teams: Vec<String>,
    pub scenarios: Vec<String>,
    /// Sessions started at or after this Unix time (seconds).
    pub since: Option<i64>,
    /// Sessions started before this Unix time (seconds).
    pub until: Option<i64>,
}

/// Per-dimension scores in [`Dimension::ALL`] order.
pub type DimensionScores = [Option<f64>; 4];

/// One stored session as reports read it: no transcript, machine and final (reviewed) scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub session_id: String,
    pub trainee: String,
    pub team: Option<String>,
    pub scenario_id: String,
    pub started_at: String,
    /// Unix time of the start, in seconds.
    pub started_epoch: i64,
    pub outcome: String,
    pub handle_secs: f64,
    /// The machine's overall score.
    pub overall: f64,
    pub passed: bool,
    /// Whether a reviewer changed any criterion.
    pub reviewed: bool,
    /// The overall after reviews (the machine's when unreviewed).
    pub final_overall: f64,
    pub final_passed: bool,
    pub dimensions: DimensionScores,
    pub final_dimensions: DimensionScores,
}

impl SessionSummary {
    /// The machine's score of one dimension.
    pub fn dimension(&self, dimension: Dimension) -> Option<f64> {
        self.dimensions[dimension_index(dimension)]
    }

    /// The score of one dimension after reviews.
    pub fn final_dimension(&self, dimension: Dimension) -> Option<f64> {
        self.final_dimensions[dimension_index(dimension)]
    }
}

/// The position of a dimension in [`DimensionScores`].
pub fn dimension_index(dimension: Dimension) -> usize {
    Dimension::ALL
        .iter()
        .position(|d| *d == dimension)
        .unwrap_or(0)
}

/// The dimension with this label (`empathy`).
pub fn dimension_from_label(label: &str) -> Option<Dimension> {
    Dimension::ALL.into_iter().find(|d| d.label() == label)
}

/// A trainee's mean score on one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionMean {
    pub trainee: String,
    pub criterion: String,
    pub dimension: String,
    /// The machine's mean score (0–100) over the sessions where it was rated.
    pub machine_mean: Option<f64>,
    /// The mean after reviews.
    pub final_mean: Option<f64>,
    /// Sessions where the criterion was rated (after reviews).
    pub rated: i64,
}

/// A QA lead's rating of one criterion of one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub session_id: String,
    pub criterion: String,
    /// `None` marks the criterion not applicable.
    pub rating: Option<i32>,
    /// What the machine rated when the review was made.
    pub machine_rating: Option<i32>,
    pub comment: String,
    pub reviewer: String,
    /// RFC 3339.
    pub reviewed_at: String,
}

/// A review with the dimension of its criterion, for calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewedRating {
    pub review: Review,
    pub dimension: String,
}

/// One session in full: what happened, the machine's scorecard, and its reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub summary: SessionSummary,
    pub transcript: Transcript,
    pub scorecard: Scorecard,
    /// The scorecard with every review applied, when reviewed.
    pub reviewed: Option<Scorecard>,
    pub reviews: Vec<Review>,
}

/// A trainee and their team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub trainee: String,
    pub team: String,
}

/// The results store in use.
#[derive(Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Dispatches a method call to the backend in use.
macro_rules! backend {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Sqlite($store) => $call,
            Store::Postgres($store) => $call,
        }
    };
}

impl Store {
    /// Opens the store named by `--db`/`RAPPORT_DB`: a `postgres://` URL, a SQLite path, or by default
    /// `rapport.sqlite3` in the data directory.
    pub fn open(db: Option<&str>) -> Result<Store, StoreError> {
        match db {
            Some(location) if location.trim().is_empty() => Err(StoreError::EmptyLocation),
            Some(url) if is_postgres_url(url) => Ok(Store::Postgres(PostgresStore::open(url)?)),
            Some(path) => Ok(Store::Sqlite(SqliteStore::open(std::path::Path::new(
                path,
            ))?)),
            None => Ok(Store::Sqlite(SqliteStore::open(&default_sqlite_path())?)),
        }
    }

    /// Where the store is, for messages (a path, or a URL without its password).
    pub fn location(&self) -> String {
        backend!(self, store => store.location())
    }

    /// The schema version the database is at.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        backend!(self, store => store.schema_version())
    }

    /// Stores a finished session; storing the same session twice changes nothing, and a different
    /// session under a stored id is an error ([`StoreError::DifferentSession`]).
    pub fn save_session(
        &mut self,
        transcript: &Transcript,
        scorecard: &Scorecard,
    ) -> Result<Saved, StoreError> {
        let record = SessionRecord::new(transcript, scorecard)?;
        let saved = self.save_records(std::slice::from_ref(&record))?;
        match saved.first().copied().unwrap_or(Saved::AlreadyStored) {
            Saved::Different => Err(StoreError::DifferentSession {
                session_id: record.session_id().to_owned(),
            }),
            saved => Ok(saved),
        }
    }

    /// Stores many sessions in one transaction: all of them or, on failure, none. A record
    /// whose id is stored with the same transcript is [`Saved::AlreadyStored`]; with a different
    /// one, [`Saved::Different`] and not written.
    pub fn save_records(&mut self, records: &[SessionRecord]) -> Result<Vec<Saved>, StoreError> {
        backend!(self, store => store.save_records(records))
    }

    /// The sessions matching a filter, newest first.
    pub fn summaries(&mut self, filter: &Filter) -> Result<Vec<SessionSummary>, StoreError> {
        backend!(self, store => store.summaries(filter))
    }

    /// A trainee's best overall score in each scenario they have played, by scenario id: the
    /// overall after reviews (the machine's when unreviewed), as the reports show it.
    pub fn best_scores(&mut self, trainee: &str) -> Result<BTreeMap<String, f64>, StoreError> {
        backend!(self, store => store.best_scores(trainee))
    }

    /// Each trainee's mean score per criterion over the sessions matching a filter.
    pub fn criterion_means(&mut self, filter: &Filter) -> Result<Vec<CriterionMean>, StoreError> {
        backend!(self, store => store.criterion_means(filter))
    }

    /// The full id of the one session whose id starts with `prefix`.
    pub fn resolve_session(&mut self, prefix: &str) -> Result<String, StoreError> {
        let matches = backend!(self, store => store.ids_starting_with(prefix))?;
        match matches.as_slice() {
            [] => Err(StoreError::NoSuchSession {
                prefix: prefix.to_owned(),
            }),
            [one] => Ok(one.clone()),
            [first, second, ..] => Err(StoreError::AmbiguousSession {
                prefix: prefix.to_owned(),
                count: matches.len(),
                first: first.clone(),
                second: second.clone(),
            }),
        }
    }

    /// Sessions in full, in the order of `ids`; unknown ids are skipped.
    pub fn load_sessions(&mut self, ids: &[String]) -> Result<Vec<StoredSession>, StoreError> {
        backend!(self, store => store.load_sessions(ids))
    }

    /// Records a review together with the scorecard it produces, in one transaction.
    pub fn record_review(
        &mut self,
        review: &Review,
        reviewed: &Scorecard,
    ) -> Result<(), StoreError> {
        backend!(self, store => store.record_review(review, reviewed))
    }

    /// Every review of the sessions matching a filter, oldest first.
    pub fn reviews(&mut self, filter: &Filter) -> Result<Vec<ReviewedRating>, StoreError> {
        backend!(self, store => store.reviews(filter))
    }

    /// Puts a trainee in a team (replacing any team they were in).
    pub fn set_team(&mut self, trainee: &str, team: &str) -> Result<(), StoreError> {
        backend!(self, store => store.set_team(trainee, team))
    }

    /// Takes a trainee out of their team; whether they had one.
    pub fn unset_team(&mut self, trainee: &str) -> Result<bool, StoreError> {
        backend!(self, store => store.unset_team(trainee))
    }

    /// Every trainee → team mapping, by team then trainee.
    pub fn teams(&mut self) -> Result<Vec<TeamMember>, StoreError> {
        backend!(self, store => store.teams())
    }
}

/// Whether `--db` names a PostgreSQL server.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The default SQLite file: `rapport.sqlite3` in the data directory.
pub fn default_sqlite_path() -> PathBuf {
    crate::paths::data_dir().join("rapport.sqlite3")
}

/// The SQL condition (on `sessions s`) and its parameters for a filter, with `?` placeholders.
fn filter_sql(filter: &Filter) -> (String, Vec<Param>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut params = Vec::new();
    let mut list = |column: &str, values: &[String], clauses: &mut Vec<String>| {
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        clauses.push(format!("{column} IN ({marks})"));
        params.extend(values.iter().cloned().map(Param::Text));
    };
    list("s.trainee", &filter.trainees, &mut clauses);
    list("s.scenario_id", &filter.scenarios, &mut clauses);
    if !filter.teams.is_empty() {
        let marks = vec!["?"; filter.teams.len()].join(", ");
        clauses.push(format!(
            "s.trainee IN (SELECT trainee FROM teams WHERE team IN ({marks}))"
        ));
        params.extend(filter.teams.iter().cloned().map(Param::Text));
    }
    if let Some(since) = filter.since {
        clauses.push("s.started_epoch >= ?".to_owned());
        params.push(Param::Int(since));
    }
    if let Some(until) = filter.until {
        clauses.push("s.started_epoch < ?".to_owned());
        params.push(Param::Int(until));
    }
    (clauses.join(" AND "), params)
}

/// A query parameter built by shared code.
#[derive(Debug, Clone, PartialEq)]
enum Param {
    Text(String),
    Int(i64),
}

/// The stored transcript of a session id, shared by both backends.
const STORED_TRANSCRIPT_SQL: &str = "SELECT d.transcript FROM sessions s JOIN session_documents d ON d.session = s.id WHERE s.session_id = ?";

/// The SQL of a session summary, shared by both backends (`s` sessions, `t` teams).
const SUMMARY_COLUMNS: &str = "s.session_id, s.trainee, t.team, s.scenario_id, s.started_at, s.started_epoch, s.outcome, s.handle_secs, \
     s.overall, s.passed, s.reviewed, s.final_overall, s.final_passed, \
     s.empathy, s.timeliness, s.expectations, s.ownership, \
     s.final_empathy, s.final_timeliness, s.final_expectations, s.final_ownership";

/// A trainee's best final overall per scenario, shared by both backends.
const BEST_SCORES_SQL: &str =
    "SELECT scenario_id, MAX(final_overall) FROM sessions WHERE trainee = ? GROUP BY scenario_id";

/// The packed criterion scores of the matching sessions, shared by both backends; `{where}` is the filter.
const CRITERIA_SQL: &str = "SELECT s.trainee, s.criteria FROM sessions s WHERE {where}";

/// The criterion rows of one session, to repack after a review.
const SESSION_CRITERIA_SQL: &str = "SELECT criterion, dimension, score, final_score FROM criterion_scores WHERE session = ? ORDER BY criterion";

/// The reviews query, shared by both backends; `{where}` is the filter.
const REVIEWS_SQL: &str = "SELECT r.session_id, r.criterion, r.rating, r.machine_rating, r.comment, r.reviewer, r.reviewed_at, c.dimension \
     FROM reviews r JOIN sessions s ON s.session_id = r.session_id \
     JOIN criterion_scores c ON c.session = s.id AND c.criterion = r.criterion \
     WHERE {where} ORDER BY r.id";

/// The scorecard after applying the latest review of each criterion to the machine's.
pub fn apply_reviews(
    machine: &Scorecard,
    reviews: &[Review],
    rubric: &crate::scoring::Rubric,
) -> Result<Scorecard, String> {
    let mut card = machine.clone();
    let mut latest: std::collections::BTreeMap<&str, &Review> = std::collections::BTreeMap::new();
    for review in reviews {
        latest.insert(review.criterion.as_str(), review);
    }
    for (criterion, review) in latest {
        card.override_rating(criterion, review.rating, rubric)?;
    }
    Ok(card)
}
