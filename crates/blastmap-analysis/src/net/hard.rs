//! The hard-requirement graph: what availability, cold start and hard
//! cycles read, since only hard requirements take a component down or keep
//! it from starting.

use std::ops::Range;

use blastmap_manifest::{Mode, Model};

/// The hard requirements of a model in compressed sparse rows.
///
/// Requirement `r` belongs to `owner[r]`, needs `need[r]` of
/// `members[mem_start[r]..mem_start[r + 1]]`. The requirements of component
/// `v` are `req_start[v]..req_start[v + 1]`, so its out-edges (members of all
/// its hard requirements) are one contiguous slice of `members`.
#[derive(Debug, Clone)]
pub(crate) struct HardNet {
    pub(crate) req_start: Vec<u32>,
    pub(crate) need: Vec<u32>,
    pub(crate) owner: Vec<u32>,
    /// Index of the requirement in the owner's `Component::requirements`.
    pub(crate) source: Vec<u32>,
    pub(crate) mem_start: Vec<u32>,
    pub(crate) members: Vec<u32>,
    /// Reverse edges: the hard requirements in which `x` is a member are
    /// `rev[rev_start[x]..rev_start[x + 1]]` (one entry per membership).
    pub(crate) rev_start: Vec<u32>,
    pub(crate) rev: Vec<u32>,
}

impl HardNet {
    /// # Complexity
    /// O(n + m) time and memory for n components and m requirement members.
    pub(crate) fn new(model: &Model) -> Self {
        let n = model.len();
        let mut net = HardNet {
            req_start: Vec::with_capacity(n + 1),
            need: Vec::new(),
            owner: Vec::new(),
            source: Vec::new(),
            mem_start: vec![0],
            members: Vec::new(),
            rev_start: vec![0; n + 1],
            rev: Vec::new(),
        };
        net.req_start.push(0);
        for (v, component) in model.components().enumerate() {
            for (i, req) in component.requirements.iter().enumerate() {
                if req.mode != Mode::Hard {
                    continue;
                }
                let count = req.members.len() as u32;
                // A quorum above the member count can never be met; keep it
                // unsatisfiable rather than trusting the loader blindly.
                net.need.push(req.need.min(count.saturating_add(1)));
                net.owner.push(v as u32);
                net.source.push(i as u32);
                net.members.extend(req.members.iter().map(|m| m.index() as u32));
                net.mem_start.push(net.members.len() as u32);
            }
            net.req_start.push(net.need.len() as u32);
        }
        for &m in &net.members {
            net.rev_start[m as usize + 1] += 1;
        }
        for x in 0..n {
            net.rev_start[x + 1] += net.rev_start[x];
        }
        let mut fill = net.rev_start.clone();
        net.rev = vec![0; net.members.len()];
        for r in 0..net.need.len() {
            for i in net.mem_start[r]..net.mem_start[r + 1] {
                let m = net.members[i as usize] as usize;
                net.rev[fill[m] as usize] = r as u32;
                fill[m] += 1;
            }
        }
        net
    }

    pub(crate) fn len(&self) -> usize {
        self.req_start.len() - 1
    }

    pub(crate) fn reqs(&self, v: usize) -> Range<usize> {
        self.req_start[v] as usize..self.req_start[v + 1] as usize
    }

    pub(crate) fn req_members(&self, r: usize) -> &[u32] {
        &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize]
    }

    /// Members of every hard requirement of `v` (with repetitions when a
    /// component is a member of two requirements).
    pub(crate) fn out(&self, v: usize) -> &[u32] {
        let lo = self.mem_start[self.req_start[v] as usize] as usize;
        let hi = self.mem_start[self.req_start[v + 1] as usize] as usize;
        &self.members[lo..hi]
    }

    /// Hard requirements that have `x` as a member.
    pub(crate) fn rev(&self, x: usize) -> &[u32] {
        &self.rev[self.rev_start[x] as usize..self.rev_start[x + 1] as usize]
    }
}
