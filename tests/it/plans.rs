//! Every shipped test plan pinned as snapshots: each run's scorecard (with every rating's reason
//! and evidence) and its debrief as the trainee reads it, so a change that alters a score, a
//! note or a debrief line shows up in review rather than slipping through the plans' ranges.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use rapport::runner::{Examiner, collect_plans, run_moves, scripted_setup};
use rapport::scenario::load::load_ron;
use rapport::scenario::load_scenario;
use rapport::scoring::render_debrief;
use rapport::script::TestPlan;

use super::util::crate_path;

/// Every run of one plan: its scorecard as JSON and its debrief as text.
fn plan_runs_pinned(plan_path: &Path, kit: &Examiner) -> String {
    let (plan, _) = load_ron::<TestPlan>(plan_path).expect("the shipped plan loads");
    let folder = plan_path.parent().expect("a plan lies in a folder");
    let loaded = load_scenario(&folder.join(&plan.scenario)).expect("its scenario loads");
    let rubric = kit.rubric_for(&loaded).expect("its rubric loads");
    let prepared = kit.prepare(&loaded);
    let mut pinned = String::new();
    for run in &plan.runs {
        let result = run_moves(
            &loaded,
            Arc::clone(&prepared),
            &rubric,
            &scripted_setup(run.seed, &run.trainee),
            &run.moves,
            None,
        )
        .unwrap_or_else(|error| panic!("`{}` runs: {error}", run.name));
        let debrief = kit.debrief(&result.transcript, &loaded, &rubric);
        let scorecard = serde_json::to_string_pretty(&result.scorecard).expect("serialises");
        let _ = writeln!(
            pinned,
            "=== {}\n--- scorecard\n{scorecard}\n--- debrief\n{}",
            run.name,
            render_debrief(&debrief)
        );
    }
    pinned
}

#[test]
fn every_shipped_plans_scorecards_and_debriefs_are_as_pinned() {
    let kit = Examiner::shipped();
    let plans = collect_plans(&[crate_path("scenarios")]);
    assert!(plans.len() >= 8, "the shipped plans are found: {plans:?}");
    for plan_path in plans {
        let file = plan_path.file_name().expect("a file").to_string_lossy();
        let name = file.trim_end_matches(".testplan.ron").to_owned();
        let pinned = plan_runs_pinned(&plan_path, &kit);
        insta::assert_snapshot!(format!("plan_{name}"), pinned);
    }
}
