//! `rapport serve` driven in-process, as a browser would: a site with one account per role and stored sessions (some hostile), requests through the real router with cookies and forms.

mod browser;
mod calibration;
mod load;
mod lrs;
mod pages;
mod routes;
mod security;

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use tower::ServiceExt as _;

use crate::util::{TestDb, backends, sample};
use rapport::report::review::CriterionRating;
use rapport::serve::app::router;
use rapport::serve::config::ServeConfig;
use rapport::serve::lrs_sender::LrsSettings;
use rapport::team::queues::Sampling;
use rapport::team::{Actor, NewUser, Role, Team};
use rapport::transcript::{Transcript, expected_session_id};

/// Every account's password in the tests.
pub const PASSWORD: &str = "correct horse battery staple";

/// The hostile text planted in a reply, a name and a comment: none of it may run or form a tag.
pub const SCRIPT_PAYLOAD: &str = "<script>alert('xss')</script>";
pub const ONERROR_PAYLOAD: &str = "<img src=x onerror=alert(1)>";
pub const FORMULA_PAYLOAD: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

/// The trainee name of the hostile session, stored as it came.
pub fn hostile_trainee() -> String {
    format!("{FORMULA_PAYLOAD}{ONERROR_PAYLOAD}")
}

/// The accounts of the site, one per role, plus a second trainee.
pub const ACCOUNTS: [(&str, Role); 6] = [
    ("admin", Role::Admin),
    ("lead", Role::QaLead),
    ("reviewer", Role::Reviewer),
    ("trainer", Role::Trainer),
    ("ana", Role::Trainee),
    ("ben", Role::Trainee),
];

/// A running site over one test database.
pub struct Site {
    pub db: TestDb,
    /// A copy of the shipped scenario library that trainers publish into.
    pub library: tempfile::TempDir,
    app: Router,
    state: rapport::serve::app::AppState,
    runtime: tokio::runtime::Runtime,
    /// A session of `ana`.
    pub ana_session: String,
    /// A session of `ben`.
    pub ben_session: String,
    /// A session shared with `reviewer` (ben's second).
    pub shared_session: String,
    /// The session with the hostile reply and trainee name.
    pub hostile_session: String,
    /// A blind calibration of the shared session, rated by `reviewer` and `lead`, not revealed.
    pub calibration: i64,
    /// The same calibration, rated by both and revealed.
    pub revealed_calibration: i64,
    /// A sampling rule (every failed call).
    pub rule: i64,
    /// A queue item of the hostile session, assigned to `admin`.
    pub queue_item: i64,
}

/// One answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `Set-Cookie` headers.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The value of the hidden `csrf` field of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("the page has a CSRF field");
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').expect("closed")].to_owned()
    }
}

/// A browser's cookies.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    /// Keeps the cookies an answer sets (an empty value removes one).
    pub fn take_cookies(&mut self, answer: &Answer) {
        for line in answer.set_cookies() {
            let pair = line.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A copy of a stored run with a hostile trainee name and a hostile reply, under its own id.
fn hostile_copy(transcript: &Transcript) -> Transcript {
    let mut transcript = transcript.clone();
    transcript.header.trainee = hostile_trainee();
    transcript.header.nonce = Some("hostile".to_owned());
    transcript.header.session_id = expected_session_id(&transcript.header);
    for turn in &mut transcript.turns {
        for timed in &mut turn.events {
            if let rapport::engine::Event::TraineeReplied { text, .. }
            | rapport::engine::Event::TraineeChose { text, .. } = &mut timed.event
            {
                *text = format!("{SCRIPT_PAYLOAD} I'm so sorry {ONERROR_PAYLOAD}").into();
            }
        }
    }
    transcript
}

impl Site {
    /// A site over `db`: the accounts, twelve sample sessions of ana and ben, the hostile one,
    /// and one of ben's sessions shared with the reviewer.
    pub fn new(db: TestDb) -> Site {
        Site::with_config(db, None)
    }

    /// The same, with the public base URL given (https:// makes cookies Secure).
    pub fn with_config(db: TestDb, base_url: Option<&str>) -> Site {
        Site::build(db, base_url, None)
    }

    /// The same, sending reviewed scores to a learning record store once it listens.
    pub fn with_lrs(db: TestDb, lrs: LrsSettings) -> Site {
        Site::build(db, None, Some(lrs))
    }

    fn build(db: TestDb, base_url: Option<&str>, lrs: Option<LrsSettings>) -> Site {
        let mut config = ServeConfig::new(
            "127.0.0.1:0",
            Some(db.url.clone()),
            base_url,
            None,
            None,
            false,
        )
        .expect("config");
        let library = crate::util::temp();
        for entry in std::fs::read_dir(crate::util::crate_path("scenarios")).expect("scenarios") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ron") {
                std::fs::copy(&path, library.path().join(path.file_name().expect("name")))
                    .expect("copy a scenario");
            }
        }
        config.library = library.path().to_path_buf();
        config.lrs = lrs;
        let state = rapport::serve::prepare(config).expect("the site opens");
        let mut store = db.open();
        let runs = &sample()[..12];
        let mut ana = Vec::new();
        let mut ben = Vec::new();
        for (index, run) in runs.iter().enumerate() {
            let mut transcript = run.transcript.clone();
            transcript.header.trainee = if index % 2 == 0 { "ana" } else { "ben" }.to_owned();
            transcript.header.session_id = expected_session_id(&transcript.header);
            store
                .save_session(&transcript, &run.scorecard)
                .expect("store a session");
            if index % 2 == 0 {
                ana.push(transcript.header.session_id.clone());
            } else {
                ben.push(transcript.header.session_id.clone());
            }
        }
        let hostile = hostile_copy(&runs[0].transcript);
        store
            .save_session(&hostile, &runs[0].scorecard)
            .expect("store the hostile session");
        let mut team = Team::new(&mut store);
        let actor = Actor::command_line();
        let mut lead = None;
        for (login, role) in ACCOUNTS {
            let user = team
                .create_user(
                    &actor,
                    &NewUser {
                        login,
                        display_name: None,
                        role,
                        trainee: None,
                        password: PASSWORD,
                    },
                )
                .expect("create an account");
            if role == Role::QaLead {
                lead = Some(user);
            }
        }
        let lead = lead.expect("a lead");
        team.share_session(&lead, &ben[1], "reviewer")
            .expect("share a session");
        let calibration = new_calibration(&mut team, &lead, &ben[1]);
        let revealed_calibration = new_calibration(&mut team, &lead, &ben[1]);
        let criteria: Vec<CriterionRating> = runs[1]
            .scorecard
            .criteria
            .iter()
            .enumerate()
            .map(|(index, c)| CriterionRating {
                criterion: c.id.to_string(),
                rating: c.rating.filter(|_| index % 3 != 0),
                comment: String::new(),
            })
            .collect();
        for login in ["reviewer", "lead"] {
            let rater = team
                .user_by_login(login)
                .expect("read")
                .expect("an account");
            team.rate_in_calibration(&rater, revealed_calibration, &ben[1], &criteria)
                .expect("rate blind");
        }
        team.reveal_calibration(&lead, revealed_calibration)
            .expect("reveal");
        let rule = team
            .add_queue_rule(&lead, Sampling::AllFailed, 7, None)
            .expect("a sampling rule")
            .id;
        let queue_item = team
            .queue_for(&lead, &hostile.header.session_id, "admin", "by hand")
            .expect("queue a session")
            .id;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Site {
            db,
            library,
            app: router(state.clone()),
            state,
            runtime,
            ana_session: ana[0].clone(),
            ben_session: ben[0].clone(),
            shared_session: ben[1].clone(),
            hostile_session: hostile.header.session_id.clone(),
            calibration,
            revealed_calibration,
            rule,
            queue_item,
        }
    }

    /// Sends one request as `browser` (keeping the cookies it is given).
    pub fn send(
        &self,
        browser: &mut Browser,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        self.send_with(&self.app, browser, method, path, form)
    }

    fn send_with(
        &self,
        app: &Router,
        browser: &mut Browser,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        let cookies = browser.header();
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies);
        }
        let body = match form {
            Some(fields) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                )
            }
            None => Body::empty(),
        };
        let request = request.body(body).expect("request");
        let answer = self.runtime.block_on(async {
            let response = app.clone().oneshot(request).await.expect("answered");
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            Answer {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        });
        browser.take_cookies(&answer);
        answer
    }

    /// Starts the site on a loopback port, as `rapport serve` would; its base URL. It stops
    /// when the site is dropped.
    pub fn listen(&self) -> String {
        let state = self.state.clone();
        self.runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            let address = listener.local_addr().expect("its address");
            tokio::spawn(rapport::serve::serve_on(
                state,
                listener,
                std::future::pending(),
            ));
            format!("http://{address}")
        })
    }

    /// Another server process over the same database, sharing nothing with this one but it.
    pub fn second_process(&self) -> Site2 {
        let config = ServeConfig::new(
            "127.0.0.1:0",
            Some(self.db.url.clone()),
            None,
            None,
            None,
            false,
        )
        .expect("config");
        Site2 {
            app: router(rapport::serve::prepare(config).expect("the second process opens")),
        }
    }

    /// Sends a request to another process's router, as a load balancer would.
    pub fn send_to(&self, other: &Site2, browser: &mut Browser, path: &str) -> Answer {
        self.send_with(&other.app, browser, Method::GET, path, None)
    }

    /// The site's state, its last holder once the site is dropped.
    pub fn state_for_tests(self) -> rapport::serve::app::AppState {
        let Site { state, runtime, .. } = self;
        // The site's own runtime ends first, so that the state handed back is the last handle.
        runtime.shutdown_timeout(Duration::from_secs(5));
        state
    }

    /// Runs a future on the site's runtime (the browser test's WebDriver client).
    pub fn block_on<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    pub fn get(&self, browser: &mut Browser, path: &str) -> Answer {
        self.send(browser, Method::GET, path, None)
    }

    pub fn post(&self, browser: &mut Browser, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(browser, Method::POST, path, Some(form))
    }

    /// Logs in through the login form; panics unless it succeeds.
    pub fn log_in(&self, login: &str) -> Browser {
        let mut browser = Browser::default();
        let answer = self.try_log_in(&mut browser, login, PASSWORD);
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{login}: {}",
            answer.body
        );
        browser
    }

    /// Opens the login page and sends the form.
    pub fn try_log_in(&self, browser: &mut Browser, login: &str, password: &str) -> Answer {
        let page = self.get(browser, "/login");
        let csrf = page.csrf();
        self.post(
            browser,
            "/login",
            &[("csrf", &csrf), ("login", login), ("password", password)],
        )
    }

    /// The lead accepts the first open dispute on the disputes page with this reply (N/A as the
    /// new rating), asserting the decision went through; returns the page the lead decided on.
    pub fn accept_first_dispute(&self, lead: &mut Browser, reply: &str) -> Answer {
        let open = self.get(lead, "/disputes");
        let action = open
            .body
            .split("action=\"/disputes/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a decide form")
            .to_owned();
        let decided = self.post(
            lead,
            &format!("/disputes/{action}"),
            &[
                ("csrf", &open.csrf()),
                ("decision", "accept"),
                ("reply", reply),
                ("rating", "na"),
            ],
        );
        assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
        open
    }

    /// The first criterion of a stored session's scorecard.
    pub fn first_criterion(&self, session_id: &str) -> String {
        let mut store = self.db.open();
        let sessions = store.load_sessions(&[session_id.to_owned()]).expect("load");
        sessions[0].scorecard.criteria[0].id.to_string()
    }

    /// The session ids a page links to.
    pub fn linked_sessions(&self, page: &Answer) -> Vec<String> {
        page.body
            .match_indices("href=\"/sessions/")
            .map(|(at, m)| {
                let rest = &page.body[at + m.len()..];
                rest[..rest.find(['"', '/', '#']).unwrap_or(rest.len())].to_owned()
            })
            .collect()
    }
}

/// A blind calibration of one session by `reviewer` and `lead`, started by the lead.
pub fn new_calibration(team: &mut Team<'_>, lead: &rapport::team::User, session: &str) -> i64 {
    team.create_calibration(
        lead,
        "fixture",
        &[session.to_owned()],
        &["reviewer".to_owned(), "lead".to_owned()],
    )
    .expect("a calibration")
    .id
}

/// A second server process over a site's database.
pub struct Site2 {
    app: Router,
}

/// The sites the security tests run on: SQLite always, PostgreSQL when `RAPPORT_TEST_POSTGRES` is set.
pub fn sites() -> Vec<Site> {
    backends().into_iter().map(Site::new).collect()
}

/// One site over SQLite, shared by tests that only read.
pub fn shared_sqlite_site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| Site::new(crate::util::sqlite_db()))
}
