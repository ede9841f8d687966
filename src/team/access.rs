//! Authorisation and visibility: whether a user may take an action on a subject, and which stored sessions they may see — the one place every page and export asks.
//!
//! An unseen session is answered exactly like a session that does not exist
//! ([`TeamError::NoSuchSession`]), so ids cannot be probed by guessing.

use super::audit::{self, Subject, json};
use super::{Action, Actor, Role, SessionScope, Team, TeamError, User};
use crate::store::sql::{SqlTx, TxMode};
use crate::store::{Filter, SessionSummary, StoredSession};

/// What an action is taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// Nothing in particular (a menu, a page of the role's own).
    Nothing,
    /// One stored session, by full id.
    Session(&'a str),
    /// One account, by number.
    User(i64),
}

/// Which sessions a user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every stored session.
    All,
    /// The sessions stored under this trainee name.
    Trainee(String),
    /// These sessions, by id (assigned, shared, or in a calibration the user takes part in).
    Sessions(Vec<String>),
    /// None at all (a trainee account without a trainee name, a deactivated account).
    Nothing,
}

impl Visibility {
    /// Whether a session with this id and trainee is visible.
    pub fn includes(&self, session_id: &str, trainee: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Trainee(name) => name == trainee,
            Visibility::Sessions(ids) => ids.iter().any(|id| id == session_id),
            Visibility::Nothing => false,
        }
    }
}

/// The sessions a reviewer reaches: shared with them, in their queue, or in a calibration
/// they take part in.
pub(crate) const REACHABLE_SESSIONS_SQL: &str = "SELECT session_id FROM session_shares WHERE user_id = ? \
     UNION SELECT session_id FROM queue_items WHERE reviewer_id = ? \
     UNION SELECT cs.session_id FROM calibration_sessions cs \
     JOIN calibration_reviewers cr ON cr.calibration_id = cs.calibration_id WHERE cr.user_id = ?";

/// The trainee a stored session belongs to, if it is stored.
fn trainee_of(tx: &mut dyn SqlTx, session_id: &str) -> Result<Option<String>, TeamError> {
    tx.query_opt(
        "SELECT trainee FROM sessions WHERE session_id = ?",
        &[session_id.into()],
    )?
    .map(|row| row.text(0))
    .transpose()
    .map_err(TeamError::from)
}

/// The visibility of a user, read inside a transaction.
pub(crate) fn visibility_in(tx: &mut dyn SqlTx, user: &User) -> Result<Visibility, TeamError> {
    if !user.active {
        return Ok(Visibility::Nothing);
    }
    Ok(match user.role.session_scope() {
        SessionScope::All => Visibility::All,
        SessionScope::Own => user
            .trainee
            .clone()
            .map_or(Visibility::Nothing, Visibility::Trainee),
        SessionScope::AssignedOrShared => {
            let mut ids = tx
                .query(
                    REACHABLE_SESSIONS_SQL,
                    &[user.id.into(), user.id.into(), user.id.into()],
                )?
                .iter()
                .map(|row| row.text(0))
                .collect::<Result<Vec<_>, _>>()?;
            ids.sort();
            ids.dedup();
            Visibility::Sessions(ids)
        }
    })
}

/// Whether a user sees one session (false for a session that is not stored).
pub(crate) fn sees_session(
    tx: &mut dyn SqlTx,
    user: &User,
    session_id: &str,
) -> Result<bool, TeamError> {
    let Some(trainee) = trainee_of(tx, session_id)? else {
        return Ok(false);
    };
    Ok(visibility_in(tx, user)?.includes(session_id, &trainee))
}

/// Whether a user may take an action on a target, inside a transaction.
pub(crate) fn can_in(
    tx: &mut dyn SqlTx,
    user: &User,
    action: Action,
    target: Target<'_>,
) -> Result<bool, TeamError> {
    if !user.active || !user.role.allows(action) {
        return Ok(false);
    }
    match target {
        Target::Session(session_id) if action.is_about_a_session() => {
            sees_session(tx, user, session_id)
        }
        Target::User(id) if action == Action::ChangeOwnPassword => Ok(id == user.id),
        _ => Ok(true),
    }
}

impl Team<'_> {
    /// Whether `user` may take `action` on `target`: the role table first
    /// ([`Role::allows`]), then, for an action about a session, whether the user sees it.
    /// With [`Target::Nothing`] it answers whether the role may take the action at all.
    pub fn can(
        &mut self,
        user: &User,
        action: Action,
        target: Target<'_>,
    ) -> Result<bool, TeamError> {
        self.store
            .in_transaction(TxMode::Read, |tx| can_in(tx, user, action, target))
    }

    /// Refuses with [`TeamError::Forbidden`] unless `user` may take `action` on `target`; an
    /// unseen session is [`TeamError::NoSuchSession`], as if it did not exist.
    pub fn authorize(
        &mut self,
        user: &User,
        action: Action,
        target: Target<'_>,
    ) -> Result<(), TeamError> {
        self.store
            .in_transaction(TxMode::Read, |tx| authorize_in(tx, user, action, target))
    }

    /// Which sessions a user sees.
    pub fn visibility(&mut self, user: &User) -> Result<Visibility, TeamError> {
        self.store
            .in_transaction(TxMode::Read, |tx| visibility_in(tx, user))
    }

    /// The summaries matching a filter that a user sees, newest first: what every list,
    /// dashboard and export of the web application starts from.
    pub fn visible_summaries(
        &mut self,
        user: &User,
        filter: &Filter,
    ) -> Result<Vec<SessionSummary>, TeamError> {
        let visibility = self.visibility(user)?;
        let mut filter = filter.clone();
        match &visibility {
            Visibility::Nothing => return Ok(Vec::new()),
            Visibility::Sessions(ids) if ids.is_empty() => return Ok(Vec::new()),
            // Narrowed in the query, so a trainee's page never reads another's rows.
            Visibility::Trainee(name) => {
                if !filter.trainees.is_empty() && !filter.trainees.contains(name) {
                    return Ok(Vec::new());
                }
                filter.trainees = vec![name.clone()];
            }
            Visibility::All | Visibility::Sessions(_) => {}
        }
        let summaries = self.store.summaries(&filter)?;
        Ok(summaries
            .into_iter()
            .filter(|s| visibility.includes(&s.session_id, &s.trainee))
            .collect())
    }

    /// One session in full (transcript, scorecard, reviews), if the user sees it; otherwise
    /// [`TeamError::NoSuchSession`], as for an id that is not stored.
    pub fn visible_session(
        &mut self,
        user: &User,
        session_id: &str,
    ) -> Result<StoredSession, TeamError> {
        self.authorize(user, Action::ViewSession, Target::Session(session_id))?;
        self.store
            .load_sessions(&[session_id.to_owned()])?
            .pop()
            .ok_or_else(|| TeamError::NoSuchSession {
                session_id: session_id.to_owned(),
            })
    }

    /// Shares a session with a reviewer, who then sees it (audited).
    pub fn share_session(
        &mut self,
        lead: &User,
        session_id: &str,
        reviewer_login: &str,
    ) -> Result<(), TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::ShareSession, Target::Session(session_id))?;
            let reviewer = super::accounts::find_user(
                tx,
                &super::accounts::normalize_login(reviewer_login)?,
            )?
            .ok_or_else(|| TeamError::NoSuchUser {
                login: reviewer_login.to_owned(),
            })?;
            if reviewer.role == Role::Trainee {
                return Err(TeamError::WrongRole {
                    login: reviewer.login,
                    role: reviewer.role,
                    needed: "a reviewer, QA lead or admin",
                });
            }
            let added = tx.execute(
                "INSERT INTO session_shares (session_id, user_id, shared_by, shared_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING",
                &[
                    session_id.into(),
                    reviewer.id.into(),
                    lead.id.into(),
                    now.into(),
                ],
            )?;
            if added > 0 {
                audit::append(
                    tx,
                    now,
                    &Actor::user(lead),
                    "session.share",
                    Subject {
                        kind: "session",
                        id: session_id,
                    },
                    None,
                    json(&serde_json::json!({ "shared_with": reviewer.login })),
                )?;
            }
            Ok(())
        })
    }
}

/// [`Team::authorize`] inside a transaction.
pub(crate) fn authorize_in(
    tx: &mut dyn SqlTx,
    user: &User,
    action: Action,
    target: Target<'_>,
) -> Result<(), TeamError> {
    if can_in(tx, user, action, target)? {
        return Ok(());
    }
    match target {
        // Seen or not, a refused session action never tells whether the session exists,
        // unless the user sees it.
        Target::Session(session_id) if !sees_session(tx, user, session_id)? => {
            Err(TeamError::NoSuchSession {
                session_id: session_id.to_owned(),
            })
        }
        _ => Err(TeamError::Forbidden {
            login: user.login.clone(),
            role: user.role,
            action,
        }),
    }
}
