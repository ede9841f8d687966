//! Sends the xAPI outbox to a learning record store (LRS): claims due statements, `PUT`s each under its own id, and marks it sent, to retry, or failed with the LRS's answer.
//!
//! Each statement goes alone to `PUT {endpoint}statements?statementId=ID` with the
//! `X-Experience-API-Version: 1.0.3` header and, when given, HTTP Basic credentials. Statement
//! ids are stable, so sending one twice is harmless: an LRS that already has it answers 204 or
//! 409, and both count as sent. A network error, a 5xx or a 429 is tried again later, with a
//! growing delay; any other 4xx (or a redirect) is a refusal kept with the LRS's answer, for an
//! admin to read and retry by hand. The credentials are never written to a log or a message.

use std::time::Duration;

use base64::Engine as _;

use crate::report::xapi::XAPI_VERSION;
use crate::store::outbox::{ClaimedStatement, Delivery};
use crate::store::{Store, StoreError};

/// The environment variable holding the LRS's xAPI endpoint.
pub const LRS_URL_ENV: &str = "RAPPORT_LRS_URL";
/// The environment variable holding the LRS's credentials, `KEY:SECRET`.
pub const LRS_AUTH_ENV: &str = "RAPPORT_LRS_AUTH";

/// How long one request to the LRS may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a sender holds the statements it claimed: longer than the requests of one batch.
const LEASE_SECS: i64 = 300;
/// How many statements a sender claims at once.
const BATCH: i64 = 20;
/// The longest wait between two attempts at one statement.
const MAX_RETRY_DELAY_SECS: i64 = 15 * 60;
/// How much of an LRS's answer is kept with a failed statement.
const ANSWER_LIMIT: usize = 500;

/// Why the LRS settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LrsError {
    #[error(
        "`{url}` is not an LRS endpoint: {reason}; give the LRS's xAPI endpoint with --lrs-url or {LRS_URL_ENV}, e.g. https://lrs.example.org/xapi/"
    )]
    BadUrl { url: String, reason: &'static str },
    #[error(
        "the LRS credentials are not `KEY:SECRET` (no colon); give them with --lrs-auth or {LRS_AUTH_ENV}"
    )]
    BadAuth,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// HTTP Basic credentials for the LRS; shown nowhere (their `Debug` hides the secret).
#[derive(Clone, PartialEq, Eq)]
pub struct LrsAuth {
    key: String,
    secret: String,
}

impl std::fmt::Debug for LrsAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LrsAuth")
            .field("key", &self.key)
            .field("secret", &"<hidden>")
            .finish()
    }
}

impl std::str::FromStr for LrsAuth {
    type Err = LrsError;

    /// `KEY:SECRET`, as LRSs hand out Basic credentials.
    fn from_str(text: &str) -> Result<LrsAuth, LrsError> {
        let (key, secret) = text.split_once(':').ok_or(LrsError::BadAuth)?;
        Ok(LrsAuth {
            key: key.to_owned(),
            secret: secret.to_owned(),
        })
    }
}

impl LrsAuth {
    /// The `Authorization` header's value.
    fn header(&self) -> String {
        let pair = format!("{}:{}", self.key, self.secret);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

/// Where the LRS is and how to sign in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LrsConfig {
    /// The statements resource, `…/statements`.
    statements_url: String,
    auth: Option<LrsAuth>,
}

impl LrsConfig {
    /// The LRS at `endpoint` (its xAPI endpoint, `https://lrs.example.org/xapi/`, or the
    /// statements resource itself). Credentials go in `auth`, never in the URL.
    pub fn new(endpoint: &str, auth: Option<LrsAuth>) -> Result<LrsConfig, LrsError> {
        let bad = |reason| LrsError::BadUrl {
            url: without_credentials(endpoint),
            reason,
        };
        let rest = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .ok_or_else(|| bad("it does not start with http:// or https://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        if host.contains('@') {
            return Err(bad(
                "it holds credentials, which would end up in logs (give them with --lrs-auth)",
            ));
        }
        if endpoint.contains('?') || endpoint.contains('#') {
            return Err(bad("it has a query or a fragment"));
        }
        let trimmed = endpoint.trim_end_matches('/');
        let statements_url = if trimmed.ends_with("/statements") {
            trimmed.to_owned()
        } else {
            format!("{trimmed}/statements")
        };
        Ok(LrsConfig {
            statements_url,
            auth,
        })
    }

    /// The statements resource the statements go to (no credentials in it).
    pub fn statements_url(&self) -> &str {
        &self.statements_url
    }
}

/// The URL with any `user:password@` before its host replaced by `…@`, for messages.
fn without_credentials(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) if !scheme.is_empty() => format!("{scheme}://…{}", &rest[at..]),
        Some(at) => format!("…{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// How a sender spaces its attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt; it doubles with each further one.
    pub first_delay_secs: i64,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            first_delay_secs: 5,
        }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt, after `attempts` failed ones (1 or more).
    pub fn delay_after(self, attempts: i64) -> i64 {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.first_delay_secs
            .max(1)
            .saturating_mul(1_i64 << doublings)
            .min(MAX_RETRY_DELAY_SECS)
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainSummary {
    pub sent: usize,
    /// Statements left for a later attempt (network error, 5xx, 429).
    pub retrying: usize,
    /// Statements the LRS refused.
    pub failed: usize,
}

/// Sends queued statements to one LRS.
#[derive(Debug)]
pub struct LrsSender {
    config: LrsConfig,
    agent: ureq::Agent,
    /// Names this sender's claims, so another process never sends the same row at once.
    sender_id: String,
    retry: RetryPolicy,
}

impl LrsSender {
    /// A sender to the LRS of `config`.
    pub fn new(config: LrsConfig, retry: RetryPolicy) -> LrsSender {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(format!("rapport/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let sender_id = format!(
            "{}:{}:{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned()),
            std::process::id(),
            crate::team::password::random_hex(8).unwrap_or_default()
        );
        LrsSender {
            config,
            agent,
            sender_id,
            retry,
        }
    }

    /// Sends every statement due at the start of the pass (`now()` then), oldest first, and
    /// records each outcome; statements put off during the pass wait for a later one.
    pub fn drain(
        &self,
        store: &mut Store,
        now: &dyn Fn() -> i64,
    ) -> Result<DrainSummary, StoreError> {
        let due = now();
        let mut summary = DrainSummary::default();
        loop {
            let claimed = store.claim_outbox(&self.sender_id, due, now() + LEASE_SECS, BATCH)?;
            if claimed.is_empty() {
                return Ok(summary);
            }
            for statement in &claimed {
                let delivery = self.deliver(statement, now());
                match &delivery {
                    Delivery::Sent { .. } => summary.sent += 1,
                    Delivery::Retry { answer, .. } => {
                        summary.retrying += 1;
                        tracing::warn!(
                            statement = %statement.statement_id,
                            "the LRS did not take the statement; trying again later: {answer}"
                        );
                    }
                    Delivery::Failed { answer } => {
                        summary.failed += 1;
                        tracing::warn!(
                            statement = %statement.statement_id,
                            "the LRS refused the statement: {answer}"
                        );
                    }
                }
                store.mark_outbox(statement.id, &self.sender_id, &delivery, now())?;
            }
        }
    }

    /// One attempt at one statement.
    fn deliver(&self, statement: &ClaimedStatement, now: i64) -> Delivery {
        let mut request = self
            .agent
            .put(self.config.statements_url())
            .query("statementId", &statement.statement_id)
            .header("X-Experience-API-Version", XAPI_VERSION)
            .header("Content-Type", "application/json");
        if let Some(auth) = &self.config.auth {
            request = request.header("Authorization", auth.header());
        }
        let retry_at = now + self.retry.delay_after(statement.attempts + 1);
        let mut response = match request.send(statement.statement.as_str()) {
            Ok(response) => response,
            Err(error) => {
                return Delivery::Retry {
                    answer: format!("no answer from the LRS: {error}"),
                    retry_at,
                };
            }
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .unwrap_or_default();
        classify(status, &body, retry_at)
    }
}

/// What an LRS's answer means for the statement.
fn classify(status: u16, body: &str, retry_at: i64) -> Delivery {
    let answer = answer_text(status, body);
    match status {
        200..=299 => Delivery::Sent { answer },
        409 => Delivery::Sent {
            answer: format!("already stored ({answer})"),
        },
        429 | 500..=599 => Delivery::Retry { answer, retry_at },
        _ => Delivery::Failed { answer },
    }
}

/// `HTTP 400: the LRS's message`, cut to a readable length.
fn answer_text(status: u16, body: &str) -> String {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.is_empty() {
        return format!("HTTP {status}");
    }
    let mut cut: String = body.chars().take(ANSWER_LIMIT).collect();
    if cut.len() < body.len() {
        cut.push('…');
    }
    format!("HTTP {status}: {cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_resource_is_found_from_the_endpoint() {
        let config = LrsConfig::new("https://lrs.example.org/xapi/", None).unwrap();
        assert_eq!(
            config.statements_url(),
            "https://lrs.example.org/xapi/statements"
        );
        let config = LrsConfig::new("http://lrs:8080/xapi/statements", None).unwrap();
        assert_eq!(config.statements_url(), "http://lrs:8080/xapi/statements");
    }

    #[test]
    fn urls_with_credentials_or_no_scheme_are_refused() {
        for url in [
            "lrs.example.org/xapi",
            "https://key:secret@lrs.example.org/xapi",
            "https:///xapi",
            "https://lrs.example.org/xapi?x=1",
        ] {
            assert!(LrsConfig::new(url, None).is_err(), "{url}");
        }
        let refused = LrsConfig::new("https://key:s3cret@lrs.example.org/xapi", None)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("`https://…@lrs.example.org/xapi`"),
            "{refused}"
        );
        assert!(!refused.contains("s3cret"), "{refused}");
    }

    #[test]
    fn the_secret_is_kept_out_of_debug_output() {
        let auth: LrsAuth = "key:s3cret".parse().unwrap();
        assert!(!format!("{auth:?}").contains("s3cret"));
        assert_eq!(auth.header(), "Basic a2V5OnMzY3JldA==");
        assert!("no-colon".parse::<LrsAuth>().is_err());
    }

    #[test]
    fn answers_are_sorted_into_sent_retry_and_failed() {
        assert!(matches!(classify(204, "", 9), Delivery::Sent { .. }));
        assert!(matches!(classify(409, "", 9), Delivery::Sent { .. }));
        assert_eq!(
            classify(503, "down", 9),
            Delivery::Retry {
                answer: "HTTP 503: down".to_owned(),
                retry_at: 9
            }
        );
        assert!(matches!(classify(429, "", 9), Delivery::Retry { .. }));
        assert_eq!(
            classify(400, "bad\n actor", 9),
            Delivery::Failed {
                answer: "HTTP 400: bad actor".to_owned()
            }
        );
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_a_limit() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_after(1), 5);
        assert_eq!(policy.delay_after(2), 10);
        assert_eq!(policy.delay_after(3), 20);
        assert_eq!(policy.delay_after(100), MAX_RETRY_DELAY_SECS);
    }
}
