//! One bit-parallel pass: the inventory laid out in position space, the
//! per-worker masks, and the evaluation of up to 512 single failures at once
//! (what [`super`] schedules, merges and reports).

use std::collections::VecDeque;

use crate::lanes;
use crate::net::Net;

/// Words per lane set: 8 × 64 = 512 scenarios per pass.
const WORDS: usize = 8;
/// Scenarios per pass.
pub(crate) const LANES: usize = 64 * WORDS;

pub(crate) type Lanes = [u64; WORDS];
pub(super) const ZERO: Lanes = [0; WORDS];
const ONES: Lanes = [u64::MAX; WORDS];

#[inline]
fn or_into(a: &mut Lanes, b: &Lanes) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

#[inline]
pub(super) fn and(a: &Lanes, b: &Lanes) -> Lanes {
    std::array::from_fn(|w| a[w] & b[w])
}

#[inline]
pub(super) fn not(a: &Lanes) -> Lanes {
    std::array::from_fn(|w| !a[w])
}

#[inline]
pub(super) fn is_zero(a: &Lanes) -> bool {
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

    /// The first position a failure at `p` can affect: the start of its
    /// SCC (everything before it is up whatever fails at `p`).
    pub(super) fn reach_begin(&self, p: usize) -> usize {
        self.scc_begin.get(p).map_or(p, |&b| b as usize)
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
pub(super) enum Mask {
    Down,
    NotUp,
}

/// Lanes where at least `t` of `members` are set in `mask`. The two ends
/// skip the ladder of [`lanes::at_least`]: t = 1 (single targets, groups
/// that need every member) is a plain "or", and t = n (`any_of`) stops at
/// the first member the pass has not touched.
pub(super) fn at_least(scratch: &mut Scratch, members: &[u32], t: usize, mask: Mask) -> Lanes {
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
    let mut ladder = std::mem::take(&mut scratch.ladder);
    let top = lanes::at_least(&mut ladder, t, members.iter().map(|&m| value(scratch, m)));
    scratch.ladder = ladder;
    top
}

/// Per-worker mutable state of the passes; reused across runs.
pub(crate) struct Scratch {
    run: u32,
    /// Run in which a position's masks were last written.
    stamp: Vec<u32>,
    pub(super) down: Vec<Lanes>,
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
    pub(super) fn is_live(&self, p: usize) -> bool {
        self.stamp[p] == self.run
    }

    #[inline]
    pub(super) fn down_or_zero(&self, p: usize) -> Lanes {
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
    pub(super) fn not_up_at(&self, p: usize) -> Option<&Lanes> {
        (self.is_live(p) && !self.not_up.is_empty() && !is_zero(&self.not_up[p])).then(|| &self.not_up[p])
    }
}
