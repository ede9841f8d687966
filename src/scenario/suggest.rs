//! "Did you mean …?": the valid name nearest a misspelt one, offered only when it is genuinely close.
//!
//! A suggestion that is merely the least far of a list sends a trainer the wrong way
//! (`Compensation` for `Modification`), so a candidate must pass two tests: the two names differ in
//! few enough edits for their length, and their lengths are of the same order.

/// How alike two names must be, as `1 - edits / longer length`: 0.7 lets one slip in three or
/// four letters through (`Phnoe` → `Phone`, `Compensate` → `Compensation`) and refuses names that
/// only share an ending (`Modification` and `Compensation` are 0.5 alike).
const MIN_SIMILARITY: f64 = 0.7;

/// The shorter name must be at least this share of the longer one's length.
const MIN_LENGTH_RATIO: f64 = 0.7;

/// The candidate nearest `found`, if one is genuinely close; ties go to the first in `candidates`.
/// Case is ignored when measuring, so `phone` finds `Phone`.
pub fn nearest<'c>(found: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let found_folded = found.to_lowercase();
    let mut best: Option<(f64, &'c str)> = None;
    for candidate in candidates {
        let similarity = closeness(&found_folded, &candidate.to_lowercase());
        if similarity >= MIN_SIMILARITY && best.is_none_or(|(top, _)| similarity > top) {
            best = Some((similarity, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// How alike two names are, from 0 (nothing in common) to 1 (the same), or 0 when their lengths
/// are too far apart to be one slip.
fn closeness(a: &str, b: &str) -> f64 {
    let (short, long) = {
        let (x, y) = (a.chars().count(), b.chars().count());
        (x.min(y), x.max(y))
    };
    if long == 0 {
        return 1.0;
    }
    if (short as f64) < MIN_LENGTH_RATIO * long as f64 {
        return 0.0;
    }
    strsim::normalized_damerau_levenshtein(a, b)
}

/// "`a`, `b` or `c`": a list of names for a message.
pub fn list_names<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    let quoted: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [&str; 11] = [
        "Refund",
        "Replacement",
        "Callback",
        "Compensation",
        "Expedite",
        "Delivery",
        "Fix",
        "Escalation",
        "Cancellation",
        "Waiver",
        "Guarantee",
    ];

    #[test]
    fn a_name_that_only_shares_an_ending_is_not_suggested() {
        assert_eq!(nearest("Modification", KINDS), None);
        assert_eq!(nearest("Explanation", KINDS), None);
        assert_eq!(
            nearest("set", ["expects", "routes", "next", "better"]),
            None
        );
    }

    #[test]
    fn a_slip_of_a_letter_or_two_is_suggested() {
        assert_eq!(nearest("Refnud", KINDS), Some("Refund"));
        assert_eq!(nearest("Compensate", KINDS), Some("Compensation"));
        assert_eq!(nearest("callback", KINDS), Some("Callback"));
        assert_eq!(nearest("Phnoe", ["Phone", "Chat", "Email"]), Some("Phone"));
        assert_eq!(
            nearest(
                "target_handel_secs",
                ["target_handle_secs", "title", "tags"]
            ),
            Some("target_handle_secs")
        );
        assert_eq!(nearest("nxet", ["next", "set"]), Some("next"));
    }

    #[test]
    fn names_of_very_different_lengths_are_never_suggested() {
        assert_eq!(nearest("Fixed", ["Fix"]), None);
        assert_eq!(nearest("Replace", ["Replacement"]), None);
    }

    #[test]
    fn names_are_listed_for_a_message() {
        assert_eq!(list_names(["A"]), "`A`");
        assert_eq!(list_names(["A", "B", "C"]), "`A`, `B` or `C`");
    }
}
