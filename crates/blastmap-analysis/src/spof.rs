//! Single points of failure (DESIGN §3): what takes each component down on
//! its own, which failures hurt the most critical components, and
//! redundancy that is only an illusion ("shared fate").

use blastmap_manifest::{ComponentId, Model};

use crate::net::Net;
use crate::progress::Progress;
use crate::sweep::{Sweep, Targets, defeats, down_causes};

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

/// Redundancy defeated by a single failure: a group requirement that
/// tolerates the loss of at least one member, made unmet by `culprit` alone
/// (for example two "redundant" replicas that both run only in one zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFate {
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
pub fn shared_fate(_model: &Model, net: &Net) -> Vec<SharedFate> {
    shared_fate_tracked(net, None)
}

/// [`shared_fate`], advancing `progress` by one step per pass of its sweep
/// ([`crate::sweep::passes`] steps).
pub(crate) fn shared_fate_tracked(net: &Net, progress: Option<&Progress>) -> Vec<SharedFate> {
    let groups: Vec<u32> =
        (0..net.requirement_count() as u32).filter(|&r| net.losses_to_fail(r) >= 2).collect();
    let mut found: Vec<SharedFate> = defeats(net, &groups, progress)
        .into_iter()
        .map(|d| {
            let r = groups[d.group as usize];
            SharedFate {
                component: Net::id(net.owner(r)),
                requirement: net.local_index(r),
                culprit: Net::id(d.culprit),
                members_down: d.members_down,
                component_down: d.owner_down,
            }
        })
        .collect();
    found.sort_by(|a, b| {
        (a.component, a.requirement, a.culprit).cmp(&(b.component, b.requirement, b.culprit))
    });
    found
}
