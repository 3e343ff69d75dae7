//! The emergency plan of a failure (docs/drills.md#runbooks): who is hit,
//! what is down and why, whom to page, and in what order things come back.

use std::collections::BTreeMap;

use blastmap_manifest::{ComponentId, Mode, Model};

use crate::net::Net;
use crate::simulate::{Simulation, State, simulate_net};

/// The owner to page and what of theirs is affected.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// `None` gathers the affected components nobody owns.
    pub owner: Option<String>,
    /// Their failed, down and degraded components, ascending.
    pub components: Vec<ComponentId>,
    /// The most critical tier among them (1 = most critical).
    pub tier: u8,
    /// Affected components over all the components they own.
    pub share: f64,
}

/// The runbook of one failure set.
#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    pub simulation: Simulation,
    /// Every down component (failed ones excluded) under the failed
    /// component its cascade path ends at, roots ascending, each list
    /// ascending.
    pub by_root: Vec<(ComponentId, Vec<ComponentId>)>,
    /// Owners to page: most critical tier first, then the largest share
    /// affected, then by name (nobody's components last).
    pub page: Vec<Page>,
    /// Restart waves once the failed components are back: wave 0 is the
    /// failed components; a down component restarts in the first wave where
    /// each of its hard requirements has enough members up (unaffected,
    /// degraded or restarted in an earlier wave). Each wave ascending.
    pub recovery: Vec<Vec<ComponentId>>,
    /// Down components that can never restart: a hard cycle among the
    /// affected components holds them (or they need one that it holds).
    /// Ascending.
    pub never_recovers: Vec<ComponentId>,
}

/// The runbook of failing `failed` (ids outside the model are ignored).
///
/// # Complexity
/// O(n + m) for the simulation and the restart waves, plus sorting.
pub fn runbook(model: &Model, failed: &[ComponentId]) -> Runbook {
    let net = Net::new(model);
    let simulation = simulate_net(&net, failed);
    let sim = &simulation;
    let down: Vec<ComponentId> =
        model.ids().filter(|&c| sim.state(c) == State::Down && !sim.is_failed(c)).collect();

    let mut roots: BTreeMap<ComponentId, Vec<ComponentId>> = BTreeMap::new();
    for &c in &down {
        if let Some(&root) = sim.path(c).last() {
            roots.entry(root).or_default().push(c);
        }
    }

    let mut owned: BTreeMap<Option<&str>, (usize, Vec<ComponentId>, u8)> = BTreeMap::new();
    for c in model.ids() {
        let comp = model.component(c);
        let entry = owned.entry(comp.owner.as_deref()).or_insert((0, Vec::new(), u8::MAX));
        entry.0 += 1;
        if sim.state(c) != State::Up {
            entry.1.push(c);
            entry.2 = entry.2.min(comp.tier);
        }
    }
    let mut page: Vec<Page> = owned
        .into_iter()
        .filter(|(_, (_, hit, _))| !hit.is_empty())
        .map(|(owner, (all, components, tier))| Page {
            owner: owner.map(str::to_owned),
            share: components.len() as f64 / all.max(1) as f64,
            components,
            tier,
        })
        .collect();
    page.sort_by(|a, b| {
        a.owner
            .is_none()
            .cmp(&b.owner.is_none())
            .then(a.tier.cmp(&b.tier))
            .then(b.share.total_cmp(&a.share))
            .then_with(|| a.owner.cmp(&b.owner))
    });

    let (recovery, never_recovers) = restart_waves(model, sim, &down);
    Runbook { by_root: roots.into_iter().collect(), page, recovery, never_recovers, simulation }
}

/// Kahn's algorithm with counters over the down components, everything
/// not down counted as up from the start and the failed components back in
/// wave 0. O(n + m) for the affected part.
fn restart_waves(
    model: &Model,
    sim: &Simulation,
    down: &[ComponentId],
) -> (Vec<Vec<ComponentId>>, Vec<ComponentId>) {
    let mut waiting = vec![false; model.len()];
    for &c in down {
        if let Some(w) = waiting.get_mut(c.index()) {
            *w = true;
        }
    }
    let is_waiting = |c: ComponentId, waiting: &[bool]| waiting.get(c.index()).copied().unwrap_or(false);
    // Per hard requirement of a waiting component: members still missing
    // before it is met; per component: its unmet hard requirements; per
    // waiting member: the requirements it counts in.
    let mut missing: Vec<usize> = Vec::new();
    let mut owner_of: Vec<ComponentId> = Vec::new();
    let mut unmet: BTreeMap<ComponentId, usize> = BTreeMap::new();
    let mut counts_in: BTreeMap<ComponentId, Vec<usize>> = BTreeMap::new();
    for &c in down {
        let mut open = 0;
        for r in model.component(c).requirements.iter().filter(|r| r.mode == Mode::Hard) {
            let up = r.members.iter().filter(|&&m| !is_waiting(m, &waiting)).count();
            let short = (r.need as usize).saturating_sub(up);
            if short > 0 {
                open += 1;
                let id = missing.len();
                missing.push(short);
                owner_of.push(c);
                for &m in r.members.iter().filter(|&&m| is_waiting(m, &waiting)) {
                    counts_in.entry(m).or_default().push(id);
                }
            }
        }
        unmet.insert(c, open);
    }
    let mut waves = vec![sim.failed().to_vec()];
    let mut wave: Vec<ComponentId> = unmet.iter().filter(|&(_, &open)| open == 0).map(|(&c, _)| c).collect();
    while !wave.is_empty() {
        let mut next = Vec::new();
        for &c in &wave {
            if let Some(w) = waiting.get_mut(c.index()) {
                *w = false;
            }
            for &r in counts_in.get(&c).map_or(&[][..], Vec::as_slice) {
                let Some(short) = missing.get_mut(r) else { continue };
                if *short == 0 {
                    continue;
                }
                *short -= 1;
                if *short == 0
                    && let Some(&owner) = owner_of.get(r)
                    && let Some(open) = unmet.get_mut(&owner)
                {
                    *open -= 1;
                    if *open == 0 {
                        next.push(owner);
                    }
                }
            }
        }
        wave.sort_unstable();
        waves.push(std::mem::take(&mut wave));
        next.sort_unstable();
        next.dedup();
        wave = next;
    }
    let never: Vec<ComponentId> = down.iter().copied().filter(|&c| is_waiting(c, &waiting)).collect();
    (waves, never)
}
