//! The command line: clap types for every `rapport` subcommand, each with an example in its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    #[command(after_help = "Examples:\n  rapport gui\n  rapport gui --seed 7")]
    Gui {
        /// Start every call from this seed (the same lines each time) instead of a fresh one.
        #[arg(long, env = "RAPPORT_SEED")]
        seed: Option<u64>,
    },

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
        #[arg(long, env = "RAPPORT_DB", value_parser = parse_db_location)]
        db: Option<String>,
        /// Do not store the session in the results database.
        #[arg(long)]
        no_store: bool,
        /// Play no sound (the ring, hold music, mood cues and voice lines).
        #[arg(long)]
        mute: bool,
        /// Sound volume, 0 to 100.
        #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(u8).range(0..=100))]
        volume: u8,
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
        /// Validate again on every save under the paths, printing only what changed.
        #[arg(long, conflicts_with = "format")]
        watch: bool,
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
        after_help = "Examples:\n  rapport test\n  rapport test scenarios/late-delivery.testplan.ron --format json\n  rapport test --coverage scenarios/\n  rapport test --min-coverage 80 scenarios/"
    )]
    Test {
        /// Plans or directories (default: the library).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Run the plans again on every save under the paths, printing only the runs that changed.
        #[arg(long, conflicts_with_all = ["format", "coverage", "min_coverage"])]
        watch: bool,
        /// Also list, per scenario, the beats, options and endings no plan's run reaches
        /// (scenarios under a directory that no plan plays are listed whole).
        #[arg(long)]
        coverage: bool,
        /// With the coverage, exit 1 when a scenario's share of beats, options and endings
        /// reached is below this percentage (implies --coverage).
        #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
        min_coverage: Option<u8>,
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
        #[arg(long, env = "RAPPORT_DB", value_parser = parse_db_location)]
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
        after_help = "Examples:\n  rapport analyse \"I'm so sorry, Maria. I'll call you back by 5 today.\"\n  rapport analyse \"We'll refund you today\" --scenario refund-outside-policy --json\n  rapport analyse \"It's cancelled as of this minute\" --scenario transferred-twice --rules-only"
    )]
    Analyse {
        reply: String,
        /// Check promises against this scenario's policy and use its customer's name.
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long)]
        json: bool,
        /// Read with the rules alone, without the learned reader, to see what each contributes.
        #[arg(long)]
        rules_only: bool,
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

    /// Load transcripts made elsewhere into the results database (importing twice changes nothing).
    #[command(
        after_help = "Examples:\n  rapport import ~/exports/*.jsonl\n  rapport import transcripts/ --team north --db postgres://qa@db.example.org/rapport"
    )]
    Import(ImportArgs),

    /// Report on stored sessions: averages, pass rates, trends, weakest criteria, IQS.
    #[command(
        after_help = "Examples:\n  rapport report\n  rapport report --team north --since 2026-01-01 --by trainee\n  rapport report --format html -o report.html\n  rapport report --format csv --rows sessions > sessions.csv\n  rapport report --format xapi > statements.json"
    )]
    Report(ReportArgs),

    /// Print xAPI statements of stored sessions for a learning record store, or send the outbox of reviewed scores to one.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  rapport xapi --since 2026-01-01 --xapi-base https://lms.example.org | curl -X POST -H 'X-Experience-API-Version: 1.0.3' -H 'Content-Type: application/json' -u KEY:SECRET --data @- https://lrs.example.org/xapi/statements\n  RAPPORT_LRS_AUTH=KEY:SECRET rapport xapi send --lrs-url https://lrs.example.org/xapi/\n  rapport xapi outbox\n  rapport xapi retry --all"
    )]
    Xapi(XapiArgs),

    /// Rate criteria of a stored session (QA review), adjudicate, retract, or show its ratings, evidence and reviews.
    #[command(
        after_help = "Examples:\n  rapport review 3f2a9c            # ratings, the evidence quotes behind them, every review\n  rapport review 3f2a9c --criterion empathy.apology --rating 4 --comment \"Apology was sincere\" --reviewer dana\n  rapport review 3f2a9c --rate empathy.apology=4 --rate timeliness.hold=na --reviewer dana\n  rapport review 3f2a9c --template > card.json && rapport review 3f2a9c --file card.json\n  rapport review 3f2a9c --criterion empathy.apology --rating 2 --kind adjudication --reviewer lead\n  rapport review 3f2a9c --retract 17 --reason \"rated the wrong session\""
    )]
    Review(ReviewArgs),

    /// Show a stored session: transcript, scorecard with the quotes behind each rating, reviews.
    #[command(
        after_help = "Examples:\n  rapport show 3f2a9c\n  rapport show 3f2a9c --json\n  rapport show 3f2a9c --transcript 3f2a9c.jsonl   # `-` for stdout; re-importable"
    )]
    Show(ShowArgs),

    /// Agreement between the machine and reviewers, and between reviewers: percent and Cohen's kappa.
    #[command(
        after_help = "Examples:\n  rapport calibration --since 2026-01-01\n  rapport calibration --team north --json --period week"
    )]
    Calibration(CalibrationArgs),

    /// Map trainees to teams, for `rapport report --team`.
    #[command(
        after_help = "Examples:\n  rapport team set ana north\n  rapport team set ana south --since 2026-03-01   # her sessions before March stay in north\n  rapport team list --history --json\n  rapport team unset ana"
    )]
    Team(TeamArgs),

    /// Accounts of the team server: add, list, change a role, deactivate, set a password.
    #[command(
        after_help = "Roles: admin, qa-lead, reviewer, trainer, trainee (what each may do: docs/team.md).\n\nExamples:\n  rapport user add root --role admin\n  rapport user add ana --role trainee --display \"Ana López\"   # her sessions are stored as `ana`\n  printf '%s\\n' \"$PASSWORD\" | rapport user add bo --role reviewer --password-stdin\n  rapport user set-role bo qa-lead\n  rapport user deactivate bo\n  rapport user password ana\n  rapport user list --json"
    )]
    User(UserArgs),

    /// Start the team web application: reviewers, trainers, trainees and QA leads in a browser.
    #[cfg(feature = "server")]
    #[command(
        after_help = "Examples:\n  rapport serve                                   # http://127.0.0.1:8080 over the default SQLite store\n  rapport serve --db postgres://rapport@db/rapport --bind 0.0.0.0:8080 --base-url https://qa.example.com --trust-forwarded-for\n  rapport serve --bind 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n\nCreate the first account with `rapport user add NAME --role admin`. See docs/team-server.md."
    )]
    Serve(ServeArgs),
}

/// `rapport serve`.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, env = "RAPPORT_BIND", default_value = rapport::serve::config::DEFAULT_BIND)]
    pub bind: String,
    /// The address people open (https://… behind a TLS proxy makes cookies Secure); default http://BIND.
    #[arg(long, env = "RAPPORT_BASE_URL")]
    pub base_url: Option<String>,
    /// A PEM certificate chain, to serve HTTPS directly (with --tls-key).
    #[arg(long, env = "RAPPORT_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "RAPPORT_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Take the client's address from X-Forwarded-For (only behind a reverse proxy that sets it), for login throttling and the audit log.
    #[arg(long, env = "RAPPORT_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Send reviewed scores to this learning record store (its xAPI endpoint, e.g. https://lrs.example.org/xapi/).
    #[arg(long, env = "RAPPORT_LRS_URL")]
    pub lrs_url: Option<String>,
    /// HTTP Basic credentials for the LRS, `KEY:SECRET` (better in the environment than on the command line).
    #[arg(
        long,
        env = "RAPPORT_LRS_AUTH",
        hide_env_values = true,
        requires = "lrs_url"
    )]
    pub lrs_auth: Option<String>,
    /// Base IRI of xAPI activities, extensions and accounts (default: the base URL).
    #[arg(long, env = "RAPPORT_XAPI_BASE")]
    pub xapi_base: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// The results database flag shared by the QA commands.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Results database: a SQLite path or a postgres:// URL (default: rapport.sqlite3 in the data directory).
    #[arg(long, env = "RAPPORT_DB", global = true, value_parser = parse_db_location)]
    pub db: Option<String>,
}

/// `rapport import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Transcript files (`.jsonl`) or directories holding them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Also put every trainee of the imported sessions in this team.
    #[arg(long)]
    pub team: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// A dimension on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DimensionArg {
    Empathy,
    Timeliness,
    Expectations,
    Ownership,
}

/// What report rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    Trainee,
    Team,
    Scenario,
}

/// Trend buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for the terminal.
    Table,
    Csv,
    Json,
    /// One self-contained HTML file with charts and transcripts.
    Html,
    /// xAPI statements (JSON) for a learning record store.
    Xapi,
}

/// Which table a CSV report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvRowsArg {
    Groups,
    Sessions,
    Trend,
    Weakest,
    Dimensions,
}

/// Which sessions a report or calibration covers.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only these trainees (repeatable).
    #[arg(long)]
    pub trainee: Vec<String>,
    /// Only trainees in these teams (repeatable; see `rapport team`).
    #[arg(long)]
    pub team: Vec<String>,
    /// Only these scenario ids (repeatable).
    #[arg(long)]
    pub scenario: Vec<String>,
    /// Sessions started on or after this date (`2026-01-31`) or RFC 3339 time.
    #[arg(long, value_parser = parse_since)]
    pub since: Option<i64>,
    /// Sessions started on or before this date, or before this RFC 3339 time.
    #[arg(long, value_parser = parse_until)]
    pub until: Option<i64>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// A results database location: never empty, since an empty SQLite path is a temporary database
/// that keeps nothing.
fn parse_db_location(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err(rapport::store::EMPTY_LOCATION_HELP.to_owned());
    }
    Ok(text.to_owned())
}

fn parse_since(text: &str) -> Result<i64, String> {
    rapport::report::parse_date_bound(text, false).map_err(|e| e.to_string())
}

fn parse_until(text: &str) -> Result<i64, String> {
    rapport::report::parse_date_bound(text, true).map_err(|e| e.to_string())
}

/// `rapport report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only this dimension's scores and criteria.
    #[arg(long, value_enum)]
    pub dimension: Option<DimensionArg>,
    /// Group rows by trainee, team or scenario.
    #[arg(long, value_enum, default_value_t = GroupByArg::Trainee)]
    pub by: GroupByArg,
    /// Trend buckets.
    #[arg(long, value_enum, default_value_t = PeriodArg::Week)]
    pub period: PeriodArg,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// The table a CSV holds.
    #[arg(long, value_enum, default_value_t = CsvRowsArg::Groups)]
    pub rows: CsvRowsArg,
    /// How many of the newest sessions to list (and drill into, in HTML).
    #[arg(long, default_value_t = 20)]
    pub sessions: usize,
    /// Write the report here instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Base IRI of xAPI activities, extensions and accounts.
    #[arg(long, env = "RAPPORT_XAPI_BASE", default_value = rapport::report::xapi::DEFAULT_BASE)]
    pub xapi_base: String,
}

/// `rapport xapi`.
#[derive(Debug, Args)]
pub struct XapiArgs {
    #[command(subcommand)]
    pub action: Option<XapiAction>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Write the statements here instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Base IRI of xAPI activities, extensions and accounts.
    #[arg(long, env = "RAPPORT_XAPI_BASE", default_value = rapport::report::xapi::DEFAULT_BASE)]
    pub xapi_base: String,
}

/// `rapport xapi send|outbox|retry`: the outbox of reviewed scores (docs/team-server.md, "Learning record store").
#[derive(Debug, Subcommand)]
pub enum XapiAction {
    /// Send the queued statements (reviewed scores, and the voiding of the ones they replace) to a learning record store, once.
    #[cfg(feature = "lrs")]
    Send(XapiSendArgs),
    /// List the queued statements: pending, sent, and failed with the LRS's answer.
    Outbox(XapiOutboxArgs),
    /// Queue statements the LRS refused again (audited), after fixing what it refused.
    Retry(XapiRetryArgs),
}

/// `rapport xapi send`.
#[cfg(feature = "lrs")]
#[derive(Debug, Args)]
pub struct XapiSendArgs {
    /// The LRS's xAPI endpoint, e.g. https://lrs.example.org/xapi/ (statements go to its `statements` resource).
    #[arg(long, env = "RAPPORT_LRS_URL")]
    pub lrs_url: String,
    /// HTTP Basic credentials for the LRS, `KEY:SECRET` (better in the environment than on the command line).
    #[arg(long, env = "RAPPORT_LRS_AUTH", hide_env_values = true)]
    pub lrs_auth: Option<String>,
}

/// `rapport xapi outbox`.
#[derive(Debug, Args)]
pub struct XapiOutboxArgs {
    /// How to print it.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// `rapport xapi retry`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["id", "all"])))]
pub struct XapiRetryArgs {
    /// The number of the failed statement (`rapport xapi outbox` lists them).
    pub id: Option<i64>,
    /// Every failed statement.
    #[arg(long)]
    pub all: bool,
}

/// What a review is for (docs/qa.md, "Human review").
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewKindArg {
    /// A reviewer's own rating (counts in calibration).
    Rating,
    /// A lead's final word where reviewers disagree: it wins over every rating.
    Adjudication,
    /// An override after a trainee disputed the score: it wins, and stays out of calibration.
    Dispute,
}

/// `rapport review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The session id, or enough of its start to be unique.
    pub session: String,
    /// The criterion to rate (`empathy.apology`); without it, `--rate` or `--file`, the session's ratings, evidence and reviews are shown.
    #[arg(long, requires = "rating", conflicts_with_all = ["file", "retract"])]
    pub criterion: Option<String>,
    /// The rating on the criterion's scale, or `na` for not applicable.
    #[arg(long, requires = "criterion")]
    pub rating: Option<String>,
    /// Rate a criterion: `CRITERION=RATING` (`empathy.apology=4`, `timeliness.hold=na`); repeat for several, stored together.
    #[arg(long, value_name = "CRITERION=RATING", conflicts_with_all = ["criterion", "file", "retract"])]
    pub rate: Vec<String>,
    /// Rate a whole scorecard from a JSON file: `{"ratings": [{"criterion": "empathy.apology", "rating": 4, "comment": "…"}, …]}` (`"na"` for not applicable); `--template` prints one to fill in.
    #[arg(long, conflicts_with = "retract")]
    pub file: Option<PathBuf>,
    /// Print a `--file` scorecard for this session with every criterion at the machine's rating, to edit.
    #[arg(long, conflicts_with_all = ["criterion", "rate", "file", "retract"])]
    pub template: bool,
    /// Why (applies to every rating of the command without its own comment).
    #[arg(long, default_value = "")]
    pub comment: String,
    /// What the review is: a plain rating, an adjudication, or a dispute override.
    #[arg(long, value_enum, default_value_t = ReviewKindArg::Rating)]
    pub kind: ReviewKindArg,
    /// Retract the review with this number (shown by `rapport review SESSION`); it stays stored, marked.
    #[arg(long, value_name = "REVIEW", requires = "reason")]
    pub retract: Option<i64>,
    /// Why the review is retracted.
    #[arg(long, requires = "retract")]
    pub reason: Option<String>,
    /// Who is reviewing.
    #[arg(long, env = "RAPPORT_REVIEWER")]
    pub reviewer: Option<String>,
    /// The rubric that scored the session, when it is not the scenario's or the shipped one.
    #[arg(long)]
    pub rubric: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `rapport show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The session id, or enough of its start to be unique.
    pub session: String,
    /// Print the session as JSON.
    #[arg(long, conflicts_with = "transcript")]
    pub json: bool,
    /// Write the session's JSONL transcript to FILE (`-` for stdout) instead.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Calibration's time buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalibrationPeriodArg {
    Week,
    Month,
}

/// `rapport calibration`.
#[derive(Debug, Args)]
pub struct CalibrationArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The same as `--format json`.
    #[arg(long)]
    pub json: bool,
    /// The buckets of each reviewer's agreement over time.
    #[arg(long, value_enum, default_value_t = CalibrationPeriodArg::Month)]
    pub period: CalibrationPeriodArg,
}

/// `rapport team`.
#[derive(Debug, Args)]
pub struct TeamArgs {
    #[command(subcommand)]
    pub action: TeamAction,
    #[command(flatten)]
    pub db: DbArgs,
}

/// What `rapport team` does.
#[derive(Debug, Subcommand)]
pub enum TeamAction {
    /// Put a trainee in a team from now (or `--since`); their sessions before that stay in their old team. A first team covers every earlier session.
    Set {
        trainee: String,
        team: String,
        /// When the membership starts: a date (`2026-01-31`) or an RFC 3339 time.
        #[arg(long, value_parser = parse_since)]
        since: Option<i64>,
    },
    /// Take a trainee out of their team from now (or `--since`); their earlier sessions keep it.
    Unset {
        trainee: String,
        /// When the membership ends: a date or an RFC 3339 time.
        #[arg(long, value_parser = parse_since)]
        since: Option<i64>,
    },
    /// List trainees by team (`team<TAB>trainee`; with `--history`, every membership with its dates).
    List {
        /// Every membership, past and current, with its start and end.
        #[arg(long)]
        history: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `rapport user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
    #[command(flatten)]
    pub db: DbArgs,
}

/// A role of the team server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    QaLead,
    Reviewer,
    Trainer,
    Trainee,
}

/// What `rapport user` does.
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account; the password is read from the terminal without echo (or one line of standard input with --password-stdin).
    Add {
        /// The login name (letters, digits, `.`, `_`, `-`, `@`; stored in lowercase).
        login: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// For a trainee, the name their sessions are stored under (default: the login).
        #[arg(long)]
        trainee: Option<String>,
        /// The name shown on pages (default: the login).
        #[arg(long = "display")]
        display: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts (`login<TAB>role<TAB>trainee<TAB>active|inactive<TAB>display name`).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Give an account another role (the last active admin keeps theirs).
    SetRole {
        login: String,
        #[arg(value_enum)]
        role: RoleArg,
        /// With the trainee role: the name their sessions are stored under (default: the login).
        #[arg(long)]
        trainee: Option<String>,
    },
    /// Deactivate an account: it can no longer log in, its web sessions end, its history stays.
    Deactivate { login: String },
    /// Activate a deactivated account again.
    Activate { login: String },
    /// Set an account's password (its web sessions end).
    Password {
        login: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}
