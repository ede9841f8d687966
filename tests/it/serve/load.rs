//! A load run of the team server on loopback: many signed-in QA leads browsing the dashboard, the session list and sessions, and saving whole-card reviews, for a while; it reports the page times and checks that nothing failed and every review was counted.
//!
//! In the normal suite it is a short run (20 users for 3 seconds) that checks no request fails and
//! no review is lost under concurrent users; page times are reported, never asserted (speed goals
//! are measured, not timed in tests). The acceptance run is the same test, told to run longer:
//! `RAPPORT_LOAD_USERS=200 RAPPORT_LOAD_SECS=60 RAPPORT_TEST_POSTGRES=postgres://… cargo test --release --test it serve::load -- --nocapture`.
//! `RAPPORT_LOAD_THINK_MS` sets how long a user reads a page before the next (spread evenly
//! between half and one and a half times it; 0, the default, asks for the next page at once,
//! which measures the server saturated rather than people using it).
//! Figures measured are in docs/team-server.md.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::{PASSWORD, Site, sample};
use rapport::team::{LoginRequest, Team};
use rapport::transcript::expected_session_id;

/// The pages one virtual user visits in turn; every `REVIEW_EVERY`-th turn also saves a review.
const PAGES: [&str; 3] = ["/dashboard", "/sessions", "/sessions/{id}"];
const REVIEW_EVERY: usize = 4;

/// How long user `user` reads before request number `request`: between half and one and a half
/// times `think`, spread so that users do not ask in step.
fn think_time(think: Duration, user: usize, request: usize) -> Duration {
    let spread = (user.wrapping_mul(7919) ^ request.wrapping_mul(104_729)) % 1000;
    think.mul_f64(0.5 + spread as f64 / 1000.0)
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One request's outcome.
struct Timed {
    /// The page asked for, as in [`PAGES`], or the review form and its saving.
    page: &'static str,
    elapsed: Duration,
    ok: bool,
}

async fn fetch(
    client: &Client<HttpConnector, Body>,
    base: &str,
    token: &str,
    method: Method,
    path: &str,
    form: Option<String>,
) -> (StatusCode, String, Duration) {
    let start = Instant::now();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header(header::COOKIE, format!("rapport_session={token}"));
    let body = match form {
        Some(form) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(form)
        }
        None => Body::empty(),
    };
    let Ok(response) = client.request(request.body(body).expect("request")).await else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            String::new(),
            start.elapsed(),
        );
    };
    let status = response.status();
    let bytes = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX)
        .await
        .unwrap_or_default();
    (
        status,
        String::from_utf8_lossy(&bytes).into_owned(),
        start.elapsed(),
    )
}

/// The whole card of a review page, every criterion N/A.
fn review_form(page: &str, csrf: &str) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    let mut seen = std::collections::BTreeSet::new();
    for chunk in page.split("name=\"rating.").skip(1) {
        let name = format!("rating.{}", chunk.split('"').next().unwrap_or(""));
        if seen.insert(name.clone()) {
            serializer.append_pair(&name, "na");
        }
    }
    serializer.append_pair("csrf", csrf);
    serializer.finish()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[test]
fn many_leads_browse_and_review_at_once_with_no_error_and_nothing_lost() {
    let users = setting("RAPPORT_LOAD_USERS", 20) as usize;
    let run_for = Duration::from_secs(setting("RAPPORT_LOAD_SECS", 3));
    let think = Duration::from_millis(setting("RAPPORT_LOAD_THINK_MS", 0));
    let db = crate::util::postgres_db().unwrap_or_else(crate::util::sqlite_db);
    let backend = db.name;
    let site = Site::new(db);
    // Sixty sessions, so reviewers rarely rate the same one at the same moment.
    let mut store = site.db.open();
    let mut ids = vec![
        site.ana_session.clone(),
        site.ben_session.clone(),
        site.shared_session.clone(),
    ];
    for (index, run) in sample().iter().enumerate().skip(12) {
        let mut transcript = run.transcript.clone();
        transcript.header.trainee = format!("load-{}", index % 7);
        transcript.header.session_id = expected_session_id(&transcript.header);
        store
            .save_session(&transcript, &run.scorecard)
            .expect("store");
        ids.push(transcript.header.session_id.clone());
    }
    let tokens: Vec<(String, String)> = (0..users)
        .map(|user| {
            let opened = Team::new(&mut store)
                .login(&LoginRequest {
                    login: "lead",
                    password: PASSWORD,
                    client: &format!("10.0.{}.{}", user / 250, user % 250),
                    previous_token: None,
                })
                .expect("a lead logs in");
            (opened.token, opened.session.csrf_token)
        })
        .collect();
    let reviews_before = count_reviews(&mut store);
    let base = site.listen();
    let (timings, reviews_saved) = site.block_on(async {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client: Client<HttpConnector, Body> =
            Client::builder(TokioExecutor::new()).build(connector);
        let deadline = Instant::now() + run_for;
        let mut tasks = Vec::new();
        for (user, (token, csrf)) in tokens.into_iter().enumerate() {
            let (client, base, ids) = (client.clone(), base.clone(), ids.clone());
            tasks.push(tokio::spawn(async move {
                let mut timings = Vec::new();
                let mut saved = 0usize;
                let mut turn = user;
                let mut requests = 0usize;
                // Each user arrives at their own moment within the first think time.
                tokio::time::sleep(think_time(think, user, 0).mul_f64(0.5)).await;
                while Instant::now() < deadline {
                    let id = &ids[turn % ids.len()];
                    for page in PAGES {
                        requests += 1;
                        tokio::time::sleep(think_time(think, user, requests)).await;
                        let path = page.replace("{id}", id);
                        let (status, _, elapsed) =
                            fetch(&client, &base, &token, Method::GET, &path, None).await;
                        timings.push(Timed {
                            page,
                            elapsed,
                            ok: status == StatusCode::OK,
                        });
                    }
                    if turn % REVIEW_EVERY == 0 {
                        requests += 1;
                        tokio::time::sleep(think_time(think, user, requests)).await;
                        let path = format!("/sessions/{id}/review");
                        let (status, page, elapsed) =
                            fetch(&client, &base, &token, Method::GET, &path, None).await;
                        timings.push(Timed {
                            page: "GET /sessions/{id}/review",
                            elapsed,
                            ok: status == StatusCode::OK,
                        });
                        let form = review_form(&page, &csrf);
                        // Filling the card in takes a while too.
                        requests += 1;
                        tokio::time::sleep(think_time(think, user, requests)).await;
                        let (status, _, elapsed) =
                            fetch(&client, &base, &token, Method::POST, &path, Some(form)).await;
                        let ok = status == StatusCode::SEE_OTHER;
                        saved += usize::from(ok);
                        timings.push(Timed {
                            page: "POST /sessions/{id}/review",
                            elapsed,
                            ok,
                        });
                    }
                    turn += 1;
                }
                (timings, saved)
            }));
        }
        let mut all = Vec::new();
        let mut saved = 0;
        for task in tasks {
            let (timings, count) = task.await.expect("a virtual user");
            all.extend(timings);
            saved += count;
        }
        (all, saved)
    });
    let errors = timings.iter().filter(|t| !t.ok).count();
    let mut times: Vec<Duration> = timings.iter().map(|t| t.elapsed).collect();
    times.sort();
    let criteria = sample()[0].scorecard.criteria.len();
    let counted = count_reviews(&mut store) - reviews_before;
    eprintln!(
        "load on {backend}: {users} users for {:?}, thinking {think:?} a page: {} requests ({:.0}/s), {errors} errors, p50 {:?}, p95 {:?}, p99 {:?}, max {:?}; {reviews_saved} whole cards saved, {counted} review rows counted ({} expected)",
        run_for,
        times.len(),
        times.len() as f64 / run_for.as_secs_f64(),
        percentile(&times, 50.0),
        percentile(&times, 95.0),
        percentile(&times, 99.0),
        times.last().copied().unwrap_or_default(),
        reviews_saved * criteria,
    );
    let mut pages: Vec<&str> = timings.iter().map(|t| t.page).collect();
    pages.sort_unstable();
    pages.dedup();
    for page in pages {
        let mut times: Vec<Duration> = timings
            .iter()
            .filter(|t| t.page == page)
            .map(|t| t.elapsed)
            .collect();
        times.sort();
        eprintln!(
            "  {page}: {} requests, p50 {:?}, p95 {:?}, p99 {:?}",
            times.len(),
            percentile(&times, 50.0),
            percentile(&times, 95.0),
            percentile(&times, 99.0),
        );
    }
    assert_eq!(errors, 0, "every request answered as expected");
    assert!(reviews_saved > 0, "the run saved reviews to count");
    assert_eq!(
        counted,
        reviews_saved * criteria,
        "every saved review is counted"
    );
}

fn count_reviews(store: &mut rapport::store::Store) -> usize {
    store
        .reviews(&rapport::store::Filter::default())
        .expect("reviews")
        .len()
}
