//! Every problem the loader reports: a closed catalogue of stable codes
//! ([`Code::ALL`], each with its severities and description), one
//! constructor per diagnostic (in `catalogue.rs`, the only place that
//! builds them), rendered by miette in the CLI.

mod catalogue;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{LabeledSpan, SourceCode};

use crate::source::SourceFile;

/// Whether a diagnostic makes the input invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, [$($severity:ident),+], $what:literal;)*) => {
        /// The stable code of a diagnostic. Codes are never renamed or reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name printed as `blastmap::<name>`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One line on what the code means (for docs and `--help`).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $what,)* }
            }

            /// The severities diagnostics of this code are reported with,
            /// the usual one first: importers report as warnings some
            /// problems that make a native manifest invalid (they leave the
            /// part out instead).
            pub fn severities(self) -> &'static [Severity] {
                match self { $(Code::$variant => &[$(Severity::$severity),+],)* }
            }
        }
    };
}

codes! {
    Io => "io-error", [Error], "a path could not be read";
    InvalidEncoding => "invalid-encoding", [Error], "a file is not UTF-8 text";
    FileTooLarge => "file-too-large", [Error], "a file is larger than the size limit";
    InvalidSyntax => "invalid-syntax", [Error, Warning], "a file is not valid YAML, JSON or TOML";
    DuplicateKey => "duplicate-key", [Error, Warning], "a mapping has the same key twice";
    NestingTooDeep => "nesting-too-deep", [Error, Warning], "a document nests deeper than the limit";
    AliasLimit => "alias-limit", [Error, Warning], "YAML aliases expand to more nodes than the limit";
    NotAManifest => "not-a-manifest", [Error], "a file named on the command line has no `blastmap` key";
    NoManifest => "no-manifest", [Error], "a directory holds no manifest";
    UnsupportedVersion => "unsupported-version", [Error], "the `blastmap` format version is not 1";
    InvalidType => "invalid-type", [Error], "a value has the wrong type";
    UnknownKey => "unknown-key", [Error], "a key that the format does not have";
    MissingField => "missing-field", [Error, Warning], "a required key is missing";
    InvalidId => "invalid-id", [Error], "an id is empty, too long, or holds whitespace or control characters";
    UnknownKind => "unknown-kind", [Error], "a component kind that is not in the list";
    DuplicateId => "duplicate-id", [Error, Warning], "two components have the same id";
    UnknownTarget => "unknown-target", [Error], "a dependency names a component that does not exist";
    SelfDependency => "self-dependency", [Error], "a component depends on itself";
    EmptyGroup => "empty-group", [Error], "an `any_of`, `quorum` or `runs_in` group has no members";
    QuorumOutOfRange => "quorum-out-of-range", [Error], "a quorum is below 1 or above the number of members";
    DuplicateMember => "duplicate-member", [Error], "a group names the same member twice";
    PercentageOutOfRange => "percentage-out-of-range", [Error], "an availability or SLO outside (0, 100]";
    InvalidValue => "invalid-value", [Error], "a number or text outside what the field allows";
    DuplicatePolicy => "duplicate-policy", [Error], "more than one `policy` section in the inventory";
    UnknownRule => "unknown-rule", [Error, Warning], "a policy names a rule that does not exist";
    InvalidDate => "invalid-date", [Error], "a date that is not `YYYY-MM-DD`";
    TooManyComponents => "too-many-components", [Error], "the inventory has more components than the limit";
    UnresolvedReference => "unresolved-reference", [Warning], "a foreign file names a service, host, API or entity that is not in the inventory";
    UnsupportedConstruct => "unsupported-construct", [Warning], "a part of a foreign file that blastmap cannot map (it is left out)";
    SelectorMismatch => "selector-mismatch", [Warning], "a Kubernetes selector matches no workload, or misses the workload's own pods";
    UndefinedVariable => "undefined-variable", [Warning, Error], "a Compose variable that no `.env` sets";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A labelled byte range of the diagnostic's file.
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Range<usize>,
    pub text: String,
}

/// One problem, with where it is and what to do about it.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The file the problem is in; `None` for problems with no file.
    pub file: Option<Arc<SourceFile>>,
    /// The file name when there is no source text (unreadable paths).
    pub path: Option<Arc<str>>,
    /// Primary label first.
    pub labels: Vec<Label>,
    /// Other files involved (for example the first of two duplicate ids).
    pub related: Vec<Diagnostic>,
}

impl Diagnostic {
    /// A diagnostic without location; the builder methods add one. Private:
    /// every diagnostic is built by a constructor of `catalogue.rs`.
    fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            help: None,
            file: None,
            path: None,
            labels: Vec::new(),
            related: Vec::new(),
        }
    }

    /// Points the diagnostic at `span` of `file` with a label.
    #[must_use]
    fn at(mut self, file: &Arc<SourceFile>, span: Range<usize>, label: impl Into<String>) -> Self {
        self.path = Some(Arc::clone(&file.name));
        self.file = Some(Arc::clone(file));
        let span = clamp(&file.text, span);
        self.labels.push(Label { span, text: label.into() });
        self
    }

    /// Adds a secondary label in the same file.
    #[must_use]
    fn also(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        let span = match &self.file {
            Some(file) => clamp(&file.text, span),
            None => span,
        };
        self.labels.push(Label { span, text: label.into() });
        self
    }

    /// Names a path that has no readable text.
    #[must_use]
    fn in_path(mut self, path: &str) -> Self {
        self.path = Some(Arc::from(path));
        self
    }

    #[must_use]
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    #[must_use]
    fn related(mut self, other: Diagnostic) -> Self {
        self.related.push(other);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// File, 1-based line and column of the primary label (line and column
    /// are `None` for problems that are not at a position in a file).
    pub fn position(&self) -> (Option<&str>, Option<(u32, u32)>) {
        let position = match (&self.file, self.labels.first()) {
            (Some(file), Some(label)) => Some(file.line_column(label.span.start)),
            _ => None,
        };
        (self.path.as_deref(), position)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("blastmap::{}", self.code)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.file.as_ref().map(|f| f.named() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.file.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(|(i, l)| {
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            let span = (l.span.start, l.span.end.saturating_sub(l.span.start));
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn miette::Diagnostic)))
    }
}

/// "did you mean `x`?" when there is a close candidate, else `fallback`.
pub(crate) fn did_you_mean<'a>(
    unknown: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    fallback: impl FnOnce() -> String,
) -> String {
    match crate::suggest::closest(unknown, candidates) {
        Some(best) => format!("did you mean `{best}`?"),
        None => fallback(),
    }
}

/// `span` inside `text` and on character boundaries (the start rounded
/// down, the end up, so a span inside a character covers all of it).
/// Parsers report spans past the end (toml-span did, found by fuzzing:
/// `fuzz/`), and a label outside the text loses its snippet or splits a
/// character.
fn clamp(text: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
