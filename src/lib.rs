//! Rapport: train and check the people who answer angry customers.
//!
//! The core is plain Rust with no Bevy: scenarios (RON) are loaded and validated, the engine runs
//! a session with a reacting customer, the analysers read free-text replies, the scorer turns a
//! transcript into an evidence-backed scorecard, and the store keeps every session for QA leads.
//! The terminal player, the CLI, the tests and the Bevy GUI all drive the same core.

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
#[cfg(feature = "audio")]
pub mod audio;
pub mod coverage;
pub mod engine;
pub mod files;
pub mod fuzzing;
pub mod library;
pub mod logging;
#[cfg(feature = "lrs")]
pub mod lrs;
pub mod paths;
pub mod play;
pub mod reload;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod scoring;
pub mod script;
#[cfg(feature = "server")]
pub mod serve;
pub mod store;
pub mod team;
pub mod transcript;
pub mod verify;

/// An error with its causes, one after another (`cannot open …: permission denied`), for
/// warnings that go on rather than fail.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        line.push_str(": ");
        line.push_str(&inner.to_string());
        cause = inner.source();
    }
    line
}
