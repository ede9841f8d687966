//! Web login sessions kept in the database, so that every server process over one PostgreSQL knows them: log in (throttled, rotating the token), look up, log out, expire.
//!
//! The browser holds a random 256-bit token from the operating system's generator; the database
//! holds only its SHA-256, so a copy of the database opens no session. Each session has its own
//! CSRF token, which forms carry and [`WebSession::csrf_matches`] checks in constant time.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::accounts::{USER_COLUMNS, User, find_user, normalize_login};
use super::audit::{self, Subject};
use super::password::{random_hex, secrets_match, verify_against_nothing, verify_password};
use super::throttle::{record_attempt, seconds_to_wait};
use super::{Actor, Team, TeamError};
use crate::store::sql::{SqlTx, TxMode};

/// How long a login lasts, in seconds: a working day and a half, so one login covers a shift.
pub const SESSION_LIFETIME_SECS: i64 = 12 * 3600;

/// The bytes of randomness in a session token and in a CSRF token.
const TOKEN_BYTES: usize = 32;

/// A login attempt from the web.
#[derive(Debug, Clone, Copy)]
pub struct LoginRequest<'a> {
    pub login: &'a str,
    pub password: &'a str,
    /// The client's address (for throttling), as the server sees it.
    pub client: &'a str,
    /// The session token the browser already held, if any: it is revoked, so that a token
    /// planted before login never becomes a logged-in session (no session fixation).
    pub previous_token: Option<&'a str>,
}

/// A session just opened: the token goes into the cookie and is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedSession {
    /// 64 hex characters, for the `HttpOnly` cookie.
    pub token: String,
    pub session: WebSession,
}

/// A logged-in session as a request finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebSession {
    pub user: User,
    /// The token every form of this session must carry.
    #[serde(skip)]
    pub csrf_token: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds after which the session no longer opens.
    pub expires_at: i64,
}

impl WebSession {
    /// Whether a form's CSRF token is this session's (constant-time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        secrets_match(&self.csrf_token, presented)
    }
}

/// The stored form of a token: its SHA-256 in hex.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a cookie's value could be a token at all (checked before any query).
fn looks_like_token(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Revokes the session of a token, if it is open; whether one was.
fn revoke_token(tx: &mut dyn SqlTx, token: &str, now: i64) -> Result<bool, TeamError> {
    if !looks_like_token(token) {
        return Ok(false);
    }
    Ok(tx.execute(
        "UPDATE web_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        &[now.into(), token_hash(token).into()],
    )? > 0)
}

impl Team<'_> {
    /// Logs in: refused with the time to wait while throttled, with [`TeamError::BadCredentials`]
    /// for a wrong login or password or a deactivated account (the same answer, in the same
    /// time, for each), otherwise a new session with a new token.
    pub fn login(&mut self, request: &LoginRequest<'_>) -> Result<OpenedSession, TeamError> {
        let now = self.now();
        // A login that cannot exist is still counted against the client and the name typed.
        let login =
            normalize_login(request.login).unwrap_or_else(|_| request.login.trim().to_lowercase());
        let client = request.client;
        let (wait, user) = self.store.in_transaction(TxMode::Read, |tx| {
            let wait = seconds_to_wait(tx, &login, client, now)?;
            let user = if wait > 0 {
                None
            } else {
                find_user(tx, &login)?
            };
            Ok::<_, TeamError>((wait, user))
        })?;
        if wait > 0 {
            return Err(TeamError::Throttled {
                retry_after_secs: wait,
            });
        }
        // The password is checked outside any transaction: hashing takes tens of milliseconds
        // and must not hold the database's write lock.
        let verified = match &user {
            Some(user) => {
                let hash = self.password_hash(user.id)?;
                hash.is_some_and(|hash| verify_password(request.password, &hash)) && user.active
            }
            None => {
                verify_against_nothing(request.password);
                false
            }
        };
        let user = match user {
            Some(user) if verified => user,
            _ => {
                self.store.in_transaction(TxMode::Write, |tx| {
                    record_attempt(tx, &login, client, false, now)
                })?;
                return Err(TeamError::BadCredentials);
            }
        };
        let token = random_hex(TOKEN_BYTES)?;
        let csrf_token = random_hex(TOKEN_BYTES)?;
        let expires_at = now + SESSION_LIFETIME_SECS;
        self.store.in_transaction(TxMode::Write, |tx| {
            record_attempt(tx, &login, client, true, now)?;
            if let Some(previous) = request.previous_token {
                revoke_token(tx, previous, now)?;
            }
            tx.execute(
                "INSERT INTO web_sessions (token_hash, user_id, csrf_token, client, created_at, expires_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    token_hash(&token).into(),
                    user.id.into(),
                    (&csrf_token).into(),
                    client.into(),
                    now.into(),
                    expires_at.into(),
                ],
            )?;
            audit::append(
                tx,
                now,
                &Actor::user(&user),
                "session.login",
                Subject {
                    kind: "user",
                    id: &user.login,
                },
                None,
                Some(serde_json::json!({ "client": client, "expires_at": expires_at })),
            )
        })?;
        Ok(OpenedSession {
            token,
            session: WebSession {
                user,
                csrf_token,
                created_at: now,
                expires_at,
            },
        })
    }

    /// The open session of a cookie's token: `None` for an unknown, malformed, revoked or expired
    /// token, or a deactivated account. The account is read afresh, so a role change applies at
    /// the next request.
    pub fn web_session(&mut self, token: &str) -> Result<Option<WebSession>, TeamError> {
        if !looks_like_token(token) {
            return Ok(None);
        }
        let now = self.now();
        let sql = format!(
            "SELECT s.csrf_token, s.created_at, s.expires_at, {USER_COLUMNS} \
             FROM web_sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active = 1"
        );
        self.store.in_transaction(TxMode::Read, |tx| {
            let Some(row) = tx.query_opt(&sql, &[token_hash(token).into(), now.into()])? else {
                return Ok(None);
            };
            Ok(Some(WebSession {
                csrf_token: row.text(0)?,
                created_at: row.int(1)?,
                expires_at: row.int(2)?,
                user: super::accounts::user_from_row(&row, 3)?,
            }))
        })
    }

    /// Logs out: the token's session ends; whether it was open.
    pub fn logout(&mut self, token: &str) -> Result<bool, TeamError> {
        let Some(session) = self.web_session(token)? else {
            return Ok(false);
        };
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let ended = revoke_token(tx, token, now)?;
            if ended {
                audit::append(
                    tx,
                    now,
                    &Actor::user(&session.user),
                    "session.logout",
                    Subject {
                        kind: "user",
                        id: &session.user.login,
                    },
                    None,
                    None,
                )?;
            }
            Ok(ended)
        })
    }

    /// Deletes sessions that expired or were revoked more than a lifetime ago; how many.
    pub fn purge_web_sessions(&mut self) -> Result<u64, TeamError> {
        let cutoff = self.now() - SESSION_LIFETIME_SECS;
        self.store.in_transaction(TxMode::Write, |tx| {
            Ok(tx.execute(
                "DELETE FROM web_sessions WHERE expires_at < ? OR revoked_at < ?",
                &[cutoff.into(), cutoff.into()],
            )?)
        })
    }
}
