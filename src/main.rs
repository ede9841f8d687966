//! The `rapport` binary (placeholder until the CLI lands).
fn main() {}
