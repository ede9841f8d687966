//! The command line: clap types for every `rapport` subcommand, each with an example in its help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Train and check the people who answer angry customers.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about, long_about = None, after_help = "Run `rapport` with no command to open the game; `rapport play late-delivery` to play in the terminal.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output format for commands that report to people or tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Graph languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphLanguage {
    Mermaid,
    Dot,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the game window.
    #[command(after_help = "Example:\n  rapport gui")]
    Gui,

    /// Play a scenario in the terminal, on a real clock.
    #[command(
        after_help = "Examples:\n  rapport play late-delivery --trainee ana\n  rapport play scenarios/double-charge.ron --seed 7\n\nDuring the call: type a number to pick an option, type text to reply,\nor /hold SECS, /unhold, /transfer warm|cold, /escalate, /end, /status, /help."
    )]
    Play {
        /// Scenario id, file name in the library, or path to a `.ron` file.
        scenario: String,
        /// Who is playing (recorded in the transcript and the store).
        #[arg(long, default_value = "trainee", env = "RAPPORT_TRAINEE")]
        trainee: String,
        /// Seed for line variants; random when left out.
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the transcript (default: the data directory).
        #[arg(long)]
        transcript: Option<PathBuf>,
        /// Resume an interrupted transcript instead of starting afresh.
        #[arg(long, conflicts_with_all = ["seed", "transcript"])]
        resume: Option<PathBuf>,
        /// Results database: a SQLite path or a postgres:// URL.
        #[arg(long, env = "RAPPORT_DB")]
        db: Option<String>,
        /// Do not store the session in the results database.
        #[arg(long)]
        no_store: bool,
    },

    /// List the scenario library.
    #[command(after_help = "Examples:\n  rapport list\n  rapport list --format json")]
    List {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },

    /// Check scenario files: syntax, types and every semantic rule.
    #[command(
        after_help = "Examples:\n  rapport validate scenarios/\n  rapport validate my-scenario.ron --format json\n\nExit status: 0 clean (or warnings only), 1 errors found, 2 unreadable input."
    )]
    Validate {
        /// Scenario files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },

    /// Write a valid, commented starter scenario.
    #[command(
        after_help = "Example:\n  rapport new \"Broken Kettle\"   # writes broken-kettle.ron"
    )]
    New {
        /// The scenario's title; the file and id are made from it.
        name: String,
        /// Where to write it (default: `<id>.ron` in the current directory).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },

    /// Export a scenario's beat graph.
    #[command(
        after_help = "Examples:\n  rapport graph scenarios/late-delivery.ron --format mermaid\n  rapport graph scenarios/late-delivery.ron --format dot | dot -Tsvg > graph.svg"
    )]
    Graph {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphLanguage::Mermaid)]
        format: GraphLanguage,
    },

    /// Run test plans (`*.testplan.ron`) and report pass/fail.
    #[command(
        after_help = "Examples:\n  rapport test\n  rapport test scenarios/late-delivery.testplan.ron --format json"
    )]
    Test {
        /// Plans or directories (default: the library).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },

    /// Play a scripted trainee headlessly and print the outcome and scorecard.
    #[command(
        after_help = "Example:\n  rapport run late-delivery --script model.script.ron --json"
    )]
    Run {
        scenario: String,
        /// A `Script(...)` RON file of timed moves.
        #[arg(long)]
        script: PathBuf,
        /// Print JSON instead of the debrief.
        #[arg(long)]
        json: bool,
        /// Also write the transcript here.
        #[arg(long)]
        transcript: Option<PathBuf>,
        #[arg(long, env = "RAPPORT_DB")]
        db: Option<String>,
        /// Do not store the session in the results database.
        #[arg(long)]
        no_store: bool,
    },

    /// Re-run a transcript and check the engine reproduces it exactly.
    #[command(
        after_help = "Example:\n  rapport replay ~/.local/share/rapport/transcripts/3f2a….jsonl"
    )]
    Replay {
        transcript: PathBuf,
        /// The scenario file (default: the path recorded in the transcript, else the library).
        #[arg(long)]
        scenario: Option<String>,
    },

    /// Show how one reply is read: findings per dimension and the promise ledger.
    #[command(
        after_help = "Examples:\n  rapport analyse \"I'm so sorry, Maria. I'll call you back by 5 today.\"\n  rapport analyse \"We'll refund you today\" --scenario refund-outside-policy --json"
    )]
    Analyse {
        reply: String,
        /// Check promises against this scenario's policy and use its customer's name.
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long)]
        json: bool,
    },

    /// Score a stored transcript.
    #[command(
        after_help = "Example:\n  rapport score session.jsonl --rubric scenarios/default.rubric.ron --json"
    )]
    Score {
        transcript: PathBuf,
        #[arg(long)]
        rubric: Option<PathBuf>,
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long)]
        json: bool,
    },

    /// Compare two rubric versions over many transcripts, criterion by criterion.
    #[command(
        after_help = "Example:\n  rapport rescore --old rubric-v1.rubric.ron --new rubric-v2.rubric.ron transcripts/*.jsonl"
    )]
    Rescore {
        #[arg(long)]
        old: PathBuf,
        #[arg(long)]
        new: PathBuf,
        #[arg(required = true)]
        transcripts: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },

    /// Print shell completions.
    #[command(after_help = "Example:\n  rapport completions bash > /etc/bash_completion.d/rapport")]
    Completions { shell: clap_complete::Shell },
}
