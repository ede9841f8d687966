//! What validates runs (issue 21): every shipped scenario, and mutants of them that still validate,
//! run with a random script to their end within the engine's bound on events, without a panic.
//!
//! Mutants change the RON text deterministically from a seed: numbers (timers, effects, limits,
//! hours) become edge values, references (beat, line, flag and ending ids) and variants (meters,
//! comparisons, conditions, outcomes) are swapped for others of the file, and lines are dropped
//! or repeated. Only mutants that validate count. `RAPPORT_MUTANTS` sets how many (see
//! docs/fuzzing.md for the full run's command and figures).

use std::sync::LazyLock;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport::fuzzing::{Harness, MAX_DRIVEN_MOVES, MAX_EVENTS_PER_STEP, drive, random_moves};
use rapport::scenario::{LoadedScenario, parse_scenario};
use regex::Regex;

/// Mutants that validate, in the normal test run: every kind of mutation many times over, in
/// about a minute of a debug build on a shared 2-core machine. The full run of 10,000 (its
/// figures in docs/fuzzing.md) is
/// `RAPPORT_MUTANTS=10000 cargo test --no-default-features --test it validated_runs::mutants`.
const DEFAULT_MUTANTS: usize = 300;

/// Moves in each random script: more than any shipped test plan's run makes.
const SCRIPT_MOVES: usize = 40;

/// Numbers a mutated field may take: the ends of each range that validates and just past them,
/// zeros, and the ends of the integer types.
const EDGE_NUMBERS: [&str; 22] = [
    "0",
    "1",
    "-1",
    "2",
    "5",
    "99",
    "100",
    "101",
    "-100",
    "-101",
    "1000",
    "1001",
    "86400",
    "604800",
    "604801",
    "87600",
    "2147483647",
    "-2147483648",
    "4294967295",
    "0.5",
    "10.0",
    "1e30",
];

struct Shipped {
    path: String,
    text: String,
}

fn shipped() -> Vec<Shipped> {
    let files = rapport::scenario::load::collect_scenario_files(&["scenarios".into()])
        .expect("the shipped scenarios");
    files
        .into_iter()
        .map(|path| Shipped {
            text: std::fs::read_to_string(&path).expect("read"),
            path: path.to_string_lossy().into_owned(),
        })
        .collect()
}

fn harness() -> Harness {
    Harness::load("scenarios".as_ref()).expect("the harness loads")
}

/// The places in a text that a mutation can change, by kind.
struct Places {
    numbers: Vec<(usize, usize)>,
    strings: Vec<(usize, usize)>,
    variants: Vec<(usize, usize)>,
    lines: Vec<(usize, usize)>,
}

/// The patterns of [`places`], compiled once.
static PATTERNS: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    [
        // Not inside identifiers (`v2`): a number starts after a delimiter.
        r"(?:^|[\s(\[,:])(-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?)",
        r#"("(?:[^"\\]|\\.)*")"#,
        r"\b([A-Z][A-Za-z]+)\b",
        r"(?m)^(.*\n)",
    ]
    .map(|re| Regex::new(re).expect("regex"))
});

fn places(text: &str) -> Places {
    let spans = |re: &Regex| -> Vec<(usize, usize)> {
        re.captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| (m.start(), m.end()))
            .collect()
    };
    let [numbers, strings, variants, lines] = &*PATTERNS;
    Places {
        numbers: spans(numbers),
        strings: spans(strings),
        variants: spans(variants),
        lines: spans(lines),
    }
}

/// One mutant of `text`: one to three edits chosen by `rng`.
fn mutate(text: &str, rng: &mut ChaCha8Rng) -> String {
    let mut text = text.to_owned();
    for _ in 0..rng.random_range(1..=3) {
        let at = places(&text);
        let pick = |rng: &mut ChaCha8Rng, v: &[(usize, usize)]| {
            (!v.is_empty()).then(|| v[rng.random_range(0..v.len())])
        };
        let edit = match rng.random_range(0..10) {
            0..=3 => pick(rng, &at.numbers).map(|span| {
                let value = EDGE_NUMBERS[rng.random_range(0..EDGE_NUMBERS.len())];
                (span, value.to_owned())
            }),
            4..=5 => pick(rng, &at.strings)
                .zip(pick(rng, &at.strings))
                .map(|(span, other)| (span, text[other.0..other.1].to_owned())),
            6..=7 => pick(rng, &at.variants)
                .zip(pick(rng, &at.variants))
                .map(|(span, other)| (span, text[other.0..other.1].to_owned())),
            8 => pick(rng, &at.lines).map(|span| (span, String::new())),
            _ => pick(rng, &at.lines).map(|span| (span, text[span.0..span.1].repeat(2))),
        };
        if let Some(((start, end), replacement)) = edit {
            text.replace_range(start..end, &replacement);
        }
    }
    text
}

/// Drives a scenario with a random script from `seed` and checks the run's bounds.
fn run_to_the_end(harness: &Harness, loaded: &LoadedScenario, seed: u64) {
    let moves = random_moves(seed, SCRIPT_MOVES);
    let run = drive(
        loaded,
        harness.kit().prepare(loaded),
        harness.kit(),
        seed,
        &moves,
    );
    // The opening, each move, and the wait to the end: each a step of at most the bound.
    let steps = SCRIPT_MOVES.min(MAX_DRIVEN_MOVES) + 2;
    assert!(
        run.events <= steps * MAX_EVENTS_PER_STEP,
        "{} events",
        run.events
    );
}

#[test]
fn every_shipped_scenario_validates_and_runs_to_its_end_with_random_scripts() {
    let harness = harness();
    for shipped in shipped() {
        let loaded = parse_scenario(&shipped.path, &shipped.text).expect("parses");
        assert!(harness.validates(&loaded), "{} validates", shipped.path);
        for seed in 0..20 {
            run_to_the_end(&harness, &loaded, seed);
        }
    }
}

#[test]
fn mutants_that_validate_run_to_their_end_with_random_scripts() {
    let wanted: usize = std::env::var("RAPPORT_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_MUTANTS);
    let harness = harness();
    let shipped = shipped();
    let started = std::time::Instant::now();
    let (mut validated, mut tried) = (0usize, 0u64);
    while validated < wanted {
        assert!(
            tried < 50 * wanted as u64 + 1000,
            "too few mutants validate: {validated} of {tried}"
        );
        let original = &shipped[tried as usize % shipped.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(tried);
        let text = mutate(&original.text, &mut rng);
        tried += 1;
        if text == original.text {
            continue;
        }
        let Ok(loaded) = parse_scenario(&original.path, &text) else {
            continue;
        };
        if !harness.validates(&loaded) {
            continue;
        }
        validated += 1;
        run_to_the_end(&harness, &loaded, tried);
    }
    eprintln!(
        "validated ⇒ runs: {validated} mutants validated of {tried} made, each run to its end, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
