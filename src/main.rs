//! The `rapport` binary: parses the command line once and hands each subcommand to the library.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the engine and analysers allocate many small strings per turn, and it serves them
/// faster than the system allocator (measured in `benches/core.rs`, which uses it too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            commands::Status::Usage.into()
        }
    }
}
