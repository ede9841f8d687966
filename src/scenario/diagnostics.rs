//! Diagnostics as data: the catalogue of stable codes and the diagnostic type every check emits.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The scenario will still run, but a trainer should look.
    Warning,
    /// The scenario cannot be trusted to run or score correctly.
    Error,
}

/// One entry of the catalogue: a stable code with its meaning.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CodeInfo {
    /// The stable code (`RP0012`).
    pub code: &'static str,
    /// A short CamelCase name (`UndefinedTarget`).
    pub name: &'static str,
    /// The default severity.
    pub severity: Severity,
    /// What the code means.
    pub summary: &'static str,
}

macro_rules! catalogue {
    ($( $variant:ident = $code:literal, $severity:ident, $summary:literal; )*) => {
        /// Every diagnostic Rapport can report; the codes never change meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The catalogue entry of this code.
            pub fn info(self) -> CodeInfo {
                match self {
                    $( Code::$variant => CodeInfo {
                        code: $code,
                        name: stringify!($variant),
                        severity: Severity::$severity,
                        summary: $summary,
                    }, )*
                }
            }
        }
    };
}

catalogue! {
    Unreadable = "RP0001", Error, "The file cannot be read: missing, a directory, not UTF-8, empty or too large.";
    Syntax = "RP0002", Error, "The file is not valid RON.";
    WrongType = "RP0003", Error, "A value has the wrong type, or a required field is missing or repeated.";
    UnknownField = "RP0004", Error, "A field name the format does not define.";
    UnknownVariant = "RP0005", Error, "An enum value (channel, meter, intent…) the format does not define.";
    TooDeep = "RP0006", Error, "The file nests deeper than the loader allows.";
    NoScenarios = "RP0007", Error, "A directory given to the validator holds no scenario files.";
    DuplicateId = "RP0010", Error, "Two beats, endings, lines, choices or triggers share an id.";
    UndefinedTarget = "RP0011", Error, "A `next`, `goto`, `then`, `start` or action names no beat or ending.";
    UnreachableBeat = "RP0012", Warning, "No path from the start reaches this beat or ending.";
    DeadEnd = "RP0013", Error, "From this beat no ending can be reached.";
    StuckBeat = "RP0014", Error, "A beat has no options, no reply point and no `next`: the call would stall.";
    MissingAsset = "RP0015", Error, "A portrait, voice or audio file named by the scenario does not exist.";
    UnknownFlag = "RP0016", Error, "A condition or `set` names a flag that `flags` does not declare.";
    UnknownBeatInCondition = "RP0017", Error, "A `Visits` condition names no beat.";
    MeterOutOfRange = "RP0018", Error, "A meter value or comparison lies outside 0–100.";
    UnannotatedOption = "RP0019", Warning, "An option has no score annotation, so only the analysers judge it.";
    UndefinedPromiseKind = "RP0020", Error, "An option promises a kind of commitment the policy does not define.";
    EmptyLine = "RP0021", Error, "A line has no variants, or an empty variant.";
    EmptyText = "RP0022", Error, "An id, title, option text or persona name is empty.";
    RatingOutOfRange = "RP0023", Error, "An annotation rating lies outside −2..=2.";
    BadTemperament = "RP0024", Error, "A temperament multiplier is not a positive number.";
    InconsistentPolicy = "RP0025", Error, "A commitment's `min_hours` exceeds its `max_hours`.";
    UnusedFlag = "RP0026", Warning, "A declared flag is never set, or never tested.";
    NoResolvedEnding = "RP0027", Warning, "No ending has the outcome `Resolved`: the call cannot be won.";
    ZeroServiceLevel = "RP0028", Error, "A service level of zero seconds cannot be met.";
    ForbiddenPromiseRewarded = "RP0029", Error, "An option promises what the policy forbids yet is rated well on expectations.";
    TooManyOptions = "RP0030", Warning, "A beat offers more than nine options; keys 1–9 cannot reach them all.";
    UnknownCriterion = "RP0031", Error, "An annotation names a criterion the rubric does not define.";
    NumberOutOfRange = "RP0032", Error, "A number lies outside the range the engine accepts: an effect, a reaction, a drain, a timer or a delay.";
    UnsafePath = "RP0033", Error, "A path leads outside the library's folders, or to something that is not a regular file of bounded size.";
    UnescapedQuote = "RP0034", Error, "A `\"` inside a string ends it early; a quote within words is written `\\\"`.";
    FlagSetInReply = "RP0035", Error, "`set` inside a reply point or route: flags are set by beats and options.";
    EarlySilence = "RP0036", Warning, "A silence fires before the channel's reply limit, so a trainee within the service level hears it.";
    EndActionMisattributed = "RP0037", Warning, "The agent's `end` action leads to an ending that records someone else ending the call.";
    BadCommitment = "RP0038", Error, "A commitment's amount, `per`, condition or trade words cannot be checked as written.";
    BadLexiconChange = "RP0039", Error, "A library's lexicon changes name a language, rule, kind, pattern or spelling the shipped lexicon does not have.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().code)
    }
}

/// A source file kept for rendering diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    /// Wraps a file's path and text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The byte offset of a 1-based line and 1-based character column.
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let mut offset = 0;
        for (index, text) in self.text.split_inclusive('\n').enumerate() {
            if index + 1 == line {
                let in_line: usize = text
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                return offset + in_line;
            }
            offset += text.len();
        }
        self.text.len()
    }

    /// The 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// The byte span of the `nth` (0-based) occurrence of `needle`, if any.
    pub fn find(&self, needle: &str, nth: usize) -> Option<Span> {
        self.text
            .match_indices(needle)
            .nth(nth)
            .map(|(start, found)| Span {
                start,
                len: found.len(),
            })
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A byte range in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

/// One finding about a scenario file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// What is wrong, quoting the offending value in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The file it is about.
    pub file: PathBuf,
    /// The place in the file, when known.
    pub span: Option<Span>,
    /// The file's text, for rendering the source line.
    pub source: Option<Arc<str>>,
    /// A short label under the caret.
    pub label: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and no location yet.
    pub fn new(code: Code, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.info().severity,
            message: message.into(),
            help: None,
            file: file.to_path_buf(),
            span: None,
            source: None,
            label: None,
        }
    }

    /// Adds advice on what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points the diagnostic at a span of a source file.
    pub fn at(mut self, source: &SourceFile, span: Option<Span>, label: impl Into<String>) -> Self {
        self.source = Some(source.text.clone());
        self.span = span;
        self.label = Some(label.into());
        self
    }

    /// The 1-based line and column, when the diagnostic has a place.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (source, span) = (self.source.as_ref()?, self.span?);
        let file = SourceFile::new(self.file.clone(), source.clone());
        Some(file.line_col(span.start))
    }

    /// `file:line:col`, or just the file when the place is unknown.
    pub fn location(&self) -> String {
        match self.line_col() {
            Some((line, col)) => format!("{}:{line}:{col}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic like rustc: header, `file:line:col`, source line, caret, help.
    pub fn render(&self, color: bool) -> String {
        let handler = if color {
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode())
        } else {
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        };
        let mut out = String::new();
        let report = RenderedDiagnostic {
            inner: self,
            source: self.source.clone().map(|text| NamedText {
                name: self.file.display().to_string(),
                text,
            }),
        };
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("{}: {} [{}]", self.location(), self.message, self.code);
        }
        if self.span.is_none() {
            out.push_str(&format!("  --> {}\n", self.file.display()));
        }
        out
    }
}

/// A machine-readable diagnostic for `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl From<&Diagnostic> for JsonDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let info = d.code.info();
        let (line, column) = d.line_col().unzip();
        JsonDiagnostic {
            code: info.code,
            name: info.name,
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            file: d.file.display().to_string(),
            line,
            column,
        }
    }
}

/// Adapts a [`Diagnostic`] to miette's renderer.
struct RenderedDiagnostic<'a> {
    inner: &'a Diagnostic,
    source: Option<NamedText>,
}

impl fmt::Debug for RenderedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Display for RenderedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for RenderedDiagnostic<'_> {}

struct NamedText {
    name: String,
    text: Arc<str>,
}

impl miette::SourceCode for NamedText {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents =
            self.text
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl miette::Diagnostic for RenderedDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let info = self.inner.code.info();
        Some(Box::new(format!("{} {}", info.code, info.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.inner.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner
            .help
            .as_ref()
            .map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.inner.span?;
        self.inner.source.as_ref()?;
        let label = self.inner.label.clone();
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            label,
            span.start,
            span.len.max(1),
        ))))
    }
}
