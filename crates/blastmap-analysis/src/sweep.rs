//! Blast radius of every component at once (DESIGN §3, §8).
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

use std::collections::VecDeque;

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;

use crate::net::Net;
use crate::progress::{Progress, step};

/// Words per lane set: 8 × 64 = 512 scenarios per pass.
const WORDS: usize = 8;
/// Scenarios per pass.
pub(crate) const LANES: usize = 64 * WORDS;

pub(crate) type Lanes = [u64; WORDS];
const ZERO: Lanes = [0; WORDS];
const ONES: Lanes = [u64::MAX; WORDS];

#[inline]
fn or_into(a: &mut Lanes, b: &Lanes) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

#[inline]
fn and(a: &Lanes, b: &Lanes) -> Lanes {
    std::array::from_fn(|w| a[w] & b[w])
}

#[inline]
fn not(a: &Lanes) -> Lanes {
    std::array::from_fn(|w| !a[w])
}

#[inline]
fn is_zero(a: &Lanes) -> bool {
    a.iter().all(|&w| w == 0)
}

#[inline]
fn set_lane(a: &mut Lanes, lane: usize) {
    a[lane / 64] |= 1 << (lane % 64);
}

/// Calls `f` with every lane set in `a`, ascending.
#[inline]
pub(crate) fn for_each_lane(a: &Lanes, mut f: impl FnMut(usize)) {
    for (w, &word) in a.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}

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

/// What [`sweep`] collects besides the counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SweepOptions {
    /// Keep, for every failure, the ids it takes down and degrades
    /// ([`BlastRadius::down_ids`], [`BlastRadius::degraded_ids`]).
    pub detail: bool,
    /// Components for which to collect the failures that take them down on
    /// their own (their SPOFs, [`Sweep::causes`]).
    pub causes: Targets,
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
    /// itself excluded)` for targets of [`SweepOptions::causes`].
    causes: Vec<Option<Vec<ComponentId>>>,
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
    /// ascending), if `s` was a target of [`SweepOptions::causes`].
    pub fn causes(&self, s: ComponentId) -> Option<&[ComponentId]> {
        self.causes.get(s.index()).and_then(Option::as_deref)
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

    let chunks: Vec<ChunkOut> = (0..n.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || Scratch::new(&kernel),
            |scratch, chunk| {
                let out = sweep_chunk(&kernel, scratch, chunk, &info, &target_at, options.detail);
                step(progress);
                out
            },
        )
        .collect();

    let mut radii: Vec<BlastRadius> = (0..n)
        .map(|c| BlastRadius {
            component: Net::id(c as u32),
            down: 0,
            degraded: 0,
            critical_down: 0,
            entrypoints_down: 0,
            weight_down: 0.0,
            down_ids: None,
            degraded_ids: None,
        })
        .collect();
    let mut pairs_per_target = vec![0u32; n];
    for chunk in &chunks {
        for &(s, _) in &chunk.pairs {
            pairs_per_target[s as usize] += 1;
        }
    }
    let mut causes: Vec<Option<Vec<ComponentId>>> =
        (0..n).map(|c| target_mask[c].then(|| Vec::with_capacity(pairs_per_target[c] as usize))).collect();
    for (index, chunk) in chunks.into_iter().enumerate() {
        for (lane, out) in chunk.lanes.into_iter().enumerate() {
            let x = net.order()[index * LANES + lane] as usize;
            let radius = &mut radii[x];
            radius.down = out.down;
            radius.degraded = out.degraded;
            radius.critical_down = out.critical_down;
            radius.entrypoints_down = out.entrypoints_down;
            radius.weight_down = out.weight_down;
            if options.detail {
                radius.down_ids = Some(sorted_ids(out.down_ids));
                radius.degraded_ids = Some(sorted_ids(out.degraded_ids));
            }
        }
        for (s, x) in chunk.pairs {
            if let Some(list) = &mut causes[s as usize] {
                list.push(Net::id(x));
            }
        }
    }
    for list in causes.iter_mut().flatten() {
        list.sort_unstable();
    }
    Sweep { radii, causes }
}

/// For every target, the components whose failure alone takes it down
/// (itself excluded, ascending); `None` for non-targets. Cheaper than
/// [`sweep`]: only "down" is computed (soft requirements and degraded states
/// play no part in what goes down).
///
/// # Complexity
/// As [`sweep`], with one mask per component instead of two.
pub fn down_causes(model: &Model, net: &Net, targets: &Targets) -> Vec<Option<Vec<ComponentId>>> {
    down_causes_tracked(model, net, targets, None)
}

/// [`down_causes`], advancing `progress` by one step per pass.
pub(crate) fn down_causes_tracked(
    model: &Model,
    net: &Net,
    targets: &Targets,
    progress: Option<&Progress>,
) -> Vec<Option<Vec<ComponentId>>> {
    let n = net.len();
    let kernel = Kernel::new(net, false);
    let target_mask = targets.mask(model);
    let target_at: Vec<bool> = net.order().iter().map(|&c| target_mask[c as usize]).collect();
    let chunks: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || Scratch::new(&kernel),
            |scratch, chunk| {
                let (start, end) = (chunk * LANES, ((chunk + 1) * LANES).min(n));
                let seeds: Vec<(u32, u32)> = (start..end).map(|p| (p as u32, (p - start) as u32)).collect();
                let from = kernel.run(scratch, &seeds);
                let mut pairs = Vec::new();
                for (p, _) in target_at.iter().enumerate().skip(from).filter(|&(_, &target)| target) {
                    if let Some(down) = scratch.down_at(p) {
                        let s = kernel.order[p];
                        for_each_lane(down, |lane| {
                            let x = kernel.order[start + lane];
                            if x != s {
                                pairs.push((s, x));
                            }
                        });
                    }
                }
                step(progress);
                pairs
            },
        )
        .collect();
    let mut causes: Vec<Option<Vec<ComponentId>>> = target_mask.iter().map(|&t| t.then(Vec::new)).collect();
    for (s, x) in chunks.into_iter().flatten() {
        if let Some(list) = &mut causes[s as usize] {
            list.push(Net::id(x));
        }
    }
    for list in causes.iter_mut().flatten() {
        list.sort_unstable();
    }
    causes
}

/// A group requirement made unmet by one failure alone (see
/// [`crate::spof::shared_fate`]).
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
    down_ids: Vec<u32>,
    degraded_ids: Vec<u32>,
}

struct ChunkOut {
    lanes: Vec<LaneOut>,
    /// (target, failure) component indices.
    pairs: Vec<(u32, u32)>,
}

fn sweep_chunk(
    kernel: &Kernel,
    scratch: &mut Scratch,
    chunk: usize,
    info: &[PositionInfo],
    target_at: &[bool],
    detail: bool,
) -> ChunkOut {
    let n = kernel.len();
    let (start, end) = (chunk * LANES, ((chunk + 1) * LANES).min(n));
    let seeds: Vec<(u32, u32)> = (start..end).map(|p| (p as u32, (p - start) as u32)).collect();
    let from = kernel.run(scratch, &seeds);
    let mut lanes: Vec<LaneOut> = (start..end).map(|_| LaneOut::default()).collect();
    let mut pairs = Vec::new();
    for p in from..n {
        if !scratch.is_live(p) {
            continue;
        }
        let mut down = scratch.down[p];
        if (start..end).contains(&p) {
            down[(p - start) / 64] &= !(1 << ((p - start) % 64));
        }
        let c = kernel.order[p];
        let here = &info[p];
        for_each_lane(&down, |lane| {
            let out = &mut lanes[lane];
            out.down += 1;
            out.critical_down += u32::from(here.critical);
            out.entrypoints_down += u32::from(here.entrypoint);
            out.weight_down += here.weight;
            if detail {
                out.down_ids.push(c);
            }
            if target_at[p] {
                pairs.push((c, kernel.order[start + lane]));
            }
        });
        if let Some(not_up) = scratch.not_up_at(p) {
            let degraded = and(not_up, &not(&scratch.down[p]));
            for_each_lane(&degraded, |lane| {
                let out = &mut lanes[lane];
                out.degraded += 1;
                if detail {
                    out.degraded_ids.push(c);
                }
            });
        }
    }
    ChunkOut { lanes, pairs }
}

/// The inventory in position space (positions in [`Net::order`]), laid out
/// for the bit-parallel passes.
pub(crate) struct Kernel {
    /// Position → component index.
    pub(crate) order: Vec<u32>,
    /// Component index → position.
    pub(crate) position: Vec<u32>,
    /// Whether degraded states are computed (two masks) or only down.
    degraded: bool,
    /// `len + 1` offsets into the requirement arrays.
    req_start: Vec<u32>,
    /// Members that must be down for the requirement to be unmet.
    losses: Vec<u32>,
    soft: Vec<bool>,
    member_start: Vec<u32>,
    /// Member positions.
    members: Vec<u32>,
    /// Per position: the end of its SCC's position range.
    scc_end: Vec<u32>,
    /// Per position: the start of its SCC's position range.
    scc_begin: Vec<u32>,
    /// Per position: the positions in the same (cyclic) SCC that require it.
    inner_start: Vec<u32>,
    inner: Vec<u32>,
    /// Per position: every position that requires it (through a requirement
    /// this kernel evaluates), ascending, without repeats. A pass only
    /// visits the dependents of what it changed.
    dependents_start: Vec<u32>,
    dependents: Vec<u32>,
}

impl Kernel {
    /// Without `degraded`, soft requirements are dropped: they never take
    /// anything down.
    pub(crate) fn new(net: &Net, degraded: bool) -> Self {
        let n = net.len();
        let order = net.order().to_vec();
        let position: Vec<u32> = (0..n as u32).map(|c| net.position(c)).collect();
        let mut req_start = Vec::with_capacity(n + 1);
        let mut losses = Vec::new();
        let mut soft = Vec::new();
        let mut member_start = vec![0u32];
        let mut members = Vec::new();
        let mut scc_begin = vec![0u32; n];
        let mut scc_end = vec![0u32; n];
        let mut inner_start = Vec::with_capacity(n + 1);
        let mut inner = Vec::new();
        let mut dependents_start = Vec::with_capacity(n + 1);
        let mut dependents = Vec::new();
        req_start.push(0);
        inner_start.push(0);
        dependents_start.push(0);
        for (p, &c) in order.iter().enumerate() {
            for r in net.requirements(c) {
                if !degraded && net.is_soft(r) {
                    continue;
                }
                losses.push(net.losses_to_fail(r));
                soft.push(net.is_soft(r));
                members.extend(net.members(r).iter().map(|&m| position[m as usize]));
                member_start.push(members.len() as u32);
            }
            req_start.push(losses.len() as u32);
            let range = net.scc_range(net.scc_of(c));
            scc_begin[p] = range.start as u32;
            scc_end[p] = range.end as u32;
            if range.len() > 1 {
                let mut dependents: Vec<u32> = net
                    .required_by(c)
                    .iter()
                    .filter(|&&r| degraded || !net.is_soft(r))
                    .map(|&r| position[net.owner(r) as usize])
                    .filter(|&q| range.contains(&(q as usize)))
                    .collect();
                dependents.sort_unstable();
                dependents.dedup();
                inner.extend(dependents);
            }
            inner_start.push(inner.len() as u32);
            let first = dependents.len();
            dependents.extend(
                net.required_by(c)
                    .iter()
                    .filter(|&&r| degraded || !net.is_soft(r))
                    .map(|&r| position[net.owner(r) as usize]),
            );
            dependents[first..].sort_unstable();
            let mut kept = first;
            for i in first..dependents.len() {
                if kept == first || dependents[kept - 1] != dependents[i] {
                    dependents[kept] = dependents[i];
                    kept += 1;
                }
            }
            dependents.truncate(kept);
            dependents_start.push(dependents.len() as u32);
        }
        Kernel {
            order,
            position,
            degraded,
            req_start,
            losses,
            soft,
            member_start,
            members,
            scc_end,
            scc_begin,
            inner_start,
            inner,
            dependents_start,
            dependents,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    fn requirement_range(&self, p: usize) -> std::ops::Range<usize> {
        self.req_start[p] as usize..self.req_start[p + 1] as usize
    }

    fn member_positions(&self, r: usize) -> &[u32] {
        &self.members[self.member_start[r] as usize..self.member_start[r + 1] as usize]
    }

    /// Runs one pass: lane `l` simulates the failure of every position `p`
    /// with `(p, l)` in `seeds`. Returns the first position that may be
    /// affected; afterwards [`Scratch::down_at`] and [`Scratch::not_up_at`]
    /// give the masks of positions from there on.
    ///
    /// Only positions with a seed or a changed input are evaluated: a bitmap
    /// of pending positions is scanned in ascending (topological) order, and
    /// every position whose masks become non-empty marks its dependents,
    /// which always come later (or in the same cyclic SCC, settled as a
    /// whole). A pass thus costs O(n/64) for the scan plus the requirements
    /// of the positions it reaches, instead of every position after the
    /// first seed.
    pub(crate) fn run(&self, scratch: &mut Scratch, seeds: &[(u32, u32)]) -> usize {
        scratch.begin_run();
        let Some(first) = seeds.iter().map(|&(p, _)| p).min() else { return self.len() };
        for &(p, lane) in seeds {
            scratch.add_seed(p as usize, lane as usize);
            scratch.mark(p as usize);
        }
        let from = self.scc_begin[first as usize] as usize;
        let mut word = from / 64;
        while word < scratch.pending.len() {
            let bits = scratch.pending[word];
            if bits == 0 {
                word += 1;
                continue;
            }
            let p = word * 64 + bits.trailing_zeros() as usize;
            let (begin, end) = (self.scc_begin[p] as usize, self.scc_end[p] as usize);
            if end - begin == 1 {
                scratch.pending[word] &= bits - 1;
                let (down, not_up) = self.evaluate(scratch, p);
                if scratch.store(p, &down, &not_up) {
                    self.mark_dependents(scratch, p);
                }
            } else {
                scratch.unmark_range(begin, end);
                self.settle_cycle(scratch, begin, end);
                for q in begin..end {
                    if scratch.is_live(q) {
                        self.mark_dependents(scratch, q);
                    }
                }
                // Dependents inside the SCC were settled with it.
                scratch.unmark_range(begin, end);
            }
        }
        from
    }

    fn mark_dependents(&self, scratch: &mut Scratch, p: usize) {
        let range = self.dependents_start[p] as usize..self.dependents_start[p + 1] as usize;
        for &q in &self.dependents[range] {
            scratch.mark(q as usize);
        }
    }

    /// The new masks of position `p` from its requirements' current inputs.
    fn evaluate(&self, scratch: &mut Scratch, p: usize) -> (Lanes, Lanes) {
        let mut down = scratch.seed_at(p);
        let mut not_up = ZERO;
        for r in self.requirement_range(p) {
            let members = self.member_positions(r);
            if !members.iter().any(|&m| scratch.is_live(m as usize)) {
                continue;
            }
            let losses = self.losses[r] as usize;
            let unmet = at_least(scratch, members, losses, Mask::Down);
            if self.soft[r] {
                or_into(&mut not_up, &unmet);
            } else {
                or_into(&mut down, &unmet);
                if self.degraded {
                    or_into(&mut not_up, &at_least(scratch, members, losses, Mask::NotUp));
                }
            }
        }
        or_into(&mut not_up, &down);
        (down, not_up)
    }

    /// Local least fixpoint of a cyclic SCC occupying positions
    /// `begin..end`: start from "up except seeds" and re-evaluate with a
    /// worklist until nothing changes (the rules are monotone, so every
    /// change only adds bits and this terminates).
    fn settle_cycle(&self, scratch: &mut Scratch, begin: usize, end: usize) {
        let touched = (begin..end).any(|p| {
            scratch.has_seed(p)
                || self
                    .requirement_range(p)
                    .any(|r| self.member_positions(r).iter().any(|&m| scratch.is_live(m as usize)))
        });
        if !touched {
            return;
        }
        for p in begin..end {
            let seed = scratch.seed_at(p);
            scratch.force_store(p, &seed, &seed);
        }
        let mut queue: VecDeque<usize> = (begin..end).collect();
        scratch.queued.resize(self.len(), false);
        for p in begin..end {
            scratch.queued[p] = true;
        }
        while let Some(p) = queue.pop_front() {
            scratch.queued[p] = false;
            let (down, not_up) = self.evaluate(scratch, p);
            let changed = down != scratch.down[p] || (self.degraded && not_up != scratch.not_up[p]);
            if changed {
                scratch.force_store(p, &down, &not_up);
                for &q in &self.inner[self.inner_start[p] as usize..self.inner_start[p + 1] as usize] {
                    if !scratch.queued[q as usize] {
                        scratch.queued[q as usize] = true;
                        queue.push_back(q as usize);
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Mask {
    Down,
    NotUp,
}

/// Lanes where at least `t` of `members` are set in `mask`. Counts with a
/// bit-sliced "at least j" ladder over the smaller of `t` and `n - t + 1`
/// (through complements), so `any_of` (t = n) and single targets stay
/// linear.
fn at_least(scratch: &mut Scratch, members: &[u32], t: usize, mask: Mask) -> Lanes {
    let n = members.len();
    let value = |s: &Scratch, m: u32| -> Lanes {
        match mask {
            Mask::Down => s.down_or_zero(m as usize),
            Mask::NotUp => s.not_up_or_zero(m as usize),
        }
    };
    if t == 0 {
        return ONES;
    }
    if t > n {
        return ZERO;
    }
    if t == 1 {
        let mut any = ZERO;
        for &m in members {
            or_into(&mut any, &value(scratch, m));
        }
        return any;
    }
    if t == n {
        let mut all = ONES;
        for &m in members {
            if !scratch.is_live(m as usize) {
                return ZERO;
            }
            all = and(&all, &value(scratch, m));
        }
        return all;
    }
    let complement = n - t + 1 < t;
    let rungs = if complement { n - t + 1 } else { t };
    let mut ladder = std::mem::take(&mut scratch.ladder);
    ladder.clear();
    ladder.resize(rungs, ZERO);
    for &m in members {
        let v = value(scratch, m);
        let v = if complement { not(&v) } else { v };
        for j in (1..rungs).rev() {
            let carry = and(&ladder[j - 1], &v);
            or_into(&mut ladder[j], &carry);
        }
        or_into(&mut ladder[0], &v);
    }
    let top = ladder[rungs - 1];
    scratch.ladder = ladder;
    if complement { not(&top) } else { top }
}

/// Per-worker mutable state of the passes; reused across runs.
pub(crate) struct Scratch {
    run: u32,
    /// Run in which a position's masks were last written.
    stamp: Vec<u32>,
    down: Vec<Lanes>,
    not_up: Vec<Lanes>,
    seed_stamp: Vec<u32>,
    seed_slot: Vec<u32>,
    seeds: Vec<Lanes>,
    queued: Vec<bool>,
    ladder: Vec<Lanes>,
    /// Positions to evaluate in the current run, one bit each; empty
    /// between runs (a run clears every bit it scans).
    pending: Vec<u64>,
}

impl Scratch {
    pub(crate) fn new(kernel: &Kernel) -> Self {
        let n = kernel.len();
        Scratch {
            run: 0,
            stamp: vec![0; n],
            down: vec![ZERO; n],
            not_up: if kernel.degraded { vec![ZERO; n] } else { Vec::new() },
            seed_stamp: vec![0; n],
            seed_slot: vec![0; n],
            seeds: Vec::new(),
            queued: Vec::new(),
            ladder: Vec::new(),
            pending: vec![0; n.div_ceil(64)],
        }
    }

    fn begin_run(&mut self) {
        self.run = self.run.wrapping_add(1);
        if self.run == 0 {
            // After 2^32 runs stamps could collide: start over.
            self.stamp.fill(0);
            self.seed_stamp.fill(0);
            self.run = 1;
        }
        self.seeds.clear();
    }

    fn add_seed(&mut self, p: usize, lane: usize) {
        if self.seed_stamp[p] != self.run {
            self.seed_stamp[p] = self.run;
            self.seed_slot[p] = self.seeds.len() as u32;
            self.seeds.push(ZERO);
        }
        set_lane(&mut self.seeds[self.seed_slot[p] as usize], lane);
    }

    fn has_seed(&self, p: usize) -> bool {
        self.seed_stamp[p] == self.run
    }

    fn seed_at(&self, p: usize) -> Lanes {
        if self.has_seed(p) { self.seeds[self.seed_slot[p] as usize] } else { ZERO }
    }

    /// Whether position `p` has masks written in this run (otherwise it is
    /// up in every lane).
    #[inline]
    fn is_live(&self, p: usize) -> bool {
        self.stamp[p] == self.run
    }

    #[inline]
    fn down_or_zero(&self, p: usize) -> Lanes {
        if self.is_live(p) { self.down[p] } else { ZERO }
    }

    #[inline]
    fn not_up_or_zero(&self, p: usize) -> Lanes {
        if !self.is_live(p) {
            ZERO
        } else if self.not_up.is_empty() {
            self.down[p]
        } else {
            self.not_up[p]
        }
    }

    /// Stores only non-empty masks (an untouched position reads as up);
    /// whether it stored.
    fn store(&mut self, p: usize, down: &Lanes, not_up: &Lanes) -> bool {
        let any = !is_zero(not_up) || !is_zero(down);
        if any {
            self.force_store(p, down, not_up);
        }
        any
    }

    #[inline]
    fn mark(&mut self, p: usize) {
        self.pending[p / 64] |= 1 << (p % 64);
    }

    fn unmark_range(&mut self, begin: usize, end: usize) {
        for p in begin..end {
            self.pending[p / 64] &= !(1 << (p % 64));
        }
    }

    fn force_store(&mut self, p: usize, down: &Lanes, not_up: &Lanes) {
        self.stamp[p] = self.run;
        self.down[p] = *down;
        if !self.not_up.is_empty() {
            self.not_up[p] = *not_up;
        }
    }

    /// The down mask of position `p` in the last run, if any lane has it
    /// down.
    pub(crate) fn down_at(&self, p: usize) -> Option<&Lanes> {
        (self.is_live(p) && !is_zero(&self.down[p])).then(|| &self.down[p])
    }

    /// The not-up mask of position `p` in the last run (only when degraded
    /// states are computed), if any lane has it not up.
    fn not_up_at(&self, p: usize) -> Option<&Lanes> {
        (self.is_live(p) && !self.not_up.is_empty() && !is_zero(&self.not_up[p])).then(|| &self.not_up[p])
    }
}
