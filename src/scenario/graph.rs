//! Exports a scenario's beat graph as Mermaid or Graphviz DOT, with endings and unreachable beats marked.

use std::fmt::Write;

use super::model::{Outcome, Scenario};
use super::validate::{graph_edges, reachable_from};

/// The output language of `rapport graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// One labelled edge of the graph.
struct Edge<'a> {
    from: &'a str,
    to: &'a str,
    label: String,
}

fn labelled_edges(s: &Scenario) -> Vec<Edge<'_>> {
    let mut edges = Vec::new();
    for beat in &s.beats {
        for (index, choice) in beat.options.iter().enumerate() {
            edges.push(Edge {
                from: &beat.id,
                to: &choice.next,
                label: option_label(&beat.options, index),
            });
        }
        if let Some(reply) = &beat.reply {
            for route in &reply.routes {
                edges.push(Edge {
                    from: &beat.id,
                    to: &route.next,
                    label: "reply (route)".to_owned(),
                });
            }
            edges.push(Edge {
                from: &beat.id,
                to: &reply.next,
                label: "reply".to_owned(),
            });
        }
        if let Some(next) = &beat.next {
            edges.push(Edge {
                from: &beat.id,
                to: next,
                label: String::new(),
            });
        }
        if let Some(then) = beat.silence.as_ref().and_then(|x| x.then.as_ref()) {
            edges.push(Edge {
                from: &beat.id,
                to: then,
                label: "silence".to_owned(),
            });
        }
        for (name, target) in super::validate::action_targets(&beat.actions) {
            edges.push(Edge {
                from: &beat.id,
                to: target,
                label: name.to_owned(),
            });
        }
    }
    edges
}

/// An option's edge label: the number the trainee presses in play, and its condition if it has
/// one. Play numbers only the options whose `when` holds, so after a conditional option the
/// number depends on the call and is shown as a range ("2–3.").
fn option_label(options: &[super::model::Choice], index: usize) -> String {
    let number = option_number(options, index);
    let choice = &options[index];
    let condition = choice.when.as_ref().map_or(String::new(), |when| {
        let written = ron::to_string(when).unwrap_or_else(|_| "a condition".to_owned());
        format!(" (if {})", shorten(&written, 40))
    });
    format!("{number} {}{condition}", shorten(&choice.text, 32))
}

/// The number play gives the option at `index` of a beat's options: `2.`, or a range (`2–3.`)
/// when a conditional option before it may or may not be offered.
pub fn option_number(options: &[super::model::Choice], index: usize) -> String {
    let before = &options[..index];
    let lowest = 1 + before.iter().filter(|o| o.when.is_none()).count();
    let highest = 1 + before.len();
    if lowest == highest {
        format!("{lowest}.")
    } else {
        format!("{lowest}–{highest}.")
    }
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out.replace('"', "'")
}

/// Renders the beat graph; scenario-wide actions and triggers are listed as edges from a `*` node.
pub fn render_graph(s: &Scenario, format: GraphFormat) -> String {
    let reachable = reachable_from(&graph_edges(s), &s.start);
    let edges = labelled_edges(s);
    let globals: Vec<(String, &str)> = s
        .triggers
        .iter()
        .map(|t| (format!("trigger {}", t.id), t.goto.as_str()))
        .chain(
            super::validate::action_targets(&s.actions)
                .into_iter()
                .map(|(n, t)| (n.to_owned(), t)),
        )
        .chain(
            s.silence
                .as_ref()
                .and_then(|x| x.then.as_deref())
                .map(|t| ("silence".to_owned(), t)),
        )
        .collect();
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            let _ = writeln!(out, "flowchart TD");
            for beat in &s.beats {
                let class = if reachable.contains(beat.id.as_str()) {
                    ""
                } else {
                    ":::unreachable"
                };
                let _ = writeln!(out, "    {}[\"{}\"]{class}", node(&beat.id), beat.id);
            }
            for ending in &s.endings {
                let class = if reachable.contains(ending.id.as_str()) {
                    ending_class(ending.outcome)
                } else {
                    "unreachable"
                };
                let _ = writeln!(
                    out,
                    "    {}([\"{} ({})\"]):::{class}",
                    node(&ending.id),
                    ending.id,
                    ending.outcome.label()
                );
            }
            if !globals.is_empty() {
                let _ = writeln!(out, "    ANY{{{{\"any beat\"}}}}");
            }
            let _ = writeln!(out, "    START(( )) --> {}", node(&s.start));
            for edge in &edges {
                if edge.label.is_empty() {
                    let _ = writeln!(out, "    {} --> {}", node(edge.from), node(edge.to));
                } else {
                    let _ = writeln!(
                        out,
                        "    {} -->|\"{}\"| {}",
                        node(edge.from),
                        edge.label,
                        node(edge.to)
                    );
                }
            }
            for (label, target) in &globals {
                let _ = writeln!(out, "    ANY -.->|\"{label}\"| {}", node(target));
            }
            let _ = writeln!(out, "    classDef resolved fill:#c8f7c5,stroke:#2e7d32");
            let _ = writeln!(out, "    classDef failed fill:#ffd6d6,stroke:#c62828");
            let _ = writeln!(out, "    classDef handed fill:#fff3c4,stroke:#b28704");
            let _ = writeln!(
                out,
                "    classDef unreachable fill:#eeeeee,stroke:#999999,stroke-dasharray: 5 5"
            );
        }
        GraphFormat::Dot => {
            let _ = writeln!(out, "digraph \"{}\" {{", s.id);
            let _ = writeln!(out, "    rankdir=TB;");
            let _ = writeln!(out, "    start [shape=point];");
            for beat in &s.beats {
                let style = if reachable.contains(beat.id.as_str()) {
                    ""
                } else {
                    ", style=dashed, color=gray, fontcolor=gray, xlabel=\"unreachable\""
                };
                let _ = writeln!(out, "    \"{}\" [shape=box{style}];", beat.id);
            }
            for ending in &s.endings {
                let color = match ending_class(ending.outcome) {
                    "resolved" => "palegreen",
                    "handed" => "lightgoldenrod",
                    _ => "mistyrose",
                };
                let style = if reachable.contains(ending.id.as_str()) {
                    String::new()
                } else {
                    ", style=\"dashed,filled\", xlabel=\"unreachable\"".to_owned()
                };
                let _ = writeln!(
                    out,
                    "    \"{}\" [shape=doubleoctagon, style=filled, fillcolor={color}, label=\"{}\\n({})\"{style}];",
                    ending.id,
                    ending.id,
                    ending.outcome.label()
                );
            }
            let _ = writeln!(out, "    start -> \"{}\";", s.start);
            for edge in &edges {
                let _ = writeln!(
                    out,
                    "    \"{}\" -> \"{}\" [label=\"{}\"];",
                    edge.from, edge.to, edge.label
                );
            }
            if !globals.is_empty() {
                let _ = writeln!(out, "    any [shape=hexagon, label=\"any beat\"];");
            }
            for (label, target) in &globals {
                let _ = writeln!(
                    out,
                    "    any -> \"{target}\" [style=dashed, label=\"{label}\"];"
                );
            }
            let _ = writeln!(out, "}}");
        }
    }
    out
}

fn ending_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Resolved => "resolved",
        Outcome::Escalated | Outcome::Transferred => "handed",
        _ => "failed",
    }
}

/// A Mermaid-safe node name.
fn node(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("n_{safe}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    /// The starter scenario with a conditional option inserted before the opening's last option.
    fn starter_with_a_conditional_option() -> Scenario {
        let text = crate::scenario::scaffold::starter_scenario("Graph");
        let loaded = parse_scenario("graph.ron", &text).expect("the starter loads");
        let mut scenario = loaded.scenario;
        let opening = &mut scenario.beats[0];
        assert!(
            opening.options.len() >= 2,
            "the starter's opening has options"
        );
        let mut conditional = opening.options[0].clone();
        conditional.id = "opening.if-explained".into();
        conditional.text = "Only once the delay is explained".into();
        conditional.when = Some(crate::scenario::model::Condition::Flag(
            "explained_delay".to_owned(),
        ));
        let last = opening.options.len() - 1;
        opening.options.insert(last, conditional);
        scenario
    }

    #[test]
    fn options_after_a_conditional_one_are_numbered_as_play_may_number_them() {
        let scenario = starter_with_a_conditional_option();
        let count = scenario.beats[0].options.len();
        let graph = render_graph(&scenario, GraphFormat::Mermaid);
        let conditional = format!(
            "{}. Only once the delay is explained (if Flag('explained_delay'))",
            count - 1
        );
        assert!(graph.contains(&conditional), "{graph}");
        // In play the last option is number `count - 1` while the flag is unset, `count` once set.
        assert!(
            graph.contains(&format!("{}–{count}. ", count - 1)),
            "{graph}"
        );
        assert!(graph.contains("|\"1. "), "{graph}");
    }
}
