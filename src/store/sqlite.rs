//! The SQLite results store (the default), with versioned schema migrations kept in `PRAGMA user_version`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior, params, params_from_iter,
};

use super::outbox::{epoch_now, queue_score_change};
use super::record::{CriterionAggregator, FinalScores, SessionRecord, pack_criteria, pack_record};
use super::sql::sqlite::SqliteTx;
use super::sql::{ReviewsRecorded, SqlTx, TxMode};
use super::sqlite_migrations::MIGRATIONS;
use super::{
    BEST_SCORES_SQL, CRITERIA_SQL, CriterionMean, DEFAULT_BUSY_TIMEOUT, Filter, Param,
    REVIEW_STATE_SQL, REVIEWS_SQL, REVISIONS_SQL, Retraction, Review, ReviewKind, ReviewState,
    ReviewedRating, SESSION_CRITERIA_SQL, SESSION_REVIEWS_SQL, STORED_TRANSCRIPT_SQL,
    SUMMARY_COLUMNS, Saved, ScoreRevision, SessionSummary, StoreError, StoredSession,
    TEAM_AT_START_JOIN, TEAM_HISTORY_SQL, TeamMember, TeamPlan, TeamState, check_review_state,
    filter_sql, plan_team_change, with_review_columns,
};
use crate::scoring::Scorecard;

mod ownership;

/// A SQLite database of sessions.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
    /// The base IRI of the xAPI statements queued in the outbox.
    pub(super) xapi_base: String,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens the database, waiting at most `busy_timeout` for other writers' locks.
    pub fn open_with_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<SqliteStore, StoreError> {
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
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
            xapi_base: crate::report::xapi::DEFAULT_BASE.to_owned(),
        };
        let fail = store.fail();
        store.conn.busy_timeout(busy_timeout).map_err(&fail)?;
        // Nothing is written before the file is known to be Rapport's: another program's database
        // is refused untouched.
        let owner = ownership::check(&store.conn, &store.location())
            .map_err(|error| ownership::explain_cannot_open(path, error))?;
        if owner == ownership::Ownership::Unmarked {
            ownership::mark(&store.conn).map_err(&fail)?;
        }
        store
            .conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(&fail)?;
        store
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(&fail)?;
        store
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(&fail)?;
        store.migrate(MIGRATIONS.len())?;
        Ok(store)
    }

    /// Opens a database migrated only up to `version`, so tests can build an older schema and
    /// check that it upgrades.
    #[doc(hidden)]
    pub fn open_at_schema_version_for_tests(
        path: &Path,
        version: usize,
    ) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            xapi_base: crate::report::xapi::DEFAULT_BASE.to_owned(),
        };
        store.migrate(version.min(MIGRATIONS.len()))?;
        Ok(store)
    }

    /// Where the database is.
    pub fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// Caps the database's size in pages, so tests can make the "disk" full.
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&self, pages: u64) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "max_page_count", pages as i64)
            .map_err(self.fail())
    }

    /// Turns a SQLite error into a store error that says what to do.
    fn fail(&self) -> impl Fn(rusqlite::Error) -> StoreError + use<> {
        let location = self.location();
        let waited_secs = self.busy_timeout.as_secs_f64();
        move |source| classify(&location, waited_secs, source)
    }

    /// Applies the migrations up to `target` (normally all of them).
    fn migrate(&mut self, target: usize) -> Result<(), StoreError> {
        let fail = self.fail();
        let current: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(&fail)?;
        if current == target as i64 {
            // Up to date: no write lock needed, so reports open while an import is writing.
            return Ok(());
        }
        // An immediate transaction, so two processes opening a new database migrate it once.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&fail)?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(&fail)?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported,
            });
        }
        for (index, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .take(target)
            .skip(version as usize)
        {
            tx.execute_batch(migration).map_err(&fail)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)
                .map_err(&fail)?;
        }
        tx.commit().map_err(&fail)
    }

    /// Runs `work` in one transaction (a write transaction takes the lock at once, so two writers
    /// queue rather than fail when one upgrades its lock).
    pub(super) fn in_transaction<T, E: From<StoreError>>(
        &mut self,
        mode: TxMode,
        work: impl FnOnce(&mut dyn SqlTx) -> Result<T, E>,
    ) -> Result<T, E> {
        let fail = self.fail();
        let behavior = match mode {
            TxMode::Read => TransactionBehavior::Deferred,
            TxMode::Write => TransactionBehavior::Immediate,
        };
        let tx = self
            .conn
            .transaction_with_behavior(behavior)
            .map_err(&fail)?;
        let result = work(&mut SqliteTx {
            tx: &tx,
            fail: &fail,
        })?;
        tx.commit().map_err(&fail)?;
        Ok(result)
    }

    /// The schema version the database is at.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(self.fail())
    }

    /// Stores sessions in one transaction; sessions already stored are left as they are.
    pub fn save_records(&mut self, records: &[SessionRecord]) -> Result<Vec<Saved>, StoreError> {
        let fail = self.fail();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&fail)?;
        let mut saved = Vec::with_capacity(records.len());
        {
            let mut insert_session = tx
                .prepare_cached(
                    "INSERT INTO sessions (session_id, trainee, scenario_id, scenario_version, scenario_hash, seed, started_at, started_epoch,
                        outcome, rubric_id, rubric_version, overall, passed, band, handle_secs, empathy, timeliness, expectations, ownership,
                        final_overall, final_passed, final_empathy, final_timeliness, final_expectations, final_ownership, criteria)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?12, ?13, ?16, ?17, ?18, ?19, ?20)
                     ON CONFLICT (session_id) DO NOTHING RETURNING id",
                )
                .map_err(&fail)?;
            let mut insert_document = tx
                .prepare_cached("INSERT INTO session_documents (session, transcript, scorecard) VALUES (?1, ?2, ?3)")
                .map_err(&fail)?;
            let mut insert_criterion = tx
                .prepare_cached(
                    "INSERT INTO criterion_scores (session, criterion, dimension, rating, score, final_rating, final_score)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)",
                )
                .map_err(&fail)?;
            for record in records {
                let [empathy, timeliness, expectations, ownership] = record.dimensions;
                let id: Option<i64> = insert_session
                    .query_row(
                        params![
                            record.session_id,
                            record.trainee,
                            record.scenario_id,
                            record.scenario_version,
                            record.scenario_hash,
                            record.seed,
                            record.started_at,
                            record.started_epoch,
                            record.outcome,
                            record.rubric_id,
                            record.rubric_version,
                            record.overall,
                            record.passed,
                            record.band,
                            record.handle_secs,
                            empathy,
                            timeliness,
                            expectations,
                            ownership,
                            pack_record(&record.criteria),
                        ],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(&fail)?;
                let Some(id) = id else {
                    let stored: String = tx
                        .query_row(STORED_TRANSCRIPT_SQL, [&record.session_id], |row| {
                            row.get(0)
                        })
                        .map_err(&fail)?;
                    saved.push(if record.same_transcript_as(&stored) {
                        Saved::AlreadyStored
                    } else {
                        Saved::Different
                    });
                    continue;
                };
                insert_document
                    .execute(params![id, record.transcript_jsonl, record.scorecard_json])
                    .map_err(&fail)?;
                for criterion in &record.criteria {
                    insert_criterion
                        .execute(params![
                            id,
                            criterion.criterion,
                            criterion.dimension,
                            criterion.rating,
                            criterion.score
                        ])
                        .map_err(&fail)?;
                }
                saved.push(Saved::Added);
            }
        }
        tx.commit().map_err(&fail)?;
        Ok(saved)
    }

    /// The sessions matching a filter, newest first.
    pub fn summaries(&mut self, filter: &Filter) -> Result<Vec<SessionSummary>, StoreError> {
        let fail = self.fail();
        let (condition, params) = filter_sql(filter);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions s {TEAM_AT_START_JOIN} WHERE {condition} \
             ORDER BY s.started_epoch DESC, s.session_id"
        );
        let mut statement = self.conn.prepare(&sql).map_err(&fail)?;
        let rows = statement
            .query_map(params_from_iter(values(&params)), summary_from_row)
            .map_err(&fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&fail)
    }

    /// A trainee's best final overall per scenario.
    pub fn best_scores(&mut self, trainee: &str) -> Result<BTreeMap<String, f64>, StoreError> {
        let fail = self.fail();
        let mut statement = self.conn.prepare(BEST_SCORES_SQL).map_err(&fail)?;
        let rows = statement
            .query_map([trainee], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(&fail)?;
        rows.collect::<Result<BTreeMap<String, f64>, _>>()
            .map_err(&fail)
    }

    /// Each trainee's mean score per criterion.
    pub fn criterion_means(&mut self, filter: &Filter) -> Result<Vec<CriterionMean>, StoreError> {
        let fail = self.fail();
        let (condition, params) = filter_sql(filter);
        let sql = CRITERIA_SQL.replace("{where}", &condition);
        let mut statement = self.conn.prepare(&sql).map_err(&fail)?;
        let mut rows = statement
            .query(params_from_iter(values(&params)))
            .map_err(&fail)?;
        let mut aggregator = CriterionAggregator::default();
        while let Some(row) = rows.next().map_err(&fail)? {
            let trainee = row
                .get_ref(0)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(&fail)?;
            let packed = row
                .get_ref(1)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(&fail)?;
            aggregator.add(trainee, packed);
        }
        Ok(aggregator.finish())
    }

    /// Ids starting with `prefix` (at most a few).
    pub fn ids_starting_with(&mut self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let fail = self.fail();
        let upper = format!("{prefix}\u{10ffff}");
        let mut statement = self
            .conn
            .prepare("SELECT session_id FROM sessions WHERE session_id >= ?1 AND session_id < ?2 ORDER BY session_id LIMIT 5")
            .map_err(&fail)?;
        let rows = statement
            .query_map(params![prefix, upper], |row| row.get(0))
            .map_err(&fail)?;
        rows.collect::<Result<Vec<String>, _>>().map_err(&fail)
    }

    /// Sessions in full.
    pub fn load_sessions(&mut self, ids: &[String]) -> Result<Vec<StoredSession>, StoreError> {
        let fail = self.fail();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, d.transcript, d.scorecard, d.reviewed_scorecard \
             FROM sessions s {TEAM_AT_START_JOIN} JOIN session_documents d ON d.session = s.id \
             WHERE s.session_id = ?1"
        );
        let mut sessions = Vec::with_capacity(ids.len());
        let mut statement = self.conn.prepare(&sql).map_err(&fail)?;
        let mut reviews = self
            .conn
            .prepare(&with_review_columns(SESSION_REVIEWS_SQL))
            .map_err(&fail)?;
        for id in ids {
            let found = statement
                .query_row([id], |row| {
                    let summary = summary_from_row(row)?;
                    let transcript: String = row.get(21)?;
                    let scorecard: String = row.get(22)?;
                    let reviewed: Option<String> = row.get(23)?;
                    Ok((summary, transcript, scorecard, reviewed))
                })
                .optional()
                .map_err(&fail)?;
            let Some((summary, transcript, scorecard, reviewed)) = found else {
                continue;
            };
            let review_rows = reviews
                .query_map([id], review_from_row)
                .map_err(&fail)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(&fail)?;
            sessions.push(super::record::decode_session(
                summary,
                &transcript,
                &scorecard,
                reviewed.as_deref(),
                review_rows,
            )?);
        }
        Ok(sessions)
    }

    /// Records reviews of one session, the scorecard they produce and the revision of its scores.
    pub fn record_reviews(
        &mut self,
        reviews: &[Review],
        reviewed: &Scorecard,
        revision: &ScoreRevision,
        seen: ReviewState,
        then: &mut ReviewsRecorded<'_>,
    ) -> Result<(), StoreError> {
        let fail = self.fail();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&fail)?;
        let now = review_state(&tx, &revision.session_id).map_err(&fail)?;
        check_review_state(&revision.session_id, seen, now)?;
        let mut ids = Vec::with_capacity(reviews.len());
        for review in reviews {
            let id: i64 = tx.query_row(
                "INSERT INTO reviews (session_id, criterion, rating, machine_rating, comment, reviewer, reviewed_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                params![review.session_id, review.criterion, review.rating, review.machine_rating, review.comment, review.reviewer, review.reviewed_at, review.kind.label()],
                |row| row.get(0),
            )
            .map_err(&fail)?;
            ids.push(id);
        }
        write_finals(&tx, reviewed, revision).map_err(&fail)?;
        let mut shared = SqliteTx {
            tx: &tx,
            fail: &fail,
        };
        queue_score_change(
            &mut shared,
            &revision.session_id,
            &self.xapi_base,
            epoch_now(),
        )?;
        then(&mut shared, &ids)?;
        tx.commit().map_err(&fail)
    }

    /// The session a review belongs to, if the review exists.
    pub fn session_of_review(&mut self, review_id: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT session_id FROM reviews WHERE id = ?1",
                [review_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(self.fail())
    }

    /// Marks a review retracted and writes the scores that remain.
    pub fn retract_review(
        &mut self,
        review_id: i64,
        retraction: &Retraction,
        final_card: &Scorecard,
        revision: &ScoreRevision,
        seen: ReviewState,
    ) -> Result<(), StoreError> {
        let fail = self.fail();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&fail)?;
        let now = review_state(&tx, &revision.session_id).map_err(&fail)?;
        check_review_state(&revision.session_id, seen, now)?;
        let earlier: Option<(String, String)> = tx
            .query_row(
                "SELECT retracted_by, retracted_at FROM review_retractions WHERE review_id = ?1",
                [review_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(&fail)?;
        if let Some((by, at)) = earlier {
            return Err(StoreError::AlreadyRetracted { review_id, by, at });
        }
        tx.execute(
            "INSERT INTO review_retractions (review_id, retracted_by, retracted_at, reason) VALUES (?1, ?2, ?3, ?4)",
            params![review_id, retraction.by, retraction.at, retraction.reason],
        )
        .map_err(&fail)?;
        write_finals(&tx, final_card, revision).map_err(&fail)?;
        queue_score_change(
            &mut SqliteTx {
                tx: &tx,
                fail: &fail,
            },
            &revision.session_id,
            &self.xapi_base,
            epoch_now(),
        )?;
        tx.commit().map_err(&fail)
    }

    /// Every score revision of the matching sessions, oldest first.
    pub fn score_revisions(&mut self, filter: &Filter) -> Result<Vec<ScoreRevision>, StoreError> {
        let fail = self.fail();
        let (condition, params) = filter_sql(filter);
        let sql = REVISIONS_SQL.replace("{where}", &condition);
        let mut statement = self.conn.prepare(&sql).map_err(&fail)?;
        let rows = statement
            .query_map(params_from_iter(values(&params)), |row| {
                Ok(ScoreRevision {
                    session_id: row.get(0)?,
                    revised_at: row.get(1)?,
                    revised_by: row.get(2)?,
                    reviewed: row.get(3)?,
                    final_overall: row.get(4)?,
                    final_passed: row.get(5)?,
                    final_dimensions: [row.get(6)?, row.get(7)?, row.get(8)?, row.get(9)?],
                })
            })
            .map_err(&fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&fail)
    }

    /// The first column of every row of a query without parameters.
    pub fn strings(&mut self, sql: &str) -> Result<Vec<String>, StoreError> {
        let fail = self.fail();
        let mut statement = self.conn.prepare(sql).map_err(&fail)?;
        let rows = statement.query_map([], |row| row.get(0)).map_err(&fail)?;
        rows.collect::<Result<Vec<String>, _>>().map_err(&fail)
    }

    /// Every review of the matching sessions, oldest first.
    pub fn reviews(&mut self, filter: &Filter) -> Result<Vec<ReviewedRating>, StoreError> {
        let fail = self.fail();
        let (condition, params) = filter_sql(filter);
        let sql = with_review_columns(REVIEWS_SQL).replace("{where}", &condition);
        let mut statement = self.conn.prepare(&sql).map_err(&fail)?;
        let rows = statement
            .query_map(params_from_iter(values(&params)), |row| {
                Ok(ReviewedRating {
                    review: review_from_row(row)?,
                    dimension: row.get(12)?,
                })
            })
            .map_err(&fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&fail)
    }

    /// Reads a trainee's memberships and writes a change of team (to `team`, or out of any team
    /// when `None`) from `since` (default `now`), in one transaction.
    pub(super) fn change_team(
        &mut self,
        trainee: &str,
        team: Option<&str>,
        since: Option<i64>,
        now: i64,
    ) -> Result<TeamPlan, StoreError> {
        let fail = self.fail();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&fail)?;
        let open = tx
            .query_row(
                "SELECT id, team, since_epoch FROM team_memberships WHERE trainee = ?1 AND until_epoch IS NULL",
                [trainee],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(&fail)?;
        let (ever, last_end): (bool, Option<i64>) = tx
            .query_row(
                "SELECT COUNT(*) > 0, MAX(until_epoch) FROM team_memberships WHERE trainee = ?1",
                [trainee],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(&fail)?;
        let state = TeamState {
            open,
            ever,
            last_end,
        };
        let plan = plan_team_change(trainee, team, &state, since, now)?;
        if let Some((id, at)) = plan.close {
            tx.execute(
                "UPDATE team_memberships SET until_epoch = ?2 WHERE id = ?1",
                params![id, at],
            )
            .map_err(&fail)?;
        }
        if let (Some(start), Some(team)) = (plan.open, team) {
            tx.execute(
                "INSERT INTO team_memberships (trainee, team, since_epoch) VALUES (?1, ?2, ?3)",
                params![trainee, team, start],
            )
            .map_err(&fail)?;
        }
        tx.commit().map_err(&fail)?;
        Ok(plan)
    }

    /// Every membership, past and current.
    pub fn team_history(&mut self) -> Result<Vec<TeamMember>, StoreError> {
        let fail = self.fail();
        let mut statement = self.conn.prepare(TEAM_HISTORY_SQL).map_err(&fail)?;
        let rows = statement
            .query_map([], |row| {
                Ok(TeamMember {
                    trainee: row.get(0)?,
                    team: row.get(1)?,
                    since: row.get(2)?,
                    until: row.get(3)?,
                })
            })
            .map_err(&fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&fail)
    }
}

/// The state of a session's reviews, inside a transaction.
fn review_state(tx: &rusqlite::Transaction<'_>, session_id: &str) -> rusqlite::Result<ReviewState> {
    tx.query_row(REVIEW_STATE_SQL, [session_id], |row| {
        Ok(ReviewState {
            last_review_id: row.get(0)?,
            retractions: row.get(1)?,
        })
    })
}

/// Writes a session's final (reviewed) scores and appends the revision, inside a transaction.
fn write_finals(
    tx: &rusqlite::Transaction<'_>,
    card: &Scorecard,
    revision: &ScoreRevision,
) -> rusqlite::Result<()> {
    let scores = FinalScores::of(card);
    let json = revision
        .reviewed
        .then(|| serde_json::to_string(card).unwrap_or_default());
    let [empathy, timeliness, expectations, ownership] = scores.dimensions;
    let id: i64 = tx.query_row(
        "UPDATE sessions SET reviewed = ?2, final_overall = ?3, final_passed = ?4, final_empathy = ?5, final_timeliness = ?6,
            final_expectations = ?7, final_ownership = ?8 WHERE session_id = ?1 RETURNING id",
        params![revision.session_id, revision.reviewed, scores.overall, scores.passed, empathy, timeliness, expectations, ownership],
        |row| row.get(0),
    )?;
    tx.execute(
        "UPDATE session_documents SET reviewed_scorecard = ?2 WHERE session = ?1",
        params![id, json],
    )?;
    let mut update = tx.prepare_cached("UPDATE criterion_scores SET final_rating = ?3, final_score = ?4, reviewed = ?5 WHERE session = ?1 AND criterion = ?2")?;
    for criterion in &scores.criteria {
        update.execute(params![
            id,
            criterion.criterion,
            criterion.rating,
            criterion.score,
            criterion.reviewed
        ])?;
    }
    let mut rows = tx.prepare_cached(SESSION_CRITERIA_SQL)?;
    let entries = rows
        .query_map([id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<Vec<(String, String, Option<f64>, Option<f64>)>, _>>()?;
    tx.execute(
        "UPDATE sessions SET criteria = ?2 WHERE id = ?1",
        params![id, pack_criteria(entries.into_iter())],
    )?;
    let [empathy, timeliness, expectations, ownership] = revision.final_dimensions;
    tx.execute(
        "INSERT INTO score_revisions (session_id, revised_at, revised_by, reviewed, final_overall, final_passed,
            final_empathy, final_timeliness, final_expectations, final_ownership) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![revision.session_id, revision.revised_at, revision.revised_by, revision.reviewed, revision.final_overall,
            revision.final_passed, empathy, timeliness, expectations, ownership],
    )?;
    Ok(())
}

/// Turns a SQLite error into a store error that says what to do.
fn classify(location: &str, waited_secs: f64, source: rusqlite::Error) -> StoreError {
    let location = location.to_owned();
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
            location,
            waited_secs,
        },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { location },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::NotADatabase { location, source }
        }
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { location },
        _ => StoreError::Sqlite { location, source },
    }
}

/// SQLite values for the shared parameters.
fn values(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(text) => rusqlite::types::Value::Text(text.clone()),
            Param::Int(int) => rusqlite::types::Value::Integer(*int),
        })
        .collect()
}

/// A summary from the columns of [`SUMMARY_COLUMNS`].
fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<SessionSummary> {
    Ok(SessionSummary {
        session_id: row.get(0)?,
        trainee: row.get(1)?,
        team: row.get(2)?,
        scenario_id: row.get(3)?,
        started_at: row.get(4)?,
        started_epoch: row.get(5)?,
        outcome: row.get(6)?,
        handle_secs: row.get(7)?,
        overall: row.get(8)?,
        passed: row.get(9)?,
        reviewed: row.get(10)?,
        final_overall: row.get(11)?,
        final_passed: row.get(12)?,
        dimensions: [row.get(13)?, row.get(14)?, row.get(15)?, row.get(16)?],
        final_dimensions: [row.get(17)?, row.get(18)?, row.get(19)?, row.get(20)?],
    })
}

/// A review from the columns of `REVIEW_COLUMNS`.
fn review_from_row(row: &Row<'_>) -> rusqlite::Result<Review> {
    let kind: String = row.get(8)?;
    let by: Option<String> = row.get(9)?;
    let retraction = match by {
        Some(by) => Some(Retraction {
            by,
            at: row.get(10)?,
            reason: row.get(11)?,
        }),
        None => None,
    };
    Ok(Review {
        id: row.get(7)?,
        session_id: row.get(0)?,
        criterion: row.get(1)?,
        rating: row.get(2)?,
        machine_rating: row.get(3)?,
        comment: row.get(4)?,
        reviewer: row.get(5)?,
        reviewed_at: row.get(6)?,
        // A kind this version does not know counts as a plain rating.
        kind: ReviewKind::from_label(&kind).unwrap_or_default(),
        retraction,
    })
}
