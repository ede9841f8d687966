//! Fuzz target: A test plan, parsed, its delays checked, and its runs made and checked as `rapport test` does.
#![no_main]

mod harness;

use harness::HARNESS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    HARNESS.test_plan(data);
});
