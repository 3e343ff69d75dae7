//! One module per command; `run` dispatches. A command returns how it
//! ended, or the [`CliError`] that stopped it, for `main` to print once.

mod check;
pub(crate) mod config;
mod criticality;
mod diff;
mod drill;
mod git;
mod graph;
mod graphviz;
mod import;
mod report;
mod runbook;
mod schema;
mod shell;
mod simulate;
mod validate;
mod verify;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use blastmap_analysis::progress::Progress;
use blastmap_manifest::{Diagnostic, Format, Limits, LoadOptions, Loaded, ReadSummary, STDIN_NAME};

use crate::cli::{Cli, ColorChoice, Command, DiagnosticsFormat, InputArgs};
use crate::error::CliError;
use crate::output::{OutputError, eprint};
use crate::progress;
use crate::render;
use crate::style::{Style, Tone};

/// What a command returns: how it ended, or why it could not do its work.
pub(crate) type Ended = Result<Outcome, CliError>;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: findings at deny level (`check`), or a `diff --fail-on` condition.
    Findings,
    /// Exit 2: invalid input already reported on standard output (the JSON
    /// diagnostics of `--format json`), or a [`CliError`] printed by `main`.
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
    /// `--quiet`: no notes (the `read N files` line and the like).
    pub quiet: bool,
    /// Colours on standard error.
    pub err: Style,
    /// `--color`, for the streams decided later ([`Context::out_style`]).
    color: ColorChoice,
    /// Width for wrapped text.
    pub width: usize,
}

pub(crate) fn run(cli: &Cli) -> Ended {
    let ctx = Context::new(cli);
    crate::output::MAX_OUTPUT.store(cli.max_output, std::sync::atomic::Ordering::Relaxed);
    if stdin_once(&cli.command)? && std::io::stdin().is_terminal() {
        ctx.note("note: reading the inventory from standard input (`-`); end it with Ctrl-D\n");
    }
    match &cli.command {
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Simulate(args) => simulate::run(&ctx, args),
        Command::Schema(args) => schema::run(args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Graph(args) => graph::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Diff(args) => diff::run(&ctx, args),
        Command::Drill(args) => drill::run(&ctx, args),
        Command::Runbook(args) => runbook::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    }
}

impl Context {
    fn new(cli: &Cli) -> Self {
        let width =
            std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100usize).clamp(40, 200);
        Self {
            verbose: cli.verbose,
            quiet: cli.quiet,
            err: Style::decide(cli.color, std::io::stderr().is_terminal(), &|name| std::env::var_os(name)),
            color: cli.color,
            width,
        }
    }

    /// The style of a command's human-readable output: standard output
    /// (`path` absent or `-`) or the file at `path`, which gets colour only
    /// when asked for (`--color always`, `CLICOLOR_FORCE`).
    pub(crate) fn out_style(&self, path: Option<&std::path::Path>) -> Style {
        let terminal = match path {
            Some(p) if p.as_os_str() != "-" => false,
            _ => std::io::stdout().is_terminal(),
        };
        Style::decide(self.color, terminal, &|name| std::env::var_os(name))
    }

    /// Prints a note for people on standard error (neither an error nor a
    /// warning), unless `--quiet`.
    pub(crate) fn note(&self, text: &str) {
        if !self.quiet {
            let body = text.trim_end_matches('\n');
            eprint(&format!("{}{}", self.err.paint(Tone::Dim, body), &text[body.len()..]));
        }
    }

    /// Prints the one line that says what a load read, unless `--quiet`:
    /// `read 14 files: 9 Kubernetes, 3 Compose, 2 native (fixtures/shop)`.
    /// `sources` names the inputs as the user gave them (see [`input_names`]).
    pub(crate) fn print_read(&self, read: &ReadSummary, sources: &str) {
        self.note(&read_line(read, sources));
    }

    /// Prints human diagnostics to standard error.
    pub(crate) fn print_diagnostics(&self, diagnostics: &[Diagnostic]) {
        if !diagnostics.is_empty() {
            eprint(&render::diagnostics::human(diagnostics, self.err.is_on(), self.width));
        }
    }
}

/// Ends a command whose output failed to write: a closed pipe is success.
pub(crate) fn output_failed(e: OutputError) -> Ended {
    match e {
        OutputError::BrokenPipe => Ok(Outcome::Success),
        OutputError::Failed(e) => Err(e),
    }
}

/// Ends a command after writing its output: `outcome` when it was written.
pub(crate) fn written(result: Result<(), OutputError>, outcome: Outcome) -> Ended {
    match result {
        Ok(()) => Ok(outcome),
        Err(e) => output_failed(e),
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
    ctx.print_read(&loaded.read, &input_names(&input.paths).join(", "));
    loaded
}

/// `read 3 files: 2 native, 1 Compose (a, b)`: the counts by format, most
/// first (native before the foreign formats on a tie), then the files read
/// but not part of the inventory.
pub(crate) fn read_line(read: &ReadSummary, sources: &str) -> String {
    let mut parts: Vec<(usize, &str)> = Vec::new();
    if read.native > 0 {
        parts.push((read.native, "native"));
    }
    parts.extend(read.foreign.iter().map(|(&format, &n)| (n, format_name(format))));
    // Stable: the order above breaks ties.
    parts.sort_by_key(|part| std::cmp::Reverse(part.0));
    if read.skipped > 0 {
        parts.push((read.skipped, "skipped"));
    }
    let counts: Vec<String> = parts.iter().map(|(n, what)| format!("{n} {what}")).collect();
    let files = read.files();
    let head = if files == 0 {
        "read no files".to_owned()
    } else {
        format!("read {}: {}", render::plural(files, "file"), counts.join(", "))
    };
    let sources = render::safe(sources).replace('\n', "\\n");
    format!("{head} ({sources})\n")
}

/// The short name of a format in the `read N files` line.
fn format_name(format: Format) -> &'static str {
    match format {
        Format::Compose => "Compose",
        Format::Kubernetes => "Kubernetes",
        Format::Backstage => "Backstage",
        Format::Otel => "Jaeger",
    }
}

/// The inputs as the user named them, standard input (`-`) as `<stdin>`.
pub(crate) fn input_names<P: AsRef<Path>>(paths: &[P]) -> Vec<String> {
    paths.iter().map(|p| input_name(&p.as_ref().to_string_lossy())).collect()
}

/// One input as the user named it, `-` as `<stdin>`.
pub(crate) fn input_name(spec: &str) -> String {
    if spec == "-" { STDIN_NAME.to_owned() } else { spec.to_owned() }
}

/// Standard input can be read once: `-` may be named once in a command line
/// (inventory paths, `--policy`, `--baseline`, the two sides of `diff`).
/// Whether it is named.
fn stdin_once(command: &Command) -> Result<bool, CliError> {
    let dash = |p: &Path| p == Path::new("-");
    let inputs = |input: &InputArgs| input.paths.iter().filter(|p| dash(p)).count();
    let named = match command {
        Command::Validate(a) => inputs(&a.input),
        Command::Report(a) => inputs(&a.input),
        Command::Simulate(a) => inputs(&a.input),
        Command::Import(a) => inputs(&a.input),
        Command::Graph(a) => inputs(&a.input),
        Command::Drill(a) => inputs(&a.input),
        Command::Runbook(a) => inputs(&a.input),
        Command::Verify(a) => inputs(&a.input) + usize::from(a.observed.as_os_str() == "-"),
        Command::Check(a) => {
            inputs(&a.input)
                + a.baseline.iter().filter(|b| *b == "-").count()
                + usize::from(a.policy.as_deref().is_some_and(dash))
        }
        Command::Diff(a) => usize::from(a.base == "-") + usize::from(a.head == "-"),
        Command::Schema(_) | Command::Completions(_) | Command::Man(_) => 0,
    };
    if named > 1 { Err(CliError::StdinNamedTwice) } else { Ok(named == 1) }
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
        follow: input.follow,
    }
}

/// Loads and, when the inventory is invalid, reports it the way `format`
/// asks: the diagnostics on standard error and the error to return
/// (`Err(Err(..))`), or JSON on standard output (`Err(Ok(Outcome::Invalid))`).
/// Warnings are printed and loading goes on.
pub(crate) fn load_valid(
    ctx: &Context,
    input: &InputArgs,
    format: DiagnosticsFormat,
) -> Result<Loaded, Ended> {
    load_valid_watched(ctx, input, format, progress::Mode::Off)
}

/// [`load_valid`] with progress shown the way `mode` says.
pub(crate) fn load_valid_watched(
    ctx: &Context,
    input: &InputArgs,
    format: DiagnosticsFormat,
    mode: progress::Mode,
) -> Result<Loaded, Ended> {
    let loaded = load_watched(ctx, input, mode);
    if loaded.has_errors() {
        return Err(match format {
            DiagnosticsFormat::Text => {
                ctx.print_diagnostics(&loaded.diagnostics);
                let (errors, warnings) = counts(&loaded);
                Err(CliError::InvalidInventory { errors, warnings })
            }
            DiagnosticsFormat::Json => {
                let _ =
                    crate::output::write_stdout(render::diagnostics::json(&loaded.diagnostics).as_bytes());
                Ok(Outcome::Invalid)
            }
        });
    }
    ctx.print_diagnostics(&loaded.diagnostics);
    Ok(loaded)
}

/// The errors and warnings of a load, for the summary line of an invalid one.
pub(crate) fn counts(loaded: &Loaded) -> (usize, usize) {
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, loaded.diagnostics.len() - errors)
}
