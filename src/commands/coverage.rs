//! `rapport test --coverage`: what no test plan reaches, per scenario, as tables or JSON.

use std::path::PathBuf;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use rapport::coverage::{Coverage, Tally, Unreached, UnreachedKind};
use rapport::scenario::LoadedScenario;
use rapport::scenario::load::{collect_scenario_files, load_scenario};

/// What the trainer asked of the coverage.
#[derive(Debug, Clone, Copy)]
pub struct Goal {
    /// Each scenario must reach at least this share of its beats, options and endings.
    pub min_percent: Option<u8>,
}

impl Goal {
    /// The scenarios whose coverage falls short of the goal.
    pub fn short<'c>(&self, coverages: &'c [Coverage]) -> Vec<&'c Coverage> {
        let Some(min) = self.min_percent else {
            return Vec::new();
        };
        coverages
            .iter()
            .filter(|c| c.percent < f64::from(min))
            .collect()
    }
}

/// The scenarios in the directories among `paths` that load, so the ones no plan plays can be
/// listed too; one that does not load is `rapport validate`'s to report.
pub fn scenarios_beside_plans(paths: &[PathBuf]) -> Vec<LoadedScenario> {
    let dirs: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
    if dirs.is_empty() {
        return Vec::new();
    }
    let files = collect_scenario_files(&dirs).unwrap_or_default();
    files.iter().filter_map(|f| load_scenario(f).ok()).collect()
}

/// The summary table and, for each scenario with gaps, the table of what no run reached.
pub fn render(coverages: &[Coverage]) -> String {
    let mut out = String::from("\nCoverage: what the test plans' runs reach\n");
    let mut summary = Table::new();
    summary.load_style(UTF8_FULL_CONDENSED);
    summary.set_header([
        "scenario", "plans", "runs", "beats", "options", "endings", "reached",
    ]);
    for c in coverages {
        summary.add_row([
            c.scenario.clone(),
            c.plans.len().to_string(),
            c.runs.to_string(),
            fraction(c.beats),
            fraction(c.options),
            fraction(c.endings),
            format!("{:.0}%", c.percent.floor()),
        ]);
    }
    out.push_str(&format!("{summary}\n"));
    for c in coverages.iter().filter(|c| !c.unreached.is_empty()) {
        let whose = if c.plans.is_empty() {
            "no test plan plays it".to_owned()
        } else {
            format!("not reached by any run of {}", plan_names(&c.plans))
        };
        out.push_str(&format!(
            "\n{} ({}): {whose}\n",
            c.scenario,
            c.file.display()
        ));
        let mut table = Table::new();
        table.load_style(UTF8_FULL_CONDENSED);
        table.set_header(["what", "id", "in play"]);
        for item in &c.unreached {
            table.add_row([
                item.kind.label().to_owned(),
                item.id.to_string(),
                in_play(item),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    out
}

/// How a trainer finds the item in play: an option's beat, number and words; an ending's outcome.
fn in_play(item: &Unreached) -> String {
    let mut place = match item.kind {
        UnreachedKind::Beat => String::new(),
        UnreachedKind::Option => format!(
            "in `{}`: {} {}",
            item.beat.as_deref().unwrap_or(""),
            item.number.as_deref().unwrap_or(""),
            shorten(item.text.as_deref().unwrap_or(""), 48)
        ),
        UnreachedKind::Ending => item
            .outcome
            .map_or(String::new(), |o| format!("outcome {o:?}")),
    };
    if item.unreachable {
        if !place.is_empty() {
            place.push_str("; ");
        }
        place.push_str("unreachable from the start (RP0012)");
    }
    place
}

fn fraction(tally: Tally) -> String {
    format!("{}/{}", tally.reached, tally.total)
}

fn plan_names(plans: &[PathBuf]) -> String {
    plans
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
