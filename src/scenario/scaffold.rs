//! `rapport new`: writes a valid, commented starter scenario for a trainer to edit.

const STARTER: &str = include_str!("starter.ron");

/// Turns a name into a scenario id: lower-case words joined by hyphens.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_lowercase());
    }
    if out.is_empty() {
        "new-scenario".to_owned()
    } else {
        out
    }
}

/// The starter scenario's text for a name.
pub fn starter_scenario(name: &str) -> String {
    let title = name.replace(['"', '\\'], "");
    STARTER
        .replace("{{ID}}", &slug(name))
        .replace("{{TITLE}}", title.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Channel, Outcome, parse_scenario};

    /// docs/scenario-format.md, whose rules a trainer reads before editing the starter.
    fn format_docs() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario-format.md");
        std::fs::read_to_string(path).expect("docs/scenario-format.md is readable")
    }

    /// The `between_replies_secs` of a channel, as the docs' service-level table gives it.
    fn documented_reply_limit(docs: &str, channel: Channel) -> u32 {
        let rows: Vec<Vec<&str>> = docs
            .lines()
            .filter(|l| l.starts_with("| "))
            .map(|l| l.split('|').map(str::trim).collect())
            .collect();
        let header = rows
            .iter()
            .find(|cells| cells.contains(&"`between_replies_secs`"))
            .expect("the docs have the service-level table");
        let column = header
            .iter()
            .position(|c| *c == "`between_replies_secs`")
            .expect("a column");
        let row = rows
            .iter()
            .find(|cells| cells.get(1) == Some(&format!("`{channel:?}`").as_str()))
            .expect("the channel's row");
        let digits: String = row[column]
            .split('(')
            .next()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse().expect("a number of seconds")
    }

    #[test]
    fn the_starter_obeys_the_rules_the_docs_state() {
        let docs = format_docs();
        let flat: String = docs.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Set `after_secs` no shorter than the channel's `between_replies_secs`"),
            "the docs still state the silence rule"
        );
        assert!(
            flat.contains("| `end` | string | engine's `AgentEnded` ending | Target of the agent ending the call. |"),
            "the docs still say what `end` is"
        );
        let loaded = parse_scenario("starter.ron", &starter_scenario("Rules")).expect("loads");
        let scenario = &loaded.scenario;
        let limit = documented_reply_limit(&docs, scenario.channel);
        assert_eq!(
            limit,
            scenario
                .channel
                .default_service_levels()
                .between_replies_secs,
            "the docs and the engine agree on the reply limit"
        );
        let silence = scenario
            .silence
            .as_ref()
            .expect("the starter shows a silence");
        assert!(
            silence.after_secs >= limit,
            "the starter's silence fires after {} s, before the {limit} s reply limit",
            silence.after_secs
        );
        let end = scenario
            .actions
            .end
            .as_deref()
            .expect("the starter shows `end`");
        let ending = scenario.ending(end).expect("`end` leads to an ending");
        assert_eq!(
            ending.outcome,
            Outcome::AgentEnded,
            "`end` leads to `{end}`"
        );
    }
}
