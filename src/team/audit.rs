//! The audit log: every team change appends who made it, what, on which subject, when, and the subject before and after, in the change's own transaction.

use serde::Serialize;
use serde_json::Value;

use super::{Actor, Team, TeamError};
use crate::store::sql::{SqlRow, SqlTx, SqlValue, TxMode};

/// One change, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// The account that made the change; `None` for the command line.
    pub actor_id: Option<i64>,
    /// The actor's login, or `cli:<system user>` for the command line.
    pub actor: String,
    /// What was done (`user.create`, `dispute.accept`, …).
    pub action: String,
    /// What kind of thing was changed (`user`, `session`, `dispute`, …).
    pub subject_kind: String,
    /// Which one (a login, a session id, a number).
    pub subject_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Which entries to list; every field left empty matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    /// Entries at or after this Unix time.
    pub since: Option<i64>,
    /// Entries before this Unix time.
    pub until: Option<i64>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

/// What a change was made to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    pub kind: &'a str,
    pub id: &'a str,
}

/// Appends one entry inside the change's transaction.
pub(crate) fn append(
    tx: &mut dyn SqlTx,
    at: i64,
    actor: &Actor,
    action: &str,
    subject: Subject<'_>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), TeamError> {
    tx.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, subject_kind, subject_id, before_json, after_json) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            at.into(),
            actor.user_id.into(),
            (&actor.name).into(),
            action.into(),
            subject.kind.into(),
            subject.id.into(),
            before.map(|v| v.to_string()).into(),
            after.map(|v| v.to_string()).into(),
        ],
    )?;
    Ok(())
}

/// A value as the log stores it.
pub(crate) fn json(value: &impl Serialize) -> Option<Value> {
    serde_json::to_value(value).ok()
}

impl Team<'_> {
    /// The entries matching a filter, newest first.
    pub fn audit_log(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, TeamError> {
        let mut clauses = vec!["1 = 1"];
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(actor) = filter.actor_id {
            clauses.push("actor_id = ?");
            params.push(actor.into());
        }
        if let Some(action) = &filter.action {
            clauses.push("action = ?");
            params.push(action.into());
        }
        if let Some(kind) = &filter.subject_kind {
            clauses.push("subject_kind = ?");
            params.push(kind.into());
        }
        if let Some(id) = &filter.subject_id {
            clauses.push("subject_id = ?");
            params.push(id.into());
        }
        if let Some(since) = filter.since {
            clauses.push("at >= ?");
            params.push(since.into());
        }
        if let Some(until) = filter.until {
            clauses.push("at < ?");
            params.push(until.into());
        }
        let limit = filter
            .limit
            .map_or(String::new(), |n| format!(" LIMIT {n}"));
        let sql = format!(
            "SELECT id, at, actor_id, actor, action, subject_kind, subject_id, before_json, after_json \
             FROM audit_log WHERE {} ORDER BY id DESC{limit}",
            clauses.join(" AND ")
        );
        self.store.in_transaction(TxMode::Read, |tx| {
            tx.query(&sql, &params)?
                .iter()
                .map(entry_from_row)
                .collect::<Result<Vec<_>, TeamError>>()
        })
    }
}

fn entry_from_row(row: &SqlRow) -> Result<AuditEntry, TeamError> {
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(AuditEntry {
        id: row.int(0)?,
        at: row.int(1)?,
        actor_id: row.opt_int(2)?,
        actor: row.text(3)?,
        action: row.text(4)?,
        subject_kind: row.text(5)?,
        subject_id: row.text(6)?,
        before: parse(row.opt_text(7)?),
        after: parse(row.opt_text(8)?),
    })
}
