//! QA leads' commands: `import`, `report`, `xapi`, `review`, `calibration` and `team`.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Status;
use crate::cli::{
    CalibrationArgs, CalibrationPeriodArg, CsvRowsArg, DimensionArg, FilterArgs, Format,
    GroupByArg, ImportArgs, PeriodArg, ReportArgs, ReportFormat, TeamAction, TeamArgs, XapiArgs,
};
use rapport::report::calibration::{CalibrationPeriod, calibrate_by, render_calibration};
use rapport::report::hints::filter_hints;
use rapport::report::table::{CsvRows, render_csv, render_table};
use rapport::report::{
    GroupBy, Period, Report, ReportOptions, build_report, html, load_recent, xapi,
};
use rapport::runner::Examiner;
use rapport::scenario::Dimension;
use rapport::store::import::{ImportEvent, collect_transcripts, import_transcripts};
use rapport::store::{Filter, Store, epoch_text};

/// Opens the results store; the statements its outbox queues use `RAPPORT_XAPI_BASE` when set
/// (the server's `--xapi-base`), so command-line reviews and the server's agree.
pub(super) fn open_store(db: Option<&str>) -> anyhow::Result<Store> {
    let mut store = Store::open(db)?;
    if let Ok(base) = std::env::var(XAPI_BASE_ENV)
        && !base.trim().is_empty()
    {
        store.set_xapi_base(base.trim());
    }
    Ok(store)
}

/// The environment variable naming the base IRI of xAPI statements.
const XAPI_BASE_ENV: &str = "RAPPORT_XAPI_BASE";

/// A bar on stderr (drawn only on a terminal).
fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}

/// A spinner on stderr for work of unknown length.
fn spinner(what: &str) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(what.to_owned());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// Writes output to a file (via a temporary file, so a failure leaves any old file whole) or to stdout.
fn emit(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, path))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
                .with_context(|| {
                    format!(
                        "cannot write `{}`; free some space or choose another path with --output",
                        path.display()
                    )
                })?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // The reader (`| head`) has seen enough.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                result => result.context("cannot write to stdout"),
            }
        }
    }
}

/// `rapport import FILES...`.
pub fn import(args: ImportArgs) -> anyhow::Result<Status> {
    let files =
        collect_transcripts(&args.files).context("cannot list the transcripts to import")?;
    if files.is_empty() {
        eprintln!(
            "error: no transcripts (`*.jsonl`) under {}",
            args.files
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(Status::Usage);
    }
    let mut store = open_store(args.db.db.as_deref())?;
    let kit = Examiner::shipped();
    let bar = progress_bar(files.len() as u64, "importing");
    let mut warned = BTreeSet::new();
    let result = import_transcripts(&mut store, &files, &kit, &mut |event| match event {
        ImportEvent::Done(count) => bar.inc(count as u64),
        ImportEvent::Failed(error) => bar.suspend(|| eprintln!("error: {error}")),
        ImportEvent::Warning(warning) => {
            if warned.insert(warning.to_owned()) {
                bar.suspend(|| eprintln!("warning: {warning}"));
            }
        }
    });
    bar.finish_and_clear();
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!(
                "imported {} new session(s) before the failure; they are kept. Run the same `rapport import` again to finish: sessions already stored are skipped.",
                error.summary.added
            );
            return Err(error.source.into());
        }
    };
    if let Some(team) = &args.team {
        for trainee in &summary.trainees {
            store.set_team(trainee, team)?;
        }
    }
    let team = args.team.as_ref().map_or_else(String::new, |t| {
        format!("; {} trainee(s) put in team `{t}`", summary.trainees.len())
    });
    eprintln!(
        "imported {} new session(s), {} already stored, {} failed, into {}{team}",
        summary.added,
        summary.already_stored,
        summary.failed,
        store.location()
    );
    Ok(if summary.failed > 0 {
        Status::Failed
    } else {
        Status::Ok
    })
}

fn filter_of(args: &FilterArgs) -> Filter {
    Filter {
        trainees: args.trainee.clone(),
        teams: args.team.clone(),
        scenarios: args.scenario.clone(),
        since: args.since,
        until: args.until,
    }
}

fn dimension_of(arg: DimensionArg) -> Dimension {
    match arg {
        DimensionArg::Empathy => Dimension::Empathy,
        DimensionArg::Timeliness => Dimension::Timeliness,
        DimensionArg::Expectations => Dimension::Expectations,
        DimensionArg::Ownership => Dimension::Ownership,
    }
}

/// Warns on stderr about filter values that match nothing stored, with the nearest known ones.
fn warn_about_filter(store: &mut Store, filter: &Filter) -> anyhow::Result<()> {
    for hint in filter_hints(store, filter)? {
        eprintln!("warning: {hint}");
    }
    Ok(())
}

fn run_report(store: &mut Store, options: &ReportOptions) -> anyhow::Result<Report> {
    warn_about_filter(store, &options.filter)?;
    let spinner = spinner("reading the results database");
    let report = build_report(store, options, &mut |stage| {
        spinner.set_message(stage.to_owned())
    });
    spinner.finish_and_clear();
    Ok(report?)
}

/// `rapport report`.
pub fn report(args: ReportArgs) -> anyhow::Result<Status> {
    let options = ReportOptions {
        filter: filter_of(&args.filter),
        dimension: args.dimension.map(dimension_of),
        group_by: match args.by {
            GroupByArg::Trainee => GroupBy::Trainee,
            GroupByArg::Team => GroupBy::Team,
            GroupByArg::Scenario => GroupBy::Scenario,
        },
        period: match args.period {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        },
        recent: args.sessions,
    };
    let mut store = open_store(args.filter.db.db.as_deref())?;
    let report = run_report(&mut store, &options)?;
    let text = match args.format {
        ReportFormat::Table => render_table(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        ReportFormat::Csv => render_csv(
            &report,
            match args.rows {
                CsvRowsArg::Groups => CsvRows::Groups,
                CsvRowsArg::Sessions => CsvRows::Sessions,
                CsvRowsArg::Trend => CsvRows::Trend,
                CsvRowsArg::Weakest => CsvRows::Weakest,
                CsvRowsArg::Dimensions => CsvRows::Dimensions,
            },
        ),
        ReportFormat::Html => {
            let spinner = spinner("loading transcripts");
            let sessions = load_recent(&mut store, &report);
            spinner.finish_and_clear();
            html::render_html(&report, &sessions?)
        }
        ReportFormat::Xapi => {
            let revisions = store.score_revisions(&options.filter)?;
            serde_json::to_string_pretty(&xapi::statements(
                &report.sessions,
                &revisions,
                &args.xapi_base,
            ))? + "\n"
        }
    };
    emit(args.output.as_deref(), &text)?;
    Ok(Status::Ok)
}

/// `rapport xapi`.
pub fn xapi(args: XapiArgs) -> anyhow::Result<Status> {
    if let Some(action) = args.action {
        return super::xapi_outbox::run(action, args.filter.db.db.as_deref());
    }
    let mut store = open_store(args.filter.db.db.as_deref())?;
    let filter = filter_of(&args.filter);
    warn_about_filter(&mut store, &filter)?;
    let spinner = spinner("reading sessions");
    let sessions = store.summaries(&filter);
    let revisions = store.score_revisions(&filter);
    spinner.finish_and_clear();
    let statements = xapi::statements(&sessions?, &revisions?, &args.xapi_base);
    emit(
        args.output.as_deref(),
        &(serde_json::to_string_pretty(&statements)? + "\n"),
    )?;
    Ok(Status::Ok)
}

/// `rapport calibration`.
pub fn calibration(args: CalibrationArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.filter.db.db.as_deref())?;
    let filter = filter_of(&args.filter);
    warn_about_filter(&mut store, &filter)?;
    let reviews = store.reviews(&filter)?;
    let period = match args.period {
        CalibrationPeriodArg::Week => CalibrationPeriod::Week,
        CalibrationPeriodArg::Month => CalibrationPeriod::Month,
    };
    let calibration = calibrate_by(&reviews, period);
    if args.json || args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&calibration)?);
    } else if calibration.reviews == 0 {
        println!(
            "No reviews yet. Review a sample of sessions in full (every criterion, agreeing or not) with `rapport review`, then run this again."
        );
    } else {
        print!("{}", render_calibration(&calibration));
    }
    Ok(Status::Ok)
}

/// A membership's dates for people: `since 2026-01-05T08:00:00Z until …`, or `always`.
fn membership_span(since: Option<i64>, until: Option<i64>) -> String {
    match (since, until) {
        (None, None) => "always".to_owned(),
        (Some(since), None) => format!("since {}", epoch_text(since)),
        (None, Some(until)) => format!("until {}", epoch_text(until)),
        (Some(since), Some(until)) => {
            format!("{} – {}", epoch_text(since), epoch_text(until))
        }
    }
}

/// `rapport team`.
pub fn team(args: TeamArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.db.db.as_deref())?;
    match args.action {
        TeamAction::Set {
            trainee,
            team,
            since,
        } => {
            store.set_team_from(&trainee, &team, since)?;
            let from = since.map_or_else(String::new, |s| format!(" from {}", epoch_text(s)));
            eprintln!("`{trainee}` is in team `{team}`{from}");
        }
        TeamAction::Unset { trainee, since } => {
            if !store.unset_team_from(&trainee, since)? {
                eprintln!("`{trainee}` was in no team");
            }
        }
        TeamAction::List { history, json } => {
            let members = if history {
                store.team_history()?
            } else {
                store.teams()?
            };
            if json {
                let list: Vec<serde_json::Value> = members
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "team": m.team,
                            "trainee": m.trainee,
                            "since": m.since.map(epoch_text),
                            "until": m.until.map(epoch_text),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for member in members {
                    if history {
                        println!(
                            "{}\t{}\t{}",
                            member.team,
                            member.trainee,
                            membership_span(member.since, member.until)
                        );
                    } else {
                        println!("{}\t{}", member.team, member.trainee);
                    }
                }
            }
        }
    }
    Ok(Status::Ok)
}
