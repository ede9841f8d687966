//! Semantic checks of a parsed scenario, each reported under a stable code from the catalogue.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use super::assets::{MAX_ASSET_BYTES, PathProblem, resolve_inside};
use super::diagnostics::{Code, Diagnostic, Severity, SourceFile, Span};
use super::load::LoadedScenario;
use super::locate::LazyLocator;
use super::model::{Actions, Beat, Condition, Dimension, Line, Meter, Outcome, Scenario};

/// Where assets are looked up and which rubric criteria exist.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The assets directory; when absent, the nearest `assets/` beside or above the scenario.
    pub assets_dir: Option<PathBuf>,
    /// Criterion ids annotations may name; when absent, criterion names are not checked.
    pub criteria: Option<BTreeSet<String>>,
}

/// Finds the assets directory for a scenario: `assets/` beside it or in a parent directory.
pub fn find_assets_dir(scenario_dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(scenario_dir).unwrap_or_else(|_| scenario_dir.to_path_buf());
    start
        .ancestors()
        .map(|dir| dir.join("assets"))
        .find(|candidate| candidate.is_dir())
}

/// Runs every semantic check over a scenario; returns the diagnostics, errors first.
pub fn validate(loaded: &LoadedScenario, options: &ValidateOptions) -> Vec<Diagnostic> {
    let mut checker = Checker {
        scenario: &loaded.scenario,
        source: &loaded.source,
        locator: LazyLocator::new(&loaded.source.text),
        out: Vec::new(),
    };
    checker.check_texts();
    checker.check_ids();
    checker.check_targets();
    checker.check_graph();
    checker.check_flags_and_conditions();
    checker.check_ranges();
    let numbers = super::ranges::check_numbers(&loaded.scenario, &loaded.source, &checker.locator);
    checker.out.extend(numbers);
    checker.check_options(options.criteria.as_ref());
    checker.check_policy();
    let assets = options
        .assets_dir
        .clone()
        .or_else(|| find_assets_dir(loaded.dir()));
    checker.check_assets(assets.as_deref());
    checker.check_rubric(loaded.dir());
    let mut out = checker.out;
    out.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.span.map(|s| s.start)));
    out
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

struct Checker<'a> {
    scenario: &'a Scenario,
    source: &'a SourceFile,
    /// The file's tokens, to find a value's place again (strings with escapes, calls).
    locator: LazyLocator<'a>,
    out: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, code: Code, span: Option<Span>, label: &str, message: String, help: &str) {
        let diagnostic = Diagnostic::new(code, &self.source.path, message)
            .at(self.source, span, label)
            .with_help(help);
        self.out.push(diagnostic);
    }

    /// The span of the `nth` definition `id: "value"` in the file.
    fn id_span(&self, value: &str, nth: usize) -> Option<Span> {
        let pattern = format!(r#"\bid\s*:\s*"{}""#, regex::escape(value));
        let re = regex::Regex::new(&pattern).ok()?;
        re.find_iter(&self.source.text).nth(nth).map(|m| Span {
            start: m.start(),
            len: m.len(),
        })
    }

    /// The span of the first `key: "..."` whose string is blank. A scenario's own fields come
    /// before its beats' in a file written in the documented order, so this finds the right one
    /// unless two are blank.
    fn blank_field_span(&self, key: &str) -> Option<Span> {
        self.locator
            .get()
            .field_string_where(key, |value| value.trim().is_empty())
    }

    /// The span of the first string literal whose value is `value`, however it is escaped.
    fn quoted_span(&self, value: &str) -> Option<Span> {
        self.locator.get().string(value)
    }

    fn all_lines(&self) -> Vec<&'a Line> {
        let s: &'a Scenario = self.scenario;
        let mut lines: Vec<&'a Line> = Vec::new();
        for beat in &s.beats {
            lines.extend(beat.lines.iter());
            if let Some(silence) = &beat.silence {
                lines.push(&silence.line);
            }
        }
        for ending in &s.endings {
            lines.extend(ending.lines.iter());
        }
        if let Some(silence) = &s.silence {
            lines.push(&silence.line);
        }
        if let Some(line) = &s.hold_return {
            lines.push(line);
        }
        lines
    }

    fn check_texts(&mut self) {
        let s = self.scenario;
        let mut empties = Vec::new();
        for (field, key, value) in [
            ("id", "id", s.id.as_str()),
            ("title", "title", s.title.as_str()),
            ("persona.name", "name", s.persona.name.as_str()),
            ("start", "start", s.start.as_str()),
        ] {
            if value.trim().is_empty() {
                // The first `key: "..."` whose string is blank: the scenario's own fields come
                // before the beats' in a file written in the documented order.
                let span = self.blank_field_span(key);
                empties.push((span, format!("`{field}` is empty")));
            }
        }
        for beat in &s.beats {
            if beat.id.trim().is_empty() {
                let span = self.blank_field_span("id");
                empties.push((span, "a beat has an empty `id`".to_owned()));
            }
            for choice in &beat.options {
                if choice.text.trim().is_empty() {
                    let span = self.id_span(&choice.id, 0);
                    empties.push((
                        span,
                        format!("option `{}` in beat `{}` has no text", choice.id, beat.id),
                    ));
                }
            }
        }
        for (span, message) in empties {
            self.report(
                Code::EmptyText,
                span,
                "empty",
                message,
                "write the missing text",
            );
        }
        for line in self.all_lines() {
            if line.variants.is_empty() || line.variants.iter().any(|v| v.trim().is_empty()) {
                let span = self.id_span(&line.id, 0);
                self.out.push(
                    Diagnostic::new(
                        Code::EmptyLine,
                        &self.source.path,
                        format!("line `{}` has no words to say", line.id),
                    )
                    .at(self.source, span, "this line")
                    .with_help("give `variants` at least one non-empty string"),
                );
            }
        }
    }

    fn check_ids(&mut self) {
        let s = self.scenario;
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        let node_ids: Vec<&str> = s
            .beats
            .iter()
            .map(|b| b.id.as_str())
            .chain(s.endings.iter().map(|e| e.id.as_str()))
            .collect();
        groups.push(("beat or ending", node_ids));
        let line_ids: Vec<&str> = self.all_lines().iter().map(|l| l.id.as_str()).collect();
        groups.push(("line", line_ids));
        let choice_ids: Vec<&str> = s
            .beats
            .iter()
            .flat_map(|b| b.options.iter().map(|c| c.id.as_str()))
            .collect();
        groups.push(("option", choice_ids));
        groups.push((
            "trigger",
            s.triggers.iter().map(|t| t.id.as_str()).collect(),
        ));
        let mut seen_anywhere: HashMap<String, usize> = HashMap::new();
        for (kind, ids) in groups {
            let mut seen = HashSet::new();
            for id in ids {
                let occurrence = seen_anywhere.entry(id.to_owned()).or_insert(0);
                if !seen.insert(id) {
                    let span = self.id_span(id, *occurrence);
                    self.report(
                        Code::DuplicateId,
                        span,
                        "second definition",
                        format!("{kind} id `{id}` is defined more than once"),
                        "give each its own id; transcripts and test plans rely on ids being unique",
                    );
                }
                *occurrence += 1;
            }
        }
    }

    fn is_node(&self, id: &str) -> bool {
        self.scenario.beat(id).is_some() || self.scenario.ending(id).is_some()
    }

    /// Every (place, target) reference in the scenario.
    fn references(&self) -> Vec<(String, &'a str)> {
        let s: &'a Scenario = self.scenario;
        let mut refs = vec![("`start`".to_owned(), s.start.as_str())];
        fn push_actions<'x>(refs: &mut Vec<(String, &'x str)>, place: &str, actions: &'x Actions) {
            for (name, target) in action_targets(actions) {
                refs.push((format!("{place} action `{name}`"), target));
            }
        }
        push_actions(&mut refs, "scenario", &s.actions);
        if let Some(silence) = &s.silence
            && let Some(then) = &silence.then
        {
            refs.push(("scenario `silence.then`".to_owned(), then));
        }
        for trigger in &s.triggers {
            refs.push((format!("trigger `{}`", trigger.id), &trigger.goto));
        }
        for beat in &s.beats {
            for choice in &beat.options {
                refs.push((format!("option `{}`", choice.id), &choice.next));
            }
            if let Some(reply) = &beat.reply {
                refs.push((format!("reply point of beat `{}`", beat.id), &reply.next));
                for route in &reply.routes {
                    refs.push((format!("a route of beat `{}`", beat.id), &route.next));
                }
            }
            if let Some(next) = &beat.next {
                refs.push((format!("`next` of beat `{}`", beat.id), next));
            }
            if let Some(then) = beat.silence.as_ref().and_then(|s| s.then.as_ref()) {
                refs.push((format!("`silence.then` of beat `{}`", beat.id), then));
            }
            push_actions(&mut refs, &format!("beat `{}`", beat.id), &beat.actions);
        }
        refs
    }

    fn check_targets(&mut self) {
        let known: Vec<&str> = self
            .scenario
            .beats
            .iter()
            .map(|b| b.id.as_str())
            .chain(self.scenario.endings.iter().map(|e| e.id.as_str()))
            .collect();
        // A set, so that checking every reference stays linear in a large scenario.
        let nodes: HashSet<&str> = known.iter().copied().collect();
        let mut problems = Vec::new();
        for (place, target) in self.references() {
            if !nodes.contains(target) {
                let nearest = known
                    .iter()
                    .map(|k| (strsim::damerau_levenshtein(target, k), *k))
                    .min()
                    .filter(|(d, _)| *d <= target.len() / 2 + 1);
                let help = match nearest {
                    Some((_, k)) => format!("did you mean `{k}`?"),
                    None => "name a beat or an ending defined in this file".to_owned(),
                };
                problems.push((place, target.to_owned(), help));
            }
        }
        for (place, target, help) in problems {
            let span = self.quoted_span(&target);
            self.report(
                Code::UndefinedTarget,
                span,
                "no such beat or ending",
                format!("{place} leads to `{target}`, which is neither a beat nor an ending"),
                &help,
            );
        }
        for beat in &self.scenario.beats {
            if beat.options.is_empty() && beat.reply.is_none() && beat.next.is_none() {
                let span = self.id_span(&beat.id, 0);
                self.out.push(
                    Diagnostic::new(
                        Code::StuckBeat,
                        &self.source.path,
                        format!("beat `{}` gives the trainee no way on", beat.id),
                    )
                    .at(self.source, span, "stuck here")
                    .with_help("add `options`, a `reply` point, or `next`; or make it an ending"),
                );
            }
            if beat.options.len() > 9 {
                let span = self.id_span(&beat.id, 0);
                self.out.push(
                    Diagnostic::new(
                        Code::TooManyOptions,
                        &self.source.path,
                        format!("beat `{}` offers {} options", beat.id, beat.options.len()),
                    )
                    .at(self.source, span, "here")
                    .with_help("keep to nine so every option has a number key"),
                );
            }
        }
    }

    fn check_graph(&mut self) {
        let s: &'a Scenario = self.scenario;
        if !self.is_node(&s.start) {
            return;
        }
        let edges = graph_edges(s);
        let reachable = reachable_from(&edges, &s.start);
        let mut unreachable = Vec::new();
        for id in s
            .beats
            .iter()
            .map(|b| &b.id)
            .chain(s.endings.iter().map(|e| &e.id))
        {
            if !reachable.contains(id.as_str()) {
                unreachable.push(id.clone());
            }
        }
        for id in unreachable {
            let span = self.id_span(&id, 0);
            self.report(
                Code::UnreachableBeat,
                span,
                "never reached",
                format!("`{id}` cannot be reached from the start beat `{}`", s.start),
                "lead an option, route or `next` to it, or delete it",
            );
        }
        let can_end = reaching_an_ending(&edges, s);
        let dead: Vec<smol_str::SmolStr> = s
            .beats
            .iter()
            .filter(|b| reachable.contains(b.id.as_str()) && !can_end.contains(b.id.as_str()))
            .map(|b| b.id.clone())
            .collect();
        for id in dead {
            let span = self.id_span(&id, 0);
            self.report(
                Code::DeadEnd,
                span,
                "no ending ahead",
                format!("from beat `{id}` no ending can be reached: the call would loop forever"),
                "lead at least one path from here to an ending",
            );
        }
        if !s.endings.iter().any(|e| e.outcome == Outcome::Resolved) {
            self.report(
                Code::NoResolvedEnding,
                None,
                "",
                "no ending has the outcome `Resolved`".to_owned(),
                "add an ending with `outcome: Resolved` so a good trainee can win the call",
            );
        }
    }

    fn check_flags_and_conditions(&mut self) {
        let s = self.scenario;
        let declared: BTreeSet<&str> = s.flags.iter().map(String::as_str).collect();
        let mut set_flags: BTreeSet<String> = BTreeSet::new();
        let mut tested_flags: BTreeSet<String> = BTreeSet::new();
        let mut visit_targets: BTreeSet<String> = BTreeSet::new();
        let mut meter_values: Vec<i32> = Vec::new();
        let mut conditions: Vec<&Condition> = Vec::new();
        for beat in &s.beats {
            set_flags.extend(beat.set.iter().cloned());
            for choice in &beat.options {
                set_flags.extend(choice.set.iter().cloned());
                conditions.extend(choice.when.iter());
            }
            if let Some(reply) = &beat.reply {
                conditions.extend(reply.routes.iter().map(|r| &r.when));
            }
        }
        conditions.extend(self.all_lines().into_iter().filter_map(|l| l.when.as_ref()));
        conditions.extend(s.triggers.iter().map(|t| &t.when));
        for condition in conditions {
            walk_condition(condition, &mut |c| match c {
                Condition::Flag(flag) => {
                    tested_flags.insert(flag.clone());
                }
                Condition::Visits(beat, _, _) => {
                    visit_targets.insert(beat.clone());
                }
                Condition::Meter(_, _, value) => meter_values.push(*value),
                _ => {}
            });
        }
        for flag in set_flags.iter().chain(tested_flags.iter()) {
            if !declared.contains(flag.as_str()) {
                let span = self.quoted_span(flag);
                let flag = flag.clone();
                self.report(
                    Code::UnknownFlag,
                    span,
                    "undeclared flag",
                    format!("flag `{flag}` is used but not declared"),
                    &format!("add `\"{flag}\"` to the scenario's `flags` list"),
                );
            }
        }
        for flag in &s.flags {
            let (set, tested) = (set_flags.contains(flag), tested_flags.contains(flag));
            if !set || !tested {
                let what = if !set { "never set" } else { "never tested" };
                let span = self.quoted_span(flag);
                self.report(
                    Code::UnusedFlag,
                    span,
                    what,
                    format!("flag `{flag}` is {what}"),
                    "use it in a `set` and a `Flag(...)` condition, or remove it",
                );
            }
        }
        for beat in visit_targets {
            if s.beat(&beat).is_none() {
                let span = self.quoted_span(&beat);
                self.report(
                    Code::UnknownBeatInCondition,
                    span,
                    "no such beat",
                    format!("`Visits` names `{beat}`, which is not a beat"),
                    "name a beat defined in this file",
                );
            }
        }
        for value in meter_values {
            if !(0..=100).contains(&value) {
                let span = self
                    .locator
                    .get()
                    .calls("Meter")
                    .into_iter()
                    .find(|(_, args)| {
                        args.len() == 3
                            && super::ranges::parse_number(args[2]) == Some(f64::from(value))
                    })
                    .map(|(span, _)| span);
                self.report(
                    Code::MeterOutOfRange,
                    span,
                    "out of range",
                    format!("a meter condition compares with `{value}`, outside 0–100"),
                    "meters run from 0 to 100",
                );
            }
        }
    }

    fn check_ranges(&mut self) {
        let s = self.scenario;
        let meters = s.persona.meters;
        for meter in Meter::ALL {
            let value = meters.get(meter);
            if !(0..=100).contains(&value) {
                let span = self.source.find(&format!("{}:", meter.label()), 0);
                self.report(
                    Code::MeterOutOfRange,
                    span,
                    "out of range",
                    format!("starting {} `{value}` lies outside 0–100", meter.label()),
                    "meters run from 0 to 100",
                );
            }
        }
        let t = s.persona.temperament;
        for (name, value) in [("heat", t.heat), ("forgiveness", t.forgiveness)] {
            if !(value.is_finite() && value > 0.0) {
                let span = self.source.find(&format!("{name}:"), 0);
                self.report(
                    Code::BadTemperament,
                    span,
                    "not a positive number",
                    format!("temperament `{name}` is `{value}`"),
                    "use a positive multiplier such as 0.5, 1.0 or 1.5",
                );
            }
        }
        let o = s.service_levels;
        for (name, value) in [
            ("first_response_secs", o.first_response_secs),
            ("between_replies_secs", o.between_replies_secs),
            ("max_hold_secs", o.max_hold_secs),
            ("status_update_secs", o.status_update_secs),
        ] {
            if value == Some(0) {
                let span = self.source.find(&format!("{name}:"), 0);
                self.report(
                    Code::ZeroServiceLevel,
                    span,
                    "zero",
                    format!("service level `{name}` is zero"),
                    "give a number of seconds, or leave it out to use the channel's default",
                );
            }
        }
    }

    fn check_options(&mut self, criteria: Option<&BTreeSet<String>>) {
        let s = self.scenario;
        let mut found = Vec::new();
        for beat in &s.beats {
            for choice in &beat.options {
                if choice.score.is_empty() {
                    found.push((Code::UnannotatedOption, choice.id.clone(), format!("option `{}` has no score annotation", choice.id), "add `score: [(dimension: Empathy, rating: 1, note: \"...\")]` so the debrief can explain it".to_owned()));
                }
                for annotation in &choice.score {
                    if !(-2..=2).contains(&annotation.rating) {
                        found.push((
                            Code::RatingOutOfRange,
                            choice.id.clone(),
                            format!(
                                "option `{}` rates {} at `{}`",
                                choice.id,
                                annotation.dimension.label(),
                                annotation.rating
                            ),
                            "ratings run from -2 to 2".to_owned(),
                        ));
                    }
                    if let (Some(criteria), Some(criterion)) = (criteria, &annotation.criterion)
                        && !criteria.contains(criterion.as_str())
                    {
                        found.push((Code::UnknownCriterion, choice.id.clone(), format!("option `{}` names criterion `{criterion}`, which the rubric does not define", choice.id), "use a criterion id from the rubric, or leave `criterion` out".to_owned()));
                    }
                }
                for kind in &choice.promises {
                    match s.commitment(*kind) {
                        None => found.push((Code::UndefinedPromiseKind, choice.id.clone(), format!("option `{}` promises `{kind:?}`, which the policy does not define", choice.id), format!("add `(kind: {kind:?}, allowed: ..., terms: \"...\")` to `policy.commitments`"))),
                        Some(rule) if !rule.allowed => {
                            let rewarded = choice.score.iter().any(|a| a.dimension == Dimension::Expectations && a.rating > 0);
                            if rewarded {
                                found.push((Code::ForbiddenPromiseRewarded, choice.id.clone(), format!("option `{}` promises `{kind:?}`, which the policy forbids, but rates expectations well", choice.id), "rate it negatively on Expectations: promising what cannot be delivered is the worst failure".to_owned()));
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        for (code, id, message, help) in found {
            let span = self.id_span(&id, 0);
            self.report(code, span, "this option", message, &help);
        }
    }

    fn check_policy(&mut self) {
        let mut found = Vec::new();
        for rule in &self.scenario.policy.commitments {
            if let (Some(min), Some(max)) = (rule.min_hours, rule.max_hours)
                && min > max
            {
                found.push(format!(
                    "commitment `{:?}` has `min_hours` {min} above `max_hours` {max}",
                    rule.kind
                ));
            }
        }
        for message in found {
            let span = self.source.find("min_hours", 0);
            self.report(
                Code::InconsistentPolicy,
                span,
                "here",
                message,
                "the soonest cannot be later than the latest",
            );
        }
        for problem in super::policy::problems(&self.scenario.policy, &self.scenario.flags) {
            // The field within its commitment: after the commitment's `kind`, else anywhere.
            let text = &self.source.text;
            let kind = format!("kind: {:?}", problem.kind);
            let field = format!("{}:", problem.field);
            let span = text
                .find(&kind)
                .and_then(|at| text[at..].find(&field).map(|offset| at + offset))
                .map(|start| Span {
                    start,
                    len: problem.field.len(),
                })
                .or_else(|| self.source.find(&field, 0));
            self.report(
                Code::BadCommitment,
                span,
                "here",
                problem.message,
                problem.help,
            );
        }
    }

    fn check_assets(&mut self, assets: Option<&Path>) {
        let s = self.scenario;
        let mut wanted: Vec<&str> = Vec::new();
        wanted.extend(s.persona.portrait.as_deref());
        wanted.extend(s.persona.voice.as_deref());
        let audio: Vec<&str> = self
            .all_lines()
            .iter()
            .filter_map(|l| l.audio.as_deref())
            .collect();
        wanted.extend(audio);
        for asset in wanted {
            let span = self.quoted_span(asset);
            let Some(dir) = assets else {
                self.report(
                    Code::MissingAsset,
                    span,
                    "missing file",
                    format!("asset `{asset}` does not exist (no assets directory was found)"),
                    "add the file under assets/, fix the path, or remove the reference",
                );
                continue;
            };
            if let Err(problem) = resolve_inside(dir, asset, MAX_ASSET_BYTES) {
                self.report_path_problem("asset", span, &problem);
            }
        }
    }

    /// A scenario's own rubric lies in the scenario's folder (or below it), like its test plans.
    fn check_rubric(&mut self, scenario_dir: &Path) {
        let Some(rubric) = self.scenario.rubric.as_deref() else {
            return;
        };
        let span = self.quoted_span(rubric);
        if let Err(problem) = resolve_inside(scenario_dir, rubric, super::load::MAX_FILE_BYTES) {
            self.report_path_problem("rubric", span, &problem);
        }
    }

    fn report_path_problem(&mut self, what: &str, span: Option<Span>, problem: &PathProblem) {
        if problem.is_missing() {
            self.report(
                Code::MissingAsset,
                span,
                "missing file",
                format!("{what} {problem}"),
                "add the file, fix the path, or remove the reference",
            );
        } else {
            self.report(
                Code::UnsafePath,
                span,
                "not a file in the library",
                format!("{what} {problem}"),
                "name a regular file inside the folder, by a relative path without `..` out of it",
            );
        }
    }
}

/// The named targets of an `Actions` block.
pub(crate) fn action_targets(actions: &Actions) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    for (name, target) in [
        ("escalate", &actions.escalate),
        ("transfer_warm", &actions.transfer_warm),
        ("transfer_cold", &actions.transfer_cold),
        ("end", &actions.end),
    ] {
        if let Some(target) = target {
            out.push((name, target.as_str()));
        }
    }
    out
}

/// The beat graph of a scenario: each beat's successors, including actions, silence and triggers.
pub fn graph_edges(s: &Scenario) -> BTreeMap<&str, Vec<&str>> {
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let global: Vec<&str> = s
        .triggers
        .iter()
        .map(|t| t.goto.as_str())
        .chain(action_targets(&s.actions).into_iter().map(|(_, t)| t))
        .chain(s.silence.as_ref().and_then(|x| x.then.as_deref()))
        .collect();
    for beat in &s.beats {
        let mut next = beat_successors(beat);
        next.extend(global.iter().copied());
        next.sort_unstable();
        next.dedup();
        edges.insert(beat.id.as_str(), next);
    }
    for ending in &s.endings {
        edges.entry(ending.id.as_str()).or_default();
    }
    edges
}

/// The targets a beat leads to by its own options, routes, `next`, silence and actions.
pub fn beat_successors(beat: &Beat) -> Vec<&str> {
    let mut next: Vec<&str> = beat.options.iter().map(|c| c.next.as_str()).collect();
    if let Some(reply) = &beat.reply {
        next.push(&reply.next);
        next.extend(reply.routes.iter().map(|r| r.next.as_str()));
    }
    next.extend(beat.next.as_deref());
    next.extend(beat.silence.as_ref().and_then(|s| s.then.as_deref()));
    next.extend(action_targets(&beat.actions).into_iter().map(|(_, t)| t));
    next
}

/// Every node from which some ending can be reached (one walk backwards from the endings).
fn reaching_an_ending<'a>(
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    s: &'a Scenario,
) -> BTreeSet<&'a str> {
    let mut reverse: HashMap<&str, Vec<&str>> = HashMap::new();
    for (from, targets) in edges {
        for to in targets {
            reverse.entry(*to).or_default().push(*from);
        }
    }
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<&str> = s.endings.iter().map(|e| e.id.as_str()).collect();
    while let Some(node) = queue.pop_front() {
        if !seen.insert(node) {
            continue;
        }
        for previous in reverse.get(node).into_iter().flatten() {
            if !seen.contains(previous) {
                queue.push_back(previous);
            }
        }
    }
    seen
}

/// Every node reachable from `start`, `start` included.
pub fn reachable_from<'a>(
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    start: &'a str,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        if !seen.insert(node) {
            continue;
        }
        for next in edges.get(node).into_iter().flatten() {
            if !seen.contains(next) {
                queue.push_back(next);
            }
        }
    }
    seen
}

/// Calls `visit` on a condition and every condition nested in it.
pub fn walk_condition(condition: &Condition, visit: &mut impl FnMut(&Condition)) {
    visit(condition);
    match condition {
        Condition::All(items) | Condition::Any(items) => {
            for item in items {
                walk_condition(item, visit);
            }
        }
        Condition::Not(inner) => walk_condition(inner, visit),
        _ => {}
    }
}
