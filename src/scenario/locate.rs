//! Finding where a value sits in a RON file, so diagnostics about parsed values point at `file:line:col`.
//!
//! serde gives typed values without positions; the checks that run after parsing (ranges,
//! references, delays) find their place again here. The file is split into tokens once, skipping
//! comments and reading strings with their escapes decoded, so a field name inside a comment or
//! a string never matches and a value written with escapes (`"be\u{61}t"`) is found all the same.

use super::diagnostics::Span;

/// What kind of token a piece of RON text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A name: a field, a variant, a struct or `true`, `NaN`, `inf`.
    Ident,
    /// A number literal, its sign included (`-12`, `1.0e16`).
    Number,
    /// A string or raw string; its decoded value is kept beside it.
    Str,
    /// One character of punctuation: `(`, `)`, `[`, `]`, `:`, `,` and the rest.
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    span: Span,
    /// The decoded value of a string; empty for other tokens.
    value: String,
}

/// The tokens of one RON text, for finding values again after parsing.
#[derive(Debug, Clone)]
pub struct Locator<'t> {
    text: &'t str,
    tokens: Vec<Token>,
}

impl<'t> Locator<'t> {
    /// Splits a RON text into tokens (a text that does not lex to the end is kept up to there).
    pub fn new(text: &'t str) -> Locator<'t> {
        Locator {
            text,
            tokens: tokenize(text),
        }
    }

    /// The text of a span.
    pub fn text_of(&self, span: Span) -> &'t str {
        &self.text[span.start..span.start + span.len]
    }

    /// The spans of the values written after `name:`, in file order (a sign is part of a number).
    pub fn field_values(&self, name: &str) -> Vec<Span> {
        let mut found = Vec::new();
        for (index, token) in self.tokens.iter().enumerate() {
            let is_field = token.kind == Kind::Ident
                && self.text_of(token.span) == name
                && self.kind_at(index + 1) == Some(Kind::Punct(':'));
            if is_field && let Some(value) = self.value_span(index + 2) {
                found.push(value);
            }
        }
        found
    }

    /// The span of the first value after `name:` whose text satisfies `wanted`.
    pub fn field_value_where(&self, name: &str, wanted: impl Fn(&str) -> bool) -> Option<Span> {
        self.field_values(name)
            .into_iter()
            .find(|span| wanted(self.text_of(*span)))
    }

    /// The span of the first string after `name:` whose decoded value satisfies `wanted`.
    pub fn field_string_where(&self, name: &str, wanted: impl Fn(&str) -> bool) -> Option<Span> {
        self.tokens.windows(3).find_map(|window| {
            let [key, colon, value] = window else {
                return None;
            };
            let matches = key.kind == Kind::Ident
                && self.text_of(key.span) == name
                && colon.kind == Kind::Punct(':')
                && value.kind == Kind::Str
                && wanted(&value.value);
            matches.then_some(value.span)
        })
    }

    /// The span of the first string literal whose decoded value is `value`.
    pub fn string(&self, value: &str) -> Option<Span> {
        self.tokens
            .iter()
            .find(|t| t.kind == Kind::Str && t.value == value)
            .map(|t| t.span)
    }

    /// Every call `name(a, b, ...)`: the span of the whole call and the text of each argument.
    pub fn calls(&self, name: &str) -> Vec<(Span, Vec<&'t str>)> {
        let mut found = Vec::new();
        for (index, token) in self.tokens.iter().enumerate() {
            if token.kind != Kind::Ident
                || self.text_of(token.span) != name
                || self.kind_at(index + 1) != Some(Kind::Punct('('))
            {
                continue;
            }
            if let Some(call) = self.call_at(index) {
                found.push(call);
            }
        }
        found
    }

    /// The index of the token that starts at byte `offset`, if one does.
    fn token_at(&self, offset: usize) -> Option<usize> {
        self.tokens.iter().position(|t| t.span.start == offset)
    }

    /// The decoded strings of the list written after the field name that starts at `offset`
    /// (`set: ["a", "b"]` gives `a` and `b`).
    pub fn strings_of_field_at(&self, offset: usize) -> Vec<String> {
        let Some(index) = self.token_at(offset) else {
            return Vec::new();
        };
        let mut strings = Vec::new();
        for token in self.tokens.iter().skip(index + 1) {
            match token.kind {
                Kind::Str => strings.push(token.value.clone()),
                Kind::Punct(':' | '[' | ',') => {}
                _ => break,
            }
        }
        strings
    }

    /// The decoded strings after `name:` anywhere in the `( … )` that holds the field starting at
    /// `offset`, in file order: the targets (`next`) of a reply point around a misplaced `set`.
    pub fn strings_in_group(&self, offset: usize, name: &str) -> Vec<String> {
        let Some(index) = self.token_at(offset) else {
            return Vec::new();
        };
        // Back to the bracket that opens the group this field sits in.
        let mut depth = 0usize;
        let mut open = None;
        for at in (0..index).rev() {
            match self.tokens[at].kind {
                Kind::Punct(')' | ']' | '}') => depth += 1,
                Kind::Punct('(' | '[' | '{') if depth == 0 => {
                    open = Some(at);
                    break;
                }
                Kind::Punct('(' | '[' | '{') => depth -= 1,
                _ => {}
            }
        }
        let Some(open) = open else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut depth = 0usize;
        for at in open + 1..self.tokens.len() {
            let token = &self.tokens[at];
            match token.kind {
                Kind::Punct('(' | '[' | '{') => depth += 1,
                Kind::Punct(')' | ']' | '}') if depth == 0 => break,
                Kind::Punct(')' | ']' | '}') => depth -= 1,
                Kind::Ident
                    if self.text_of(token.span) == name
                        && self.kind_at(at + 1) == Some(Kind::Punct(':'))
                        && self.kind_at(at + 2) == Some(Kind::Str) =>
                {
                    found.push(self.tokens[at + 2].value.clone());
                }
                _ => {}
            }
        }
        found
    }

    /// The string that ends where a name begins, at `offset` (`"He said "no`): the span of that
    /// string, whose closing quote is most likely one meant to be inside it.
    pub fn string_ending_at_a_name(&self, offset: usize) -> Option<Span> {
        let name = self.token_at(offset)?;
        let before = self.tokens.get(name.checked_sub(1)?)?;
        let touching = before.span.start + before.span.len == offset;
        (self.tokens[name].kind == Kind::Ident && before.kind == Kind::Str && touching)
            .then_some(before.span)
    }

    fn kind_at(&self, index: usize) -> Option<Kind> {
        self.tokens.get(index).map(|t| t.kind)
    }

    /// The span of the value starting at token `index`: one token, or a sign and its operand.
    fn value_span(&self, index: usize) -> Option<Span> {
        let first = self.tokens.get(index)?;
        let signed = matches!(first.kind, Kind::Punct('-') | Kind::Punct('+'));
        let last = if signed {
            self.tokens.get(index + 1)?
        } else {
            first
        };
        Some(Span {
            start: first.span.start,
            len: last.span.start + last.span.len - first.span.start,
        })
    }

    /// The call whose name is token `index`: its span and its top-level arguments' texts.
    fn call_at(&self, index: usize) -> Option<(Span, Vec<&'t str>)> {
        let start = self.tokens[index].span.start;
        let mut depth = 0usize;
        let mut args = Vec::new();
        let mut arg_start = None;
        let mut arg_end = 0;
        for token in &self.tokens[index + 1..] {
            match token.kind {
                Kind::Punct('(' | '[' | '{') => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                Kind::Punct(')' | ']' | '}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        if let Some(from) = arg_start {
                            args.push(&self.text[from..arg_end]);
                        }
                        let end = token.span.start + token.span.len;
                        return Some((
                            Span {
                                start,
                                len: end - start,
                            },
                            args,
                        ));
                    }
                }
                Kind::Punct(',') if depth == 1 => {
                    if let Some(from) = arg_start.take() {
                        args.push(&self.text[from..arg_end]);
                    }
                    continue;
                }
                _ => {}
            }
            arg_start.get_or_insert(token.span.start);
            arg_end = token.span.start + token.span.len;
        }
        None
    }
}

/// A [`Locator`] made the first time a place is asked for: a file that validates clean asks for
/// none, so its checks never pay for the tokens.
#[derive(Debug)]
pub struct LazyLocator<'t> {
    text: &'t str,
    made: std::cell::OnceCell<Locator<'t>>,
}

impl<'t> LazyLocator<'t> {
    /// A locator for `text`, not yet made.
    pub fn new(text: &'t str) -> LazyLocator<'t> {
        LazyLocator {
            text,
            made: std::cell::OnceCell::new(),
        }
    }

    /// The locator, made on first use.
    pub fn get(&self) -> &Locator<'t> {
        self.made.get_or_init(|| Locator::new(self.text))
    }
}

/// Splits RON text into tokens, skipping whitespace and comments.
fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &text[at..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() {
            at += c.len_utf8();
        } else if rest.starts_with("//") {
            at += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            at += block_comment_len(rest);
        } else if c == '"' {
            let (len, value) = quoted_string(rest);
            tokens.push(token(Kind::Str, at, len, value));
            at += len;
        } else if let Some((len, value)) = raw_string(rest) {
            tokens.push(token(Kind::Str, at, len, value));
            at += len;
        } else if c.is_ascii_digit() || (c == '.' && next_is_digit(rest)) {
            let len = number_len(rest);
            tokens.push(token(Kind::Number, at, len, String::new()));
            at += len;
        } else if c.is_alphabetic() || c == '_' {
            let len = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            tokens.push(token(Kind::Ident, at, len, String::new()));
            at += len;
        } else {
            tokens.push(token(Kind::Punct(c), at, c.len_utf8(), String::new()));
            at += c.len_utf8();
        }
    }
    tokens
}

fn token(kind: Kind, start: usize, len: usize, value: String) -> Token {
    Token {
        kind,
        span: Span { start, len },
        value,
    }
}

fn next_is_digit(rest: &str) -> bool {
    rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit)
}

/// The length of a number literal: digits, letters (`e`, `x`, suffixes), `_`, `.`, and a sign
/// right after an exponent's `e`.
fn number_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut len = 0;
    while len < bytes.len() {
        let b = bytes[len];
        let exponent_sign =
            (b == b'-' || b == b'+') && len > 0 && matches!(bytes[len - 1], b'e' | b'E');
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign {
            len += 1;
        } else {
            break;
        }
    }
    len
}

/// The length of a block comment at the start of `rest` (RON's block comments nest).
fn block_comment_len(rest: &str) -> usize {
    let mut depth = 0usize;
    let mut at = 0;
    while at < rest.len() {
        let here = &rest[at..];
        if here.starts_with("/*") {
            depth += 1;
            at += 2;
        } else if here.starts_with("*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += here.chars().next().map_or(1, char::len_utf8);
        }
    }
    rest.len()
}

/// A quoted string at the start of `rest`: its length in bytes and its decoded value.
fn quoted_string(rest: &str) -> (usize, String) {
    let mut value = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return (at + 1, value),
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, '0')) => value.push('\0'),
                Some((_, 'x')) => {
                    let hex: String = chars.by_ref().take(2).map(|(_, h)| h).collect();
                    push_code(&mut value, &hex);
                }
                Some((_, 'u')) => {
                    let mut hex = String::new();
                    for (_, h) in chars.by_ref() {
                        match h {
                            '{' => {}
                            '}' => break,
                            _ => hex.push(h),
                        }
                    }
                    push_code(&mut value, &hex);
                }
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            _ => value.push(c),
        }
    }
    (rest.len(), value)
}

fn push_code(value: &mut String, hex: &str) {
    if let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
        value.push(c);
    }
}

/// A raw string (`r"..."`, `r#"..."#`) at the start of `rest`: its length and value.
fn raw_string(rest: &str) -> Option<(usize, String)> {
    let after_r = rest.strip_prefix('r')?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    let body = after_r[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&close).unwrap_or(body.len());
    let len = 1 + hashes + 1 + end + close.len();
    Some((len.min(rest.len()), body[..end].to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_in_a_comment_or_a_string_is_not_found() {
        let text = "( // after: 1\n note: \"after: 2\", after: -3.5e2 )";
        let locator = Locator::new(text);
        let values: Vec<&str> = locator
            .field_values("after")
            .into_iter()
            .map(|s| locator.text_of(s))
            .collect();
        assert_eq!(values, ["-3.5e2"]);
    }

    #[test]
    fn a_string_written_with_escapes_is_found_by_its_value() {
        let text = r##"(start: "op\u{65}ning", other: r#"raw"#)"##;
        let locator = Locator::new(text);
        let span = locator.string("opening").expect("found");
        assert_eq!(locator.text_of(span), r#""op\u{65}ning""#);
        assert!(locator.string("raw").is_some());
    }

    #[test]
    fn a_call_gives_its_arguments() {
        let text = "when: All([Meter(Anger, Ge, 150), Not(Meter(Trust, Lt, -1))])";
        let locator = Locator::new(text);
        let calls = locator.calls("Meter");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].1, ["Anger", "Ge", "150"]);
        assert_eq!(calls[1].1, ["Trust", "Lt", "-1"]);
        assert_eq!(locator.text_of(calls[0].0), "Meter(Anger, Ge, 150)");
    }

    #[test]
    fn the_strings_of_a_field_and_of_its_group_are_read() {
        let text = r#"(id: "b", reply: (set: ["a", "b"], routes: [(when: X, next: "fees")], next: "close"), next: "other")"#;
        let locator = Locator::new(text);
        let set = text.find("set").expect("set");
        assert_eq!(locator.strings_of_field_at(set), ["a", "b"]);
        assert_eq!(locator.strings_in_group(set, "next"), ["fees", "close"]);
    }

    #[test]
    fn a_string_that_touches_a_name_is_found_and_a_spaced_one_is_not() {
        let text = r#"["He said "no" to me", "x" next]"#;
        let locator = Locator::new(text);
        let no = text.find("no\"").expect("no");
        let string = locator.string_ending_at_a_name(no).expect("found");
        assert_eq!(locator.text_of(string), r#""He said ""#);
        assert_eq!(
            locator.string_ending_at_a_name(text.find("next").expect("next")),
            None
        );
    }
}
