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
