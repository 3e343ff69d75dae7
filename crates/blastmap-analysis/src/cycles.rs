//! Hard cycles (docs/semantics.md#hard-cycles): strongly connected sets of
//! components joined by hard requirements, and the strongly connected
//! components of the hard graph (`net::HardNet`) that availability and cold
//! start share.
//!
//! Only hard requirements can take a component down or keep it from
//! starting, so this module looks at `Mode::Hard` requirements only (single
//! targets and k-of-n groups alike: every member is an edge). Soft cycles are
//! fine and are not reported.

use std::collections::{HashMap, HashSet, VecDeque};

use blastmap_manifest::{ComponentId, Mode, Model};

use crate::net::HardNet;

/// Strongly connected components of the hard graph.
///
/// `order` lists components SCC by SCC, dependencies first: every member of a
/// hard requirement of `v` is in an SCC that appears no later than `v`'s.
/// SCC `c` is `order[start[c]..start[c + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct Sccs {
    pub(crate) of: Vec<u32>,
    pub(crate) start: Vec<u32>,
    pub(crate) order: Vec<u32>,
}

impl Sccs {
    pub(crate) fn count(&self) -> usize {
        self.start.len() - 1
    }

    pub(crate) fn nodes(&self, c: usize) -> &[u32] {
        &self.order[self.start[c] as usize..self.start[c + 1] as usize]
    }

    /// SCCs of the hard graph.
    ///
    /// # Complexity
    /// O(n + m) time, O(n) extra memory.
    pub(crate) fn new(net: &HardNet) -> Self {
        Self::of_graph(net.len(), |v| net.out(v))
    }

    /// Tarjan's algorithm with an explicit stack (inventories reach 1M
    /// components, far beyond what native recursion survives) over the graph
    /// whose out-edges of `v` are `out(v)`.
    ///
    /// # Complexity
    /// O(n + m) time, O(n) extra memory.
    pub(crate) fn of_graph<'a>(n: usize, out: impl Fn(usize) -> &'a [u32]) -> Self {
        const UNSEEN: u32 = u32::MAX;
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        // (node, position in its out-edge slice)
        let mut call: Vec<(u32, u32)> = Vec::new();
        let mut of = vec![0u32; n];
        let mut start = vec![0u32];
        let mut order = Vec::with_capacity(n);
        let mut next = 0u32;
        for root in 0..n {
            if index[root] != UNSEEN {
                continue;
            }
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root as u32);
            on_stack[root] = true;
            call.push((root as u32, 0));
            while let Some(&(v, pos)) = call.last() {
                let v = v as usize;
                if let Some(&w) = out(v).get(pos as usize) {
                    if let Some(top) = call.last_mut() {
                        top.1 += 1;
                    }
                    let w = w as usize;
                    if index[w] == UNSEEN {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w as u32);
                        on_stack[w] = true;
                        call.push((w as u32, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    let parent = parent as usize;
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let c = start.len() as u32 - 1;
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        of[w as usize] = c;
                        order.push(w);
                        if w as usize == v {
                            break;
                        }
                    }
                    start.push(order.len() as u32);
                }
            }
        }
        Sccs { of, start, order }
    }
}

/// Every hard cycle of the model: the strongly connected sets of two or more
/// components joined by hard requirements. Each cycle is sorted by id (index
/// order is id order), and the list is sorted.
///
/// # Complexity
/// O(n + m) time and memory (iterative Tarjan), plus O(n log n) for sorting.
pub fn hard_cycles(model: &Model) -> Vec<Vec<ComponentId>> {
    hard_cycles_net(&HardNet::new(model))
}

/// [`hard_cycles`] over the hard net of the model.
pub(crate) fn hard_cycles_net(net: &HardNet) -> Vec<Vec<ComponentId>> {
    cycles_of(&Sccs::new(net))
}

pub(crate) fn cycles_of(sccs: &Sccs) -> Vec<Vec<ComponentId>> {
    let mut cycles: Vec<Vec<ComponentId>> = (0..sccs.count())
        .map(|c| sccs.nodes(c))
        .filter(|nodes| nodes.len() >= 2)
        .map(|nodes| {
            let mut ids: Vec<ComponentId> = nodes.iter().map(|&v| ComponentId::new(v as usize)).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    cycles.sort_unstable();
    cycles
}

/// The shortest closed path of hard requirements from `start` back to
/// itself, staying inside `members` (a hard cycle that holds `start`):
/// `[start, …, start]`, with the index of the requirement of `start` that
/// the path leaves by. Empty (and `None`) when there is no such path.
///
/// # Complexity
/// O(size of the cycle + its requirements) time and memory (breadth-first).
pub fn shortest_cycle_through(
    model: &Model,
    members: &[ComponentId],
    start: ComponentId,
) -> (Vec<ComponentId>, Option<usize>) {
    let inside: HashSet<ComponentId> = members.iter().copied().collect();
    let mut parent: HashMap<ComponentId, (ComponentId, usize)> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(at) = queue.pop_front() {
        for (r, req) in model.component(at).requirements.iter().enumerate() {
            if req.mode != Mode::Hard {
                continue;
            }
            for &m in &req.members {
                if !inside.contains(&m) {
                    continue;
                }
                if m == start {
                    closing = Some((at, r));
                    break 'search;
                }
                if m != start && !parent.contains_key(&m) {
                    parent.insert(m, (at, r));
                    queue.push_back(m);
                }
            }
        }
    }
    let Some((last, closing_requirement)) = closing else { return (Vec::new(), None) };
    // Walk back from the closing edge to the start, then read it forwards.
    let mut back = Vec::new();
    let mut at = last;
    let mut first = (last == start).then_some(closing_requirement);
    while at != start {
        back.push(at);
        // Every node on the way back was reached from the start, so it has
        // a parent; stop rather than loop if that ever breaks.
        let Some(&(p, r)) = parent.get(&at) else { break };
        if p == start {
            first = Some(r);
        }
        at = p;
    }
    back.reverse();
    let mut path = Vec::with_capacity(back.len() + 2);
    path.push(start);
    path.extend(back);
    path.push(start);
    (path, first)
}

/// A hard cycle as a reader follows it: a real closed path through its
/// most depended-on member, and how many members the path leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CyclePath {
    /// The member with the most hard dependents in the whole model (ties:
    /// id order): the one whose recovery unblocks the most.
    pub hub: ComponentId,
    /// How many components hard-depend on `hub`.
    pub dependents: usize,
    /// The shortest closed path through `hub`, `hub` first and last.
    pub path: Vec<ComponentId>,
}

impl CyclePath {
    /// Whether the path visits every member (then it says it all).
    pub fn covers(&self, members: &[ComponentId]) -> bool {
        self.path.len().saturating_sub(1) == members.len()
    }
}

/// The [`CyclePath`] of each cycle of `cycles` (as [`hard_cycles`] gives
/// them), in the same order.
///
/// # Complexity
/// O(n + m) for the dependent counts, plus one breadth-first search per
/// cycle inside it.
pub fn cycle_paths(model: &Model, cycles: &[Vec<ComponentId>]) -> Vec<CyclePath> {
    if cycles.is_empty() {
        return Vec::new();
    }
    let mut dependents = vec![0usize; model.len()];
    for c in model.components() {
        for req in c.requirements.iter().filter(|r| r.mode == Mode::Hard) {
            for m in &req.members {
                if let Some(count) = dependents.get_mut(m.index()) {
                    *count += 1;
                }
            }
        }
    }
    cycles
        .iter()
        .filter_map(|members| {
            // Members are in id order, so the first maximum wins ties.
            let hub = members
                .iter()
                .copied()
                .reduce(|best, c| if dependents[c.index()] > dependents[best.index()] { c } else { best })?;
            let (path, _) = shortest_cycle_through(model, members, hub);
            Some(CyclePath { hub, dependents: dependents[hub.index()], path })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use blastmap_manifest::{Component, Kind, Location, Mode, Model, Origin, Requirement, RequirementShape};

    use super::*;

    /// A requirement for test models: `need` of `members`.
    pub(crate) fn req(need: u32, members: &[usize], mode: Mode) -> Requirement {
        Requirement {
            shape: if members.len() == 1 {
                RequirementShape::Single
            } else if need == 1 {
                RequirementShape::AnyOf
            } else {
                RequirementShape::Quorum
            },
            need,
            members: members.iter().map(|&m| ComponentId::new(m)).collect(),
            mode,
            via: None,
            origin: Origin::DependsOn,
            location: Location::unknown(),
            member_locations: members.iter().map(|_| Location::unknown()).collect(),
        }
    }

    /// A model with components `c00`, `c01`, ... (zero-padded so ids sort like indices).
    pub(crate) fn model(specs: Vec<(Option<f64>, Vec<Requirement>)>) -> Model {
        let components = specs
            .into_iter()
            .enumerate()
            .map(|(i, (availability, requirements))| Component {
                id: format!("c{i:07}"),
                kind: Kind::Service,
                name: format!("c{i:07}"),
                tier: 3,
                owner: None,
                system: None,
                entrypoint: false,
                weight: 1.0,
                availability,
                slo: None,
                replicas: None,
                health: None,
                drill: None,
                labels: Vec::new(),
                requirements,
                location: Location::unknown(),
                defined: true,
                explicit_fields: Vec::new(),
            })
            .collect();
        Model::from_components(components, None)
    }

    fn ids(cycles: &[Vec<ComponentId>]) -> Vec<Vec<usize>> {
        cycles.iter().map(|c| c.iter().map(|v| v.index()).collect()).collect()
    }

    #[test]
    fn finds_hard_cycles_only() {
        let h = Mode::Hard;
        let m = model(vec![
            (None, vec![req(1, &[1], h)]),          // 0 -> 1
            (None, vec![req(1, &[2], h)]),          // 1 -> 2
            (None, vec![req(1, &[0], h)]),          // 2 -> 0
            (None, vec![req(1, &[4], Mode::Soft)]), // 3 ~> 4
            (None, vec![req(1, &[3], h)]),          // 4 -> 3 (soft cycle)
            (None, vec![req(2, &[6, 0], h)]),       // 5 -> {6, 0}
            (None, vec![req(1, &[5, 7], h)]),       // 6 -> any_of(5, 7)
            (None, vec![]),                         // 7
        ]);
        assert_eq!(ids(&hard_cycles(&m)), vec![vec![0, 1, 2], vec![5, 6]]);
    }

    #[test]
    fn deep_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let specs = (0..n).map(|i| (None, vec![req(1, &[(i + 1) % n], Mode::Hard)])).collect();
        let cycles = hard_cycles(&model(specs));
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), n);
    }

    #[test]
    fn scc_order_puts_dependencies_first() {
        let h = Mode::Hard;
        let m = model(vec![
            (None, vec![req(1, &[2], h)]),
            (None, vec![req(1, &[0], h), req(1, &[3], h)]),
            (None, vec![req(1, &[3], h)]),
            (None, vec![]),
        ]);
        let net = HardNet::new(&m);
        let sccs = Sccs::new(&net);
        let pos: Vec<usize> = (0..4).map(|v| sccs.of[v] as usize).collect();
        for v in 0..4 {
            for &w in net.out(v) {
                assert!(pos[w as usize] <= pos[v], "{w} before {v}");
            }
        }
    }
}
