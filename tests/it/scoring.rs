//! Scoring as a QA lead relies on it: rubric arithmetic, stored = live, every plan's model passes
//! and poor trainee fails with evidence, and rescoring across rubric versions.

use rapport::analysis::{Promise, PromiseVerdict, Reading};
use rapport::library::load_library;
use rapport::runner::{Examiner, RunResult, collect_plans, run_moves, run_plan, scripted_setup};
use rapport::scenario::PromiseKind;
use rapport::scenario::load::load_ron;
use rapport::scoring::{Rubric, score};
use rapport::script::{PlanRun, ScriptedMove, TestPlan};
use rapport::transcript::read_transcript;

use super::util::crate_path;

fn scenarios_dir() -> std::path::PathBuf {
    crate_path("scenarios")
}

#[test]
fn every_shipped_plan_passes_with_a_model_that_passes_and_a_poor_trainee_that_fails() {
    let kit = Examiner::shipped();
    let plans = collect_plans(&[scenarios_dir()]);
    let (library, problems) = load_library(&scenarios_dir());
    assert!(problems.is_empty());
    assert_eq!(plans.len(), library.len(), "every scenario has a test plan");
    for plan_path in plans {
        let report = run_plan(&plan_path, &kit).expect("plan loads");
        for run in &report.runs {
            assert!(
                run.passed,
                "{}: {} failed: {:?}",
                plan_path.display(),
                run.name,
                run.failures
            );
        }
        let (plan, _): (TestPlan, _) = load_ron(&plan_path).expect("plan");
        let model = plan
            .runs
            .iter()
            .find(|r| r.name.starts_with("model"))
            .expect("a model run");
        assert_eq!(model.expect.passed, Some(true), "{}", plan_path.display());
        let poor = plan
            .runs
            .iter()
            .find(|r| r.name.starts_with("poor"))
            .expect("a poor run");
        assert_eq!(poor.expect.passed, Some(false), "{}", plan_path.display());
        assert!(
            !poor.expect.flagged.is_empty(),
            "{}: the poor run names the evidence that caught it",
            plan_path.display()
        );
    }
}

#[test]
fn a_stored_transcript_scores_exactly_as_the_live_session() {
    let kit = Examiner::shipped();
    let dir = tempfile::tempdir().expect("temp");
    for plan_path in collect_plans(&[scenarios_dir()]) {
        let (plan, _): (TestPlan, _) = load_ron(&plan_path).expect("plan");
        let loaded = rapport::scenario::load_scenario(&scenarios_dir().join(&plan.scenario))
            .expect("scenario");
        for (index, run) in plan.runs.iter().enumerate() {
            let path = dir
                .path()
                .join(format!("{}-{index}.jsonl", loaded.scenario.id));
            let setup = scripted_setup(run.seed, &run.trainee);
            let live = run_moves(
                &loaded,
                kit.prepare(&loaded),
                &kit.rubric,
                &setup,
                &run.moves,
                Some(&path),
            )
            .expect("runs");
            let (stored, report) = read_transcript(&path).expect("reads");
            assert!(!report.truncated_tail);
            assert_eq!(
                stored, live.transcript,
                "the file holds exactly what happened"
            );
            assert_eq!(
                score(&stored, &loaded.scenario, &kit.rubric),
                live.scorecard
            );
        }
    }
}

/// Plays the poor trainee of a shipped scenario's test plan.
/// A shipped scenario and the run of its test plan whose name starts with `prefix`.
fn plan_run(scenario: &str, prefix: &str) -> (rapport::scenario::LoadedScenario, PlanRun) {
    let loaded = rapport::scenario::load_scenario(&scenarios_dir().join(format!("{scenario}.ron")))
        .expect("scenario");
    let plan: TestPlan = load_ron(&scenarios_dir().join(format!("{scenario}.testplan.ron")))
        .expect("plan")
        .0;
    let run = plan
        .runs
        .into_iter()
        .find(|r| r.name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` run in the plan of `{scenario}`"));
    (loaded, run)
}

/// Plays scripted moves of a scenario headlessly with the shipped rubric.
fn play(
    kit: &Examiner,
    loaded: &rapport::scenario::LoadedScenario,
    seed: u64,
    trainee: &str,
    moves: &[ScriptedMove],
) -> RunResult {
    run_moves(
        loaded,
        kit.prepare(loaded),
        &kit.rubric,
        &scripted_setup(seed, trainee),
        moves,
        None,
    )
    .expect("runs")
}

fn poor_run(kit: &Examiner, scenario: &str) -> (rapport::scenario::LoadedScenario, RunResult) {
    let (loaded, poor) = plan_run(scenario, "poor");
    let result = play(kit, &loaded, poor.seed, "p", &poor.moves);
    (loaded, result)
}

#[test]
fn rubric_arithmetic_follows_qa_semantics() {
    let kit = Examiner::shipped();
    let (_, result) = poor_run(&kit, "double-charge");
    let card = &result.scorecard;
    for c in &card.criteria {
        match (c.rating, c.score) {
            (Some(r), Some(s)) => assert!(
                (s - f64::from(r - c.min) / f64::from(c.max - c.min) * 100.0).abs() < 1e-9,
                "{}",
                c.id
            ),
            (None, None) => {}
            _ => panic!("{}: rating and score disagree", c.id),
        }
    }
    for d in &card.dimensions {
        let rated: Vec<_> = card
            .criteria
            .iter()
            .filter(|c| c.dimension == d.dimension && c.score.is_some())
            .collect();
        let weights: f64 = rated.iter().map(|c| c.weight).sum();
        let expected = (weights > 0.0).then(|| {
            rated
                .iter()
                .map(|c| c.weight * c.score.unwrap_or(0.0))
                .sum::<f64>()
                / weights
        });
        assert_eq!(
            d.score.map(|s| (s * 1e6).round()),
            expected.map(|s| (s * 1e6).round()),
            "{:?}",
            d.dimension
        );
    }
    assert!(
        card.critical_failures
            .contains(&"expectations.no-overpromise".to_owned()),
        "{:?}",
        card.critical_failures
    );
    assert_eq!(
        card.overall, 0.0,
        "a failed critical criterion zeroes the overall"
    );
    assert!(
        card.weighted > 0.0,
        "the weighted figure is kept for the QA lead"
    );
    assert!(!card.passed);
    assert_eq!(card.band, "Needs coaching");

    let mut reviewed = card.clone();
    reviewed
        .override_rating("expectations.no-overpromise", Some(1), &kit.rubric)
        .expect("override");
    assert!(reviewed.critical_failures.is_empty());
    assert!((reviewed.overall - reviewed.weighted).abs() < 1e-9);
    assert!(
        reviewed
            .criterion("expectations.no-overpromise")
            .is_some_and(|c| c.reviewed)
    );
    assert!(
        reviewed
            .override_rating("expectations.no-overpromise", Some(7), &kit.rubric)
            .is_err()
    );
}

#[test]
fn the_debrief_names_the_costliest_moments_with_better_replies() {
    let kit = Examiner::shipped();
    let (loaded, result) = poor_run(&kit, "late-delivery");
    let debrief = kit.debrief(&result.transcript, &loaded, &kit.rubric);
    assert!(!debrief.costly.is_empty() && debrief.costly.len() <= 3);
    assert!(
        debrief
            .costly
            .windows(2)
            .all(|w| w[0].points >= w[1].points),
        "ordered by cost"
    );
    assert!(
        debrief
            .costly
            .iter()
            .all(|m| m.better.is_some() && !m.problems.is_empty()),
        "{:#?}",
        debrief.costly
    );
    assert_eq!(
        debrief.meters.len(),
        result.transcript.turns.len(),
        "meters turn by turn"
    );
    let text = rapport::scoring::render_debrief(&debrief);
    assert!(
        text.contains("What cost the most") && text.contains("Better:"),
        "{text}"
    );
}

#[test]
fn rescore_compares_rubric_versions_criterion_by_criterion() {
    let dir = tempfile::tempdir().expect("temp");
    let kit = Examiner::shipped();
    let loaded = rapport::scenario::load_scenario(&scenarios_dir().join("double-charge.ron"))
        .expect("scenario");
    let plan: TestPlan = load_ron(&scenarios_dir().join("double-charge.testplan.ron"))
        .expect("plan")
        .0;
    let mut files = Vec::new();
    for (index, run) in plan.runs.iter().enumerate() {
        let path = dir.path().join(format!("{index}.jsonl"));
        run_moves(
            &loaded,
            kit.prepare(&loaded),
            &kit.rubric,
            &scripted_setup(run.seed, "r"),
            &run.moves,
            Some(&path),
        )
        .expect("runs");
        files.push(path);
    }
    let old = Rubric::shipped();
    let text = rapport::scoring::rubric::SHIPPED_RUBRIC
        .replace("version: 2,", "version: 3,")
        .replace("pass_mark: 80.0", "pass_mark: 99.0")
        .replace("critical: true,", "critical: false,");
    let new = Rubric::from_text("v2.rubric.ron", &text).expect("v2");
    let comparison = rapport::scoring::rescore::compare(&old, &new, &files, &mut |p, e| {
        panic!("{}: {e}", p.display())
    });
    assert_eq!(comparison.sessions, files.len());
    assert_eq!(comparison.old, "default v2");
    assert_eq!(comparison.new, "default v3");
    assert!(
        comparison.new_overall > comparison.old_overall,
        "no critical criterion: the poor run is no longer zeroed"
    );
    assert!(
        comparison
            .criteria
            .iter()
            .any(|c| c.criterion == "expectations.no-overpromise")
    );
    assert!(
        !comparison.flipped.is_empty(),
        "the model run no longer passes a 99 pass mark"
    );
    assert!(comparison.render().contains("Pass/fail changed for"));
}

#[test]
fn ending_the_call_on_an_open_problem_fails_it_whatever_came_before() {
    let kit = Examiner::shipped();
    let (loaded, model) = plan_run("late-delivery", "model");
    // The model's good opening, then the trainee ends the call with the bike still lost.
    let mut moves = model.moves[..2].to_vec();
    moves.push(ScriptedMove {
        after: 10.0,
        action: rapport::engine::Move::End,
    });
    let ended = play(&kit, &loaded, model.seed, "quitter", &moves);
    let card = &ended.scorecard;
    assert_eq!(card.outcome, rapport::scenario::Outcome::AgentEnded);
    assert_eq!(card.critical_failures, ["ownership.follow-through"]);
    assert_eq!(card.overall, 0.0);
    assert!(!card.passed);
    let handle = card
        .criteria
        .iter()
        .find(|c| c.id == "timeliness.handle-time")
        .expect("handle time");
    assert_eq!(handle.rating, None, "a short call is not quick service");

    // Played to the end, the same trainee resolves it and sees it through.
    let full = play(&kit, &loaded, model.seed, "model", &model.moves);
    let follow = full
        .scorecard
        .criteria
        .iter()
        .find(|c| c.id == "ownership.follow-through")
        .expect("follow-through");
    assert_eq!(follow.rating, Some(follow.max));
    assert!(full.scorecard.passed);
}

/// A shipped scenario prepared by an examiner for reading replies, as a session reads them.
fn prepared_by(
    examiner: &Examiner,
    id: &str,
) -> std::sync::Arc<rapport::analysis::PreparedScenario> {
    let loaded = rapport::scenario::load_scenario(&scenarios_dir().join(format!("{id}.ron")))
        .expect("the shipped scenario loads");
    examiner.prepare(&loaded)
}

/// A shipped scenario prepared for reading replies with the shipped analysers.
fn shipped_prepared(id: &str) -> std::sync::Arc<rapport::analysis::PreparedScenario> {
    prepared_by(&Examiner::shipped(), id)
}

/// A shipped scenario prepared for reading replies by the rules alone: the ledger's own reading,
/// which the learned reader (trained on the replies these rules were found on) could mask.
fn rules_prepared(id: &str) -> std::sync::Arc<rapport::analysis::PreparedScenario> {
    static RULES: std::sync::OnceLock<Examiner> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| Examiner {
        analyser: std::sync::Arc::new(rapport::analysis::Analyser::shipped().without_reader()),
        rubric: std::sync::Arc::new(Rubric::shipped()),
    });
    prepared_by(rules, id)
}

/// The reading's promise of a kind; the test fails, listing them all, when there is none.
fn promise_of(reading: &Reading, kind: PromiseKind) -> &Promise {
    reading
        .promises
        .iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} promise in {:#?}", reading.promises))
}

/// The airline's certificate is allowed once the booking is changed or cancelled, whether an
/// option changed it (the scenario's flag) or the trainee's own reply does it in free text.
#[test]
fn the_delayed_flight_certificate_follows_a_change_made_in_free_text() {
    let prepared = shipped_prepared("delayed-flight");
    for reply in [
        "I've moved all three of you to the 6:40 flight, and I'll email a $50 travel certificate per person within 24 hours.",
        "Let me cancel the bookings for you, then the $687 goes back to your card in 5 to 7 working days, and I'll email three $50 certificates within 24 hours.",
    ] {
        let reading = prepared.read(reply, &[]);
        assert!(!reading.overpromised(), "{reply}\n{:#?}", reading.promises);
    }
    let alone = prepared.read("I'll email you a $50 travel certificate per person.", &[]);
    assert!(alone.overpromised(), "{:#?}", alone.promises);
    let flagged = prepared.read(
        "I'll email you a $50 travel certificate per person.",
        &["booking_changed".to_owned()],
    );
    assert!(!flagged.overpromised(), "{:#?}", flagged.promises);
}

/// A sum the ledger checked as allowed does not hide what it did not check: "$75 in cash" beside
/// the airline's $75 certificate is an over-promise when the model is sure of it, and the
/// debrief says how sure it had to be.
#[test]
fn an_allowed_amount_does_not_hide_a_sum_it_did_not_check() {
    let prepared = shipped_prepared("cancellation-claim");
    let reading = prepared.read("You'll get $75 in cash as a goodwill gesture.", &[]);
    assert!(reading.overpromised(), "{:#?}", reading.findings);
    let learned = reading
        .findings
        .iter()
        .find(|f| f.rule == "learned-over-promise")
        .expect("the model added it");
    assert!(
        learned.note.contains("at least the 0.85"),
        "{}",
        learned.note
    );
    // The certificate alone, within the cap, stays allowed.
    let honest = prepared.read(
        "As a goodwill gesture I can offer a $75 travel certificate, emailed within 24 hours.",
        &[],
    );
    assert!(!honest.overpromised(), "{:#?}", honest.promises);
}

/// Making sure of someone else's decision promises the decision: the ledger files it as the
/// guarantee the policy forbids, and quotes the policy's words; asking them does not.
#[test]
fn making_sure_the_team_lead_says_yes_is_a_guarantee_of_her_decision() {
    let prepared = shipped_prepared("refund-outside-policy");
    for reply in [
        "I'll make sure my supervisor signs it off before you hang up.",
        "Leave it with me, I'll get the team lead to approve it.",
    ] {
        let reading = prepared.read(reply, &[]);
        let guarantee = promise_of(&reading, PromiseKind::Guarantee);
        assert!(guarantee.terms.contains("Never guarantee"), "{guarantee:?}");
    }
    let asked = prepared.read(
        "I'll ask the team lead to look at it, but I can't promise what she'll decide.",
        &[],
    );
    assert!(!asked.overpromised(), "{:#?}", asked.promises);
}

/// A bare weekday made a deadline ("friday latest") is a time frame, checked against the policy
/// from the call's own weekday (the double charge is called about on a Wednesday morning).
#[test]
fn a_bare_weekday_made_a_deadline_is_checked_against_the_policy() {
    let prepared = shipped_prepared("double-charge");
    let reading = prepared.read("ok so both refunds will land friday latest", &[]);
    let refund = promise_of(&reading, PromiseKind::Refund);
    assert!(
        matches!(refund.verdict, PromiseVerdict::TooSoon { .. }),
        "{refund:?}"
    );
}

/// Asserts, for each reply read by the rules alone in a shipped scenario, the verdict the
/// ledger gave its promise of a kind.
fn assert_verdict(
    scenario: &str,
    kind: PromiseKind,
    expected: impl Fn(&PromiseVerdict) -> bool,
    replies: &[&str],
) {
    let prepared = rules_prepared(scenario);
    for reply in replies {
        let verdict = promise_of(&prepared.read(reply, &[]), kind).verdict;
        assert!(expected(&verdict), "{scenario}: {reply}: {verdict:?}");
    }
}

/// Whether a verdict is "sooner than the policy allows".
fn too_soon(verdict: &PromiseVerdict) -> bool {
    matches!(verdict, PromiseVerdict::TooSoon { .. })
}

/// Deeds done on the call ("I've stopped all future payments as of this minute", "I'll close
/// the account while you're on the line") are timed as now and checked like any promise, and
/// so are money let go ("it'll release itself overnight") and a place in a queue.
#[test]
fn deeds_done_on_the_call_are_timed_as_now_and_checked() {
    assert_verdict(
        "transferred-twice",
        PromiseKind::Cancellation,
        too_soon,
        &[
            "I've stopped all future payments as of this minute.",
            "I'll close Margaret's account right now while you're on the line, so nothing more goes out.",
            "I'll get it closed today so you don't have to think about it again.",
            "I'll shut the account down now, before we hang up.",
            "Margaret's account is closed and nothing will leave her bank from today.",
        ],
    );
    let honest = rules_prepared("transferred-twice")
        .read("The account will be closed within 5 working days.", &[]);
    assert!(!honest.overpromised(), "{:#?}", honest.promises);
    assert_eq!(
        promise_of(&honest, PromiseKind::Cancellation).hours,
        Some(120)
    );

    assert_verdict(
        "double-charge",
        PromiseKind::Refund,
        too_soon,
        &[
            "Honestly the second one is only a pre-authorisation, it'll release itself overnight.",
            "I've refunded the £189.99, it'll show in your balance straight away.",
        ],
    );
    assert_ledger(
        "double-charge",
        false,
        &["The duplicate will drop off your statement within 3 to 5 working days."],
    );

    let forbidden = |verdict: &PromiseVerdict| *verdict == PromiseVerdict::Forbidden;
    for (scenario, reply) in [
        (
            "double-charge",
            "Rent on Friday can't wait, so I'm marking this as a same-day refund.",
        ),
        (
            "subscription-renewal",
            "The refund's been sped up and will reach you in 24 hours.",
        ),
        (
            "service-outage",
            "I've put you at the front of the repair queue.",
        ),
    ] {
        assert_verdict(scenario, PromiseKind::Expedite, forbidden, &[reply]);
    }
}

/// Asserts, for each reply read by the rules alone in a shipped scenario, whether the ledger
/// reads an over-promise in it.
fn assert_ledger(scenario: &str, overpromised: bool, replies: &[&str]) {
    let prepared = rules_prepared(scenario);
    for reply in replies {
        let reading = prepared.read(reply, &[]);
        assert_eq!(
            reading.overpromised(),
            overpromised,
            "{scenario}: {reply}\n{:#?}",
            reading.promises
        );
    }
}

/// Honest replies the ledger read as over-promises: handing a case on now (the answer comes
/// later), telling how a refund works, putting a call through to a team, acting today for a
/// delivery named later, news of what was cancelled on the customer, and a part that denies
/// its kind after inheriting a frame ("…, can't make it faster").
#[test]
fn handing_on_explaining_and_news_promise_nothing_early() {
    assert_ledger(
        "refund-outside-policy",
        false,
        &[
            "So sorry Maggie, leave it with me, I'm sending it to my team lead right now.",
            "The review takes up to 2 working days; if it's approved, I'll tell you exactly how the refund works and how long it takes.",
        ],
    );
    assert_ledger(
        "transferred-twice",
        false,
        &["I'm going to transfer you to the bereavement team, they deal with this."],
    );
    assert_ledger(
        "late-delivery",
        false,
        &["I'm getting it released from the depot today, and it'll reach you Monday or Tuesday."],
    );
    assert_ledger(
        "cancellation-claim",
        false,
        &["We apologise that the flight has been cancelled."],
    );
    assert_ledger(
        "double-charge",
        false,
        &["ill raise it now, bank shows it mon to next wed, cant make it faster sorry"],
    );
}

/// An assurance said after the fact ("…, no question", "…, trust me") guarantees what it
/// follows, and so does promising another's decision; knowing something for sure later does not.
#[test]
fn an_assurance_after_the_fact_is_a_guarantee() {
    let reply = "I can't guarantee the departure, but the 6:05 will go, no question.";
    assert_ledger("delayed-flight", true, &[reply]);
    promise_of(
        &rules_prepared("delayed-flight").read(reply, &[]),
        PromiseKind::Guarantee,
    );
    assert_ledger(
        "bereavement-change",
        true,
        &[
            "A supervisor will approve a bereavement change for you, they always do in cases like this.",
        ],
    );
    assert_ledger("delayed-flight", false, &["We'll know for sure by 5pm."]);
}

/// A hedged condition before a promise makes it tentative ("If the team lead approves it, you'll
/// get a refund" promises no refund); a condition on the customer's own act does not.
#[test]
fn a_hedged_condition_makes_what_follows_it_tentative() {
    assert_ledger(
        "refund-outside-policy",
        false,
        &[
            "If the team lead approves it, you'll get a refund.",
            "If it's approved, you'll get your money back.",
        ],
    );
    assert_ledger(
        "refund-outside-policy",
        true,
        &["If you send the receipt, I'll refund you today."],
    );
}

/// An assurance vouches for the other commitments of its sentence: "I'll message you within 2
/// working days, I promise" is as honest as the message; beside a decision promised, or alone, it
/// is still a guarantee. A refund's reference or an exception's case number promises neither.
#[test]
fn an_assurance_is_judged_by_what_it_vouches_for() {
    assert_ledger(
        "refund-outside-policy",
        false,
        &[
            "I'll message you with the decision within 2 working days, I promise.",
            "Rest assured I'll put your hospital dates in front of the team lead myself.",
            "I'll email you the exception reference in the next few minutes and message you again by Wednesday with the outcome.",
            "I'll send it up to the team lead now and message you the moment they've decided.",
        ],
    );
    assert_ledger(
        "refund-outside-policy",
        true,
        &[
            "Rest assured, the team lead will approve it.",
            "It'll be fine, I promise.",
        ],
    );
    assert_ledger(
        "double-charge",
        false,
        &[
            "I'll text you the refund reference in the next ten minutes and ring you tomorrow before lunch.",
        ],
    );
}

/// "It" in a sentence with no kind of its own is what arrived in the sentence before: the data
/// added, not the repair the policy is mostly about.
#[test]
fn it_arriving_is_what_the_sentence_before_sent() {
    assert_ledger(
        "service-outage",
        false,
        &["I've added 50 GB of mobile data to your account; it'll be there within 2 hours."],
    );
    assert_ledger(
        "service-outage",
        true,
        &["The engineers are on it. It'll be back by tonight."],
    );
}
