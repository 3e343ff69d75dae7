//! Single points of failure (docs/semantics.md#spof): what takes each
//! component down on its own, which failures hurt the most critical
//! components (docs/semantics.md#critical), and illusory redundancy
//! (docs/semantics.md#illusory-redundancy).

use blastmap_manifest::{ComponentId, Model};

use crate::net::Net;
use crate::progress::Progress;
use rayon::prelude::*;

use crate::sweep::{Defeat, DefeatChunk, Sweep, Targets, defeats, down_causes};

/// The SPOFs of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpofList {
    pub component: ComponentId,
    /// Every X ≠ `component` whose failure alone takes it down, ascending.
    pub spofs: Vec<ComponentId>,
}

/// The SPOFs of every target, sorted by component id (targets without SPOFs
/// included, with an empty list).
///
/// # Complexity
/// One down-only bit-parallel sweep: O(n/512 · (n + m)) word operations at
/// worst, memory O(n) per thread plus the lists themselves.
pub fn spofs(model: &Model, net: &Net, targets: &Targets) -> Vec<SpofList> {
    down_causes(model, net, targets)
        .into_iter()
        .enumerate()
        .filter_map(|(c, list)| list.map(|spofs| SpofList { component: Net::id(c as u32), spofs }))
        .collect()
}

/// A component ranked by the critical components its failure takes down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub component: ComponentId,
    /// Critical components (tier 1 or entrypoint) other than itself that go
    /// down when it fails.
    pub critical_down: u32,
    /// All components other than itself that go down.
    pub down: u32,
}

/// Components whose failure takes at least one critical component down, by
/// `critical_down` descending, then `down` descending, then id.
///
/// # Complexity
/// O(n log n) over the sweep.
pub fn rank_by_critical(sweep: &Sweep) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = sweep
        .radii
        .iter()
        .filter(|r| r.critical_down > 0)
        .map(|r| Ranked { component: r.component, critical_down: r.critical_down, down: r.down })
        .collect();
    ranked.sort_by(|a, b| {
        b.critical_down.cmp(&a.critical_down).then(b.down.cmp(&a.down)).then(a.component.cmp(&b.component))
    });
    ranked
}

/// Illusory redundancy: a group requirement that tolerates the loss of at
/// least one member, made unmet by `culprit` alone (for example two
/// "redundant" replicas that both run only in one zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllusoryGroup {
    /// The component with the group requirement.
    pub component: ComponentId,
    /// Index into the component's `requirements`.
    pub requirement: u32,
    /// The single failure that defeats the group.
    pub culprit: ComponentId,
    /// The members that go down when `culprit` fails, ascending (the culprit
    /// itself when it is a member).
    pub members_down: Vec<ComponentId>,
    /// Whether `component` goes down (false for a soft group: it degrades).
    pub component_down: bool,
}

/// Every single failure that defeats a group requirement on its own, sorted
/// by component, requirement index, culprit.
///
/// Only groups that tolerate at least one member loss (`need < members`) are
/// considered: anything else has no redundancy to be illusory. A culprit can
/// be anything but the group's owner, a member included: a member that takes
/// enough other members down with it (`db-b` needing `db-a`) defeats the
/// redundancy just as a shared zone does. Soft groups are included; their
/// owner degrades instead of going down (`component_down`).
///
/// `model` is not needed beyond `net` (kept so that every analysis takes
/// the same pair).
///
/// # Complexity
/// One down-only bit-parallel sweep in which every pass counts, per group
/// with a member reached, the failures that take enough members down
/// (bit-sliced): O(n/512 · (n + m)) word operations at worst, memory O(n)
/// per thread plus the results. See `sweep::defeats`.
pub fn illusory_groups(_model: &Model, net: &Net) -> Vec<IllusoryGroup> {
    all_defeats(net, None)
}

/// Every record of [`illusory_groups`], by group then culprit.
fn all_defeats(net: &Net, progress: Option<&Progress>) -> Vec<IllusoryGroup> {
    let groups = tolerant_groups(net);
    let chunks = defeats(net, &groups, progress);
    let groups = groups.as_slice();
    let mut found: Vec<IllusoryGroup> = chunks
        .iter()
        .flat_map(|chunk| chunk.found.iter().map(move |d| record(net, groups, chunk, d)))
        .collect();
    found.sort_by(|a, b| {
        (a.component, a.requirement, a.culprit).cmp(&(b.component, b.requirement, b.culprit))
    });
    found
}

/// Group requirements that tolerate the loss of at least one member.
fn tolerant_groups(net: &Net) -> Vec<u32> {
    (0..net.requirement_count() as u32).filter(|&r| net.losses_to_fail(r) >= 2).collect()
}

fn record(net: &Net, groups: &[u32], chunk: &DefeatChunk, d: &Defeat) -> IllusoryGroup {
    let r = groups[d.group as usize];
    let mut members_down: Vec<ComponentId> = chunk.members_down(d).iter().map(|&m| Net::id(m)).collect();
    members_down.sort_unstable();
    IllusoryGroup {
        component: Net::id(net.owner(r)),
        requirement: net.local_index(r),
        culprit: Net::id(d.culprit),
        members_down,
        component_down: d.owner_down,
    }
}

/// Illusory redundancy as a report shows it: only the nearest failures of
/// each group are listed (see [`illusory_redundancy`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IllusoryRedundancy {
    /// The listed failures, sorted by component, requirement index, culprit.
    pub listed: Vec<IllusoryGroup>,
    /// How many groups one failure defeats.
    pub groups: usize,
    /// Failures left out because they defeat a group only by taking one of
    /// its listed failures down through a requirement (the region of a
    /// listed zone, the zone of a listed host, ...).
    pub implied: u64,
}

/// The groups one failure defeats, with their nearest culprits: a culprit
/// `c` of a group is left out (counted in
/// [`IllusoryRedundancy::implied`]) when another culprit `d` of the same
/// group has a hard requirement that `c` alone leaves unmet (a single
/// target, or a group that tolerates no loss) and `d` comes after `c` in
/// the dependency order, so that `c`'s failure takes `d` down and with it
/// the group. The order makes the rule acyclic: in a cycle, one culprit
/// stays listed. On the 100k-component synthetic inventory this lists
/// 547 thousand of 13.2 million (group, failure) pairs; every left-out
/// failure reaches a listed one through a chain of such requirements.
///
/// # Complexity
/// The passes of [`illusory_groups`], then O(Σ over (group, culprit) pairs of the
/// culprit's direct requirements) for the reduction, with one stamp array
/// per thread; memory a few words per pair found.
pub fn illusory_redundancy(net: &Net) -> IllusoryRedundancy {
    illusory_redundancy_tracked(net, None)
}

/// [`illusory_redundancy`], advancing `progress` by one step per pass of its
/// sweep ([`crate::sweep::passes`] steps).
pub(crate) fn illusory_redundancy_tracked(net: &Net, progress: Option<&Progress>) -> IllusoryRedundancy {
    let groups = tolerant_groups(net);
    let chunks = defeats(net, &groups, progress);
    // Group the defeats by group: a counting sort of (chunk, index) pairs.
    let mut start = vec![0u32; groups.len() + 1];
    for chunk in &chunks {
        for d in &chunk.found {
            start[d.group as usize + 1] += 1;
        }
    }
    for g in 0..groups.len() {
        start[g + 1] += start[g];
    }
    let mut fill = start.clone();
    let mut by_group = vec![(0u32, 0u32); start[groups.len()] as usize];
    for (c, chunk) in chunks.iter().enumerate() {
        for (i, d) in chunk.found.iter().enumerate() {
            let slot = &mut fill[d.group as usize];
            by_group[*slot as usize] = (c as u32, i as u32);
            *slot += 1;
        }
    }
    let per_group: Vec<(Vec<IllusoryGroup>, u64)> = (0..groups.len())
        .into_par_iter()
        .map_init(
            || (vec![u32::MAX; net.len()], vec![u32::MAX; net.len()]),
            |(culprit_of, implied_in), g| {
                let mine = &by_group[start[g] as usize..start[g + 1] as usize];
                let defeat =
                    |&(c, i): &(u32, u32)| (&chunks[c as usize], &chunks[c as usize].found[i as usize]);
                for pair in mine {
                    culprit_of[defeat(pair).1.culprit as usize] = g as u32;
                }
                let mut implied = 0u64;
                for pair in mine {
                    let d = defeat(pair).1.culprit;
                    for r in net.hard_requirements(d).filter(|&r| net.losses_to_fail(r) == 1) {
                        for &c in net.members(r) {
                            let c = c as usize;
                            if culprit_of[c] == g as u32
                                && implied_in[c] != g as u32
                                && net.position(c as u32) < net.position(d)
                            {
                                implied_in[c] = g as u32;
                                implied += 1;
                            }
                        }
                    }
                }
                let mut listed: Vec<IllusoryGroup> = mine
                    .iter()
                    .map(defeat)
                    .filter(|(_, d)| implied_in[d.culprit as usize] != g as u32)
                    .map(|(chunk, d)| record(net, &groups, chunk, d))
                    .collect();
                listed.sort_by_key(|f| f.culprit);
                (listed, implied)
            },
        )
        .collect();
    let mut out = IllusoryRedundancy::default();
    for (listed, implied) in per_group {
        out.groups += usize::from(!listed.is_empty());
        out.implied += implied;
        out.listed.extend(listed);
    }
    out
}
