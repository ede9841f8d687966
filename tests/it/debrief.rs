//! The debrief, fair at the edges (issue 17): critical over-promises are still named among the
//! costliest moments, an over-promise is never a strength, and the customer's own words are not
//! jargon.

use rapport::engine::Move;
use rapport::runner::{Examiner, RunResult, run_moves, scripted_setup};
use rapport::scenario::LoadedScenario;
use rapport::scoring::{Debrief, render_debrief};
use rapport::script::ScriptedMove;

use super::util::crate_path;

/// Plays moves through a shipped scenario (`after` seconds before each) and builds the debrief.
fn debrief_of(scenario: &str, after: f64, moves: &[Move]) -> (Debrief, RunResult, LoadedScenario) {
    debrief_of_edited(scenario, after, moves, |_| {})
}

/// [`debrief_of`] with the scenario changed first (`edit`), as a trainer's copy would be.
fn debrief_of_edited(
    scenario: &str,
    after: f64,
    moves: &[Move],
    edit: impl Fn(&mut rapport::scenario::Scenario),
) -> (Debrief, RunResult, LoadedScenario) {
    let kit = Examiner::shipped();
    let path = crate_path("scenarios").join(format!("{scenario}.ron"));
    let mut loaded = rapport::scenario::load_scenario(&path).expect("scenario");
    edit(&mut loaded.scenario);
    let moves: Vec<ScriptedMove> = moves
        .iter()
        .map(|action| ScriptedMove {
            after,
            action: action.clone(),
        })
        .collect();
    let result = run_moves(
        &loaded,
        kit.prepare(&loaded),
        &kit.rubric,
        &scripted_setup(1, "t"),
        &moves,
        None,
    )
    .expect("runs");
    let debrief = kit.debrief(&result.transcript, &loaded, &kit.rubric);
    (debrief, result, loaded)
}

/// The turns whose moves carry a bad observation under a criterion.
fn turns_hurting(debrief: &Debrief, criterion: &str) -> Vec<usize> {
    let mut turns: Vec<usize> = debrief
        .scorecard
        .criteria
        .iter()
        .filter(|c| c.id == criterion)
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.finding.polarity == rapport::analysis::Polarity::Bad)
        .map(|e| e.turn)
        .collect();
    turns.dedup();
    turns
}

/// The call failed critically on `expectations.no-overpromise`.
fn assert_failed_on_overpromise(debrief: &Debrief, text: &str) {
    assert!(
        debrief
            .scorecard
            .critical_failures
            .iter()
            .any(|c| c == "expectations.no-overpromise"),
        "{text}"
    );
}

#[test]
fn critical_over_promises_in_two_turns_are_both_named_with_a_better_reply() {
    let (debrief, _, _) = debrief_of(
        "late-delivery",
        60.0,
        &[
            Move::Choose(1),
            Move::Say("I guarantee it'll be with you tomorrow by express.".to_owned()),
            Move::Choose(1),
            // "Leave it with me. I'll upgrade it to express and it'll definitely be with you on
            // Friday": rated an over-promise by the scenario.
            Move::Choose(2),
            Move::Choose(1),
            Move::Choose(1),
        ],
    );
    let text = render_debrief(&debrief);
    assert_failed_on_overpromise(&debrief, &text);
    let overpromised = turns_hurting(&debrief, "expectations.no-overpromise");
    assert!(overpromised.len() >= 2, "{overpromised:?}\n{text}");
    for turn in overpromised {
        let moment = debrief
            .costly
            .iter()
            .find(|m| m.turn == turn)
            .unwrap_or_else(|| panic!("turn {turn} is not among the costliest:\n{text}"));
        assert!(moment.points > 0.0, "{text}");
        assert!(moment.better.is_some(), "{text}");
    }
}

/// Whether two quotes of one reply share words (one holds the other).
fn overlapping(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && (a.contains(b) || b.contains(a))
}

/// No strength rests on the words of an over-promise made in the same turn.
fn assert_no_overpromise_is_a_strength(debrief: &Debrief) {
    let text = render_debrief(debrief);
    let overpromises: Vec<_> = debrief
        .scorecard
        .criteria
        .iter()
        .filter(|c| c.id == "expectations.no-overpromise")
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.finding.polarity == rapport::analysis::Polarity::Bad)
        .collect();
    assert!(!overpromises.is_empty(), "{text}");
    for strength in &debrief.strengths {
        for overpromise in &overpromises {
            assert!(
                !(strength.turn == overpromise.turn
                    && overlapping(&strength.finding.matched, &overpromise.finding.matched)),
                "an over-promise is listed under what went well: {:?}\n{text}",
                strength.finding
            );
        }
    }
    let turns: Vec<usize> = overpromises.iter().map(|e| e.turn).collect();
    for entry in &debrief.scorecard.ledger {
        if turns.contains(&entry.turn)
            && overpromises
                .iter()
                .any(|e| overlapping(&entry.promise.quote, &e.finding.matched))
        {
            assert!(
                entry.promise.verdict.is_overpromise(),
                "an over-promise is in the ledger as {:?} {:?}\n{text}",
                entry.promise.kind,
                entry.promise.verdict
            );
        }
    }
}

#[test]
fn an_option_rated_an_over_promise_is_never_an_allowed_promise_or_a_strength() {
    // "I'll refund the fee and add fifty pounds for the trouble, and it'll all be with you by
    // tomorrow morning": rated an over-promise, and it declares a Compensation the policy allows.
    let (debrief, _, _) = debrief_of(
        "double-charge",
        15.0,
        &[
            Move::Choose(1),
            Move::Say(
                "I'm so sorry, Kwame. The duplicate is refunded in full and reaches your bank in \
                 3 to 5 working days; I'll call you tomorrow to confirm it has been sent."
                    .to_owned(),
            ),
            Move::Choose(3),
            Move::Choose(1),
        ],
    );
    assert_no_overpromise_is_a_strength(&debrief);
}

#[test]
fn a_free_text_over_promise_is_never_a_strength() {
    let (debrief, _, _) = debrief_of(
        "late-delivery",
        60.0,
        &[
            Move::Choose(1),
            Move::Say("I guarantee it'll be with you tomorrow by express.".to_owned()),
            Move::Choose(2),
            Move::Choose(1),
            Move::Choose(1),
        ],
    );
    assert_no_overpromise_is_a_strength(&debrief);
}

/// A free-text compensation over the policy's amount (late-delivery allows a £15 voucher) is a
/// critical over-promise: named among the costliest moments with a better reply, in the ledger
/// as over the cap, never as an allowed compensation, and never a strength.
#[test]
fn a_compensation_over_the_cap_is_an_over_promise_named_with_a_better_reply() {
    let (debrief, _, _) = debrief_of(
        "late-delivery",
        60.0,
        &[
            Move::Choose(1),
            Move::Say("As a goodwill gesture I can pop a £25 voucher on your account.".to_owned()),
            Move::Choose(2),
            Move::Choose(1),
            Move::Choose(1),
        ],
    );
    let text = render_debrief(&debrief);
    assert_failed_on_overpromise(&debrief, &text);
    let compensation: Vec<_> = debrief
        .scorecard
        .ledger
        .iter()
        .filter(|e| {
            e.promise.kind == rapport::scenario::PromiseKind::Compensation
                && e.promise.quote.contains("£25")
        })
        .collect();
    assert!(!compensation.is_empty(), "{text}");
    for entry in &compensation {
        assert!(
            matches!(
                entry.promise.verdict,
                rapport::analysis::PromiseVerdict::OverCap { .. }
            ),
            "{:?}\n{text}",
            entry.promise.verdict
        );
    }
    assert!(
        text.contains("Compensation — more than policy allows (at most £15)"),
        "{text}"
    );
    let turn = compensation[0].turn;
    let moment = debrief
        .costly
        .iter()
        .find(|m| m.turn == turn)
        .unwrap_or_else(|| panic!("turn {turn} is not among the costliest:\n{text}"));
    assert!(moment.points > 0.0 && moment.better.is_some(), "{text}");
    assert_no_overpromise_is_a_strength(&debrief);
}

/// The jargon findings of a debrief's scorecard, by the words they quote.
fn jargon_quotes(debrief: &Debrief) -> Vec<String> {
    debrief
        .scorecard
        .criteria
        .iter()
        .filter(|c| c.id == "expectations.plain-language")
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.finding.polarity == rapport::analysis::Polarity::Bad)
        .map(|e| e.finding.matched.to_lowercase())
        .collect()
}

#[test]
fn the_customers_own_words_are_not_jargon() {
    let moves = [
        Move::Choose(1),
        Move::Say(
            "I'm so sorry, Kwame. I can see the chargeback you mentioned; the duplicate is \
             refunded in full and reaches your bank in 3 to 5 working days."
                .to_owned(),
        ),
    ];
    // As shipped, the customer never says "chargeback": the trainee's "chargeback" is jargon.
    let (shipped, _, _) = debrief_of("double-charge", 15.0, &moves);
    assert!(
        jargon_quotes(&shipped)
            .iter()
            .any(|q| q.contains("chargeback")),
        "{}",
        render_debrief(&shipped)
    );
    // When the customer has said it first, it is their word, not jargon.
    let (echoed, _, _) = debrief_of_edited("double-charge", 15.0, &moves, |scenario| {
        for variant in scenario.beats[0]
            .lines
            .iter_mut()
            .flat_map(|l| l.variants.iter_mut())
        {
            *variant = format!("{variant} My bank says I should raise a Chargeback.").into();
        }
    });
    assert!(
        !jargon_quotes(&echoed)
            .iter()
            .any(|q| q.contains("chargeback")),
        "{}",
        render_debrief(&echoed)
    );
}
