//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// blastmap: what breaks when something breaks.
///
/// Reads a service inventory (services, datastores, queues, external
/// providers, zones and regions, and what each needs), simulates failures,
/// and reports blast radius, cascade paths, single points of failure,
/// illusory redundancy, availability ceilings and cold-start deadlocks.
///
/// Exit codes: 0 success, 1 findings at deny level, 2 invalid input or usage.
#[derive(Debug, Parser)]
#[command(name = "blastmap", version, max_term_width = 100)]
pub(crate) struct Cli {
    /// Say which files were skipped and why.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// When to use colours on the terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and validate an inventory; print every problem (exit 0 valid, 2 invalid).
    Validate(ValidateArgs),
    /// The full analysis: blast radius, SPOFs, thin redundancy, availability vs SLO, cycles, cold start.
    Report(ReportArgs),
    /// What-if: fail components and show every affected one with its state and cascade path.
    Simulate(SimulateArgs),
    /// Print the JSON Schema of the native manifest (for editor completion).
    Schema(SchemaArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Aligned text for a terminal.
    Text,
    /// Markdown for pull-request comments.
    Markdown,
    /// `blastmap.report/v1` JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Id lists in blast radii; SPOFs and cut sets of every component, not only critical ones.
    #[arg(long)]
    pub detail: bool,
    /// Run only these analyses (comma-separated): blast-radius, spof, cuts, availability, cold-start.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub analyses: Option<Vec<String>>,
    /// How many components the blast-radius table shows (text and Markdown).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SimulateFormat {
    /// Aligned text for a terminal.
    Text,
    /// `blastmap.simulation/v1` JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// A component to fail (repeat for several).
    #[arg(long = "fail", short = 'f', value_name = "ID", required = true)]
    pub fail: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Where the inventory is and how to read it.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Inventory files or directories (every manifest below a directory is merged).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Largest file read, in bytes.
    #[arg(long, default_value_t = 256 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Most components in one inventory.
    #[arg(long, default_value_t = 5_000_000, value_name = "N")]
    pub max_components: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiagnosticsFormat {
    /// Diagnostics with snippets, for people.
    Human,
    /// `blastmap.diagnostics/v1` JSON, for tools.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}
