//! The integration tests, one binary with a module per area (as uv does), so linking happens once.

mod cli;
mod engine;
mod play;
mod scoring;
mod labelled;
mod qa;
mod store;
