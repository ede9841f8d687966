//! The PostgreSQL results store, for teams reporting to one server, with versioned migrations in `rapport_schema`.

use std::collections::BTreeMap;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row};

use super::outbox::{epoch_now, queue_score_change};
use super::postgres_migrations::MIGRATIONS;
use super::postgres_statements::StatementCache;
use super::record::{CriterionAggregator, FinalScores, SessionRecord, pack_criteria, pack_record};
use super::sql::postgres::PostgresTx;
use super::sql::{ReviewsRecorded, SqlTx, TxMode};
use super::{
    BEST_SCORES_SQL, CRITERIA_SQL, CriterionMean, Filter, Param, REVIEW_STATE_SQL, REVIEWS_SQL,
    REVISIONS_SQL, Retraction, Review, ReviewKind, ReviewState, ReviewedRating,
    SESSION_CRITERIA_SQL, SESSION_REVIEWS_SQL, STORED_TRANSCRIPT_SQL, SUMMARY_COLUMNS, Saved,
    ScoreRevision, SessionSummary, StoreError, StoredSession, TEAM_AT_START_JOIN, TEAM_HISTORY_SQL,
    TeamMember, TeamPlan, TeamState, check_review_state, filter_sql, plan_team_change,
    with_review_columns,
};
use crate::scoring::Scorecard;

/// The advisory lock taken while migrating, so several clients starting at once migrate once.
const MIGRATION_LOCK: i64 = 0x7261_7070_6f72;

/// A PostgreSQL database of sessions.
pub struct PostgresStore {
    client: Client,
    /// The connection's prepared statements (the queries a server sends again and again).
    statements: StatementCache,
    location: String,
    /// The base IRI of the xAPI statements queued in the outbox.
    pub(super) xapi_base: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the server at `url` and migrates its schema.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let location = redact_password(url);
        let client = Client::connect(url, NoTls).map_err(|source| StoreError::Connect {
            location: location.clone(),
            source,
        })?;
        let mut store = PostgresStore {
            client,
            statements: StatementCache::default(),
            location,
            xapi_base: crate::report::xapi::DEFAULT_BASE.to_owned(),
        };
        store.migrate(MIGRATIONS.len())?;
        Ok(store)
    }

    /// Connects and migrates only up to `version`, so tests can build an older schema and check
    /// that it upgrades.
    #[doc(hidden)]
    pub fn open_at_schema_version_for_tests(
        url: &str,
        version: usize,
    ) -> Result<PostgresStore, StoreError> {
        let location = redact_password(url);
        let client = Client::connect(url, NoTls).map_err(|source| StoreError::Connect {
            location: location.clone(),
            source,
        })?;
        let mut store = PostgresStore {
            client,
            statements: StatementCache::default(),
            location,
            xapi_base: crate::report::xapi::DEFAULT_BASE.to_owned(),
        };
        store.migrate(version.min(MIGRATIONS.len()))?;
        Ok(store)
    }

    /// The server's URL, without its password.
    pub fn location(&self) -> String {
        self.location.clone()
    }

    fn fail(&self) -> impl Fn(postgres::Error) -> StoreError + use<> {
        let location = self.location.clone();
        move |source| classify(&location, source)
    }

    /// The rows of a query, prepared once per connection (see [`StatementCache`]).
    fn query_prepared(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, StoreError> {
        let fail = self.fail();
        let statement = self
            .statements
            .prepare(&mut self.client, sql)
            .map_err(&fail)?;
        let boxed = values(params);
        self.client.query(&statement, &refs(&boxed)).map_err(fail)
    }

    /// Applies the migrations up to `target` (normally all of them).
    fn migrate(&mut self, target: usize) -> Result<(), StoreError> {
        let fail = self.fail();
        let mut tx = self.client.transaction().map_err(&fail)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(&fail)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS rapport_schema (version BIGINT NOT NULL)")
            .map_err(&fail)?;
        let version: i64 = tx
            .query_opt("SELECT version FROM rapport_schema", &[])
            .map_err(&fail)?
            .map_or(0, |row| row.get(0));
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported,
            });
        }
        let reached = target as i64;
        for migration in MIGRATIONS.iter().take(target).skip(version as usize) {
            tx.batch_execute(migration).map_err(&fail)?;
        }
        tx.execute("DELETE FROM rapport_schema", &[])
            .map_err(&fail)?;
        tx.execute(
            "INSERT INTO rapport_schema (version) VALUES ($1)",
            &[&reached.max(version)],
        )
        .map_err(&fail)?;
        tx.commit().map_err(&fail)
    }

    /// Runs `work` in one transaction.
    pub(super) fn in_transaction<T, E: From<StoreError>>(
        &mut self,
        _mode: TxMode,
        work: impl FnOnce(&mut dyn SqlTx) -> Result<T, E>,
    ) -> Result<T, E> {
        let fail = self.fail();
        let mut tx = self.client.transaction().map_err(&fail)?;
        let result = work(&mut PostgresTx {
            tx: &mut tx,
            statements: &mut self.statements,
            fail: &fail,
        })?;
        tx.commit().map_err(&fail)?;
        Ok(result)
    }

    /// The schema version the database is at.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        let fail = self.fail();
        let row = self
            .client
            .query_one("SELECT version FROM rapport_schema", &[])
            .map_err(&fail)?;
        Ok(row.get(0))
    }

    /// Stores sessions in one transaction; sessions already stored are left as they are.
    pub fn save_records(&mut self, records: &[SessionRecord]) -> Result<Vec<Saved>, StoreError> {
        let fail = self.fail();
        let mut tx = self.client.transaction().map_err(&fail)?;
        let insert_session = tx
            .prepare(
                "INSERT INTO sessions (session_id, trainee, scenario_id, scenario_version, scenario_hash, seed, started_at, started_epoch,
                    outcome, rubric_id, rubric_version, overall, passed, band, handle_secs, empathy, timeliness, expectations, ownership,
                    final_overall, final_passed, final_empathy, final_timeliness, final_expectations, final_ownership, criteria)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $12, $13, $16, $17, $18, $19, $20)
                 ON CONFLICT (session_id) DO NOTHING RETURNING id",
            )
            .map_err(&fail)?;
        let insert_document = tx
            .prepare("INSERT INTO session_documents (session, transcript, scorecard) VALUES ($1, $2, $3)")
            .map_err(&fail)?;
        let insert_criterion = tx
            .prepare(
                "INSERT INTO criterion_scores (session, criterion, dimension, rating, score, final_rating, final_score)
                 VALUES ($1, $2, $3, $4, $5, $4, $5)",
            )
            .map_err(&fail)?;
        let mut saved = Vec::with_capacity(records.len());
        for record in records {
            let [empathy, timeliness, expectations, ownership] = record.dimensions;
            let packed = pack_record(&record.criteria);
            let row = tx
                .query_opt(
                    &insert_session,
                    &[
                        &record.session_id,
                        &record.trainee,
                        &record.scenario_id,
                        &record.scenario_version,
                        &record.scenario_hash,
                        &record.seed,
                        &record.started_at,
                        &record.started_epoch,
                        &record.outcome,
                        &record.rubric_id,
                        &record.rubric_version,
                        &record.overall,
                        &record.passed,
                        &record.band,
                        &record.handle_secs,
                        &empathy,
                        &timeliness,
                        &expectations,
                        &ownership,
                        &packed,
                    ],
                )
                .map_err(&fail)?;
            let Some(row) = row else {
                let stored: String = tx
                    .query_one(&numbered(STORED_TRANSCRIPT_SQL), &[&record.session_id])
                    .map_err(&fail)?
                    .get(0);
                saved.push(if record.same_transcript_as(&stored) {
                    Saved::AlreadyStored
                } else {
                    Saved::Different
                });
                continue;
            };
            let id: i64 = row.get(0);
            tx.execute(
                &insert_document,
                &[&id, &record.transcript_jsonl, &record.scorecard_json],
            )
            .map_err(&fail)?;
            for criterion in &record.criteria {
                tx.execute(
                    &insert_criterion,
                    &[
                        &id,
                        &criterion.criterion,
                        &criterion.dimension,
                        &criterion.rating,
                        &criterion.score,
                    ],
                )
                .map_err(&fail)?;
            }
            saved.push(Saved::Added);
        }
        tx.commit().map_err(&fail)?;
        Ok(saved)
    }

    /// The sessions matching a filter, newest first.
    pub fn summaries(&mut self, filter: &Filter) -> Result<Vec<SessionSummary>, StoreError> {
        let (condition, params) = filter_sql(filter);
        let sql = numbered(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions s {TEAM_AT_START_JOIN} WHERE {condition} \
             ORDER BY s.started_epoch DESC, s.session_id"
        ));
        let rows = self.query_prepared(&sql, &params)?;
        Ok(rows.iter().map(summary_from_row).collect())
    }

    /// A trainee's best final overall per scenario.
    pub fn best_scores(&mut self, trainee: &str) -> Result<BTreeMap<String, f64>, StoreError> {
        let rows = self.query_prepared(
            &numbered(BEST_SCORES_SQL),
            &[Param::Text(trainee.to_owned())],
        )?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// Each trainee's mean score per criterion.
    pub fn criterion_means(&mut self, filter: &Filter) -> Result<Vec<CriterionMean>, StoreError> {
        let (condition, params) = filter_sql(filter);
        let sql = numbered(&CRITERIA_SQL.replace("{where}", &condition));
        let rows = self.query_prepared(&sql, &params)?;
        let mut aggregator = CriterionAggregator::default();
        for row in &rows {
            aggregator.add(row.get(0), row.get(1));
        }
        Ok(aggregator.finish())
    }

    /// Ids starting with `prefix` (at most a few).
    pub fn ids_starting_with(&mut self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let fail = self.fail();
        let pattern = format!(
            "{}%",
            prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = self
            .client
            .query("SELECT session_id FROM sessions WHERE session_id LIKE $1 ORDER BY session_id LIMIT 5", &[&pattern])
            .map_err(&fail)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Sessions in full.
    pub fn load_sessions(&mut self, ids: &[String]) -> Result<Vec<StoredSession>, StoreError> {
        let fail = self.fail();
        let session = self
            .statements
            .prepare(
                &mut self.client,
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, d.transcript, d.scorecard, d.reviewed_scorecard \
                     FROM sessions s {TEAM_AT_START_JOIN} JOIN session_documents d ON d.session = s.id \
                     WHERE s.session_id = $1"
                ),
            )
            .map_err(&fail)?;
        let reviews = self
            .statements
            .prepare(
                &mut self.client,
                &numbered(&with_review_columns(SESSION_REVIEWS_SQL)),
            )
            .map_err(&fail)?;
        let mut sessions = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(row) = self.client.query_opt(&session, &[id]).map_err(&fail)? else {
                continue;
            };
            let summary = summary_from_row(&row);
            let transcript: String = row.get(21);
            let scorecard: String = row.get(22);
            let reviewed: Option<String> = row.get(23);
            let review_rows = self
                .client
                .query(&reviews, &[id])
                .map_err(&fail)?
                .iter()
                .map(review_from_row)
                .collect();
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
        let mut tx = self.client.transaction().map_err(&fail)?;
        let now = review_state(&mut tx, &revision.session_id).map_err(&fail)?;
        check_review_state(&revision.session_id, seen, now)?;
        let mut ids = Vec::with_capacity(reviews.len());
        for review in reviews {
            let row = tx.query_one(
                "INSERT INTO reviews (session_id, criterion, rating, machine_rating, comment, reviewer, reviewed_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[&review.session_id, &review.criterion, &review.rating, &review.machine_rating, &review.comment, &review.reviewer, &review.reviewed_at, &review.kind.label()],
            )
            .map_err(&fail)?;
            ids.push(row.get::<_, i64>(0));
        }
        write_finals(&mut tx, reviewed, revision).map_err(&fail)?;
        let mut shared = PostgresTx {
            tx: &mut tx,
            statements: &mut self.statements,
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
        let fail = self.fail();
        let row = self
            .client
            .query_opt(
                "SELECT session_id FROM reviews WHERE id = $1",
                &[&review_id],
            )
            .map_err(fail)?;
        Ok(row.map(|row| row.get(0)))
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
        let mut tx = self.client.transaction().map_err(&fail)?;
        let now = review_state(&mut tx, &revision.session_id).map_err(&fail)?;
        check_review_state(&revision.session_id, seen, now)?;
        let earlier = tx
            .query_opt(
                "SELECT retracted_by, retracted_at FROM review_retractions WHERE review_id = $1",
                &[&review_id],
            )
            .map_err(&fail)?;
        if let Some(row) = earlier {
            return Err(StoreError::AlreadyRetracted {
                review_id,
                by: row.get(0),
                at: row.get(1),
            });
        }
        tx.execute(
            "INSERT INTO review_retractions (review_id, retracted_by, retracted_at, reason) VALUES ($1, $2, $3, $4)",
            &[&review_id, &retraction.by, &retraction.at, &retraction.reason],
        )
        .map_err(&fail)?;
        write_finals(&mut tx, final_card, revision).map_err(&fail)?;
        queue_score_change(
            &mut PostgresTx {
                tx: &mut tx,
                statements: &mut self.statements,
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
        let (condition, params) = filter_sql(filter);
        let sql = numbered(&REVISIONS_SQL.replace("{where}", &condition));
        let rows = self.query_prepared(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|row| ScoreRevision {
                session_id: row.get(0),
                revised_at: row.get(1),
                revised_by: row.get(2),
                reviewed: row.get(3),
                final_overall: row.get(4),
                final_passed: row.get(5),
                final_dimensions: [row.get(6), row.get(7), row.get(8), row.get(9)],
            })
            .collect())
    }

    /// The first column of every row of a query without parameters.
    pub fn strings(&mut self, sql: &str) -> Result<Vec<String>, StoreError> {
        let fail = self.fail();
        let rows = self.client.query(sql, &[]).map_err(fail)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Every review of the matching sessions, oldest first.
    pub fn reviews(&mut self, filter: &Filter) -> Result<Vec<ReviewedRating>, StoreError> {
        let (condition, params) = filter_sql(filter);
        let sql = numbered(&with_review_columns(REVIEWS_SQL).replace("{where}", &condition));
        let rows = self.query_prepared(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|row| ReviewedRating {
                review: review_from_row(row),
                dimension: row.get(12),
            })
            .collect())
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
        let mut tx = self.client.transaction().map_err(&fail)?;
        // One change of a trainee's teams at a time.
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            &[&TEAM_LOCK, &trainee],
        )
        .map_err(&fail)?;
        let open = tx
            .query_opt(
                "SELECT id, team, since_epoch FROM team_memberships WHERE trainee = $1 AND until_epoch IS NULL",
                &[&trainee],
            )
            .map_err(&fail)?
            .map(|row| (row.get(0), row.get(1), row.get(2)));
        let row = tx
            .query_one(
                "SELECT COUNT(*) > 0, MAX(until_epoch) FROM team_memberships WHERE trainee = $1",
                &[&trainee],
            )
            .map_err(&fail)?;
        let state = TeamState {
            open,
            ever: row.get(0),
            last_end: row.get(1),
        };
        let plan = plan_team_change(trainee, team, &state, since, now)?;
        if let Some((id, at)) = plan.close {
            tx.execute(
                "UPDATE team_memberships SET until_epoch = $2 WHERE id = $1",
                &[&id, &at],
            )
            .map_err(&fail)?;
        }
        if let (Some(start), Some(team)) = (plan.open, team) {
            tx.execute(
                "INSERT INTO team_memberships (trainee, team, since_epoch) VALUES ($1, $2, $3)",
                &[&trainee, &team, &start],
            )
            .map_err(&fail)?;
        }
        tx.commit().map_err(&fail)?;
        Ok(plan)
    }

    /// Every membership, past and current.
    pub fn team_history(&mut self) -> Result<Vec<TeamMember>, StoreError> {
        let rows = self.query_prepared(TEAM_HISTORY_SQL, &[])?;
        Ok(rows
            .iter()
            .map(|row| TeamMember {
                trainee: row.get(0),
                team: row.get(1),
                since: row.get(2),
                until: row.get(3),
            })
            .collect())
    }
}

/// The advisory lock class taken while a trainee's teams change.
const TEAM_LOCK: i32 = 0x7261_7070;

/// Locks a session's row for the rest of the transaction, so that reviews of it are stored one at
/// a time, and reads the state of its reviews.
fn review_state(
    tx: &mut postgres::Transaction<'_>,
    session_id: &str,
) -> Result<ReviewState, postgres::Error> {
    tx.execute(
        "SELECT id FROM sessions WHERE session_id = $1 FOR UPDATE",
        &[&session_id],
    )?;
    let row = tx.query_one(&numbered(REVIEW_STATE_SQL), &[&session_id])?;
    Ok(ReviewState {
        last_review_id: row.get(0),
        retractions: row.get(1),
    })
}

/// Writes a session's final (reviewed) scores and appends the revision, inside a transaction.
fn write_finals(
    tx: &mut postgres::Transaction<'_>,
    card: &Scorecard,
    revision: &ScoreRevision,
) -> Result<(), postgres::Error> {
    let scores = FinalScores::of(card);
    let json = revision
        .reviewed
        .then(|| serde_json::to_string(card).unwrap_or_default());
    let [empathy, timeliness, expectations, ownership] = scores.dimensions;
    let row = tx.query_one(
        "UPDATE sessions SET reviewed = $2, final_overall = $3, final_passed = $4, final_empathy = $5, final_timeliness = $6,
            final_expectations = $7, final_ownership = $8 WHERE session_id = $1 RETURNING id",
        &[&revision.session_id, &revision.reviewed, &scores.overall, &scores.passed, &empathy, &timeliness, &expectations, &ownership],
    )?;
    let id: i64 = row.get(0);
    tx.execute(
        "UPDATE session_documents SET reviewed_scorecard = $2 WHERE session = $1",
        &[&id, &json],
    )?;
    let update = tx.prepare("UPDATE criterion_scores SET final_rating = $3, final_score = $4, reviewed = $5 WHERE session = $1 AND criterion = $2")?;
    for criterion in &scores.criteria {
        tx.execute(
            &update,
            &[
                &id,
                &criterion.criterion,
                &criterion.rating,
                &criterion.score,
                &criterion.reviewed,
            ],
        )?;
    }
    let entries = tx
        .query(&numbered(SESSION_CRITERIA_SQL), &[&id])?
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect::<Vec<(String, String, Option<f64>, Option<f64>)>>();
    tx.execute(
        "UPDATE sessions SET criteria = $2 WHERE id = $1",
        &[&id, &pack_criteria(entries.into_iter())],
    )?;
    let [empathy, timeliness, expectations, ownership] = revision.final_dimensions;
    tx.execute(
        "INSERT INTO score_revisions (session_id, revised_at, revised_by, reviewed, final_overall, final_passed,
            final_empathy, final_timeliness, final_expectations, final_ownership) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[&revision.session_id, &revision.revised_at, &revision.revised_by, &revision.reviewed, &revision.final_overall,
            &revision.final_passed, &empathy, &timeliness, &expectations, &ownership],
    )?;
    Ok(())
}

/// Turns a PostgreSQL error into a store error that says what to do.
fn classify(location: &str, source: postgres::Error) -> StoreError {
    let location = location.to_owned();
    match source.code() {
        Some(code) if *code == SqlState::DISK_FULL => StoreError::DiskFull { location },
        Some(code) if *code == SqlState::READ_ONLY_SQL_TRANSACTION => {
            StoreError::ReadOnly { location }
        }
        _ if source.is_closed() => StoreError::Connect { location, source },
        _ => StoreError::Postgres { location, source },
    }
}

/// Rewrites the shared `?` placeholders as PostgreSQL's `$1`, `$2`, ….
pub(super) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 0;
    for c in sql.chars() {
        if c == '?' {
            next += 1;
            out.push_str(&format!("${next}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Owned PostgreSQL values for the shared parameters.
fn values(params: &[Param]) -> Vec<Box<dyn ToSql + Sync>> {
    params
        .iter()
        .map(|p| -> Box<dyn ToSql + Sync> {
            match p {
                Param::Text(text) => Box::new(text.clone()),
                Param::Int(int) => Box::new(*int),
            }
        })
        .collect()
}

fn refs(values: &[Box<dyn ToSql + Sync>]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v.as_ref()).collect()
}

/// A summary from the columns of [`SUMMARY_COLUMNS`].
fn summary_from_row(row: &Row) -> SessionSummary {
    SessionSummary {
        session_id: row.get(0),
        trainee: row.get(1),
        team: row.get(2),
        scenario_id: row.get(3),
        started_at: row.get(4),
        started_epoch: row.get(5),
        outcome: row.get(6),
        handle_secs: row.get(7),
        overall: row.get(8),
        passed: row.get(9),
        reviewed: row.get(10),
        final_overall: row.get(11),
        final_passed: row.get(12),
        dimensions: [row.get(13), row.get(14), row.get(15), row.get(16)],
        final_dimensions: [row.get(17), row.get(18), row.get(19), row.get(20)],
    }
}

/// A review from the columns of `REVIEW_COLUMNS`.
fn review_from_row(row: &Row) -> Review {
    let kind: String = row.get(8);
    let by: Option<String> = row.get(9);
    Review {
        id: row.get(7),
        session_id: row.get(0),
        criterion: row.get(1),
        rating: row.get(2),
        machine_rating: row.get(3),
        comment: row.get(4),
        reviewer: row.get(5),
        reviewed_at: row.get(6),
        // A kind this version does not know counts as a plain rating.
        kind: ReviewKind::from_label(&kind).unwrap_or_default(),
        retraction: by.map(|by| Retraction {
            by,
            at: row.get(10),
            reason: row.get(11),
        }),
    }
}

/// The URL with any password replaced by `***`, for messages.
pub(crate) fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered("a IN (?, ?) AND b >= ?"),
            "a IN ($1, $2) AND b >= $3"
        );
    }

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact_password("postgres://qa:s3cret@db:5432/rapport"),
            "postgres://qa:***@db:5432/rapport"
        );
        assert_eq!(
            redact_password("postgres://db/rapport"),
            "postgres://db/rapport"
        );
    }
}
