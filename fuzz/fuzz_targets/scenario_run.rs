//! Fuzz target: Scenario text (then, after a NUL byte, the bytes choosing the moves): loaded, validated, and when it validates run to its end within the engine's bounds.
#![no_main]

mod harness;

use harness::HARNESS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    HARNESS.scenario_run(data);
});
