//! Scale benchmarks (BENCHMARKS.md#targets) over inventories made in-process by
//! the `blastmap-synth` generator (seed 1). Sizes are
//! "components/requirements": 1k/5k, 10k/50k, 100k/1M and 1M/5M. Run one group
//! with, e.g., `cargo bench -p blastmap-analysis --bench scale -- spofs`;
//! BENCHMARKS.md has the figures and the commands.
//!
//! Each inventory is generated and loaded once per process and shared by
//! every benchmark (generating 1M components takes seconds).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use blastmap_analysis::availability::{AvailabilityOptions, availability};
use blastmap_analysis::cuts::cut_sets;
use blastmap_analysis::net::Net;
use blastmap_analysis::report::{Analyses, ReportOptions, report};
use blastmap_analysis::spof::{illusory_groups, illusory_redundancy, spofs};
use blastmap_analysis::sweep::{SweepOptions, Targets, sweep};
use blastmap_manifest::{LoadOptions, Model, load_texts};
use blastmap_synth::{Config, Format, generate};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

/// Requirements per size, the ratios of BENCHMARKS.md#targets (5 per component
/// up to 10k, 10 at 100k; 1M keeps 5 so that the text stays under the loader's
/// default 256 MiB file limit).
fn requirements(components: usize) -> usize {
    match components {
        100_000 => 1_000_000,
        n => n * 5,
    }
}

/// Generated texts by (components, JSON?), shared by every benchmark.
type Texts = Mutex<BTreeMap<(usize, bool), Arc<String>>>;

fn text(components: usize, format: Format) -> Arc<String> {
    static TEXTS: OnceLock<Texts> = OnceLock::new();
    let cache = TEXTS.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap();
    let entry = cache.entry((components, format == Format::Json)).or_insert_with(|| {
        let config = Config { components, requirements: requirements(components), seed: 1, hard_only: false };
        Arc::new(generate(&config, format).unwrap())
    });
    Arc::clone(entry)
}

fn model(components: usize) -> Arc<Model> {
    static MODELS: OnceLock<Mutex<BTreeMap<usize, Arc<Model>>>> = OnceLock::new();
    let cache = MODELS.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap();
    let entry = cache.entry(components).or_insert_with(|| {
        let loaded = load_texts(&[("synth.json", &text(components, Format::Json))], &LoadOptions::default());
        assert!(!loaded.has_errors(), "the generated inventory is invalid");
        Arc::new(loaded.model)
    });
    Arc::clone(entry)
}

fn load(bencher: Bencher, components: usize, format: Format) {
    let text = text(components, format);
    let name = if format == Format::Json { "synth.json" } else { "synth.yaml" };
    bencher.bench(|| {
        let loaded = load_texts(&[(name, &text)], &LoadOptions::default());
        assert!(!loaded.has_errors());
        loaded
    });
}

#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn parse_validate_yaml(bencher: Bencher, components: usize) {
    load(bencher, components, Format::Yaml);
}

#[divan::bench(args = [1_000, 10_000, 100_000, 1_000_000], max_time = 10)]
fn parse_validate_json(bencher: Bencher, components: usize) {
    load(bencher, components, Format::Json);
}

/// The CSR form every analysis starts from (part of each figure below).
#[divan::bench(args = [1_000, 10_000, 100_000, 1_000_000], max_time = 5)]
fn net(bencher: Bencher, components: usize) {
    let model = model(components);
    bencher.bench(|| Net::new(&model));
}

/// Blast radius of every component, full semantics, on every core.
#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn blast_radius(bencher: Bencher, components: usize) {
    let model = model(components);
    let net = Net::new(&model);
    bencher.bench(|| sweep(&model, &net, &SweepOptions::default()));
}

/// The same on one core (the 10k target of BENCHMARKS.md#targets is for one
/// core).
#[divan::bench(args = [1_000, 10_000], max_time = 5)]
fn blast_radius_one_core(bencher: Bencher, components: usize) {
    let model = model(components);
    let net = Net::new(&model);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    bencher.bench(|| pool.install(|| sweep(&model, &net, &SweepOptions::default())));
}

/// SPOFs of every critical component (tier 1 or entrypoint).
#[divan::bench(args = [1_000, 10_000, 100_000, 1_000_000], max_time = 10)]
fn spofs_critical(bencher: Bencher, components: usize) {
    let model = model(components);
    let net = Net::new(&model);
    bencher.bench(|| spofs(&model, &net, &Targets::Critical));
}

/// Every (group, single failure that defeats it) pair: the full list of
/// illusory redundancy.
#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn illusory_groups_every_pair(bencher: Bencher, components: usize) {
    let model = model(components);
    let net = Net::new(&model);
    bencher.bench(|| illusory_groups(&model, &net));
}

/// What `report` shows of illusory redundancy: the nearest culprits of every
/// defeated group, the rest counted.
#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn illusory_redundancy_groups(bencher: Bencher, components: usize) {
    let model = model(components);
    let net = Net::new(&model);
    bencher.bench(|| illusory_redundancy(&net));
}

/// Order-2 cut sets of every critical component. Not at 100k: the
/// candidate pairs grow with the product of the members' cause lists (two
/// billion there; `report` refuses more than 2^24, see BENCHMARKS.md).
#[divan::bench(args = [1_000, 10_000], max_time = 10)]
fn cut_sets_critical(bencher: Bencher, components: usize) {
    let model = model(components);
    let net = Net::new(&model);
    bencher.bench(|| cut_sets(&model, &net, &Targets::Critical));
}

/// Availability of every component with the default precision (±0.01% at
/// 95%, within the default work bound).
#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn availability_all(bencher: Bencher, components: usize) {
    let model = model(components);
    bencher.bench(|| availability(&model, &AvailabilityOptions::default()));
}

/// `report` with every analysis, without rendering (the CLI adds parsing
/// and rendering; BENCHMARKS.md times the whole process too). At 100k the
/// order-2 cut sets are counted and refused (two billion candidate pairs).
#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn full_report(bencher: Bencher, components: usize) {
    let model = model(components);
    bencher.bench(|| report(&model, &ReportOptions::default()));
}

/// `report` with every analysis but cut sets (see [`cut_sets_critical`]).
#[divan::bench(args = [1_000, 10_000, 100_000], max_time = 10)]
fn report_without_cuts(bencher: Bencher, components: usize) {
    let model = model(components);
    let mut analyses = Analyses::ALL;
    analyses.cuts = false;
    bencher.bench(|| report(&model, &ReportOptions { analyses, ..ReportOptions::default() }));
}

/// The generator itself (excluded from every figure above).
#[divan::bench(args = [10_000], max_time = 5)]
fn generate_yaml(components: usize) -> String {
    let config = Config { components, requirements: requirements(components), seed: 1, hard_only: false };
    generate(&config, black_box(Format::Yaml)).unwrap()
}
