//! Blast radius of every component at once (docs/semantics.md#blast-radius;
//! speed: BENCHMARKS.md#targets).
//!
//! Every single failure F = {X} is a scenario; 512 scenarios share one pass
//! over the inventory as the 512 bits of a `[u64; 8]` per component (one
//! mask for "down", one for "not up"). Components are evaluated in the
//! topological order of the condensation ([`Net::order`]); inside a cyclic
//! SCC a worklist iterates to the local least fixpoint. A k-of-n group is
//! unmet when at least `n - k + 1` members are down, counted bit-sliced.
//!
//! Scenarios are numbered by topological position, so a chunk of scenarios
//! whose failures sit at positions ≥ p leaves every component before p up and
//! the pass starts at p. Only components with a failure or a changed input
//! are evaluated (a bitmap of pending positions, scanned in order; a
//! component whose masks become non-empty marks its dependents), and a
//! per-run stamp marks the masks that are valid for the current run, so a
//! pass costs about the size of the part of the inventory it actually
//! affects plus n/64 words for the scan. Chunks run in parallel with rayon and
//! are merged in chunk order: results do not depend on the thread count.

mod detail;
mod kernel;

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;

pub use self::detail::{DetailLists, DetailPlan, stream_detail};
pub(crate) use self::kernel::{Kernel, LANES, Lanes, Scratch, for_each_lane};
use self::kernel::{Mask, and, at_least, is_zero, not};
use crate::net::Net;
use crate::progress::{Progress, step};

/// Which components to collect something for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Targets {
    /// None at all.
    #[default]
    None,
    /// Critical components: tier 1 or entrypoint.
    Critical,
    /// Every component.
    All,
    /// These components (ids outside the model are ignored).
    Only(Vec<ComponentId>),
}

impl Targets {
    /// Per component index, whether it is a target.
    pub(crate) fn mask(&self, model: &Model) -> Vec<bool> {
        match self {
            Targets::None => vec![false; model.len()],
            Targets::All => vec![true; model.len()],
            Targets::Critical => model.components().map(blastmap_manifest::Component::is_critical).collect(),
            Targets::Only(ids) => {
                let mut mask = vec![false; model.len()];
                for id in ids {
                    if let Some(slot) = mask.get_mut(id.index()) {
                        *slot = true;
                    }
                }
                mask
            }
        }
    }
}

/// How many entries a sweep holds at most, by default, in its lists of
/// (target, failure) pairs and, with `detail`, of ids down or degraded per
/// failure: 4,194,304 (16 MiB of ids). A chain of n critical components
/// has n²/2 such pairs; a bound keeps memory proportional to the input.
/// (2^24 saved the 100k/1M inventory a second pass, 2.5 s, but took the
/// 5,000-level ladder and a diff of two 10,000-chains past 1 GiB of
/// address space in the debug build's tests.)
pub const DEFAULT_MAX_PAIRS: u64 = 1 << 22;

/// How many causes per target a sweep keeps (the smallest ids) when its
/// pairs are over the bound: the most the report lists without `--detail`.
pub const LISTED: usize = 100;

/// What [`sweep`] collects besides the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepOptions {
    /// Keep, for every failure, the ids it takes down and degrades
    /// ([`BlastRadius::down_ids`], [`BlastRadius::degraded_ids`]).
    pub detail: bool,
    /// Components for which to collect the failures that take them down on
    /// their own (their SPOFs, [`Sweep::causes`]).
    pub causes: Targets,
    /// Which failures [`Sweep::causes`] records: `None` for every one. The
    /// policy's `no-spof` asks only for its candidates (datastores, queues,
    /// domains): holding every (target, failure) pair of a chain of n
    /// critical components took n² pairs of memory for findings that
    /// could never name them.
    pub failures: Option<Targets>,
    /// The most pairs and detail ids held: over it, every target keeps its
    /// count and its [`LISTED`] smallest causes, detail ids are dropped and
    /// [`Sweep::complete`] is false.
    pub max_pairs: u64,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions { detail: false, causes: Targets::None, failures: None, max_pairs: DEFAULT_MAX_PAIRS }
    }
}

/// The blast radius of one component: what F = {component} does.
#[derive(Debug, Clone, PartialEq)]
pub struct BlastRadius {
    pub component: ComponentId,
    /// Components other than `component` that are down.
    pub down: u32,
    /// Components that are degraded.
    pub degraded: u32,
    /// Down components (other than `component`) that are critical.
    pub critical_down: u32,
    /// Down components (other than `component`) that are entrypoints.
    pub entrypoints_down: u32,
    /// Sum of the weights of the down components other than `component`.
    pub weight_down: f64,
    /// Sum of the weights of the critical ones among them.
    pub critical_weight_down: f64,
    /// With [`SweepOptions::detail`]: the down components, ascending.
    pub down_ids: Option<Vec<ComponentId>>,
    /// With [`SweepOptions::detail`]: the degraded components, ascending.
    pub degraded_ids: Option<Vec<ComponentId>>,
}

/// The outcome of [`sweep`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// One per component, by index.
    pub radii: Vec<BlastRadius>,
    /// Per component: `Some(failures that take it down alone, ascending,
    /// itself excluded)` for targets of [`SweepOptions::causes`]; only the
    /// [`LISTED`] smallest when the sweep is not [`Sweep::complete`].
    causes: Vec<Option<Vec<ComponentId>>>,
    /// Per component: how many failures take it down alone (targets only).
    totals: Vec<u32>,
    /// Per component: the wrapping sum of a keyed hash of the ids of its
    /// causes (a set fingerprint: [`Sweep::fingerprint`]).
    fingerprints: Vec<u64>,
    /// Every list held in full.
    complete: bool,
}

impl Sweep {
    /// The blast radius of `x`.
    ///
    /// # Panics
    /// If `x` is not a component of the swept model.
    pub fn radius(&self, x: ComponentId) -> &BlastRadius {
        &self.radii[x.index()]
    }

    /// The components whose failure alone takes `s` down (`s` excluded,
    /// ascending), if `s` was a target of [`SweepOptions::causes`]: all of
    /// them when [`Sweep::complete`], otherwise the [`LISTED`] smallest.
    pub fn causes(&self, s: ComponentId) -> Option<&[ComponentId]> {
        self.causes.get(s.index()).and_then(Option::as_deref)
    }

    /// How many failures take `s` down alone (0 for non-targets).
    pub fn cause_count(&self, s: ComponentId) -> usize {
        self.totals.get(s.index()).map_or(0, |&t| t as usize)
    }

    /// Whether every list (causes and, with `detail`, the ids of every
    /// radius) is complete: false when they were over
    /// [`SweepOptions::max_pairs`].
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// A fingerprint of the set of ids of `s`'s causes, equal for equal
    /// sets whatever the model (ids are hashed, not indices); different sets
    /// collide with probability about 2⁻⁶⁴ (the key is random per process,
    /// so no input can aim at a collision).
    pub(crate) fn fingerprint(&self, s: ComponentId) -> u64 {
        self.fingerprints.get(s.index()).copied().unwrap_or(0)
    }

    /// Every target's causes, by component index.
    pub fn all_causes(&self) -> &[Option<Vec<ComponentId>>] {
        &self.causes
    }

    /// The radii and the causes, by component index, without copying.
    pub fn into_parts(self) -> (Vec<BlastRadius>, Vec<Option<Vec<ComponentId>>>) {
        (self.radii, self.causes)
    }
}

/// Blast radius of every component: for each X, the outcome of F = {X}.
///
/// # Complexity
/// O(n/512 · (n + m)) word operations in the worst case for n components and
/// m requirement members (times the number of local fixpoint rounds inside
/// cyclic SCCs), usually far less: a pass only touches the part of the
/// inventory that its 512 failures reach. Memory O(n) per worker thread
/// (two 64-byte masks per component), plus the output: with `detail` or
/// `causes`, one entry per (failure, affected component) pair kept.
pub fn sweep(model: &Model, net: &Net, options: &SweepOptions) -> Sweep {
    sweep_tracked(model, net, options, None)
}

/// [`sweep`], advancing `progress` by one step per pass of [`LANES`]
/// scenarios (call [`Progress::begin`] with [`passes`] steps first).
pub(crate) fn sweep_tracked(
    model: &Model,
    net: &Net,
    options: &SweepOptions,
    progress: Option<&Progress>,
) -> Sweep {
    let n = net.len();
    let kernel = Kernel::new(net, true);
    let info: Vec<PositionInfo> = net
        .order()
        .iter()
        .map(|&c| {
            let component = model.component(Net::id(c));
            PositionInfo {
                critical: component.is_critical(),
                entrypoint: component.entrypoint,
                weight: component.weight,
            }
        })
        .collect();
    let target_mask = options.causes.mask(model);
    let target_at: Vec<bool> = net.order().iter().map(|&c| target_mask[c as usize]).collect();
    // By position, whether that failure may be recorded as a cause.
    let failure_at: Vec<bool> = match &options.failures {
        None => vec![true; n],
        Some(failures) => {
            let mask = failures.mask(model);
            net.order().iter().map(|&c| mask[c as usize]).collect()
        }
    };
    let hasher = FINGERPRINT_KEY.get_or_init(RandomState::new);
    let keys: Vec<u64> = model.components().map(|c| hasher.hash_one(&c.id)).collect();
    let budget = Budget::new(options.max_pairs);
    let totals: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    let fingerprints: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let context = ChunkContext {
        kernel: &kernel,
        info: &info,
        target_at: &target_at,
        failure_at: &failure_at,
        detail: options.detail,
        keys: &keys,
        totals: &totals,
        fingerprints: &fingerprints,
    };

    let chunks: Vec<ChunkOut> = (0..n.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || Scratch::new(&kernel),
            |scratch, chunk| {
                let out = sweep_chunk(&context, scratch, chunk, Collect::Full(&budget));
                step(progress);
                out
            },
        )
        .collect();
    let complete = !budget.is_over();

    let mut radii: Vec<BlastRadius> = (0..n)
        .map(|c| BlastRadius {
            component: Net::id(c as u32),
            down: 0,
            degraded: 0,
            critical_down: 0,
            entrypoints_down: 0,
            weight_down: 0.0,
            critical_weight_down: 0.0,
            down_ids: None,
            degraded_ids: None,
        })
        .collect();
    let counted: Vec<u32> = totals.iter().map(|t| t.load(Ordering::Relaxed)).collect();
    let mut causes: Vec<Option<Vec<ComponentId>>> = (0..n)
        .map(|c| {
            let held = if complete { counted[c] as usize } else { 0 };
            target_mask[c].then(|| Vec::with_capacity(held))
        })
        .collect();
    for (index, chunk) in chunks.into_iter().enumerate() {
        for (lane, out) in chunk.lanes.into_iter().enumerate() {
            let x = net.order()[index * LANES + lane] as usize;
            let radius = &mut radii[x];
            radius.down = out.down;
            radius.degraded = out.degraded;
            radius.critical_down = out.critical_down;
            radius.entrypoints_down = out.entrypoints_down;
            radius.weight_down = out.weight_down;
            radius.critical_weight_down = out.critical_weight_down;
            if options.detail && complete {
                radius.down_ids = Some(sorted_ids(out.down_ids));
                radius.degraded_ids = Some(sorted_ids(out.degraded_ids));
            }
        }
        if complete {
            for (s, x) in chunk.pairs {
                if let Some(list) = &mut causes[s as usize] {
                    list.push(Net::id(x));
                }
            }
        }
    }
    if !complete && target_mask.iter().any(|&t| t) {
        smallest_causes(&context, &mut causes);
    }
    for list in causes.iter_mut().flatten() {
        list.sort_unstable();
        if !complete {
            list.truncate(LISTED);
        }
    }
    let fingerprints = fingerprints.iter().map(|f| f.load(Ordering::Relaxed)).collect();
    Sweep { radii, causes, totals: counted, fingerprints, complete }
}

/// The second pass of a sweep over its bound: every target's [`LISTED`]
/// smallest causes, a window of chunks (one per thread) at a time, so that
/// at most a window's worth of pairs is held besides the lists.
fn smallest_causes(context: &ChunkContext<'_>, causes: &mut [Option<Vec<ComponentId>>]) {
    let chunks = context.kernel.len().div_ceil(LANES);
    let window = rayon::current_num_threads().max(1);
    let pool: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
    for first in (0..chunks).step_by(window) {
        let outs: Vec<ChunkOut> = (first..(first + window).min(chunks))
            .into_par_iter()
            .map(|chunk| {
                let taken = pool.lock().ok().and_then(|mut p| p.pop());
                let mut scratch = taken.unwrap_or_else(|| Scratch::new(context.kernel));
                let out = sweep_chunk(context, &mut scratch, chunk, Collect::Smallest);
                if let Ok(mut p) = pool.lock() {
                    p.push(scratch);
                }
                out
            })
            .collect();
        for (s, x) in outs.into_iter().flat_map(|out| out.pairs) {
            if let Some(list) = causes.get_mut(s as usize).and_then(Option::as_mut) {
                list.push(Net::id(x));
                if list.len() >= 2 * LISTED {
                    list.sort_unstable();
                    list.truncate(LISTED);
                }
            }
        }
    }
}

/// The key of [`Sweep::fingerprint`]: one per process, so that the
/// fingerprints of two models compare.
static FINGERPRINT_KEY: OnceLock<RandomState> = OnceLock::new();

/// The pairs and ids a sweep holds, counted exactly: every chunk adds what
/// it met when it ends, so "over" is the same whatever the threads did
/// (the total is the inventory's), and under the bound no entry was
/// dropped.
pub(crate) struct Budget {
    held: AtomicU64,
    max: u64,
}

impl Budget {
    pub(crate) fn new(max: u64) -> Self {
        Budget { held: AtomicU64::new(0), max }
    }

    /// How many entries were met (counted when each chunk's allowance
    /// dropped).
    pub(crate) fn met(&self) -> u64 {
        self.held.load(Ordering::Relaxed)
    }

    /// Whether the entries met so far are more than the bound.
    pub(crate) fn is_over(&self) -> bool {
        self.held.load(Ordering::Relaxed) > self.max
    }
}

/// One chunk's count against a [`Budget`]: it keeps entries while its own
/// count and the budget's are within the bound (so it holds at most the
/// bound itself) and adds its count to the budget when dropped.
pub(crate) struct Allowance<'a> {
    budget: &'a Budget,
    count: u64,
}

impl<'a> Allowance<'a> {
    pub(crate) fn new(budget: &'a Budget) -> Self {
        Allowance { budget, count: 0 }
    }

    /// Counts one more entry; whether to keep it.
    pub(crate) fn take(&mut self) -> bool {
        self.count += 1;
        self.count <= self.budget.max && !self.budget.is_over()
    }
}

impl Drop for Allowance<'_> {
    fn drop(&mut self) {
        self.budget.held.fetch_add(self.count, Ordering::Relaxed);
    }
}

/// For every target, the components whose failure alone takes it down
/// (itself excluded, ascending); `None` for non-targets. Cheaper than
/// [`sweep`]: only "down" is computed (soft requirements and degraded states
/// play no part in what goes down).
///
/// # Complexity
/// As [`sweep`], with one mask per component instead of two.
pub fn down_causes(model: &Model, net: &Net, targets: &Targets) -> Vec<Option<Vec<ComponentId>>> {
    down_causes_tracked(model, net, targets, u64::MAX, None).unwrap_or_default()
}

/// [`down_causes`], or `Err(pairs counted)` when the lists would hold more
/// than `max_pairs` entries (the passes stop collecting at the bound).
pub(crate) fn down_causes_within(
    model: &Model,
    net: &Net,
    targets: &Targets,
    max_pairs: u64,
) -> Result<Vec<Option<Vec<ComponentId>>>, u64> {
    down_causes_tracked(model, net, targets, max_pairs, None)
}

/// [`down_causes_within`], advancing `progress` by one step per pass.
pub(crate) fn down_causes_tracked(
    model: &Model,
    net: &Net,
    targets: &Targets,
    max_pairs: u64,
    progress: Option<&Progress>,
) -> Result<Vec<Option<Vec<ComponentId>>>, u64> {
    let n = net.len();
    let kernel = Kernel::new(net, false);
    let target_mask = targets.mask(model);
    let target_at: Vec<bool> = net.order().iter().map(|&c| target_mask[c as usize]).collect();
    let budget = Budget::new(max_pairs);
    let chunks: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || Scratch::new(&kernel),
            |scratch, chunk| {
                let (start, end) = (chunk * LANES, ((chunk + 1) * LANES).min(n));
                let seeds: Vec<(u32, u32)> = (start..end).map(|p| (p as u32, (p - start) as u32)).collect();
                let from = kernel.run(scratch, &seeds);
                let mut pairs = Vec::new();
                let mut allowance = Allowance::new(&budget);
                for (p, _) in target_at.iter().enumerate().skip(from).filter(|&(_, &target)| target) {
                    if let Some(down) = scratch.down_at(p) {
                        let s = kernel.order[p];
                        for_each_lane(down, |lane| {
                            let x = kernel.order[start + lane];
                            if x != s && allowance.take() {
                                pairs.push((s, x));
                            }
                        });
                    }
                }
                drop(allowance);
                step(progress);
                pairs
            },
        )
        .collect();
    if budget.is_over() {
        return Err(budget.held.load(Ordering::Relaxed));
    }
    let mut causes: Vec<Option<Vec<ComponentId>>> = target_mask.iter().map(|&t| t.then(Vec::new)).collect();
    for (s, x) in chunks.into_iter().flatten() {
        if let Some(list) = &mut causes[s as usize] {
            list.push(Net::id(x));
        }
    }
    for list in causes.iter_mut().flatten() {
        list.sort_unstable();
    }
    Ok(causes)
}

/// A group requirement made unmet by one failure alone (see
/// [`crate::spof::illusory_groups`]).
#[derive(Clone, Copy)]
pub(crate) struct Defeat {
    /// Index into the `groups` given to [`defeats`].
    pub(crate) group: u32,
    /// The failing component.
    pub(crate) culprit: u32,
    /// Whether the group's owner is down under that failure.
    pub(crate) owner_down: bool,
    /// Where the members down under that failure (component indices, in
    /// the group's member order) sit in [`DefeatChunk::members`].
    members: (u32, u32),
}

/// The defeats found by one pass, with their members down stored flat (one
/// allocation per pass instead of one per defeat: at 100k components there
/// are millions of defeats).
pub(crate) struct DefeatChunk {
    pub(crate) found: Vec<Defeat>,
    members: Vec<u32>,
}

impl DefeatChunk {
    /// The members down under `d` (component indices), which must come
    /// from this chunk.
    pub(crate) fn members_down(&self, d: &Defeat) -> &[u32] {
        self.members.get(d.members.0 as usize..d.members.1 as usize).unwrap_or_default()
    }
}

/// Every (group, single failure) such that the failure alone takes at
/// least `losses_to_fail` of the group's members down, the group's owner
/// excepted as culprit, one chunk per pass in pass order. Counted inside the
/// down-only passes, 512 failures at a time, with the bit-sliced
/// [`at_least`] over the members' masks: no list of what takes each member
/// down is ever built (those lists held one entry per (failure, member)
/// pair and dominated time and memory at 100k components).
///
/// # Complexity
/// The down-only passes of [`down_causes`], plus per pass O(Σ members) to
/// find the groups with a member reached and O(members · words) for each of
/// those; memory O(n) per thread plus the defeats found (a few words each).
pub(crate) fn defeats(net: &Net, groups: &[u32], progress: Option<&Progress>) -> Vec<DefeatChunk> {
    let n = net.len();
    let kernel = Kernel::new(net, false);
    let mut member_start = Vec::with_capacity(groups.len() + 1);
    member_start.push(0u32);
    let mut members = Vec::new();
    for &r in groups {
        members.extend(net.members(r).iter().map(|&m| kernel.position[m as usize]));
        member_start.push(members.len() as u32);
    }
    (0..n.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || Scratch::new(&kernel),
            |scratch, chunk| {
                let (start, end) = (chunk * LANES, ((chunk + 1) * LANES).min(n));
                let seeds: Vec<(u32, u32)> = (start..end).map(|p| (p as u32, (p - start) as u32)).collect();
                kernel.run(scratch, &seeds);
                let mut out = DefeatChunk { found: Vec::new(), members: Vec::new() };
                for (g, &r) in groups.iter().enumerate() {
                    let positions = &members[member_start[g] as usize..member_start[g + 1] as usize];
                    if !positions.iter().any(|&p| scratch.is_live(p as usize)) {
                        continue;
                    }
                    let defeated = at_least(scratch, positions, net.losses_to_fail(r) as usize, Mask::Down);
                    if is_zero(&defeated) {
                        continue;
                    }
                    let owner = net.owner(r);
                    let owner_down = scratch.down_or_zero(kernel.position[owner as usize] as usize);
                    for_each_lane(&defeated, |lane| {
                        let culprit = kernel.order[start + lane];
                        if culprit == owner {
                            return;
                        }
                        let down_in = |mask: &Lanes| (mask[lane / 64] >> (lane % 64)) & 1 == 1;
                        let first = out.members.len() as u32;
                        out.members.extend(
                            positions
                                .iter()
                                .filter(|&&p| down_in(&scratch.down_or_zero(p as usize)))
                                .map(|&p| kernel.order[p as usize]),
                        );
                        out.found.push(Defeat {
                            group: g as u32,
                            culprit,
                            owner_down: down_in(&owner_down),
                            members: (first, out.members.len() as u32),
                        });
                    });
                }
                step(progress);
                out
            },
        )
        .collect()
}

/// Passes of [`sweep`] and [`down_causes`] over `net`: the step count of
/// their progress.
pub(crate) fn passes(net: &Net) -> u64 {
    net.len().div_ceil(LANES) as u64
}

fn sorted_ids(mut ids: Vec<u32>) -> Vec<ComponentId> {
    ids.sort_unstable();
    ids.into_iter().map(Net::id).collect()
}

struct PositionInfo {
    critical: bool,
    entrypoint: bool,
    weight: f64,
}

#[derive(Default)]
struct LaneOut {
    down: u32,
    degraded: u32,
    critical_down: u32,
    entrypoints_down: u32,
    weight_down: f64,
    critical_weight_down: f64,
    down_ids: Vec<u32>,
    degraded_ids: Vec<u32>,
}

struct ChunkOut {
    lanes: Vec<LaneOut>,
    /// (target, failure) component indices.
    pairs: Vec<(u32, u32)>,
}

/// What every chunk of one sweep reads, and the totals it adds to.
struct ChunkContext<'a> {
    kernel: &'a Kernel,
    info: &'a [PositionInfo],
    target_at: &'a [bool],
    failure_at: &'a [bool],
    detail: bool,
    /// By component index: the keyed hash of its id.
    keys: &'a [u64],
    totals: &'a [AtomicU32],
    fingerprints: &'a [AtomicU64],
}

/// What a chunk keeps of its (target, failure) pairs.
#[derive(Clone, Copy)]
enum Collect<'a> {
    /// Every pair and detail id while the budget lasts; counts, totals and
    /// fingerprints always.
    Full(&'a Budget),
    /// Per target, only the pairs of its [`LISTED`] smallest failures in
    /// this chunk; nothing else.
    Smallest,
}

fn sweep_chunk(
    context: &ChunkContext<'_>,
    scratch: &mut Scratch,
    chunk: usize,
    collect: Collect<'_>,
) -> ChunkOut {
    let kernel = context.kernel;
    let n = kernel.len();
    let (start, end) = (chunk * LANES, ((chunk + 1) * LANES).min(n));
    let seeds: Vec<(u32, u32)> = (start..end).map(|p| (p as u32, (p - start) as u32)).collect();
    let from = kernel.run(scratch, &seeds);
    let mut lanes: Vec<LaneOut> = (start..end).map(|_| LaneOut::default()).collect();
    let mut pairs = Vec::new();
    let mut failures: Lanes = [0; 8];
    for p in start..end {
        if context.failure_at[p] {
            failures[(p - start) / 64] |= 1 << ((p - start) % 64);
        }
    }
    let full = match collect {
        Collect::Full(budget) => Some(budget),
        Collect::Smallest => None,
    };
    let mut allowance = full.map(Allowance::new);
    let mut smallest: Vec<u32> = Vec::new();
    for p in from..n {
        if !scratch.is_live(p) {
            continue;
        }
        let mut down = scratch.down[p];
        if (start..end).contains(&p) {
            down[(p - start) / 64] &= !(1 << ((p - start) % 64));
        }
        let c = kernel.order[p];
        let Some(allowance) = allowance.as_mut() else {
            if context.target_at[p] {
                smallest.clear();
                for_each_lane(&and(&down, &failures), |lane| smallest.push(kernel.order[start + lane]));
                if smallest.len() > LISTED {
                    smallest.select_nth_unstable(LISTED);
                    smallest.truncate(LISTED);
                }
                pairs.extend(smallest.iter().map(|&x| (c, x)));
            }
            continue;
        };
        let here = &context.info[p];
        let target = context.target_at[p];
        let (mut count, mut fingerprint) = (0u32, 0u64);
        for_each_lane(&down, |lane| {
            let out = &mut lanes[lane];
            out.down += 1;
            out.critical_down += u32::from(here.critical);
            out.entrypoints_down += u32::from(here.entrypoint);
            out.weight_down += here.weight;
            if here.critical {
                out.critical_weight_down += here.weight;
            }
            if context.detail && allowance.take() {
                out.down_ids.push(c);
            }
            if target && context.failure_at[start + lane] {
                let x = kernel.order[start + lane];
                count += 1;
                fingerprint = fingerprint.wrapping_add(context.keys[x as usize]);
                if allowance.take() {
                    pairs.push((c, x));
                }
            }
        });
        if count > 0 {
            context.totals[c as usize].fetch_add(count, Ordering::Relaxed);
            context.fingerprints[c as usize].fetch_add(fingerprint, Ordering::Relaxed);
        }
        if let Some(not_up) = scratch.not_up_at(p) {
            let degraded = and(not_up, &not(&scratch.down[p]));
            for_each_lane(&degraded, |lane| {
                let out = &mut lanes[lane];
                out.degraded += 1;
                if context.detail && allowance.take() {
                    out.degraded_ids.push(c);
                }
            });
        }
    }
    ChunkOut { lanes, pairs }
}
