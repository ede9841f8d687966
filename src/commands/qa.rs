//! QA leads' commands: `import`, `report`, `xapi`, `review`, `calibration` and `team`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Status;
use crate::cli::{
    CalibrationArgs, CsvRowsArg, DimensionArg, FilterArgs, Format, GroupByArg, ImportArgs,
    PeriodArg, ReportArgs, ReportFormat, ReviewArgs, TeamAction, TeamArgs, XapiArgs,
};
use rapport::library::resolve_recorded_scenario;
use rapport::report::calibration::{calibrate, render_calibration};
use rapport::report::review::{ReviewRequest, review_session};
use rapport::report::table::{CsvRows, render_csv, render_table};
use rapport::report::{
    GroupBy, Period, Report, ReportOptions, build_report, html, load_recent, xapi,
};
use rapport::runner::Toolkit;
use rapport::scenario::Dimension;
use rapport::scoring::Rubric;
use rapport::store::import::{ImportEvent, collect_transcripts, import_transcripts};
use rapport::store::{Filter, Store, StoredSession};

fn open_store(db: Option<&str>) -> anyhow::Result<Store> {
    Ok(Store::open(db)?)
}

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
    let kit = Toolkit::shipped();
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

fn run_report(store: &mut Store, options: &ReportOptions) -> anyhow::Result<Report> {
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
            serde_json::to_string_pretty(&xapi::statements(&report.sessions, &args.xapi_base))?
                + "\n"
        }
    };
    emit(args.output.as_deref(), &text)?;
    Ok(Status::Ok)
}

/// `rapport xapi`.
pub fn xapi(args: XapiArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.filter.db.db.as_deref())?;
    let spinner = spinner("reading sessions");
    let sessions = store.summaries(&filter_of(&args.filter));
    spinner.finish_and_clear();
    let statements = xapi::statements(&sessions?, &args.xapi_base);
    emit(
        args.output.as_deref(),
        &(serde_json::to_string_pretty(&statements)? + "\n"),
    )?;
    Ok(Status::Ok)
}

/// The rubric that scored a stored session: `--rubric`, the scenario's, or the shipped one, whichever matches.
fn rubric_for(session: &StoredSession, explicit: Option<&Path>) -> Result<Rubric, String> {
    let card = &session.scorecard;
    if let Some(path) = explicit {
        return Rubric::load(path).map_err(|d| d.message.clone());
    }
    let kit = Toolkit::shipped();
    let header = &session.transcript.header;
    let mut candidates = Vec::new();
    if let Ok(loaded) =
        resolve_recorded_scenario(header.scenario_path.as_deref(), &header.scenario_id)
        && let Ok(rubric) = kit.rubric_for(&loaded)
    {
        candidates.push((*rubric).clone());
    }
    candidates.push((*kit.rubric).clone());
    candidates
        .into_iter()
        .find(|r| r.id == card.rubric_id && r.version == card.rubric_version)
        .ok_or_else(|| {
            format!(
                "the rubric `{}` version {} that scored it is not available; pass its file with --rubric",
                card.rubric_id, card.rubric_version
            )
        })
}

/// `N`, or `na` for not applicable.
fn parse_rating(text: &str) -> Result<Option<i32>, String> {
    match text.to_ascii_lowercase().as_str() {
        "na" | "n/a" => Ok(None),
        other => other.parse::<i32>().map(Some).map_err(|_| {
            format!(
                "`{text}` is not a rating; give a whole number on the criterion's scale, or `na`"
            )
        }),
    }
}

/// `rapport review SESSION`.
pub fn review(args: ReviewArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.db.db.as_deref())?;
    let (Some(criterion), Some(rating)) = (&args.criterion, &args.rating) else {
        return show_review(&mut store, &args.session);
    };
    let rating = match parse_rating(rating) {
        Ok(rating) => rating,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(Status::Usage);
        }
    };
    let Some(reviewer) = args
        .reviewer
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|r| !r.trim().is_empty())
    else {
        eprintln!("error: say who is reviewing with --reviewer NAME (or RAPPORT_REVIEWER)");
        return Ok(Status::Usage);
    };
    let request = ReviewRequest {
        session: args.session.clone(),
        criterion: criterion.clone(),
        rating,
        comment: args.comment.clone(),
        reviewer,
    };
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let explicit = args.rubric.clone();
    let outcome = review_session(&mut store, &request, &now, &|session| {
        rubric_for(session, explicit.as_deref())
    })?;
    let rating = |r: Option<i32>| r.map_or_else(|| "N/A".to_owned(), |r| r.to_string());
    let verdict = |passed: bool| if passed { "pass" } else { "fail" };
    println!(
        "session {}: `{}` {} (machine) → {} ({}); overall {:.1} {} (machine) → {:.1} {} (reviewed)",
        outcome.session_id,
        outcome.criterion,
        rating(outcome.machine_rating),
        rating(outcome.rating),
        request.reviewer,
        outcome.machine_overall,
        verdict(outcome.machine_passed),
        outcome.reviewed_overall,
        verdict(outcome.reviewed_passed)
    );
    Ok(Status::Ok)
}

/// Shows a session's machine and reviewed ratings, and its reviews.
fn show_review(store: &mut Store, prefix: &str) -> anyhow::Result<Status> {
    let id = store.resolve_session(prefix)?;
    let Some(session) = store.load_sessions(std::slice::from_ref(&id))?.pop() else {
        anyhow::bail!("session `{id}` vanished while reading it");
    };
    let s = &session.summary;
    println!(
        "session {} · {} · {} · {} · {}",
        s.session_id, s.trainee, s.scenario_id, s.started_at, s.outcome
    );
    println!(
        "overall {:.1} (machine), {:.1} after review\n",
        s.overall, s.final_overall
    );
    let mut comments: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for review in &session.reviews {
        comments
            .entry(review.criterion.as_str())
            .or_default()
            .push(format!(
                "{} ({}): {} — {}",
                review.reviewer,
                review.reviewed_at,
                review.rating.map_or("N/A".to_owned(), |r| r.to_string()),
                review.comment
            ));
    }
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(vec!["criterion", "scale", "machine", "reviewed", "reviews"]);
    for criterion in &session.scorecard.criteria {
        let reviewed = session
            .reviewed
            .as_ref()
            .and_then(|c| c.criterion(&criterion.id))
            .map_or(criterion.rating, |c| c.rating);
        let show = |r: Option<i32>| r.map_or_else(|| "N/A".to_owned(), |r| r.to_string());
        table.add_row(vec![
            criterion.id.to_string(),
            format!("{}–{}", criterion.min, criterion.max),
            show(criterion.rating),
            show(reviewed),
            comments
                .get(criterion.id.as_str())
                .map_or_else(String::new, |c| c.join("\n")),
        ]);
    }
    println!("{table}");
    Ok(Status::Ok)
}

/// `rapport calibration`.
pub fn calibration(args: CalibrationArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.filter.db.db.as_deref())?;
    let reviews = store.reviews(&filter_of(&args.filter))?;
    let calibration = calibrate(&reviews);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&calibration)?),
        Format::Human => {
            if calibration.reviews == 0 {
                println!(
                    "No reviews yet. Review a sample of sessions in full (every criterion, agreeing or not) with `rapport review`, then run this again."
                );
            } else {
                print!("{}", render_calibration(&calibration));
            }
        }
    }
    Ok(Status::Ok)
}

/// `rapport team`.
pub fn team(args: TeamArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.db.db.as_deref())?;
    match args.action {
        TeamAction::Set { trainee, team } => {
            store.set_team(&trainee, &team)?;
            eprintln!("`{trainee}` is in team `{team}`");
        }
        TeamAction::Unset { trainee } => {
            if !store.unset_team(&trainee)? {
                eprintln!("`{trainee}` was in no team");
            }
        }
        TeamAction::List => {
            for member in store.teams()? {
                println!("{}\t{}", member.team, member.trainee);
            }
        }
    }
    Ok(Status::Ok)
}
