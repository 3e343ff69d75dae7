//! `blastmap-synth`: writes a realistic, layered synthetic inventory to
//! standard output, for benchmarks and scale tests. The same arguments give
//! the same bytes.
//!
//! Layers, top to bottom: entrypoints (frontends, gateways), services,
//! datastores / caches / queues / storage, external providers, and the
//! failure domains (regions, zones, hosts). Requirements only point to
//! lower layers or to earlier services, so the inventory is acyclic; with
//! `--hard-only` every requirement is a plain hard dependency and the blast
//! radius of X is exactly the set of components that transitively depend on
//! X (checkable with any graph library).

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Write a synthetic blastmap inventory to standard output.
#[derive(Debug, Parser)]
#[command(name = "blastmap-synth", version)]
struct Args {
    /// Number of components.
    #[arg(long, default_value_t = 1000)]
    components: usize,
    /// Number of requirements (dependency entries and placements).
    #[arg(long, default_value_t = 5000)]
    requirements: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Every requirement a plain hard dependency (no soft, groups or placement groups).
    #[arg(long)]
    hard_only: bool,
    /// Output syntax.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p` percent.
    fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layer {
    Entry,
    Service,
    Data,
    External,
    Host,
    Zone,
    Region,
}

struct Component {
    /// Position in generation order (what requirements refer to).
    index: usize,
    id: String,
    kind: &'static str,
    layer: Layer,
    tier: u8,
    availability: f64,
    slo: Option<f64>,
    system: usize,
    /// Rendered requirements (`depends_on` entries).
    depends_on: Vec<Dep>,
    runs_in: Option<Vec<usize>>,
    within: Option<usize>,
}

enum Dep {
    Hard(usize),
    Soft(usize),
    AnyOf(Vec<usize>),
    Quorum(u32, Vec<usize>),
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if args.components < 10 {
        let _ = writeln!(std::io::stderr(), "error: --components must be at least 10");
        return ExitCode::from(2);
    }
    let components = generate(&args);
    let text = match args.format {
        Format::Yaml => yaml(&components),
        Format::Json => json(&components),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(std::io::stderr(), "error: cannot write: {e}");
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn generate(args: &Args) -> Vec<Component> {
    let mut rng = Rng(args.seed ^ 0x00b1_a57a_a11c_e5ed);
    let n = args.components;
    // Failure domains: one region per 20 000 components, three zones each,
    // one host per 50 components.
    let regions = n.div_ceil(20_000).max(1);
    let zones = regions * 3;
    let hosts = (n / 50).max(1);
    let externals = (n / 100).max(1);
    let rest = n - regions - zones - hosts - externals;
    let entries = (rest / 50).max(1);
    let data = rest / 5;
    let services = rest - entries - data;
    let mut comps: Vec<Component> = Vec::with_capacity(n);
    let mut push = |layer: Layer, kind: &'static str, count: usize, prefix: &str, rng: &mut Rng| {
        let start = comps.len();
        for i in 0..count {
            let tier = match layer {
                Layer::Entry => 1,
                Layer::Service | Layer::Data if rng.chance(10) => 1,
                Layer::Service | Layer::Data => 2 + rng.below(3) as u8,
                _ => 2,
            };
            let availability = match layer {
                Layer::Region => 99.999,
                Layer::Zone => 99.99,
                Layer::Host => 99.9,
                Layer::External => [99.9, 99.95, 99.99][rng.below(3)],
                _ => [99.5, 99.9, 99.95, 99.99][rng.below(4)],
            };
            let slo = (tier == 1 && matches!(layer, Layer::Entry | Layer::Service)).then_some(99.9);
            comps.push(Component {
                index: comps.len(),
                id: format!("{prefix}-{i:06}"),
                kind,
                layer,
                tier,
                availability,
                slo,
                system: i / 50,
                depends_on: Vec::new(),
                runs_in: None,
                within: None,
            });
        }
        start..comps.len()
    };
    let region_r = push(Layer::Region, "region", regions, "region", &mut rng);
    let zone_r = push(Layer::Zone, "zone", zones, "zone", &mut rng);
    let host_r = push(Layer::Host, "host", hosts, "host", &mut rng);
    let ext_r = push(Layer::External, "external", externals, "ext", &mut rng);
    let data_r = push(Layer::Data, "database", data, "data", &mut rng);
    let svc_r = push(Layer::Service, "service", services, "svc", &mut rng);
    let entry_r = push(Layer::Entry, "frontend", entries, "web", &mut rng);
    for (i, c) in comps[data_r.clone()].iter_mut().enumerate() {
        c.kind = ["database", "cache", "queue", "storage", "database"][i % 5];
    }
    for (i, c) in comps[entry_r.clone()].iter_mut().enumerate() {
        c.kind = if i % 3 == 0 { "gateway" } else { "frontend" };
    }

    // Placement first (counts as requirements), then dependencies until the
    // budget is spent.
    let mut budget = args.requirements;
    for z in zone_r.clone() {
        comps[z].within = Some(region_r.start + (z - zone_r.start) / 3);
        budget = budget.saturating_sub(1);
    }
    for h in host_r.clone() {
        comps[h].within = Some(zone_r.start + rng.below(zones));
        budget = budget.saturating_sub(1);
    }
    let placed: Vec<usize> = data_r.clone().chain(svc_r.clone()).chain(entry_r.clone()).collect();
    for &c in &placed {
        if budget == 0 {
            break;
        }
        let region = rng.below(regions);
        let first = zone_r.start + region * 3;
        comps[c].runs_in = Some(if args.hard_only || comps[c].layer == Layer::Data && rng.chance(50) {
            vec![host_r.start + rng.below(hosts)]
        } else {
            let a = rng.below(3);
            let b = (a + 1 + rng.below(2)) % 3;
            let mut zs = vec![first + a, first + b];
            zs.sort_unstable();
            zs
        });
        budget -= 1;
    }
    // Dependencies: services and entrypoints need lower layers; each
    // component's targets are kept distinct.
    let upper: Vec<usize> = svc_r.clone().chain(entry_r.clone()).collect();
    let mut guard = 0usize;
    while budget > 0 && guard < args.requirements * 20 {
        guard += 1;
        let c = upper[rng.below(upper.len())];
        let target_pool = |rng: &mut Rng| -> usize {
            match comps[c].layer {
                Layer::Entry => {
                    if rng.chance(80) {
                        svc_r.start + rng.below(services)
                    } else {
                        data_r.start + rng.below(data)
                    }
                }
                _ => {
                    let before = c - svc_r.start;
                    match rng.below(10) {
                        // earlier services: call chains, in the same system mostly
                        0..=4 if before > 0 => {
                            let near = before.min(100);
                            c - 1 - rng.below(near)
                        }
                        5..=8 => data_r.start + rng.below(data),
                        _ => ext_r.start + rng.below(externals),
                    }
                }
            }
        };
        let dep = if args.hard_only {
            Dep::Hard(target_pool(&mut rng))
        } else {
            match rng.below(20) {
                0..=12 => Dep::Hard(target_pool(&mut rng)),
                13..=15 => Dep::Soft(target_pool(&mut rng)),
                16..=18 => {
                    let mut m = vec![target_pool(&mut rng), target_pool(&mut rng)];
                    m.sort_unstable();
                    m.dedup();
                    if m.len() < 2 {
                        continue;
                    }
                    Dep::AnyOf(m)
                }
                _ => {
                    let mut m = vec![target_pool(&mut rng), target_pool(&mut rng), target_pool(&mut rng)];
                    m.sort_unstable();
                    m.dedup();
                    if m.len() < 3 {
                        continue;
                    }
                    Dep::Quorum(2, m)
                }
            }
        };
        let members: Vec<usize> = match &dep {
            Dep::Hard(t) | Dep::Soft(t) => vec![*t],
            Dep::AnyOf(m) | Dep::Quorum(_, m) => m.clone(),
        };
        let taken = comps[c].depends_on.iter().any(|d| match d {
            Dep::Hard(t) | Dep::Soft(t) => members.contains(t),
            Dep::AnyOf(m) | Dep::Quorum(_, m) => m.iter().any(|x| members.contains(x)),
        });
        if taken || members.contains(&c) {
            continue;
        }
        comps[c].depends_on.push(dep);
        budget -= 1;
    }
    comps.sort_by(|a, b| a.id.cmp(&b.id));
    comps
}

fn yaml(comps: &[Component]) -> String {
    let mut out = String::with_capacity(comps.len() * 160);
    out.push_str("# generated by blastmap-synth\nblastmap: 1\ncomponents:\n");
    let ids = generation_ids(comps);
    for c in comps {
        let _ = writeln!(out, "  {}:", c.id);
        let _ = writeln!(out, "    kind: {}", c.kind);
        let _ = writeln!(out, "    tier: {}", c.tier);
        let _ = writeln!(out, "    system: system-{:05}", c.system);
        let _ = writeln!(out, "    availability: {}", c.availability);
        if let Some(slo) = c.slo {
            let _ = writeln!(out, "    slo: {slo}");
        }
        if let Some(w) = c.within {
            let _ = writeln!(out, "    within: {}", ids[w]);
        }
        if let Some(r) = &c.runs_in {
            let names: Vec<&str> = r.iter().map(|&i| ids[i]).collect();
            let _ = writeln!(out, "    runs_in: [{}]", names.join(", "));
        }
        if !c.depends_on.is_empty() {
            out.push_str("    depends_on:\n");
            for d in &c.depends_on {
                match d {
                    Dep::Hard(t) => {
                        let _ = writeln!(out, "      - {}", ids[*t]);
                    }
                    Dep::Soft(t) => {
                        let _ = writeln!(out, "      - {{ target: {}, mode: soft }}", ids[*t]);
                    }
                    Dep::AnyOf(m) => {
                        let names: Vec<&str> = m.iter().map(|&i| ids[i]).collect();
                        let _ = writeln!(out, "      - any_of: [{}]", names.join(", "));
                    }
                    Dep::Quorum(k, m) => {
                        let names: Vec<&str> = m.iter().map(|&i| ids[i]).collect();
                        let _ = writeln!(out, "      - {{ quorum: {k}, of: [{}] }}", names.join(", "));
                    }
                }
            }
        }
    }
    out
}

fn json(comps: &[Component]) -> String {
    let ids = generation_ids(comps);
    let quote = |s: &str| format!("\"{s}\"");
    let list = |m: &[usize]| m.iter().map(|&i| quote(ids[i])).collect::<Vec<_>>().join(",");
    let mut out = String::with_capacity(comps.len() * 200);
    out.push_str("{\"blastmap\":1,\"components\":{\n");
    for (n, c) in comps.iter().enumerate() {
        let _ = write!(
            out,
            "{}:{{\"kind\":\"{}\",\"tier\":{},\"system\":\"system-{:05}\",\"availability\":{}",
            quote(&c.id),
            c.kind,
            c.tier,
            c.system,
            c.availability
        );
        if let Some(slo) = c.slo {
            let _ = write!(out, ",\"slo\":{slo}");
        }
        if let Some(w) = c.within {
            let _ = write!(out, ",\"within\":{}", quote(ids[w]));
        }
        if let Some(r) = &c.runs_in {
            let _ = write!(out, ",\"runs_in\":[{}]", list(r));
        }
        if !c.depends_on.is_empty() {
            let deps: Vec<String> = c
                .depends_on
                .iter()
                .map(|d| match d {
                    Dep::Hard(t) => quote(ids[*t]),
                    Dep::Soft(t) => format!("{{\"target\":{},\"mode\":\"soft\"}}", quote(ids[*t])),
                    Dep::AnyOf(m) => format!("{{\"any_of\":[{}]}}", list(m)),
                    Dep::Quorum(k, m) => format!("{{\"quorum\":{k},\"of\":[{}]}}", list(m)),
                })
                .collect();
            let _ = write!(out, ",\"depends_on\":[{}]", deps.join(","));
        }
        out.push('}');
        out.push_str(if n + 1 < comps.len() { ",\n" } else { "\n" });
    }
    out.push_str("}}\n");
    out
}

/// Component ids by generation index (requirements refer to generation
/// indices; the output is sorted by id).
fn generation_ids(comps: &[Component]) -> Vec<&str> {
    let mut ids = vec![""; comps.len()];
    for c in comps {
        ids[c.index] = &c.id;
    }
    ids
}
