//! The xAPI outbox: statements waiting for the learning record store, queued in the transaction that changes a session's score, then claimed, sent and marked by a sender.
//!
//! When a review, an adjudication, an accepted dispute or a retraction changes what a session's
//! score statement carries, the same transaction queues a `voided` statement for the score
//! statement queued before for that session (if any), then the new score statement. Rows are
//! sent in order within a session: a row waits while an earlier row of its session is pending,
//! so a statement is never voided before it was sent. A sender claims rows with a lease
//! (`claimed_by`, `claimed_until`), so several processes over one database never send the same
//! row at once; PostgreSQL also skips rows another transaction is claiming (`SKIP LOCKED`).

use serde::Serialize;
use serde_json::Value;

use super::TEAM_AT_START_JOIN;
use super::sql::{Backend, SqlRow, SqlTx, SqlValue, TxMode};
use super::{REVISIONS_SQL, SUMMARY_COLUMNS, ScoreRevision, SessionSummary, Store, StoreError};
use crate::report::xapi;

/// Where a queued statement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Not delivered yet (never tried, or waiting to try again).
    Pending,
    /// The LRS stored it (or already had it).
    Sent,
    /// The LRS refused it; kept with the LRS's answer until someone retries it by hand.
    Failed,
}

impl OutboxState {
    /// Every state, in the order pages list them.
    pub const ALL: [OutboxState; 3] =
        [OutboxState::Failed, OutboxState::Pending, OutboxState::Sent];

    /// The state's name in the store and on pages.
    pub fn label(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    fn from_label(label: &str) -> Result<OutboxState, StoreError> {
        OutboxState::ALL
            .into_iter()
            .find(|s| s.label() == label)
            .ok_or(StoreError::UnexpectedColumn {
                column: 0,
                expected: "an outbox state (pending, sent or failed)",
            })
    }
}

/// What a queued statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    /// A session's score (`passed` or `failed`).
    Score,
    /// Retracts the score statement queued before it.
    Void,
}

impl StatementKind {
    /// The kind's name in the store and on pages.
    pub fn label(self) -> &'static str {
        match self {
            StatementKind::Score => "score",
            StatementKind::Void => "void",
        }
    }

    fn from_label(label: &str) -> Result<StatementKind, StoreError> {
        match label {
            "score" => Ok(StatementKind::Score),
            "void" => Ok(StatementKind::Void),
            _ => Err(StoreError::UnexpectedColumn {
                column: 0,
                expected: "a statement kind (score or void)",
            }),
        }
    }
}

/// One queued statement, as the outbox page lists it (without the statement itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    /// The queue's order.
    pub id: i64,
    pub session_id: String,
    pub statement_id: String,
    pub kind: StatementKind,
    /// The statement a voiding statement voids.
    pub voids: Option<String>,
    pub state: OutboxState,
    /// Delivery attempts made.
    pub attempts: i64,
    /// Unix seconds it was queued.
    pub queued_at: i64,
    /// Unix seconds of the next attempt (pending rows).
    pub next_attempt_at: i64,
    /// What the LRS (or the network) answered to the last attempt.
    pub last_answer: Option<String>,
    /// Unix seconds it was delivered.
    pub sent_at: Option<i64>,
}

/// A statement claimed for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedStatement {
    pub id: i64,
    pub session_id: String,
    pub statement_id: String,
    pub kind: StatementKind,
    /// The statement, as JSON text (sent as it was queued).
    pub statement: String,
    /// Delivery attempts made before this one.
    pub attempts: i64,
}

/// How many statements are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// What an attempt to deliver a claimed statement came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Stored by the LRS, or already there; `answer` says which.
    Sent { answer: String },
    /// Try again at `retry_at` (Unix seconds): the network failed or the LRS answered 5xx/429.
    Retry { answer: String, retry_at: i64 },
    /// The LRS refused the statement for good; kept as failed with its answer.
    Failed { answer: String },
}

/// The latest score statement queued for a session.
const LAST_QUEUED_SCORE_SQL: &str = "SELECT statement_id FROM xapi_outbox WHERE session_id = ? AND kind = 'score' ORDER BY id DESC LIMIT 1";

const INSERT_SQL: &str = "INSERT INTO xapi_outbox (session_id, statement_id, kind, voids, statement, queued_at, state, attempts, next_attempt_at) \
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (statement_id) DO NOTHING";

const ENTRY_COLUMNS: &str = "id, session_id, statement_id, kind, voids, state, attempts, queued_at, next_attempt_at, last_answer, sent_at";

/// Queues what a change of a session's score sends, inside the transaction that made the change
/// (its score revision already written): nothing when the score statement is the one queued
/// last; otherwise a voiding statement for that one (if any), then the new score statement.
pub(super) fn queue_score_change(
    tx: &mut dyn SqlTx,
    session_id: &str,
    base: &str,
    now: i64,
) -> Result<(), StoreError> {
    let Some(summary) = session_summary(tx, session_id)? else {
        return Ok(());
    };
    let revisions = session_revisions(tx, session_id)?;
    let refs: Vec<&ScoreRevision> = revisions.iter().collect();
    let base = base.trim_end_matches('/');
    let scores = xapi::score_statements(&summary, &refs, base);
    let Some(current) = scores.last() else {
        return Ok(());
    };
    let last_queued = tx
        .query_opt(LAST_QUEUED_SCORE_SQL, &[session_id.into()])?
        .map(|row| row.text(0))
        .transpose()?;
    if last_queued.as_deref() == Some(current.id.as_str()) {
        return Ok(());
    }
    // The machine's own statement was never queued: a first review sends just its score.
    if last_queued.is_none() && current.revised.is_none() {
        return Ok(());
    }
    if let (Some(old), Some((by, at))) = (&last_queued, current.revised) {
        let voiding = xapi::voiding_statement(old, by, at, base);
        insert(
            tx,
            session_id,
            &voiding,
            StatementKind::Void,
            Some(old),
            now,
        )?;
    }
    insert(
        tx,
        session_id,
        &current.statement,
        StatementKind::Score,
        None,
        now,
    )
}

/// Now, in Unix seconds (when a statement is queued).
pub(super) fn epoch_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn insert(
    tx: &mut dyn SqlTx,
    session_id: &str,
    statement: &Value,
    kind: StatementKind,
    voids: Option<&String>,
    now: i64,
) -> Result<(), StoreError> {
    let statement_id = statement["id"].as_str().unwrap_or_default().to_owned();
    tx.execute(
        INSERT_SQL,
        &[
            session_id.into(),
            statement_id.into(),
            kind.label().into(),
            voids.into(),
            statement.to_string().into(),
            now.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// A session's summary, read inside a transaction.
fn session_summary(
    tx: &mut dyn SqlTx,
    session_id: &str,
) -> Result<Option<SessionSummary>, StoreError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM sessions s {TEAM_AT_START_JOIN} WHERE s.session_id = ?"
    );
    let Some(row) = tx.query_opt(&sql, &[session_id.into()])? else {
        return Ok(None);
    };
    Ok(Some(SessionSummary {
        session_id: row.text(0)?,
        trainee: row.text(1)?,
        team: row.opt_text(2)?,
        scenario_id: row.text(3)?,
        started_at: row.text(4)?,
        started_epoch: row.int(5)?,
        outcome: row.text(6)?,
        handle_secs: row.real(7)?,
        overall: row.real(8)?,
        passed: row.flag(9)?,
        reviewed: row.flag(10)?,
        final_overall: row.real(11)?,
        final_passed: row.flag(12)?,
        dimensions: [
            row.opt_real(13)?,
            row.opt_real(14)?,
            row.opt_real(15)?,
            row.opt_real(16)?,
        ],
        final_dimensions: [
            row.opt_real(17)?,
            row.opt_real(18)?,
            row.opt_real(19)?,
            row.opt_real(20)?,
        ],
    }))
}

/// A session's score revisions, oldest first, read inside a transaction.
fn session_revisions(
    tx: &mut dyn SqlTx,
    session_id: &str,
) -> Result<Vec<ScoreRevision>, StoreError> {
    let sql = REVISIONS_SQL.replace("{where}", "s.session_id = ?");
    let mut out = Vec::new();
    for row in tx.query(&sql, &[session_id.into()])? {
        out.push(ScoreRevision {
            session_id: row.text(0)?,
            revised_at: row.text(1)?,
            revised_by: row.text(2)?,
            reviewed: row.flag(3)?,
            final_overall: row.real(4)?,
            final_passed: row.flag(5)?,
            final_dimensions: [
                row.opt_real(6)?,
                row.opt_real(7)?,
                row.opt_real(8)?,
                row.opt_real(9)?,
            ],
        });
    }
    Ok(out)
}

fn entry_from_row(row: &SqlRow) -> Result<OutboxEntry, StoreError> {
    Ok(OutboxEntry {
        id: row.int(0)?,
        session_id: row.text(1)?,
        statement_id: row.text(2)?,
        kind: StatementKind::from_label(&row.text(3)?)?,
        voids: row.opt_text(4)?,
        state: OutboxState::from_label(&row.text(5)?)?,
        attempts: row.int(6)?,
        queued_at: row.int(7)?,
        next_attempt_at: row.int(8)?,
        last_answer: row.opt_text(9)?,
        sent_at: row.opt_int(10)?,
    })
}

/// Claims up to `limit` statements due for sending: pending, due, not leased to another sender,
/// and first of their session among the pending ones. The lease lasts until `lease_until`.
fn claim_sql(backend: Backend) -> String {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE OF o SKIP LOCKED",
        Backend::Sqlite => "",
    };
    format!(
        "UPDATE xapi_outbox SET claimed_by = ?, claimed_until = ? \
         WHERE id IN (SELECT o.id FROM xapi_outbox o \
             WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until < ?) \
             AND NOT EXISTS (SELECT 1 FROM xapi_outbox e WHERE e.session_id = o.session_id AND e.id < o.id AND e.state = 'pending') \
             ORDER BY o.id LIMIT ?{skip_locked}) \
         AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < ?) \
         RETURNING id, session_id, statement_id, kind, statement, attempts"
    )
}

impl Store {
    /// Claims up to `limit` statements due at `now` for `sender` until `lease_until`, oldest first.
    pub fn claim_outbox(
        &mut self,
        sender: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedStatement>, StoreError> {
        self.in_transaction(TxMode::Write, |tx| {
            let sql = claim_sql(tx.backend());
            let rows = tx.query(
                &sql,
                &[
                    sender.into(),
                    lease_until.into(),
                    now.into(),
                    now.into(),
                    limit.into(),
                    now.into(),
                ],
            )?;
            let mut claimed = Vec::with_capacity(rows.len());
            for row in rows {
                claimed.push(ClaimedStatement {
                    id: row.int(0)?,
                    session_id: row.text(1)?,
                    statement_id: row.text(2)?,
                    kind: StatementKind::from_label(&row.text(3)?)?,
                    statement: row.text(4)?,
                    attempts: row.int(5)?,
                });
            }
            claimed.sort_by_key(|c| c.id);
            Ok(claimed)
        })
    }

    /// Records what an attempt came to and releases the claim; a row `sender` no longer holds
    /// (its lease ran out and another sender took it) is left to that sender.
    pub fn mark_outbox(
        &mut self,
        id: i64,
        sender: &str,
        delivery: &Delivery,
        now: i64,
    ) -> Result<(), StoreError> {
        let (sql, params): (&str, Vec<SqlValue>) = match delivery {
            Delivery::Sent { answer } => (
                "UPDATE xapi_outbox SET state = 'sent', sent_at = ?, last_answer = ?, attempts = attempts + 1, \
                 claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                vec![now.into(), answer.into(), id.into(), sender.into()],
            ),
            Delivery::Retry { answer, retry_at } => (
                "UPDATE xapi_outbox SET next_attempt_at = ?, last_answer = ?, attempts = attempts + 1, \
                 claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                vec![(*retry_at).into(), answer.into(), id.into(), sender.into()],
            ),
            Delivery::Failed { answer } => (
                "UPDATE xapi_outbox SET state = 'failed', last_answer = ?, attempts = attempts + 1, \
                 claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                vec![answer.into(), id.into(), sender.into()],
            ),
        };
        self.in_transaction(TxMode::Write, |tx| tx.execute(sql, &params).map(drop))
    }

    /// The queued statements, newest first, at most `limit` (failed and pending ones first).
    pub fn outbox_entries(&mut self, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM xapi_outbox \
             ORDER BY CASE state WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, id DESC LIMIT ?"
        );
        self.in_transaction(TxMode::Read, |tx| {
            tx.query(&sql, &[limit.into()])?
                .iter()
                .map(entry_from_row)
                .collect()
        })
    }

    /// How many statements are pending, sent and failed.
    pub fn outbox_counts(&mut self) -> Result<OutboxCounts, StoreError> {
        self.in_transaction(TxMode::Read, |tx| {
            let mut counts = OutboxCounts::default();
            for row in tx.query(
                "SELECT state, COUNT(*) FROM xapi_outbox GROUP BY state",
                &[],
            )? {
                let count = row.int(1)?;
                match OutboxState::from_label(&row.text(0)?)? {
                    OutboxState::Pending => counts.pending = count,
                    OutboxState::Sent => counts.sent = count,
                    OutboxState::Failed => counts.failed = count,
                }
            }
            Ok(counts)
        })
    }
}

/// Puts failed statements back in the queue, due at `now`, inside a transaction (the team
/// workflow audits it there); `only` names one row, `None` takes every failed one. The rows
/// put back, as they were.
pub fn requeue_failed(
    tx: &mut dyn SqlTx,
    only: Option<i64>,
    now: i64,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let (condition, mut params): (&str, Vec<SqlValue>) = match only {
        Some(id) => ("state = 'failed' AND id = ?", vec![id.into()]),
        None => ("state = 'failed'", vec![]),
    };
    let before: Vec<OutboxEntry> = tx
        .query(
            &format!("SELECT {ENTRY_COLUMNS} FROM xapi_outbox WHERE {condition} ORDER BY id"),
            &params,
        )?
        .iter()
        .map(entry_from_row)
        .collect::<Result<_, _>>()?;
    let mut update = vec![now.into()];
    update.append(&mut params);
    tx.execute(
        &format!(
            "UPDATE xapi_outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE {condition}"
        ),
        &update,
    )?;
    Ok(before)
}
