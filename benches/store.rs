//! Criterion benchmarks of the results store: a report over 100,000 stored sessions, and importing 10,000 transcripts.
//!
//! Run with `cargo bench --no-default-features --bench store`; the figures go into docs/qa.md.
//! The data (a 100,000-session SQLite file and 10,000 transcript files) is made once under the
//! target directory and reused. With `RAPPORT_TEST_POSTGRES` set, the same runs go to PostgreSQL too.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group};
use rapport::report::table::render_table;
use rapport::report::{GroupBy, Period, ReportOptions, build_report, html, load_recent};
use rapport::runner::{Examiner, RunResult};
use rapport::store::import::{collect_transcripts, import_transcripts};
use rapport::store::sample::{SampleOptions, sample_sessions};
use rapport::store::{Filter, SessionRecord, Store};

/// Sessions in the report benchmark.
const REPORT_SESSIONS: usize = 100_000;
/// Transcripts in the import benchmark.
const IMPORT_TRANSCRIPTS: usize = 10_000;
/// Distinct played sessions the 100,000 are copied from.
const DISTINCT: usize = 500;
/// Trainees the sessions are spread over.
const TRAINEES: usize = 50;
/// Sessions per insert transaction while building the data.
const CHUNK: usize = 5_000;

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("store-bench");
    std::fs::create_dir_all(&dir).expect("bench data directory");
    dir
}

/// A copy of a played session as another trainee at another time, with its own id.
fn copy_of(base: &RunResult, index: usize, start: i64, spacing: i64) -> SessionRecord {
    let mut transcript = base.transcript.clone();
    transcript.header.trainee = format!("trainee-{:02}", index % TRAINEES + 1);
    transcript.header.started_at = jiff::Timestamp::from_second(start + index as i64 * spacing)
        .expect("time")
        .to_string();
    transcript.header.session_id = format!(
        "bench{index:08}{}",
        &base.transcript.header.session_id[..16]
    );
    SessionRecord::new(&transcript, &base.scorecard).expect("record")
}

/// Fills a store with `count` sessions spread over twelve weeks.
fn fill(store: &mut Store, count: usize) {
    let base = sample_sessions(&SampleOptions {
        sessions: DISTINCT,
        trainees: TRAINEES,
        ..SampleOptions::default()
    });
    let start = 1_767_600_000;
    let spacing = (84 * 86_400 / count as i64).max(1);
    let mut index = 0;
    while index < count {
        let end = (index + CHUNK).min(count);
        let chunk: Vec<SessionRecord> = (index..end)
            .map(|i| copy_of(&base[i % base.len()], i, start, spacing))
            .collect();
        store.save_records(&chunk).expect("insert");
        index = end;
    }
    for trainee in 0..TRAINEES {
        store
            .set_team(
                &format!("trainee-{:02}", trainee + 1),
                ["north", "south", "east", "west"][trainee % 4],
            )
            .expect("team");
    }
}

/// The 100,000-session SQLite file, made on first use.
fn report_db() -> String {
    let path = data_dir().join(format!("report-{REPORT_SESSIONS}.sqlite3"));
    let url = path.display().to_string();
    let mut store = Store::open(Some(&url)).expect("open");
    let stored = store.summaries(&Filter::default()).expect("count").len();
    if stored != REPORT_SESSIONS {
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{url}{suffix}"));
        }
        let started = Instant::now();
        let mut store = Store::open(Some(&url)).expect("open");
        fill(&mut store, REPORT_SESSIONS);
        eprintln!(
            "made {REPORT_SESSIONS} sessions in {:.1?} ({} MB)",
            started.elapsed(),
            std::fs::metadata(&path).map_or(0, |m| m.len() / 1_000_000)
        );
    }
    url
}

/// The 10,000 transcript files, written on first use.
fn transcripts() -> Vec<PathBuf> {
    let dir = data_dir().join(format!("transcripts-{IMPORT_TRANSCRIPTS}"));
    let existing = collect_transcripts(std::slice::from_ref(&dir)).unwrap_or_default();
    if existing.len() == IMPORT_TRANSCRIPTS {
        return existing;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let started = Instant::now();
    let runs = sample_sessions(&SampleOptions {
        sessions: IMPORT_TRANSCRIPTS,
        trainees: TRAINEES,
        spacing_secs: 600,
        ..SampleOptions::default()
    });
    for run in &runs {
        std::fs::write(
            dir.join(format!("{}.jsonl", run.transcript.header.session_id)),
            run.transcript.to_jsonl(),
        )
        .expect("write");
    }
    eprintln!(
        "played and wrote {} transcripts in {:.1?}",
        runs.len(),
        started.elapsed()
    );
    collect_transcripts(&[dir]).expect("list")
}

fn options() -> ReportOptions {
    ReportOptions {
        filter: Filter::default(),
        dimension: None,
        group_by: GroupBy::Trainee,
        period: Period::Week,
        recent: 20,
    }
}

fn bench_report(c: &mut Criterion, name: &str, url: &str) {
    let mut group = c.benchmark_group(format!("report-{name}"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function(format!("table over {REPORT_SESSIONS} sessions"), |b| {
        b.iter(|| {
            let mut store = Store::open(Some(url)).expect("open");
            let report = build_report(&mut store, &options(), &mut |_| {}).expect("report");
            assert_eq!(report.totals.sessions, REPORT_SESSIONS);
            black_box(render_table(&report))
        });
    });
    group.bench_function(
        format!("html over {REPORT_SESSIONS} sessions, 20 drilled into"),
        |b| {
            b.iter(|| {
                let mut store = Store::open(Some(url)).expect("open");
                let report = build_report(&mut store, &options(), &mut |_| {}).expect("report");
                let sessions = load_recent(&mut store, &report).expect("sessions");
                black_box(html::render_html(&report, &sessions))
            });
        },
    );
    group.bench_function(
        format!("one team, one month, of {REPORT_SESSIONS} sessions"),
        |b| {
            let mut filtered = options();
            filtered.filter.teams = vec!["north".to_owned()];
            filtered.filter.since = Some(1_767_600_000 + 28 * 86_400);
            filtered.filter.until = Some(1_767_600_000 + 56 * 86_400);
            b.iter(|| {
                let mut store = Store::open(Some(url)).expect("open");
                black_box(build_report(&mut store, &filtered, &mut |_| {}).expect("report"))
            });
        },
    );
    group.finish();
}

fn bench_import(c: &mut Criterion, name: &str, fresh_db: &dyn Fn() -> String) {
    let files = transcripts();
    let kit = Examiner::shipped();
    let mut group = c.benchmark_group(format!("import-{name}"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function(format!("{IMPORT_TRANSCRIPTS} transcripts"), |b| {
        b.iter_batched(
            fresh_db,
            |url| {
                let mut store = Store::open(Some(&url)).expect("open");
                let summary =
                    import_transcripts(&mut store, &files, &kit, &mut |_| {}).expect("import");
                assert_eq!(summary.added, IMPORT_TRANSCRIPTS);
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn sqlite_benches(c: &mut Criterion) {
    let url = report_db();
    bench_report(c, "sqlite", &url);
    let dir = data_dir();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let fresh = move || {
        let path = dir.join(format!(
            "import-{}.sqlite3",
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2
        ));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        path.display().to_string()
    };
    bench_import(c, "sqlite", &fresh);
}

/// A URL of the server in `RAPPORT_TEST_POSTGRES`, on a fresh schema.
#[cfg(feature = "postgres")]
fn postgres_schema(base: &str, schema: &str) -> String {
    let mut client = postgres::Client::connect(base, postgres::NoTls)
        .expect("RAPPORT_TEST_POSTGRES names a running server");
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .expect("schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-csearch_path%3D{schema}")
}

#[cfg(not(feature = "postgres"))]
fn postgres_benches(_: &mut Criterion) {
    eprintln!("built without the `postgres` feature: PostgreSQL benchmarks skipped");
}

#[cfg(feature = "postgres")]
fn postgres_benches(c: &mut Criterion) {
    let Some(base) = std::env::var("RAPPORT_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("RAPPORT_TEST_POSTGRES is not set: PostgreSQL benchmarks skipped");
        return;
    };
    let url = postgres_schema(&base, "rapport_bench_report");
    let mut store = Store::open(Some(&url)).expect("open");
    let started = Instant::now();
    fill(&mut store, REPORT_SESSIONS);
    eprintln!(
        "made {REPORT_SESSIONS} PostgreSQL sessions in {:.1?}",
        started.elapsed()
    );
    drop(store);
    bench_report(c, "postgres", &url);
    let fresh = move || postgres_schema(&base, "rapport_bench_import");
    bench_import(c, "postgres", &fresh);
}

criterion_group!(benches, sqlite_benches, postgres_benches);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
