//! The integration tests, one binary with a module per area (as uv does), so linking happens once.

mod cli;
mod engine;
mod hostile;
mod labelled;
mod play;
mod qa;
mod scoring;
mod store;
mod watch;
