//! Retrains the learned reader from the labelled sets and writes `scenarios/models/en.reader.txt`;
//! with `--report`, also prints leave-one-context-out figures: the rules alone against the rules
//! with the model, per folder of labelled files and overall.
//!
//! ```sh
//! cargo run --release --no-default-features --example train_reader [-- --report]
//! ```

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use rapport::analysis::Analyser;
use rapport::analysis::model::corpus;
use rapport::analysis::model::linear::{LABEL_COUNT, Label};
use rapport::analysis::model::train::{self, Comparison, Tally};

/// Where the English model is written, relative to the crate root.
const MODEL_FILE: &str = "scenarios/models/en.reader.txt";

fn main() -> ExitCode {
    let report = std::env::args().any(|a| a == "--report");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let paths = corpus::training_paths(root);
    let sets = match corpus::load(root, &paths) {
        Ok(sets) => sets,
        Err(diagnostic) => {
            eprintln!("{}", diagnostic.render(false));
            return ExitCode::FAILURE;
        }
    };
    let rules = Analyser::shipped().without_reader();
    let data = train::examples(&rules, &sets);
    // `--try epochs,rate,l2,min_count` reports other settings without writing the model.
    let tried = std::env::args()
        .skip_while(|a| a != "--try")
        .nth(1)
        .and_then(|s| settings_from(&s));
    if let Some(settings) = tried {
        let held_out = train::held_out_probabilities(&data, settings);
        print_comparison(
            &format!("{settings:?}"),
            &train::compare(&data, &held_out, |_| true),
        );
        return ExitCode::SUCCESS;
    }
    let text = train::model_file(&data, train::SHIPPED_SETTINGS, "en");
    if let Err(error) = std::fs::write(root.join(MODEL_FILE), &text) {
        eprintln!("cannot write {MODEL_FILE}: {error}");
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {MODEL_FILE}: {} replies, {} files, {} contexts",
        data.examples.len(),
        data.files.len(),
        data.groups.len()
    );
    if report {
        let held_out = train::held_out_probabilities(&data, train::SHIPPED_SETTINGS);
        let folders: BTreeSet<String> = data.files.iter().map(|f| folder(f)).collect();
        for name in &folders {
            let comparison =
                train::compare(&data, &held_out, |e| folder(&data.files[e.file]) == *name);
            print_comparison(name, &comparison);
        }
        let new_sets = "tests/data/train";
        let pooled = train::compare(&data, &held_out, |e| {
            data.files[e.file].starts_with(new_sets)
        });
        print_comparison(&format!("{new_sets} (pooled)"), &pooled);
        print_comparison("all", &train::compare(&data, &held_out, |_| true));
    }
    ExitCode::SUCCESS
}

/// Settings written `epochs,rate,l2,min_count`.
fn settings_from(text: &str) -> Option<train::Settings> {
    let parts: Vec<&str> = text.split(',').collect();
    let [epochs, rate, l2, min_count] = parts.as_slice() else {
        return None;
    };
    Some(train::Settings {
        epochs: epochs.parse().ok()?,
        rate: rate.parse().ok()?,
        l2: l2.parse().ok()?,
        min_count: min_count.parse().ok()?,
        ..train::SHIPPED_SETTINGS
    })
}

/// The folder a labelled file is in (its figures are reported together).
fn folder(path: &str) -> String {
    Path::new(path)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn print_comparison(name: &str, comparison: &Comparison) {
    println!(
        "\n{name}: {} replies, held out by context",
        comparison.replies
    );
    println!(
        "{:<14} {:>5} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6}",
        "label", "gold", "P", "R", "F1", "P+m", "R+m", "F1+m"
    );
    for label in Label::ALL {
        let (r, c) = (
            comparison.rules[label.index()],
            comparison.combined[label.index()],
        );
        println!(
            "{:<14} {:>5} | {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3}",
            label.name(),
            r.true_positive + r.false_negative,
            r.precision(),
            r.recall(),
            r.f1(),
            c.precision(),
            c.recall(),
            c.f1()
        );
    }
    let macro_f1 = |t: &[Tally; LABEL_COUNT]| Comparison::macro_f1(t);
    println!(
        "{:<14} {:>5} | {:>20.3} | {:>20.3}",
        "macro-F1",
        "",
        macro_f1(&comparison.rules),
        macro_f1(&comparison.combined)
    );
}
