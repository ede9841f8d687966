//! The harness every target shares, prepared once: the shipped analysers, rubric and scenarios.

use std::path::Path;
use std::sync::LazyLock;

use rapport::fuzzing::Harness;

pub static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    Harness::load(&scenarios).expect("the shipped scenarios load")
});
