//! Criterion benchmarks of the core: validation, the engine, scoring and the analysers.
//!
//! Run with `cargo bench --no-default-features --bench core`; the figures go into the README.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group};

mod common;
use common::{BENCH_REPLIES, play_runs, scored_session, scripted_runs, timed_runs};

/// The allocator the `rapport` binary ships with, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use rapport::library::load_library;
use rapport::runner::Examiner;
use rapport::scenario::{LoadedScenario, ValidateOptions, parse_scenario, validate};

fn library() -> Vec<LoadedScenario> {
    load_library(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).0
}

/// A generated scenario of `beats` beats, each with two options and a reply point every tenth.
fn generated_scenario(beats: usize) -> String {
    let mut text = String::from(
        "Scenario(id: \"generated\", title: \"Generated\", difficulty: Hard, channel: Chat, target_handle_secs: 600,\n\
         persona: (name: \"Gen\", situation: \"s\", meters: (anger: 50, patience: 50, trust: 50)),\n\
         policy: (commitments: [(kind: Refund, allowed: true, terms: \"t\", min_hours: 120, max_hours: 168)]),\n\
         flags: [\"f\"], start: \"b0\", beats: [\n",
    );
    for i in 0..beats {
        let next = if i + 1 == beats {
            "resolved".to_owned()
        } else {
            format!("b{}", i + 1)
        };
        let reply = if i % 10 == 0 {
            format!(
                ", reply: (expects: [Acknowledge], routes: [(when: Said(Apologize), next: \"{next}\")], next: \"{next}\")"
            )
        } else {
            String::new()
        };
        let set = if i == 1 { ", set: [\"f\"]" } else { "" };
        text.push_str(&format!(
            "(id: \"b{i}\", lines: [(id: \"l{i}\", variants: [\"line {i} a\", \"line {i} b\"], when: Not(Flag(\"f\")))]{set}, options: [\
             (id: \"o{i}a\", text: \"good {i}\", score: [(dimension: Empathy, rating: 1)], effects: [Anger(-2)], next: \"{next}\"),\
             (id: \"o{i}b\", text: \"bad {i}\", score: [(dimension: Ownership, rating: -1)], promises: [Refund], next: \"hung-up\")]{reply}),\n"
        ));
    }
    text.push_str(
        "], endings: [(id: \"resolved\", outcome: Resolved), (id: \"hung-up\", outcome: HungUp)])",
    );
    text
}

fn bench_validation(c: &mut Criterion) {
    let text = generated_scenario(500);
    let options = ValidateOptions::default();
    c.bench_function("validate a generated 500-beat scenario", |b| {
        b.iter(|| {
            let loaded = parse_scenario("generated.ron", black_box(&text)).expect("parses");
            black_box(validate(&loaded, &options))
        })
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    c.bench_function("load and validate the shipped library", |b| {
        b.iter(|| {
            let (library, _) = load_library(black_box(&dir));
            for loaded in &library {
                black_box(validate(loaded, &options));
            }
        })
    });
}

fn bench_engine(c: &mut Criterion) {
    let runs = scripted_runs();
    let kit = Examiner::shipped();
    let prepared = timed_runs(&runs, &kit);
    let lines = play_runs(&prepared);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(lines));
    group.bench_function("customer lines through every shipped scripted run", |b| {
        b.iter(|| black_box(play_runs(&prepared)))
    });
    group.finish();

    let mut group = c.benchmark_group("sessions");
    group.throughput(Throughput::Elements(runs.len() as u64));
    group.bench_function("complete scripted sessions with scoring", |b| {
        b.iter(|| {
            for ((loaded, _, _), (scenario, moves, seed)) in runs.iter().zip(&prepared) {
                black_box(scored_session(loaded, scenario, moves, *seed, &kit));
            }
        })
    });
    group.finish();
}

fn bench_build(c: &mut Criterion) {
    c.bench_function("build the shipped analysers", |b| {
        b.iter(|| black_box(rapport::analysis::Analyser::shipped()))
    });
}

fn bench_analyser(c: &mut Criterion) {
    let kit = Examiner::shipped();
    let library = library();
    let prepared = kit.prepare(library.first().expect("a shipped scenario"));
    let mut group = c.benchmark_group("analyser");
    group.throughput(Throughput::Elements(BENCH_REPLIES.len() as u64));
    group.bench_function("free-text replies read", |b| {
        b.iter(|| {
            for reply in BENCH_REPLIES {
                black_box(prepared.read(black_box(reply), &[]));
            }
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_validation,
    bench_engine,
    bench_analyser,
    bench_build
);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
