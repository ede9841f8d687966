//! Fuzz target: A script for `rapport run --script`, parsed, its delays checked, and run on a shipped scenario.
#![no_main]

mod harness;

use harness::HARNESS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    HARNESS.script(data);
});
