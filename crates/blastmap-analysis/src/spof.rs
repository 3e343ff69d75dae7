//! Single points of failure (DESIGN §3): what takes each component down on
//! its own, which failures hurt the most critical components, and
//! redundancy that is only an illusion ("shared fate").

use blastmap_manifest::{ComponentId, Model};

use crate::net::Net;
use crate::progress::Progress;
use crate::sweep::{Sweep, Targets, down_causes, down_causes_tracked};

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
/// # Complexity
/// One down-only sweep for the members of every group (see [`spofs`]), then
/// O(Σ over groups of Σ over members of |causes|) to count culprits.
pub fn shared_fate(model: &Model, net: &Net) -> Vec<SharedFate> {
    shared_fate_tracked(model, net, None)
}

/// [`shared_fate`], advancing `progress` by one step per pass of its sweep
/// ([`crate::sweep::passes`] steps).
pub(crate) fn shared_fate_tracked(model: &Model, net: &Net, progress: Option<&Progress>) -> Vec<SharedFate> {
    let groups: Vec<u32> =
        (0..net.requirement_count() as u32).filter(|&r| net.losses_to_fail(r) >= 2).collect();
    let mut wanted: Vec<ComponentId> = groups
        .iter()
        .flat_map(|&r| net.members(r).iter().copied().chain([net.owner(r)]))
        .map(Net::id)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let causes = down_causes_tracked(model, net, &Targets::Only(wanted), progress);
    let causes_of = |c: u32| causes[c as usize].as_deref().unwrap_or_default();

    let mut found = Vec::new();
    // Dense per-culprit counters, reset through the list of touched slots,
    // so a group costs the total length of its members' cause lists.
    let mut count = vec![0u32; net.len()];
    let mut touched: Vec<u32> = Vec::new();
    for &r in &groups {
        let owner = net.owner(r);
        let members = net.members(r);
        for &m in members {
            for x in std::iter::once(m).chain(causes_of(m).iter().map(|x| x.index() as u32)) {
                if count[x as usize] == 0 {
                    touched.push(x);
                }
                count[x as usize] += 1;
            }
        }
        let losses = net.losses_to_fail(r);
        let mut culprits: Vec<u32> =
            touched.iter().copied().filter(|&x| count[x as usize] >= losses && x != owner).collect();
        for &x in &touched {
            count[x as usize] = 0;
        }
        touched.clear();
        culprits.sort_unstable();
        for culprit in culprits {
            let id = Net::id(culprit);
            let mut members_down: Vec<ComponentId> = members
                .iter()
                .filter(|&&m| m == culprit || causes_of(m).binary_search(&id).is_ok())
                .map(|&m| Net::id(m))
                .collect();
            members_down.sort_unstable();
            found.push(SharedFate {
                component: Net::id(owner),
                requirement: net.local_index(r),
                culprit: id,
                members_down,
                component_down: causes_of(owner).binary_search(&id).is_ok(),
            });
        }
    }
    found.sort_by(|a, b| {
        (a.component, a.requirement, a.culprit).cmp(&(b.component, b.requirement, b.culprit))
    });
    found
}
