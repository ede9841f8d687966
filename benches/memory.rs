//! Measures the heap each live session holds beyond the shared scenario and analysers.
//!
//! Run with `cargo bench --no-default-features --bench memory`. It counts live bytes with a
//! wrapping allocator, so it lives apart from the timing benchmarks, whose allocator it would slow.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};

use rapport::engine::Session;

mod common;
use common::scripted_runs;

/// Counts live heap bytes so the benchmark can report memory per session.
struct CountingAllocator;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// How many sessions are held alive at once to measure memory per session.
const LIVE_SESSIONS: usize = 1000;

/// Reports the heap held per live session, beyond the shared scenario and analysers.
fn report_session_memory() {
    let runs = scripted_runs();
    let kit = rapport::runner::Examiner::shipped();
    let scenarios: Vec<Arc<rapport::analysis::PreparedScenario>> =
        runs.iter().map(|(l, _, _)| kit.prepare(l)).collect();
    let play = |index: usize| {
        let (_, moves, seed) = &runs[index % runs.len()];
        let (mut session, opening) =
            Session::start(Arc::clone(&scenarios[index % runs.len()]), *seed);
        drop(opening);
        let mut at = 0u64;
        for m in moves {
            at += (m.after * 1000.0) as u64;
            let _ = session.apply(at, &m.action);
        }
        session
    };
    // Play each run once first, so what is made once and shared is not counted per session.
    for index in 0..runs.len() {
        drop(play(index));
    }
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let live: Vec<Session> = (0..LIVE_SESSIONS).map(play).collect();
    let held = LIVE_BYTES.load(Ordering::Relaxed) - before;
    eprintln!(
        "memory per live session ({LIVE_SESSIONS} held at once, every shipped scripted run): {} bytes on average",
        held / LIVE_SESSIONS as isize
    );
    drop(live);
}

fn main() {
    report_session_memory();
}
