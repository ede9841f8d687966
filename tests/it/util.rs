//! What the integration tests share: the `rapport` binary run as a user runs it, temporary
//! folders and files, the databases the store suite runs against, and the sample sessions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use rapport::runner::RunResult;
use rapport::store::Store;
use rapport::store::sample::{SampleOptions, sample_sessions};

/// A path inside the crate (`scenarios`, `tests/data/…`), wherever the tests run from.
pub fn crate_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A `rapport` command run in `dir`, with its data and the shipped library set up for tests.
pub fn rapport_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rapport"));
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RAPPORT_HOME", dir.join(".rapport-home"))
        .env("RAPPORT_SCENARIOS", crate_path("scenarios"));
    command
}

/// Runs `rapport` with arguments in a directory; returns the exit code, stdout and stderr.
pub fn rapport(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output: Output = rapport_command(dir)
        .args(args)
        .output()
        .expect("rapport runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fresh temporary folder, removed when dropped.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Writes `text` to `dir/name` and returns the name, to pass on a command line run in `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).expect("write");
    name.to_owned()
}

/// The environment variable holding a PostgreSQL URL for the store suite.
pub const POSTGRES_ENV: &str = "RAPPORT_TEST_POSTGRES";

/// One database to run the suite against; dropping it removes it.
pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The server's URL and the schema made for this database, dropped with it.
    #[cfg_attr(
        not(feature = "postgres"),
        expect(dead_code, reason = "only PostgreSQL databases have a schema")
    )]
    schema: Option<(String, String)>,
}

impl TestDb {
    pub fn open(&self) -> Store {
        Store::open(Some(&self.url)).expect("the test database opens")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Some((base, schema)) = &self.schema
            && let Ok(mut client) = postgres::Client::connect(base, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A fresh SQLite file.
pub fn sqlite_db() -> TestDb {
    let dir = temp();
    TestDb {
        name: "sqlite",
        url: dir.path().join("results.sqlite3").display().to_string(),
        _dir: Some(dir),
        schema: None,
    }
}

/// A fresh schema on the PostgreSQL server named by `RAPPORT_TEST_POSTGRES`, if set.
#[cfg(feature = "postgres")]
pub fn postgres_db() -> Option<TestDb> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let base = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())?;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let schema = format!(
        "rapport_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(&base, postgres::NoTls)
        .expect("RAPPORT_TEST_POSTGRES names a running server");
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .expect("create schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(TestDb {
        name: "postgres",
        url: format!("{base}{separator}options=-csearch_path%3D{schema}"),
        _dir: None,
        schema: Some((base, schema)),
    })
}

/// Without the `postgres` feature there is no PostgreSQL backend to test.
#[cfg(not(feature = "postgres"))]
pub fn postgres_db() -> Option<TestDb> {
    None
}

/// The schema version a freshly opened store reaches on this backend (the backends number their
/// migrations separately).
pub fn latest_schema_version(db: &TestDb) -> i64 {
    if db.name == "sqlite" {
        SQLITE_SCHEMA_VERSION
    } else {
        POSTGRES_SCHEMA_VERSION
    }
}

/// The SQLite store's latest schema version.
pub const SQLITE_SCHEMA_VERSION: i64 = 6;

/// The PostgreSQL store's latest schema version.
pub const POSTGRES_SCHEMA_VERSION: i64 = 5;

/// Every backend under test.
pub fn backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite_db()];
    dbs.extend(postgres_db());
    dbs
}

/// Sixty synthetic sessions of eight trainees over three weeks, made once.
pub fn sample() -> &'static [RunResult] {
    static SAMPLE: OnceLock<Vec<RunResult>> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        sample_sessions(&SampleOptions {
            sessions: 60,
            spacing_secs: 8 * 3600,
            ..SampleOptions::default()
        })
    })
}

/// Writes the sample sessions' transcripts into `dir`, one `.jsonl` file each.
pub fn write_transcripts(dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("dir");
    sample()
        .iter()
        .map(|run| {
            let path = dir.join(format!("{}.jsonl", run.transcript.header.session_id));
            std::fs::write(&path, run.transcript.to_jsonl()).expect("write transcript");
            path
        })
        .collect()
}

/// Runs `rapport` with `--db` naming the test database.
pub fn run_with_db(dir: &Path, db: &TestDb, args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--db", db.url.as_str()]);
    rapport(dir, &all)
}
