//! Calibration sessions: a QA lead picks sessions and reviewers, the reviewers rate blind (each sees only their own ratings), the lead reveals, and agreement, Cohen's κ and each reviewer's drift from the consensus follow.
//!
//! Calibration ratings are kept apart from the reviews, so rating to calibrate never changes a
//! trainee's score. The figures come from [`crate::report::calibration`], as `rapport
//! calibration` computes them.

use serde::Serialize;

use super::access::{Target, authorize_in};
use super::audit::{self, Subject, json};
use super::{Action, Actor, Team, TeamError, User};
use crate::report::calibration::{Calibration, CalibrationPeriod, MIN_PAIRS, calibrate_by};
use crate::report::review::CriterionRating;
use crate::store::sql::{SqlRow, SqlTx, SqlValue, TxMode};
use crate::store::{Review, ReviewKind, ReviewedRating, epoch_text};

/// The fewest reviewers a calibration compares.
pub const MIN_CALIBRATION_REVIEWERS: usize = 2;

/// A calibration session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationSession {
    pub id: i64,
    pub name: String,
    /// The lead's login.
    pub created_by: String,
    pub created_at: i64,
    /// When the lead revealed the ratings; until then each reviewer sees only their own.
    pub revealed_at: Option<i64>,
    /// Session ids, sorted.
    pub sessions: Vec<String>,
    /// Reviewer logins, sorted.
    pub reviewers: Vec<String>,
}

/// One calibration rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationRating {
    pub id: i64,
    pub session_id: String,
    pub criterion: String,
    /// The reviewer's login.
    pub reviewer: String,
    /// `None`: not applicable.
    pub rating: Option<i32>,
    pub comment: String,
    pub rated_at: i64,
}

/// How far each reviewer is, without their ratings (for the lead before the reveal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalibrationProgress {
    pub reviewer: String,
    /// Distinct session and criterion pairs rated.
    pub rated: i64,
}

/// The figures of a revealed calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationResults {
    pub calibration: CalibrationSession,
    /// Agreement and κ per dimension, per criterion and per reviewer (against the machine and
    /// the consensus of the others), with each figure's own small-sample warning.
    pub figures: Calibration,
    /// A plain warning when the whole calibration has too few paired ratings to mean much.
    pub warning: Option<String>,
}

fn calibration_from_row(tx: &mut dyn SqlTx, row: &SqlRow) -> Result<CalibrationSession, TeamError> {
    let id = row.int(0)?;
    let strings = |tx: &mut dyn SqlTx, sql: &str| -> Result<Vec<String>, TeamError> {
        tx.query(sql, &[id.into()])?
            .iter()
            .map(|r| r.text(0).map_err(TeamError::from))
            .collect()
    };
    Ok(CalibrationSession {
        id,
        name: row.text(1)?,
        created_by: row.text(2)?,
        created_at: row.int(3)?,
        revealed_at: row.opt_int(4)?,
        sessions: strings(
            tx,
            "SELECT session_id FROM calibration_sessions WHERE calibration_id = ? ORDER BY session_id",
        )?,
        reviewers: strings(
            tx,
            "SELECT u.login FROM calibration_reviewers r JOIN users u ON u.id = r.user_id \
             WHERE r.calibration_id = ? ORDER BY u.login",
        )?,
    })
}

const CALIBRATION_SQL: &str = "SELECT c.id, c.name, u.login, c.created_at, c.revealed_at \
     FROM calibrations c JOIN users u ON u.id = c.created_by";

fn calibrations_where(
    tx: &mut dyn SqlTx,
    condition: &str,
    params: &[SqlValue],
) -> Result<Vec<CalibrationSession>, TeamError> {
    let sql = format!("{CALIBRATION_SQL} WHERE {condition} ORDER BY c.id");
    let rows = tx.query(&sql, params)?;
    rows.iter()
        .map(|row| calibration_from_row(tx, row))
        .collect()
}

/// The calibration, if the user runs calibrations or takes part in this one.
fn calibration_for(
    tx: &mut dyn SqlTx,
    user: &User,
    calibration_id: i64,
) -> Result<CalibrationSession, TeamError> {
    let calibration = calibrations_where(tx, "c.id = ?", &[calibration_id.into()])?
        .pop()
        .ok_or(TeamError::NoSuchCalibration { calibration_id })?;
    let runs = user.active && user.role.allows(Action::RunCalibration);
    let takes_part = user.active
        && user.role.allows(Action::JoinCalibration)
        && calibration.reviewers.contains(&user.login);
    if runs || takes_part {
        Ok(calibration)
    } else {
        Err(TeamError::NoSuchCalibration { calibration_id })
    }
}

const RATING_SQL: &str = "SELECT r.id, r.session_id, r.criterion, u.login, r.rating, r.comment, r.rated_at, \
     sc.rating, sc.dimension \
     FROM calibration_ratings r JOIN users u ON u.id = r.reviewer_id \
     JOIN sessions s ON s.session_id = r.session_id \
     JOIN criterion_scores sc ON sc.session = s.id AND sc.criterion = r.criterion";

fn rating_from_row(row: &SqlRow) -> Result<CalibrationRating, TeamError> {
    Ok(CalibrationRating {
        id: row.int(0)?,
        session_id: row.text(1)?,
        criterion: row.text(2)?,
        reviewer: row.text(3)?,
        rating: row.opt_int(4)?.and_then(|r| i32::try_from(r).ok()),
        comment: row.text(5)?,
        rated_at: row.int(6)?,
    })
}

/// A calibration rating as the calibration report reads a review.
fn as_reviewed_rating(row: &SqlRow) -> Result<ReviewedRating, TeamError> {
    let rating = rating_from_row(row)?;
    Ok(ReviewedRating {
        review: Review {
            id: rating.id,
            session_id: rating.session_id,
            criterion: rating.criterion,
            rating: rating.rating,
            machine_rating: row.opt_int(7)?.and_then(|r| i32::try_from(r).ok()),
            comment: rating.comment,
            reviewer: rating.reviewer,
            reviewed_at: epoch_text(rating.rated_at),
            kind: ReviewKind::Rating,
            retraction: None,
        },
        dimension: row.text(8)?,
    })
}

/// The plain warning for a calibration with too few paired ratings.
fn small_sample_warning(figures: &Calibration) -> Option<String> {
    let pairs = figures
        .rows
        .iter()
        .filter(|r| r.level == "all")
        .filter_map(|r| r.between_reviewers.as_ref())
        .map(|a| a.pairs)
        .max()
        .unwrap_or(0);
    (pairs < MIN_PAIRS).then(|| {
        format!(
            "Only {pairs} paired ratings between reviewers: with fewer than {MIN_PAIRS}, agreement and κ can swing widely by chance. Treat these figures as a conversation starter, not a verdict, and calibrate on more sessions."
        )
    })
}

impl Team<'_> {
    /// A lead starts a calibration over sessions (that the lead sees) with reviewers (audited).
    pub fn create_calibration(
        &mut self,
        lead: &User,
        name: &str,
        session_ids: &[String],
        reviewer_logins: &[String],
    ) -> Result<CalibrationSession, TeamError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(TeamError::EmptyText {
                what: "calibration name",
            });
        }
        if session_ids.is_empty() {
            return Err(TeamError::CalibrationTooSmall {
                what: "sessions",
                min: 1,
            });
        }
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::RunCalibration, Target::Nothing)?;
            let mut reviewers = Vec::new();
            for login in reviewer_logins {
                let login = super::accounts::normalize_login(login)?;
                let user = super::accounts::find_user(tx, &login)?
                    .filter(|u| u.active)
                    .ok_or(TeamError::NoSuchUser {
                        login: login.clone(),
                    })?;
                if !user.role.allows(Action::JoinCalibration) {
                    return Err(TeamError::WrongRole {
                        login: user.login,
                        role: user.role,
                        needed: "a reviewer, QA lead or admin",
                    });
                }
                if !reviewers.iter().any(|u: &User| u.id == user.id) {
                    reviewers.push(user);
                }
            }
            if reviewers.len() < MIN_CALIBRATION_REVIEWERS {
                return Err(TeamError::CalibrationTooSmall {
                    what: "reviewers",
                    min: MIN_CALIBRATION_REVIEWERS,
                });
            }
            let id = tx
                .query_opt(
                    "INSERT INTO calibrations (name, created_by, created_at) VALUES (?, ?, ?) RETURNING id",
                    &[name.into(), lead.id.into(), now.into()],
                )?
                .map(|row| row.int(0))
                .transpose()?
                .unwrap_or_default();
            for session_id in session_ids {
                authorize_in(tx, lead, Action::ViewSession, Target::Session(session_id))?;
                tx.execute(
                    "INSERT INTO calibration_sessions (calibration_id, session_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    &[id.into(), session_id.into()],
                )?;
            }
            for reviewer in &reviewers {
                tx.execute(
                    "INSERT INTO calibration_reviewers (calibration_id, user_id) VALUES (?, ?)",
                    &[id.into(), reviewer.id.into()],
                )?;
            }
            let calibration = calibration_for(tx, lead, id)?;
            audit::append(
                tx,
                now,
                &Actor::user(lead),
                "calibration.create",
                Subject {
                    kind: "calibration",
                    id: &id.to_string(),
                },
                None,
                json(&calibration),
            )?;
            Ok(calibration)
        })
    }

    /// The calibrations a user runs (leads: all) or takes part in, oldest first.
    pub fn calibrations(&mut self, user: &User) -> Result<Vec<CalibrationSession>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            if user.active && user.role.allows(Action::RunCalibration) {
                calibrations_where(tx, "1 = 1", &[])
            } else if user.active && user.role.allows(Action::JoinCalibration) {
                calibrations_where(
                    tx,
                    "c.id IN (SELECT calibration_id FROM calibration_reviewers WHERE user_id = ?)",
                    &[user.id.into()],
                )
            } else {
                Ok(Vec::new())
            }
        })
    }

    /// One calibration, if the user runs calibrations or takes part in it.
    pub fn calibration(
        &mut self,
        user: &User,
        calibration_id: i64,
    ) -> Result<CalibrationSession, TeamError> {
        self.store
            .in_transaction(TxMode::Read, |tx| calibration_for(tx, user, calibration_id))
    }

    /// A reviewer rates criteria of one of the calibration's sessions, before the reveal. A
    /// criterion rated again keeps both; the latest counts.
    pub fn rate_in_calibration(
        &mut self,
        reviewer: &User,
        calibration_id: i64,
        session_id: &str,
        ratings: &[CriterionRating],
    ) -> Result<(), TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let calibration = calibration_for(tx, reviewer, calibration_id)?;
            if !calibration.reviewers.contains(&reviewer.login) {
                return Err(TeamError::NotInCalibration {
                    calibration_id,
                    login: reviewer.login.clone(),
                });
            }
            if calibration.revealed_at.is_some() {
                return Err(TeamError::CalibrationRevealed { calibration_id });
            }
            if !calibration.sessions.iter().any(|s| s == session_id) {
                return Err(TeamError::NoSuchSession {
                    session_id: session_id.to_owned(),
                });
            }
            for rated in ratings {
                let range = tx.query_opt(
                    "SELECT 1 FROM criterion_scores c JOIN sessions s ON s.id = c.session \
                     WHERE s.session_id = ? AND c.criterion = ?",
                    &[session_id.into(), (&rated.criterion).into()],
                )?;
                if range.is_none() {
                    return Err(TeamError::NoSuchCriterion {
                        session_id: session_id.to_owned(),
                        criterion: rated.criterion.clone(),
                    });
                }
                tx.execute(
                    "INSERT INTO calibration_ratings (calibration_id, session_id, criterion, reviewer_id, rating, comment, rated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                    &[
                        calibration_id.into(),
                        session_id.into(),
                        (&rated.criterion).into(),
                        reviewer.id.into(),
                        rated.rating.map(i64::from).into(),
                        (&rated.comment).into(),
                        now.into(),
                    ],
                )?;
            }
            // The values stay out of the log until the reveal, which makes them visible anyway.
            audit::append(
                tx,
                now,
                &Actor::user(reviewer),
                "calibration.rate",
                Subject {
                    kind: "calibration",
                    id: &calibration_id.to_string(),
                },
                None,
                json(&serde_json::json!({ "session": session_id, "criteria": ratings.len() })),
            )?;
            Ok(())
        })
    }

    /// The ratings a user may see: before the reveal only their own, after it everyone's.
    pub fn calibration_ratings(
        &mut self,
        user: &User,
        calibration_id: i64,
    ) -> Result<Vec<CalibrationRating>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            let calibration = calibration_for(tx, user, calibration_id)?;
            let rows = if calibration.revealed_at.is_some() {
                tx.query(
                    &format!("{RATING_SQL} WHERE r.calibration_id = ? ORDER BY r.id"),
                    &[calibration_id.into()],
                )?
            } else {
                tx.query(
                    &format!("{RATING_SQL} WHERE r.calibration_id = ? AND r.reviewer_id = ? ORDER BY r.id"),
                    &[calibration_id.into(), user.id.into()],
                )?
            };
            rows.iter().map(rating_from_row).collect()
        })
    }

    /// How many criteria each reviewer has rated, without the ratings (any time, for the lead).
    pub fn calibration_progress(
        &mut self,
        lead: &User,
        calibration_id: i64,
    ) -> Result<Vec<CalibrationProgress>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            authorize_in(tx, lead, Action::RunCalibration, Target::Nothing)?;
            let calibration = calibration_for(tx, lead, calibration_id)?;
            let mut progress = Vec::new();
            for login in calibration.reviewers {
                let rated = tx
                    .query_opt(
                        "SELECT COUNT(*) FROM (SELECT DISTINCT r.session_id, r.criterion FROM calibration_ratings r \
                         JOIN users u ON u.id = r.reviewer_id WHERE r.calibration_id = ? AND u.login = ?) AS rated",
                        &[calibration_id.into(), (&login).into()],
                    )?
                    .map_or(Ok(0), |row| row.int(0))?;
                progress.push(CalibrationProgress {
                    reviewer: login,
                    rated,
                });
            }
            Ok(progress)
        })
    }

    /// The lead reveals the ratings to everyone in the calibration (audited).
    pub fn reveal_calibration(
        &mut self,
        lead: &User,
        calibration_id: i64,
    ) -> Result<CalibrationSession, TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            authorize_in(tx, lead, Action::RunCalibration, Target::Nothing)?;
            let before = calibration_for(tx, lead, calibration_id)?;
            let changed = tx.execute(
                "UPDATE calibrations SET revealed_at = ?, revealed_by = ? WHERE id = ? AND revealed_at IS NULL",
                &[now.into(), lead.id.into(), calibration_id.into()],
            )?;
            if changed == 0 {
                return Err(TeamError::CalibrationRevealed { calibration_id });
            }
            let after = calibration_for(tx, lead, calibration_id)?;
            audit::append(
                tx,
                now,
                &Actor::user(lead),
                "calibration.reveal",
                Subject {
                    kind: "calibration",
                    id: &calibration_id.to_string(),
                },
                json(&before),
                json(&after),
            )?;
            Ok(after)
        })
    }

    /// Agreement and κ per criterion and per reviewer of a revealed calibration, with the plain
    /// small-sample warning.
    pub fn calibration_results(
        &mut self,
        user: &User,
        calibration_id: i64,
    ) -> Result<CalibrationResults, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            let calibration = calibration_for(tx, user, calibration_id)?;
            if calibration.revealed_at.is_none() {
                return Err(TeamError::CalibrationNotRevealed { calibration_id });
            }
            let ratings = tx
                .query(
                    &format!("{RATING_SQL} WHERE r.calibration_id = ? ORDER BY r.id"),
                    &[calibration_id.into()],
                )?
                .iter()
                .map(as_reviewed_rating)
                .collect::<Result<Vec<_>, _>>()?;
            let figures = calibrate_by(&ratings, CalibrationPeriod::Month);
            Ok(CalibrationResults {
                calibration,
                warning: small_sample_warning(&figures),
                figures,
            })
        })
    }

    /// Every reviewer's agreement with the consensus over all revealed calibrations, by
    /// `period`: their drift over time (`per_reviewer[…].over_time[…].consensus`).
    pub fn calibration_drift(
        &mut self,
        lead: &User,
        period: CalibrationPeriod,
    ) -> Result<CalibrationResults, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            authorize_in(tx, lead, Action::RunCalibration, Target::Nothing)?;
            let ratings = tx
                .query(
                    &format!(
                        "{RATING_SQL} JOIN calibrations k ON k.id = r.calibration_id \
                         WHERE k.revealed_at IS NOT NULL ORDER BY r.rated_at, r.id"
                    ),
                    &[],
                )?
                .iter()
                .map(as_reviewed_rating)
                .collect::<Result<Vec<_>, _>>()?;
            let figures = calibrate_by(&ratings, period);
            Ok(CalibrationResults {
                calibration: CalibrationSession {
                    id: 0,
                    name: "all revealed calibrations".to_owned(),
                    created_by: lead.login.clone(),
                    created_at: 0,
                    revealed_at: None,
                    sessions: Vec::new(),
                    reviewers: figures.reviewers.clone(),
                },
                warning: small_sample_warning(&figures),
                figures,
            })
        })
    }
}
