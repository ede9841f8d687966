//! Disputes: a trainee disputes one criterion of their own session with a reason; a QA lead accepts it (a dispute-kind review changes the score) or rejects it with a reply; the trainee sees the outcome.

use serde::Serialize;

use super::access::{Target, authorize_in};
use super::audit::{self, Subject, json};
use super::{Action, Actor, Team, TeamError, User};
use crate::report::review::{CriterionRating, ReviewOutcome, ReviewRequest, review_session_then};
use crate::scoring::Rubric;
use crate::store::sql::{SqlRow, SqlTx, SqlValue, TxMode};
use crate::store::{ReviewKind, StoreError, StoredSession};

/// The longest reason or reply, in characters.
pub const MAX_DISPUTE_TEXT_CHARS: usize = 4000;

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DisputeState {
    /// Waiting for a QA lead.
    Open,
    /// The lead agreed: a dispute-kind review set the criterion's rating.
    Accepted,
    /// The lead disagreed, with a reply; the score stands.
    Rejected,
}

impl DisputeState {
    fn label(self) -> &'static str {
        match self {
            DisputeState::Open => "open",
            DisputeState::Accepted => "accepted",
            DisputeState::Rejected => "rejected",
        }
    }

    fn from_label(label: &str) -> Option<DisputeState> {
        [
            DisputeState::Open,
            DisputeState::Accepted,
            DisputeState::Rejected,
        ]
        .into_iter()
        .find(|s| s.label() == label)
    }
}

/// One dispute and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dispute {
    pub id: i64,
    pub session_id: String,
    pub criterion: String,
    /// The login of the trainee who raised it.
    pub raised_by: String,
    pub reason: String,
    pub raised_at: i64,
    pub state: DisputeState,
    /// The login of the lead who decided.
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// The lead's reply to the trainee.
    pub reply: Option<String>,
    /// The rating an accepted dispute set (`None` for N/A, or while not accepted).
    pub rating: Option<i32>,
    /// The dispute-kind review an acceptance recorded.
    pub review_id: Option<i64>,
}

const DISPUTE_SQL: &str = "SELECT d.id, d.session_id, d.criterion, r.login, d.reason, d.raised_at, d.state, \
     l.login, d.decided_at, d.reply, d.rating, d.review_id \
     FROM disputes d JOIN users r ON r.id = d.raised_by LEFT JOIN users l ON l.id = d.decided_by";

fn dispute_from_row(row: &SqlRow) -> Result<Dispute, TeamError> {
    let state = row.text(6)?;
    Ok(Dispute {
        id: row.int(0)?,
        session_id: row.text(1)?,
        criterion: row.text(2)?,
        raised_by: row.text(3)?,
        reason: row.text(4)?,
        raised_at: row.int(5)?,
        state: DisputeState::from_label(&state).ok_or(StoreError::UnexpectedColumn {
            column: 6,
            expected: "a dispute state",
        })?,
        decided_by: row.opt_text(7)?,
        decided_at: row.opt_int(8)?,
        reply: row.opt_text(9)?,
        rating: row.opt_int(10)?.and_then(|r| i32::try_from(r).ok()),
        review_id: row.opt_int(11)?,
    })
}

fn disputes_where(
    tx: &mut dyn SqlTx,
    condition: &str,
    params: &[SqlValue],
) -> Result<Vec<Dispute>, TeamError> {
    let sql = format!("{DISPUTE_SQL} WHERE {condition} ORDER BY d.id");
    tx.query(&sql, params)?
        .iter()
        .map(dispute_from_row)
        .collect()
}

fn one_dispute(tx: &mut dyn SqlTx, dispute_id: i64) -> Result<Dispute, TeamError> {
    disputes_where(tx, "d.id = ?", &[dispute_id.into()])?
        .pop()
        .ok_or(TeamError::NoSuchDispute { dispute_id })
}

/// A reason or reply, trimmed, or why it cannot be one.
fn check_text(what: &'static str, text: &str) -> Result<String, TeamError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TeamError::EmptyText { what });
    }
    if text.chars().count() > MAX_DISPUTE_TEXT_CHARS {
        return Err(TeamError::TextTooLong {
            what,
            max: MAX_DISPUTE_TEXT_CHARS,
        });
    }
    Ok(text.to_owned())
}

impl Team<'_> {
    /// A trainee disputes one criterion of their own session (audited); one open dispute per
    /// criterion at a time.
    pub fn raise_dispute(
        &mut self,
        trainee: &User,
        session_id: &str,
        criterion: &str,
        reason: &str,
    ) -> Result<Dispute, TeamError> {
        let reason = check_text("reason", reason)?;
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(
                tx,
                trainee,
                Action::RaiseDispute,
                Target::Session(session_id),
            )?;
            let known = tx.query_opt(
                "SELECT 1 FROM criterion_scores c JOIN sessions s ON s.id = c.session \
                 WHERE s.session_id = ? AND c.criterion = ?",
                &[session_id.into(), criterion.into()],
            )?;
            if known.is_none() {
                return Err(TeamError::NoSuchCriterion {
                    session_id: session_id.to_owned(),
                    criterion: criterion.to_owned(),
                });
            }
            let row = tx.query_opt(
                "INSERT INTO disputes (session_id, criterion, raised_by, reason, raised_at, state) \
                 VALUES (?, ?, ?, ?, ?, 'open') ON CONFLICT DO NOTHING RETURNING id",
                &[
                    session_id.into(),
                    criterion.into(),
                    trainee.id.into(),
                    (&reason).into(),
                    now.into(),
                ],
            )?;
            let Some(row) = row else {
                return Err(TeamError::DisputeAlreadyOpen {
                    session_id: session_id.to_owned(),
                    criterion: criterion.to_owned(),
                });
            };
            let dispute = one_dispute(tx, row.int(0)?)?;
            audit::append(
                tx,
                now,
                &Actor::user(trainee),
                "dispute.raise",
                Subject {
                    kind: "session",
                    id: session_id,
                },
                None,
                json(&dispute),
            )?;
            Ok(dispute)
        })
    }

    /// A lead accepts a dispute: a dispute-kind review gives the criterion `rating` (`None`:
    /// not applicable), the session is rescored, and the dispute closes with the reply — all in
    /// one transaction, audited.
    pub fn accept_dispute(
        &mut self,
        lead: &User,
        dispute_id: i64,
        rating: Option<i32>,
        reply: &str,
        rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
    ) -> Result<(Dispute, ReviewOutcome), TeamError> {
        let reply = check_text("reply", reply)?;
        let before = self.open_dispute_for(lead, dispute_id)?;
        let now = self.now();
        let request = ReviewRequest {
            session: before.session_id.clone(),
            ratings: vec![CriterionRating {
                criterion: before.criterion.clone(),
                rating,
                comment: format!("dispute {dispute_id}: {reply}"),
            }],
            reviewer: lead.login.clone(),
            kind: ReviewKind::Dispute,
        };
        let actor = Actor::user(lead);
        let mut decided: Option<Dispute> = None;
        let mut close = |tx: &mut dyn SqlTx, ids: &[i64]| -> Result<(), StoreError> {
            let closed = tx.execute(
                "UPDATE disputes SET state = 'accepted', decided_by = ?, decided_at = ?, reply = ?, rating = ?, review_id = ? \
                 WHERE id = ? AND state = 'open'",
                &[
                    lead.id.into(),
                    now.into(),
                    (&reply).into(),
                    rating.map(i64::from).into(),
                    ids.first().copied().into(),
                    dispute_id.into(),
                ],
            )?;
            // Another lead decided it meanwhile: the review is not stored either.
            if closed == 0 {
                return Err(StoreError::Refused {
                    message: TeamError::DisputeDecided { dispute_id }.to_string(),
                });
            }
            let after = one_dispute(tx, dispute_id).map_err(super::queues::as_store_error)?;
            audit::append(
                tx,
                now,
                &actor,
                "dispute.accept",
                Subject {
                    kind: "session",
                    id: &before.session_id,
                },
                json(&before),
                json(&after),
            )
            .map_err(super::queues::as_store_error)?;
            decided = Some(after);
            Ok(())
        };
        let outcome = review_session_then(
            self.store,
            &request,
            &crate::store::epoch_text(now),
            rubric_for,
            &mut close,
        )?;
        let dispute = decided.ok_or(TeamError::DisputeDecided { dispute_id })?;
        Ok((dispute, outcome))
    }

    /// A lead rejects a dispute with a reply; the score stands (audited).
    pub fn reject_dispute(
        &mut self,
        lead: &User,
        dispute_id: i64,
        reply: &str,
    ) -> Result<Dispute, TeamError> {
        let reply = check_text("reply", reply)?;
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let before = one_dispute(tx, dispute_id)?;
            authorize_in(
                tx,
                lead,
                Action::DecideDispute,
                Target::Session(&before.session_id),
            )?;
            let closed = tx.execute(
                "UPDATE disputes SET state = 'rejected', decided_by = ?, decided_at = ?, reply = ? \
                 WHERE id = ? AND state = 'open'",
                &[
                    lead.id.into(),
                    now.into(),
                    (&reply).into(),
                    dispute_id.into(),
                ],
            )?;
            if closed == 0 {
                return Err(TeamError::DisputeDecided { dispute_id });
            }
            let after = one_dispute(tx, dispute_id)?;
            audit::append(
                tx,
                now,
                &Actor::user(lead),
                "dispute.reject",
                Subject {
                    kind: "session",
                    id: &before.session_id,
                },
                json(&before),
                json(&after),
            )?;
            Ok(after)
        })
    }

    /// Every dispute of a session the user sees, oldest first (its history).
    pub fn disputes_of_session(
        &mut self,
        user: &User,
        session_id: &str,
    ) -> Result<Vec<Dispute>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            authorize_in(tx, user, Action::ViewSession, Target::Session(session_id))?;
            disputes_where(tx, "d.session_id = ?", &[session_id.into()])
        })
    }

    /// The disputes a trainee raised, with their outcomes.
    pub fn my_disputes(&mut self, user: &User) -> Result<Vec<Dispute>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            disputes_where(tx, "d.raised_by = ?", &[user.id.into()])
        })
    }

    /// The disputes waiting for a decision, for a lead.
    pub fn open_disputes(&mut self, lead: &User) -> Result<Vec<Dispute>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            authorize_in(tx, lead, Action::DecideDispute, Target::Nothing)?;
            disputes_where(tx, "d.state = 'open'", &[])
        })
    }

    /// The dispute, if open and the lead may decide it.
    fn open_dispute_for(&mut self, lead: &User, dispute_id: i64) -> Result<Dispute, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            let dispute = one_dispute(tx, dispute_id)?;
            authorize_in(
                tx,
                lead,
                Action::DecideDispute,
                Target::Session(&dispute.session_id),
            )?;
            if dispute.state != DisputeState::Open {
                return Err(TeamError::DisputeDecided { dispute_id });
            }
            Ok(dispute)
        })
    }
}
