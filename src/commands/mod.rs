//! Subcommand dispatch and what every command shares: exit statuses and printing diagnostics.

mod authoring;
mod coverage;
mod qa;
mod review;
mod runs;
#[cfg(feature = "server")]
mod serve;
mod show;
mod user;
mod watch;
mod xapi_outbox;

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use rapport::scenario::Diagnostic;

/// The documented exit statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything passed.
    Ok,
    /// The command ran and found failures (validation errors, failed tests, a diverging replay).
    Failed,
    /// The input could not be read or the command line was wrong.
    Usage,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Ok => ExitCode::SUCCESS,
            Status::Failed => ExitCode::from(1),
            Status::Usage => ExitCode::from(2),
        }
    }
}

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> anyhow::Result<Status> {
    let Some(command) = cli.command else {
        return runs::gui(None);
    };
    // The game logs through Bevy's own log; every other command through the CLI's.
    if !matches!(command, Command::Gui { .. }) {
        rapport::logging::init();
    }
    if prints_without_storing(&command) {
        end_quietly_on_closed_pipe();
    }
    match command {
        Command::Gui { seed } => runs::gui(seed),
        Command::Play {
            scenario,
            trainee,
            seed,
            transcript,
            resume,
            db,
            no_store,
            mute,
            volume,
        } => runs::play(
            &scenario,
            rapport::play::PlayOptions {
                trainee,
                seed,
                transcript,
                resume,
                muted: mute,
                volume: f32::from(volume) / 100.0,
            },
            runs::Destination::of(db, no_store),
        ),
        Command::List { format } => authoring::list(format),
        Command::Validate {
            paths,
            deny_warnings,
            watch: true,
            ..
        } => authoring::validate_watching(&paths, deny_warnings),
        Command::Validate {
            paths,
            format,
            deny_warnings,
            watch: false,
        } => authoring::validate(&paths, format, deny_warnings),
        Command::New {
            name,
            output,
            force,
        } => authoring::new(&name, output, force),
        Command::Graph { file, format } => authoring::graph(&file, format),
        Command::Test {
            paths, watch: true, ..
        } => runs::test_watching(paths),
        Command::Test {
            paths,
            format,
            watch: false,
            coverage,
            min_coverage,
        } => runs::test(
            paths,
            format,
            (coverage || min_coverage.is_some()).then_some(coverage::Goal {
                min_percent: min_coverage,
            }),
        ),
        Command::Run {
            scenario,
            script,
            json,
            transcript,
            db,
            no_store,
        } => runs::run(
            &scenario,
            &script,
            json,
            transcript,
            runs::Destination::of(db, no_store),
        ),
        Command::Replay {
            transcript,
            scenario,
        } => runs::replay(&transcript, scenario.as_deref()),
        Command::Analyse {
            reply,
            scenario,
            json,
            rules_only,
        } => runs::analyse(&reply, scenario.as_deref(), json, rules_only),
        Command::Score {
            transcript,
            rubric,
            scenario,
            json,
        } => runs::score(&transcript, rubric.as_deref(), scenario.as_deref(), json),
        Command::Rescore {
            old,
            new,
            transcripts,
            json,
        } => runs::rescore(&old, &new, &transcripts, json),
        Command::Import(args) => qa::import(args),
        Command::Report(args) => qa::report(args),
        Command::Xapi(args) => qa::xapi(args),
        Command::Review(args) => review::review(args),
        Command::Show(args) => show::show(args),
        Command::Calibration(args) => qa::calibration(args),
        Command::Team(args) => qa::team(args),
        Command::User(args) => user::user(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::serve(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "rapport", &mut std::io::stdout());
            Ok(Status::Ok)
        }
    }
}

/// Whether a command only reads files and prints (no results database, no transcript of its own
/// being written): such a command may simply end when its reader goes away.
fn prints_without_storing(command: &Command) -> bool {
    matches!(
        command,
        Command::List { .. }
            | Command::Validate { .. }
            | Command::Graph { .. }
            | Command::Test { .. }
            | Command::Replay { .. }
            | Command::Analyse { .. }
            | Command::Score { .. }
            | Command::Rescore { .. }
            | Command::Completions { .. }
            | Command::Xapi(crate::cli::XapiArgs {
                action: Some(crate::cli::XapiAction::Outbox(_)),
                ..
            })
    )
}

/// Lets a closed pipe on stdout (`rapport analyse sorry --json | head -1`) end the process
/// quietly, as it ends `cat`. Rust ignores SIGPIPE, so each `println!` after the reader left
/// would panic (exit 101). Commands that store (`run` once its session is stored, the QA
/// commands) are left to handle their own errors, so a store is never cut short by a signal.
pub fn end_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: `signal` with `SIG_DFL` only restores the default, process-wide disposition of
    // SIGPIPE: no handler of ours runs, so nothing can observe a half-done state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Whether stderr gets colour: a terminal, and `NO_COLOR` unset.
pub fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Prints a diagnostic to stderr, rendered like rustc.
pub fn report(diagnostic: &Diagnostic) {
    eprint!("{}", diagnostic.render(color()));
}
