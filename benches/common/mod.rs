//! What the core benchmarks share: the scripted runs of every shipped test plan.

use std::path::Path;

use rapport::runner::collect_plans;
use rapport::scenario::LoadedScenario;
use rapport::scenario::load::load_ron;
use rapport::script::{ScriptedMove, TestPlan};

/// The scripted runs of every shipped test plan, with their scenarios.
pub fn scripted_runs() -> Vec<(LoadedScenario, Vec<ScriptedMove>, u64)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut runs = Vec::new();
    for plan_path in collect_plans(&[dir]) {
        let Ok((plan, _)) = load_ron::<TestPlan>(&plan_path) else {
            continue;
        };
        let Ok(loaded) = rapport::scenario::load_scenario(
            &plan_path
                .parent()
                .unwrap_or(Path::new("."))
                .join(&plan.scenario),
        ) else {
            continue;
        };
        for run in plan.runs {
            runs.push((loaded.clone(), run.moves, run.seed));
        }
    }
    runs
}
