//! Whether an inventory says what matters (docs/semantics.md#criticality-missing).
//!
//! The single-point-of-failure analyses protect critical components (tier 1
//! or entrypoint). An inventory where nothing is critical (typical of one
//! imported from files that do not say who the users are) makes them
//! report nothing, which reads like an all-clear. This module finds that
//! case and the examples a user needs to fix it.

use blastmap_manifest::{ComponentId, Kind, Model};

/// How many examples of each sort [`NothingCritical`] gives.
pub const EXAMPLES: usize = 2;

/// No component is protected: what the user should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingCritical {
    /// The tier at or below which a component counts as critical (1 unless
    /// a `no-spof` rule says otherwise).
    pub tier: u8,
    /// The failures that take the most down, with how many components each
    /// takes down, most first (at most [`EXAMPLES`]; only failures that take
    /// something down).
    pub biggest: Vec<(ComponentId, u32)>,
    /// Candidates for `entrypoint: true`: components that nothing depends
    /// on and that depend on the most (at most [`EXAMPLES`]; failure domains
    /// and jobs excluded).
    pub tops: Vec<ComponentId>,
    /// Components in the inventory.
    pub components: usize,
}

/// `Some` when no component is critical at `tier` (tier ≤ `tier`, or an
/// entrypoint); `down` gives the blast radius (components taken down) of a
/// failure.
///
/// # Complexity
/// O(n + m) besides `down`, called once per component.
pub fn nothing_critical(
    model: &Model,
    tier: u8,
    down: impl Fn(ComponentId) -> u32,
) -> Option<NothingCritical> {
    if model.is_empty() || model.components().any(|c| c.entrypoint || c.tier <= tier) {
        return None;
    }
    let mut radii: Vec<(ComponentId, u32)> =
        model.ids().map(|c| (c, down(c))).filter(|&(_, d)| d > 0).collect();
    radii.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    radii.truncate(EXAMPLES);
    let mut depended = vec![false; model.len()];
    for c in model.components() {
        for r in &c.requirements {
            for m in &r.members {
                if let Some(slot) = depended.get_mut(m.index()) {
                    *slot = true;
                }
            }
        }
    }
    let height = heights(model);
    let mut tops: Vec<(u32, usize, ComponentId)> = model
        .ids()
        .filter(|c| !depended.get(c.index()).copied().unwrap_or(true))
        .filter(|&c| {
            let kind = model.component(c).kind;
            !kind.is_domain() && kind != Kind::Job
        })
        .map(|c| (height[c.index()], model.component(c).requirements.len(), c))
        .filter(|&(_, needs, _)| needs > 0)
        .collect();
    // The deepest stacks first (what users reach sits on top of the most),
    // then the most direct needs, then the id.
    tops.sort_by(|a, b| {
        b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| model.component(a.2).id.cmp(&model.component(b.2).id))
    });
    Some(NothingCritical {
        tier,
        biggest: radii,
        tops: tops.into_iter().take(EXAMPLES).map(|(_, _, c)| c).collect(),
        components: model.len(),
    })
}

/// The longest chain of requirements below each component (0 for one that
/// needs nothing); an edge back into the chain being walked (a cycle)
/// counts as nothing.
///
/// # Complexity
/// O(n + m), iterative (no recursion on deep chains).
fn heights(model: &Model) -> Vec<u32> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let n = model.len();
    let mut state = vec![NEW; n];
    let mut height = vec![0u32; n];
    let needs = |c: usize| -> Vec<usize> {
        let component = model.component(ComponentId::new(c));
        component
            .requirements
            .iter()
            .flat_map(|r| r.members.iter().map(|m| m.index()))
            .filter(|&m| m < n)
            .collect()
    };
    for start in 0..n {
        if state[start] != NEW {
            continue;
        }
        state[start] = OPEN;
        let mut stack: Vec<(usize, Vec<usize>, usize)> = vec![(start, needs(start), 0)];
        while let Some((c, members, next)) = stack.last_mut() {
            if let Some(&m) = members.get(*next) {
                *next += 1;
                match state[m] {
                    NEW => {
                        state[m] = OPEN;
                        let below = needs(m);
                        stack.push((m, below, 0));
                    }
                    DONE => height[*c] = height[*c].max(height[m] + 1),
                    _ => {}
                }
            } else {
                let c = *c;
                state[c] = DONE;
                stack.pop();
                if let Some((parent, _, _)) = stack.last() {
                    height[*parent] = height[*parent].max(height[c] + 1);
                }
            }
        }
    }
    height
}
