//! Tests of the learned reader as shipped: it is the model the trainer makes from the committed
//! labelled replies, and it revises readings with the words it rests on.

use std::path::Path;

use super::corpus;
use super::train;
use super::*;
use crate::analysis::Analyser;
use crate::analysis::Reading;

/// Retraining from the committed labelled sets gives the committed model, byte for byte: the
/// model is never edited by hand and never stale.
#[test]
fn the_shipped_model_is_the_trained_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let paths = corpus::training_paths(root);
    assert!(paths.len() >= 20, "the labelled sets are found: {paths:?}");
    let sets = corpus::load(root, &paths).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let rules = Analyser::shipped().without_reader();
    let data = train::examples(&rules, &sets);
    let trained = train::model_file(&data, train::SHIPPED_SETTINGS, "en");
    let shipped = SHIPPED_MODELS[0].2;
    assert!(
        trained == shipped,
        "scenarios/models/en.reader.txt is not what the trainer makes from the labelled sets: \
         retrain with `cargo run --release --no-default-features --example train_reader`"
    );
}

/// The missed replies, read in the shipped `double-charge` call.
fn read_in_double_charge(analyser: &Analyser, reply: &str) -> Reading {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/double-charge.ron");
    let scenario = crate::scenario::load_scenario(&path)
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
        .scenario;
    analyser.read(
        reply,
        &crate::analysis::ReplyContext::for_scenario(&scenario),
    )
}

/// What the model adds, the rules alone did not read, and it quotes the reply's own words with
/// the reason.
#[test]
fn the_reader_adds_what_the_rules_missed_with_its_words() {
    let shipped = Analyser::shipped();
    let rules = Analyser::shipped().without_reader();
    let reply = "Two days, tops, and you'll have it back";
    assert!(!read_in_double_charge(&rules, reply).overpromised());
    let reading = read_in_double_charge(&shipped, reply);
    assert!(reading.overpromised(), "{reading:#?}");
    let learned = reading
        .findings
        .iter()
        .find(|f| f.rule == "learned-over-promise")
        .unwrap_or_else(|| panic!("{reading:#?}"));
    assert!(reply.contains(learned.matched.as_str()), "{learned:?}");
    assert!(
        learned
            .note
            .starts_with("learned: read as over-promise from \""),
        "{learned:?}"
    );
}

/// A reply the rules read well keeps its reading: the model changes only where it is sure.
#[test]
fn the_reader_leaves_a_plain_reading_alone() {
    let reply = "I'm really sorry, Kwame. I'll raise the duplicate refund now; banks take 3 to 5 \
                 working days to show it.";
    let shipped = read_in_double_charge(&Analyser::shipped(), reply);
    let rules = read_in_double_charge(&Analyser::shipped().without_reader(), reply);
    assert_eq!(shipped, rules);
}
