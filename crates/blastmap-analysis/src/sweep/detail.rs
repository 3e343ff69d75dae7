//! The complete lists of `report --detail`, streamed a window of components
//! at a time: what each failure takes down and degrades, and what takes
//! each target down alone. A chain of n components has n²/2 of each, so
//! they are never held whole: a window holds at most `max_pairs` entries
//! (one component more when a single one is larger), and the caller writes
//! it out before the next is computed.
//!
//! A window's radii cost a pass per 512 of its failures (one sweep over the
//! whole stream); its causes cost one down-only pass over every failure
//! that can reach the window (failures sit in topological positions, so
//! chunks that start after the window's last target are skipped).

use blastmap_manifest::{ComponentId, Model};
use rayon::prelude::*;

use super::kernel::{Kernel, LANES, Scratch, and, for_each_lane, not};
use crate::net::Net;

/// The complete lists of one component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailLists {
    /// What its failure alone takes down, itself excluded, ascending.
    pub down: Vec<ComponentId>,
    /// What its failure alone degrades, ascending.
    pub degraded: Vec<ComponentId>,
    /// The failures that take it down alone, itself excluded, ascending
    /// (empty unless it is a target).
    pub causes: Vec<ComponentId>,
}

/// What [`stream_detail`] lists, with the counts of an earlier sweep (which
/// size the windows).
#[derive(Debug, Clone, Copy)]
pub struct DetailPlan<'a> {
    /// By component index: how many components its failure takes down and
    /// degrades ([`super::BlastRadius::down`] + `degraded`), or `None` not
    /// to list radii.
    pub radii: Option<&'a [u64]>,
    /// By component index: how many failures take it down alone
    /// ([`super::Sweep::cause_count`]), or `None` not to list causes; a
    /// component with 0 gets an empty list.
    pub causes: Option<&'a [u64]>,
    /// The most entries a window holds.
    pub max_pairs: u64,
}

/// Calls `visit` once per component of `model`, in id order, with its
/// complete lists as `plan` asks; stops at the first error `visit` returns.
///
/// # Complexity
/// One sweep for the radii, plus one down-only sweep per window for the
/// causes, where windows ≈ entries / `max_pairs`. Memory: one window of
/// entries plus O(n) per thread.
pub fn stream_detail<E>(
    model: &Model,
    net: &Net,
    plan: &DetailPlan<'_>,
    mut visit: impl FnMut(ComponentId, DetailLists) -> Result<(), E>,
) -> Result<(), E> {
    let n = model.len();
    let size = |c: usize| {
        let at = |counts: Option<&[u64]>| counts.and_then(|s| s.get(c)).copied().unwrap_or(0);
        at(plan.radii) + at(plan.causes)
    };
    let full = plan.radii.map(|_| Kernel::new(net, true));
    let down_only = plan.causes.map(|_| Kernel::new(net, false));
    let mut begin = 0;
    while begin < n {
        let (mut end, mut held) = (begin, 0u64);
        while end < n && (end == begin || held.saturating_add(size(end)) <= plan.max_pairs) {
            held = held.saturating_add(size(end));
            end += 1;
        }
        let mut lists: Vec<DetailLists> = (begin..end).map(|_| DetailLists::default()).collect();
        if let Some(kernel) = &full {
            radii_into(kernel, begin, &mut lists);
        }
        if let (Some(kernel), Some(counts)) = (&down_only, plan.causes) {
            causes_into(kernel, counts, begin, &mut lists);
        }
        for (c, list) in (begin..).zip(lists) {
            visit(Net::id(c as u32), list)?;
        }
        begin = end;
    }
    Ok(())
}

/// The radii of the failures `begin..begin + lists.len()` (component
/// indices), 512 to a pass.
fn radii_into(kernel: &Kernel, begin: usize, lists: &mut [DetailLists]) {
    let n = kernel.len();
    let failures: Vec<u32> = (begin..begin + lists.len()).map(|c| c as u32).collect();
    let outs: Vec<Vec<(Vec<u32>, Vec<u32>)>> = failures
        .par_chunks(LANES)
        .map_init(
            || Scratch::new(kernel),
            |scratch, chunk| {
                let seeds: Vec<(u32, u32)> =
                    (0u32..).zip(chunk).map(|(lane, &c)| (kernel.position[c as usize], lane)).collect();
                let from = kernel.run(scratch, &seeds);
                let mut out = vec![(Vec::new(), Vec::new()); chunk.len()];
                for p in from..n {
                    if !scratch.is_live(p) {
                        continue;
                    }
                    let down = scratch.down_or_zero(p);
                    let c = kernel.order[p];
                    for_each_lane(&down, |lane| {
                        if let (Some(slot), Some(&x)) = (out.get_mut(lane), chunk.get(lane))
                            && x != c
                        {
                            slot.0.push(c);
                        }
                    });
                    if let Some(not_up) = scratch.not_up_at(p) {
                        for_each_lane(&and(not_up, &not(&down)), |lane| {
                            if let Some(slot) = out.get_mut(lane) {
                                slot.1.push(c);
                            }
                        });
                    }
                }
                out
            },
        )
        .collect();
    for (list, (down, degraded)) in lists.iter_mut().zip(outs.into_iter().flatten()) {
        list.down = sorted(down);
        list.degraded = sorted(degraded);
    }
}

/// The causes of the targets among `begin..begin + lists.len()`: one
/// down-only pass per 512 failures that can reach them.
fn causes_into(kernel: &Kernel, counts: &[u64], begin: usize, lists: &mut [DetailLists]) {
    let n = kernel.len();
    let mut targets: Vec<usize> = (begin..begin + lists.len())
        .filter(|&c| counts.get(c).is_some_and(|&k| k > 0))
        .map(|c| kernel.position[c] as usize)
        .collect();
    targets.sort_unstable();
    let Some(&last) = targets.last() else { return };
    // A failure reaches only its own SCC and what comes after it.
    let chunks = (0..n.div_ceil(LANES)).take_while(|&chunk| kernel.reach_begin(chunk * LANES) <= last);
    let pairs: Vec<Vec<(u32, u32)>> = chunks
        .collect::<Vec<_>>()
        .into_par_iter()
        .map_init(
            || Scratch::new(kernel),
            |scratch, chunk| {
                let (start, end) = (chunk * LANES, ((chunk + 1) * LANES).min(n));
                let seeds: Vec<(u32, u32)> = (start..end).map(|p| (p as u32, (p - start) as u32)).collect();
                let from = kernel.run(scratch, &seeds);
                let mut pairs = Vec::new();
                for &p in targets.iter().skip(targets.partition_point(|&p| p < from)) {
                    let Some(down) = scratch.down_at(p) else { continue };
                    let s = kernel.order[p];
                    for_each_lane(down, |lane| {
                        let x = kernel.order[start + lane];
                        if x != s {
                            pairs.push((s, x));
                        }
                    });
                }
                pairs
            },
        )
        .collect();
    for (s, x) in pairs.into_iter().flatten() {
        if let Some(list) = lists.get_mut(s as usize - begin) {
            list.causes.push(Net::id(x));
        }
    }
    for list in lists {
        list.causes.sort_unstable();
    }
}

fn sorted(mut ids: Vec<u32>) -> Vec<ComponentId> {
    ids.sort_unstable();
    ids.into_iter().map(Net::id).collect()
}
