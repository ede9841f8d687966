//! The fuzz corpus, replayed on stable in the normal test run: every committed input of each
//! fuzz target (`fuzz/corpus/TARGET/`), every input that once made it fail
//! (`fuzz/regressions/TARGET/`) and the shipped files that seed it go through the same library
//! entry point the target calls, so what the fuzzer found stays fixed without the nightly
//! toolchain. Fuzzing itself is `scripts/fuzz.sh` (docs/fuzzing.md).

use std::path::{Path, PathBuf};

use rapport::fuzzing::Harness;

/// The files of a folder, sorted (none when it is missing).
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Feeds every input of `target`'s corpus, and the `seeds`, to `run`; returns how many.
fn replay(target: &str, seeds: &[PathBuf], run: impl Fn(&[u8])) -> usize {
    let mut inputs = files_in(&Path::new("fuzz/corpus").join(target));
    inputs.extend(files_in(&Path::new("fuzz/regressions").join(target)));
    inputs.extend_from_slice(seeds);
    for input in &inputs {
        let data = std::fs::read(input).expect("read a corpus input");
        // A panic names the input, so it can be run again alone.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data)));
        if let Err(panic) = outcome {
            std::panic::resume_unwind(Box::new(format!(
                "{target}: {} fails: {}",
                input.display(),
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default()
            )));
        }
    }
    inputs.len()
}

fn harness() -> Harness {
    Harness::load("scenarios".as_ref()).expect("the harness loads")
}

#[test]
fn the_scenario_run_corpus_and_the_shipped_scenarios_run_within_their_bounds() {
    let harness = harness();
    let shipped = files_in(Path::new("scenarios"));
    let count = replay("scenario_run", &shipped, |data| {
        harness.scenario_run(data);
    });
    assert!(count > shipped.len(), "the committed corpus is there");
    // The shipped scenarios themselves validate and run.
    for file in shipped
        .iter()
        .filter(|p| rapport::scenario::load::is_scenario_file(p))
    {
        let data = std::fs::read(file).expect("read");
        assert!(
            harness.scenario_run(&data).is_some(),
            "{} runs",
            file.display()
        );
    }
}

#[test]
fn the_analyse_corpus_reads_without_a_panic() {
    let harness = harness();
    let count = replay("analyse", &[], |data| harness.analyse(data));
    assert!(count > 100, "the committed corpus is there: {count}");
}

#[test]
fn the_transcript_corpus_reads_replays_and_scores_without_a_panic() {
    let harness = harness();
    let count = replay("transcript", &[], |data| harness.transcript(data));
    assert!(count > 10, "the committed corpus is there: {count}");
}

#[test]
fn the_test_plan_corpus_and_the_shipped_plans_run_without_a_panic() {
    let harness = harness();
    let plans: Vec<PathBuf> = files_in(Path::new("scenarios"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".testplan.ron"))
        .collect();
    let count = replay("test_plan", &plans, |data| harness.test_plan(data));
    assert!(count >= plans.len());
}

#[test]
fn the_script_corpus_runs_without_a_panic() {
    let harness = harness();
    let count = replay("script", &[], |data| harness.script(data));
    assert!(count > 10, "the committed corpus is there: {count}");
}
