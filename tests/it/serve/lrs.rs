//! Reviewed scores reaching a learning record store: a fake LRS on loopback records what the outbox sends — one statement for a first review, the voiding then the new one for the next, nothing lost or sent twice when the LRS is down then up or when two senders drain at once, a refusal kept with its answer and retried by hand, and the credentials sent as Basic but shown nowhere.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::put;
use serde_json::Value;

use super::{Site, sites};
use crate::util::backends;
use rapport::lrs::{DrainSummary, LrsConfig, LrsSender, RetryPolicy};
use rapport::serve::lrs_sender::LrsSettings;
use rapport::store::outbox::OutboxState;
use rapport::team::{AuditEntry, AuditFilter, Team};

/// The credentials the tests give the sender.
const AUTH: &str = "rapport-key:s3cret-lrs-password";
/// What they look like in the `Authorization` header.
const AUTH_HEADER: &str = "Basic cmFwcG9ydC1rZXk6czNjcmV0LWxycy1wYXNzd29yZA==";
/// The fake LRS's explanation when it refuses a statement.
const REFUSAL: &str = "statement.actor must have an mbox or an account";

/// How the fake LRS answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// 204, as an LRS storing a new statement.
    Store,
    /// 409, as an LRS that already has the statement.
    Duplicate,
    /// 400 with [`REFUSAL`].
    Refuse,
}

/// One request the fake LRS received.
#[derive(Debug, Clone)]
struct Received {
    statement_id: String,
    version: Option<String>,
    authorization: Option<String>,
    statement: Value,
}

#[derive(Debug, Clone)]
struct Fake {
    received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<Mode>>,
}

/// A fake LRS listening on loopback, on its own thread.
struct FakeLrs {
    fake: Fake,
    /// Its xAPI endpoint.
    endpoint: String,
}

impl FakeLrs {
    /// Starts one on a free port.
    fn start() -> FakeLrs {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        FakeLrs::start_on(listener)
    }

    /// Starts one on `listener` (a port an earlier sender found closed).
    fn start_on(listener: std::net::TcpListener) -> FakeLrs {
        let endpoint = format!(
            "http://{}/xapi/",
            listener.local_addr().expect("an address")
        );
        listener.set_nonblocking(true).expect("non-blocking");
        let fake = Fake {
            received: Arc::default(),
            mode: Arc::new(Mutex::new(Mode::Store)),
        };
        let state = fake.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = axum::Router::new()
                    .route("/xapi/statements", put(receive))
                    .with_state(state);
                axum::serve(listener, app).await.expect("the fake LRS runs");
            });
        });
        FakeLrs { fake, endpoint }
    }

    fn set_mode(&self, mode: Mode) {
        *self.fake.mode.lock().expect("mode") = mode;
    }

    fn received(&self) -> Vec<Received> {
        self.fake.received.lock().expect("received").clone()
    }

    /// Waits until `count` statements arrived (the server's sender runs on its own clock).
    fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() > deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn config(&self) -> LrsConfig {
        LrsConfig::new(&self.endpoint, Some(AUTH.parse().expect("credentials"))).expect("config")
    }
}

async fn receive(
    State(fake): State<Fake>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, &'static str) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let statement_id = query
        .unwrap_or_default()
        .strip_prefix("statementId=")
        .unwrap_or_default()
        .to_owned();
    fake.received.lock().expect("received").push(Received {
        statement_id,
        version: header("x-experience-api-version"),
        authorization: header("authorization"),
        statement: serde_json::from_str(&body).unwrap_or(Value::Null),
    });
    match *fake.mode.lock().expect("mode") {
        Mode::Store => (StatusCode::NO_CONTENT, ""),
        Mode::Duplicate => (StatusCode::CONFLICT, "a statement with this id exists"),
        Mode::Refuse => (StatusCode::BAD_REQUEST, REFUSAL),
    }
}

/// Every rating field of a review form set to `value`, or to each criterion's lowest rating
/// when `value` is `lowest`.
fn card(page: &str, value: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for chunk in page.split("name=\"rating.").skip(1) {
        let name = format!("rating.{}", chunk.split('"').next().expect("closed"));
        let offered = chunk
            .split("value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or("na")
            .to_owned();
        if !fields.iter().any(|(n, _)| *n == name) {
            let chosen = if value == "lowest" {
                offered
            } else {
                value.to_owned()
            };
            fields.push((name, chosen));
        }
    }
    fields
}

/// Reviews a whole session through the review form; with `adjudicate`, as an adjudication.
fn review(site: &Site, login: &str, session: &str, value: &str, adjudicate: bool) {
    let mut browser = site.log_in(login);
    let path = format!("/sessions/{session}/review");
    let page = site.get(&mut browser, &path);
    let mut fields = card(&page.body, value);
    fields.push(("csrf".to_owned(), page.csrf()));
    if adjudicate {
        fields.push(("kind".to_owned(), "adjudication".to_owned()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let answer = site.post(&mut browser, &path, &pairs);
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
}

/// Drains the site's outbox once at Unix time `now`.
/// The audit log's entries of statements retried by hand.
fn retries_audited(site: &Site) -> Vec<AuditEntry> {
    let mut store = site.db.open();
    Team::new(&mut store)
        .audit_log(&AuditFilter {
            action: Some("xapi.retry".to_owned()),
            ..AuditFilter::default()
        })
        .expect("audit")
}

fn drain_at(site: &Site, sender: &LrsSender, now: i64) -> DrainSummary {
    let mut store = site.db.open();
    sender.drain(&mut store, &|| now).expect("drain")
}

fn verb(statement: &Value) -> &str {
    statement["verb"]["display"]["en-US"]
        .as_str()
        .unwrap_or_default()
}

/// The extension of a statement's `result` or `context` whose IRI ends with `name`.
fn extension<'a>(part: &'a Value, name: &str) -> &'a Value {
    part["extensions"]
        .as_object()
        .and_then(|map| {
            map.iter()
                .find(|(iri, _)| iri.ends_with(&format!("/xapi/extensions/{name}")))
        })
        .map_or(&Value::Null, |(_, value)| value)
}

fn fast_settings(config: LrsConfig) -> LrsSettings {
    LrsSettings {
        config,
        poll: Duration::from_millis(100),
        retry: RetryPolicy {
            first_delay_secs: 1,
        },
    }
}

#[test]
fn a_review_sends_one_statement_and_the_next_voids_it_then_sends_the_new_one() {
    for db in backends() {
        let lrs = FakeLrs::start();
        let site = Site::with_lrs(db, fast_settings(lrs.config()));
        site.listen();
        let session = site.shared_session.clone();
        review(&site, "reviewer", &session, "na", false);
        let first = lrs.wait_for(1);
        assert_eq!(
            first.len(),
            1,
            "{}: one statement for a first review",
            site.db.name
        );
        let sent = &first[0];
        assert_eq!(sent.version.as_deref(), Some("1.0.3"));
        assert_eq!(sent.authorization.as_deref(), Some(AUTH_HEADER));
        assert_eq!(sent.statement["id"], sent.statement_id.as_str());
        assert!(matches!(verb(&sent.statement), "passed" | "failed"));
        assert_eq!(
            extension(&sent.statement["context"], "session-id"),
            session.as_str()
        );

        review(&site, "lead", &session, "lowest", true);
        let all = lrs.wait_for(3);
        assert_eq!(
            all.len(),
            3,
            "{}: the voiding, then the new score",
            site.db.name
        );
        let (voiding, new) = (&all[1].statement, &all[2].statement);
        assert_eq!(verb(voiding), "voided");
        assert_eq!(voiding["object"]["objectType"], "StatementRef");
        assert_eq!(voiding["object"]["id"], sent.statement_id.as_str());
        assert_eq!(voiding["actor"]["name"], "lead");
        assert!(matches!(verb(new), "passed" | "failed"));
        assert_ne!(new["id"], sent.statement_id.as_str());
        assert_eq!(extension(&new["result"], "reviewed"), true);

        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(lrs.received().len(), 3, "nothing is sent twice");
        let mut store = site.db.open();
        let entries = store.outbox_entries(100).expect("outbox");
        assert_eq!(entries.len(), 3);
        assert!(entries.iter().all(|e| e.state == OutboxState::Sent));
    }
}

#[test]
fn statements_wait_while_the_lrs_is_down_and_arrive_once_in_order_when_it_is_up() {
    for db in backends() {
        let site = Site::new(db);
        // A port with nothing listening: the LRS is down.
        let reserved = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let address = reserved.local_addr().expect("address");
        drop(reserved);
        let config = LrsConfig::new(&format!("http://{address}/xapi/"), None).expect("config");
        let sender = LrsSender::new(config, RetryPolicy::default());
        let session = site.ana_session.clone();
        review(&site, "admin", &session, "na", false);
        review(&site, "lead", &session, "lowest", true);

        let t0 = 2_000_000_000;
        let down = drain_at(&site, &sender, t0);
        assert_eq!(
            down,
            DrainSummary {
                sent: 0,
                retrying: 1,
                failed: 0
            },
            "{}: only the session's first statement is tried while earlier ones wait",
            site.db.name
        );
        let mut store = site.db.open();
        let entries = store.outbox_entries(100).expect("outbox");
        assert!(entries.iter().all(|e| e.state == OutboxState::Pending));
        let tried: Vec<_> = entries.iter().filter(|e| e.attempts == 1).collect();
        assert_eq!(tried.len(), 1);
        assert!(
            tried[0]
                .last_answer
                .as_deref()
                .is_some_and(|a| a.starts_with("no answer from the LRS")),
            "{:?}",
            tried[0].last_answer
        );

        let lrs = FakeLrs::start_on(std::net::TcpListener::bind(address).expect("the same port"));
        let early = drain_at(&site, &sender, t0 + 1);
        assert_eq!(early, DrainSummary::default(), "the retry waits its delay");
        assert!(lrs.received().is_empty());
        let up = drain_at(&site, &sender, t0 + 60);
        assert_eq!(up.sent, 3, "{}", site.db.name);
        assert_eq!(drain_at(&site, &sender, t0 + 3600), DrainSummary::default());
        let received = lrs.received();
        let verbs: Vec<&str> = received.iter().map(|r| verb(&r.statement)).collect();
        assert_eq!(verbs.len(), 3, "each statement once: {verbs:?}");
        assert_eq!(verbs[1], "voided", "{verbs:?}");
        assert_eq!(
            received[1].statement["object"]["id"],
            received[0].statement_id.as_str()
        );
        let ids: std::collections::BTreeSet<&str> =
            received.iter().map(|r| r.statement_id.as_str()).collect();
        assert_eq!(ids.len(), 3, "no statement twice");
    }
}

#[test]
fn a_refused_statement_is_kept_failed_with_the_lrs_answer_and_retried_by_hand() {
    for site in sites() {
        let lrs = FakeLrs::start();
        lrs.set_mode(Mode::Refuse);
        let sender = LrsSender::new(lrs.config(), RetryPolicy::default());
        review(&site, "reviewer", &site.shared_session, "na", false);
        let now = 2_000_000_000;
        let refused = drain_at(&site, &sender, now);
        assert_eq!(refused.failed, 1, "{}", site.db.name);
        assert_eq!(
            drain_at(&site, &sender, now + 3600),
            DrainSummary::default(),
            "a refused statement is not tried again by itself"
        );

        let mut lead = site.log_in("lead");
        let page = site.get(&mut lead, "/exports");
        assert!(page.body.contains("Learning record store"), "{}", page.body);
        assert!(page.body.contains("1</strong> failed"), "{}", page.body);
        assert!(page.body.contains(&format!("HTTP 400: {REFUSAL}")));
        assert!(!page.body.contains("s3cret"), "no credentials on the page");
        let mut trainer = site.log_in("trainer");
        let theirs = site.get(&mut trainer, "/exports");
        assert!(!theirs.body.contains("Learning record store"));

        let retried = site.post(
            &mut lead,
            "/exports/outbox/retry",
            &[("csrf", &page.csrf())],
        );
        assert_eq!(retried.status, StatusCode::SEE_OTHER);
        let audit = retries_audited(&site);
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor, "lead");

        // The LRS took it meanwhile (say, through another sender): a duplicate counts as sent.
        lrs.set_mode(Mode::Duplicate);
        assert_eq!(drain_at(&site, &sender, now + 7200).sent, 1);
        let entries = site.db.open().outbox_entries(100).expect("outbox");
        assert_eq!(entries[0].state, OutboxState::Sent);
        assert!(
            entries[0]
                .last_answer
                .as_deref()
                .is_some_and(|a| a.starts_with("already stored (HTTP 409")),
            "{:?}",
            entries[0].last_answer
        );
        assert!(
            lrs.received()
                .iter()
                .all(|r| r.authorization.as_deref() == Some(AUTH_HEADER))
        );
    }
}

#[test]
fn two_senders_over_one_database_never_send_a_statement_twice() {
    for db in backends() {
        let site = Site::new(db);
        let mut store = site.db.open();
        let sessions: Vec<String> = store
            .summaries(&rapport::store::Filter::default())
            .expect("sessions")
            .into_iter()
            .map(|s| s.session_id)
            .filter(|id| *id != site.hostile_session)
            .take(8)
            .collect();
        for session in &sessions {
            review(&site, "admin", session, "na", false);
            review(&site, "lead", session, "lowest", true);
        }
        let queued = store.outbox_counts().expect("counts").pending;
        assert_eq!(queued, 3 * sessions.len() as i64, "{}", site.db.name);
        let lrs = FakeLrs::start();
        std::thread::scope(|scope| {
            for _ in 0..2 {
                let config = lrs.config();
                let url = site.db.url.clone();
                scope.spawn(move || {
                    let sender = LrsSender::new(config, RetryPolicy::default());
                    let mut store = rapport::store::Store::open(Some(&url)).expect("open");
                    // Both drain until the queue is empty, claiming side by side.
                    for _ in 0..1000 {
                        if store.outbox_counts().expect("counts").pending == 0 {
                            break;
                        }
                        let now = jiff::Timestamp::now().as_second();
                        sender.drain(&mut store, &|| now).expect("drain");
                    }
                });
            }
        });
        let received = lrs.received();
        let ids: std::collections::BTreeSet<&str> =
            received.iter().map(|r| r.statement_id.as_str()).collect();
        assert_eq!(
            received.len() as i64,
            queued,
            "{}: every one sent once",
            site.db.name
        );
        assert_eq!(ids.len(), received.len(), "none twice");
        assert_eq!(store.outbox_counts().expect("counts").sent, queued);
    }
}

#[test]
fn the_credentials_are_shown_nowhere() {
    let lrs = FakeLrs::start();
    let site = Site::with_lrs(crate::util::sqlite_db(), fast_settings(lrs.config()));
    let state = site.state_for_tests();
    let lines = rapport::serve::startup_lines(&state).expect("start-up lines");
    let text = lines.join("\n");
    assert!(text.contains("/xapi/statements"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(!format!("{:?}", state.config).contains("s3cret"));
}

/// Runs `rapport` with `args` over the site's database, the credentials in the environment.
fn rapport_with_credentials(site: &Site, args: &[&str]) -> (i32, String, String) {
    let dir = crate::util::temp();
    let output = crate::util::rapport_command(dir.path())
        .args(args)
        .env("RAPPORT_DB", &site.db.url)
        .env("RAPPORT_LRS_AUTH", AUTH)
        .output()
        .expect("rapport runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_sends_the_outbox_once_lists_it_and_retries_refusals() {
    let site = Site::new(crate::util::sqlite_db());
    review(&site, "reviewer", &site.shared_session, "na", false);
    let lrs = FakeLrs::start();
    lrs.set_mode(Mode::Refuse);
    let send = ["xapi", "send", "--lrs-url", lrs.endpoint.as_str()];
    let (code, out, err) = rapport_with_credentials(&site, &send);
    assert_eq!(code, 1, "a refusal fails the run: {err}");
    assert!(err.contains("refused 1"), "{err}");
    assert!(!format!("{out}{err}").contains("s3cret"), "{out}{err}");

    let (code, out, _) = rapport_with_credentials(&site, &["xapi", "outbox", "--format", "json"]);
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(listed["counts"]["failed"], 1);
    assert_eq!(listed["statements"][0]["state"], "failed");
    assert_eq!(
        listed["statements"][0]["last_answer"],
        format!("HTTP 400: {REFUSAL}")
    );

    let (code, _, err) = rapport_with_credentials(&site, &["xapi", "retry", "--all"]);
    assert_eq!(code, 0, "{err}");
    lrs.set_mode(Mode::Store);
    let (code, _, err) = rapport_with_credentials(&site, &send);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("sent 1"), "{err}");
    let (code, _, err) = rapport_with_credentials(&site, &["xapi", "retry", "--all"]);
    assert_eq!(code, 1, "nothing left to retry: {err}");
    assert_eq!(lrs.received().len(), 2, "refused once, then sent");
    let audit = retries_audited(&site);
    assert_eq!(audit.len(), 1);
    assert!(audit[0].actor.starts_with("cli:"), "{}", audit[0].actor);
}

#[test]
fn an_accepted_dispute_and_a_retraction_queue_their_statements_too() {
    for site in sites() {
        let session = site.ana_session.clone();
        let criterion = site.first_criterion(&session);
        let mut ana = site.log_in("ana");
        let page = site.get(&mut ana, &format!("/sessions/{session}"));
        let raised = site.post(
            &mut ana,
            &format!("/sessions/{session}/disputes"),
            &[
                ("csrf", &page.csrf()),
                ("criterion", &criterion),
                ("reason", "I did apologise"),
            ],
        );
        assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
        let mut lead = site.log_in("lead");
        site.accept_first_dispute(&mut lead, "Agreed");

        let mut store = site.db.open();
        let after_dispute = store.outbox_entries(100).expect("outbox");
        assert_eq!(
            after_dispute.len(),
            1,
            "{}: the rescored session's statement",
            site.db.name
        );
        let review_id = store
            .load_sessions(std::slice::from_ref(&session))
            .expect("load")[0]
            .reviews[0]
            .id;
        let dir = crate::util::temp();
        let retract = crate::util::rapport_command(dir.path())
            .env("RAPPORT_DB", &site.db.url)
            .args(["review", &session, "--retract", &review_id.to_string()])
            .args([
                "--reason",
                "decided on the wrong call",
                "--reviewer",
                "lead",
            ])
            .output()
            .expect("rapport runs");
        assert!(
            retract.status.success(),
            "{}",
            String::from_utf8_lossy(&retract.stderr)
        );
        let mut entries = store.outbox_entries(100).expect("outbox");
        entries.sort_by_key(|e| e.id);
        let kinds: Vec<&str> = entries.iter().map(|e| e.kind.label()).collect();
        assert_eq!(kinds, ["score", "void", "score"], "{}", site.db.name);
        assert_eq!(
            entries[1].voids.as_deref(),
            Some(entries[0].statement_id.as_str())
        );
    }
}
