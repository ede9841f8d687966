//! Fuzz target: A transcript, read, replayed on its scenario, scored and verified as `score` and `import` do.
#![no_main]

mod harness;

use harness::HARNESS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    HARNESS.transcript(data);
});
