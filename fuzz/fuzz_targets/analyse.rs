//! Fuzz target: A typed reply, read by the analysers as `rapport analyse` reads it.
#![no_main]

mod harness;

use harness::HARNESS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    HARNESS.analyse(data);
});
