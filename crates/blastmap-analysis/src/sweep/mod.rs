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

mod kernel;

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;

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

/// What [`sweep`] collects besides the counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    // By position, whether that failure may be recorded as a cause.
    let failure_at: Vec<bool> = match &options.failures {
        None => vec![true; n],
        Some(failures) => {
            let mask = failures.mask(model);
            net.order().iter().map(|&c| mask[c as usize]).collect()
        }
    };

    let chunks: Vec<ChunkOut> = (0..n.div_ceil(LANES))
        .into_par_iter()
        .map_init(
            || Scratch::new(&kernel),
            |scratch, chunk| {
                let out =
                    sweep_chunk(&kernel, scratch, chunk, &info, (&target_at, &failure_at), options.detail);
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
    (target_at, failure_at): (&[bool], &[bool]),
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
            if target_at[p] && failure_at[start + lane] {
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
