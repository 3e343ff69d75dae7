//! Realistic, layered, deterministic synthetic inventories (`BENCHMARKS.md`), for
//! the `blastmap-synth` binary and the benchmarks. The same [`Config`] gives
//! the same bytes on every platform.
//!
//! Layers, top to bottom: entrypoints (frontends, gateways), services,
//! datastores / caches / queues / storage, external providers, and the
//! failure domains (regions, zones, hosts). Services come in systems of 50;
//! the first 2% of them form the platform (auth, config, …) that other
//! systems call. A service needs earlier services of its own system, platform
//! services, its own system's datastores (or a shared one) and now and then
//! an external provider. Requirements only point to lower layers or to
//! earlier services, so the inventory is acyclic.
//!
//! Why this shape: a service calling any recent service would chain the
//! whole inventory together and give every component a blast radius of half
//! the inventory, which no real system has. Here most radii stay within a
//! system, hubs (platform services, shared datastores, zones) have large
//! ones, and the sizes grow with the inventory the way real ones do.
//!
//! With [`Config::hard_only`] every requirement is a plain hard dependency
//! (placement on one host included), so the blast radius of X is exactly the
//! set of components that transitively depend on X, checkable with any graph
//! library.

use std::fmt::Write as _;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Number of components (at least [`Config::MIN_COMPONENTS`]).
    pub components: usize,
    /// Number of requirements: `depends_on` entries, `runs_in` and `within`.
    /// Reached exactly unless the inventory is too small to hold that many
    /// distinct dependencies.
    pub requirements: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Every requirement a plain hard dependency.
    pub hard_only: bool,
}

impl Config {
    /// Fewer components cannot hold one of every layer.
    pub const MIN_COMPONENTS: usize = 20;
}

/// Output syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// The inventory of `config` as text.
///
/// # Complexity
/// O(n + m) time and memory for n components and m requirements.
pub fn generate(config: &Config, format: Format) -> Result<String, String> {
    if config.components < Config::MIN_COMPONENTS {
        return Err(format!("--components must be at least {}", Config::MIN_COMPONENTS));
    }
    let components = build(config);
    Ok(match format {
        Format::Yaml => yaml(&components),
        Format::Json => json(&components),
    })
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

/// Services per system (and the grain of `system:`).
const SYSTEM: usize = 50;

fn build(config: &Config) -> Vec<Component> {
    let mut rng = Rng(config.seed ^ 0x00b1_a57a_a11c_e5ed);
    let n = config.components;
    // Failure domains: one region per 20 000 components, three zones each,
    // one host per 50 components.
    let regions = n.div_ceil(20_000).max(1);
    let zones = regions * 3;
    let hosts = (n / 50).max(1);
    let externals = (n / 100).max(1);
    let rest = n - regions - zones - hosts - externals;
    let entries = (rest / 50).max(1);
    let data = (rest / 5).max(1);
    let services = rest - entries - data;
    let systems = services.div_ceil(SYSTEM);
    let platform = (services / 50).max(1);
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
                system: match layer {
                    // Datastores belong to the system whose services use them first.
                    Layer::Data => i * systems / count,
                    _ => i / SYSTEM,
                },
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
    let mut budget = config.requirements;
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
        let on_host = config.hard_only || comps[c].layer == Layer::Data && rng.chance(50);
        comps[c].runs_in = Some(if on_host {
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

    let upper: Vec<usize> = svc_r.clone().chain(entry_r.clone()).collect();
    // Where one requirement of `c` points.
    let target = |c: usize, rng: &mut Rng| -> usize {
        let own_data = |system: usize, rng: &mut Rng| {
            let first = system * data / systems;
            let last = ((system + 1) * data / systems).max(first + 1).min(data);
            data_r.start + first + rng.below(last - first)
        };
        if c >= entry_r.start {
            return if rng.chance(80) {
                svc_r.start + rng.below(services)
            } else {
                data_r.start + rng.below(data)
            };
        }
        let local = c - svc_r.start;
        let system = local / SYSTEM;
        let system_start = svc_r.start + system * SYSTEM;
        match rng.below(20) {
            // an earlier service of the same system: call chains stay local
            0..=8 if c > system_start => system_start + rng.below(c - system_start),
            // a platform service (auth, config, …): the hubs
            9..=10 if local >= platform => svc_r.start + rng.below(platform),
            // mostly the system's own datastores, sometimes a shared one
            0..=18 if rng.chance(70) => own_data(system, rng),
            0..=18 => data_r.start + rng.below(data),
            _ => ext_r.start + rng.below(externals),
        }
    };
    let mut guard = 0usize;
    while budget > 0 && guard < config.requirements.saturating_mul(20) {
        guard += 1;
        let c = upper[rng.below(upper.len())];
        let dep = if config.hard_only {
            Dep::Hard(target(c, &mut rng))
        } else {
            match rng.below(20) {
                0..=12 => Dep::Hard(target(c, &mut rng)),
                13..=15 => Dep::Soft(target(c, &mut rng)),
                16..=18 => {
                    let mut m = vec![target(c, &mut rng), target(c, &mut rng)];
                    m.sort_unstable();
                    m.dedup();
                    if m.len() < 2 {
                        continue;
                    }
                    Dep::AnyOf(m)
                }
                _ => {
                    let mut m = vec![target(c, &mut rng), target(c, &mut rng), target(c, &mut rng)];
                    m.sort_unstable();
                    m.dedup();
                    if m.len() < 3 {
                        continue;
                    }
                    Dep::Quorum(2, m)
                }
            }
        };
        let members: &[usize] = match &dep {
            Dep::Hard(t) | Dep::Soft(t) => std::slice::from_ref(t),
            Dep::AnyOf(m) | Dep::Quorum(_, m) => m,
        };
        // A target at most once per component (the manifest rejects nothing
        // here, but repeated targets would only inflate the count).
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
    let list = |out: &mut String, m: &[usize]| {
        for (i, &x) in m.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(ids[x]);
        }
    };
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
            out.push_str("    runs_in: [");
            list(&mut out, r);
            out.push_str("]\n");
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
                        out.push_str("      - any_of: [");
                        list(&mut out, m);
                        out.push_str("]\n");
                    }
                    Dep::Quorum(k, m) => {
                        let _ = write!(out, "      - {{ quorum: {k}, of: [");
                        list(&mut out, m);
                        out.push_str("] }\n");
                    }
                }
            }
        }
    }
    out
}

fn json(comps: &[Component]) -> String {
    let ids = generation_ids(comps);
    // Ids are made of `[a-z0-9-]` only: quoting needs no escapes.
    let list = |out: &mut String, m: &[usize]| {
        for (i, &x) in m.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "\"{}\"", ids[x]);
        }
    };
    let mut out = String::with_capacity(comps.len() * 200);
    out.push_str("{\"blastmap\":1,\"components\":{\n");
    for (n, c) in comps.iter().enumerate() {
        let _ = write!(
            out,
            "\"{}\":{{\"kind\":\"{}\",\"tier\":{},\"system\":\"system-{:05}\",\"availability\":{}",
            c.id, c.kind, c.tier, c.system, c.availability
        );
        if let Some(slo) = c.slo {
            let _ = write!(out, ",\"slo\":{slo}");
        }
        if let Some(w) = c.within {
            let _ = write!(out, ",\"within\":\"{}\"", ids[w]);
        }
        if let Some(r) = &c.runs_in {
            out.push_str(",\"runs_in\":[");
            list(&mut out, r);
            out.push(']');
        }
        if !c.depends_on.is_empty() {
            out.push_str(",\"depends_on\":[");
            for (i, d) in c.depends_on.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match d {
                    Dep::Hard(t) => {
                        let _ = write!(out, "\"{}\"", ids[*t]);
                    }
                    Dep::Soft(t) => {
                        let _ = write!(out, "{{\"target\":\"{}\",\"mode\":\"soft\"}}", ids[*t]);
                    }
                    Dep::AnyOf(m) => {
                        out.push_str("{\"any_of\":[");
                        list(&mut out, m);
                        out.push_str("]}");
                    }
                    Dep::Quorum(k, m) => {
                        let _ = write!(out, "{{\"quorum\":{k},\"of\":[");
                        list(&mut out, m);
                        out.push_str("]}");
                    }
                }
            }
            out.push(']');
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
