//! Login throttling kept in the database, so that it holds across server processes: failed attempts per login name and per client address slow the next attempt down.
//!
//! The first [`FREE_FAILURES_PER_LOGIN`] failures of a login (since its last success, within
//! [`THROTTLE_WINDOW_SECS`]) cost nothing; each further one doubles the wait before the next
//! attempt, from one second up to [`MAX_WAIT_SECS`]. A client address gets
//! [`FREE_FAILURES_PER_CLIENT`] failures over all logins before the same doubling, which slows one
//! machine trying many logins. While a wait runs, attempts are refused without checking the
//! password and without counting, so they neither extend nor reveal anything.

use super::TeamError;
use crate::store::sql::SqlTx;

/// How far back failed attempts count.
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;

/// Failures of one login that cost no wait.
pub const FREE_FAILURES_PER_LOGIN: i64 = 5;

/// Failures from one client address, over all logins, that cost no wait.
pub const FREE_FAILURES_PER_CLIENT: i64 = 20;

/// The longest wait imposed.
pub const MAX_WAIT_SECS: i64 = 15 * 60;

/// How long attempts are kept before they are swept away (longer than the window, so a
/// sweep never changes a decision).
const ATTEMPTS_KEPT_SECS: i64 = 24 * 3600;

/// How long to wait after `failures` failures, the last at `last_failure`, when `free` are free.
fn wait_after(failures: i64, free: i64, last_failure: Option<i64>, now: i64) -> i64 {
    let Some(last) = last_failure else { return 0 };
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(30) as u32;
    let wait = (1i64 << doublings).min(MAX_WAIT_SECS);
    (last + wait - now).max(0)
}

/// Seconds to wait before `login` may be tried from `client` (0: try now).
pub(crate) fn seconds_to_wait(
    tx: &mut dyn SqlTx,
    login: &str,
    client: &str,
    now: i64,
) -> Result<i64, TeamError> {
    let since = now - THROTTLE_WINDOW_SECS;
    let by_login = tx
        .query_opt(
            "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE login = ? AND succeeded = 0 AND at > ? \
             AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE login = ? AND succeeded = 1), 0)",
            &[login.into(), since.into(), login.into()],
        )?
        .map(|row| Ok::<_, TeamError>((row.int(0)?, row.opt_int(1)?)))
        .transpose()?
        .unwrap_or((0, None));
    let by_client = tx
        .query_opt(
            "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE client = ? AND succeeded = 0 AND at > ?",
            &[client.into(), since.into()],
        )?
        .map(|row| Ok::<_, TeamError>((row.int(0)?, row.opt_int(1)?)))
        .transpose()?
        .unwrap_or((0, None));
    Ok(
        wait_after(by_login.0, FREE_FAILURES_PER_LOGIN, by_login.1, now).max(wait_after(
            by_client.0,
            FREE_FAILURES_PER_CLIENT,
            by_client.1,
            now,
        )),
    )
}

/// Records an attempt, and sweeps attempts too old to matter.
pub(crate) fn record_attempt(
    tx: &mut dyn SqlTx,
    login: &str,
    client: &str,
    succeeded: bool,
    now: i64,
) -> Result<(), TeamError> {
    tx.execute(
        "INSERT INTO login_attempts (login, client, at, succeeded) VALUES (?, ?, ?, ?)",
        &[login.into(), client.into(), now.into(), succeeded.into()],
    )?;
    tx.execute(
        "DELETE FROM login_attempts WHERE at < ?",
        &[(now - ATTEMPTS_KEPT_SECS).into()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        assert_eq!(wait_after(4, 5, Some(100), 100), 0);
        assert_eq!(wait_after(5, 5, Some(100), 100), 1);
        assert_eq!(wait_after(6, 5, Some(100), 100), 2);
        assert_eq!(wait_after(9, 5, Some(100), 101), 15);
        assert_eq!(wait_after(50, 5, Some(100), 100), MAX_WAIT_SECS);
        // The wait runs from the last failure.
        assert_eq!(wait_after(6, 5, Some(100), 105), 0);
        assert_eq!(wait_after(0, 5, None, 100), 0);
    }
}
