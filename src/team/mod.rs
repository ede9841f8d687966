//! The team workflow's data and rules over the results store: accounts and roles, web login sessions, login throttling, the audit log, and who may see and do what.
//!
//! # For the web application
//!
//! Everything goes through a [`Team`], a short-lived handle over a [`Store`] (one per request,
//! or per worker): `let mut team = Team::new(&mut store);`.
//!
//! - **Log in**: [`Team::login`] with a [`LoginRequest`] (login, password, the client's address,
//!   and the token of the cookie the browser already had, which is revoked). It returns an
//!   [`OpenedSession`]: `token` goes into the cookie (`HttpOnly; SameSite=Lax`, `Secure` behind
//!   TLS, `Max-Age` [`SESSION_LIFETIME_SECS`]); `session.csrf_token` into every form. Errors to
//!   show: [`TeamError::BadCredentials`] ("wrong login or password", the same for every cause)
//!   and [`TeamError::Throttled`] (`retry_after_secs` for a `Retry-After` header).
//! - **Each request**: [`Team::web_session`] with the cookie's token → `Some(WebSession)` with
//!   the current [`User`] (role and active flag read afresh) or `None` (send to the login page).
//! - **CSRF**: on every state-changing request, [`WebSession::csrf_matches`] with the form's token;
//!   refuse on `false`.
//! - **Log out**: [`Team::logout`] with the token. [`Team::purge_web_sessions`] now and then.
//! - **Authorisation**: [`Team::can`]`(user, action, target)` → bool, or [`Team::authorize`] →
//!   `Err(Forbidden)` / `Err(NoSuchSession)` (an unseen session looks like a missing one: answer
//!   404). [`Role::allows`] answers for the role alone (menus). The role table is in [`roles`].
//! - **Visibility**: [`Team::visible_summaries`]`(user, filter)` for every list, dashboard and
//!   export; [`Team::visibility`] for anything else that lists sessions.
//! - **Accounts** (admin): [`Team::create_user`], [`Team::users`], [`Team::set_role`],
//!   [`Team::set_active`], [`Team::set_password`]; a user's own: [`Team::change_own_password`].
//! - **Audit**: every change above writes an entry in its own transaction; [`Team::audit_log`]
//!   lists them. The actor of a web change is [`Actor::user`].
//! - **Sessions**: [`Team::visible_session`]`(user, id)` loads one session for its page (404 when
//!   unseen); [`Team::share_session`] lets a lead show one to a reviewer.
//! - **Review queues** ([`queues`]): [`Team::add_queue_rule`] (a [`queues::Sampling`] and a seed),
//!   [`Team::queue_rules`], [`Team::set_queue_rule_active`], [`Team::apply_sampling`],
//!   [`Team::queue`] (lead's view), [`Team::assign_item`], [`Team::queue_for`] (one more
//!   reviewer), [`Team::my_queue`], and [`Team::submit_review`] for the one-page scorecard review
//!   (the reviewer is the logged-in user; the queue item is done in the same transaction).
//!   `rubric_for` finds a stored session's rubric (the CLI's is in `commands/review.rs`).
//! - **Disputes** ([`disputes`]): [`Team::raise_dispute`], [`Team::open_disputes`],
//!   [`Team::accept_dispute`] (a dispute-kind review sets the rating), [`Team::reject_dispute`],
//!   [`Team::my_disputes`], [`Team::disputes_of_session`].
//! - **Calibration** ([`calibrations`]): [`Team::create_calibration`], [`Team::calibrations`],
//!   [`Team::calibration`], [`Team::rate_in_calibration`], [`Team::calibration_ratings`] (blind
//!   until revealed), [`Team::calibration_progress`], [`Team::reveal_calibration`],
//!   [`Team::calibration_results`] (agreement, κ, the small-sample warning),
//!   [`Team::calibration_drift`] (each reviewer against the consensus over time).
//! - **LRS delivery** ([`outbox`]): [`Team::outbox`] (counts and rows with the LRS's answers),
//!   [`Team::retry_outbox`] (failed statements back in the queue, audited).

pub mod access;
pub mod accounts;
pub mod audit;
pub mod calibrations;
pub mod disputes;
pub mod login;
pub mod outbox;
pub mod password;
pub mod queues;
pub mod roles;
pub mod throttle;

use crate::store::{Store, StoreError};

pub use access::{Target, Visibility};
pub use accounts::{NewUser, User};
pub use audit::{AuditEntry, AuditFilter};
pub use login::{LoginRequest, OpenedSession, SESSION_LIFETIME_SECS, WebSession};
pub use roles::{Action, Role, SessionScope};

/// Why a team operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("`{login}` cannot be a login name: {reason}")]
    BadLogin { login: String, reason: String },
    #[error("`{name}` cannot be a {what}: {reason}")]
    BadName {
        what: &'static str,
        name: String,
        reason: String,
    },
    #[error(
        "the login `{login}` is already taken; choose another, or `rapport user list` to see them"
    )]
    LoginTaken { login: String },
    #[error(
        "the trainee name `{trainee}` already belongs to `{login}`; each trainee has one account"
    )]
    TraineeTaken { trainee: String, login: String },
    #[error(
        "only trainee accounts have a trainee name, and this one is a {role} (`{trainee}` given); leave out --trainee"
    )]
    TraineeNameForOtherRole { role: Role, trainee: String },
    #[error("no account has the login `{login}`; `rapport user list` shows them")]
    NoSuchUser { login: String },
    #[error("`{login}` is the last active admin; make another admin first")]
    LastAdmin { login: String },
    #[error("`{login}` is a {role}, and this needs {needed}")]
    WrongRole {
        login: String,
        role: Role,
        needed: &'static str,
    },
    #[error("the password is too short: {got} characters, at least {min} are needed")]
    PasswordTooShort { min: usize, got: usize },
    #[error("the password is too long: at most {max} bytes")]
    PasswordTooLong { max: usize },
    #[error("the password cannot be the login name")]
    PasswordIsLogin,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error("`{login}` ({role}) may not {}", action.label())]
    Forbidden {
        login: String,
        role: Role,
        action: Action,
    },
    #[error("no stored session has the id `{session_id}`")]
    NoSuchSession { session_id: String },
    #[error(
        "the stored account has the unknown role `{role}`; is this rapport older than the database?"
    )]
    UnknownStoredRole { role: String },
    #[error(transparent)]
    Review(#[from] crate::report::review::ReviewError),
    #[error("this sampling rule cannot be used: {reason}")]
    BadRule { reason: String },
    #[error("no queue item numbered {item_id}")]
    NoSuchItem { item_id: i64 },
    #[error("queue item {item_id} is done: its review is recorded")]
    ItemDone { item_id: i64 },
    #[error("session `{session_id}` is already in `{login}`'s queue")]
    AlreadyQueued { session_id: String, login: String },
    #[error("a dispute override is recorded by deciding the dispute, not as a review")]
    DisputeThroughDisputes,
    #[error("no dispute numbered {dispute_id}")]
    NoSuchDispute { dispute_id: i64 },
    #[error("dispute {dispute_id} is already decided")]
    DisputeDecided { dispute_id: i64 },
    #[error(
        "`{criterion}` of session `{session_id}` is already disputed and waiting for a decision"
    )]
    DisputeAlreadyOpen {
        session_id: String,
        criterion: String,
    },
    #[error("session `{session_id}` has no criterion `{criterion}`")]
    NoSuchCriterion {
        session_id: String,
        criterion: String,
    },
    #[error("the {what} is empty; say why")]
    EmptyText { what: &'static str },
    #[error("the {what} is too long: at most {max} characters")]
    TextTooLong { what: &'static str, max: usize },
    #[error("no calibration numbered {calibration_id}")]
    NoSuchCalibration { calibration_id: i64 },
    #[error("`{login}` does not take part in calibration {calibration_id}")]
    NotInCalibration { calibration_id: i64, login: String },
    #[error("calibration {calibration_id} is revealed: its ratings are closed")]
    CalibrationRevealed { calibration_id: i64 },
    #[error(
        "calibration {calibration_id} is not revealed yet: the lead reveals it when everyone has rated"
    )]
    CalibrationNotRevealed { calibration_id: i64 },
    #[error("a calibration needs at least {min} {what}")]
    CalibrationTooSmall { what: &'static str, min: usize },
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("the operating system's random generator failed: {0}")]
    Random(String),
}

/// Who made a change, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account; `None` for the command line, which runs with the database's rights.
    pub user_id: Option<i64>,
    /// The account's login, or `cli:<system user>`.
    pub name: String,
}

impl Actor {
    /// A logged-in user.
    pub fn user(user: &User) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.login.clone(),
        }
    }

    /// The command line, named after the system user running it.
    pub fn command_line() -> Actor {
        let who = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".to_owned());
        Actor {
            user_id: None,
            name: format!("cli:{who}"),
        }
    }
}

/// The time team operations take as now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A fixed Unix time, for tests of expiry and throttling.
    Fixed(i64),
}

/// The team workflow over one store.
#[derive(Debug)]
pub struct Team<'s> {
    store: &'s mut Store,
    clock: Clock,
}

impl<'s> Team<'s> {
    /// The team workflow over `store`, on the system clock.
    pub fn new(store: &'s mut Store) -> Team<'s> {
        Team {
            store,
            clock: Clock::System,
        }
    }

    /// Sets the clock (tests move a fixed clock to check expiry and throttling).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        match self.clock {
            Clock::System => jiff::Timestamp::now().as_second(),
            Clock::Fixed(now) => now,
        }
    }

    /// The store underneath, for the results it already serves (reports, reviews).
    pub fn store(&mut self) -> &mut Store {
        self.store
    }
}
