//! Hints for a report filter that matches nothing: a misspelt `--scenario`, `--trainee` or `--team` is named, with the nearest stored value or the known ones.

use crate::store::{Filter, KnownValues, Store, StoreError};

/// How many known values a hint lists when none is near.
const KNOWN_LISTED: usize = 10;

/// One sentence for each filter value that no stored session (or team) has.
pub fn filter_hints(store: &mut Store, filter: &Filter) -> Result<Vec<String>, StoreError> {
    let mut hints = Vec::new();
    for (values, which, what) in [
        (&filter.scenarios, KnownValues::Scenarios, "scenario"),
        (&filter.trainees, KnownValues::Trainees, "trainee"),
        (&filter.teams, KnownValues::Teams, "team"),
    ] {
        if values.is_empty() {
            continue;
        }
        let known = store.known_values(which)?;
        for value in values.iter().filter(|v| !known.contains(v)) {
            hints.push(hint(what, value, &known));
        }
    }
    Ok(hints)
}

/// The sentence for one unknown value.
fn hint(what: &str, value: &str, known: &[String]) -> String {
    let subject = if what == "team" {
        format!("no team `{value}` is stored")
    } else {
        format!("no stored session has {what} `{value}`")
    };
    if known.is_empty() {
        return if what == "team" {
            format!("{subject}: no trainee is in a team yet (`rapport team set TRAINEE TEAM`)")
        } else {
            format!("{subject}: the store holds no sessions yet")
        };
    }
    if let Some(near) = nearest(value, known) {
        return format!("{subject}; did you mean `{near}`?");
    }
    let listed: Vec<String> = known
        .iter()
        .take(KNOWN_LISTED)
        .map(|k| format!("`{k}`"))
        .collect();
    let more = known
        .len()
        .checked_sub(KNOWN_LISTED)
        .filter(|n| *n > 0)
        .map_or_else(String::new, |n| format!(" and {n} more"));
    format!("{subject}; known {what}s: {}{more}", listed.join(", "))
}

/// The known value closest to `value`, if it is close enough to be a slip of the keyboard.
pub(crate) fn nearest<'a>(value: &str, known: &'a [String]) -> Option<&'a str> {
    let lower = value.to_lowercase();
    let allowed = (value.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_is_matched_and_a_stranger_gets_the_list() {
        let known = vec!["late-delivery".to_owned(), "double-charge".to_owned()];
        assert_eq!(nearest("late-delivry", &known), Some("late-delivery"));
        assert_eq!(nearest("Late-Delivery", &known), Some("late-delivery"));
        assert_eq!(nearest("kettle", &known), None);
        let text = hint("scenario", "kettle", &known);
        assert!(text.contains("`late-delivery`, `double-charge`"), "{text}");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
