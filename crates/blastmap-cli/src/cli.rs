//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `blastmap --version`: the version and the commit it was built from.
pub(crate) const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("BLASTMAP_COMMIT"), ")");

/// blastmap: what breaks when something breaks.
///
/// Reads a service inventory (services, datastores, queues, external
/// providers, zones and regions, and what each needs), simulates failures,
/// and reports blast radius, cascade paths, single points of failure,
/// illusory redundancy, availability ceilings and cold-start deadlocks.
///
/// Exit codes: 0 success, 1 findings at deny level, 2 invalid input or usage.
#[derive(Debug, Parser)]
#[command(name = "blastmap", version = VERSION, max_term_width = 100)]
pub(crate) struct Cli {
    /// Say which files were skipped and why.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Print no notes: not the `read N files` line, nor other messages that are neither errors nor warnings.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to use colours on the terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Largest output written, in bytes: a larger one is an error (exit 2) and nothing is written.
    #[arg(long, global = true, default_value_t = 1 << 30, value_name = "BYTES")]
    pub max_output: u64,
    /// Read defaults from this file instead of the `blastmap.toml` found in this directory or above.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no `blastmap.toml`.
    #[arg(long, global = true)]
    pub no_config: bool,
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
    /// Convert Docker Compose, Kubernetes, Backstage or Jaeger files into a native manifest to curate.
    Import(ImportArgs),
    /// Draw the inventory as a diagram: DOT, SVG, PNG or Mermaid.
    Graph(GraphArgs),
    /// The CI gate: evaluate the policy (exit 0 pass, 1 deny-level findings, 2 invalid input).
    Check(CheckArgs),
    /// What changed in risk between two inventories (paths or `git:REV:PATH`).
    Diff(DiffArgs),
    /// A game-day plan: experiments that test the inventory's claims, with hypotheses, aborts and rollbacks.
    Drill(DrillArgs),
    /// The emergency plan of a failure: impact, what is down and why, whom to page, recovery order.
    Runbook(RunbookArgs),
    /// Compare what a drill observed with the prediction (exit 0 held, 1 the model was wrong, 2 invalid).
    Verify(VerifyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page (roff; `blastmap man | man -l -`).
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell: `blastmap completions bash > /etc/bash_completion.d/blastmap`.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write to this file instead of standard output (for example `blastmap.1`).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Aligned text for a terminal.
    Text,
    /// Markdown for pull-request comments.
    Markdown,
    /// `blastmap.report/v1` JSON.
    Json,
    /// One self-contained interactive HTML page for design reviews (use `-o FILE`).
    Html,
}

/// How the HTML report draws its diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum HtmlDiagram {
    /// Graphviz when `dot` is on PATH, otherwise the built-in layout.
    Auto,
    /// Graphviz `dot` (must be installed).
    Graphviz,
    /// The built-in layered layout (by cold-start wave): no Graphviz needed.
    Builtin,
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
    /// Show progress on standard error even when it is not a terminal (CI logs, pipes).
    #[arg(long)]
    pub progress: bool,
    /// The diagram of `--format html`: Graphviz when installed, or the built-in layout.
    #[arg(long, value_enum, default_value_t = HtmlDiagram::Auto, value_name = "HOW")]
    pub diagram: HtmlDiagram,
    /// The report's title (default: the paths for text and Markdown, the inventory's name for HTML).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// What the boxes of the HTML page's overview are, above 150 components.
    #[arg(long, value_enum, default_value_t = ClusterBy::System)]
    pub cluster_by: ClusterBy,
    /// HTML: link every single point of failure to its runbook in this folder (as seen from the page), written by `runbook --all-spofs --format html -o DIR`.
    #[arg(long, value_name = "DIR")]
    pub runbooks: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SimulateFormat {
    /// Aligned text for a terminal.
    Text,
    /// `blastmap.simulation/v1` JSON.
    Json,
    /// Graphviz DOT of the affected part of the inventory.
    Dot,
    /// SVG drawn by Graphviz `dot` (must be installed).
    Svg,
    /// PNG drawn by Graphviz `dot` (must be installed; needs `-o` on a terminal).
    Png,
    /// A Mermaid flowchart (renders on GitHub).
    Mermaid,
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
    /// Diagrams: draw every affected component even when there are many (otherwise summarised above 150).
    #[arg(long)]
    pub all: bool,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DrillFormat {
    /// Markdown for a game-day document.
    Markdown,
    /// `blastmap.drill/v1` JSON.
    Json,
    /// Chaos Toolkit experiments (one file each; several need `-o DIR`).
    Chaostoolkit,
}

#[derive(Debug, Args)]
pub(crate) struct DrillArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Plan this scenario instead of choosing experiments (repeat to fail several at once).
    #[arg(long = "fail", short = 'f', value_name = "ID")]
    pub fail: Vec<String>,
    /// Most experiments in the plan.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Keep experiments predicted to take an entrypoint down.
    #[arg(long)]
    pub allow_outage: bool,
    /// Seconds to wait after the injection before observing (Chaos Toolkit).
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub settle: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DrillFormat::Markdown)]
    pub format: DrillFormat,
    /// Write to this file (atomically); for several Chaos Toolkit experiments, a directory.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RunbookFormat {
    /// Markdown for a wiki or an incident channel.
    Markdown,
    /// A standalone HTML page.
    Html,
    /// `blastmap.runbook/v1` JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct RunbookArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The failure to plan for (repeat for several at once).
    #[arg(
        long = "fail",
        short = 'f',
        value_name = "ID",
        required_unless_present = "all_spofs",
        conflicts_with = "all_spofs"
    )]
    pub fail: Vec<String>,
    /// One runbook per single point of failure of a critical component, into `-o DIR`.
    #[arg(long, requires = "output")]
    pub all_spofs: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunbookFormat::Markdown)]
    pub format: RunbookFormat,
    /// Write to this file (atomically); with `--all-spofs`, the directory to write into.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum VerifyFormat {
    /// Aligned text for a terminal.
    Text,
    /// `blastmap.verification/v1` JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// What the drill observed: a Chaos Toolkit journal, or `blastmap.outcome/v1` JSON.
    #[arg(long, value_name = "FILE")]
    pub observed: PathBuf,
    /// The plan the drill ran (`drill --format json`): its experiment names the failure when the observation does not, and a plan that no longer matches the inventory is said.
    #[arg(long, value_name = "PLAN.json")]
    pub drill: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Where the inventory is and how to read it.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Inventory files or directories (every manifest below a directory is merged); `-` is standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Largest file read, in bytes.
    #[arg(long, default_value_t = 256 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Follow symbolic links met while walking directories (off: a link is skipped with a note).
    #[arg(long)]
    pub follow: bool,
    /// Most components in one inventory.
    #[arg(long, default_value_t = 5_000_000, value_name = "N")]
    pub max_components: usize,
    /// Most (component, failure) pairs an analysis holds (SPOF lists; ids with `--detail`).
    #[arg(long, default_value_t = blastmap_analysis::sweep::DEFAULT_MAX_PAIRS, value_name = "N")]
    pub max_pairs: u64,
    /// Read files without the `blastmap` key as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub from: Option<ForeignFormat>,
}

/// The foreign formats `--from` can force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ForeignFormat {
    /// Docker Compose files (merged in the order given, with `.env`).
    Compose,
    /// Kubernetes manifests.
    Kubernetes,
    /// Backstage catalog entities.
    Backstage,
    /// Observed dependencies: Jaeger `/api/dependencies` JSON.
    Otel,
}

impl From<ForeignFormat> for blastmap_manifest::Format {
    fn from(f: ForeignFormat) -> Self {
        match f {
            ForeignFormat::Compose => Self::Compose,
            ForeignFormat::Kubernetes => Self::Kubernetes,
            ForeignFormat::Backstage => Self::Backstage,
            ForeignFormat::Otel => Self::Otel,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImportFormat {
    /// YAML with a comment on each dependency saying where it came from.
    Yaml,
    /// The native manifest in JSON (no comments).
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImportFormat::Yaml)]
    pub format: ImportFormat,
    /// Write to this file (atomically) instead of standard output; never overwrites without `--force`.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Overwrite the `--output` file if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiagnosticsFormat {
    /// Diagnostics with snippets, for people (`human` is an alias: one name per format, as elsewhere).
    #[value(alias = "human")]
    Text,
    /// `blastmap.diagnostics/v1` JSON, for tools.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Text)]
    pub format: DiagnosticsFormat,
    /// Show progress on standard error even when it is not a terminal (CI logs, pipes).
    #[arg(long)]
    pub progress: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiagramFormat {
    /// Graphviz DOT.
    Dot,
    /// SVG drawn by Graphviz `dot` (must be installed).
    Svg,
    /// PNG drawn by Graphviz `dot` (must be installed; needs `-o` on a terminal).
    Png,
    /// A Mermaid flowchart (renders on GitHub).
    Mermaid,
}

/// What groups components into clusters (boxes) in a diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ClusterBy {
    /// The `system` field.
    System,
    /// The `owner` field.
    Owner,
    /// The failure domains a component runs in (`runs_in`).
    Domain,
    /// No clusters.
    None,
}

/// Which way dependencies point in a diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Direction {
    /// Left to right.
    #[value(name = "LR", alias = "lr")]
    Lr,
    /// Top to bottom.
    #[value(name = "TB", alias = "tb")]
    Tb,
}

#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Dot)]
    pub format: DiagramFormat,
    /// Draw only the neighbourhood of this component (repeat for several).
    #[arg(long, value_name = "ID")]
    pub focus: Vec<String>,
    /// How many requirement steps (either way) the neighbourhood of `--focus` reaches.
    #[arg(long, value_name = "N", default_value_t = 2, requires = "focus")]
    pub depth: u32,
    /// Colour the diagram by the outcome of failing this component (repeat for several).
    #[arg(long = "fail", short = 'f', value_name = "ID")]
    pub fail: Vec<String>,
    /// What the clusters (boxes) group.
    #[arg(long, value_enum, default_value_t = ClusterBy::System)]
    pub cluster_by: ClusterBy,
    /// Which way dependencies point.
    #[arg(long, value_enum, default_value_t = Direction::Lr)]
    pub direction: Direction,
    /// Draw every component even in large inventories (otherwise clusters are summarised above 150).
    #[arg(long)]
    pub all: bool,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Findings for people, with locations and cascade paths.
    Text,
    /// `blastmap.check/v1` JSON.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, GitLab, IDEs).
    Sarif,
    /// `JUnit` XML: a test suite per rule, a test case per checked component.
    Junit,
    /// GitHub Actions workflow commands (`::error file=..,line=..::`).
    Github,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// A file with `blastmap: 1` and a `policy:` section; replaces the inventory's own policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The inventory to compare with for `no-regression`: a path, or `git:REV:PATH` (repeat for several).
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Report the findings but exit 0 even when some are at deny level (invalid input still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// Aligned text for a terminal.
    Text,
    /// Markdown for pull-request comments.
    Markdown,
    /// `blastmap.diff/v1` JSON.
    Json,
}

/// Changes that make `diff` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum FailOn {
    /// A critical component gained a single point of failure.
    NewSpof,
    /// A component's blast radius grew.
    RadiusGrowth,
    /// A new hard cycle.
    NewCycle,
    /// A component's availability ceiling fell.
    AvailabilityDrop,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The inventory before: a file, a directory, or `git:REV:PATH` (PATH from the repository root).
    pub base: String,
    /// The inventory after, in the same forms.
    pub head: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when one of these changes is found (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub fail_on: Vec<FailOn>,
    /// How many blast-radius changes text and Markdown show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Most (component, SPOF) pairs held per side to list the SPOF changes.
    #[arg(long, default_value_t = blastmap_analysis::sweep::DEFAULT_MAX_PAIRS, value_name = "N")]
    pub max_pairs: u64,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}
