//! The team workflow on SQLite and (with `RAPPORT_TEST_POSTGRES`) PostgreSQL: review queues from sampling rules, disputes, and blind calibration sessions.

use std::collections::{BTreeMap, BTreeSet};

use rapport::report::calibration::CalibrationPeriod;
use rapport::report::review::CriterionRating;
use rapport::runner::RunResult;
use rapport::scoring::{Rubric, Scorecard};
use rapport::store::{Filter, ReviewKind, Store, StoredSession};
use rapport::team::calibrations::CalibrationSession;
use rapport::team::disputes::DisputeState;
use rapport::team::queues::{QueueState, ReviewSubmission, Sampling};
use rapport::team::{Actor, AuditFilter, NewUser, Role, Team, TeamError, User};

use super::util::{backends, postgres_db, sample, sqlite_db};

const PASSWORD: &str = "a long enough secret";

fn shipped_rubric(_: &StoredSession) -> Result<Rubric, String> {
    Ok((*rapport::runner::Examiner::shipped().rubric).clone())
}

fn add(team: &mut Team<'_>, login: &str, role: Role, trainee: Option<&str>) -> User {
    team.create_user(
        &Actor::command_line(),
        &NewUser {
            login,
            display_name: None,
            role,
            trainee,
            password: PASSWORD,
        },
    )
    .expect("create user")
}

fn save_sample(store: &mut Store) {
    for run in sample() {
        store
            .save_session(&run.transcript, &run.scorecard)
            .expect("save");
    }
}

fn id_of(run: &RunResult) -> String {
    run.transcript.header.session_id.to_string()
}

/// A session a lower rating can bring down, and a criterion rated above its minimum.
fn lowerable() -> (&'static RunResult, String, i32) {
    sample()
        .iter()
        .filter(|run| run.scorecard.overall > 0.0)
        .find_map(|run| {
            let c = run
                .scorecard
                .criteria
                .iter()
                .find(|c| c.rating.is_some_and(|r| r > c.min))?;
            Some((run, c.id.to_string(), c.min))
        })
        .expect("a sample session with a criterion above its minimum")
}

fn rating(criterion: &str, value: Option<i32>) -> CriterionRating {
    CriterionRating {
        criterion: criterion.to_owned(),
        rating: value,
        comment: String::new(),
    }
}

fn critical(card: &Scorecard) -> bool {
    !card.critical_failures.is_empty()
}

#[test]
fn sampling_rules_fill_the_queue_and_a_review_empties_it() {
    for db in backends() {
        let mut store = db.open();
        save_sample(&mut store);
        let mut team = Team::new(&mut store);
        let lead = add(&mut team, "lead", Role::QaLead, None);
        let dana = add(&mut team, "dana", Role::Reviewer, None);
        let eli = add(&mut team, "eli", Role::Reviewer, None);
        let reviewer_role = add(&mut team, "rex", Role::Reviewer, None);
        let trainee = add(&mut team, "t1", Role::Trainee, Some("trainee-01"));
        assert!(matches!(
            team.add_queue_rule(&dana, Sampling::AllFailed, 0, None),
            Err(TeamError::Forbidden { .. })
        ));
        assert!(matches!(
            team.add_queue_rule(&lead, Sampling::RandomPercent { percent: 0.0 }, 1, None),
            Err(TeamError::BadRule { .. })
        ));

        // All failed calls, exactly.
        team.add_queue_rule(&lead, Sampling::AllFailed, 0, None)
            .expect("rule");
        let failed: BTreeSet<String> = sample()
            .iter()
            .filter(|r| !r.scorecard.passed)
            .map(id_of)
            .collect();
        assert!(!failed.is_empty());
        let queued: BTreeSet<String> = team
            .apply_sampling(&lead)
            .expect("sample")
            .into_iter()
            .map(|i| i.session_id)
            .collect();
        assert_eq!(queued, failed, "{}", db.name);
        assert!(team.apply_sampling(&lead).expect("again").is_empty());

        // Critical failures are all failed calls too: nothing new.
        team.add_queue_rule(&lead, Sampling::AllCriticalFailures, 0, None)
            .expect("rule");
        assert!(sample().iter().any(|r| critical(&r.scorecard)));
        assert!(team.apply_sampling(&lead).expect("sample").is_empty());

        // One per trainee per week: every trainee-week gets at least one queued session.
        team.add_queue_rule(&lead, Sampling::PerTraineePerWeek { sessions: 1 }, 7, None)
            .expect("rule");
        let weekly = team.apply_sampling(&lead).expect("sample");
        assert!(!weekly.is_empty(), "{}", db.name);
        let all = team.queue(&lead, QueueState::All).expect("queue");
        let summaries = team
            .store()
            .summaries(&Filter::default())
            .expect("summaries");
        let week_of = |epoch: i64| {
            let date = jiff::Timestamp::from_second(epoch)
                .expect("time")
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .iso_week_date();
            (date.year(), date.week())
        };
        let mut groups: BTreeMap<(String, (i16, i8)), usize> = BTreeMap::new();
        for s in &summaries {
            groups
                .entry((s.trainee.clone(), week_of(s.started_epoch)))
                .or_default();
        }
        for item in &all {
            let s = summaries
                .iter()
                .find(|s| s.session_id == item.session_id)
                .expect("session");
            *groups
                .get_mut(&(s.trainee.clone(), week_of(s.started_epoch)))
                .expect("group") += 1;
        }
        assert!(groups.values().all(|n| *n >= 1), "{}: {groups:?}", db.name);
        assert!(
            weekly
                .iter()
                .all(|i| i.reason.contains("per trainee per week"))
        );
        let items = all.len();
        assert_eq!(
            items,
            all.iter()
                .map(|i| &i.session_id)
                .collect::<BTreeSet<_>>()
                .len(),
            "one sampled item per session"
        );

        // Assignment, "my queue", and the review that completes an item.
        let item = all[0].clone();
        assert!(matches!(
            team.assign_item(&lead, item.id, "t1"),
            Err(TeamError::WrongRole { .. })
        ));
        let assigned = team.assign_item(&lead, item.id, "dana").expect("assign");
        assert_eq!(assigned.reviewer.as_deref(), Some("dana"));
        assert_eq!(team.my_queue(&dana).expect("queue").len(), 1);
        assert!(team.my_queue(&eli).expect("queue").is_empty());
        let card = &sample()
            .iter()
            .find(|r| id_of(r) == item.session_id)
            .expect("run")
            .scorecard;
        let criterion = card.criteria[0].id.to_string();
        let machine = card.criteria[0].rating;
        // Eli has not been given the session: it does not exist for him.
        assert!(matches!(
            team.submit_review(
                &eli,
                &ReviewSubmission {
                    session_id: item.session_id.clone(),
                    ratings: vec![rating(&criterion, machine)],
                    kind: ReviewKind::Rating,
                },
                &shipped_rubric,
            ),
            Err(TeamError::NoSuchSession { .. })
        ));
        team.submit_review(
            &dana,
            &ReviewSubmission {
                session_id: item.session_id.clone(),
                ratings: vec![rating(&criterion, machine)],
                kind: ReviewKind::Rating,
            },
            &shipped_rubric,
        )
        .expect("review");
        assert!(
            team.my_queue(&dana).expect("queue").is_empty(),
            "{}",
            db.name
        );
        let done = team.queue(&lead, QueueState::Done).expect("done");
        assert_eq!(done.len(), 1);
        assert!(done[0].done_review_id.is_some());

        // A second reviewer on the same session: both reviews are kept.
        assert!(matches!(
            team.queue_for(&lead, &item.session_id, "dana", "second look"),
            Err(TeamError::AlreadyQueued { .. })
        ));
        team.queue_for(&lead, &item.session_id, "eli", "second look")
            .expect("queue for eli");
        team.submit_review(
            &eli,
            &ReviewSubmission {
                session_id: item.session_id.clone(),
                ratings: vec![rating(&criterion, machine)],
                kind: ReviewKind::Rating,
            },
            &shipped_rubric,
        )
        .expect("second review");
        // A reviewer may not adjudicate; the lead may.
        assert!(matches!(
            team.submit_review(
                &eli,
                &ReviewSubmission {
                    session_id: item.session_id.clone(),
                    ratings: vec![rating(&criterion, machine)],
                    kind: ReviewKind::Adjudication,
                },
                &shipped_rubric,
            ),
            Err(TeamError::Forbidden { .. })
        ));
        team.submit_review(
            &lead,
            &ReviewSubmission {
                session_id: item.session_id.clone(),
                ratings: vec![rating(&criterion, machine)],
                kind: ReviewKind::Adjudication,
            },
            &shipped_rubric,
        )
        .expect("adjudication");
        let stored = team
            .store()
            .load_sessions(std::slice::from_ref(&item.session_id))
            .expect("load")
            .pop()
            .expect("session");
        let reviewers: Vec<&str> = stored.reviews.iter().map(|r| r.reviewer.as_str()).collect();
        assert_eq!(reviewers, ["dana", "eli", "lead"], "{}", db.name);
        let recorded = team
            .audit_log(&AuditFilter {
                action: Some("review.record".into()),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(recorded.len(), 3);
        assert!(recorded.iter().all(|e| e.subject_id == item.session_id));
        assert!(team.my_queue(&reviewer_role).expect("queue").is_empty());
        assert!(matches!(
            team.queue(&trainee, QueueState::All),
            Err(TeamError::Forbidden { .. })
        ));
    }
}

#[test]
fn random_sampling_is_the_same_for_the_same_seed_wherever_it_runs() {
    let mut picked: Vec<BTreeSet<String>> = Vec::new();
    let mut runs = vec![(sqlite_db(), 7), (sqlite_db(), 7), (sqlite_db(), 8)];
    runs.extend(postgres_db().map(|db| (db, 7)));
    for (db, seed) in runs {
        let mut store = db.open();
        save_sample(&mut store);
        let mut team = Team::new(&mut store);
        let lead = add(&mut team, "lead", Role::QaLead, None);
        team.add_queue_rule(&lead, Sampling::RandomPercent { percent: 25.0 }, seed, None)
            .expect("rule");
        picked.push(
            team.apply_sampling(&lead)
                .expect("sample")
                .into_iter()
                .map(|i| i.session_id)
                .collect(),
        );
    }
    assert_eq!(
        picked[0], picked[1],
        "the same seed picks the same sessions"
    );
    assert_ne!(picked[0], picked[2], "another seed picks others");
    // About a quarter of sixty sessions.
    assert!((5..=25).contains(&picked[0].len()), "{}", picked[0].len());
    if picked.len() > 3 {
        assert_eq!(picked[0], picked[3], "PostgreSQL picks as SQLite does");
    }
}

#[test]
fn a_trainee_disputes_and_the_lead_decides() {
    for db in backends() {
        let mut store = db.open();
        save_sample(&mut store);
        let (run, criterion, min) = lowerable();
        let session_id = id_of(run);
        let owner = run.transcript.header.trainee.to_string();
        let mut team = Team::new(&mut store);
        let lead = add(&mut team, "lead", Role::QaLead, None);
        let trainee = add(&mut team, "owner", Role::Trainee, Some(&owner));
        let other_run = sample()
            .iter()
            .find(|r| r.transcript.header.trainee != run.transcript.header.trainee)
            .expect("another trainee");
        assert!(matches!(
            team.raise_dispute(&trainee, &id_of(other_run), &criterion, "not me"),
            Err(TeamError::NoSuchSession { .. })
        ));
        assert!(matches!(
            team.raise_dispute(&trainee, &session_id, "no-such-criterion", "why"),
            Err(TeamError::NoSuchCriterion { .. })
        ));
        assert!(matches!(
            team.raise_dispute(&trainee, &session_id, &criterion, "   "),
            Err(TeamError::EmptyText { .. })
        ));
        let first = team
            .raise_dispute(
                &trainee,
                &session_id,
                &criterion,
                "I did apologise in turn 2",
            )
            .expect("raise");
        assert_eq!(first.state, DisputeState::Open);
        assert!(matches!(
            team.raise_dispute(&trainee, &session_id, &criterion, "again"),
            Err(TeamError::DisputeAlreadyOpen { .. })
        ));
        assert_eq!(team.open_disputes(&lead).expect("open").len(), 1);
        assert!(matches!(
            team.open_disputes(&trainee),
            Err(TeamError::Forbidden { .. })
        ));
        let rejected = team
            .reject_dispute(
                &lead,
                first.id,
                "The apology came after the customer hung up.",
            )
            .expect("reject");
        assert_eq!(rejected.state, DisputeState::Rejected);
        assert_eq!(rejected.decided_by.as_deref(), Some("lead"));
        assert!(matches!(
            team.reject_dispute(&lead, first.id, "twice"),
            Err(TeamError::DisputeDecided { .. })
        ));
        let before = team
            .store()
            .summaries(&Filter::default())
            .expect("summaries")
            .into_iter()
            .find(|s| s.session_id == session_id)
            .expect("summary");
        assert!(!before.reviewed, "a rejection changes no score");

        // Raised again, and accepted: a dispute-kind review sets the rating.
        let second = team
            .raise_dispute(&trainee, &session_id, &criterion, "Listen to turn 3 please")
            .expect("raise again");
        assert!(matches!(
            team.accept_dispute(
                &trainee,
                second.id,
                Some(min),
                "self-service",
                &shipped_rubric
            ),
            Err(TeamError::Forbidden { .. })
        ));
        let (accepted, outcome) = team
            .accept_dispute(
                &lead,
                second.id,
                Some(min),
                "You are right to ask; rated down.",
                &shipped_rubric,
            )
            .expect("accept");
        assert_eq!(accepted.state, DisputeState::Accepted);
        assert_eq!(accepted.rating, Some(min));
        assert!(accepted.review_id.is_some());
        assert_eq!(outcome.kind, ReviewKind::Dispute);
        assert!(
            outcome.reviewed_overall < outcome.machine_overall,
            "{}",
            db.name
        );
        let stored = team
            .store()
            .load_sessions(std::slice::from_ref(&session_id))
            .expect("load")
            .pop()
            .expect("session");
        assert_eq!(stored.reviews.len(), 1);
        assert_eq!(stored.reviews[0].kind, ReviewKind::Dispute);
        assert_eq!(Some(stored.reviews[0].id), accepted.review_id);

        // The trainee sees both outcomes; the history is kept in order.
        let mine = team.my_disputes(&trainee).expect("mine");
        let states: Vec<DisputeState> = mine.iter().map(|d| d.state).collect();
        assert_eq!(states, [DisputeState::Rejected, DisputeState::Accepted]);
        assert_eq!(
            team.disputes_of_session(&trainee, &session_id)
                .expect("history")
                .len(),
            2
        );
        let log = team.audit_log(&AuditFilter::default()).expect("audit");
        let actions: Vec<&str> = log
            .iter()
            .filter(|e| e.action.starts_with("dispute."))
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "dispute.accept",
                "dispute.raise",
                "dispute.reject",
                "dispute.raise"
            ]
        );
        let accept = &log[0];
        assert_eq!(accept.action, "dispute.accept");
        assert_eq!(accept.before.as_ref().expect("before")["state"], "open");
        assert_eq!(accept.after.as_ref().expect("after")["state"], "accepted");
        assert!(matches!(
            team.accept_dispute(&lead, second.id, Some(min), "again", &shipped_rubric),
            Err(TeamError::DisputeDecided { .. })
        ));
    }
}

#[test]
fn a_calibration_is_blind_until_the_lead_reveals_it() {
    for db in backends() {
        let mut store = db.open();
        save_sample(&mut store);
        let mut team = Team::new(&mut store);
        let lead = add(&mut team, "lead", Role::QaLead, None);
        let reviewers: Vec<User> = ["ana", "bo", "cy"]
            .iter()
            .map(|login| add(&mut team, login, Role::Reviewer, None))
            .collect();
        let outsider = add(&mut team, "dee", Role::Reviewer, None);
        let runs: Vec<&RunResult> = sample().iter().take(3).collect();
        let sessions: Vec<String> = runs.iter().map(|r| id_of(r)).collect();
        let logins: Vec<String> = reviewers.iter().map(|u| u.login.clone()).collect();
        assert!(matches!(
            team.create_calibration(&lead, "December", &sessions, &logins[..1]),
            Err(TeamError::CalibrationTooSmall { .. })
        ));
        assert!(matches!(
            team.create_calibration(&reviewers[0], "mine", &sessions, &logins),
            Err(TeamError::Forbidden { .. })
        ));
        let calibration: CalibrationSession = team
            .create_calibration(&lead, "December", &sessions, &logins)
            .expect("create");
        // The reviewers now see the calibration's sessions; another reviewer does not.
        assert_eq!(
            team.visible_summaries(&reviewers[1], &Filter::default())
                .expect("visible")
                .len(),
            3
        );
        assert!(matches!(
            team.calibration(&outsider, calibration.id),
            Err(TeamError::NoSuchCalibration { .. })
        ));
        // Each reviewer rates every criterion: ana and bo as the machine did, cy one lower
        // where she can.
        for (index, reviewer) in reviewers.iter().enumerate() {
            for run in &runs {
                let ratings: Vec<CriterionRating> = run
                    .scorecard
                    .criteria
                    .iter()
                    .map(|c| {
                        let value = match (index, c.rating) {
                            (2, Some(r)) if r > c.min => Some(r - 1),
                            (_, r) => r,
                        };
                        rating(&c.id, value)
                    })
                    .collect();
                team.rate_in_calibration(reviewer, calibration.id, &id_of(run), &ratings)
                    .expect("rate");
            }
        }
        assert!(matches!(
            team.rate_in_calibration(&outsider, calibration.id, &sessions[0], &[]),
            Err(TeamError::NoSuchCalibration { .. })
        ));
        // Blind: each sees only their own ratings, the lead only the progress.
        let own = team
            .calibration_ratings(&reviewers[0], calibration.id)
            .expect("own");
        assert!(!own.is_empty());
        assert!(own.iter().all(|r| r.reviewer == "ana"), "{}", db.name);
        assert!(
            team.calibration_ratings(&lead, calibration.id)
                .expect("lead")
                .is_empty()
        );
        let progress = team
            .calibration_progress(&lead, calibration.id)
            .expect("progress");
        assert_eq!(progress.len(), 3);
        assert!(progress.iter().all(|p| p.rated as usize == own.len()));
        assert!(matches!(
            team.calibration_results(&reviewers[0], calibration.id),
            Err(TeamError::CalibrationNotRevealed { .. })
        ));
        assert!(matches!(
            team.reveal_calibration(&reviewers[0], calibration.id),
            Err(TeamError::Forbidden { .. })
        ));
        team.reveal_calibration(&lead, calibration.id)
            .expect("reveal");
        assert!(matches!(
            team.rate_in_calibration(&reviewers[0], calibration.id, &sessions[0], &[]),
            Err(TeamError::CalibrationRevealed { .. })
        ));
        assert_eq!(
            team.calibration_ratings(&reviewers[1], calibration.id)
                .expect("all")
                .len(),
            own.len() * 3
        );
        let results = team
            .calibration_results(&reviewers[1], calibration.id)
            .expect("results");
        assert_eq!(results.figures.reviewers, ["ana", "bo", "cy"]);
        let criterion_rows = results
            .figures
            .rows
            .iter()
            .filter(|r| r.level == "criterion")
            .count();
        assert!(criterion_rows > 0);
        let per: BTreeMap<&str, f64> = results
            .figures
            .per_reviewer
            .iter()
            .map(|r| {
                (
                    r.reviewer.as_str(),
                    r.consensus.as_ref().expect("consensus").percent,
                )
            })
            .collect();
        assert_eq!(
            per["ana"], 1.0,
            "{}: ana agrees with bo on every criterion",
            db.name
        );
        assert!(per["cy"] < 1.0, "cy rated lower: {per:?}");
        // Three sessions of every criterion by three reviewers are enough pairs to mean
        // something; two criteria of one session by two are not, and the results say so.
        assert_eq!(results.warning, None, "{}", db.name);
        let small = team
            .create_calibration(&lead, "quick check", &sessions[..1], &logins[..2])
            .expect("create");
        let two: Vec<CriterionRating> = runs[0]
            .scorecard
            .criteria
            .iter()
            .take(2)
            .map(|c| rating(&c.id, c.rating))
            .collect();
        for reviewer in &reviewers[..2] {
            team.rate_in_calibration(reviewer, small.id, &sessions[0], &two)
                .expect("rate");
        }
        team.reveal_calibration(&lead, small.id).expect("reveal");
        let warning = team
            .calibration_results(&lead, small.id)
            .expect("results")
            .warning
            .expect("a small-sample warning");
        assert!(warning.contains("Only 2 paired ratings"), "{warning}");

        // Calibration never changed a trainee's score.
        let summaries = team
            .store()
            .summaries(&Filter::default())
            .expect("summaries");
        assert!(summaries.iter().all(|s| !s.reviewed), "{}", db.name);

        // Drift: each reviewer's agreement with the consensus by period.
        let drift = team
            .calibration_drift(&lead, CalibrationPeriod::Month)
            .expect("drift");
        let cy = drift
            .figures
            .per_reviewer
            .iter()
            .find(|r| r.reviewer == "cy")
            .expect("cy");
        assert!(!cy.over_time.is_empty());
        assert!(matches!(
            team.calibration_drift(&reviewers[0], CalibrationPeriod::Month),
            Err(TeamError::Forbidden { .. })
        ));
        let log = team
            .audit_log(&AuditFilter {
                subject_kind: Some("calibration".into()),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(log.first().expect("entry").action, "calibration.reveal");
        assert_eq!(log.last().expect("entry").action, "calibration.create");
    }
}
