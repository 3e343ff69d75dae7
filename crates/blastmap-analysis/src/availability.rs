//! Availability of every component under independent failures, with each
//! dependency's share of the error budget.
//!
//! Every component fails on its own, independently, with probability
//! `1 − availability/100` (components without an availability never fail on
//! their own). A component is down when it failed or one of its HARD
//! requirements is unmet (DESIGN §3; soft requirements never take anything
//! down), so only the hard-requirement graph matters here. The availability of
//! S is the probability that S is not down.
//!
//! Two methods:
//!
//! * **Exact**, with a reduced ordered binary decision diagram (BDD) of the
//!   "S is down" function over the failure variables. It is built bottom-up in
//!   the condensation order of the hard graph (a hard cycle is solved by
//!   iterating its equations from "nothing down" to the least fixpoint), so
//!   every sub-structure is shared between the components that use it.
//!   Series, parallel and k-of-n structures over independent parts give
//!   linear-size diagrams, and shared dependencies (zones, a database behind
//!   several services) are handled exactly rather than assumed independent.
//!   The probability of each node is computed when it is created, and each
//!   dependency's contribution comes from one backward pass over S's diagram
//!   (see [`Contribution`]). Diagrams can blow up: each component may add at
//!   most [`AvailabilityOptions::exact_component_nodes`] nodes and all of them
//!   at most [`AvailabilityOptions::exact_total_nodes`]; a component over
//!   budget (and every component that hard-depends on it) falls back to
//!   Monte Carlo.
//! * **Monte Carlo**, bit-parallel: 256 samples per pass (four 64-bit words
//!   per component), failures drawn with geometric skips (so a component that
//!   fails once in a thousand samples costs one random draw per thousand
//!   samples), the down fixpoint evaluated over the condensation order for
//!   all lanes at once, only over the components the Monte Carlo components
//!   depend on. The estimate comes with a 95% Wilson score interval. The
//!   sample count is adaptive: rounds of samples are added until every Monte
//!   Carlo component's interval half-width is at most
//!   [`AvailabilityOptions::target_half_width`], or
//!   [`AvailabilityOptions::max_samples`] is reached (then the interval is
//!   wider than the target, and `low`/`high` say so honestly). Samples come in
//!   chunks of [`CHUNK_SAMPLES`], each with its own seed derived from the
//!   chunk index, and counts are integers: the result is the same for any
//!   thread count.
//!
//!   Variance reduction (a control variate known exactly): every single
//!   point of failure X of S takes S down on its own, and the probability
//!   that at least one of them fails is `1 − Π(1 − p)` exactly (they fail
//!   independently). They are found without a sweep: the closure of S over
//!   the members of its series requirements (single targets, `need = n`
//!   groups) and over the nearest culprits of its groups (the failures that
//!   defeat a group on their own, from [`crate::spof::illusory_redundancy`]);
//!   a culprit left out there takes a listed one down through series
//!   requirements, so the closure holds it too. Only the residual, "S down
//!   although no single point of failure failed" (two or more failures
//!   behind redundancy), is sampled; the interval is Wilson's on the
//!   residual, shifted by the exact part. The residual is usually far
//!   smaller than the unavailability, and so are its variance and the
//!   samples needed: on the 10k-component synthetic inventory, counting the
//!   groups' culprits cut the samples the worst component needs for ±0.01%
//!   from 67 million to 8 million (BENCHMARKS.md).
//!
//!   Contributions in Monte Carlo: a single-point failure X costs exactly
//!   `p·(1 − U)/(1 − p)`; any other X is measured with common random numbers
//!   on the residual samples of up to
//!   [`AvailabilityOptions::contribution_samples`]: in the lanes where X
//!   failed, the world without X's failure is re-evaluated, only downstream of
//!   what changes.
//!
//! A component gets `None` when nothing in its hard closure (itself included)
//! can fail: it is up under every failure set, and "100% with no
//! dependencies that can fail" is a different statement from a computed
//! availability of 1.0 (which a component can also get exactly, when
//! redundancy with a member that never fails protects it).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::cycles::{HardNet, Sccs};

/// Knobs of [`availability`]. The defaults aim at ±0.01% at 95% and bound
/// the Monte Carlo part to about half a second on two cores; components
/// whose residual needs more samples than that get wider intervals, and
/// their `low`/`high` say so (BENCHMARKS.md has the figures at 10k).
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityOptions {
    /// Monte Carlo stops adding samples once every estimate's 95% half-width
    /// is at most this (absolute, on the 0..1 scale). Default `1e-4`.
    pub target_half_width: f64,
    /// Monte Carlo never draws fewer samples than this. Default 2^16.
    pub min_samples: u64,
    /// Monte Carlo never draws more samples than this. Default 2^24.
    pub max_samples: u64,
    /// Monte Carlo never evaluates more than this many component-samples
    /// (samples × components the Monte Carlo components depend on), which
    /// bounds its time (about 0.25 ns each per core, measured): large, fragile
    /// inventories then get wider intervals instead of long runs (but never
    /// fewer than `min_samples`). Default 2^32, about half a second on two
    /// cores.
    pub max_work: u64,
    /// Seed of the Monte Carlo sampler.
    pub seed: u64,
    /// Decision-diagram nodes one component may add before it falls back to
    /// Monte Carlo (and at most 16 times as many apply steps). Default 2^10: a
    /// small budget per component leaves the total for the many that fit.
    pub exact_component_nodes: usize,
    /// Decision-diagram nodes in total (about 40 bytes each). Default 2^22.
    /// Zero forces Monte Carlo everywhere.
    pub exact_total_nodes: usize,
    /// How many contributions to report per component (largest first).
    /// Default 5; zero skips the contribution analysis.
    pub contributions: usize,
    /// Monte Carlo estimates the contributions of non-single-point failures
    /// from at most this many samples (fewer when the re-evaluations would
    /// cost more than a sixteenth of `max_work`; the budget is spent pass by
    /// pass, 64 or 256 lanes at a time): re-evaluating each sampled failure
    /// costs more than the sample itself, and shares need less precision than
    /// the availability (the shares of single points of failure, usually the
    /// largest, are exact). Default 2^18.
    pub contribution_samples: u64,
}

impl Default for AvailabilityOptions {
    fn default() -> Self {
        Self {
            target_half_width: 1e-4,
            min_samples: 1 << 16,
            max_samples: 1 << 24,
            max_work: 1 << 32,
            seed: 0x5eed_b1a5_7a0b_0001,
            exact_component_nodes: 1 << 10,
            contribution_samples: 1 << 18,
            exact_total_nodes: 1 << 22,
            contributions: 5,
        }
    }
}

/// The computed availability of one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Availability {
    /// Probability of not being down, 0..1.
    pub value: f64,
    /// Lower end of the 95% confidence interval (`value` when exact).
    pub low: f64,
    /// Upper end of the 95% confidence interval (`value` when exact).
    pub high: f64,
    pub method: Method,
    /// The dependencies (itself included) that cost the most, largest first.
    pub contributions: Vec<Contribution>,
}

impl Availability {
    /// Unavailability `1 − value`.
    pub fn unavailability(&self) -> f64 {
        1.0 - self.value
    }

    /// Whether the availability can meet `slo_percent` (a percentage, as in
    /// the manifest): judged on the upper bound of the interval, so a Monte
    /// Carlo estimate only fails when it is confidently below the target.
    pub fn meets_slo(&self, slo_percent: f64) -> bool {
        // Percent-to-fraction conversion is not exact in binary: 99.9 / 100
        // must still accept an exact 0.999.
        self.high >= slo_percent / 100.0 - 1e-12
    }
}

/// How an availability was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum Method {
    Exact,
    MonteCarlo { samples: u64 },
}

/// What one failable dependency X costs a component S: the unavailability
/// attributable to X is `U − U(X never fails)`, which equals
/// `P(X fails) × (P(S down | X failed) − P(S down | X up))`.
///
/// Contributions do not add up to `U` in general: two failures that are only
/// harmful together (redundant members) each get the part of `U` that
/// disappears without them, so shares of a redundant pair may both be large,
/// and shares of independent series dependencies add up to slightly more than
/// one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The dependency (an index into the model, serialized as a number).
    #[serde(serialize_with = "serialize_id")]
    pub component: ComponentId,
    /// `U − U(X never fails)`, 0..1.
    pub unavailability: f64,
    /// `unavailability / U`: the share of the component's error budget.
    pub share: f64,
}

#[allow(clippy::trivially_copy_pass_by_ref, reason = "serde's `serialize_with` passes a reference")]
fn serialize_id<S: Serializer>(id: &ComponentId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(id.index() as u64)
}

/// Samples per Monte Carlo chunk: the unit of seeding and of parallel work.
pub const CHUNK_SAMPLES: u64 = (PASSES_PER_CHUNK * LANES) as u64;

const WORDS: usize = 4;
const LANES: usize = WORDS * 64;
const PASSES_PER_CHUNK: usize = 16;
/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The availability of every component (indexed like the model).
///
/// # Complexity
/// Building the decision diagrams is O(n + m) apply operations, each costing
/// at most the product of its operands' sizes (bounded by the node budgets);
/// a k-of-n group costs O(n·k) applies. Contributions cost O(|BDD(S)|) per
/// exact component (in parallel). Monte Carlo costs O((n' + m') · N / 64)
/// word operations for the n' components and m' requirement members the
/// Monte Carlo components depend on and N samples (per chunk, in parallel),
/// plus the re-evaluation of what each sampled failure alone takes down (for
/// the contributions, only over the components whose state changes). When
/// any component needs Monte Carlo, the single points of failure of its
/// groups come from the passes of [`crate::spof::illusory_redundancy`]
/// (O(n/512 · (n + m)) word operations at worst). Memory is
/// O(n + m + BDD nodes + contribution pairs + (group, culprit) pairs).
pub fn availability(model: &Model, options: &AvailabilityOptions) -> Vec<Option<Availability>> {
    let net = HardNet::new(model);
    let sccs = Sccs::new(&net);
    let len = net.len();
    let fail_p: Vec<f64> = model.components().map(|c| failure_probability(c.availability)).collect();

    let can_fail = closure_can_fail(&net, &sccs, &fail_p);
    let mut bdd = Bdd::new(&sccs, &fail_p, options.exact_total_nodes);
    let down = bdd.build_all(&net, &sccs, &can_fail, options.exact_component_nodes);

    let mut results: Vec<Option<Availability>> = vec![None; len];
    let exact: Vec<(usize, u32)> =
        (0..len).filter(|&v| can_fail[v]).filter_map(|v| down[v].map(|root| (v, root))).collect();
    // Few large pieces: each one allocates scratch as large as the diagram.
    let piece = exact.len().div_ceil(4 * rayon::current_num_threads()).max(64);
    let exact_results: Vec<Vec<(usize, Availability)>> = exact
        .par_chunks(piece)
        .map(|pieces| {
            let mut scratch = Backward::new(bdd.len());
            pieces
                .iter()
                .map(|&(v, root)| (v, exact_availability(&bdd, root, &mut scratch, options)))
                .collect()
        })
        .collect();
    for (v, a) in exact_results.into_iter().flatten() {
        results[v] = Some(a);
    }

    let targets: Vec<usize> = (0..len).filter(|&v| can_fail[v] && down[v].is_none()).collect();
    if !targets.is_empty() {
        let culprits = group_culprits(model);
        for (v, a) in monte_carlo(&net, &sccs, &fail_p, &culprits, &targets, options) {
            results[v] = Some(a);
        }
    }
    results
}

fn exact_availability(
    bdd: &Bdd,
    root: u32,
    scratch: &mut Backward,
    options: &AvailabilityOptions,
) -> Availability {
    let unavailability = bdd.prob[root as usize];
    let value = 1.0 - unavailability;
    let contributions = if options.contributions > 0 && unavailability > 0.0 {
        let mut all = scratch.contributions(bdd, root);
        top(&mut all, unavailability, options.contributions)
    } else {
        Vec::new()
    };
    Availability { value, low: value, high: value, method: Method::Exact, contributions }
}

fn failure_probability(availability: Option<f64>) -> f64 {
    match availability {
        Some(a) if a.is_finite() => ((100.0 - a) / 100.0).clamp(0.0, 1.0),
        _ => 0.0,
    }
}

/// Whether anything in each component's hard closure (itself included) can
/// fail: one pass over the condensation order.
fn closure_can_fail(net: &HardNet, sccs: &Sccs, p: &[f64]) -> Vec<bool> {
    let mut can_fail = vec![false; net.len()];
    for c in 0..sccs.count() {
        let nodes = sccs.nodes(c);
        let any = nodes.iter().any(|&v| {
            p[v as usize] > 0.0
                || net
                    .out(v as usize)
                    .iter()
                    .any(|&w| sccs.of[w as usize] != c as u32 && can_fail[w as usize])
        });
        for &v in nodes {
            can_fail[v as usize] = any;
        }
    }
    can_fail
}

/// Sorts contributions (largest first, then by id) and keeps the top `k`.
fn top(contributions: &mut Vec<(u32, f64)>, u: f64, k: usize) -> Vec<Contribution> {
    contributions.retain(|&(_, a)| a > 0.0);
    contributions.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    contributions
        .iter()
        .take(k)
        .map(|&(x, a)| Contribution {
            component: ComponentId::new(x as usize),
            unavailability: a,
            share: if u > 0.0 { a / u } else { 0.0 },
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Exact: reduced ordered binary decision diagrams.

/// A small multiplicative hasher: the keys are indices we create ourselves,
/// so denial-of-service resistance buys nothing and `SipHash` costs a lot.
#[derive(Default, Clone, Copy)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn finish(&self) -> u64 {
        // hashbrown picks buckets from the low bits, which a multiply leaves
        // weak: fold the high half in.
        self.0 ^ (self.0 >> 29)
    }
}

impl IndexHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<IndexHasher>>;

/// Apply steps a component may take per node of its budget.
const STEPS_PER_NODE: u64 = 16;

const FALSE: u32 = 0;
const TRUE: u32 = 1;
const TERMINAL: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// The node budget ran out.
#[derive(Debug)]
struct Full;

/// A shared BDD of "down" functions. Variables are components that can fail,
/// ordered by their position in the condensation order (dependencies first,
/// so shared infrastructure is decided near the root, which keeps layered
/// inventories small). Nodes are created after their children, so a node's
/// index is larger than its children's.
struct Bdd {
    level: Vec<u32>,
    /// Failure probability and component of each level.
    level_p: Vec<f64>,
    level_component: Vec<u32>,
    var: Vec<u32>,
    lo: Vec<u32>,
    hi: Vec<u32>,
    /// Probability that the function of each node is true.
    prob: Vec<f64>,
    unique: FastMap<(u32, u32, u32), u32>,
    cache: FastMap<(Op, u32, u32), u32>,
    limit: usize,
    total_limit: usize,
    /// Apply steps left for the current component: cache hits cost no
    /// nodes but still cost time.
    steps: u64,
}

impl Bdd {
    fn new(sccs: &Sccs, p: &[f64], total_limit: usize) -> Self {
        let mut level = vec![TERMINAL; p.len()];
        let mut level_p = Vec::new();
        let mut level_component = Vec::new();
        for &v in &sccs.order {
            if p[v as usize] > 0.0 {
                level[v as usize] = level_p.len() as u32;
                level_p.push(p[v as usize]);
                level_component.push(v);
            }
        }
        Bdd {
            level,
            level_p,
            level_component,
            var: vec![TERMINAL, TERMINAL],
            lo: vec![FALSE, TRUE],
            hi: vec![FALSE, TRUE],
            prob: vec![0.0, 1.0],
            unique: FastMap::default(),
            cache: FastMap::default(),
            limit: total_limit.saturating_add(2),
            total_limit: total_limit.saturating_add(2),
            steps: 0,
        }
    }

    fn len(&self) -> usize {
        self.var.len()
    }

    fn mk(&mut self, var: u32, lo: u32, hi: u32) -> Result<u32, Full> {
        if lo == hi {
            return Ok(lo);
        }
        if let Some(&node) = self.unique.get(&(var, lo, hi)) {
            return Ok(node);
        }
        if self.var.len() >= self.limit {
            return Err(Full);
        }
        let node = self.var.len() as u32;
        let p = self.level_p[var as usize];
        self.var.push(var);
        self.lo.push(lo);
        self.hi.push(hi);
        self.prob.push(p * self.prob[hi as usize] + (1.0 - p) * self.prob[lo as usize]);
        self.unique.insert((var, lo, hi), node);
        Ok(node)
    }

    fn cofactors(&self, f: u32, var: u32) -> (u32, u32) {
        if self.var[f as usize] == var { (self.lo[f as usize], self.hi[f as usize]) } else { (f, f) }
    }

    /// `f op g`, without recursion: diagrams get as deep as the number of
    /// failure variables, which native recursion would not survive.
    fn apply(&mut self, op: Op, f: u32, g: u32) -> Result<u32, Full> {
        enum Task {
            Call(u32, u32),
            Build(u32, u32, u32),
        }
        let terminal = |f: u32, g: u32| -> Option<u32> {
            match op {
                Op::And if f == FALSE || g == FALSE => Some(FALSE),
                Op::Or if f == TRUE || g == TRUE => Some(TRUE),
                Op::And if f == TRUE => Some(g),
                Op::Or if f == FALSE => Some(g),
                Op::And if g == TRUE => Some(f),
                Op::Or if g == FALSE => Some(f),
                _ if f == g => Some(f),
                _ => None,
            }
        };
        if self.cache.len() > 1 << 22 {
            self.cache.clear();
        }
        let mut tasks = vec![Task::Call(f, g)];
        let mut results: Vec<u32> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Call(f, g) => {
                    if self.steps == 0 {
                        return Err(Full);
                    }
                    self.steps -= 1;
                    if let Some(r) = terminal(f, g) {
                        results.push(r);
                        continue;
                    }
                    let (f, g) = if f < g { (f, g) } else { (g, f) };
                    if let Some(&r) = self.cache.get(&(op, f, g)) {
                        results.push(r);
                        continue;
                    }
                    let var = self.var[f as usize].min(self.var[g as usize]);
                    let (f0, f1) = self.cofactors(f, var);
                    let (g0, g1) = self.cofactors(g, var);
                    tasks.push(Task::Build(var, f, g));
                    tasks.push(Task::Call(f1, g1));
                    tasks.push(Task::Call(f0, g0));
                }
                Task::Build(var, f, g) => {
                    let (Some(hi), Some(lo)) = (results.pop(), results.pop()) else {
                        return Err(Full);
                    };
                    let r = self.mk(var, lo, hi)?;
                    self.cache.insert((op, f, g), r);
                    results.push(r);
                }
            }
        }
        results.pop().ok_or(Full)
    }

    /// "At least `t` of `fs` are true".
    fn at_least(&mut self, t: usize, fs: &[u32]) -> Result<u32, Full> {
        if t == 0 {
            return Ok(TRUE);
        }
        if t > fs.len() {
            return Ok(FALSE);
        }
        if t == 1 {
            return fs.iter().try_fold(FALSE, |acc, &f| self.apply(Op::Or, acc, f));
        }
        if t == fs.len() {
            return fs.iter().try_fold(TRUE, |acc, &f| self.apply(Op::And, acc, f));
        }
        // counts[j]: at least j + 1 of the functions seen so far are true.
        let mut counts = vec![FALSE; t];
        for &f in fs {
            for j in (1..t).rev() {
                let both = self.apply(Op::And, counts[j - 1], f)?;
                counts[j] = self.apply(Op::Or, counts[j], both)?;
            }
            counts[0] = self.apply(Op::Or, counts[0], f)?;
        }
        Ok(counts[t - 1])
    }

    /// The own-failure variable of component `v`.
    fn own(&mut self, v: usize) -> Result<u32, Full> {
        match self.level[v] {
            TERMINAL => Ok(FALSE),
            level => self.mk(level, FALSE, TRUE),
        }
    }

    /// "v is down", given the down functions of its hard requirements'
    /// members.
    fn node_down(&mut self, net: &HardNet, v: usize, down: &[Option<u32>]) -> Result<u32, Full> {
        let mut f = self.own(v)?;
        let mut members = Vec::new();
        for r in net.reqs(v) {
            members.clear();
            for &w in net.req_members(r) {
                members.push(down[w as usize].ok_or(Full)?);
            }
            let len = members.len();
            let need = net.need[r] as usize;
            // unmet when fewer than `need` are alive, i.e. at least
            // `len − need + 1` are down.
            let unmet = if need == 0 {
                FALSE
            } else if need > len {
                TRUE
            } else {
                self.at_least(len - need + 1, &members)?
            };
            f = self.apply(Op::Or, f, unmet)?;
            if f == TRUE {
                break;
            }
        }
        Ok(f)
    }

    /// Down functions of every component whose closure can fail, in
    /// condensation order; `None` for components over budget and everything
    /// that depends on them.
    fn build_all(
        &mut self,
        net: &HardNet,
        sccs: &Sccs,
        can_fail: &[bool],
        per_component: usize,
    ) -> Vec<Option<u32>> {
        let n = net.len();
        let mut down: Vec<Option<u32>> = vec![None; n];
        for c in 0..sccs.count() {
            let nodes = sccs.nodes(c);
            if !can_fail[nodes[0] as usize] {
                for &v in nodes {
                    down[v as usize] = Some(FALSE);
                }
                continue;
            }
            self.limit = self.var.len().saturating_add(per_component).min(self.total_limit);
            self.steps = (per_component as u64).saturating_mul(STEPS_PER_NODE);
            let solved = if nodes.len() == 1 {
                let v = nodes[0] as usize;
                self.node_down(net, v, &down).map(|f| down[v] = Some(f))
            } else {
                self.solve_cycle(net, nodes, &mut down)
            };
            if solved.is_err() {
                for &v in nodes {
                    down[v as usize] = None;
                }
            }
        }
        down
    }

    /// The least fixpoint of a hard cycle: start from "only own failures"
    /// and re-evaluate until nothing changes. For every failure set the
    /// iteration settles within |cycle| rounds, so the functions do too.
    fn solve_cycle(&mut self, net: &HardNet, nodes: &[u32], down: &mut [Option<u32>]) -> Result<(), Full> {
        for &v in nodes {
            down[v as usize] = Some(self.own(v as usize)?);
        }
        for _ in 0..=nodes.len() {
            let mut changed = false;
            for &v in nodes {
                let f = self.node_down(net, v as usize, down)?;
                if down[v as usize] != Some(f) {
                    down[v as usize] = Some(f);
                    changed = true;
                }
            }
            if !changed {
                return Ok(());
            }
        }
        Err(Full)
    }
}

/// Scratch space for the backward pass over one component's diagram.
struct Backward {
    reach: Vec<f64>,
    seen: Vec<u32>,
    stamp: u32,
    nodes: Vec<u32>,
    grad: FastMap<u32, f64>,
}

impl Backward {
    fn new(len: usize) -> Self {
        Backward {
            reach: vec![0.0; len],
            seen: vec![0; len],
            stamp: 0,
            nodes: Vec::new(),
            grad: FastMap::default(),
        }
    }

    /// `(X, U − U(X never fails))` for every variable X in the diagram of
    /// `f`. `∂U/∂p_X` is the sum, over the nodes that test X, of the
    /// probability of reaching the node times the difference of its
    /// children's probabilities; the attributable part is `p_X · ∂U/∂p_X`.
    fn contributions(&mut self, bdd: &Bdd, f: u32) -> Vec<(u32, f64)> {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        self.nodes.clear();
        let mut stack = vec![f];
        self.seen[f as usize] = self.stamp;
        while let Some(x) = stack.pop() {
            if x <= TRUE {
                continue;
            }
            self.nodes.push(x);
            for child in [bdd.lo[x as usize], bdd.hi[x as usize]] {
                if self.seen[child as usize] != self.stamp {
                    self.seen[child as usize] = self.stamp;
                    stack.push(child);
                }
            }
        }
        // Children have smaller indices: descending order is top-down.
        self.nodes.sort_unstable_by(|a, b| b.cmp(a));
        for &x in &self.nodes {
            self.reach[x as usize] = 0.0;
        }
        self.reach[f as usize] = 1.0;
        self.grad.clear();
        for &x in &self.nodes {
            let x = x as usize;
            let r = self.reach[x];
            let (lo, hi, var) = (bdd.lo[x] as usize, bdd.hi[x] as usize, bdd.var[x] as usize);
            let p = bdd.level_p[var];
            *self.grad.entry(var as u32).or_insert(0.0) += r * (bdd.prob[hi] - bdd.prob[lo]);
            if hi > TRUE as usize {
                self.reach[hi] += r * p;
            }
            if lo > TRUE as usize {
                self.reach[lo] += r * (1.0 - p);
            }
        }
        self.grad
            .iter()
            .map(|(&var, &g)| (bdd.level_component[var as usize], bdd.level_p[var as usize] * g))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Monte Carlo: bit-parallel sampling over the condensation order.

type Block = [u64; WORDS];
const ZERO: Block = [0; WORDS];
const ONES: Block = [u64::MAX; WORDS];

fn or(a: Block, b: Block) -> Block {
    std::array::from_fn(|i| a[i] | b[i])
}

fn and(a: Block, b: Block) -> Block {
    std::array::from_fn(|i| a[i] & b[i])
}

fn not(a: Block) -> Block {
    std::array::from_fn(|i| !a[i])
}

fn and_not(a: Block, b: Block) -> Block {
    std::array::from_fn(|i| a[i] & !b[i])
}

fn popcount(a: Block) -> u64 {
    a.iter().map(|w| u64::from(w.count_ones())).sum()
}

/// splitmix64: turns chunk indices into well-spread seeds.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256**.
struct Rng([u64; 4]);

impl Rng {
    fn for_chunk(seed: u64, chunk: u64) -> Self {
        let mut state = seed ^ chunk.wrapping_mul(0xd1b5_4a32_d192_ed03);
        Rng(std::array::from_fn(|_| splitmix64(&mut state)))
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Samples without failure before the next failure, for a component with
    /// `ln_q = ln(1 − p)`.
    #[allow(clippy::cast_sign_loss, reason = "the quotient of two non-positive numbers is non-negative")]
    fn skip(&mut self, ln_q: f64) -> u64 {
        let s = (self.unit().ln() / ln_q).floor();
        if s.is_nan() { 0 } else { s as u64 }
    }
}

/// The part of the hard graph the Monte Carlo components depend on, renumbered
/// in condensation order.
struct Sim {
    /// Global index of each local node.
    global: Vec<u32>,
    req_start: Vec<u32>,
    need: Vec<u32>,
    /// Requirements that need every member (single targets included): a
    /// failure behind them alone takes the owner down.
    series: Vec<bool>,
    mem_start: Vec<u32>,
    members: Vec<u32>,
    /// Per node, the local nodes whose failure alone defeats one of its hard
    /// groups ([`group_culprits`]): single points of failure too.
    culprit_start: Vec<u32>,
    culprits: Vec<u32>,
    /// Local nodes that depend on each node (deduplicated).
    dep_start: Vec<u32>,
    dependents: Vec<u32>,
    scc_start: Vec<u32>,
    scc_of: Vec<u32>,
    /// Nodes that can fail on their own and `ln(1 − p)` of each.
    failable: Vec<u32>,
    ln_q: Vec<f64>,
    /// Slot of each node among the targets, `u32::MAX` if none.
    slot: Vec<u32>,
    targets: Vec<u32>,
}

impl Sim {
    fn new(net: &HardNet, sccs: &Sccs, p: &[f64], culprits: &Culprits, targets: &[usize]) -> Self {
        let n = net.len();
        let mut marked = vec![false; n];
        let mut stack: Vec<u32> = targets.iter().map(|&v| v as u32).collect();
        for &v in &stack {
            marked[v as usize] = true;
        }
        while let Some(v) = stack.pop() {
            for &w in net.out(v as usize) {
                if !marked[w as usize] {
                    marked[w as usize] = true;
                    stack.push(w);
                }
            }
        }
        let mut local = vec![u32::MAX; n];
        let mut global = Vec::new();
        let mut scc_start = vec![0u32];
        let mut scc_of = Vec::new();
        for c in 0..sccs.count() {
            let nodes = sccs.nodes(c);
            // A closure holds either all of a strongly connected set or none.
            if !marked[nodes[0] as usize] {
                continue;
            }
            let k = scc_start.len() as u32 - 1;
            for &v in nodes {
                local[v as usize] = global.len() as u32;
                global.push(v);
                scc_of.push(k);
            }
            scc_start.push(global.len() as u32);
        }
        let mut sim = Sim {
            req_start: vec![0],
            need: Vec::new(),
            series: Vec::new(),
            mem_start: vec![0],
            members: Vec::new(),
            culprit_start: vec![0],
            culprits: Vec::new(),
            dep_start: vec![0],
            dependents: Vec::new(),
            scc_start,
            scc_of,
            failable: Vec::new(),
            ln_q: Vec::new(),
            slot: vec![u32::MAX; global.len()],
            targets: Vec::new(),
            global,
        };
        for (i, &g) in sim.global.iter().enumerate() {
            let g = g as usize;
            for r in net.reqs(g) {
                sim.need.push(net.need[r]);
                sim.series.push(is_series(net, r));
                sim.members.extend(net.req_members(r).iter().map(|&w| local[w as usize]));
                sim.mem_start.push(sim.members.len() as u32);
            }
            sim.req_start.push(sim.need.len() as u32);
            sim.culprits.extend(culprits.of(g).iter().map(|&w| local[w as usize]).filter(|&w| w != u32::MAX));
            sim.culprit_start.push(sim.culprits.len() as u32);
            let start = sim.dependents.len();
            sim.dependents.extend(net.rev(g).iter().map(|&r| local[net.owner[r as usize] as usize]));
            sim.dependents[start..].sort_unstable();
            let mut write = start;
            for read in start..sim.dependents.len() {
                let d = sim.dependents[read];
                if d != u32::MAX && (write == start || sim.dependents[write - 1] != d) {
                    sim.dependents[write] = d;
                    write += 1;
                }
            }
            sim.dependents.truncate(write);
            sim.dep_start.push(sim.dependents.len() as u32);
            if p[g] > 0.0 {
                sim.failable.push(i as u32);
                sim.ln_q.push((-p[g]).ln_1p());
            }
        }
        for (s, &t) in targets.iter().enumerate() {
            let l = local[t];
            sim.slot[l as usize] = s as u32;
            sim.targets.push(l);
        }
        sim
    }

    fn len(&self) -> usize {
        self.global.len()
    }

    fn scc_nodes(&self, k: usize) -> std::ops::Range<usize> {
        self.scc_start[k] as usize..self.scc_start[k + 1] as usize
    }

    fn dependents_of(&self, v: usize) -> &[u32] {
        &self.dependents[self.dep_start[v] as usize..self.dep_start[v + 1] as usize]
    }

    /// Lanes in which requirement `r` is unmet, given every member's down
    /// lanes.
    fn unmet(&self, r: usize, get: &impl Fn(usize) -> Block, counts: &mut Vec<Block>) -> Block {
        let members = &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize];
        let len = members.len();
        let need = self.need[r] as usize;
        if need == 0 {
            return ZERO;
        }
        if need > len {
            return ONES;
        }
        if need == 1 {
            let mut all = ONES;
            for &m in members {
                all = and(all, get(m as usize));
                if all == ZERO {
                    break;
                }
            }
            return all;
        }
        if need == len {
            return members.iter().fold(ZERO, |any, &m| or(any, get(m as usize)));
        }
        // Count up to the smaller threshold: `down ≥ len − need + 1`, or
        // equivalently not `alive ≥ need`.
        let down_needed = len - need + 1;
        let (t, flip) = if down_needed <= need { (down_needed, false) } else { (need, true) };
        counts.clear();
        counts.resize(t, ZERO);
        for &m in members {
            let d = get(m as usize);
            let x = if flip { not(d) } else { d };
            for j in (1..t).rev() {
                counts[j] = or(counts[j], and(counts[j - 1], x));
            }
            counts[0] = or(counts[0], x);
        }
        if flip { not(counts[t - 1]) } else { counts[t - 1] }
    }

    /// Lanes in which a single point of failure of `v` failed (each one
    /// alone takes `v` down): `v` itself, or one of the members of its
    /// series requirements and of the culprits of its groups, recursively.
    fn node_spof(&self, v: usize, fail: Block, get: &impl Fn(usize) -> Block) -> Block {
        let mut d = fail;
        for r in (self.req_start[v] as usize..self.req_start[v + 1] as usize).filter(|&r| self.series[r]) {
            for &m in &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize] {
                d = or(d, get(m as usize));
            }
        }
        for &c in &self.culprits[self.culprit_start[v] as usize..self.culprit_start[v + 1] as usize] {
            d = or(d, get(c as usize));
        }
        d
    }

    /// [`Sim::node_down`] and [`Sim::node_spof`] of a node outside any cycle,
    /// in one pass over its requirements and without early exits (cheaper
    /// than the branches they would save: this is the inner loop of the
    /// sampler).
    fn node_down_and_spof(
        &self,
        v: usize,
        fail: Block,
        down: &[Block],
        spof: &[Block],
        counts: &mut Vec<Block>,
    ) -> (Block, Block) {
        let (mut d, mut s) = (fail, fail);
        let block = |blocks: &[Block], m: u32| blocks.get(m as usize).copied().unwrap_or(ZERO);
        for r in self.req_start[v] as usize..self.req_start[v + 1] as usize {
            let members = &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize];
            if self.series[r] {
                for &m in members {
                    d = or(d, block(down, m));
                    s = or(s, block(spof, m));
                }
            } else if self.need[r] == 1 {
                let all = members.iter().fold(ONES, |all, &m| and(all, block(down, m)));
                d = or(d, all);
            } else {
                d = or(d, self.unmet(r, &|w| block(down, w as u32), counts));
            }
        }
        for &c in &self.culprits[self.culprit_start[v] as usize..self.culprit_start[v + 1] as usize] {
            s = or(s, block(spof, c));
        }
        (d, s)
    }

    fn node_down(
        &self,
        v: usize,
        fail: Block,
        get: &impl Fn(usize) -> Block,
        counts: &mut Vec<Block>,
    ) -> Block {
        let mut d = fail;
        for r in self.req_start[v] as usize..self.req_start[v + 1] as usize {
            if d == ONES {
                break;
            }
            d = or(d, self.unmet(r, get, counts));
        }
        d
    }
}

/// Monte Carlo totals: integer counts, so merging is order-independent.
#[derive(Default)]
struct Tally {
    samples: u64,
    /// Samples that also counted contributions.
    contribution_samples: u64,
    /// Component evaluations spent on contributions.
    reevaluations: u64,
    /// Per target: samples in which it is down with no single-point failure.
    residual: Vec<u64>,
    /// (target slot << 32 | failed local node) → residual samples in which
    /// the target is down only because that node failed.
    pairs: FastMap<u64, u64>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        if self.samples == 0 {
            return other;
        }
        self.samples += other.samples;
        self.contribution_samples += other.contribution_samples;
        self.reevaluations += other.reevaluations;
        for (a, b) in self.residual.iter_mut().zip(&other.residual) {
            *a += b;
        }
        for (k, v) in other.pairs {
            *self.pairs.entry(k).or_insert(0) += v;
        }
        self
    }
}

struct Worker<'a> {
    sim: &'a Sim,
    fail: Vec<Block>,
    down: Vec<Block>,
    spof: Vec<Block>,
    alt: Vec<Block>,
    alt_stamp: Vec<u64>,
    scc_stamp: Vec<u64>,
    stamp: u64,
    heap: BinaryHeap<Reverse<u32>>,
    changed: Vec<u32>,
    counts: Vec<Block>,
    skips: Vec<u64>,
    tally: Tally,
}

impl<'a> Worker<'a> {
    fn new(sim: &'a Sim) -> Self {
        let n = sim.len();
        Worker {
            sim,
            fail: vec![ZERO; n],
            down: vec![ZERO; n],
            spof: vec![ZERO; n],
            alt: vec![ZERO; n],
            alt_stamp: vec![0; n],
            scc_stamp: vec![0; sim.scc_start.len()],
            stamp: 0,
            heap: BinaryHeap::new(),
            changed: Vec::new(),
            counts: Vec::new(),
            skips: vec![0; sim.failable.len()],
            tally: Tally {
                samples: 0,
                contribution_samples: 0,
                reevaluations: 0,
                residual: vec![0; sim.targets.len()],
                pairs: FastMap::default(),
            },
        }
    }

    /// Runs one chunk of samples; contributions are measured in its passes
    /// until `contribution_budget` re-evaluations are spent (0: none). The
    /// budget is per chunk and checked between passes, so what is measured
    /// does not depend on the thread count.
    fn run_chunk(&mut self, seed: u64, chunk: u64, contribution_budget: u64) {
        let sim = self.sim;
        let spent_before = self.tally.reevaluations;
        // Re-evaluations per word of lanes in the last measured pass.
        let mut per_word: Option<u64> = None;
        let mut rng = Rng::for_chunk(seed, chunk);
        for (skip, &ln_q) in self.skips.iter_mut().zip(&sim.ln_q) {
            *skip = rng.skip(ln_q);
        }
        for _ in 0..PASSES_PER_CHUNK {
            for (i, &x) in sim.failable.iter().enumerate() {
                let skip = &mut self.skips[i];
                // Most components do not fail in a whole pass.
                if *skip >= LANES as u64 {
                    *skip -= LANES as u64;
                    self.fail[x as usize] = ZERO;
                    continue;
                }
                let mut block = ZERO;
                for word in &mut block {
                    *word = draw_word(skip, sim.ln_q[i], &mut rng);
                }
                self.fail[x as usize] = block;
            }
            for k in 0..sim.scc_start.len() - 1 {
                self.eval_base(k);
            }
            // Only the residual (down, but no single-point failure behind
            // it) is estimated: the rest is known exactly.
            let mut residual = ZERO;
            for (slot, &t) in sim.targets.iter().enumerate() {
                let lanes = and_not(self.down[t as usize], self.spof[t as usize]);
                self.tally.residual[slot] += popcount(lanes);
                residual = or(residual, lanes);
            }
            // Contributions, within the chunk's budget: the first pass
            // measures one word of lanes (64) to learn the cost; later
            // passes measure every lane when that fits, one word when only
            // that does, and nothing once the budget is spent. A pass of a
            // very large inventory can cost the whole budget for 64 lanes.
            let spent = self.tally.reevaluations - spent_before;
            let lanes = match per_word {
                _ if spent >= contribution_budget => 0,
                Some(cost) if spent + cost * WORDS as u64 <= contribution_budget => WORDS,
                _ => 1,
            };
            if lanes > 0 {
                self.tally.contribution_samples += 64 * lanes as u64;
                let residual: Block = std::array::from_fn(|i| if i < lanes { residual[i] } else { 0 });
                let before = self.tally.reevaluations;
                if residual != ZERO {
                    for &x in &sim.failable {
                        let lanes = and(self.fail[x as usize], residual);
                        if lanes != ZERO {
                            self.without(x as usize, lanes);
                        }
                    }
                }
                per_word = Some((self.tally.reevaluations - before).div_ceil(lanes as u64));
            }
        }
        self.tally.samples += CHUNK_SAMPLES;
    }

    /// Evaluates strongly connected set `k` from its own failures and the
    /// final states of what it depends on.
    fn eval_base(&mut self, k: usize) {
        let sim = self.sim;
        let range = sim.scc_nodes(k);
        if range.len() == 1 {
            let v = range.start;
            let (d, spof) = sim.node_down_and_spof(v, self.fail[v], &self.down, &self.spof, &mut self.counts);
            self.down[v] = d;
            self.spof[v] = spof;
            return;
        }
        for v in range.clone() {
            self.down[v] = self.fail[v];
            self.spof[v] = self.fail[v];
        }
        // Reachability along series requirements: a fixpoint too.
        loop {
            let mut changed = false;
            for v in range.clone() {
                let spof = sim.node_spof(v, self.fail[v], &|w| self.spof[w]);
                if spof != self.spof[v] {
                    self.spof[v] = spof;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // Monotone from below: Gauss–Seidel sweeps reach the least fixpoint.
        loop {
            let mut changed = false;
            for v in range.clone() {
                let d = {
                    let down = &self.down;
                    sim.node_down(v, self.fail[v], &|w| down[w], &mut self.counts)
                };
                if d != self.down[v] {
                    self.down[v] = d;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Re-evaluates, with common random numbers, the world in which `x` never
    /// failed, in `lanes` (where `x` failed and some target is down without a
    /// single-point failure): only the strongly connected sets downstream of
    /// a change in those lanes are recomputed (in condensation order, through
    /// a heap), and every target that comes back up counts towards `x`'s
    /// contribution. Lanes are independent worlds, so ignoring changes in
    /// other lanes is exact for these.
    fn without(&mut self, x: usize, lanes: Block) {
        let sim = self.sim;
        self.stamp += 1;
        self.changed.clear();
        let first = sim.scc_of[x];
        self.scc_stamp[first as usize] = self.stamp;
        self.heap.push(Reverse(first));
        while let Some(Reverse(k)) = self.heap.pop() {
            let range = sim.scc_nodes(k as usize);
            let fail = |v: usize, f: &[Block]| if v == x { ZERO } else { f[v] };
            for v in range.clone() {
                self.alt[v] = fail(v, &self.fail);
                self.alt_stamp[v] = self.stamp;
            }
            loop {
                let mut changed = false;
                for v in range.clone() {
                    let d = {
                        let (alt, alt_stamp, down, stamp) =
                            (&self.alt, &self.alt_stamp, &self.down, self.stamp);
                        let get = |w: usize| if alt_stamp[w] == stamp { alt[w] } else { down[w] };
                        sim.node_down(v, fail(v, &self.fail), &get, &mut self.counts)
                    };
                    self.tally.reevaluations += 1;
                    if d != self.alt[v] {
                        self.alt[v] = d;
                        changed = true;
                    }
                }
                if !changed || range.len() == 1 {
                    break;
                }
            }
            for v in range {
                if and(and_not(self.down[v], self.alt[v]), lanes) == ZERO {
                    continue;
                }
                self.changed.push(v as u32);
                for &y in sim.dependents_of(v) {
                    let ky = sim.scc_of[y as usize];
                    if self.scc_stamp[ky as usize] != self.stamp {
                        self.scc_stamp[ky as usize] = self.stamp;
                        self.heap.push(Reverse(ky));
                    }
                }
            }
        }
        for &v in &self.changed {
            let slot = sim.slot[v as usize];
            if slot != u32::MAX {
                let v = v as usize;
                let saved = popcount(and(and_not(and_not(self.down[v], self.alt[v]), self.spof[v]), lanes));
                *self.tally.pairs.entry(u64::from(slot) << 32 | x as u64).or_insert(0) += saved;
            }
        }
    }
}

/// One 64-lane word of failures for a component, advancing its skip counter.
fn draw_word(skip: &mut u64, ln_q: f64, rng: &mut Rng) -> u64 {
    let mut bits = 0u64;
    let mut pos = 0u64;
    loop {
        let room = 64 - pos;
        if *skip >= room {
            *skip -= room;
            return bits;
        }
        pos += *skip;
        bits |= 1 << pos;
        pos += 1;
        *skip = rng.skip(ln_q);
        if pos == 64 {
            return bits;
        }
    }
}

/// The 95% Wilson score interval of `successes` out of `n`.
fn wilson(successes: u64, n: u64) -> (f64, f64) {
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// Runs `chunks`, measuring contributions in those of `contribution_chunks`.
fn run_chunks(
    sim: &Sim,
    options: &AvailabilityOptions,
    chunks: std::ops::Range<u64>,
    contribution_chunks: &std::ops::Range<u64>,
    chunk_budget: u64,
) -> Tally {
    chunks
        .into_par_iter()
        .fold(
            || Worker::new(sim),
            |mut worker, chunk| {
                let budget = if contribution_chunks.contains(&chunk) { chunk_budget } else { 0 };
                worker.run_chunk(options.seed, chunk, budget);
                worker
            },
        )
        .map(|worker| worker.tally)
        .reduce(Tally::default, Tally::merge)
}

/// Whether hard requirement `r` needs every member (so that any member
/// down takes its owner down).
fn is_series(net: &HardNet, r: usize) -> bool {
    let need = net.need[r] as usize;
    need >= 1 && need == net.req_members(r).len()
}

/// The single points of failure of a component (itself included), each of
/// which alone takes it down.
struct SeriesPart {
    /// Probability that at least one of them fails (exact: independent).
    probability: f64,
    /// Each one with its failure probability.
    failures: Vec<(u32, f64)>,
}

/// The hard group requirements' culprits of every component: the failures
/// that defeat one of its hard groups on their own (the nearest ones, see
/// [`crate::spof::illusory_redundancy`]; the others take one of these down
/// through series requirements).
struct Culprits {
    start: Vec<u32>,
    culprits: Vec<u32>,
}

impl Culprits {
    fn of(&self, v: usize) -> &[u32] {
        match (self.start.get(v), self.start.get(v + 1)) {
            (Some(&a), Some(&b)) => self.culprits.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// # Complexity
/// The passes of [`crate::spof::illusory_redundancy`]: O(n/512 · (n + m)) word
/// operations at worst, memory a few words per (group, culprit) pair.
fn group_culprits(model: &Model) -> Culprits {
    let net = crate::net::Net::new(model);
    let found = crate::spof::illusory_redundancy(&net);
    let mut start = vec![0u32; model.len() + 1];
    // Only failures that take the owner down: hard groups (and soft ones
    // whose culprit takes the owner down some other way, which makes it a
    // single point of failure all the same).
    let taken: Vec<_> = found.listed.iter().filter(|f| f.component_down).collect();
    for f in &taken {
        start[f.component.index() + 1] += 1;
    }
    for v in 0..model.len() {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut culprits = vec![0u32; taken.len()];
    for f in taken {
        let slot = &mut fill[f.component.index()];
        culprits[*slot as usize] = f.culprit.index() as u32;
        *slot += 1;
    }
    Culprits { start, culprits }
}

/// Every single point of failure of each target: the closure over series
/// requirements' members and the groups' [`Culprits`]. A failure X alone
/// takes S down exactly when X is S, a member of a series requirement of S
/// goes down, or X takes enough members of a group of S down (X is then a
/// culprit of that group, or takes one down through series requirements).
///
/// # Complexity
/// O(number of single points of failure, and their requirements) per target.
fn series_parts(net: &HardNet, p: &[f64], culprits: &Culprits, targets: &[usize]) -> Vec<SeriesPart> {
    let mut seen = vec![usize::MAX; net.len()];
    let mut stack = Vec::new();
    targets
        .iter()
        .enumerate()
        .map(|(slot, &t)| {
            let mut none_fails = 1.0;
            let mut failures = Vec::new();
            seen[t] = slot;
            stack.push(t);
            while let Some(v) = stack.pop() {
                if p[v] > 0.0 {
                    none_fails *= 1.0 - p[v];
                    failures.push((v as u32, p[v]));
                }
                let series = net.reqs(v).filter(|&r| is_series(net, r)).flat_map(|r| net.req_members(r));
                for &w in series.chain(culprits.of(v)) {
                    if seen[w as usize] != slot {
                        seen[w as usize] = slot;
                        stack.push(w as usize);
                    }
                }
            }
            SeriesPart { probability: 1.0 - none_fails, failures }
        })
        .collect()
}

/// Monte Carlo estimates for `targets` (global indices, sorted).
///
/// Control variate: the event "a single-point failure reachable through
/// series requirements happened" implies "down", and its probability is
/// known exactly, so only the residual `P(down and no such failure)` is
/// sampled. The residual is usually orders of magnitude smaller than the
/// unavailability (it needs two or more failures behind redundancy), and so
/// is its variance: the interval is Wilson's on the residual, shifted by the
/// exact part.
fn monte_carlo(
    net: &HardNet,
    sccs: &Sccs,
    p: &[f64],
    culprits: &Culprits,
    targets: &[usize],
    options: &AvailabilityOptions,
) -> Vec<(usize, Availability)> {
    let sim = Sim::new(net, sccs, p, culprits, targets);
    let series = series_parts(net, p, culprits, targets);
    let chunks_for = |samples: u64| samples.div_ceil(CHUNK_SAMPLES).max(1);
    let by_work = (options.max_work / sim.len().max(1) as u64).max(options.min_samples);
    let max_chunks = chunks_for(options.max_samples.min(by_work).max(1));
    // Contributions: measured on the first two chunks (one per core on the
    // reference machine; a fixed number, so the result does not depend on
    // the thread count); how many more chunks the re-evaluation budget (a
    // sixteenth of `max_work`, in 256-lane blocks) affords follows from their
    // (deterministic) cost.
    let contribution_total =
        if options.contributions > 0 { options.contribution_samples.div_ceil(CHUNK_SAMPLES) } else { 0 };
    let first = 2.min(max_chunks);
    let budget = options.max_work / LANES as u64 / 16;
    let chunk_budget = budget / first;
    let mut tally = run_chunks(&sim, options, 0..first, &(0..contribution_total.min(first)), chunk_budget);
    let per_chunk = (tally.reevaluations / first).max(1);
    // More chunks only if the first ones were measured whole (a pass of a
    // very large inventory can spend the budget alone).
    let whole = tally.contribution_samples >= first * (CHUNK_SAMPLES - 64 * (WORDS as u64 - 1));
    let more = if whole {
        (budget.saturating_sub(per_chunk * first) / per_chunk).min(contribution_total.saturating_sub(first))
    } else {
        0
    };
    let contribution_chunks = first..(first + more).min(max_chunks);
    let mut done = first;
    let mut want = chunks_for(options.min_samples).max(contribution_chunks.end).min(max_chunks);
    while want > done {
        tally = tally.merge(run_chunks(&sim, options, done..want, &contribution_chunks, chunk_budget));
        done = want;
        let n = tally.samples;
        // Samples the worst target needs for the target half-width, from
        // the normal approximation (Wilson's is within a few percent of it at
        // these sizes); at least double to avoid many small rounds.
        let mut needed = 0u64;
        for &r in &tally.residual {
            let (low, high) = wilson(r, n);
            if (high - low) / 2.0 > options.target_half_width {
                let q = (r as f64 / n as f64).max(1.0 / n as f64);
                let estimate =
                    Z95 * Z95 * q * (1.0 - q) / (options.target_half_width * options.target_half_width);
                #[allow(clippy::cast_sign_loss, reason = "the estimate is positive")]
                let estimate = estimate.ceil().min(u64::MAX as f64 / 4.0) as u64;
                needed = needed.max(estimate).max(2 * n);
            }
        }
        if needed == 0 {
            break;
        }
        want = chunks_for(needed + needed / 8).min(max_chunks);
    }
    let n = tally.samples;
    let mut pairs: Vec<Vec<(u32, f64)>> = vec![Vec::new(); targets.len()];
    for (&key, &count) in &tally.pairs {
        let slot = (key >> 32) as usize;
        let x = (key & u64::from(u32::MAX)) as usize;
        pairs[slot].push((sim.global[x], count as f64 / tally.contribution_samples.max(1) as f64));
    }
    targets
        .iter()
        .zip(series)
        .enumerate()
        .map(|(slot, (&v, series))| {
            let r = tally.residual[slot];
            let (q_low, q_high) = wilson(r, n);
            let exact = series.probability;
            let u = (exact + r as f64 / n as f64).min(1.0);
            let (low, high) = (1.0 - (exact + q_high).min(1.0), 1.0 - (exact + q_low).min(1.0));
            let mut all = std::mem::take(&mut pairs[slot]);
            // A single-point failure X takes the component down for sure:
            // U − U(X never fails) = p·(1 − U)/(1 − p).
            all.extend(
                series
                    .failures
                    .iter()
                    .map(|&(x, px)| (x, if px < 1.0 { px * (1.0 - u) / (1.0 - px) } else { u })),
            );
            let contributions = top(&mut all, u, options.contributions);
            let method = Method::MonteCarlo { samples: n };
            let value = 1.0 - u;
            (v, Availability { value, low: low.min(value), high: high.max(value), method, contributions })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use blastmap_manifest::Mode::{Hard, Soft};

    use super::*;
    use crate::cycles::tests::{model, req};

    fn exact(model: &Model) -> Vec<Option<Availability>> {
        availability(model, &AvailabilityOptions::default())
    }

    fn forced_monte_carlo() -> AvailabilityOptions {
        AvailabilityOptions { exact_total_nodes: 0, max_samples: 1 << 20, ..AvailabilityOptions::default() }
    }

    fn value(a: Option<&Availability>) -> f64 {
        a.map_or(f64::NAN, |a| a.value)
    }

    #[test]
    fn series_parallel_quorum_and_shared_dependencies() {
        let m = model(vec![
            (Some(99.0), vec![req(1, &[1], Hard)]), // 0 -> 1
            (Some(99.0), vec![]),                   // 1
            (None, vec![req(1, &[3, 4], Hard)]),    // 2 -> any_of(3, 4)
            (Some(90.0), vec![req(1, &[5], Hard)]), // 3 -> zone 5
            (Some(90.0), vec![req(1, &[5], Hard)]), // 4 -> zone 5
            (Some(99.0), vec![]),                   // 5
            (None, vec![req(2, &[7, 8, 9], Hard)]), // 6 -> 2 of 3
            (Some(90.0), vec![]),
            (Some(90.0), vec![]),
            (Some(90.0), vec![]),
        ]);
        let a = exact(&m);
        assert!((value(a[0].as_ref()) - 0.99 * 0.99).abs() < 1e-12);
        assert!((value(a[1].as_ref()) - 0.99).abs() < 1e-12);
        assert!((value(a[2].as_ref()) - 0.99 * (1.0 - 0.1 * 0.1)).abs() < 1e-12);
        assert!((value(a[6].as_ref()) - (3.0 * 0.81 * 0.1 + 0.729)).abs() < 1e-12);
        assert!(a.iter().flatten().all(|a| a.method == Method::Exact
            && a.low.to_bits() == a.value.to_bits()
            && a.high.to_bits() == a.value.to_bits()));
    }

    #[test]
    fn none_when_nothing_can_fail_and_soft_never_takes_down() {
        let m = model(vec![
            (None, vec![req(1, &[1], Hard), req(1, &[2], Soft)]),
            (None, vec![]),
            (Some(50.0), vec![]),
            (None, vec![req(1, &[1, 2], Hard)]), // redundancy with a member that never fails
        ]);
        let a = exact(&m);
        assert_eq!(a[0], None);
        assert_eq!(a[1], None);
        assert!((value(a[2].as_ref()) - 0.5).abs() < 1e-12);
        assert!((value(a[3].as_ref()) - 1.0).abs() < 1e-15);
        assert!(a[3].as_ref().is_some_and(|a| a.contributions.is_empty()));
    }

    #[test]
    fn cycles_fail_together_and_stay_up_without_failures() {
        let m = model(vec![
            (Some(90.0), vec![req(1, &[1], Hard)]),
            (None, vec![req(1, &[0], Hard)]),
            (None, vec![req(1, &[3], Hard)]),
            (None, vec![req(1, &[2], Hard)]),
        ]);
        let a = exact(&m);
        assert!((value(a[0].as_ref()) - 0.9).abs() < 1e-12);
        assert!((value(a[1].as_ref()) - 0.9).abs() < 1e-12);
        assert_eq!(a[2], None);
        assert_eq!(a[3], None);
        let mc = availability(&m, &forced_monte_carlo());
        assert!(matches!(mc[1].as_ref().map(|a| a.method), Some(Method::MonteCarlo { .. })));
        assert!(mc[1].as_ref().is_some_and(|a| a.low <= 0.9 && 0.9 <= a.high));
    }

    #[test]
    fn contributions_are_unavailability_without_each_dependency() {
        let m = model(vec![(Some(99.0), vec![req(1, &[1], Hard)]), (Some(98.0), vec![])]);
        let a = exact(&m);
        let a0 = a[0].as_ref().map(|a| a.contributions.clone()).unwrap_or_default();
        let u = 1.0 - 0.99 * 0.98;
        // Without 1: U = 0.01; without 0: U = 0.02.
        assert_eq!(a0.iter().map(|c| c.component.index()).collect::<Vec<_>>(), vec![1, 0]);
        assert!((a0[0].unavailability - (u - 0.01)).abs() < 1e-12);
        assert!((a0[1].unavailability - (u - 0.02)).abs() < 1e-12);
        assert!((a0[0].share - (u - 0.01) / u).abs() < 1e-12);
    }

    #[test]
    fn monte_carlo_is_deterministic_for_any_thread_count() {
        let m = model(vec![
            (Some(99.0), vec![req(1, &[1, 2], Hard), req(2, &[3, 4, 5], Hard)]),
            (Some(95.0), vec![req(1, &[3], Hard)]),
            (Some(95.0), vec![req(1, &[0], Hard)]),
            (Some(99.5), vec![]),
            (Some(99.5), vec![]),
            (Some(99.5), vec![req(1, &[1], Soft)]),
        ]);
        let options = AvailabilityOptions { max_samples: 1 << 18, ..forced_monte_carlo() };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map(|pool| pool.install(|| availability(&m, &options)))
                .ok()
        };
        let one = run(1);
        assert!(one.is_some());
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
    }

    #[test]
    fn slo_is_judged_on_the_upper_bound() {
        let a = Availability {
            value: 0.999,
            low: 0.998,
            high: 0.9995,
            method: Method::MonteCarlo { samples: 1000 },
            contributions: Vec::new(),
        };
        assert!(a.meets_slo(99.9));
        assert!(a.meets_slo(99.95));
        assert!(!a.meets_slo(99.96));
        let exact = Availability { low: 0.999, high: 0.999, method: Method::Exact, ..a };
        assert!(exact.meets_slo(99.9));
    }
}
