//! The results store suite: run against SQLite always, and against PostgreSQL when `RAPPORT_TEST_POSTGRES` holds a URL.
//!
//! CI starts a server with `scripts/start-test-postgres.sh` and exports the URL it prints.

use std::collections::BTreeMap;
use std::sync::Arc;

use rapport::report::calibration::calibrate;
use rapport::report::review::{ReviewError, ReviewRequest, review_session};
use rapport::report::{GroupBy, Period, ReportOptions, build_report, html, load_recent};
use rapport::runner::{Examiner, RunResult};
use rapport::scenario::Dimension;
use rapport::scoring::Rubric;
use rapport::store::{Filter, Saved, SessionRecord, SqliteStore, Store, StoreError};

use super::util::{backends, latest_schema_version, sample, sqlite_db};

fn save_all(store: &mut Store, runs: &[RunResult]) -> Vec<Saved> {
    runs.iter()
        .map(|run| {
            store
                .save_session(&run.transcript, &run.scorecard)
                .expect("save")
        })
        .collect()
}

fn options(filter: Filter) -> ReportOptions {
    ReportOptions {
        filter,
        dimension: None,
        group_by: GroupBy::Trainee,
        period: Period::Week,
        recent: 5,
    }
}

#[test]
fn saving_twice_changes_nothing() {
    for db in backends() {
        let mut store = db.open();
        assert_eq!(
            store.schema_version().expect("version"),
            latest_schema_version(&db),
            "{}",
            db.name
        );
        let first = save_all(&mut store, sample());
        assert!(first.iter().all(|s| *s == Saved::Added), "{}", db.name);
        let second = save_all(&mut store, sample());
        assert!(
            second.iter().all(|s| *s == Saved::AlreadyStored),
            "{}",
            db.name
        );
        let stored = store.summaries(&Filter::default()).expect("summaries");
        assert_eq!(stored.len(), sample().len(), "{}", db.name);
        // Reopening migrates nothing and keeps everything.
        drop(store);
        let mut again = db.open();
        assert_eq!(
            again
                .summaries(&Filter::default())
                .expect("summaries")
                .len(),
            sample().len(),
            "{}",
            db.name
        );
    }
}

#[test]
fn stored_sessions_read_back_whole() {
    for db in backends() {
        let mut store = db.open();
        save_all(&mut store, &sample()[..3]);
        let id = sample()[1].transcript.header.session_id.clone();
        let loaded = store
            .load_sessions(std::slice::from_ref(&id))
            .expect("load");
        assert_eq!(loaded.len(), 1, "{}", db.name);
        assert_eq!(loaded[0].transcript, sample()[1].transcript, "{}", db.name);
        assert_eq!(loaded[0].scorecard, sample()[1].scorecard, "{}", db.name);
        assert_eq!(
            store.resolve_session(&id[..10]).expect("prefix"),
            id,
            "{}",
            db.name
        );
        assert!(
            matches!(
                store.resolve_session("zzzz"),
                Err(StoreError::NoSuchSession { .. })
            ),
            "{}",
            db.name
        );
    }
}

#[test]
fn concurrent_writers_lose_nothing() {
    const WRITERS: usize = 4;
    for db in backends() {
        // Create the schema first, as the first `rapport play` would.
        drop(db.open());
        let runs = Arc::new(sample().to_vec());
        let url = Arc::new(db.url.clone());
        let handles: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (runs, url) = (Arc::clone(&runs), Arc::clone(&url));
                std::thread::spawn(move || {
                    let mut store = Store::open(Some(&url)).expect("open");
                    let mut added = 0;
                    // Each writer saves its share, and every writer also saves the first ten (duplicates race).
                    for (index, run) in runs.iter().enumerate() {
                        if (index % WRITERS == writer || index < 10)
                            && store
                                .save_session(&run.transcript, &run.scorecard)
                                .expect("save")
                                == Saved::Added
                        {
                            added += 1;
                        }
                    }
                    added
                })
            })
            .collect();
        let added: usize = handles.into_iter().map(|h| h.join().expect("writer")).sum();
        assert_eq!(
            added,
            sample().len(),
            "{}: every session added exactly once",
            db.name
        );
        let mut store = db.open();
        assert_eq!(
            store
                .summaries(&Filter::default())
                .expect("summaries")
                .len(),
            sample().len(),
            "{}",
            db.name
        );
    }
}

#[test]
fn reports_filter_group_and_trend() {
    for db in backends() {
        let mut store = db.open();
        save_all(&mut store, sample());
        store.set_team("trainee-01", "north").expect("team");
        store.set_team("trainee-02", "north").expect("team");
        store.set_team("trainee-03", "south").expect("team");

        let all =
            build_report(&mut store, &options(Filter::default()), &mut |_| {}).expect("report");
        assert_eq!(all.totals.sessions, sample().len(), "{}", db.name);
        assert_eq!(
            all.groups.iter().map(|g| g.sessions).sum::<usize>(),
            sample().len(),
            "{}",
            db.name
        );
        let mean =
            sample().iter().map(|r| r.scorecard.overall).sum::<f64>() / sample().len() as f64;
        assert!(
            (all.totals.iqs - mean).abs() < 1e-9,
            "{}: IQS is the mean of session scores",
            db.name
        );
        let passed =
            sample().iter().filter(|r| r.scorecard.passed).count() as f64 / sample().len() as f64;
        assert!((all.totals.pass_rate - passed).abs() < 1e-9, "{}", db.name);
        assert!(
            all.trend[0].points.len() >= 3,
            "{}: three weeks of trend",
            db.name
        );
        assert_eq!(
            all.weakest.len(),
            8,
            "{}: weakest criteria for each trainee",
            db.name
        );
        assert!(
            all.weakest
                .iter()
                .all(|w| !w.criteria.is_empty() && w.criteria.len() <= 3),
            "{}",
            db.name
        );
        assert_eq!(all.recent.len(), 5, "{}", db.name);

        let north = build_report(
            &mut store,
            &options(Filter {
                teams: vec!["north".into()],
                ..Filter::default()
            }),
            &mut |_| {},
        )
        .expect("report");
        let expected = sample()
            .iter()
            .filter(|r| {
                ["trainee-01", "trainee-02"].contains(&r.transcript.header.trainee.as_str())
            })
            .count();
        assert_eq!(north.totals.sessions, expected, "{}: team filter", db.name);

        let one = build_report(
            &mut store,
            &options(Filter {
                trainees: vec!["trainee-03".into()],
                ..Filter::default()
            }),
            &mut |_| {},
        )
        .expect("report");
        assert!(
            one.recent
                .iter()
                .all(|s| s.trainee == "trainee-03" && s.team.as_deref() == Some("south")),
            "{}",
            db.name
        );

        let scenario = sample()[0].transcript.header.scenario_id.clone();
        let by_scenario = build_report(
            &mut store,
            &options(Filter {
                scenarios: vec![scenario.clone()],
                ..Filter::default()
            }),
            &mut |_| {},
        )
        .expect("report");
        assert!(
            by_scenario.totals.sessions > 0
                && by_scenario.recent.iter().all(|s| s.scenario_id == scenario),
            "{}",
            db.name
        );

        let first = sample()[0]
            .transcript
            .header
            .started_at
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_second();
        let week = Filter {
            since: Some(first),
            until: Some(first + 7 * 86_400),
            ..Filter::default()
        };
        let in_week = build_report(&mut store, &options(week), &mut |_| {}).expect("report");
        assert_eq!(
            in_week.totals.sessions, 21,
            "{}: 8-hourly sessions in one week",
            db.name
        );

        let mut empathy = options(Filter::default());
        empathy.dimension = Some(Dimension::Empathy);
        let only = build_report(&mut store, &empathy, &mut |_| {}).expect("report");
        assert_eq!(only.dimensions.len(), 1, "{}", db.name);
        assert!(
            only.weakest
                .iter()
                .flat_map(|w| &w.criteria)
                .all(|c| c.dimension == "empathy"),
            "{}",
            db.name
        );
    }
}

/// The rubric of the sample sessions.
fn rubric() -> Rubric {
    (*Examiner::shipped().rubric).clone()
}

fn request(session: &str, criterion: &str, rating: Option<i32>, reviewer: &str) -> ReviewRequest {
    ReviewRequest::one(
        session,
        criterion,
        rating,
        &format!("{reviewer} says so"),
        reviewer,
    )
}

#[test]
fn reviews_change_final_scores_and_feed_calibration() {
    for db in backends() {
        let mut store = db.open();
        save_all(&mut store, &sample()[..6]);
        let run = &sample()[0];
        let id = run.transcript.header.session_id.clone();
        let card = &run.scorecard;
        // A rated criterion whose rating can go down to its minimum.
        let criterion = card
            .criteria
            .iter()
            .find(|c| c.rating.is_some_and(|r| r > c.min))
            .expect("a criterion above its minimum");
        let lookup = |_: &rapport::store::StoredSession| -> Result<Rubric, String> { Ok(rubric()) };
        let outcome = review_session(
            &mut store,
            &request(&id[..8], &criterion.id, Some(criterion.min), "dana"),
            "2026-02-01T10:00:00Z",
            &lookup,
        )
        .expect("review");
        assert_eq!(
            outcome.ratings[0].machine_rating, criterion.rating,
            "{}",
            db.name
        );
        assert!(
            outcome.reviewed_overall < outcome.machine_overall || outcome.reviewed_overall == 0.0,
            "{}",
            db.name
        );

        let summary = store
            .summaries(&Filter::default())
            .expect("summaries")
            .into_iter()
            .find(|s| s.session_id == id)
            .expect("stored");
        assert!(summary.reviewed, "{}", db.name);
        assert_eq!(
            summary.overall, card.overall,
            "{}: the machine's score is kept",
            db.name
        );
        assert!(
            (summary.final_overall - outcome.reviewed_overall).abs() < 1e-9,
            "{}",
            db.name
        );

        // A second reviewer agrees with the machine; both reviews are kept with reviewer and time.
        review_session(
            &mut store,
            &request(&id, &criterion.id, criterion.rating, "eli"),
            "2026-02-02T10:00:00Z",
            &lookup,
        )
        .expect("review");
        let loaded = store
            .load_sessions(std::slice::from_ref(&id))
            .expect("load")
            .pop()
            .expect("session");
        assert_eq!(loaded.reviews.len(), 2, "{}", db.name);
        assert_eq!(loaded.reviews[0].reviewer, "dana", "{}", db.name);
        assert_eq!(
            loaded.reviews[1].reviewed_at, "2026-02-02T10:00:00Z",
            "{}",
            db.name
        );
        let reviewed = loaded.reviewed.expect("reviewed scorecard");
        assert_eq!(
            reviewed.criterion(&criterion.id).and_then(|c| c.rating),
            criterion.rating,
            "{}: the latest review wins",
            db.name
        );

        let calibration = calibrate(&store.reviews(&Filter::default()).expect("reviews"));
        let all = &calibration.rows[0];
        let machine = all.machine_vs_reviewers.as_ref().expect("machine pairs");
        assert_eq!(machine.pairs, 2, "{}", db.name);
        assert!((machine.percent - 0.5).abs() < 1e-9, "{}", db.name);
        let between = all.between_reviewers.as_ref().expect("reviewer pairs");
        assert_eq!((between.pairs, between.percent), (1, 0.0), "{}", db.name);
        assert!(
            calibration
                .rows
                .iter()
                .any(|r| r.level == "criterion" && r.name == criterion.id),
            "{}",
            db.name
        );

        // Refused reviews store nothing.
        let bad = review_session(
            &mut store,
            &request(&id, &criterion.id, Some(criterion.max + 10), "dana"),
            "2026-02-03T10:00:00Z",
            &lookup,
        );
        assert!(
            matches!(bad, Err(ReviewError::Rating { .. })),
            "{}",
            db.name
        );
        let unknown = review_session(
            &mut store,
            &request(&id, "empathy.telepathy", Some(1), "dana"),
            "2026-02-03T10:00:00Z",
            &lookup,
        );
        assert!(
            matches!(unknown, Err(ReviewError::UnknownCriterion { .. })),
            "{}",
            db.name
        );
        assert_eq!(
            store.reviews(&Filter::default()).expect("reviews").len(),
            2,
            "{}",
            db.name
        );
    }
}

/// The best overall per scenario of one trainee's runs, as the store should report it.
fn best_per_scenario<'a>(runs: impl Iterator<Item = &'a RunResult>) -> BTreeMap<String, f64> {
    let mut best = BTreeMap::new();
    for run in runs {
        let score = best
            .entry(run.transcript.header.scenario_id.clone())
            .or_insert(f64::MIN);
        *score = run.scorecard.overall.max(*score);
    }
    best
}

/// Synthetic sessions of three trainees who each play the library several times over.
fn replayed_sample() -> &'static [RunResult] {
    static SAMPLE: std::sync::OnceLock<Vec<RunResult>> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        rapport::store::sample::sample_sessions(&rapport::store::sample::SampleOptions {
            sessions: 90,
            trainees: 3,
            ..Default::default()
        })
    })
}

#[test]
fn best_scores_are_a_trainees_highest_final_overall_per_scenario() {
    // A trainee who played some scenario more than once, with one session strictly the best: few
    // trainees over many sessions, so each replays scenarios of the whole library.
    let runs: &[RunResult] = replayed_sample();
    let mut played: BTreeMap<(&str, &str), Vec<&RunResult>> = BTreeMap::new();
    for run in runs {
        let header = &run.transcript.header;
        played
            .entry((header.trainee.as_str(), header.scenario_id.as_str()))
            .or_default()
            .push(run);
    }
    let ((trainee, scenario), top, others) = played
        .iter()
        .filter(|(_, runs)| runs.len() > 1)
        .find_map(|(key, runs)| {
            let mut runs = runs.clone();
            runs.sort_by(|a, b| b.scorecard.overall.total_cmp(&a.scorecard.overall));
            (runs[0].scorecard.overall > runs[1].scorecard.overall)
                .then(|| (*key, runs[0], runs[1..].to_vec()))
        })
        .expect("the sample has a trainee who replayed a scenario and did best once");
    let expected = best_per_scenario(
        runs.iter()
            .filter(|run| run.transcript.header.trainee == trainee),
    );
    for db in backends() {
        let mut store = db.open();
        assert!(
            store.best_scores(trainee).expect("best").is_empty(),
            "{}: nothing stored yet",
            db.name
        );
        save_all(&mut store, runs);
        assert_eq!(
            store.best_scores(trainee).expect("best"),
            expected,
            "{}",
            db.name
        );
        assert!(
            store.best_scores("nobody at all").expect("best").is_empty(),
            "{}",
            db.name
        );

        // A reviewer marks the best session down: the best score is now the higher of the
        // reviewed score and the scenario's other sessions, lower than before.
        let criterion = top
            .scorecard
            .criteria
            .iter()
            .find(|c| c.rating.is_some_and(|r| r > c.min))
            .expect("a criterion above its minimum");
        let lookup = |_: &rapport::store::StoredSession| -> Result<Rubric, String> { Ok(rubric()) };
        let outcome = review_session(
            &mut store,
            &request(
                &top.transcript.header.session_id,
                &criterion.id,
                Some(criterion.min),
                "dana",
            ),
            "2026-02-01T10:00:00Z",
            &lookup,
        )
        .expect("review");
        let mut reviewed = expected.clone();
        reviewed.insert(
            scenario.to_owned(),
            best_per_scenario(others.iter().copied())[scenario].max(outcome.reviewed_overall),
        );
        let best = store.best_scores(trainee).expect("best");
        assert_eq!(best, reviewed, "{}", db.name);
        assert!(best[scenario] < expected[scenario], "{}", db.name);
    }
}

#[test]
fn teams_can_be_set_listed_and_unset() {
    for db in backends() {
        let mut store = db.open();
        store.set_team("ana", "north").expect("set");
        store.set_team("ana", "south").expect("move");
        store.set_team("bo", "north").expect("set");
        let teams: Vec<(String, String)> = store
            .teams()
            .expect("list")
            .into_iter()
            .map(|m| (m.team, m.trainee))
            .collect();
        assert_eq!(
            teams,
            [
                ("north".into(), "bo".into()),
                ("south".into(), "ana".into())
            ],
            "{}",
            db.name
        );
        assert!(store.unset_team("ana").expect("unset"), "{}", db.name);
        assert!(!store.unset_team("ana").expect("unset"), "{}", db.name);
    }
}

/// A session whose trainee and replies try to inject markup.
fn hostile_session() -> RunResult {
    let kit = Examiner::shipped();
    let scenarios = rapport::store::sample::sample_scenarios();
    for loaded in &scenarios {
        let rubric = kit.rubric_for(loaded).expect("rubric");
        let scenario = Arc::new(loaded.scenario.clone());
        let setup = rapport::transcript::SessionSetup {
            seed: 3,
            trainee: "<img src=x onerror=alert(1)>".to_owned(),
            clock: rapport::transcript::ClockKind::Virtual,
            started_at: Some("2026-01-05T09:00:00Z".to_owned()),
        };
        let (mut recorder, _) = rapport::transcript::Recorder::start(
            loaded,
            scenario,
            Arc::clone(&kit.analyser),
            &setup,
            None,
        )
        .expect("start");
        let mut said = false;
        for step in 1..30u64 {
            if recorder.session().outcome().is_some() {
                break;
            }
            let mv = if recorder.session().reply_open() {
                said = true;
                rapport::engine::Move::Say(
                    "I'm so sorry <script>alert('pwned')</script> & \"quoted\"".to_owned(),
                )
            } else if !recorder.session().offered().is_empty() {
                rapport::engine::Move::Choose(1)
            } else {
                rapport::engine::Move::End
            };
            if recorder.apply(step * 5_000, mv).is_err() {
                break;
            }
        }
        if said {
            let transcript = recorder.finish();
            let scorecard = rapport::scoring::score(&transcript, &loaded.scenario, &rubric);
            return RunResult {
                transcript,
                scorecard,
            };
        }
    }
    panic!("no scenario in the library opens a free reply");
}

#[test]
fn html_report_escapes_everything_a_trainee_typed() {
    let db = sqlite_db();
    let mut store = db.open();
    let hostile = hostile_session();
    store
        .save_session(&hostile.transcript, &hostile.scorecard)
        .expect("save");
    save_all(&mut store, &sample()[..4]);
    let report =
        build_report(&mut store, &options(Filter::default()), &mut |_| {}).expect("report");
    let sessions = load_recent(&mut store, &report).expect("sessions");
    let page = html::render_html(&report, &sessions);
    assert!(
        page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"),
        "the reply is shown, escaped"
    );
    assert!(!page.contains("<script"), "no script element anywhere");
    assert!(
        !page.contains("<img"),
        "no image element from the trainee's name"
    );
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("<svg"), "charts are inline SVG");
    assert!(page.contains("<details"), "sessions can be drilled into");
}

#[test]
fn a_locked_database_fails_clearly_and_loses_nothing() {
    let db = sqlite_db();
    let mut store = db.open();
    save_all(&mut store, &sample()[..2]);
    drop(store);
    let mut waiting = Store::Sqlite(
        SqliteStore::open_with_timeout(
            std::path::Path::new(&db.url),
            std::time::Duration::from_millis(100),
        )
        .expect("open"),
    );
    let blocker = rusqlite::Connection::open(&db.url).expect("open");
    blocker.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let mut reader = Store::Sqlite(
        SqliteStore::open_with_timeout(
            std::path::Path::new(&db.url),
            std::time::Duration::from_millis(100),
        )
        .expect("an up-to-date database opens while locked"),
    );
    drop(reader.summaries(&Filter::default()));
    let error = waiting
        .save_session(&sample()[2].transcript, &sample()[2].scorecard)
        .expect_err("locked");
    assert!(matches!(error, StoreError::Locked { .. }), "{error:?}");
    assert!(
        error.to_string().contains("is locked by another program"),
        "{error}"
    );
    blocker.execute_batch("ROLLBACK").expect("unlock");
    waiting
        .save_session(&sample()[2].transcript, &sample()[2].scorecard)
        .expect("saved once the lock is gone");
    assert_eq!(
        waiting
            .summaries(&Filter::default())
            .expect("summaries")
            .len(),
        3
    );
}

#[test]
fn a_full_disk_fails_clearly_and_writes_no_half_batch() {
    let db = sqlite_db();
    let path = std::path::PathBuf::from(&db.url);
    let mut store = SqliteStore::open(&path).expect("open");
    let records: Vec<SessionRecord> = sample()
        .iter()
        .map(|r| SessionRecord::new(&r.transcript, &r.scorecard).expect("record"))
        .collect();
    store.save_records(&records[..2]).expect("first batch fits");
    let pages: i64 = rusqlite::Connection::open(&path)
        .expect("open")
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("pages");
    store
        .limit_pages_for_tests(pages as u64 + 2)
        .expect("limit");
    let error = store
        .save_records(&records[2..])
        .expect_err("the disk fills");
    assert!(matches!(error, StoreError::DiskFull { .. }), "{error:?}");
    assert!(
        error.to_string().contains("is full; nothing was written"),
        "{error}"
    );
    let mut store = Store::Sqlite(store);
    assert_eq!(
        store
            .summaries(&Filter::default())
            .expect("summaries")
            .len(),
        2,
        "the failed batch left nothing behind"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.sqlite3");
    std::fs::write(
        &path,
        "these are my notes, not a database, and they are long enough to have a header",
    )
    .expect("write");
    let error = Store::open(Some(&path.display().to_string())).expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("is not a Rapport results database"),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "these are my notes, not a database, and they are long enough to have a header"
    );
}

#[test]
fn a_version_1_database_migrates_without_losing_sessions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.sqlite3");
    let run = &sample()[0];
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, trainee TEXT NOT NULL, scenario_id TEXT NOT NULL, scenario_version INTEGER NOT NULL,
                scenario_hash TEXT NOT NULL, seed INTEGER NOT NULL, started_at TEXT NOT NULL, outcome TEXT NOT NULL, rubric_id TEXT NOT NULL,
                rubric_version INTEGER NOT NULL, overall REAL NOT NULL, passed INTEGER NOT NULL, band TEXT NOT NULL, handle_secs REAL NOT NULL,
                transcript TEXT NOT NULL, scorecard TEXT NOT NULL);
             CREATE INDEX sessions_trainee ON sessions (trainee, started_at);
             CREATE INDEX sessions_scenario ON sessions (scenario_id, started_at);
             CREATE TABLE criterion_scores (session_id TEXT NOT NULL REFERENCES sessions (session_id), criterion TEXT NOT NULL, dimension TEXT NOT NULL,
                rating INTEGER, score REAL, PRIMARY KEY (session_id, criterion));
             CREATE TABLE dimension_scores (session_id TEXT NOT NULL REFERENCES sessions (session_id), dimension TEXT NOT NULL, score REAL,
                PRIMARY KEY (session_id, dimension));
             PRAGMA user_version = 1;",
        )
        .expect("version 1 schema");
        let h = &run.transcript.header;
        let c = &run.scorecard;
        conn.execute(
            "INSERT INTO sessions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            rusqlite::params![h.session_id, h.trainee, h.scenario_id, h.scenario_version, h.scenario_hash, h.seed as i64, h.started_at, c.outcome.label(), c.rubric_id, c.rubric_version, c.overall, c.passed, c.band.as_str(), c.handle_secs, run.transcript.to_jsonl(), serde_json::to_string(c).expect("json")],
        )
        .expect("row");
        for criterion in &c.criteria {
            conn.execute(
                "INSERT INTO criterion_scores VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    h.session_id,
                    criterion.id.as_str(),
                    criterion.dimension.label(),
                    criterion.rating,
                    criterion.score
                ],
            )
            .expect("criterion");
        }
        for dimension in &c.dimensions {
            conn.execute(
                "INSERT INTO dimension_scores VALUES (?1, ?2, ?3)",
                rusqlite::params![h.session_id, dimension.dimension.label(), dimension.score],
            )
            .expect("dimension");
        }
    }
    let mut store = Store::open(Some(&path.display().to_string())).expect("migrates");
    assert_eq!(
        store.schema_version().expect("version"),
        super::util::SQLITE_SCHEMA_VERSION
    );
    let summaries = store.summaries(&Filter::default()).expect("summaries");
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].overall, run.scorecard.overall);
    assert_eq!(
        summaries[0].dimension(Dimension::Empathy),
        run.scorecard.dimension(Dimension::Empathy)
    );
    let loaded = store
        .load_sessions(std::slice::from_ref(&run.transcript.header.session_id))
        .expect("load");
    assert_eq!(loaded[0].transcript, run.transcript);
    assert_eq!(
        store
            .save_session(&run.transcript, &run.scorecard)
            .expect("save"),
        Saved::AlreadyStored
    );
    let means = store.criterion_means(&Filter::default()).expect("criteria");
    assert_eq!(means.len(), run.scorecard.criteria.len());
}
