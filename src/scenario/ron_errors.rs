//! Turning RON's parse errors into diagnostics that name the trainer's mistake and its fix.
//!
//! Most errors map one to one onto a catalogue code. A few common slips are recognised from the
//! error and the text around it, because RON's own words would mislead: an unescaped `"` inside a
//! line reads as a missing comma, and `set` inside a reply point as an unknown field.

use super::diagnostics::{Code, Diagnostic, SourceFile, Span};
use super::load::MAX_NESTING;
use super::locate::Locator;
use super::suggest::{list_names, nearest};

/// serde's name of the enum of commitment kinds, as RON reports it in `outer`.
const PROMISE_KIND_TYPE: &str = "PromiseKind";

/// serde's names of the values that hold a free reply's routing, where `set` is misplaced.
const REPLY_TYPES: [&str; 2] = ["ReplyPoint", "Route"];

/// Turns a RON error into a diagnostic with its place, the source line and a suggestion.
pub(super) fn diagnose_ron_error(
    source: &SourceFile,
    error: &ron::error::SpannedError,
) -> Diagnostic {
    use ron::error::Error as E;
    let start = source.offset(error.span.start.line, error.span.start.col);
    let end = source
        .offset(error.span.end.line, error.span.end.col)
        .max(start);
    let span = Some(Span {
        start,
        len: (end - start).max(1),
    });
    let path = source.path.as_path();
    if let Some(diagnostic) = recognise_slip(source, &error.code, start) {
        return diagnostic;
    }
    let (code, message, label, help) = match &error.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            Code::UnknownField,
            format!("unknown field `{found}`{}", in_outer(outer)),
            "unknown field".to_owned(),
            Some(suggest(found, expected, "field")),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            Code::UnknownVariant,
            format!("unknown value `{found}`{}", in_outer(outer)),
            "unknown value".to_owned(),
            Some(suggest(found, expected, "value")),
        ),
        E::MissingStructField { field, outer } => (
            Code::WrongType,
            format!("missing field `{field}`{}", in_outer(outer)),
            "this value needs the field".to_owned(),
            Some(format!(
                "add `{field}: ...`; see docs/scenario-format.md for its type"
            )),
        ),
        E::DuplicateStructField { field, outer } => (
            Code::WrongType,
            format!("field `{field}` appears twice{}", in_outer(outer)),
            "repeated here".to_owned(),
            Some("keep one of the two".to_owned()),
        ),
        E::InvalidValueForType { expected, found } => (
            Code::WrongType,
            format!("expected {expected} but found {found}"),
            "wrong type".to_owned(),
            None,
        ),
        E::ExpectedDifferentLength { expected, found } => (
            Code::WrongType,
            format!("expected {expected} but found {found} elements"),
            "wrong length".to_owned(),
            None,
        ),
        E::ExpectedDifferentStructName { expected, found } => (
            Code::WrongType,
            format!("expected a `{expected}` but found a `{found}`"),
            "wrong kind of value".to_owned(),
            Some(format!("write `{expected}(...)` here")),
        ),
        E::ExceededRecursionLimit => (
            Code::TooDeep,
            format!("values nest deeper than {MAX_NESTING} levels"),
            "too deep".to_owned(),
            Some("a scenario never needs this depth; check for unbalanced brackets".to_owned()),
        ),
        E::ExpectedInteger
        | E::ExpectedFloat
        | E::ExpectedString
        | E::ExpectedBoolean
        | E::ExpectedArray
        | E::ExpectedMap
        | E::ExpectedOption
        | E::ExpectedUnit
        | E::ExpectedStructLike
        | E::ExpectedChar => (
            Code::WrongType,
            format!("wrong type: {}", error.code)
                .to_lowercase()
                .replacen("wrong type: expected", "expected", 1),
            "wrong type here".to_owned(),
            Some("see docs/scenario-format.md for the type of this field".to_owned()),
        ),
        E::Message(message) => (Code::WrongType, message.clone(), "here".to_owned(), None),
        other => (
            Code::Syntax,
            format!("invalid RON: {other}"),
            "here".to_owned(),
            syntax_help(other),
        ),
    };
    let mut diagnostic = Diagnostic::new(code, path, message).at(source, span, label);
    diagnostic.help = help;
    diagnostic
}

/// The common slips RON's own message would misname, recognised from the error and the text at
/// its place (`at`, a byte offset).
fn recognise_slip(source: &SourceFile, error: &ron::error::Error, at: usize) -> Option<Diagnostic> {
    use ron::error::Error as E;
    match error {
        E::NoSuchEnumVariant {
            expected,
            found,
            outer: Some(outer),
        } if outer == PROMISE_KIND_TYPE => {
            Some(unknown_commitment_kind(source, at, found, expected))
        }
        E::NoSuchStructField {
            found,
            outer: Some(outer),
            ..
        } if found == "set" && REPLY_TYPES.contains(&outer.as_str()) => {
            Some(flag_set_in_reply(source, at))
        }
        // A string closed early leaves words where RON expects a comma or a closing bracket.
        E::ExpectedComma
        | E::ExpectedArrayEnd
        | E::ExpectedStructLikeEnd
        | E::ExpectedMapEnd
        | E::TrailingCharacters => unescaped_quote(source, at),
        _ => None,
    }
}

/// An unknown commitment kind: the valid kinds, read from the enum itself by serde, are listed
/// in full, since a trainer who writes `Alteration` is looking for the right word, not a letter.
fn unknown_commitment_kind(
    source: &SourceFile,
    at: usize,
    found: &str,
    expected: &[&str],
) -> Diagnostic {
    let kinds = list_names(expected.iter().copied());
    let help = match nearest(found, expected.iter().copied()) {
        Some(near) => format!("did you mean `{near}`? The kinds of commitment are {kinds}"),
        None => format!(
            "the kinds of commitment are {kinds}; use the kind the promise falls under and say what is special about it in `terms`"
        ),
    };
    Diagnostic::new(
        Code::UnknownVariant,
        &source.path,
        format!("`{found}` is not a kind of commitment"),
    )
    .at(
        source,
        Some(Span {
            start: at,
            len: found.len().max(1),
        }),
        "unknown kind",
    )
    .with_help(help)
}

/// `set` written inside a reply point (or one of its routes): a reply sets no flags; the beat it
/// leads to does, on entry.
fn flag_set_in_reply(source: &SourceFile, at: usize) -> Diagnostic {
    let locator = Locator::new(&source.text);
    let flags = locator.strings_of_field_at(at);
    let mut targets = locator.strings_in_group(at, "next");
    let mut seen = std::collections::HashSet::new();
    targets.retain(|target| seen.insert(target.clone()));
    let flag_list = if flags.is_empty() {
        "\"flag\"".to_owned()
    } else {
        flags
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The reply's own `next` comes last in a file written in the documented order.
    let example = targets.last().map_or("the-next-beat", String::as_str);
    let where_to = match targets.as_slice() {
        [] | [_] => "on the beat the reply leads to".to_owned(),
        many => format!(
            "on the beats the reply leads to ({})",
            list_names(many.iter().map(String::as_str))
        ),
    };
    let help = format!(
        "remove `set` here and set the flag {where_to}, which sets it on entry: `(id: {example:?}, set: [{flag_list}], ...)`; to set it only after some replies, give them a `routes` entry to a beat of their own that sets it"
    );
    Diagnostic::new(
        Code::FlagSetInReply,
        &source.path,
        "a reply point cannot set flags: `set` belongs to a beat or an option",
    )
    .at(
        source,
        Some(Span { start: at, len: 3 }),
        "flags are not set here",
    )
    .with_help(help)
}

/// A `"` inside a string, unescaped, ends the string early: RON then meets the rest of the words
/// where it expects a comma. Recognised when the error stands on a name that touches the end of
/// a string (`"He said "no" to me"`); the diagnostic points at that quote.
fn unescaped_quote(source: &SourceFile, at: usize) -> Option<Diagnostic> {
    let locator = Locator::new(&source.text);
    let string = locator.string_ending_at_a_name(at)?;
    let quote = string.start + string.len - 1;
    let help = match intended_string(&source.text, string.start) {
        Some(fixed) => format!("write a quote inside a string as `\\\"`: {fixed}"),
        None => "write a quote inside a string as `\\\"`, or use `'` instead".to_owned(),
    };
    let rest = &source.text[at..];
    let words = &rest[..rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len())];
    Some(
        Diagnostic::new(
            Code::UnescapedQuote,
            &source.path,
            format!("this `\"` ends the string early, before `{words}`"),
        )
        .at(
            source,
            Some(Span {
                start: quote,
                len: 1,
            }),
            "unescaped quote",
        )
        .with_help(help),
    )
}

/// The string the trainer meant, rewritten with its inner quotes escaped: from the opening quote
/// at `open` to the first later quote on the same line that is followed by `,`, `]`, `)` or the
/// end of the line.
fn intended_string(text: &str, open: usize) -> Option<String> {
    let line_end = text[open..].find('\n').map_or(text.len(), |i| open + i);
    let line = &text[open + 1..line_end];
    let mut inner = String::new();
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        if c == '"' && !escaped {
            let after = line[index + 1..].trim_start();
            let closes =
                after.is_empty() || after.starts_with([',', ']', ')']) || after.starts_with("//");
            if closes {
                return Some(format!("\"{inner}\""));
            }
            inner.push_str("\\\"");
            continue;
        }
        escaped = c == '\\' && !escaped;
        inner.push(c);
    }
    None
}

fn in_outer(outer: &Option<String>) -> String {
    match outer {
        Some(outer) => format!(" in `{outer}`"),
        None => String::new(),
    }
}

fn syntax_help(error: &ron::error::Error) -> Option<String> {
    use ron::error::Error as E;
    let help = match error {
        E::ExpectedComma => "separate fields and list items with commas",
        E::Eof => "the file ends early: check for an unclosed `(` or `[`",
        E::ExpectedStringEnd => "close the string with `\"`",
        E::TrailingCharacters => "remove what follows the closing `)` of the scenario",
        E::ExpectedStructLikeEnd | E::ExpectedArrayEnd => {
            "check the brackets around this point are balanced"
        }
        _ => return None,
    };
    Some(help.to_owned())
}

/// "did you mean `x`?" when a valid name is genuinely close, else the list of valid names.
fn suggest(found: &str, expected: &[&str], what: &str) -> String {
    match nearest(found, expected.iter().copied()) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None if expected.is_empty() => format!("this {what} takes no names here"),
        None => format!("expected one of {}", list_names(expected.iter().copied())),
    }
}
