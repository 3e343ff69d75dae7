//! The exact method: a shared, reduced ordered binary decision diagram of
//! every component's "down" function, and the backward pass that turns one
//! diagram into contributions.

use super::FastMap;
use crate::cycles::Sccs;
use crate::net::HardNet;

/// Apply steps a component may take per node of its budget.
const STEPS_PER_NODE: u64 = 16;

const FALSE: u32 = 0;
const TRUE: u32 = 1;
const TERMINAL: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// The node budget ran out.
#[derive(Debug)]
struct Full;

/// A shared BDD of "down" functions. Variables are components that can fail,
/// ordered by their position in the condensation order (dependencies first,
/// so shared infrastructure is decided near the root, which keeps layered
/// inventories small). Nodes are created after their children, so a node's
/// index is larger than its children's.
pub(super) struct Bdd {
    level: Vec<u32>,
    /// Failure probability and component of each level.
    level_p: Vec<f64>,
    level_component: Vec<u32>,
    var: Vec<u32>,
    lo: Vec<u32>,
    hi: Vec<u32>,
    /// Probability that the function of each node is true.
    pub(super) prob: Vec<f64>,
    unique: FastMap<(u32, u32, u32), u32>,
    cache: FastMap<(Op, u32, u32), u32>,
    limit: usize,
    total_limit: usize,
    /// Apply steps left for the current component: cache hits cost no
    /// nodes but still cost time.
    steps: u64,
}

impl Bdd {
    pub(super) fn new(sccs: &Sccs, p: &[f64], total_limit: usize) -> Self {
        let mut level = vec![TERMINAL; p.len()];
        let mut level_p = Vec::new();
        let mut level_component = Vec::new();
        for &v in &sccs.order {
            if p[v as usize] > 0.0 {
                level[v as usize] = level_p.len() as u32;
                level_p.push(p[v as usize]);
                level_component.push(v);
            }
        }
        Bdd {
            level,
            level_p,
            level_component,
            var: vec![TERMINAL, TERMINAL],
            lo: vec![FALSE, TRUE],
            hi: vec![FALSE, TRUE],
            prob: vec![0.0, 1.0],
            unique: FastMap::default(),
            cache: FastMap::default(),
            limit: total_limit.saturating_add(2),
            total_limit: total_limit.saturating_add(2),
            steps: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.var.len()
    }

    fn mk(&mut self, var: u32, lo: u32, hi: u32) -> Result<u32, Full> {
        if lo == hi {
            return Ok(lo);
        }
        if let Some(&node) = self.unique.get(&(var, lo, hi)) {
            return Ok(node);
        }
        if self.var.len() >= self.limit {
            return Err(Full);
        }
        let node = self.var.len() as u32;
        let p = self.level_p[var as usize];
        self.var.push(var);
        self.lo.push(lo);
        self.hi.push(hi);
        self.prob.push(p * self.prob[hi as usize] + (1.0 - p) * self.prob[lo as usize]);
        self.unique.insert((var, lo, hi), node);
        Ok(node)
    }

    fn cofactors(&self, f: u32, var: u32) -> (u32, u32) {
        if self.var[f as usize] == var { (self.lo[f as usize], self.hi[f as usize]) } else { (f, f) }
    }

    /// `f op g`, without recursion: diagrams get as deep as the number of
    /// failure variables, which native recursion would not survive.
    fn apply(&mut self, op: Op, f: u32, g: u32) -> Result<u32, Full> {
        enum Task {
            Call(u32, u32),
            Build(u32, u32, u32),
        }
        let terminal = |f: u32, g: u32| -> Option<u32> {
            match op {
                Op::And if f == FALSE || g == FALSE => Some(FALSE),
                Op::Or if f == TRUE || g == TRUE => Some(TRUE),
                Op::And if f == TRUE => Some(g),
                Op::Or if f == FALSE => Some(g),
                Op::And if g == TRUE => Some(f),
                Op::Or if g == FALSE => Some(f),
                _ if f == g => Some(f),
                _ => None,
            }
        };
        if self.cache.len() > 1 << 22 {
            self.cache.clear();
        }
        let mut tasks = vec![Task::Call(f, g)];
        let mut results: Vec<u32> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Call(f, g) => {
                    if self.steps == 0 {
                        return Err(Full);
                    }
                    self.steps -= 1;
                    if let Some(r) = terminal(f, g) {
                        results.push(r);
                        continue;
                    }
                    let (f, g) = if f < g { (f, g) } else { (g, f) };
                    if let Some(&r) = self.cache.get(&(op, f, g)) {
                        results.push(r);
                        continue;
                    }
                    let var = self.var[f as usize].min(self.var[g as usize]);
                    let (f0, f1) = self.cofactors(f, var);
                    let (g0, g1) = self.cofactors(g, var);
                    tasks.push(Task::Build(var, f, g));
                    tasks.push(Task::Call(f1, g1));
                    tasks.push(Task::Call(f0, g0));
                }
                Task::Build(var, f, g) => {
                    let (Some(hi), Some(lo)) = (results.pop(), results.pop()) else {
                        return Err(Full);
                    };
                    let r = self.mk(var, lo, hi)?;
                    self.cache.insert((op, f, g), r);
                    results.push(r);
                }
            }
        }
        results.pop().ok_or(Full)
    }

    /// "At least `t` of `fs` are true".
    fn at_least(&mut self, t: usize, fs: &[u32]) -> Result<u32, Full> {
        if t == 0 {
            return Ok(TRUE);
        }
        if t > fs.len() {
            return Ok(FALSE);
        }
        if t == 1 {
            return fs.iter().try_fold(FALSE, |acc, &f| self.apply(Op::Or, acc, f));
        }
        if t == fs.len() {
            return fs.iter().try_fold(TRUE, |acc, &f| self.apply(Op::And, acc, f));
        }
        // counts[j]: at least j + 1 of the functions seen so far are true.
        let mut counts = vec![FALSE; t];
        for &f in fs {
            for j in (1..t).rev() {
                let both = self.apply(Op::And, counts[j - 1], f)?;
                counts[j] = self.apply(Op::Or, counts[j], both)?;
            }
            counts[0] = self.apply(Op::Or, counts[0], f)?;
        }
        Ok(counts[t - 1])
    }

    /// The own-failure variable of component `v`.
    fn own(&mut self, v: usize) -> Result<u32, Full> {
        match self.level[v] {
            TERMINAL => Ok(FALSE),
            level => self.mk(level, FALSE, TRUE),
        }
    }

    /// "v is down", given the down functions of its hard requirements'
    /// members.
    fn node_down(&mut self, net: &HardNet, v: usize, down: &[Option<u32>]) -> Result<u32, Full> {
        let mut f = self.own(v)?;
        let mut members = Vec::new();
        for r in net.reqs(v) {
            members.clear();
            for &w in net.req_members(r) {
                members.push(down[w as usize].ok_or(Full)?);
            }
            let len = members.len();
            let need = net.need[r] as usize;
            // unmet when fewer than `need` are alive, i.e. at least
            // `len − need + 1` are down.
            let unmet = if need == 0 {
                FALSE
            } else if need > len {
                TRUE
            } else {
                self.at_least(len - need + 1, &members)?
            };
            f = self.apply(Op::Or, f, unmet)?;
            if f == TRUE {
                break;
            }
        }
        Ok(f)
    }

    /// Down functions of every component whose closure can fail, in
    /// condensation order; `None` for components over budget and everything
    /// that depends on them.
    pub(super) fn build_all(
        &mut self,
        net: &HardNet,
        sccs: &Sccs,
        can_fail: &[bool],
        per_component: usize,
    ) -> Vec<Option<u32>> {
        let n = net.len();
        let mut down: Vec<Option<u32>> = vec![None; n];
        for c in 0..sccs.count() {
            let nodes = sccs.nodes(c);
            if !can_fail[nodes[0] as usize] {
                for &v in nodes {
                    down[v as usize] = Some(FALSE);
                }
                continue;
            }
            self.limit = self.var.len().saturating_add(per_component).min(self.total_limit);
            self.steps = (per_component as u64).saturating_mul(STEPS_PER_NODE);
            let solved = if nodes.len() == 1 {
                let v = nodes[0] as usize;
                self.node_down(net, v, &down).map(|f| down[v] = Some(f))
            } else {
                self.solve_cycle(net, nodes, &mut down)
            };
            if solved.is_err() {
                for &v in nodes {
                    down[v as usize] = None;
                }
            }
        }
        down
    }

    /// The least fixpoint of a hard cycle: start from "only own failures"
    /// and re-evaluate until nothing changes. For every failure set the
    /// iteration settles within |cycle| rounds, so the functions do too.
    fn solve_cycle(&mut self, net: &HardNet, nodes: &[u32], down: &mut [Option<u32>]) -> Result<(), Full> {
        for &v in nodes {
            down[v as usize] = Some(self.own(v as usize)?);
        }
        for _ in 0..=nodes.len() {
            let mut changed = false;
            for &v in nodes {
                let f = self.node_down(net, v as usize, down)?;
                if down[v as usize] != Some(f) {
                    down[v as usize] = Some(f);
                    changed = true;
                }
            }
            if !changed {
                return Ok(());
            }
        }
        Err(Full)
    }
}

/// Scratch space for the backward pass over one component's diagram.
pub(super) struct Backward {
    reach: Vec<f64>,
    seen: Vec<u32>,
    stamp: u32,
    nodes: Vec<u32>,
    grad: FastMap<u32, f64>,
}

impl Backward {
    pub(super) fn new(len: usize) -> Self {
        Backward {
            reach: vec![0.0; len],
            seen: vec![0; len],
            stamp: 0,
            nodes: Vec::new(),
            grad: FastMap::default(),
        }
    }

    /// `(X, U − U(X never fails))` for every variable X in the diagram of
    /// `f`. `∂U/∂p_X` is the sum, over the nodes that test X, of the
    /// probability of reaching the node times the difference of its
    /// children's probabilities; the attributable part is `p_X · ∂U/∂p_X`.
    pub(super) fn contributions(&mut self, bdd: &Bdd, f: u32) -> Vec<(u32, f64)> {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        self.nodes.clear();
        let mut stack = vec![f];
        self.seen[f as usize] = self.stamp;
        while let Some(x) = stack.pop() {
            if x <= TRUE {
                continue;
            }
            self.nodes.push(x);
            for child in [bdd.lo[x as usize], bdd.hi[x as usize]] {
                if self.seen[child as usize] != self.stamp {
                    self.seen[child as usize] = self.stamp;
                    stack.push(child);
                }
            }
        }
        // Children have smaller indices: descending order is top-down.
        self.nodes.sort_unstable_by(|a, b| b.cmp(a));
        for &x in &self.nodes {
            self.reach[x as usize] = 0.0;
        }
        self.reach[f as usize] = 1.0;
        self.grad.clear();
        for &x in &self.nodes {
            let x = x as usize;
            let r = self.reach[x];
            let (lo, hi, var) = (bdd.lo[x] as usize, bdd.hi[x] as usize, bdd.var[x] as usize);
            let p = bdd.level_p[var];
            *self.grad.entry(var as u32).or_insert(0.0) += r * (bdd.prob[hi] - bdd.prob[lo]);
            if hi > TRUE as usize {
                self.reach[hi] += r * p;
            }
            if lo > TRUE as usize {
                self.reach[lo] += r * (1.0 - p);
            }
        }
        self.grad
            .iter()
            .map(|(&var, &g)| (bdd.level_component[var as usize], bdd.level_p[var as usize] * g))
            .collect()
    }
}
