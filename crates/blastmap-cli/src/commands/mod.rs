//! One module per command; `run` dispatches and maps outcomes to exit codes.

mod check;
mod diff;
mod git;
mod graph;
mod import;
mod report;
mod schema;
mod simulate;
mod validate;

use std::io::IsTerminal;
use std::process::ExitCode;

use blastmap_analysis::progress::Progress;
use blastmap_manifest::{Diagnostic, Limits, LoadOptions, Loaded};

use crate::cli::{Cli, ColorChoice, Command, DiagnosticsFormat, InputArgs};
use crate::output::OutputError;
use crate::progress;
use crate::render;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: findings at deny level (`check`), or a `diff --fail-on` condition.
    Findings,
    /// Exit 2: invalid input or usage.
    Invalid,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        ExitCode::from(match o {
            Outcome::Success => 0,
            Outcome::Findings => 1,
            Outcome::Invalid => 2,
        })
    }
}

/// Settings every command shares.
pub(crate) struct Context {
    pub verbose: bool,
    /// Colours on standard error.
    pub color_stderr: bool,
    /// Width for wrapped text.
    pub width: usize,
}

pub(crate) fn run(cli: &Cli) -> Outcome {
    let ctx = Context::new(cli);
    match &cli.command {
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Simulate(args) => simulate::run(&ctx, args),
        Command::Schema(args) => schema::run(args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Graph(args) => graph::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Diff(args) => diff::run(&ctx, args),
    }
}

impl Context {
    fn new(cli: &Cli) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = |tty: bool| match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let width =
            std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100usize).clamp(40, 200);
        Self { verbose: cli.verbose, color_stderr: color(std::io::stderr().is_terminal()), width }
    }

    /// Prints human diagnostics to standard error.
    pub(crate) fn print_diagnostics(&self, diagnostics: &[Diagnostic]) {
        if !diagnostics.is_empty() {
            eprint(&render::diagnostics::human(diagnostics, self.color_stderr, self.width));
        }
    }
}

/// Ends a command whose output failed to write: a closed pipe is success.
pub(crate) fn output_failed(e: OutputError) -> Outcome {
    match e {
        OutputError::BrokenPipe => Outcome::Success,
        OutputError::Io(message) => {
            eprint(&format!("error: {message}\n"));
            Outcome::Invalid
        }
    }
}

/// Loads the inventory named by `input`, printing `--verbose` notes, with
/// progress shown the way `mode` says (large inventories take seconds to
/// parse). Notes are printed after the progress is cleared.
pub(crate) fn load_watched(ctx: &Context, input: &InputArgs, mode: progress::Mode) -> Loaded {
    let options = load_options(input);
    let loaded = progress::watch(mode, "loading", &Progress::new(), || {
        blastmap_manifest::load(&input.paths, &options)
    });
    crate::output::note_inputs(&loaded.files);
    if ctx.verbose {
        for note in &loaded.notes {
            eprint(&format!("note: {}\n", blastmap_manifest::source::printable(note)));
        }
    }
    loaded
}

/// The loader's options from the command line.
pub(crate) fn load_options(input: &InputArgs) -> LoadOptions {
    LoadOptions {
        limits: Limits {
            max_file_size: input.max_file_size,
            max_components: input.max_components,
            ..Limits::default()
        },
        from: input.from.map(Into::into),
    }
}

/// Loads and, when the inventory is invalid, reports it the way `format`
/// asks; returns `None` then (the caller exits 2). Warnings are printed and
/// loading goes on.
pub(crate) fn load_valid(ctx: &Context, input: &InputArgs, format: DiagnosticsFormat) -> Option<Loaded> {
    load_valid_watched(ctx, input, format, progress::Mode::Off)
}

/// [`load_valid`] with progress shown the way `mode` says.
pub(crate) fn load_valid_watched(
    ctx: &Context,
    input: &InputArgs,
    format: DiagnosticsFormat,
    mode: progress::Mode,
) -> Option<Loaded> {
    let loaded = load_watched(ctx, input, mode);
    if loaded.has_errors() {
        match format {
            DiagnosticsFormat::Human => {
                ctx.print_diagnostics(&loaded.diagnostics);
                eprint(&summary_line(&loaded));
            }
            DiagnosticsFormat::Json => {
                let _ =
                    crate::output::write_stdout(render::diagnostics::json(&loaded.diagnostics).as_bytes());
            }
        }
        return None;
    }
    ctx.print_diagnostics(&loaded.diagnostics);
    Some(loaded)
}

/// `error: 3 errors and 1 warning in 2 files; nothing was analysed`.
/// Prints text to standard error (messages for people).
pub(crate) fn eprint(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
}

pub(crate) fn summary_line(loaded: &Loaded) -> String {
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    format!(
        "error: the inventory is invalid: {}{}\n",
        plural(errors, "error"),
        if warnings > 0 { format!(" and {}", plural(warnings, "warning")) } else { String::new() }
    )
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
