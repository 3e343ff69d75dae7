//! The graph the Monte Carlo sampler walks: the part of the hard graph the
//! Monte Carlo components depend on, renumbered in condensation order, and
//! the evaluation of one node over a block of sample lanes.

use super::monte_carlo::{Culprits, is_series};
use crate::cycles::Sccs;
use crate::lanes;
use crate::net::HardNet;

/// Words per block of lanes: 4 × 64 = 256 samples per pass.
pub(super) const WORDS: usize = 4;

pub(super) type Block = [u64; WORDS];
pub(super) const ZERO: Block = [0; WORDS];
pub(super) const ONES: Block = [u64::MAX; WORDS];

pub(super) fn or(a: Block, b: Block) -> Block {
    std::array::from_fn(|i| a[i] | b[i])
}

pub(super) fn and(a: Block, b: Block) -> Block {
    std::array::from_fn(|i| a[i] & b[i])
}

pub(super) fn and_not(a: Block, b: Block) -> Block {
    std::array::from_fn(|i| a[i] & !b[i])
}

pub(super) fn popcount(a: Block) -> u64 {
    a.iter().map(|w| u64::from(w.count_ones())).sum()
}

/// The part of the hard graph the Monte Carlo components depend on, renumbered
/// in condensation order.
pub(super) struct Sim {
    /// Global index of each local node.
    pub(super) global: Vec<u32>,
    req_start: Vec<u32>,
    need: Vec<u32>,
    /// Requirements that need every member (single targets included): a
    /// failure behind them alone takes the owner down.
    series: Vec<bool>,
    mem_start: Vec<u32>,
    members: Vec<u32>,
    /// Per node, the local nodes whose failure alone defeats one of its hard
    /// groups ([`super::monte_carlo::group_culprits`]): single points of failure too.
    culprit_start: Vec<u32>,
    culprits: Vec<u32>,
    /// Local nodes that depend on each node (deduplicated).
    dep_start: Vec<u32>,
    dependents: Vec<u32>,
    pub(super) scc_start: Vec<u32>,
    pub(super) scc_of: Vec<u32>,
    /// Nodes that can fail on their own and `ln(1 − p)` of each.
    pub(super) failable: Vec<u32>,
    pub(super) ln_q: Vec<f64>,
    /// Slot of each node among the targets, `u32::MAX` if none.
    pub(super) slot: Vec<u32>,
    pub(super) targets: Vec<u32>,
}

impl Sim {
    pub(super) fn new(net: &HardNet, sccs: &Sccs, p: &[f64], culprits: &Culprits, targets: &[usize]) -> Self {
        let n = net.len();
        let mut marked = vec![false; n];
        let mut stack: Vec<u32> = targets.iter().map(|&v| v as u32).collect();
        for &v in &stack {
            marked[v as usize] = true;
        }
        while let Some(v) = stack.pop() {
            for &w in net.out(v as usize) {
                if !marked[w as usize] {
                    marked[w as usize] = true;
                    stack.push(w);
                }
            }
        }
        let mut local = vec![u32::MAX; n];
        let mut global = Vec::new();
        let mut scc_start = vec![0u32];
        let mut scc_of = Vec::new();
        for c in 0..sccs.count() {
            let nodes = sccs.nodes(c);
            // A closure holds either all of a strongly connected set or none.
            if !marked[nodes[0] as usize] {
                continue;
            }
            let k = scc_start.len() as u32 - 1;
            for &v in nodes {
                local[v as usize] = global.len() as u32;
                global.push(v);
                scc_of.push(k);
            }
            scc_start.push(global.len() as u32);
        }
        let mut sim = Sim {
            req_start: vec![0],
            need: Vec::new(),
            series: Vec::new(),
            mem_start: vec![0],
            members: Vec::new(),
            culprit_start: vec![0],
            culprits: Vec::new(),
            dep_start: vec![0],
            dependents: Vec::new(),
            scc_start,
            scc_of,
            failable: Vec::new(),
            ln_q: Vec::new(),
            slot: vec![u32::MAX; global.len()],
            targets: Vec::new(),
            global,
        };
        for (i, &g) in sim.global.iter().enumerate() {
            let g = g as usize;
            for r in net.reqs(g) {
                sim.need.push(net.need[r]);
                sim.series.push(is_series(net, r));
                sim.members.extend(net.req_members(r).iter().map(|&w| local[w as usize]));
                sim.mem_start.push(sim.members.len() as u32);
            }
            sim.req_start.push(sim.need.len() as u32);
            sim.culprits.extend(culprits.of(g).iter().map(|&w| local[w as usize]).filter(|&w| w != u32::MAX));
            sim.culprit_start.push(sim.culprits.len() as u32);
            let start = sim.dependents.len();
            sim.dependents.extend(net.rev(g).iter().map(|&r| local[net.owner[r as usize] as usize]));
            sim.dependents[start..].sort_unstable();
            let mut write = start;
            for read in start..sim.dependents.len() {
                let d = sim.dependents[read];
                if d != u32::MAX && (write == start || sim.dependents[write - 1] != d) {
                    sim.dependents[write] = d;
                    write += 1;
                }
            }
            sim.dependents.truncate(write);
            sim.dep_start.push(sim.dependents.len() as u32);
            if p[g] > 0.0 {
                sim.failable.push(i as u32);
                sim.ln_q.push((-p[g]).ln_1p());
            }
        }
        for (s, &t) in targets.iter().enumerate() {
            let l = local[t];
            sim.slot[l as usize] = s as u32;
            sim.targets.push(l);
        }
        sim
    }

    pub(super) fn len(&self) -> usize {
        self.global.len()
    }

    pub(super) fn scc_nodes(&self, k: usize) -> std::ops::Range<usize> {
        self.scc_start[k] as usize..self.scc_start[k + 1] as usize
    }

    pub(super) fn dependents_of(&self, v: usize) -> &[u32] {
        &self.dependents[self.dep_start[v] as usize..self.dep_start[v + 1] as usize]
    }

    /// Lanes in which requirement `r` is unmet, given every member's down
    /// lanes.
    fn unmet(&self, r: usize, get: &impl Fn(usize) -> Block, counts: &mut Vec<Block>) -> Block {
        let members = &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize];
        let len = members.len();
        let need = self.need[r] as usize;
        if need == 0 {
            return ZERO;
        }
        if need > len {
            return ONES;
        }
        if need == 1 {
            let mut all = ONES;
            for &m in members {
                all = and(all, get(m as usize));
                if all == ZERO {
                    break;
                }
            }
            return all;
        }
        if need == len {
            return members.iter().fold(ZERO, |any, &m| or(any, get(m as usize)));
        }
        // Unmet when fewer than `need` are up: `len − need + 1` or more down.
        lanes::at_least(counts, len - need + 1, members.iter().map(|&m| get(m as usize)))
    }

    /// Lanes in which a single point of failure of `v` failed (each one
    /// alone takes `v` down): `v` itself, or one of the members of its
    /// series requirements and of the culprits of its groups, recursively.
    pub(super) fn node_spof(&self, v: usize, fail: Block, get: &impl Fn(usize) -> Block) -> Block {
        let mut d = fail;
        for r in (self.req_start[v] as usize..self.req_start[v + 1] as usize).filter(|&r| self.series[r]) {
            for &m in &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize] {
                d = or(d, get(m as usize));
            }
        }
        for &c in &self.culprits[self.culprit_start[v] as usize..self.culprit_start[v + 1] as usize] {
            d = or(d, get(c as usize));
        }
        d
    }

    /// [`Sim::node_down`] and [`Sim::node_spof`] of a node outside any cycle,
    /// in one pass over its requirements and without early exits (cheaper
    /// than the branches they would save: this is the inner loop of the
    /// sampler).
    pub(super) fn node_down_and_spof(
        &self,
        v: usize,
        fail: Block,
        down: &[Block],
        spof: &[Block],
        counts: &mut Vec<Block>,
    ) -> (Block, Block) {
        let (mut d, mut s) = (fail, fail);
        let block = |blocks: &[Block], m: u32| blocks.get(m as usize).copied().unwrap_or(ZERO);
        for r in self.req_start[v] as usize..self.req_start[v + 1] as usize {
            let members = &self.members[self.mem_start[r] as usize..self.mem_start[r + 1] as usize];
            if self.series[r] {
                for &m in members {
                    d = or(d, block(down, m));
                    s = or(s, block(spof, m));
                }
            } else if self.need[r] == 1 {
                let all = members.iter().fold(ONES, |all, &m| and(all, block(down, m)));
                d = or(d, all);
            } else {
                d = or(d, self.unmet(r, &|w| block(down, w as u32), counts));
            }
        }
        for &c in &self.culprits[self.culprit_start[v] as usize..self.culprit_start[v + 1] as usize] {
            s = or(s, block(spof, c));
        }
        (d, s)
    }

    pub(super) fn node_down(
        &self,
        v: usize,
        fail: Block,
        get: &impl Fn(usize) -> Block,
        counts: &mut Vec<Block>,
    ) -> Block {
        let mut d = fail;
        for r in self.req_start[v] as usize..self.req_start[v + 1] as usize {
            if d == ONES {
                break;
            }
            d = or(d, self.unmet(r, get, counts));
        }
        d
    }
}
