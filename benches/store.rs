//! Criterion benchmarks of the results store (placeholder while being written).
fn main() {}
