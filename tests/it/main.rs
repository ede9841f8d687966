//! The integration tests, one binary with a module per area (as uv does), so linking happens once.

mod authoring;
mod cli;
mod debrief;
mod engine;
mod fuzz_corpus;
mod hostile;
mod ids;
mod import_property;
mod labelled;
mod plans;
mod play;
mod qa;
mod reviews;
mod scoring;
#[cfg(feature = "server")]
mod serve;
mod store;
mod team;
mod util;
mod validated_runs;
mod watch;
mod workflow;
