//! Tests of the learned reader as shipped: it is the model the trainer makes from the committed
//! labelled replies, and it revises readings with the words it rests on.

use std::path::Path;

use super::corpus;
use super::train;
use super::*;
use crate::analysis::Analyser;

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
