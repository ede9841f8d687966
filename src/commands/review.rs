//! `rapport review`: show a stored session's ratings, evidence and reviews; rate one criterion, several, or a whole scorecard from a file; adjudicate; retract.

use serde_json::json;

use super::Status;
use super::qa::open_store;
use crate::cli::{ReviewArgs, ReviewKindArg};
use rapport::analysis::Polarity;
use rapport::report::review::{
    CriterionRating, RetractRequest, ReviewRequest, criterion_views, recorded_rubric,
    retract_review, review_session,
};
use rapport::report::review_file::{read_review_file, review_template};
use rapport::report::{format_time, format_time_ms};
use rapport::store::{Review, ReviewKind, Store, StoredSession};

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

/// `CRITERION=RATING` of `--rate`.
fn parse_rate(text: &str, comment: &str) -> Result<CriterionRating, String> {
    let Some((criterion, rating)) = text.split_once('=') else {
        return Err(format!(
            "`--rate {text}` needs CRITERION=RATING, like `--rate empathy.apology=4` or `--rate timeliness.hold=na`"
        ));
    };
    Ok(CriterionRating {
        criterion: criterion.trim().to_owned(),
        rating: parse_rating(rating.trim())?,
        comment: comment.to_owned(),
    })
}

fn kind_of(arg: ReviewKindArg) -> ReviewKind {
    match arg {
        ReviewKindArg::Rating => ReviewKind::Rating,
        ReviewKindArg::Adjudication => ReviewKind::Adjudication,
        ReviewKindArg::Dispute => ReviewKind::Dispute,
    }
}

/// Now, to the second, RFC 3339.
fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn show_rating(rating: Option<i32>) -> String {
    rating.map_or_else(|| "N/A".to_owned(), |r| r.to_string())
}

/// `rapport review SESSION …`.
pub fn review(args: ReviewArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.db.db.as_deref())?;
    let ratings: Vec<CriterionRating> = if let Some(file) = &args.file {
        read_review_file(file)?
            .into_iter()
            .map(|mut rated| {
                if rated.comment.is_empty() {
                    rated.comment = args.comment.clone();
                }
                rated
            })
            .collect()
    } else if !args.rate.is_empty() {
        let parsed: Result<Vec<_>, String> = args
            .rate
            .iter()
            .map(|text| parse_rate(text, &args.comment))
            .collect();
        match parsed {
            Ok(ratings) => ratings,
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(Status::Usage);
            }
        }
    } else if let (Some(criterion), Some(rating)) = (&args.criterion, &args.rating) {
        match parse_rating(rating) {
            Ok(rating) => vec![CriterionRating {
                criterion: criterion.clone(),
                rating,
                comment: args.comment.clone(),
            }],
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(Status::Usage);
            }
        }
    } else if args.retract.is_none() {
        return show_review(&mut store, &args.session, args.json, args.template);
    } else {
        Vec::new()
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
    let explicit = args.rubric.clone();
    let lookup = |session: &StoredSession| recorded_rubric(session, explicit.as_deref());
    if let Some(review_id) = args.retract {
        let request = RetractRequest {
            session: args.session.clone(),
            review_id,
            by: reviewer,
            reason: args.reason.clone().unwrap_or_default(),
        };
        let outcome = retract_review(&mut store, &request, &now(), &lookup)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&outcome)?);
        } else {
            println!(
                "session {}: review {} of `{}` retracted by {} ({}); `{}` is now {}; overall {:.1} (machine) → {:.1}{}",
                outcome.session_id,
                outcome.review_id,
                outcome.criterion,
                outcome.retraction.by,
                outcome.retraction.reason,
                outcome.criterion,
                show_rating(outcome.effective_rating),
                outcome.machine_overall,
                outcome.reviewed_overall,
                if outcome.still_reviewed {
                    " (reviewed)"
                } else {
                    " (no review counts any more: the machine's score)"
                }
            );
        }
        return Ok(Status::Ok);
    }
    let request = ReviewRequest {
        session: args.session.clone(),
        ratings,
        reviewer,
        kind: kind_of(args.kind),
    };
    let outcome = review_session(&mut store, &request, &now(), &lookup)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        return Ok(Status::Ok);
    }
    let verdict = |passed: bool| if passed { "pass" } else { "fail" };
    let kind = match outcome.kind {
        ReviewKind::Rating => String::new(),
        other => format!(", {}", other.label()),
    };
    for rated in &outcome.ratings {
        let outranked = if rated.effective_rating == rated.rating {
            String::new()
        } else {
            format!(
                " (an adjudication keeps it at {})",
                show_rating(rated.effective_rating)
            )
        };
        println!(
            "session {}: `{}` {} (machine) → {} ({}{kind}){outranked}",
            outcome.session_id,
            rated.criterion,
            show_rating(rated.machine_rating),
            show_rating(rated.rating),
            outcome.reviewer,
        );
    }
    println!(
        "overall {:.1} {} (machine) → {:.1} {} (reviewed)",
        outcome.machine_overall,
        verdict(outcome.machine_passed),
        outcome.reviewed_overall,
        verdict(outcome.reviewed_passed)
    );
    Ok(Status::Ok)
}

/// One review as a line for people.
fn review_line(review: &Review) -> String {
    let kind = match review.kind {
        ReviewKind::Rating => String::new(),
        other => format!(" [{}]", other.label()),
    };
    let comment = if review.comment.is_empty() {
        String::new()
    } else {
        format!(" — {}", review.comment)
    };
    let retracted = review.retraction.as_ref().map_or_else(String::new, |r| {
        format!(
            " (RETRACTED by {} at {}: {})",
            r.by,
            format_time(&r.at),
            r.reason
        )
    });
    format!(
        "#{} {} {}{kind}: {}{comment}{retracted}",
        review.id,
        review.reviewer,
        format_time(&review.reviewed_at),
        show_rating(review.rating),
    )
}

/// Shows a session's machine and effective ratings, the evidence behind them, and every review.
fn show_review(
    store: &mut Store,
    prefix: &str,
    as_json: bool,
    template: bool,
) -> anyhow::Result<Status> {
    let id = store.resolve_session(prefix)?;
    let Some(session) = store.load_sessions(std::slice::from_ref(&id))?.pop() else {
        anyhow::bail!("session `{id}` vanished while reading it");
    };
    if template {
        print!(
            "{}",
            review_template(session.reviewed.as_ref().unwrap_or(&session.scorecard))
        );
        return Ok(Status::Ok);
    }
    let s = &session.summary;
    if as_json {
        let criteria = criterion_views(&session);
        let value = json!({
            "session_id": s.session_id,
            "trainee": s.trainee,
            "team": s.team,
            "scenario_id": s.scenario_id,
            "started_at": s.started_at,
            "outcome": s.outcome,
            "overall": s.overall,
            "passed": s.passed,
            "reviewed": s.reviewed,
            "final_overall": s.final_overall,
            "final_passed": s.final_passed,
            "criteria": criteria,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(Status::Ok);
    }
    println!(
        "session {} · {} · {} · {} · {}",
        s.session_id,
        s.trainee,
        s.scenario_id,
        format_time(&s.started_at),
        s.outcome
    );
    println!(
        "overall {:.1} (machine), {:.1} after review\n",
        s.overall, s.final_overall
    );
    let views = criterion_views(&session);
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "criterion",
        "scale",
        "machine",
        "effective",
        "reviews",
    ]);
    for view in &views {
        let mut shown = show_rating(view.effective_rating);
        if view.adjudicated {
            shown.push_str(" (adjudicated)");
        } else if view.reviewers_disagree {
            shown.push_str(" (reviewers disagree; the latest counts)");
        }
        let reviews: Vec<String> = view.reviews.iter().map(review_line).collect();
        table.add_row(vec![
            view.criterion.clone(),
            format!("{}–{}", view.min, view.max),
            show_rating(view.machine_rating),
            shown,
            reviews.join("\n"),
        ]);
    }
    println!("{table}");
    println!("\nEvidence (+ good, − poor), by criterion:");
    for view in &views {
        println!(
            "  {} — {} (machine {}): {}",
            view.criterion,
            view.title,
            show_rating(view.machine_rating),
            view.reason
        );
        if view.evidence.is_empty() {
            println!("      (no quoted evidence)");
        }
        for evidence in &view.evidence {
            let sign = match evidence.polarity {
                Polarity::Good => "+",
                Polarity::Bad => "−",
            };
            let quote = if evidence.quote.is_empty() {
                String::new()
            } else {
                format!(": “{}”", evidence.quote)
            };
            println!(
                "    {sign} turn {} at {}{quote} — {}",
                evidence.turn,
                format_time_ms(evidence.at_ms),
                evidence.note
            );
        }
    }
    Ok(Status::Ok)
}
