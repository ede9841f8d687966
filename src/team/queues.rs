//! Review queues: the sampling rules a QA lead sets, the queue items they make from stored sessions, assignment to reviewers, "my queue", and the review that marks an item done.
//!
//! Sampling is deterministic: a session's draw is the SHA-256 of the rule's seed and the session
//! id, so applying a rule again picks the same sessions, and a session stored later is drawn
//! without changing the earlier picks. A session is queued once by sampling, however many rules
//! pick it; a lead may queue it for more reviewers by hand.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::access::{Target, authorize_in};
use super::audit::{self, Subject, json};
use super::{Action, Actor, Team, TeamError, User};
use crate::report::review::{CriterionRating, ReviewOutcome, ReviewRequest, review_session_then};
use crate::scoring::Rubric;
use crate::store::sql::{SqlRow, SqlTx, SqlValue, TxMode};
use crate::store::{Filter, ReviewKind, SessionSummary, StoreError, StoredSession};

/// Which sessions a rule picks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Sampling {
    /// This many sessions of each trainee in each ISO week (sessions already queued that week
    /// count towards it), drawn by the seed.
    PerTraineePerWeek { sessions: u32 },
    /// Every call the machine failed.
    AllFailed,
    /// Every call with a failed critical criterion.
    AllCriticalFailures,
    /// Each session with this chance, in percent, drawn by the seed.
    RandomPercent { percent: f64 },
}

impl Sampling {
    fn label(self) -> &'static str {
        match self {
            Sampling::PerTraineePerWeek { .. } => "per-trainee-per-week",
            Sampling::AllFailed => "all-failed",
            Sampling::AllCriticalFailures => "all-critical-failures",
            Sampling::RandomPercent { .. } => "random-percent",
        }
    }
}

/// A sampling rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueRule {
    pub id: i64,
    pub sampling: Sampling,
    /// The seed of the rule's draws (written down, so a sample can be redrawn and checked).
    pub seed: i64,
    /// Only sessions started at or after this Unix time.
    pub since: Option<i64>,
    pub active: bool,
    pub created_at: i64,
}

/// A session waiting for (or done with) one review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    pub id: i64,
    pub session_id: String,
    pub trainee: String,
    pub scenario_id: String,
    pub started_at: String,
    /// The rule that queued it; `None` when a lead queued it by hand.
    pub rule_id: Option<i64>,
    /// Why it is in the queue, in words.
    pub reason: String,
    /// The reviewer's login, once assigned.
    pub reviewer: Option<String>,
    pub assigned_at: Option<i64>,
    pub created_at: i64,
    /// The first review that completed it.
    pub done_review_id: Option<i64>,
    pub done_at: Option<i64>,
}

/// Which items a lead lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    Unassigned,
    /// Assigned and not done.
    Open,
    Done,
    All,
}

/// A review submitted from the web: the reviewer is the logged-in user, never free text.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSubmission {
    pub session_id: String,
    pub ratings: Vec<CriterionRating>,
    /// A plain rating, or a lead's adjudication (dispute overrides go through disputes).
    pub kind: ReviewKind,
}

const ITEM_COLUMNS: &str = "q.id, q.session_id, s.trainee, s.scenario_id, s.started_at, q.rule_id, q.reason, \
     u.login, q.assigned_at, q.created_at, q.done_review_id, q.done_at";

const ITEMS_SQL: &str = "SELECT {columns} FROM queue_items q JOIN sessions s ON s.session_id = q.session_id \
     LEFT JOIN users u ON u.id = q.reviewer_id";

fn item_from_row(row: &SqlRow) -> Result<QueueItem, TeamError> {
    Ok(QueueItem {
        id: row.int(0)?,
        session_id: row.text(1)?,
        trainee: row.text(2)?,
        scenario_id: row.text(3)?,
        started_at: row.text(4)?,
        rule_id: row.opt_int(5)?,
        reason: row.text(6)?,
        reviewer: row.opt_text(7)?,
        assigned_at: row.opt_int(8)?,
        created_at: row.int(9)?,
        done_review_id: row.opt_int(10)?,
        done_at: row.opt_int(11)?,
    })
}

/// The queue item with this id.
fn item_by_id(tx: &mut dyn SqlTx, item_id: i64) -> Result<QueueItem, TeamError> {
    items_where(tx, "q.id = ?", &[item_id.into()])?
        .pop()
        .ok_or(TeamError::NoSuchItem { item_id })
}

/// Audits a lead's change to a queue item: what it was (`None` when new) and what it is now.
fn audit_item(
    tx: &mut dyn SqlTx,
    now: i64,
    lead: &User,
    action: &str,
    item_id: i64,
    before: Option<serde_json::Value>,
    after: &QueueItem,
) -> Result<(), TeamError> {
    let subject = Subject {
        kind: "queue-item",
        id: &item_id.to_string(),
    };
    audit::append(
        tx,
        now,
        &Actor::user(lead),
        action,
        subject,
        before,
        json(after),
    )
}

fn items_where(
    tx: &mut dyn SqlTx,
    condition: &str,
    params: &[SqlValue],
) -> Result<Vec<QueueItem>, TeamError> {
    let sql = format!(
        "{} WHERE {condition} ORDER BY q.id",
        ITEMS_SQL.replace("{columns}", ITEM_COLUMNS)
    );
    tx.query(&sql, params)?.iter().map(item_from_row).collect()
}

fn rule_from_row(row: &SqlRow) -> Result<QueueRule, TeamError> {
    let kind = row.text(1)?;
    let sampling = match kind.as_str() {
        "per-trainee-per-week" => Sampling::PerTraineePerWeek {
            sessions: u32::try_from(row.opt_int(2)?.unwrap_or(0)).unwrap_or(0),
        },
        "all-failed" => Sampling::AllFailed,
        "all-critical-failures" => Sampling::AllCriticalFailures,
        "random-percent" => Sampling::RandomPercent {
            percent: row.opt_real(3)?.unwrap_or(0.0),
        },
        _ => {
            return Err(TeamError::Store(StoreError::UnexpectedColumn {
                column: 1,
                expected: "a sampling rule's kind",
            }));
        }
    };
    Ok(QueueRule {
        id: row.int(0)?,
        sampling,
        seed: row.int(4)?,
        since: row.opt_int(5)?,
        active: row.flag(6)?,
        created_at: row.int(7)?,
    })
}

/// A session's draw under a seed: uniform over `u64`, the same on every machine.
pub fn draw(seed: i64, session_id: &str) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(session_id.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

/// The ISO week a Unix time falls in (UTC), as `2026-W49`.
fn iso_week(epoch: i64) -> String {
    jiff::Timestamp::from_second(epoch)
        .map(|t| {
            let week = t.to_zoned(jiff::tz::TimeZone::UTC).date().iso_week_date();
            format!("{}-W{:02}", week.year(), week.week())
        })
        .unwrap_or_default()
}

/// The sessions one rule picks among `candidates` (not yet queued), with the reason; `queued`
/// are the sessions already queued (they count towards a per-week quota), `critical` the ids of
/// sessions with a failed critical criterion.
pub fn pick(
    rule: &QueueRule,
    candidates: &[SessionSummary],
    queued: &[SessionSummary],
    critical: &BTreeSet<String>,
) -> Vec<(String, String)> {
    let in_scope = |s: &&SessionSummary| rule.since.is_none_or(|since| s.started_epoch >= since);
    match rule.sampling {
        Sampling::AllFailed => candidates
            .iter()
            .filter(in_scope)
            .filter(|s| !s.passed)
            .map(|s| (s.session_id.clone(), "failed call".to_owned()))
            .collect(),
        Sampling::AllCriticalFailures => candidates
            .iter()
            .filter(in_scope)
            .filter(|s| critical.contains(&s.session_id))
            .map(|s| (s.session_id.clone(), "critical failure".to_owned()))
            .collect(),
        Sampling::RandomPercent { percent } => {
            // The draw's share of the whole u64 range, compared with the chance.
            let threshold = (percent.clamp(0.0, 100.0) / 100.0 * u64::MAX as f64) as u64;
            candidates
                .iter()
                .filter(in_scope)
                .filter(|s| percent > 0.0 && draw(rule.seed, &s.session_id) <= threshold)
                .map(|s| {
                    (
                        s.session_id.clone(),
                        format!("random {percent}% (seed {})", rule.seed),
                    )
                })
                .collect()
        }
        Sampling::PerTraineePerWeek { sessions } => {
            let mut already: BTreeMap<(String, String), u32> = BTreeMap::new();
            for s in queued.iter().filter(in_scope) {
                *already
                    .entry((s.trainee.clone(), iso_week(s.started_epoch)))
                    .or_default() += 1;
            }
            let mut groups: BTreeMap<(String, String), Vec<&SessionSummary>> = BTreeMap::new();
            for s in candidates.iter().filter(in_scope) {
                groups
                    .entry((s.trainee.clone(), iso_week(s.started_epoch)))
                    .or_default()
                    .push(s);
            }
            let mut picked = Vec::new();
            for (key, mut group) in groups {
                let room = sessions.saturating_sub(already.get(&key).copied().unwrap_or(0));
                group.sort_by_key(|s| (draw(rule.seed, &s.session_id), s.session_id.clone()));
                for s in group.into_iter().take(room as usize) {
                    picked.push((
                        s.session_id.clone(),
                        format!(
                            "{sessions} per trainee per week ({}, seed {})",
                            key.1, rule.seed
                        ),
                    ));
                }
            }
            picked
        }
    }
}

/// A team error as the store's, for work done inside a review's transaction.
pub(crate) fn as_store_error(error: TeamError) -> StoreError {
    match error {
        TeamError::Store(error) => error,
        other => StoreError::Refused {
            message: other.to_string(),
        },
    }
}

impl Team<'_> {
    /// Adds a sampling rule (QA lead or admin; audited).
    pub fn add_queue_rule(
        &mut self,
        lead: &User,
        sampling: Sampling,
        seed: i64,
        since: Option<i64>,
    ) -> Result<QueueRule, TeamError> {
        match sampling {
            Sampling::PerTraineePerWeek { sessions: 0 } => {
                return Err(TeamError::BadRule {
                    reason: "a per-week rule needs at least one session per trainee".into(),
                });
            }
            Sampling::RandomPercent { percent } if !(percent > 0.0 && percent <= 100.0) => {
                return Err(TeamError::BadRule {
                    reason: format!(
                        "the percentage must be above 0 and at most 100, not {percent}"
                    ),
                });
            }
            _ => {}
        }
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::ManageQueues, Target::Nothing)?;
            let (per_week, percent) = match sampling {
                Sampling::PerTraineePerWeek { sessions } => (Some(i64::from(sessions)), None),
                Sampling::RandomPercent { percent } => (None, Some(percent)),
                _ => (None, None),
            };
            let id = tx
                .query_opt(
                    "INSERT INTO queue_rules (kind, per_week, percent, seed, since_epoch, active, created_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
                    &[
                        sampling.label().into(),
                        per_week.into(),
                        percent.into(),
                        seed.into(),
                        since.into(),
                        lead.id.into(),
                        now.into(),
                    ],
                )?
                .map(|row| row.int(0))
                .transpose()?
                .unwrap_or_default();
            let rule = QueueRule {
                id,
                sampling,
                seed,
                since,
                active: true,
                created_at: now,
            };
            audit::append(
                tx,
                now,
                &Actor::user(lead),
                "queue.rule-add",
                Subject {
                    kind: "queue-rule",
                    id: &id.to_string(),
                },
                None,
                json(&rule),
            )?;
            Ok(rule)
        })
    }

    /// Turns a rule off (or on again); it then picks nothing more (audited).
    pub fn set_queue_rule_active(
        &mut self,
        lead: &User,
        rule_id: i64,
        active: bool,
    ) -> Result<(), TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::ManageQueues, Target::Nothing)?;
            let changed = tx.execute(
                "UPDATE queue_rules SET active = ? WHERE id = ? AND active <> ?",
                &[active.into(), rule_id.into(), active.into()],
            )?;
            if changed > 0 {
                audit::append(
                    tx,
                    now,
                    &Actor::user(lead),
                    if active {
                        "queue.rule-on"
                    } else {
                        "queue.rule-off"
                    },
                    Subject {
                        kind: "queue-rule",
                        id: &rule_id.to_string(),
                    },
                    Some(serde_json::json!({ "active": !active })),
                    Some(serde_json::json!({ "active": active })),
                )?;
            }
            Ok(())
        })
    }

    /// Every sampling rule, oldest first.
    pub fn queue_rules(&mut self) -> Result<Vec<QueueRule>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            tx.query(
                "SELECT id, kind, per_week, percent, seed, since_epoch, active, created_at FROM queue_rules ORDER BY id",
                &[],
            )?
            .iter()
            .map(rule_from_row)
            .collect()
        })
    }

    /// Applies every active rule to the stored sessions and queues what they pick (unassigned;
    /// audited). Returns the new items.
    pub fn apply_sampling(&mut self, lead: &User) -> Result<Vec<QueueItem>, TeamError> {
        self.authorize(lead, Action::ManageQueues, Target::Nothing)?;
        let rules: Vec<QueueRule> = self
            .queue_rules()?
            .into_iter()
            .filter(|r| r.active)
            .collect();
        let all = self.store.summaries(&Filter::default())?;
        let queued_ids: BTreeSet<String> = self.store.in_transaction(TxMode::Read, |tx| {
            tx.query("SELECT DISTINCT session_id FROM queue_items", &[])?
                .iter()
                .map(|row| row.text(0))
                .collect::<Result<BTreeSet<_>, _>>()
        })?;
        // Only a call scored 0 can have failed a critical criterion; the scorecards say which.
        let zero: Vec<String> = all
            .iter()
            .filter(|s| s.overall == 0.0 && !queued_ids.contains(&s.session_id))
            .map(|s| s.session_id.clone())
            .collect();
        let critical: BTreeSet<String> = if rules
            .iter()
            .any(|r| r.sampling == Sampling::AllCriticalFailures)
        {
            self.store
                .load_sessions(&zero)?
                .into_iter()
                .filter(|s| !s.scorecard.critical_failures.is_empty())
                .map(|s| s.summary.session_id)
                .collect()
        } else {
            BTreeSet::new()
        };
        let (mut queued, mut candidates): (Vec<SessionSummary>, Vec<SessionSummary>) = all
            .into_iter()
            .partition(|s| queued_ids.contains(&s.session_id));
        let mut picks: Vec<(String, i64, String)> = Vec::new();
        for rule in &rules {
            let picked = pick(rule, &candidates, &queued, &critical);
            let ids: BTreeSet<&String> = picked.iter().map(|(id, _)| id).collect();
            let (now_queued, rest): (Vec<_>, Vec<_>) = candidates
                .into_iter()
                .partition(|s| ids.contains(&s.session_id));
            candidates = rest;
            queued.extend(now_queued);
            picks.extend(picked.into_iter().map(|(id, reason)| (id, rule.id, reason)));
        }
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let mut created = Vec::new();
            for (session_id, rule_id, reason) in &picks {
                let row = tx.query_opt(
                    "INSERT INTO queue_items (session_id, rule_id, reason, created_at) VALUES (?, ?, ?, ?) \
                     ON CONFLICT DO NOTHING RETURNING id",
                    &[session_id.into(), (*rule_id).into(), reason.into(), now.into()],
                )?;
                if let Some(row) = row {
                    created.push(row.int(0)?);
                }
            }
            if !created.is_empty() {
                audit::append(
                    tx,
                    now,
                    &Actor::user(lead),
                    "queue.sample",
                    Subject {
                        kind: "queue",
                        id: "sampling",
                    },
                    None,
                    json(&serde_json::json!({ "queued": created.len(), "items": created })),
                )?;
            }
            if created.is_empty() {
                return Ok(Vec::new());
            }
            let marks = vec!["?"; created.len()].join(", ");
            let ids: Vec<SqlValue> = created.iter().map(|id| (*id).into()).collect();
            items_where(tx, &format!("q.id IN ({marks})"), &ids)
        })
    }

    /// Assigns an item to a reviewer (or moves it to another), unless it is done (audited).
    pub fn assign_item(
        &mut self,
        lead: &User,
        item_id: i64,
        reviewer_login: &str,
    ) -> Result<QueueItem, TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::ManageQueues, Target::Nothing)?;
            let before = item_by_id(tx, item_id)?;
            if before.done_at.is_some() {
                return Err(TeamError::ItemDone { item_id });
            }
            let reviewer = queue_reviewer(tx, reviewer_login)?;
            let clash = tx.query_opt(
                "SELECT id FROM queue_items WHERE session_id = ? AND reviewer_id = ? AND id <> ?",
                &[(&before.session_id).into(), reviewer.id.into(), item_id.into()],
            )?;
            if clash.is_some() {
                return Err(TeamError::AlreadyQueued {
                    session_id: before.session_id,
                    login: reviewer.login,
                });
            }
            tx.execute(
                "UPDATE queue_items SET reviewer_id = ?, assigned_by = ?, assigned_at = ? WHERE id = ?",
                &[reviewer.id.into(), lead.id.into(), now.into(), item_id.into()],
            )?;
            let after = item_by_id(tx, item_id)?;
            audit_item(tx, now, lead, "queue.assign", item_id, json(&before), &after)?;
            Ok(after)
        })
    }

    /// Queues a session for one more reviewer by hand (several reviewers per session; audited).
    pub fn queue_for(
        &mut self,
        lead: &User,
        session_id: &str,
        reviewer_login: &str,
        reason: &str,
    ) -> Result<QueueItem, TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::ManageQueues, Target::Nothing)?;
            authorize_in(tx, lead, Action::ViewSession, Target::Session(session_id))?;
            let reviewer = queue_reviewer(tx, reviewer_login)?;
            let row = tx.query_opt(
                "INSERT INTO queue_items (session_id, reason, reviewer_id, assigned_by, assigned_at, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                &[
                    session_id.into(),
                    reason.into(),
                    reviewer.id.into(),
                    lead.id.into(),
                    now.into(),
                    now.into(),
                ],
            )?;
            let Some(row) = row else {
                return Err(TeamError::AlreadyQueued {
                    session_id: session_id.to_owned(),
                    login: reviewer.login,
                });
            };
            let item_id = row.int(0)?;
            let item = item_by_id(tx, item_id)?;
            audit_item(tx, now, lead, "queue.add", item_id, None, &item)?;
            Ok(item)
        })
    }

    /// The items assigned to `user` and not done yet, oldest first: "my queue".
    pub fn my_queue(&mut self, user: &User) -> Result<Vec<QueueItem>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            items_where(
                tx,
                "q.reviewer_id = ? AND q.done_at IS NULL",
                &[user.id.into()],
            )
        })
    }

    /// The queue as a lead sees it.
    pub fn queue(&mut self, lead: &User, state: QueueState) -> Result<Vec<QueueItem>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            authorize_in(tx, lead, Action::ManageQueues, Target::Nothing)?;
            let condition = match state {
                QueueState::Unassigned => "q.reviewer_id IS NULL",
                QueueState::Open => "q.reviewer_id IS NOT NULL AND q.done_at IS NULL",
                QueueState::Done => "q.done_at IS NOT NULL",
                QueueState::All => "1 = 1",
            };
            items_where(tx, condition, &[])
        })
    }

    /// Records a review by the logged-in user: kept beside every earlier review (never over
    /// one), the session rescored, the user's queue item for the session marked done, and an
    /// audit entry, all in one transaction. `rubric_for` finds the rubric that scored a session.
    pub fn submit_review(
        &mut self,
        reviewer: &User,
        submission: &ReviewSubmission,
        rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
    ) -> Result<ReviewOutcome, TeamError> {
        let action = match submission.kind {
            ReviewKind::Rating => Action::ReviewSession,
            ReviewKind::Adjudication => Action::Adjudicate,
            ReviewKind::Dispute => return Err(TeamError::DisputeThroughDisputes),
        };
        self.authorize(reviewer, action, Target::Session(&submission.session_id))?;
        let now = self.now();
        let request = ReviewRequest {
            session: submission.session_id.clone(),
            ratings: submission.ratings.clone(),
            reviewer: reviewer.login.clone(),
            kind: submission.kind,
        };
        let actor = Actor::user(reviewer);
        let mut mark_done = |tx: &mut dyn SqlTx, ids: &[i64]| -> Result<(), StoreError> {
            complete_item(tx, reviewer, &submission.session_id, ids, now)?;
            audit::append(
                tx,
                now,
                &actor,
                "review.record",
                Subject {
                    kind: "session",
                    id: &submission.session_id,
                },
                None,
                json(&serde_json::json!({
                    "kind": submission.kind.label(),
                    "reviews": ids,
                    "ratings": submission.ratings.iter().map(|r| serde_json::json!({
                        "criterion": r.criterion, "rating": r.rating, "comment": r.comment,
                    })).collect::<Vec<_>>(),
                })),
            )
            .map_err(as_store_error)
        };
        Ok(review_session_then(
            self.store,
            &request,
            &crate::store::epoch_text(now),
            rubric_for,
            &mut mark_done,
        )?)
    }
}

/// Marks the reviewer's open item for the session done (or claims an unassigned one).
fn complete_item(
    tx: &mut dyn SqlTx,
    reviewer: &User,
    session_id: &str,
    review_ids: &[i64],
    now: i64,
) -> Result<(), StoreError> {
    let Some(first) = review_ids.first() else {
        return Ok(());
    };
    let own = tx.execute(
        "UPDATE queue_items SET done_review_id = ?, done_at = ? WHERE session_id = ? AND reviewer_id = ? AND done_at IS NULL",
        &[(*first).into(), now.into(), session_id.into(), reviewer.id.into()],
    )?;
    if own == 0 {
        tx.execute(
            "UPDATE queue_items SET reviewer_id = ?, assigned_at = ?, done_review_id = ?, done_at = ? \
             WHERE session_id = ? AND reviewer_id IS NULL AND done_at IS NULL",
            &[
                reviewer.id.into(),
                now.into(),
                (*first).into(),
                now.into(),
                session_id.into(),
            ],
        )?;
    }
    Ok(())
}

/// The account a queue item goes to: active, and allowed to work a queue.
fn queue_reviewer(tx: &mut dyn SqlTx, login: &str) -> Result<User, TeamError> {
    let login = super::accounts::normalize_login(login)?;
    let user = super::accounts::find_user(tx, &login)?
        .filter(|u| u.active)
        .ok_or(TeamError::NoSuchUser { login })?;
    if !user.role.allows(Action::WorkQueue) {
        return Err(TeamError::WrongRole {
            login: user.login,
            role: user.role,
            needed: "a reviewer, QA lead or admin",
        });
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, trainee: &str, started_epoch: i64, passed: bool) -> SessionSummary {
        SessionSummary {
            session_id: id.to_owned(),
            trainee: trainee.to_owned(),
            team: None,
            scenario_id: "s".to_owned(),
            started_at: String::new(),
            started_epoch,
            outcome: String::new(),
            handle_secs: 0.0,
            overall: 50.0,
            passed,
            reviewed: false,
            final_overall: 50.0,
            final_passed: passed,
            dimensions: [None; 4],
            final_dimensions: [None; 4],
        }
    }

    fn rule(sampling: Sampling) -> QueueRule {
        QueueRule {
            id: 1,
            sampling,
            seed: 3,
            since: None,
            active: true,
            created_at: 0,
        }
    }

    /// 2026-12-07 (a Monday) and the Monday after.
    const WEEK_1: i64 = 1_796_601_600;
    const WEEK_2: i64 = WEEK_1 + 7 * 86_400;

    #[test]
    fn a_weekly_quota_counts_what_is_already_queued() {
        let candidates = [
            summary("a1", "ana", WEEK_1, true),
            summary("a2", "ana", WEEK_1 + 60, true),
            summary("a3", "ana", WEEK_2, true),
            summary("b1", "bo", WEEK_1, true),
        ];
        let queued = [summary("a0", "ana", WEEK_1 + 120, false)];
        let picked = pick(
            &rule(Sampling::PerTraineePerWeek { sessions: 1 }),
            &candidates,
            &queued,
            &BTreeSet::new(),
        );
        let ids: BTreeSet<&str> = picked.iter().map(|(id, _)| id.as_str()).collect();
        // Ana's first week already has a queued session; her second week and Bo's get one each.
        assert_eq!(ids, BTreeSet::from(["a3", "b1"]));
        assert_eq!(iso_week(WEEK_1), "2026-W50");
    }

    #[test]
    fn draws_depend_on_the_seed_and_the_session_only() {
        assert_eq!(draw(3, "a1"), draw(3, "a1"));
        assert_ne!(draw(3, "a1"), draw(4, "a1"));
        assert_ne!(draw(3, "a1"), draw(3, "a2"));
        let every = rule(Sampling::RandomPercent { percent: 100.0 });
        let sessions = [summary("a1", "ana", WEEK_1, true)];
        assert_eq!(pick(&every, &sessions, &[], &BTreeSet::new()).len(), 1);
    }
}
