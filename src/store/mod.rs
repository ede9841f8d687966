//! The results store: every finished session (transcript and scorecard) kept for QA leads, in SQLite or PostgreSQL.
//!
//! One interface ([`Store`]) over two backends. Each backend has its own versioned migrations;
//! the rows, filters and reviews are shared types, so reports read the same from both.

pub mod import;
pub mod outbox;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_migrations;
#[cfg(feature = "postgres")]
mod postgres_statements;
mod record;
mod review;
pub mod sample;
pub mod sql;
mod sqlite;
mod sqlite_migrations;
mod team_change;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::scenario::Dimension;
use crate::scoring::Scorecard;
use crate::transcript::Transcript;

#[cfg(feature = "postgres")]
pub use self::postgres::PostgresStore;
pub use record::SessionRecord;
pub use review::{
    EffectiveReview, Retraction, Review, ReviewKind, ReviewState, ScoreRevision, apply_reviews,
    effective_reviews,
};
pub use sqlite::SqliteStore;
use team_change::{TeamPlan, TeamState, plan_team_change};

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
        "`{location}` names a PostgreSQL results database, but this rapport was built without PostgreSQL (the `postgres` feature); build it with default features, or give a SQLite path with --db or RAPPORT_DB"
    )]
    PostgresNotBuilt { location: String },
    #[cfg(feature = "postgres")]
    #[error(
        "cannot connect to the PostgreSQL results database `{location}`; check the server is running and the URL given by --db or RAPPORT_DB"
    )]
    Connect {
        location: String,
        #[source]
        source: ::postgres::Error,
    },
    #[cfg(feature = "postgres")]
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
    #[error(
        "`{trainee}` joined team `{team}` at {joined}; a move must start after that (give a later --since)"
    )]
    TeamMoveBeforeJoin {
        trainee: String,
        team: String,
        joined: String,
    },
    #[error(
        "`{trainee}` left their last team at {left}; a new team must start then or later (give a later --since)"
    )]
    TeamStartBeforeLeaving { trainee: String, left: String },
    #[error(
        "session `{session_id}` was reviewed by someone else while this change was being made; nothing was stored — run the command again"
    )]
    ReviewedMeanwhile { session_id: String },
    #[error(
        "no review numbered {review_id}; `rapport review SESSION` lists each review with its number"
    )]
    NoSuchReview { review_id: i64 },
    #[error(
        "review {review_id} was already retracted by {by} at {at}; it no longer counts, nothing to do"
    )]
    AlreadyRetracted {
        review_id: i64,
        by: String,
        at: String,
    },
    /// Work done in a review's transaction refused it; nothing was stored.
    #[error("{message}")]
    Refused { message: String },
    #[error(
        "the results database returned an unexpected value in column {column} (expected {expected}); is it a Rapport database of this version?"
    )]
    UnexpectedColumn {
        column: usize,
        expected: &'static str,
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

/// Per-dimension scores in [`Dimension::ALL`] order (JSON names them: `{"empathy": 72.5, …}`).
pub type DimensionScores = [Option<f64>; 4];

/// Writes per-dimension scores as an object keyed by dimension, for JSON readers.
pub fn serialize_dimension_scores<S: serde::Serializer>(
    scores: &DimensionScores,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let mut map = serializer.serialize_map(Some(scores.len()))?;
    for (dimension, score) in Dimension::ALL.iter().zip(scores) {
        map.serialize_entry(dimension.label(), score)?;
    }
    map.end()
}

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
    #[serde(serialize_with = "serialize_dimension_scores")]
    pub dimensions: DimensionScores,
    #[serde(serialize_with = "serialize_dimension_scores")]
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

/// Which stored values a misspelt filter is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownValues {
    Trainees,
    Scenarios,
    Teams,
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

/// A trainee's membership of a team, over a span of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub trainee: String,
    pub team: String,
    /// Unix seconds the membership starts; `None` for a first team, which covers every earlier session.
    pub since: Option<i64>,
    /// Unix seconds it ended (excluded); `None` while the trainee is still in the team.
    pub until: Option<i64>,
}

/// The results store in use.
#[derive(Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    // Boxed: the PostgreSQL client and its prepared statements are large beside SQLite's handle.
    #[cfg(feature = "postgres")]
    Postgres(Box<PostgresStore>),
}

/// Dispatches a method call to the backend in use.
macro_rules! backend {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Sqlite($store) => $call,
            #[cfg(feature = "postgres")]
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
            Some(url) if is_postgres_url(url) => Store::open_postgres(url),
            Some(path) => Ok(Store::Sqlite(SqliteStore::open(std::path::Path::new(
                path,
            ))?)),
            None => Ok(Store::Sqlite(SqliteStore::open(&default_sqlite_path())?)),
        }
    }

    /// Opens the PostgreSQL store at `url`, when this build has PostgreSQL.
    fn open_postgres(url: &str) -> Result<Store, StoreError> {
        #[cfg(feature = "postgres")]
        return Ok(Store::Postgres(Box::new(PostgresStore::open(url)?)));
        #[cfg(not(feature = "postgres"))]
        return Err(StoreError::PostgresNotBuilt {
            location: url.to_owned(),
        });
    }

    /// Opens a store migrated only up to `version`, so tests can build an older schema.
    #[doc(hidden)]
    pub fn open_at_schema_version_for_tests(db: &str, version: usize) -> Result<Store, StoreError> {
        if is_postgres_url(db) {
            #[cfg(feature = "postgres")]
            return PostgresStore::open_at_schema_version_for_tests(db, version)
                .map(|store| Store::Postgres(Box::new(store)));
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::PostgresNotBuilt {
                location: db.to_owned(),
            });
        } else {
            SqliteStore::open_at_schema_version_for_tests(std::path::Path::new(db), version)
                .map(Store::Sqlite)
        }
    }

    /// The base IRI of the xAPI statements this store queues in its outbox (activities,
    /// extensions, accounts): [`crate::report::xapi::DEFAULT_BASE`] until set.
    pub fn xapi_base(&self) -> &str {
        backend!(self, store => store.xapi_base.as_str())
    }

    /// Sets the base IRI of the statements queued from now on (`--xapi-base`, or the server's
    /// base URL).
    pub fn set_xapi_base(&mut self, base: &str) {
        let base = base.trim_end_matches('/').to_owned();
        backend!(self, store => store.xapi_base = base)
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

    /// Records reviews of one session together with the scorecard they produce and the revision
    /// of its scores, in one transaction: all of them or none.
    /// `seen` is the state of the session's reviews the scorecard was computed from: if another
    /// review or retraction was stored since, nothing is stored ([`StoreError::ReviewedMeanwhile`]).
    pub fn record_reviews(
        &mut self,
        reviews: &[Review],
        reviewed: &Scorecard,
        revision: &ScoreRevision,
        seen: ReviewState,
    ) -> Result<(), StoreError> {
        self.record_reviews_then(reviews, reviewed, revision, seen, &mut |_, _| Ok(()))
    }

    /// [`Store::record_reviews`], then `then` with the new reviews' numbers in the same
    /// transaction: if it fails, nothing is stored.
    pub fn record_reviews_then(
        &mut self,
        reviews: &[Review],
        reviewed: &Scorecard,
        revision: &ScoreRevision,
        seen: ReviewState,
        then: &mut sql::ReviewsRecorded<'_>,
    ) -> Result<(), StoreError> {
        backend!(self, store => store.record_reviews(reviews, reviewed, revision, seen, then))
    }

    /// The session a review belongs to.
    pub fn session_of_review(&mut self, review_id: i64) -> Result<String, StoreError> {
        backend!(self, store => store.session_of_review(review_id))?
            .ok_or(StoreError::NoSuchReview { review_id })
    }

    /// Marks a review retracted (it stays stored) and writes the scores that remain, in one
    /// transaction; `final_card` is the machine's scorecard when no review counts any more.
    pub fn retract_review(
        &mut self,
        review_id: i64,
        retraction: &Retraction,
        final_card: &Scorecard,
        revision: &ScoreRevision,
        seen: ReviewState,
    ) -> Result<(), StoreError> {
        backend!(self, store => store.retract_review(review_id, retraction, final_card, revision, seen))
    }

    /// Every score revision of the sessions matching a filter, oldest first.
    pub fn score_revisions(&mut self, filter: &Filter) -> Result<Vec<ScoreRevision>, StoreError> {
        backend!(self, store => store.score_revisions(filter))
    }

    /// The distinct stored trainees, scenario ids or teams, sorted, to hint at a misspelt filter.
    pub fn known_values(&mut self, which: KnownValues) -> Result<Vec<String>, StoreError> {
        let sql = match which {
            KnownValues::Trainees => "SELECT DISTINCT trainee FROM sessions ORDER BY 1",
            KnownValues::Scenarios => "SELECT DISTINCT scenario_id FROM sessions ORDER BY 1",
            KnownValues::Teams => "SELECT DISTINCT team FROM team_memberships ORDER BY 1",
        };
        backend!(self, store => store.strings(sql))
    }

    /// Every review of the sessions matching a filter, oldest first.
    pub fn reviews(&mut self, filter: &Filter) -> Result<Vec<ReviewedRating>, StoreError> {
        backend!(self, store => store.reviews(filter))
    }

    /// Puts a trainee in a team from now on (a first team covers their earlier sessions too).
    pub fn set_team(&mut self, trainee: &str, team: &str) -> Result<(), StoreError> {
        self.set_team_from(trainee, team, None)
    }

    /// Puts a trainee in a team from `since` (Unix seconds; `None`: now, or for a first team every
    /// session). Their membership until then is kept, so past sessions stay in the old team.
    pub fn set_team_from(
        &mut self,
        trainee: &str,
        team: &str,
        since: Option<i64>,
    ) -> Result<(), StoreError> {
        let now = jiff::Timestamp::now().as_second();
        backend!(self, store => store.change_team(trainee, Some(team), since, now)).map(drop)
    }

    /// Takes a trainee out of their team from now on; whether they had one.
    pub fn unset_team(&mut self, trainee: &str) -> Result<bool, StoreError> {
        self.unset_team_from(trainee, None)
    }

    /// Takes a trainee out of their team from `since` (default now); whether they had one.
    pub fn unset_team_from(
        &mut self,
        trainee: &str,
        since: Option<i64>,
    ) -> Result<bool, StoreError> {
        let now = jiff::Timestamp::now().as_second();
        backend!(self, store => store.change_team(trainee, None, since, now))
            .map(|plan| plan.close.is_some())
    }

    /// Every trainee's current team, by team then trainee.
    pub fn teams(&mut self) -> Result<Vec<TeamMember>, StoreError> {
        Ok(self
            .team_history()?
            .into_iter()
            .filter(|m| m.until.is_none())
            .collect())
    }

    /// Every membership, past and current, by team, trainee and start.
    pub fn team_history(&mut self) -> Result<Vec<TeamMember>, StoreError> {
        backend!(self, store => store.team_history())
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
        // The team the trainee was in when the session started, not the one they are in now.
        // The `IN` first narrows to the team's trainees by index, as the filter did before
        // memberships had dates; the `EXISTS` then checks the session's time.
        let marks = vec!["?"; filter.teams.len()].join(", ");
        clauses.push(format!(
            "s.trainee IN (SELECT trainee FROM team_memberships WHERE team IN ({marks})) \
             AND EXISTS (SELECT 1 FROM team_memberships m WHERE m.trainee = s.trainee AND m.team IN ({marks}) \
             AND (m.since_epoch IS NULL OR m.since_epoch <= s.started_epoch) \
             AND (m.until_epoch IS NULL OR s.started_epoch < m.until_epoch))"
        ));
        params.extend(filter.teams.iter().cloned().map(Param::Text));
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

/// The team membership in force when a session started (`t`), joined to `sessions s`: the
/// memberships of a trainee never overlap, so at most one row matches.
const TEAM_AT_START_JOIN: &str = "LEFT JOIN team_memberships t ON t.trainee = s.trainee \
     AND (t.since_epoch IS NULL OR t.since_epoch <= s.started_epoch) \
     AND (t.until_epoch IS NULL OR s.started_epoch < t.until_epoch)";

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

/// The columns of a review (`r` reviews, `x` its retraction), read by each backend's `review_from_row`.
const REVIEW_COLUMNS: &str = "r.session_id, r.criterion, r.rating, r.machine_rating, r.comment, r.reviewer, r.reviewed_at, \
     r.id, r.kind, x.retracted_by, x.retracted_at, x.reason";

/// The reviews of one session, oldest first.
const SESSION_REVIEWS_SQL: &str = "SELECT {columns} FROM reviews r LEFT JOIN review_retractions x ON x.review_id = r.id \
     WHERE r.session_id = ? ORDER BY r.id";

/// The reviews query, shared by both backends; `{where}` is the filter. The dimension follows the review's columns.
const REVIEWS_SQL: &str = "SELECT {columns}, c.dimension \
     FROM reviews r LEFT JOIN review_retractions x ON x.review_id = r.id JOIN sessions s ON s.session_id = r.session_id \
     JOIN criterion_scores c ON c.session = s.id AND c.criterion = r.criterion \
     WHERE {where} ORDER BY r.id";

/// The state of one session's reviews (see [`ReviewState`]), read inside a writing transaction.
const REVIEW_STATE_SQL: &str = "SELECT COALESCE(MAX(r.id), 0), COUNT(x.review_id) \
     FROM reviews r LEFT JOIN review_retractions x ON x.review_id = r.id WHERE r.session_id = ?";

/// Refuses a change computed from reviews that have changed since.
fn check_review_state(
    session_id: &str,
    seen: ReviewState,
    now: ReviewState,
) -> Result<(), StoreError> {
    if seen == now {
        Ok(())
    } else {
        Err(StoreError::ReviewedMeanwhile {
            session_id: session_id.to_owned(),
        })
    }
}

/// The score revisions query, shared by both backends; `{where}` is the filter.
const REVISIONS_SQL: &str = "SELECT v.session_id, v.revised_at, v.revised_by, v.reviewed, v.final_overall, v.final_passed, \
     v.final_empathy, v.final_timeliness, v.final_expectations, v.final_ownership \
     FROM score_revisions v JOIN sessions s ON s.session_id = v.session_id WHERE {where} ORDER BY v.id";

/// Every membership, shared by both backends.
const TEAM_HISTORY_SQL: &str = "SELECT trainee, team, since_epoch, until_epoch FROM team_memberships \
     ORDER BY team, trainee, COALESCE(since_epoch, -9223372036854775807)";

/// The SQL text of a query with the shared review columns filled in.
fn with_review_columns(sql: &str) -> String {
    sql.replace("{columns}", REVIEW_COLUMNS)
}

/// Unix seconds as RFC 3339, for messages.
pub fn epoch_text(epoch: i64) -> String {
    jiff::Timestamp::from_second(epoch).map_or_else(|_| epoch.to_string(), |t| t.to_string())
}
