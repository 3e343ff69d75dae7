//! Availability of every component under independent failures, with each
//! dependency's share of the error budget (docs/semantics.md#availability).
//!
//! Every component fails on its own, independently, with probability
//! `1 − availability/100` (components without an availability never fail on
//! their own). A component is down when it failed or one of its HARD
//! requirements is unmet (docs/semantics.md#requirements; soft requirements
//! never take anything down), so only the hard-requirement graph matters here.
//! The availability of S is the probability that S is not down.
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

mod bdd;
mod monte_carlo;
mod sim;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;
use serde::{Serialize, Serializer};

use self::bdd::{Backward, Bdd};
use self::monte_carlo::{LANES, PASSES_PER_CHUNK, group_culprits, monte_carlo};
use crate::cycles::Sccs;
use crate::net::{HardNet, Net};

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
    availability_of(model, &HardNet::new(model), None, options)
}

/// [`availability`] over nets the caller already built for `model`.
pub(crate) fn availability_net(
    model: &Model,
    net: &Net,
    hard: &HardNet,
    options: &AvailabilityOptions,
) -> Vec<Option<Availability>> {
    availability_of(model, hard, Some(net), options)
}

/// `full` is only needed when some component falls back to Monte Carlo:
/// without it, it is built then.
fn availability_of(
    model: &Model,
    net: &HardNet,
    full: Option<&Net>,
    options: &AvailabilityOptions,
) -> Vec<Option<Availability>> {
    let sccs = Sccs::new(net);
    let len = net.len();
    let fail_p: Vec<f64> = model.components().map(|c| failure_probability(c.availability)).collect();

    let can_fail = closure_can_fail(net, &sccs, &fail_p);
    let mut bdd = Bdd::new(&sccs, &fail_p, options.exact_total_nodes);
    let down = bdd.build_all(net, &sccs, &can_fail, options.exact_component_nodes);

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
        let culprits = match full {
            Some(full) => group_culprits(full),
            None => group_culprits(&Net::new(model)),
        };
        for (v, a) in monte_carlo(net, &sccs, &fail_p, &culprits, &targets, options) {
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
