//! The xAPI outbox as the team sees it: its state for the admin's page, and failed statements put back in the queue by hand (audited).

use super::access::authorize_in;
use super::audit::{self, Subject};
use super::{Action, Actor, Target, Team, TeamError, User};
use crate::store::outbox::{OutboxCounts, OutboxEntry, requeue_failed};
use crate::store::sql::{SqlTx, TxMode};

/// How many queued statements the outbox page lists.
pub const OUTBOX_PAGE_ROWS: i64 = 200;

impl Team<'_> {
    /// The outbox's counts and its latest rows (failed and pending first), for a user who may
    /// manage the LRS delivery.
    pub fn outbox(&mut self, user: &User) -> Result<(OutboxCounts, Vec<OutboxEntry>), TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            authorize_in(tx, user, Action::ManageLrs, Target::Nothing)
        })?;
        let counts = self.store.outbox_counts()?;
        let entries = self.store.outbox_entries(OUTBOX_PAGE_ROWS)?;
        Ok((counts, entries))
    }

    /// Puts failed statements back in the queue (`only` one of them, or all), audited; how
    /// many. `user` is checked when given (the web); the command line passes `None`.
    pub fn retry_outbox(
        &mut self,
        actor: &Actor,
        user: Option<&User>,
        only: Option<i64>,
    ) -> Result<usize, TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            if let Some(user) = user {
                authorize_in(tx, user, Action::ManageLrs, Target::Nothing)?;
            }
            let requeued = requeue_failed(tx, only, now)?;
            for entry in &requeued {
                audit_retry(tx, now, actor, entry)?;
            }
            Ok(requeued.len())
        })
    }
}

fn audit_retry(
    tx: &mut dyn SqlTx,
    now: i64,
    actor: &Actor,
    entry: &OutboxEntry,
) -> Result<(), TeamError> {
    audit::append(
        tx,
        now,
        actor,
        "xapi.retry",
        Subject {
            kind: "xapi-statement",
            id: &entry.statement_id,
        },
        Some(serde_json::json!({
            "state": entry.state,
            "attempts": entry.attempts,
            "last_answer": entry.last_answer,
            "session_id": entry.session_id,
        })),
        Some(serde_json::json!({ "state": "pending", "attempts": 0 })),
    )
}
