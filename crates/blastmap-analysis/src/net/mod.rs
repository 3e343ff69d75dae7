//! A compact, index-based view of a [`Model`] for the hot loops.
//!
//! The model is convenient (strings, locations, petgraph) but scattered in
//! memory. [`Net`] flattens what the failure analyses need into a handful of
//! `u32` arrays in CSR form:
//!
//! - components `0..len()` (the same indices as [`ComponentId`]s);
//! - requirements with *global* ids `0..requirement_count()`: the
//!   requirements of component `c` are the contiguous range
//!   [`Net::requirements`]`(c)`, in the order of [`Component::requirements`]
//!   (so `r - requirements(c).start` is the index into that vector);
//! - per requirement its members, `need` (k of k-of-n) and [`Mode`];
//! - the reverse adjacency: the requirements that have a component as a
//!   member ([`Net::required_by`]);
//! - the strongly connected components of the "requires" graph (hard and
//!   soft edges alike) listed in topological order, dependencies before
//!   dependents ([`Net::order`], [`Net::scc`]).
//!
//! Evaluating components in [`Net::order`], one SCC at a time, lets an
//! analysis compute the least fixpoint (docs/semantics.md#fixpoint) with a
//! single pass over acyclic parts and a local fixpoint inside each cyclic SCC.
//!
//! [`Component`]: blastmap_manifest::Component
//! [`Component::requirements`]: blastmap_manifest::Component::requirements

mod hard;

use std::ops::Range;

use blastmap_manifest::{ComponentId, Mode, Model};

pub(crate) use self::hard::HardNet;

/// Flattened requirements of a [`Model`], with reverse adjacency and a
/// topological order of its strongly connected components.
///
/// All indices are `u32`: component `c` is `ComponentId::new(c as usize)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    /// `len() + 1` offsets into the requirement arrays.
    req_start: Vec<u32>,
    /// Per requirement: k, clamped to `0..=members` so that a malformed group
    /// can never be unmet with every member up.
    req_need: Vec<u32>,
    req_soft: Vec<bool>,
    req_owner: Vec<u32>,
    /// `requirement_count() + 1` offsets into `members`.
    member_start: Vec<u32>,
    members: Vec<u32>,
    /// `len() + 1` offsets into `rev_reqs`.
    rev_start: Vec<u32>,
    /// Requirements having the component as a member, ascending.
    rev_reqs: Vec<u32>,
    /// Components in topological order of the condensation; each SCC is a
    /// contiguous, ascending run.
    order: Vec<u32>,
    /// `scc_count() + 1` offsets into `order`.
    scc_start: Vec<u32>,
    /// Per component: its SCC (an index into the SCC list).
    scc_of: Vec<u32>,
    /// Per component: where it sits in `order`.
    position: Vec<u32>,
}

impl Net {
    /// Builds the net of `model`.
    ///
    /// # Complexity
    /// O(n + m) time and memory for n components and m requirement members
    /// (the SCC search is an iterative Tarjan, so deep chains do not recurse).
    pub fn new(model: &Model) -> Self {
        let n = model.len();
        let mut req_start = Vec::with_capacity(n + 1);
        let mut req_need = Vec::new();
        let mut req_soft = Vec::new();
        let mut req_owner = Vec::new();
        let mut member_start = vec![0];
        let mut members = Vec::new();
        req_start.push(0);
        for (c, component) in model.components().enumerate() {
            for req in &component.requirements {
                let count = req.members.len() as u32;
                req_need.push(req.need.min(count));
                req_soft.push(req.mode == Mode::Soft);
                req_owner.push(c as u32);
                members.extend(req.members.iter().map(|m| m.index() as u32));
                member_start.push(members.len() as u32);
            }
            req_start.push(req_need.len() as u32);
        }

        // Reverse adjacency by counting sort; requirements are visited in
        // ascending order so every list comes out sorted.
        let mut reverse_start = vec![0u32; n + 1];
        for &m in &members {
            reverse_start[m as usize + 1] += 1;
        }
        for i in 0..n {
            reverse_start[i + 1] += reverse_start[i];
        }
        let mut fill = reverse_start.clone();
        let mut rev_reqs = vec![0u32; members.len()];
        for r in 0..req_need.len() {
            for &m in &members[member_start[r] as usize..member_start[r + 1] as usize] {
                rev_reqs[fill[m as usize] as usize] = r as u32;
                fill[m as usize] += 1;
            }
        }

        let mut net = Net {
            req_start,
            req_need,
            req_soft,
            req_owner,
            member_start,
            members,
            rev_start: reverse_start,
            rev_reqs,
            order: Vec::with_capacity(n),
            scc_start: vec![0],
            scc_of: vec![0; n],
            position: vec![0; n],
        };
        net.condense();
        net
    }

    /// Iterative Tarjan. SCCs are completed only after every SCC reachable
    /// from them, i.e. dependencies first, which is the order we want.
    fn condense(&mut self) {
        const UNSEEN: u32 = u32::MAX;
        let n = self.len();
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        // (node, next successor offset)
        let mut calls: Vec<(u32, u32)> = Vec::new();
        let mut next_index = 0u32;
        for root in 0..n as u32 {
            if index[root as usize] != UNSEEN {
                continue;
            }
            index[root as usize] = next_index;
            low[root as usize] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            calls.push((root, 0));
            while let Some(&(v, offset)) = calls.last() {
                let successors = self.successors(v);
                if let Some(&w) = successors.get(offset as usize) {
                    if let Some(top) = calls.last_mut() {
                        top.1 += 1;
                    }
                    let wi = w as usize;
                    if index[wi] == UNSEEN {
                        index[wi] = next_index;
                        low[wi] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[wi] = true;
                        calls.push((w, 0));
                    } else if on_stack[wi] {
                        low[v as usize] = low[v as usize].min(index[wi]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(u, _)) = calls.last() {
                    low[u as usize] = low[u as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    let component = (self.scc_start.len() - 1) as u32;
                    let first = self.order.len();
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        self.scc_of[w as usize] = component;
                        self.order.push(w);
                        if w == v {
                            break;
                        }
                    }
                    self.order[first..].sort_unstable();
                    self.scc_start.push(self.order.len() as u32);
                }
            }
        }
        for (p, &c) in self.order.iter().enumerate() {
            self.position[c as usize] = p as u32;
        }
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.req_start.len() - 1
    }

    /// Whether the model has no component.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of requirements over all components.
    pub fn requirement_count(&self) -> usize {
        self.req_need.len()
    }

    /// Number of (requirement, member) pairs: the edges of the model.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Global ids of the requirements of component `c`, in the order of
    /// `Component::requirements` (local index = `r - range.start`).
    pub fn requirements(&self, c: u32) -> Range<u32> {
        self.req_start[c as usize]..self.req_start[c as usize + 1]
    }

    /// Global ids of the hard requirements of component `c` (the only ones
    /// that can take it down).
    pub fn hard_requirements(&self, c: u32) -> impl Iterator<Item = u32> + '_ {
        self.requirements(c).filter(|&r| !self.req_soft[r as usize])
    }

    /// The index of requirement `r` in its owner's `Component::requirements`.
    pub fn local_index(&self, r: u32) -> u32 {
        r - self.req_start[self.req_owner[r as usize] as usize]
    }

    /// The component that has requirement `r`.
    pub fn owner(&self, r: u32) -> u32 {
        self.req_owner[r as usize]
    }

    /// Members of requirement `r`, in the order written.
    pub fn members(&self, r: u32) -> &[u32] {
        &self.members[self.member_start[r as usize] as usize..self.member_start[r as usize + 1] as usize]
    }

    /// k of requirement `r` (1 for single targets and `any_of`), clamped to
    /// the number of members.
    pub fn need(&self, r: u32) -> u32 {
        self.req_need[r as usize]
    }

    /// How many members of `r` must be down for `r` to be unmet:
    /// `members - need + 1` (1 for a single target, n for `any_of`).
    pub fn losses_to_fail(&self, r: u32) -> u32 {
        self.members(r).len() as u32 - self.need(r) + 1
    }

    /// Whether requirement `r` is soft.
    pub fn is_soft(&self, r: u32) -> bool {
        self.req_soft[r as usize]
    }

    /// The mode of requirement `r`.
    pub fn mode(&self, r: u32) -> Mode {
        if self.is_soft(r) { Mode::Soft } else { Mode::Hard }
    }

    /// Every member of every requirement of `c`, requirement by requirement
    /// (a component can appear twice when two requirements name it).
    pub fn successors(&self, c: u32) -> &[u32] {
        let reqs = self.requirements(c);
        &self.members
            [self.member_start[reqs.start as usize] as usize..self.member_start[reqs.end as usize] as usize]
    }

    /// Requirements that have `c` as a member ("who requires me"), ascending
    /// by global id (hence by owner).
    pub fn required_by(&self, c: u32) -> &[u32] {
        &self.rev_reqs[self.rev_start[c as usize] as usize..self.rev_start[c as usize + 1] as usize]
    }

    /// Every component, SCC by SCC in topological order: dependencies come
    /// before their dependents; inside an SCC, ascending index.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Where `c` sits in [`Net::order`].
    pub fn position(&self, c: u32) -> u32 {
        self.position[c as usize]
    }

    /// Number of strongly connected components.
    pub fn scc_count(&self) -> usize {
        self.scc_start.len() - 1
    }

    /// The components of SCC `s` (a slice of [`Net::order`]).
    pub fn scc(&self, s: u32) -> &[u32] {
        &self.order[self.scc_range(s)]
    }

    /// Positions in [`Net::order`] covered by SCC `s`.
    pub fn scc_range(&self, s: u32) -> Range<usize> {
        self.scc_start[s as usize] as usize..self.scc_start[s as usize + 1] as usize
    }

    /// The SCC of component `c`.
    pub fn scc_of(&self, c: u32) -> u32 {
        self.scc_of[c as usize]
    }

    /// Whether SCC `s` is a cycle (more than one component; the model has no
    /// self-requirements) and so needs a local fixpoint.
    pub fn is_cyclic(&self, s: u32) -> bool {
        self.scc_range(s).len() > 1
    }

    /// The [`ComponentId`] of index `c`.
    pub fn id(c: u32) -> ComponentId {
        ComponentId::new(c as usize)
    }
}
