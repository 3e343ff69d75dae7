//! Minimal cut sets of order ≤ 2 (docs/semantics.md#cut-sets): the single
//! failures (SPOFs) and the pairs of failures that take a component down while
//! neither failure does on its own.
//!
//! Pairs are not brute-forced. Let D(X) be what F = {X} takes down. Under
//! F = {X, Y}, start from D(X) ∪ D(Y) and iterate the rules: the first
//! component to go down beyond that union has a hard requirement unmet there
//! but met under X and under Y alone. A single target cannot do that (its
//! target is down under X or under Y), so it is a group with a member `a`
//! in D(X) \ D(Y) and a member `b` in D(Y) \ D(X), and every component the
//! pair takes down beyond the union transitively hard-requires such a
//! group's owner. Hence the candidates: for every hard group that tolerates
//! a loss and whose owner some target depends on, every pair of members
//! (a, b), X among the causes of a but not of b, Y the other way round. The
//! candidates are then checked with bit-parallel passes of 512 pair
//! scenarios each.

use std::collections::HashMap;

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;

use crate::net::Net;
use crate::sweep::{
    Allowance, Budget, Kernel, LANES, Scratch, Sweep, Targets, down_causes_within, for_each_lane,
};

/// The minimal cut sets of order ≤ 2 of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutSets {
    pub component: ComponentId,
    /// Order 1: its SPOFs (itself excluded), ascending; only the smallest
    /// [`crate::sweep::LISTED`] when the reused sweep was not complete.
    pub singles: Vec<ComponentId>,
    /// How many SPOFs it has.
    pub singles_total: usize,
    /// Order 2: pairs `[x, y]` with `x < y`, neither a single, that take it
    /// down together; sorted.
    pub pairs: Vec<[ComponentId; 2]>,
}

/// Order-2 cut sets were not computed: checking every candidate pair would
/// cost too much (the candidates grow with the product of the members'
/// cause lists: two billion on the 100k-component synthetic inventory), or
/// the lists of what takes each component down, which they are built from,
/// are longer than the bound on pairs held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyCandidates {
    /// What is over its bound.
    pub reason: Over,
    /// Candidate pairs counted (with repeats across groups), or
    /// (component, failure) pairs.
    pub candidates: u64,
    /// The bound they exceed.
    pub bound: u64,
}

/// Which bound [`TooManyCandidates`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// Candidate pairs of failures to check.
    Candidates,
    /// (component, failure) pairs to hold.
    Pairs,
}

/// Candidate pairs [`crate::report::report`] checks at most by default:
/// about 40 seconds of checking on two cores at 10k components (the
/// 10k-component synthetic inventory has about a million).
pub const DEFAULT_MAX_CANDIDATES: u64 = 1 << 24;

/// Work [`crate::report::report`] spends at most on checking candidates by
/// default, in (component or requirement) × pass units: each pass of 512
/// candidates may touch the whole inventory, so the candidates allowed are
/// `MAX_CUT_WORK · 512 / (n + m)`. About 3 s on two cores (measured: 93
/// million units a second on the 30k synthetic inventory, whose 2 million
/// candidates took 7.5 s and are now over the bound).
pub const MAX_CUT_WORK: u64 = 1 << 28;

/// The candidate bound for an inventory of `n` components and `m`
/// requirements: `max_candidates`, or fewer so that checking them costs at
/// most [`MAX_CUT_WORK`].
pub fn candidate_bound(max_candidates: u64, n: usize, m: usize) -> u64 {
    let size = (n as u64 + m as u64).max(1);
    max_candidates.min(MAX_CUT_WORK.saturating_mul(LANES as u64) / size)
}

/// Cut sets of order ≤ 2 of every target, sorted by component id.
///
/// # Complexity
/// As [`cut_sets_within`], without a bound.
pub fn cut_sets(model: &Model, net: &Net, targets: &Targets) -> Vec<CutSets> {
    // Nothing is over a bound of u64::MAX (the count saturates there).
    cut_sets_reusing(model, net, targets, (u64::MAX, u64::MAX), None).unwrap_or_default()
}

/// [`cut_sets`], or [`TooManyCandidates`] when more than `max_candidates`
/// candidate pairs would have to be checked (counted before any is built).
///
/// # Complexity
/// One down-only sweep for the causes of the targets and of group members
/// (O(n/512 · (n + m)) at worst), candidate generation O(Σ over relevant
/// groups of Σ over member pairs of |causes(a)| · |causes(b)|), and
/// O(C/512 · (n + m)) word operations to check C candidates (usually much
/// less: a pass only touches what its failures reach). Memory O(n) per
/// thread plus the candidates and results.
pub fn cut_sets_within(
    model: &Model,
    net: &Net,
    targets: &Targets,
    max_candidates: u64,
) -> Result<Vec<CutSets>, TooManyCandidates> {
    cut_sets_reusing(model, net, targets, (max_candidates, u64::MAX), None)
}

/// [`cut_sets_within`] with a bound on (component, failure) pairs held
/// too, reusing `known`: a sweep with causes ([`crate::sweep::Sweep::causes`]),
/// so that what a report already holds is not computed and kept a second
/// time (for a chain of n critical components, n² pairs). Order-2 sets
/// need every list in full: when `known` is not complete, or the lists of
/// the groups' members would hold more than `max_pairs`, and some group
/// could be defeated by a pair, they are skipped with [`Over::Pairs`].
pub fn cut_sets_reusing(
    model: &Model,
    net: &Net,
    targets: &Targets,
    (max_candidates, max_pairs): (u64, u64),
    known: Option<&Sweep>,
) -> Result<Vec<CutSets>, TooManyCandidates> {
    let n = net.len();
    let target_mask = targets.mask(model);
    let relevant = hard_ancestors_of(net, &target_mask);
    let groups: Vec<u32> = (0..net.requirement_count() as u32)
        .filter(|&r| !net.is_soft(r) && net.losses_to_fail(r) >= 2 && relevant[net.owner(r) as usize])
        .collect();
    let held = |known: &Sweep| (0..n).map(|c| known.cause_count(Net::id(c as u32)) as u64).sum::<u64>();
    if let Some(known) = known.filter(|k| !k.complete() && !groups.is_empty()) {
        return Err(TooManyCandidates { reason: Over::Pairs, candidates: held(known), bound: max_pairs });
    }
    let counted = known;
    let known = known.map(Sweep::all_causes);

    let mut wanted: Vec<ComponentId> =
        groups.iter().flat_map(|&r| net.members(r)).map(|&m| Net::id(m)).collect();
    wanted.extend((0..n).filter(|&c| target_mask[c]).map(|c| Net::id(c as u32)));
    wanted.sort_unstable();
    wanted.dedup();
    let known_of = |c: usize| known.and_then(|k| k.get(c)).and_then(Option::as_deref);
    wanted.retain(|c| known_of(c.index()).is_none());
    let causes = down_causes_within(model, net, &Targets::Only(wanted), max_pairs)
        .map_err(|pairs| TooManyCandidates { reason: Over::Pairs, candidates: pairs, bound: max_pairs })?;
    let causes_of = |c: u32| -> &[ComponentId] {
        known_of(c as usize).or_else(|| causes[c as usize].as_deref()).unwrap_or_default()
    };

    let candidates = candidates(net, &groups, &causes_of, max_candidates)?;

    let singles = Singles::new(n, &target_mask, &causes_of, Singles::MAX_BITS);
    let kernel = Kernel::new(net, false);
    // The pairs found are held up to the bound too: a ladder of n levels of
    // two replicas has n²/2 order-2 cut sets.
    let budget = Budget::new(max_pairs);
    let found: Vec<Vec<(u32, u32, u32)>> = candidates
        .par_chunks(LANES)
        .map_init(
            || Scratch::new(&kernel),
            |scratch, batch| {
                let mut allowance = Allowance::new(&budget);
                let seeds: Vec<(u32, u32)> = batch
                    .iter()
                    .enumerate()
                    .flat_map(|(lane, &(x, y))| {
                        [
                            (kernel.position[x as usize], lane as u32),
                            (kernel.position[y as usize], lane as u32),
                        ]
                    })
                    .collect();
                let from = kernel.run(scratch, &seeds);
                let mut hits = Vec::new();
                for p in from..kernel.len() {
                    let s = kernel.order[p];
                    if !target_mask[s as usize] {
                        continue;
                    }
                    let Some(down) = scratch.down_at(p) else { continue };
                    for_each_lane(down, |lane| {
                        let (x, y) = batch[lane];
                        let minimal = s != x
                            && s != y
                            && !singles.takes_down(x, s, &causes_of)
                            && !singles.takes_down(y, s, &causes_of);
                        if minimal && allowance.take() {
                            hits.push((s, x, y));
                        }
                    });
                }
                drop(allowance);
                hits
            },
        )
        .collect();
    if budget.is_over() {
        return Err(TooManyCandidates { reason: Over::Pairs, candidates: budget.met(), bound: max_pairs });
    }

    let mut pairs: Vec<(u32, u32, u32)> = found.into_iter().flatten().collect();
    pairs.sort_unstable();
    let mut result: Vec<CutSets> = (0..n)
        .filter(|&c| target_mask[c])
        .map(|c| CutSets {
            component: Net::id(c as u32),
            singles: causes_of(c as u32).to_vec(),
            singles_total: counted.map_or(causes_of(c as u32).len(), |k| k.cause_count(Net::id(c as u32))),
            pairs: Vec::new(),
        })
        .collect();
    for (s, x, y) in pairs {
        if let Ok(at) = result.binary_search_by_key(&Net::id(s), |cuts| cuts.component) {
            result[at].pairs.push([Net::id(x), Net::id(y)]);
        }
    }
    Ok(result)
}

/// "Does `x` alone take target `s` down?", asked for every lane a pair
/// takes a target down in: a bit matrix (target × component) when it fits
/// in 32 MiB, otherwise a binary search of the target's causes (the search
/// was half of the time at 10k components).
struct Singles {
    /// Row of each target in `bits`, `u32::MAX` for others.
    row: Vec<u32>,
    words: usize,
    bits: Vec<u64>,
}

impl Singles {
    const MAX_BITS: usize = 1 << 28;

    fn new<'a>(
        n: usize,
        target_mask: &[bool],
        causes_of: &impl Fn(u32) -> &'a [ComponentId],
        max_bits: usize,
    ) -> Self {
        let targets = target_mask.iter().filter(|&&t| t).count();
        let words = n.div_ceil(64);
        if targets.saturating_mul(words * 64) > max_bits {
            return Singles { row: Vec::new(), words, bits: Vec::new() };
        }
        let mut row = vec![u32::MAX; n];
        let mut bits = vec![0u64; targets * words];
        for (r, s) in (0..n).filter(|&s| target_mask[s]).enumerate() {
            row[s] = r as u32;
            for x in causes_of(s as u32) {
                let x = x.index();
                bits[r * words + x / 64] |= 1 << (x % 64);
            }
        }
        Singles { row, words, bits }
    }

    fn takes_down<'a>(&self, x: u32, s: u32, causes_of: &impl Fn(u32) -> &'a [ComponentId]) -> bool {
        match self.row.get(s as usize) {
            Some(&r) if r != u32::MAX => {
                let word = self.bits.get(r as usize * self.words + x as usize / 64).copied().unwrap_or(0);
                (word >> (x % 64)) & 1 == 1
            }
            _ => causes_of(s).binary_search(&Net::id(x)).is_ok(),
        }
    }
}

/// Components that some target transitively hard-requires, targets
/// included.
fn hard_ancestors_of(net: &Net, target_mask: &[bool]) -> Vec<bool> {
    let mut seen = target_mask.to_vec();
    let mut stack: Vec<u32> = (0..net.len() as u32).filter(|&c| seen[c as usize]).collect();
    while let Some(c) = stack.pop() {
        for r in net.hard_requirements(c) {
            for &m in net.members(r) {
                if !seen[m as usize] {
                    seen[m as usize] = true;
                    stack.push(m);
                }
            }
        }
    }
    seen
}

/// Candidate pairs `(x, y)`, `x < y`, sorted by the earlier topological
/// position of the two (so a pass starts as late as possible), then by ids;
/// counted first, and refused over `bound`.
/// What [`candidates`] does with each pair of members' sides: the causers
/// only the first has, only the second has, how many members each causer
/// takes down, and the group's losses to fail.
type Side<'f> = dyn FnMut(&[u32], &[u32], &HashMap<u32, u32>, u32) + 'f;

fn candidates<'a>(
    net: &Net,
    groups: &[u32],
    causes_of: &impl Fn(u32) -> &'a [ComponentId],
    bound: u64,
) -> Result<Vec<(u32, u32)>, TooManyCandidates> {
    // A member's "causers": itself and everything that takes it down alone.
    let causers = |m: u32| -> Vec<u32> {
        let mut list: Vec<u32> = causes_of(m).iter().map(|c| c.index() as u32).collect();
        if let Err(at) = list.binary_search(&m) {
            list.insert(at, m);
        }
        list
    };
    // For every pair of members of every group: the causers of each that
    // are not causers of the other. Only pairs that could defeat the group
    // count: for the first group a pair defeats (none below it is, so its
    // members fall as under X or Y alone) X and Y together take down at
    // least `losses_to_fail` members. So with `takes[x]` the members x takes
    // down and M the most any one failure takes, a group with 2·M below its
    // losses has no candidate, a causer taking fewer than losses − M
    // members is in none, and members whose remaining causers are the same
    // add no pair: a 100,000-member `any_of` is skipped at once instead of
    // pairing its members (5·10^9 pairs).
    let for_each_side = |f: &mut Side<'_>| {
        for &r in groups {
            let all: Vec<Vec<u32>> = net.members(r).iter().map(|&m| causers(m)).collect();
            let mut takes: HashMap<u32, u32> = HashMap::new();
            for list in &all {
                for &x in list {
                    *takes.entry(x).or_insert(0) += 1;
                }
            }
            let losses = net.losses_to_fail(r);
            let most = takes.values().copied().max().unwrap_or(0);
            if most.saturating_mul(2) < losses {
                continue;
            }
            let floor = losses.saturating_sub(most);
            let mut lists: Vec<Vec<u32>> = all
                .into_iter()
                .map(|list| {
                    list.into_iter().filter(|x| takes.get(x).copied().unwrap_or(0) >= floor).collect()
                })
                .filter(|list: &Vec<u32>| !list.is_empty())
                .collect();
            lists.sort_unstable();
            lists.dedup();
            for i in 0..lists.len() {
                for j in i + 1..lists.len() {
                    let only_i: Vec<u32> =
                        lists[i].iter().copied().filter(|x| lists[j].binary_search(x).is_err()).collect();
                    let only_j: Vec<u32> =
                        lists[j].iter().copied().filter(|y| lists[i].binary_search(y).is_err()).collect();
                    f(&only_i, &only_j, &takes, losses);
                }
            }
        }
    };
    let enough = |x: u32, y: u32, takes: &HashMap<u32, u32>, losses: u32| {
        takes.get(&x).copied().unwrap_or(0) + takes.get(&y).copied().unwrap_or(0) >= losses
    };
    let mut count = 0u64;
    for_each_side(&mut |a, b, takes, losses| {
        for &x in a {
            let pairs = b.iter().filter(|&&y| enough(x, y, takes, losses)).count();
            count = count.saturating_add(pairs as u64);
        }
    });
    if count > bound {
        return Err(TooManyCandidates { reason: Over::Candidates, candidates: count, bound });
    }
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for_each_side(&mut |only_i, only_j, takes, losses| {
        for &x in only_i {
            for &y in only_j {
                if enough(x, y, takes, losses) {
                    pairs.push((x.min(y), x.max(y)));
                }
            }
        }
    });
    pairs.sort_unstable();
    pairs.dedup();
    pairs.sort_by_key(|&(x, y)| (net.position(x).min(net.position(y)), x, y));
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bit_matrix_and_the_search_agree() {
        // 130 components (three words a row); targets 3 and 129.
        let n = 130;
        let mut mask = vec![false; n];
        mask[3] = true;
        mask[129] = true;
        let lists: Vec<Vec<ComponentId>> = (0..n)
            .map(|s| match s {
                3 => [0, 64, 128].map(Net::id).to_vec(),
                129 => [1, 63, 65, 127].map(Net::id).to_vec(),
                _ => Vec::new(),
            })
            .collect();
        let causes_of = |c: u32| -> &[ComponentId] { lists[c as usize].as_slice() };
        let matrix = Singles::new(n, &mask, &causes_of, Singles::MAX_BITS);
        let search = Singles::new(n, &mask, &causes_of, 0);
        assert!(!matrix.bits.is_empty() && search.bits.is_empty());
        for s in [3, 129] {
            for x in 0..n as u32 {
                let expected = lists[s as usize].contains(&Net::id(x));
                assert_eq!(matrix.takes_down(x, s, &causes_of), expected, "{x} → {s}");
                assert_eq!(search.takes_down(x, s, &causes_of), expected, "{x} → {s}");
            }
        }
    }

    /// Only pairs that could take enough members down are candidates: a
    /// wide `any_of` of independent members has none (its members were
    /// once paired: quadratic in the group's width), and members spread
    /// over two zones give the zone pair alone.
    #[test]
    fn candidates_are_only_pairs_that_can_defeat_a_group() {
        use blastmap_manifest::Mode;

        use crate::cycles::tests::{model, req};
        use crate::sweep::Targets;

        let members = 2000;
        // c0: a tier-3 owner of one `any_of` of every member; members 1..=n.
        let mut specs = vec![(None, vec![req(1, &(1..=members).collect::<Vec<_>>(), Mode::Hard)])];
        specs.extend((1..=members).map(|_| (None, Vec::new())));
        let wide = model(specs);
        let net = Net::new(&wide);
        assert_eq!(
            cut_sets_within(&wide, &net, &Targets::All, 1 << 24).map(|c| c.len()).ok(),
            Some(wide.len())
        );
        let groups: Vec<u32> = vec![0];
        let causes = crate::sweep::down_causes(&wide, &net, &Targets::All);
        let causes_of = |c: u32| -> &[ComponentId] { causes[c as usize].as_deref().unwrap_or_default() };
        assert_eq!(candidates(&net, &groups, &causes_of, u64::MAX).unwrap(), []);

        // The same members, half in each of two zones (the last two).
        let (za, zb) = (members + 1, members + 2);
        let mut specs = vec![(None, vec![req(1, &(1..=members).collect::<Vec<_>>(), Mode::Hard)])];
        specs.extend(
            (1..=members)
                .map(|m| (None, vec![req(1, &[if m <= members / 2 { za } else { zb }], Mode::Hard)])),
        );
        specs.extend([(None, Vec::new()), (None, Vec::new())]);
        let zoned = model(specs);
        let net = Net::new(&zoned);
        let causes = crate::sweep::down_causes(&zoned, &net, &Targets::All);
        let causes_of = |c: u32| -> &[ComponentId] { causes[c as usize].as_deref().unwrap_or_default() };
        assert_eq!(candidates(&net, &groups, &causes_of, u64::MAX).unwrap(), [(za as u32, zb as u32)]);
        let cuts = cut_sets(&zoned, &net, &Targets::All);
        assert_eq!(cuts[0].pairs, [[ComponentId::new(za), ComponentId::new(zb)]]);
    }
}
