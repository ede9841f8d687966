//! `rapport xapi send|outbox|retry`: the outbox of reviewed scores from the command line, for teams without the server (or to look at it and retry by hand).

use rapport::store::epoch_text;
use rapport::store::outbox::OutboxEntry;
use rapport::team::{Actor, Team};

use super::Status;
use super::qa::open_store;
use crate::cli::{Format, XapiAction};

/// Runs one outbox action over the store at `db`.
pub fn run(action: XapiAction, db: Option<&str>) -> anyhow::Result<Status> {
    let mut store = open_store(db)?;
    match action {
        #[cfg(feature = "lrs")]
        XapiAction::Send(args) => {
            use rapport::lrs::{LrsAuth, LrsConfig, LrsSender, RetryPolicy};
            let auth = args
                .lrs_auth
                .as_deref()
                .map(str::parse::<LrsAuth>)
                .transpose()?;
            let config = LrsConfig::new(&args.lrs_url, auth)?;
            eprintln!("sending to {}", config.statements_url());
            let sender = LrsSender::new(config, RetryPolicy::default());
            let summary = sender.drain(&mut store, &|| jiff::Timestamp::now().as_second())?;
            let counts = store.outbox_counts()?;
            eprintln!(
                "sent {}, to retry {}, refused {}; the outbox holds {} pending and {} failed",
                summary.sent, summary.retrying, summary.failed, counts.pending, counts.failed
            );
            if counts.failed > 0 {
                eprintln!("`rapport xapi outbox` shows what the LRS answered");
            }
            Ok(if summary.failed > 0 || summary.retrying > 0 {
                Status::Failed
            } else {
                Status::Ok
            })
        }
        XapiAction::Outbox(args) => {
            let counts = store.outbox_counts()?;
            let entries = store.outbox_entries(i64::MAX)?;
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "counts": counts,
                        "statements": entries,
                    }))?
                ),
                Format::Human => {
                    println!(
                        "{} pending, {} sent, {} failed",
                        counts.pending, counts.sent, counts.failed
                    );
                    for entry in &entries {
                        println!("{}", describe(entry));
                    }
                }
            }
            Ok(Status::Ok)
        }
        XapiAction::Retry(args) => {
            let only = if args.all { None } else { args.id };
            let requeued =
                Team::new(&mut store).retry_outbox(&Actor::command_line(), None, only)?;
            if requeued == 0 {
                eprintln!("no failed statement to retry");
                return Ok(Status::Failed);
            }
            eprintln!("{requeued} statement(s) queued again");
            Ok(Status::Ok)
        }
    }
}

/// One line of the outbox: number, state, kind, statement, session, attempts, the last answer.
fn describe(entry: &OutboxEntry) -> String {
    let when = match entry.sent_at {
        Some(at) => format!("sent {}", epoch_text(at)),
        None => format!("queued {}", epoch_text(entry.queued_at)),
    };
    format!(
        "{}\t{}\t{}\t{}\tsession {}\t{} attempt(s)\t{}\t{}",
        entry.id,
        entry.state.label(),
        entry.kind.label(),
        entry.statement_id,
        entry.session_id,
        entry.attempts,
        when,
        entry.last_answer.as_deref().unwrap_or("-")
    )
}
