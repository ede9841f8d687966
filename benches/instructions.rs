//! Fixed rounds of the core benchmarks' workloads, to count instructions under callgrind, which
//! do not vary with the machine's load as times do.
//!
//! ```sh
//! cargo bench --no-default-features --bench instructions --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/instructions-* sessions 21
//! ```
//!
//! The workload is `replies` (every free-text reply of the shipped test plans, read with its
//! scenario's context), `bench-replies` (the eight short replies of the criterion benchmark), `lines` (the scripted runs through the engine alone) or `sessions` (the
//! scripted runs recorded and scored). Instructions per item are the difference between two
//! round counts, both at least 1, over the difference in items (the driver prints the items of a
//! round), so the set-up (building the analysers, loading the library) and the first round's
//! warming of the search caches cancel out.

use std::hint::black_box;
use std::sync::Arc;

use rapport::engine::Move;
use rapport::runner::Examiner;

mod common;
use common::{BENCH_REPLIES, play_runs, scored_session, scripted_runs, timed_runs};

/// The allocator the `rapport` binary ships with, so the counts are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: instructions replies|bench-replies|lines|sessions ROUNDS";
    let workload = args.next().expect(usage);
    let rounds: u64 = args.next().and_then(|r| r.parse().ok()).expect(usage);
    let runs = scripted_runs();
    let kit = Examiner::shipped();
    let prepared = timed_runs(&runs, &kit);
    let items = match workload.as_str() {
        "replies" => {
            let replies: Vec<(&Arc<rapport::analysis::PreparedScenario>, &str)> = runs
                .iter()
                .zip(&prepared)
                .flat_map(|((_, moves, _), (scenario, _, _))| {
                    moves.iter().filter_map(move |m| match &m.action {
                        Move::Say(text) => Some((scenario, text.as_str())),
                        _ => None,
                    })
                })
                .collect();
            for _ in 0..rounds {
                for (scenario, reply) in &replies {
                    black_box(scenario.read(black_box(reply), &[]));
                }
            }
            replies.len() as u64
        }
        "bench-replies" => {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
            let library = rapport::library::load_library(&dir).0;
            let scenario = kit.prepare(library.first().expect("a shipped scenario"));
            for _ in 0..rounds {
                for reply in BENCH_REPLIES {
                    black_box(scenario.read(black_box(reply), &[]));
                }
            }
            BENCH_REPLIES.len() as u64
        }
        "lines" => {
            for _ in 0..rounds {
                black_box(play_runs(&prepared));
            }
            // Counted once more outside the rounds: the same for every round count, so it
            // cancels out of the difference.
            play_runs(&prepared)
        }
        "sessions" => {
            for _ in 0..rounds {
                for ((loaded, _, _), (scenario, moves, seed)) in runs.iter().zip(&prepared) {
                    black_box(scored_session(loaded, scenario, moves, *seed, &kit));
                }
            }
            runs.len() as u64
        }
        _ => panic!("{usage}"),
    };
    println!("{workload}: {rounds} round(s) of {items} item(s)");
}
