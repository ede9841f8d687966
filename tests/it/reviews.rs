//! Reviews, teams, calibration and xAPI as a QA lead uses them from the command line, on every backend.

use std::path::Path;

use serde_json::Value;

use super::util::{TestDb, backends, run_with_db, sample, write_transcripts};
use rapport::runner::RunResult;
use rapport::scoring::CriterionScore;

/// A database holding the sample sessions, imported through the CLI.
fn imported(dir: &Path, db: &TestDb) {
    write_transcripts(&dir.join("t"));
    let (code, _, err) = run_with_db(dir, db, &["import", "t"]);
    assert_eq!(code, 0, "{}: {err}", db.name);
}

/// The first sample session and one of its criteria rated above its minimum.
/// The first sample session whose overall a reviewer's lower rating can bring down (one that
/// did not already fail on a critical criterion), and a criterion rated above its minimum.
fn session_and_criterion() -> (&'static RunResult, &'static CriterionScore) {
    sample()
        .iter()
        .filter(|run| run.scorecard.overall > 0.0)
        .find_map(|run| {
            let criterion = run
                .scorecard
                .criteria
                .iter()
                .find(|c| c.rating.is_some_and(|r| r > c.min))?;
            Some((run, criterion))
        })
        .expect("a sample session with a criterion above its minimum")
}

fn json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}): {text}"))
}

/// `rapport review ID --json`.
fn shown(dir: &Path, db: &TestDb, id: &str) -> Value {
    let (code, out, err) = run_with_db(dir, db, &["review", id, "--json"]);
    assert_eq!(code, 0, "{}: {err}", db.name);
    json(&out, "review --json")
}

/// The criterion `id` of a `review --json` answer.
fn criterion_of<'a>(shown: &'a Value, id: &str) -> &'a Value {
    shown["criteria"]
        .as_array()
        .and_then(|list| list.iter().find(|c| c["criterion"] == id))
        .unwrap_or_else(|| panic!("no criterion `{id}` in {shown}"))
}

fn rate(dir: &Path, db: &TestDb, id: &str, criterion: &str, rating: &str, extra: &[&str]) {
    let mut args = vec![
        "review",
        id,
        "--criterion",
        criterion,
        "--rating",
        rating,
        "--comment",
        "seen",
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = run_with_db(dir, db, &args);
    assert_eq!(code, 0, "{}: {err}", db.name);
}

#[test]
fn a_second_reviewer_is_kept_beside_the_first_and_an_adjudication_decides() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let (run0, criterion) = session_and_criterion();
        let id = &run0.transcript.header.session_id;
        let (low, high) = (criterion.min.to_string(), criterion.max.to_string());
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &low,
            &["--reviewer", "dana"],
        );
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &high,
            &["--reviewer", "eli"],
        );
        let view = shown(dir.path(), &db, id);
        let rated = criterion_of(&view, &criterion.id);
        let reviewers: Vec<&str> = rated["reviews"]
            .as_array()
            .expect("reviews")
            .iter()
            .filter_map(|r| r["reviewer"].as_str())
            .collect();
        assert_eq!(reviewers, ["dana", "eli"], "{}: {rated}", db.name);
        assert_eq!(rated["effective_rating"], criterion.max, "{}", db.name);
        assert_eq!(rated["reviewers_disagree"], true, "{}", db.name);
        assert_eq!(rated["adjudicated"], false, "{}", db.name);

        // The lead adjudicates; a later plain rating does not undo it.
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &low,
            &["--reviewer", "lead", "--kind", "adjudication"],
        );
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &high,
            &["--reviewer", "fay"],
        );
        let view = shown(dir.path(), &db, id);
        let rated = criterion_of(&view, &criterion.id);
        assert_eq!(rated["effective_rating"], criterion.min, "{}", db.name);
        assert_eq!(rated["adjudicated"], true, "{}", db.name);
        assert_eq!(rated["reviews"].as_array().map(Vec::len), Some(4));
    }
}

#[test]
fn a_retracted_review_leaves_a_trace_and_the_score_falls_back() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let (run0, criterion) = session_and_criterion();
        let id = &run0.transcript.header.session_id;
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &criterion.min.to_string(),
            &["--reviewer", "dana"],
        );
        let view = shown(dir.path(), &db, id);
        let review_id = criterion_of(&view, &criterion.id)["reviews"][0]["id"]
            .as_i64()
            .expect("a review id");
        assert_ne!(view["final_overall"], view["overall"], "{}", db.name);

        let (code, out, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "review",
                id,
                "--retract",
                &review_id.to_string(),
                "--reason",
                "rated the wrong session",
                "--reviewer",
                "dana",
            ],
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(out.contains("retracted"), "{}: {out}", db.name);
        let view = shown(dir.path(), &db, id);
        let rated = criterion_of(&view, &criterion.id);
        let review = &rated["reviews"][0];
        assert_eq!(review["retraction"]["by"], "dana", "{}: {review}", db.name);
        assert_eq!(review["retraction"]["reason"], "rated the wrong session");
        assert!(review["retraction"]["at"].is_string(), "{review}");
        assert_eq!(rated["effective_rating"], criterion.rating.expect("rated"));
        assert_eq!(view["final_overall"], view["overall"], "{}", db.name);
        let (_, table, _) = run_with_db(dir.path(), &db, &["report"]);
        assert!(table.contains(", 0 reviewed"), "{}: {table}", db.name);
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "report",
                "--format",
                "html",
                "-o",
                "report.html",
                "--sessions",
                "100",
            ],
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        let page = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
        assert!(
            page.contains("retracted by dana") && page.contains("rated the wrong session"),
            "{}: the HTML report shows the retraction",
            db.name
        );

        // Retracting twice, or a review of another session, is refused and changes nothing.
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "review",
                id,
                "--retract",
                &review_id.to_string(),
                "--reason",
                "again",
                "--reviewer",
                "eli",
            ],
        );
        assert_eq!(code, 2, "{}: {err}", db.name);
        assert!(err.contains("already retracted"), "{}: {err}", db.name);
    }
}

#[test]
fn several_criteria_are_rated_in_one_command_or_from_a_file() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let run0 = &sample()[0];
        let id = &run0.transcript.header.session_id;
        let criteria = &run0.scorecard.criteria;
        let first = format!("{}={}", criteria[0].id, criteria[0].min);
        let second = format!("{}=na", criteria[1].id);
        let (code, out, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "review",
                id,
                "--rate",
                &first,
                "--rate",
                &second,
                "--reviewer",
                "dana",
                "--json",
            ],
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        let outcome = json(&out, "review --rate --json");
        assert_eq!(
            outcome["ratings"].as_array().map(Vec::len),
            Some(2),
            "{out}"
        );
        assert!(outcome["reviewed_overall"].is_number(), "{out}");

        // A whole scorecard from a file: every criterion, N/A and comments.
        let ratings: Vec<Value> = criteria
            .iter()
            .map(|c| {
                serde_json::json!({
                    "criterion": c.id.as_str(),
                    "rating": c.rating.map_or(Value::from("na"), Value::from),
                    "comment": format!("agree with {}", c.id),
                })
            })
            .collect();
        let card =
            serde_json::to_string_pretty(&serde_json::json!({ "ratings": ratings })).expect("json");
        std::fs::write(dir.path().join("card.json"), card).expect("write");
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &["review", id, "--file", "card.json", "--reviewer", "eli"],
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        let view = shown(dir.path(), &db, id);
        let by_eli = view["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .flat_map(|c| c["reviews"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["reviewer"] == "eli")
            .count();
        assert_eq!(by_eli, criteria.len(), "{}", db.name);

        // A broken file names where, and stores nothing.
        std::fs::write(
            dir.path().join("bad.json"),
            "{\"ratings\": [\n  {\"criterion\": \"x\", \"rating\": }\n]}\n",
        )
        .expect("write");
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &["review", id, "--file", "bad.json", "--reviewer", "fay"],
        );
        assert_eq!(code, 2, "{}: {err}", db.name);
        assert!(err.contains("bad.json:2:"), "{}: {err}", db.name);
        let misspelt = format!("{}x=1", criteria[0].id);
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &["review", id, "--rate", &misspelt, "--reviewer", "fay"],
        );
        assert_eq!(code, 2, "{}: {err}", db.name);
        assert!(
            err.contains(&format!("did you mean `{}`", criteria[0].id)),
            "{}: {err}",
            db.name
        );
        let unknown = format!("{}=1", "empathy.telepathy");
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "review",
                id,
                "--rate",
                &first,
                "--rate",
                &unknown,
                "--reviewer",
                "fay",
            ],
        );
        assert_eq!(code, 2, "{}: {err}", db.name);
        assert!(err.contains("empathy.telepathy"), "{}: {err}", db.name);
        let view = shown(dir.path(), &db, id);
        assert!(
            !view.to_string().contains("\"fay\""),
            "{}: a refused review stores nothing",
            db.name
        );
    }
}

#[test]
fn review_shows_the_evidence_quotes_behind_each_criterion() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    imported(dir.path(), &db);
    let run0 = sample()
        .iter()
        .find(|r| r.scorecard.criteria.iter().any(|c| !c.evidence.is_empty()))
        .expect("a session with evidence");
    let evidence = run0
        .scorecard
        .criteria
        .iter()
        .flat_map(|c| &c.evidence)
        .find(|e| !e.finding.matched.is_empty())
        .expect("evidence with a quote");
    let (code, out, err) = run_with_db(
        dir.path(),
        &db,
        &["review", &run0.transcript.header.session_id],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(evidence.finding.matched.as_str()),
        "the quote `{}` is shown:\n{out}",
        evidence.finding.matched
    );
}

/// The statements of `rapport xapi`.
fn statements(dir: &Path, db: &TestDb) -> Vec<Value> {
    let (code, out, err) = run_with_db(dir, db, &["xapi"]);
    assert_eq!(code, 0, "{}: {err}", db.name);
    serde_json::from_str(&out).expect("a JSON array")
}

fn result_statement<'a>(list: &'a [Value], session: &str) -> Vec<&'a Value> {
    list.iter()
        .filter(|s| {
            s["context"]["extensions"]
                .as_object()
                .is_some_and(|e| e.values().any(|v| v == session))
                && s["result"]["score"].is_object()
        })
        .collect()
}

#[test]
fn a_revised_score_goes_out_as_a_new_statement_and_voids_the_old() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let (run0, criterion) = session_and_criterion();
        let id = &run0.transcript.header.session_id;
        let before = statements(dir.path(), &db);
        let old = result_statement(&before, id);
        assert_eq!(old.len(), 1, "{}", db.name);
        let old_id = old[0]["id"].as_str().expect("id").to_owned();

        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &criterion.min.to_string(),
            &["--reviewer", "dana"],
        );
        let after = statements(dir.path(), &db);
        assert_eq!(after, statements(dir.path(), &db), "{}: stable", db.name);
        let results = result_statement(&after, id);
        let newest = results
            .iter()
            .find(|s| s["id"] != old_id.as_str())
            .unwrap_or_else(|| panic!("{}: a new statement for the revised score", db.name));
        assert_ne!(newest["result"]["score"], old[0]["result"]["score"]);
        let original = results
            .iter()
            .find(|s| s["id"] == old_id.as_str())
            .expect("the original statement is still sent, unchanged");
        assert_eq!(
            original["result"], old[0]["result"],
            "{}: immutable",
            db.name
        );
        let voiding: Vec<&Value> = after
            .iter()
            .filter(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided")
            .collect();
        assert_eq!(voiding.len(), 1, "{}", db.name);
        assert_eq!(voiding[0]["object"]["objectType"], "StatementRef");
        assert_eq!(voiding[0]["object"]["id"], old_id.as_str());
        let ids: std::collections::BTreeSet<&str> =
            after.iter().filter_map(|s| s["id"].as_str()).collect();
        assert_eq!(ids.len(), after.len(), "{}: unique ids", db.name);
    }
}

#[test]
fn moving_a_trainee_to_another_team_keeps_their_past_sessions_in_the_old_team() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let theirs: Vec<&RunResult> = sample()
            .iter()
            .filter(|r| r.transcript.header.trainee == "trainee-01")
            .collect();
        let moved_at = &theirs[theirs.len() / 2].transcript.header.started_at;
        let moved_epoch = moved_at
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_second();
        let before = theirs
            .iter()
            .filter(|r| {
                r.transcript
                    .header
                    .started_at
                    .parse::<jiff::Timestamp>()
                    .expect("time")
                    .as_second()
                    < moved_epoch
            })
            .count();
        let (code, _, err) = run_with_db(dir.path(), &db, &["team", "set", "trainee-01", "north"]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &["team", "set", "trainee-01", "south", "--since", moved_at],
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        let count = |team: &str| {
            let (_, out, err) = run_with_db(
                dir.path(),
                &db,
                &["report", "--format", "json", "--team", team],
            );
            json(&out, &err)["totals"]["sessions"].as_u64().unwrap_or(0) as usize
        };
        assert_eq!(count("north"), before, "{}", db.name);
        assert_eq!(count("south"), theirs.len() - before, "{}", db.name);
        let (_, out, _) = run_with_db(
            dir.path(),
            &db,
            &["report", "--format", "json", "--by", "team"],
        );
        let report = json(&out, "report");
        let group = |name: &str| {
            report["groups"]
                .as_array()
                .and_then(|g| g.iter().find(|g| g["group"] == name))
                .map_or(0, |g| g["sessions"].as_u64().unwrap_or(0) as usize)
        };
        assert_eq!(
            (group("north"), group("south")),
            (before, theirs.len() - before),
            "{}",
            db.name
        );
        let (_, list, _) = run_with_db(dir.path(), &db, &["team", "list", "--json"]);
        let list = json(&list, "team list --json");
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(1),
            "{}: {list}",
            db.name
        );
        assert_eq!(list[0]["team"], "south");
        let (_, history, _) =
            run_with_db(dir.path(), &db, &["team", "list", "--history", "--json"]);
        assert_eq!(
            json(&history, "history").as_array().map(Vec::len),
            Some(2),
            "{}",
            db.name
        );
    }
}

#[test]
fn calibration_is_per_reviewer_warns_on_small_samples_and_leaves_disputes_out() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let (run0, criterion) = session_and_criterion();
        let id = &run0.transcript.header.session_id;
        let machine = criterion.rating.expect("rated").to_string();
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &machine,
            &["--reviewer", "dana"],
        );
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &machine,
            &["--reviewer", "eli"],
        );
        rate(
            dir.path(),
            &db,
            id,
            &criterion.id,
            &criterion.min.to_string(),
            &["--reviewer", "lead", "--kind", "dispute"],
        );
        let (code, out, err) = run_with_db(dir.path(), &db, &["calibration", "--json"]);
        assert_eq!(code, 0, "{}: {err}", db.name);
        let value = json(&out, "calibration --json");
        let all = &value["rows"][0]["machine_vs_reviewers"];
        assert_eq!(
            all["pairs"], 2,
            "{}: the dispute is not a pair: {value}",
            db.name
        );
        assert_eq!(all["percent"], 1.0, "{}", db.name);
        assert!(
            all["warning"]
                .as_str()
                .is_some_and(|w| w.contains("too few")),
            "{}: {all}",
            db.name
        );
        let dana = value["per_reviewer"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["reviewer"] == "dana"))
            .unwrap_or_else(|| panic!("{}: dana has a row: {value}", db.name));
        assert_eq!(dana["machine"]["pairs"], 1, "{dana}");
        assert_eq!(dana["consensus"]["pairs"], 1, "{dana}");
        assert_eq!(dana["consensus"]["percent"], 1.0, "{dana}");
        assert!(dana["over_time"].as_array().is_some_and(|t| !t.is_empty()));
        assert!(
            value["per_reviewer"]
                .as_array()
                .is_some_and(|r| r.iter().all(|r| r["reviewer"] != "lead"))
        );
        let (_, human, _) = run_with_db(dir.path(), &db, &["calibration"]);
        assert!(human.contains("too few"), "{}: {human}", db.name);
        assert!(human.contains("dana"), "{}: {human}", db.name);
    }
}

#[test]
fn report_json_names_dimension_scores_and_csv_opens_with_a_byte_order_mark() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    imported(dir.path(), &db);
    let (_, out, _) = run_with_db(dir.path(), &db, &["report", "--format", "json"]);
    let report = json(&out, "report");
    assert!(
        report["totals"]["dimensions"]["empathy"].is_number(),
        "{}",
        report["totals"]
    );
    assert!(report["recent"][0]["final_dimensions"]["ownership"].is_number());
    let (_, csv, _) = run_with_db(dir.path(), &db, &["report", "--format", "csv"]);
    assert!(csv.starts_with('\u{feff}'), "{csv}");
}

#[test]
fn reports_say_how_abandoned_sessions_count() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    imported(dir.path(), &db);
    let (_, table, _) = run_with_db(dir.path(), &db, &["report"]);
    assert!(table.contains("abandoned"), "{table}");
    let (_, out, _) = run_with_db(dir.path(), &db, &["report", "--format", "json"]);
    assert!(json(&out, "report")["totals"]["abandoned"].is_number());
}

#[test]
fn a_misspelt_filter_gets_a_hint() {
    let db = super::util::sqlite_db();
    let dir = tempfile::tempdir().expect("temp dir");
    imported(dir.path(), &db);
    let scenario = sample()[0].transcript.header.scenario_id.clone();
    let mut misspelt = scenario.clone();
    misspelt.pop();
    let (code, _, err) = run_with_db(dir.path(), &db, &["report", "--scenario", &misspelt]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("did you mean `{scenario}`")), "{err}");
    let (_, _, err) = run_with_db(dir.path(), &db, &["report", "--trainee", "nobody-at-all"]);
    assert!(
        err.contains("trainee-01"),
        "the known trainees are listed: {err}"
    );
    let (_, _, err) = run_with_db(dir.path(), &db, &["calibration", "--team", "nowhere"]);
    assert!(err.contains("no team"), "{err}");
}

/// Runs SQL on a test database directly, below the store.
fn execute_raw(db: &TestDb, sql: &str) {
    #[cfg(feature = "postgres")]
    if db.name == "postgres" {
        let mut client =
            postgres::Client::connect(&db.url, postgres::NoTls).expect("connect to the server");
        client.batch_execute(sql).expect("raw SQL");
        return;
    }
    {
        let conn = rusqlite::Connection::open(&db.url).expect("open");
        conn.execute_batch(sql).expect("raw SQL");
    }
}

#[test]
fn a_database_at_the_previous_schema_upgrades_in_place_and_reads_the_same() {
    for db in backends() {
        // The schema before reviews had kinds and teams had dates: SQLite 2, PostgreSQL 1.
        let previous = if db.name == "sqlite" { 2 } else { 1 };
        let runs = &sample()[..6];
        {
            let mut old =
                rapport::store::Store::open_at_schema_version_for_tests(&db.url, previous)
                    .expect("an old store");
            for run in runs {
                old.save_session(&run.transcript, &run.scorecard)
                    .expect("save");
            }
        }
        let (run0, criterion) = session_and_criterion();
        let id = &run0.transcript.header.session_id;
        // What the previous version wrote for two reviews and two teams.
        execute_raw(
            &db,
            &format!(
                "INSERT INTO teams (trainee, team) VALUES ('trainee-01', 'north'), ('trainee-02', 'south');
                 INSERT INTO reviews (session_id, criterion, rating, machine_rating, comment, reviewer, reviewed_at)
                     VALUES ('{id}', '{c}', {min}, {machine}, 'too generic', 'dana', '2026-02-01T10:00:00Z'),
                            ('{id}', '{c}', {min}, {machine}, 'agreed', 'eli', '2026-02-02T10:00:00Z');
                 UPDATE sessions SET reviewed = {yes}, final_overall = 12.5 WHERE session_id = '{id}';",
                c = criterion.id,
                min = criterion.min,
                machine = criterion.rating.expect("rated"),
                yes = if db.name == "sqlite" { "1" } else { "TRUE" },
            ),
        );
        let mut store = db.open();
        assert_eq!(
            store.schema_version().expect("version"),
            super::util::latest_schema_version(&db),
            "{}",
            db.name
        );
        let summaries = store
            .summaries(&rapport::store::Filter::default())
            .expect("summaries");
        assert_eq!(summaries.len(), runs.len(), "{}: no session lost", db.name);
        let first = summaries
            .iter()
            .find(|s| &s.session_id == id)
            .expect("the reviewed session");
        assert!(first.reviewed && first.final_overall == 12.5, "{}", db.name);
        assert_eq!(first.overall, run0.scorecard.overall, "{}", db.name);
        for summary in &summaries {
            let expected = match summary.trainee.as_str() {
                "trainee-01" => Some("north"),
                "trainee-02" => Some("south"),
                _ => None,
            };
            assert_eq!(summary.team.as_deref(), expected, "{}: team kept", db.name);
        }
        let teams: Vec<(String, String, Option<i64>)> = store
            .teams()
            .expect("teams")
            .into_iter()
            .map(|m| (m.team, m.trainee, m.since))
            .collect();
        assert_eq!(
            teams,
            [
                ("north".to_owned(), "trainee-01".to_owned(), None),
                ("south".to_owned(), "trainee-02".to_owned(), None)
            ],
            "{}",
            db.name
        );
        let loaded = store
            .load_sessions(std::slice::from_ref(id))
            .expect("load")
            .pop()
            .expect("session");
        assert_eq!(loaded.transcript, run0.transcript, "{}", db.name);
        let reviews: Vec<(&str, &str, rapport::store::ReviewKind, bool)> = loaded
            .reviews
            .iter()
            .map(|r| {
                (
                    r.reviewer.as_str(),
                    r.comment.as_str(),
                    r.kind,
                    r.is_active(),
                )
            })
            .collect();
        assert_eq!(
            reviews,
            [
                (
                    "dana",
                    "too generic",
                    rapport::store::ReviewKind::Rating,
                    true
                ),
                ("eli", "agreed", rapport::store::ReviewKind::Rating, true)
            ],
            "{}",
            db.name
        );
        let revisions = store
            .score_revisions(&rapport::store::Filter::default())
            .expect("revisions");
        assert_eq!(revisions.len(), 1, "{}", db.name);
        assert_eq!(
            (revisions[0].final_overall, revisions[0].revised_by.as_str()),
            (12.5, "eli"),
            "{}",
            db.name
        );
        // Opening it again changes nothing.
        drop(store);
        let mut again = db.open();
        assert_eq!(
            again
                .summaries(&rapport::store::Filter::default())
                .expect("summaries"),
            summaries,
            "{}",
            db.name
        );
    }
}

#[test]
fn reports_show_times_to_the_second_not_nanoseconds() {
    let db = super::util::sqlite_db();
    let mut store = db.open();
    let mut run = sample()[0].clone();
    run.transcript.header.started_at = "2026-01-05T08:00:00.123456789Z".to_owned();
    store
        .save_session(&run.transcript, &run.scorecard)
        .expect("save");
    let options = rapport::report::ReportOptions {
        filter: rapport::store::Filter::default(),
        dimension: None,
        group_by: rapport::report::GroupBy::Trainee,
        period: rapport::report::Period::Week,
        recent: 5,
    };
    let report = rapport::report::build_report(&mut store, &options, &mut |_| {}).expect("report");
    let table = rapport::report::table::render_table(&report);
    let csv =
        rapport::report::table::render_csv(&report, rapport::report::table::CsvRows::Sessions);
    let sessions = rapport::report::load_recent(&mut store, &report).expect("sessions");
    let html = rapport::report::html::render_html(&report, &sessions);
    for (name, text) in [("table", &table), ("csv", &csv), ("html", &html)] {
        assert!(text.contains("2026-01-05T08:00:00Z"), "{name}: {text}");
        assert!(!text.contains(".123456789"), "{name} shows nanoseconds");
    }
}

#[test]
fn a_change_computed_from_reviews_changed_meanwhile_is_refused_and_stores_nothing() {
    use rapport::store::{Review, ReviewKind, ReviewState, ScoreRevision, StoreError};
    for db in backends() {
        let mut store = db.open();
        let (run0, criterion) = session_and_criterion();
        store
            .save_session(&run0.transcript, &run0.scorecard)
            .expect("save");
        let id = run0.transcript.header.session_id.clone();
        // Dana loads the unreviewed session; Eli's review is stored before hers.
        let seen_by_dana = ReviewState::default();
        rate_in_store(&mut store, &id, &criterion.id, criterion.min, "eli");
        let dana = Review {
            id: 0,
            session_id: id.clone(),
            criterion: criterion.id.to_string(),
            rating: criterion.rating,
            machine_rating: criterion.rating,
            comment: String::new(),
            reviewer: "dana".to_owned(),
            reviewed_at: "2026-02-02T10:00:00Z".to_owned(),
            kind: ReviewKind::Rating,
            retraction: None,
        };
        let revision = ScoreRevision::of(&id, &run0.scorecard, true, &dana.reviewed_at, "dana");
        let refused = store.record_reviews(
            std::slice::from_ref(&dana),
            &run0.scorecard,
            &revision,
            seen_by_dana,
        );
        assert!(
            matches!(refused, Err(StoreError::ReviewedMeanwhile { .. })),
            "{}: {refused:?}",
            db.name
        );
        let loaded = store
            .load_sessions(std::slice::from_ref(&id))
            .expect("load")
            .pop()
            .expect("session");
        assert_eq!(loaded.reviews.len(), 1, "{}: nothing stored", db.name);
        let summary = &loaded.summary;
        assert!(
            summary.final_overall < summary.overall,
            "{}: Eli's review kept",
            db.name
        );
    }
}

/// A plain rating through the library, as `rapport review` stores it.
fn rate_in_store(
    store: &mut rapport::store::Store,
    id: &str,
    criterion: &str,
    rating: i32,
    reviewer: &str,
) {
    let rubric = (*rapport::runner::Examiner::shipped().rubric).clone();
    rapport::report::review::review_session(
        store,
        &rapport::report::review::ReviewRequest::one(id, criterion, Some(rating), "", reviewer),
        "2026-02-01T10:00:00Z",
        &|_| Ok(rubric.clone()),
    )
    .expect("review");
}

#[test]
fn reviewers_rating_one_session_at_once_lose_nothing() {
    for db in backends() {
        let dir = tempfile::tempdir().expect("temp dir");
        imported(dir.path(), &db);
        let (run0, _) = session_and_criterion();
        let id = &run0.transcript.header.session_id;
        let rated: Vec<&CriterionScore> = run0
            .scorecard
            .criteria
            .iter()
            .filter(|c| c.rating.is_some_and(|r| r > c.min))
            .take(4)
            .collect();
        assert!(rated.len() >= 2, "criteria to rate");
        let children: Vec<_> = rated
            .iter()
            .enumerate()
            .map(|(index, criterion)| {
                super::util::rapport_command(dir.path())
                    .args(["review", id, "--criterion", &criterion.id, "--rating"])
                    .arg(criterion.min.to_string())
                    .args(["--reviewer", &format!("reviewer-{index}"), "--db", &db.url])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().expect("wait");
            assert!(
                output.status.success(),
                "{}: {}",
                db.name,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let view = shown(dir.path(), &db, id);
        for criterion in &rated {
            assert_eq!(
                criterion_of(&view, &criterion.id)["effective_rating"],
                criterion.min,
                "{}: every reviewer's rating counts in the stored scores",
                db.name
            );
        }
        // The stored reviewed scorecard agrees with the reviews: reviewing again changes nothing.
        let stored = store_final(&db, id);
        let (_, template, _) = run_with_db(dir.path(), &db, &["review", id, "--template"]);
        let expected: Vec<(String, Value)> = json(&template, "template")["ratings"]
            .as_array()
            .expect("ratings")
            .iter()
            .map(|r| {
                (
                    r["criterion"].as_str().unwrap_or("").to_owned(),
                    r["rating"].clone(),
                )
            })
            .collect();
        for criterion in &rated {
            assert!(
                expected
                    .iter()
                    .any(|(c, r)| c == criterion.id.as_str() && *r == criterion.min),
                "{}: the reviewed scorecard holds `{}`'s review: {template}",
                db.name,
                criterion.id
            );
        }
        assert!(stored < run0.scorecard.overall, "{}", db.name);
    }
}

/// A session's overall after review, as stored.
fn store_final(db: &TestDb, id: &str) -> f64 {
    db.open()
        .summaries(&rapport::store::Filter::default())
        .expect("summaries")
        .into_iter()
        .find(|s| s.session_id == id)
        .map_or(f64::NAN, |s| s.final_overall)
}
