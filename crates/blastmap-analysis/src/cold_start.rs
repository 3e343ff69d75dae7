//! Cold-start waves (docs/semantics.md#cold-start): the order in which
//! components can be started after a total outage, and what can never
//! start, with why.
//!
//! Wave 0 holds the components without hard requirements. A component starts
//! in wave n when each of its HARD requirements has at least `need` members
//! started in waves before n (a k-of-n group needs k of them). Soft
//! requirements never block a start.

use std::collections::VecDeque;

use blastmap_manifest::{ComponentId, Model};

use crate::cycles::Sccs;
use crate::net::HardNet;

/// The outcome of a cold start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdStart {
    /// `waves[n]`: the components that start in wave n, sorted by id.
    pub waves: Vec<Vec<ComponentId>>,
    /// The wave of every component (indexed like the model), `None` when it
    /// never starts.
    pub wave_of: Vec<Option<u32>>,
    /// Components that can never start, sorted by id, each with why.
    pub never_starts: Vec<NeverStarts>,
    /// Deadlocks: sets of never-starting components that wait on each other
    /// in a cycle of unmet hard requirements (each sorted by id; the list
    /// sorted). Every deadlock lies inside a hard cycle (see
    /// [`crate::cycles::hard_cycles`]), but a hard cycle that a group member
    /// outside it can break is no deadlock.
    pub deadlocks: Vec<Vec<ComponentId>>,
}

/// A component that can never start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverStarts {
    pub component: ComponentId,
    pub why: WhyNot,
}

/// Why a component can never start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyNot {
    /// The component is part of deadlock `deadlocks[deadlock]`. `path` is a
    /// shortest cycle of unmet hard requirements through it, starting and
    /// ending with the component (`a → b → a`); it is left empty when the
    /// deadlock has more than [`MAX_PATH_DEADLOCK`] components, to keep the
    /// output linear.
    Deadlock { deadlock: usize, path: Vec<ComponentId> },
    /// The hard requirement `requirement` (an index into the component's
    /// [`blastmap_manifest::Component::requirements`]) can never be met:
    /// `blockers` are its members that never start (sorted by id). The
    /// blockers have reasons of their own, down to a deadlock.
    Blocked { requirement: usize, blockers: Vec<ComponentId> },
}

/// Deadlocks larger than this get no per-component cycle path.
pub const MAX_PATH_DEADLOCK: usize = 256;

/// Computes the cold-start waves of `model`.
///
/// Kahn's algorithm with counters: each hard requirement counts its started
/// members and each component its unmet hard requirements; a component joins
/// the next wave when its count reaches zero.
///
/// # Complexity
/// O(n + m) for n components and m hard requirement members, plus O(n log n)
/// to sort waves, plus, for never-starting components, the SCCs of the blocked
/// subgraph (O(n + m)) and one breadth-first search per component of each
/// deadlock of at most [`MAX_PATH_DEADLOCK`] components.
pub fn cold_start(model: &Model) -> ColdStart {
    cold_start_net(&HardNet::new(model))
}

/// [`cold_start`] over the hard net of the model.
pub(crate) fn cold_start_net(net: &HardNet) -> ColdStart {
    let n = net.len();
    let requirements = net.need.len();
    let mut started = vec![0u32; requirements];
    let mut pending: Vec<u32> =
        (0..n).map(|v| net.reqs(v).filter(|&r| net.need[r] > 0).count() as u32).collect();
    let mut wave_of: Vec<Option<u32>> = vec![None; n];
    let mut waves: Vec<Vec<ComponentId>> = Vec::new();
    let mut current: Vec<u32> = (0..n as u32).filter(|&v| pending[v as usize] == 0).collect();
    while !current.is_empty() {
        let wave = waves.len() as u32;
        let mut upcoming = Vec::new();
        for &v in &current {
            wave_of[v as usize] = Some(wave);
        }
        for &v in &current {
            for &r in net.rev(v as usize) {
                let r = r as usize;
                started[r] += 1;
                if started[r] == net.need[r] {
                    let owner = net.owner[r] as usize;
                    pending[owner] -= 1;
                    if pending[owner] == 0 {
                        upcoming.push(owner as u32);
                    }
                }
            }
        }
        current.sort_unstable();
        waves.push(current.iter().map(|&v| ComponentId::new(v as usize)).collect());
        current = upcoming;
    }
    let (never_starts, deadlocks) = explain(net, &wave_of, &started);
    ColdStart { waves, wave_of, never_starts, deadlocks }
}

/// Reasons for every component that never starts: the blocked subgraph has
/// an edge v → w when w never starts and is a member of an unmet hard
/// requirement of v. Every blocked component has such an edge (an unmet
/// requirement with `need ≥ 1` has a member that never started), so following
/// edges always ends in a cycle: its SCCs of two or more are the deadlocks.
fn explain(
    net: &HardNet,
    wave_of: &[Option<u32>],
    started: &[u32],
) -> (Vec<NeverStarts>, Vec<Vec<ComponentId>>) {
    let n = net.len();
    let stuck = |v: usize| wave_of[v].is_none();
    let unmet = |r: usize| started[r] < net.need[r];
    let mut start = vec![0u32; n + 1];
    let mut targets: Vec<u32> = Vec::new();
    for v in 0..n {
        if stuck(v) {
            for r in net.reqs(v).filter(|&r| unmet(r)) {
                targets.extend(net.req_members(r).iter().copied().filter(|&w| stuck(w as usize)));
            }
        }
        start[v + 1] = targets.len() as u32;
    }
    let out = |v: usize| &targets[start[v] as usize..start[v + 1] as usize];
    let sccs = Sccs::of_graph(n, out);
    let mut deadlocks: Vec<Vec<u32>> = (0..sccs.count())
        .map(|c| sccs.nodes(c))
        .filter(|nodes| nodes.len() >= 2)
        .map(|nodes| {
            let mut nodes = nodes.to_vec();
            nodes.sort_unstable();
            nodes
        })
        .collect();
    deadlocks.sort_unstable();
    let mut deadlock_of = vec![u32::MAX; n];
    for (d, nodes) in deadlocks.iter().enumerate() {
        for &v in nodes {
            deadlock_of[v as usize] = d as u32;
        }
    }
    let mut bfs = Bfs::new(n);
    let mut never_starts = Vec::new();
    for v in (0..n).filter(|&v| stuck(v)) {
        let why = if deadlock_of[v] == u32::MAX {
            // `pending > 0` guarantees an unmet requirement; without one the
            // answer would be an empty blocker list, never a panic.
            let unmet_requirement = net.reqs(v).find(|&r| unmet(r));
            let mut blockers: Vec<ComponentId> = unmet_requirement
                .map_or(&[][..], |r| net.req_members(r))
                .iter()
                .filter(|&&w| stuck(w as usize))
                .map(|&w| ComponentId::new(w as usize))
                .collect();
            blockers.sort_unstable();
            blockers.dedup();
            let requirement = unmet_requirement.map_or(0, |r| net.source[r] as usize);
            WhyNot::Blocked { requirement, blockers }
        } else {
            let deadlock = deadlock_of[v] as usize;
            let path = if deadlocks[deadlock].len() <= MAX_PATH_DEADLOCK {
                bfs.cycle_through(v, |x| {
                    out(x).iter().copied().filter(|&w| deadlock_of[w as usize] == deadlock as u32)
                })
            } else {
                Vec::new()
            };
            WhyNot::Deadlock { deadlock, path }
        };
        never_starts.push(NeverStarts { component: ComponentId::new(v), why });
    }
    let deadlocks = deadlocks
        .into_iter()
        .map(|nodes| nodes.into_iter().map(|v| ComponentId::new(v as usize)).collect())
        .collect();
    (never_starts, deadlocks)
}

/// Breadth-first search scratch space reused across searches.
struct Bfs {
    parent: Vec<u32>,
    seen: Vec<u32>,
    stamp: u32,
    queue: VecDeque<u32>,
}

impl Bfs {
    fn new(n: usize) -> Self {
        Bfs { parent: vec![0; n], seen: vec![0; n], stamp: 0, queue: VecDeque::new() }
    }

    /// A shortest cycle `v → … → v` along `out`, or `[v]` when there is none.
    fn cycle_through<I: Iterator<Item = u32>>(
        &mut self,
        v: usize,
        out: impl Fn(usize) -> I,
    ) -> Vec<ComponentId> {
        self.stamp += 1;
        self.queue.clear();
        self.queue.push_back(v as u32);
        self.seen[v] = self.stamp;
        while let Some(x) = self.queue.pop_front() {
            for w in out(x as usize) {
                if w as usize == v {
                    let mut path = vec![ComponentId::new(x as usize)];
                    let mut at = x;
                    while at as usize != v {
                        at = self.parent[at as usize];
                        path.push(ComponentId::new(at as usize));
                    }
                    path.reverse();
                    path.push(ComponentId::new(v));
                    return path;
                }
                if self.seen[w as usize] != self.stamp {
                    self.seen[w as usize] = self.stamp;
                    self.parent[w as usize] = x;
                    self.queue.push_back(w);
                }
            }
        }
        vec![ComponentId::new(v)]
    }
}

#[cfg(test)]
mod tests {
    use blastmap_manifest::Mode::{Hard, Soft};

    use super::*;
    use crate::cycles::tests::{model, req};

    fn id(v: usize) -> ComponentId {
        ComponentId::new(v)
    }

    #[test]
    fn waves_follow_hard_requirements_and_quorums() {
        let m = model(vec![
            (None, vec![req(1, &[1], Hard), req(1, &[5], Soft)]), // 0: after 1; soft 5 never blocks
            (None, vec![req(2, &[2, 3, 4], Hard)]),               // 1: 2 of {2, 3, 4}
            (None, vec![]),                                       // 2: wave 0
            (None, vec![req(1, &[2], Hard)]),                     // 3: wave 1
            (None, vec![req(1, &[3], Hard)]),                     // 4: wave 2
            (None, vec![req(1, &[0], Hard)]),                     // 5: after 0
        ]);
        let start = cold_start(&m);
        assert_eq!(start.waves, vec![vec![id(2)], vec![id(3)], vec![id(1), id(4)], vec![id(0)], vec![id(5)]]);
        assert_eq!(start.wave_of[1], Some(2));
        assert!(start.never_starts.is_empty());
        assert!(start.deadlocks.is_empty());
    }

    #[test]
    fn deadlocks_and_what_they_block() {
        let m = model(vec![
            (None, vec![req(1, &[1], Hard)]), // 0 <-> 1: deadlock
            (None, vec![req(1, &[0], Hard)]),
            (None, vec![req(2, &[1, 3], Hard)]), // 2: blocked by 1
            (None, vec![]),                      // 3
            (None, vec![req(1, &[5, 3], Hard)]), // 4 <-> 5, but 4 can start through 3
            (None, vec![req(1, &[4], Hard)]),
        ]);
        let start = cold_start(&m);
        assert_eq!(start.waves, vec![vec![id(3)], vec![id(4)], vec![id(5)]]);
        assert_eq!(start.deadlocks, vec![vec![id(0), id(1)]]);
        assert_eq!(
            start.never_starts,
            vec![
                NeverStarts {
                    component: id(0),
                    why: WhyNot::Deadlock { deadlock: 0, path: vec![id(0), id(1), id(0)] }
                },
                NeverStarts {
                    component: id(1),
                    why: WhyNot::Deadlock { deadlock: 0, path: vec![id(1), id(0), id(1)] }
                },
                NeverStarts {
                    component: id(2),
                    why: WhyNot::Blocked { requirement: 0, blockers: vec![id(1)] }
                },
            ]
        );
    }

    #[test]
    fn large_deadlocks_get_no_per_component_path() {
        let n = MAX_PATH_DEADLOCK + 1;
        let m = model((0..n).map(|i| (None, vec![req(1, &[(i + 1) % n], Hard)])).collect());
        let start = cold_start(&m);
        assert!(start.waves.is_empty());
        assert_eq!(start.deadlocks.len(), 1);
        assert_eq!(start.never_starts.len(), n);
        assert!(
            start.never_starts.iter().all(|s| s.why == WhyNot::Deadlock { deadlock: 0, path: Vec::new() })
        );
    }

    #[test]
    fn requirement_index_counts_soft_requirements_too() {
        let m = model(vec![
            (None, vec![req(1, &[1], Soft), req(1, &[2], Hard)]),
            (None, vec![]),
            (None, vec![req(1, &[3], Hard)]),
            (None, vec![req(1, &[2], Hard)]),
        ]);
        let start = cold_start(&m);
        assert_eq!(
            start.never_starts[0],
            NeverStarts { component: id(0), why: WhyNot::Blocked { requirement: 1, blockers: vec![id(2)] } }
        );
    }
}
