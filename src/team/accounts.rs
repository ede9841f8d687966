//! Accounts: who may log in, with which role, under which trainee name; created, listed, changed and deactivated with an audit entry each.

use serde::Serialize;

use super::audit::{self, Subject, json};
use super::password::{check_password_rules, hash_password, verify_password};
use super::{Actor, Role, Team, TeamError};
use crate::store::sql::{SqlRow, SqlTx, TxMode};

/// The longest login name, in characters.
pub const MAX_LOGIN_CHARS: usize = 64;

/// The longest display or trainee name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A person's account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    /// The name typed at login: lowercase ASCII letters, digits, `.`, `_`, `-` and `@`.
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// For a trainee, the name their sessions are stored under.
    pub trainee: Option<String>,
    /// A deactivated account cannot log in and its web sessions are revoked; its history stays.
    pub active: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

/// What a new account is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser<'a> {
    pub login: &'a str,
    /// Defaults to the login.
    pub display_name: Option<&'a str>,
    pub role: Role,
    /// A trainee's stored name; defaults to the login for a trainee, refused for other roles.
    pub trainee: Option<&'a str>,
    pub password: &'a str,
}

/// The columns [`user_from_row`] reads, on `users u`.
pub(crate) const USER_COLUMNS: &str =
    "u.id, u.login, u.display_name, u.role, u.trainee, u.active, u.created_at, u.updated_at";

/// A user from the columns of [`USER_COLUMNS`], starting at `first`.
pub(crate) fn user_from_row(row: &SqlRow, first: usize) -> Result<User, TeamError> {
    let role_label = row.text(first + 3)?;
    Ok(User {
        id: row.int(first)?,
        login: row.text(first + 1)?,
        display_name: row.text(first + 2)?,
        role: Role::from_label(&role_label).ok_or(TeamError::UnknownStoredRole {
            role: role_label.clone(),
        })?,
        trainee: row.opt_text(first + 4)?,
        active: row.flag(first + 5)?,
        created_at: row.int(first + 6)?,
        updated_at: row.int(first + 7)?,
    })
}

/// The login name as stored: trimmed and lowercased, or why it cannot be one.
pub fn normalize_login(login: &str) -> Result<String, TeamError> {
    let login = login.trim().to_lowercase();
    let refuse = |reason: &str| TeamError::BadLogin {
        login: login.clone(),
        reason: reason.to_owned(),
    };
    if login.is_empty() {
        return Err(refuse("it is empty"));
    }
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(refuse(&format!(
            "it is longer than {MAX_LOGIN_CHARS} characters"
        )));
    }
    if !login.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(refuse("it must start with a letter or a digit"));
    }
    if let Some(bad) = login
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(refuse(&format!(
            "`{bad}` is not allowed (use letters, digits, `.`, `_`, `-` and `@`)"
        )));
    }
    Ok(login)
}

/// A display or trainee name, trimmed, or why it cannot be one.
fn check_name(what: &'static str, name: &str) -> Result<String, TeamError> {
    let name = name.trim();
    let refuse = |reason: &str| TeamError::BadName {
        what,
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.is_empty() {
        return Err(refuse("it is empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(refuse(&format!(
            "it is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse("it holds a control character"));
    }
    Ok(name.to_owned())
}

/// The trainee name an account with `role` is stored with.
fn trainee_for(
    role: Role,
    login: &str,
    trainee: Option<&str>,
) -> Result<Option<String>, TeamError> {
    match (role, trainee) {
        (Role::Trainee, Some(name)) => check_name("trainee name", name).map(Some),
        (Role::Trainee, None) => Ok(Some(login.to_owned())),
        (_, Some(name)) => Err(TeamError::TraineeNameForOtherRole {
            role,
            trainee: name.to_owned(),
        }),
        (_, None) => Ok(None),
    }
}

/// Reads one account by login inside a transaction.
pub(crate) fn find_user(tx: &mut dyn SqlTx, login: &str) -> Result<Option<User>, TeamError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.login = ?");
    tx.query_opt(&sql, &[login.into()])?
        .map(|row| user_from_row(&row, 0))
        .transpose()
}

/// Reads one account by login, or says it does not exist.
fn require_user(tx: &mut dyn SqlTx, login: &str) -> Result<User, TeamError> {
    let login = normalize_login(login)?;
    find_user(tx, &login)?.ok_or(TeamError::NoSuchUser { login })
}

/// Refuses a change that would leave no active admin.
fn keep_an_admin(tx: &mut dyn SqlTx, user: &User) -> Result<(), TeamError> {
    if user.role != Role::Admin || !user.active {
        return Ok(());
    }
    let others = tx
        .query_opt(
            "SELECT COUNT(*) FROM users WHERE role = ? AND active = 1 AND id <> ?",
            &[Role::Admin.label().into(), user.id.into()],
        )?
        .map_or(Ok(0), |row| row.int(0))?;
    if others == 0 {
        return Err(TeamError::LastAdmin {
            login: user.login.clone(),
        });
    }
    Ok(())
}

/// Ends every web session of a user (after a password change or deactivation).
pub(crate) fn revoke_sessions_of(
    tx: &mut dyn SqlTx,
    user_id: i64,
    now: i64,
) -> Result<u64, TeamError> {
    Ok(tx.execute(
        "UPDATE web_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        &[now.into(), user_id.into()],
    )?)
}

/// The subject of an audit entry about an account.
fn user_subject(user: &User) -> Subject<'_> {
    Subject {
        kind: "user",
        id: &user.login,
    }
}

impl Team<'_> {
    /// Creates an account. The password is checked against the rules and hashed with argon2id.
    pub fn create_user(&mut self, actor: &Actor, new: &NewUser<'_>) -> Result<User, TeamError> {
        let login = normalize_login(new.login)?;
        let display_name = check_name("display name", new.display_name.unwrap_or(&login))?;
        let trainee = trainee_for(new.role, &login, new.trainee)?;
        check_password_rules(&login, new.password)?;
        let hash = hash_password(new.password)?;
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            if find_user(tx, &login)?.is_some() {
                return Err(TeamError::LoginTaken { login });
            }
            if let Some(name) = &trainee
                && let Some(row) =
                    tx.query_opt("SELECT login FROM users WHERE trainee = ?", &[name.into()])?
            {
                return Err(TeamError::TraineeTaken {
                    trainee: name.clone(),
                    login: row.text(0)?,
                });
            }
            let inserted = tx.query_opt(
                "INSERT INTO users (login, display_name, role, trainee, active, password_hash, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                &[
                    (&login).into(),
                    (&display_name).into(),
                    new.role.label().into(),
                    trainee.clone().into(),
                    hash.into(),
                    now.into(),
                    now.into(),
                ],
            )?;
            // Another server created the same login between the check and the insert.
            let id = inserted
                .ok_or_else(|| TeamError::LoginTaken {
                    login: login.clone(),
                })?
                .int(0)?;
            let user = User {
                id,
                login,
                display_name,
                role: new.role,
                trainee,
                active: true,
                created_at: now,
                updated_at: now,
            };
            audit::append(tx, now, actor, "user.create", user_subject(&user), None, json(&user))?;
            Ok(user)
        })
    }

    /// Every account, by login.
    pub fn users(&mut self) -> Result<Vec<User>, TeamError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.login");
        self.store.in_transaction(TxMode::Read, |tx| {
            tx.query(&sql, &[])?
                .iter()
                .map(|row| user_from_row(row, 0))
                .collect()
        })
    }

    /// The account with this login, if any.
    pub fn user_by_login(&mut self, login: &str) -> Result<Option<User>, TeamError> {
        let login = normalize_login(login)?;
        self.store
            .in_transaction(TxMode::Read, |tx| find_user(tx, &login))
    }

    /// The account with this number, if any.
    pub fn user_by_id(&mut self, id: i64) -> Result<Option<User>, TeamError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?");
        self.store.in_transaction(TxMode::Read, |tx| {
            tx.query_opt(&sql, &[id.into()])?
                .map(|row| user_from_row(&row, 0))
                .transpose()
        })
    }

    /// Gives an account another role (a trainee name comes with the trainee role, as at
    /// creation); the last active admin keeps theirs. Returns the account as changed.
    pub fn set_role(
        &mut self,
        actor: &Actor,
        login: &str,
        role: Role,
        trainee: Option<&str>,
    ) -> Result<User, TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let before = require_user(tx, login)?;
            if before.role == role && trainee.is_none() {
                return Ok(before);
            }
            if role != Role::Admin {
                keep_an_admin(tx, &before)?;
            }
            // A former trainee keeps the name their past sessions are stored under.
            let trainee = match trainee_for(role, &before.login, trainee)? {
                Some(name) if role == Role::Trainee && trainee.is_none() => {
                    Some(before.trainee.clone().unwrap_or(name))
                }
                Some(name) => Some(name),
                None => before.trainee.clone(),
            };
            if let Some(name) = &trainee
                && let Some(row) = tx.query_opt(
                    "SELECT login FROM users WHERE trainee = ? AND id <> ?",
                    &[name.into(), before.id.into()],
                )?
            {
                return Err(TeamError::TraineeTaken {
                    trainee: name.clone(),
                    login: row.text(0)?,
                });
            }
            tx.execute(
                "UPDATE users SET role = ?, trainee = ?, updated_at = ? WHERE id = ?",
                &[
                    role.label().into(),
                    trainee.clone().into(),
                    now.into(),
                    before.id.into(),
                ],
            )?;
            let after = User {
                role,
                trainee,
                updated_at: now,
                ..before.clone()
            };
            audit::append(
                tx,
                now,
                actor,
                "user.set-role",
                user_subject(&after),
                json(&before),
                json(&after),
            )?;
            Ok(after)
        })
    }

    /// Deactivates an account (or activates it again): a deactivated account cannot log in and
    /// its web sessions end at once; the last active admin stays active.
    pub fn set_active(
        &mut self,
        actor: &Actor,
        login: &str,
        active: bool,
    ) -> Result<User, TeamError> {
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let before = require_user(tx, login)?;
            if before.active == active {
                return Ok(before);
            }
            if !active {
                keep_an_admin(tx, &before)?;
                revoke_sessions_of(tx, before.id, now)?;
            }
            tx.execute(
                "UPDATE users SET active = ?, updated_at = ? WHERE id = ?",
                &[active.into(), now.into(), before.id.into()],
            )?;
            let after = User {
                active,
                updated_at: now,
                ..before.clone()
            };
            let action = if active {
                "user.activate"
            } else {
                "user.deactivate"
            };
            audit::append(
                tx,
                now,
                actor,
                action,
                user_subject(&after),
                json(&before),
                json(&after),
            )?;
            Ok(after)
        })
    }

    /// Sets an account's password (an admin's reset, or the command line); every web session
    /// of the account ends, so a stolen cookie dies with the old password.
    pub fn set_password(
        &mut self,
        actor: &Actor,
        login: &str,
        password: &str,
    ) -> Result<(), TeamError> {
        let normalized = normalize_login(login)?;
        check_password_rules(&normalized, password)?;
        let hash = hash_password(password)?;
        let now = self.now();
        self.store.in_transaction(TxMode::Write, |tx| {
            let user = require_user(tx, &normalized)?;
            tx.execute(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                &[hash.into(), now.into(), user.id.into()],
            )?;
            let ended = revoke_sessions_of(tx, user.id, now)?;
            audit::append(
                tx,
                now,
                actor,
                "user.set-password",
                user_subject(&user),
                None,
                Some(serde_json::json!({ "password": "changed", "web_sessions_ended": ended })),
            )?;
            Ok(())
        })
    }

    /// A user's change of their own password: the current one must match first.
    pub fn change_own_password(
        &mut self,
        user: &User,
        current: &str,
        new_password: &str,
    ) -> Result<(), TeamError> {
        let stored = self.password_hash(user.id)?;
        if !stored.is_some_and(|hash| verify_password(current, &hash)) {
            return Err(TeamError::BadCredentials);
        }
        self.set_password(&Actor::user(user), &user.login, new_password)
    }

    /// The stored hash of an account's password.
    pub(crate) fn password_hash(&mut self, user_id: i64) -> Result<Option<String>, TeamError> {
        self.store.in_transaction(TxMode::Read, |tx| {
            tx.query_opt(
                "SELECT password_hash FROM users WHERE id = ?",
                &[user_id.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
            .map_err(TeamError::from)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_lowercased_and_checked() {
        assert_eq!(normalize_login("  Ana.Lopez ").expect("ok"), "ana.lopez");
        assert!(normalize_login("").is_err());
        assert!(normalize_login("-ana").is_err());
        assert!(normalize_login("ana lopez").is_err());
        assert!(normalize_login("<script>").is_err());
        assert!(normalize_login(&"a".repeat(MAX_LOGIN_CHARS + 1)).is_err());
    }

    #[test]
    fn only_trainees_have_a_trainee_name() {
        assert_eq!(
            trainee_for(Role::Trainee, "ana", None).expect("ok"),
            Some("ana".to_owned())
        );
        assert_eq!(
            trainee_for(Role::Trainee, "ana", Some(" Ana L ")).expect("ok"),
            Some("Ana L".to_owned())
        );
        assert!(trainee_for(Role::Reviewer, "bo", Some("bo")).is_err());
        assert_eq!(trainee_for(Role::Reviewer, "bo", None).expect("ok"), None);
    }
}
