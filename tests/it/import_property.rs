//! The store's promise as a property: any set of distinct transcripts, imported in any order, any
//! number of times, into either backend, leaves exactly one stored session each.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use rapport::runner::Examiner;
use rapport::store::Filter;
use rapport::store::import::import_transcripts;

use super::util::{TestDb, crate_path, postgres_db, sample, sqlite_db};

/// How many of the sample's sessions the property draws from.
const SAMPLED: usize = 6;

/// The pool: the sampled sessions, and two scripted runs of one trainee, scenario and seed that
/// differ only in their moves (once given one id, the second was dropped).
const POOL: usize = SAMPLED + 2;

/// Two scripted calls of `double-charge` by `bot` with seed 1: a good one and a hang-up.
fn same_trainee_scenario_and_seed() -> Vec<rapport::transcript::Transcript> {
    use rapport::engine::Move;
    use rapport::script::ScriptedMove;
    let kit = kit();
    let path = crate_path("scenarios/double-charge.ron");
    let loaded = rapport::scenario::load::load_scenario(&path).expect("scenario");
    let moves = |actions: Vec<Move>| -> Vec<ScriptedMove> {
        actions
            .into_iter()
            .map(|action| ScriptedMove { after: 3.0, action })
            .collect()
    };
    [vec![Move::Choose(1), Move::End], vec![Move::End]]
        .into_iter()
        .map(|actions| {
            rapport::runner::run_moves(
                &loaded,
                kit.prepare(&loaded),
                &kit.rubric,
                &rapport::runner::scripted_setup(1, "bot"),
                &moves(actions),
                None,
            )
            .expect("runs")
            .transcript
        })
        .collect()
}

/// The pool's transcripts written to files once, with their session ids.
fn pool() -> &'static (tempfile::TempDir, Vec<(PathBuf, String)>) {
    static POOL_FILES: OnceLock<(tempfile::TempDir, Vec<(PathBuf, String)>)> = OnceLock::new();
    POOL_FILES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let transcripts = sample()[..SAMPLED]
            .iter()
            .map(|run| run.transcript.clone())
            .chain(same_trainee_scenario_and_seed());
        let files = transcripts
            .enumerate()
            .map(|(index, transcript)| {
                let path = dir.path().join(format!("{index}.jsonl"));
                std::fs::write(&path, transcript.to_jsonl()).expect("write");
                (path, transcript.header.session_id.clone())
            })
            .collect();
        (dir, files)
    })
}

fn kit() -> &'static Examiner {
    static KIT: OnceLock<Examiner> = OnceLock::new();
    KIT.get_or_init(Examiner::shipped)
}

/// One import: which pool files (in this order, repeats allowed) into which backend.
#[derive(Debug, Clone)]
struct Import {
    files: Vec<usize>,
    into_postgres: bool,
}

fn imports() -> impl Strategy<Value = Vec<Import>> {
    proptest::collection::vec(
        (proptest::collection::vec(0..POOL, 1..6), any::<bool>()).prop_map(
            |(files, into_postgres)| Import {
                files,
                into_postgres,
            },
        ),
        1..6,
    )
}

fn stored_ids(db: &TestDb) -> Vec<String> {
    let mut ids: Vec<String> = db
        .open()
        .summaries(&Filter::default())
        .expect("summaries")
        .into_iter()
        .map(|s| s.session_id)
        .collect();
    ids.sort();
    ids
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn distinct_transcripts_imported_in_any_order_any_number_of_times_are_stored_once_each(
        plan in imports()
    ) {
        let (_, files) = pool();
        let distinct: BTreeSet<&String> = files.iter().map(|(_, id)| id).collect();
        prop_assert_eq!(distinct.len(), POOL, "every transcript of the pool has its own id");
        let sqlite = sqlite_db();
        // Without a server every import goes to SQLite.
        let postgres = postgres_db();
        let mut expected: [BTreeSet<String>; 2] = [BTreeSet::new(), BTreeSet::new()];
        for import in &plan {
            let on_postgres = import.into_postgres && postgres.is_some();
            let db = if on_postgres { postgres.as_ref().unwrap_or(&sqlite) } else { &sqlite };
            let paths: Vec<PathBuf> = import.files.iter().map(|i| files[*i].0.clone()).collect();
            let mut store = db.open();
            let mut failures = Vec::new();
            let summary = import_transcripts(&mut store, &paths, kit(), &mut |event| {
                if let rapport::store::import::ImportEvent::Failed(error) = event {
                    failures.push(error.to_owned());
                }
            })
            .expect("the import runs");
            prop_assert!(failures.is_empty(), "{:?}", failures);
            let known = &mut expected[usize::from(on_postgres)];
            let new: BTreeSet<&String> = import
                .files
                .iter()
                .map(|i| &files[*i].1)
                .filter(|id| !known.contains(*id))
                .collect();
            prop_assert_eq!(summary.added, new.len());
            prop_assert_eq!(summary.added + summary.already_stored, paths.len());
            prop_assert_eq!(summary.failed, 0);
            known.extend(import.files.iter().map(|i| files[*i].1.clone()));
        }
        let sqlite_expected: Vec<String> = expected[0].iter().cloned().collect();
        prop_assert_eq!(stored_ids(&sqlite), sqlite_expected);
        if let Some(postgres) = &postgres {
            let postgres_expected: Vec<String> = expected[1].iter().cloned().collect();
            prop_assert_eq!(stored_ids(postgres), postgres_expected);
        }
    }
}
