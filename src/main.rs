//! The `rapport` binary: parses the command line once and hands each subcommand to the library.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

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
