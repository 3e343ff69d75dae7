//! The Monte Carlo method: bit-parallel sampling over the condensation
//! order, the exactly known part of the control variate, contributions by
//! common random numbers, and the Wilson intervals.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::sim::{Block, Sim, WORDS, ZERO, and, and_not, or, popcount};
use super::{Availability, AvailabilityOptions, CHUNK_SAMPLES, FastMap, Method, top};
use crate::cycles::Sccs;
use crate::net::{HardNet, Net};

/// Samples per pass.
pub(super) const LANES: usize = WORDS * 64;
pub(super) const PASSES_PER_CHUNK: usize = 16;
/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

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
pub(super) fn is_series(net: &HardNet, r: usize) -> bool {
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
pub(super) struct Culprits {
    start: Vec<u32>,
    culprits: Vec<u32>,
}

impl Culprits {
    pub(super) fn of(&self, v: usize) -> &[u32] {
        match (self.start.get(v), self.start.get(v + 1)) {
            (Some(&a), Some(&b)) => self.culprits.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// # Complexity
/// The passes of [`crate::spof::illusory_redundancy`]: O(n/512 · (n + m)) word
/// operations at worst, memory a few words per (group, culprit) pair.
pub(super) fn group_culprits(net: &Net) -> Culprits {
    let found = crate::spof::illusory_redundancy(net);
    let mut start = vec![0u32; net.len() + 1];
    // Only failures that take the owner down: hard groups (and soft ones
    // whose culprit takes the owner down some other way, which makes it a
    // single point of failure all the same).
    let taken: Vec<_> = found.listed.iter().filter(|f| f.component_down).collect();
    for f in &taken {
        start[f.component.index() + 1] += 1;
    }
    for v in 0..net.len() {
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
pub(super) fn monte_carlo(
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
