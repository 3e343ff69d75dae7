//! The neighbourhood of some components: what a focused diagram draws.

use std::collections::VecDeque;

use blastmap_manifest::{ComponentId, Model};
use petgraph::Direction;

/// Which way a neighbourhood grows from its centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// What the centre needs, transitively (its dependencies).
    Dependencies,
    /// What needs the centre, transitively (its dependents: what a failure
    /// of the centre can reach).
    Dependents,
    /// Both ways, as if the edges had no direction.
    Both,
}

/// The components within `depth` requirement steps of any component in
/// `centre`, following edges the way `reach` says; `depth = None` has no
/// limit. The centre itself is included (depth 0); ids outside the model are
/// ignored. Returns one flag per component, by index.
///
/// A step follows one edge of the model, that is from a component to one
/// member of one of its requirements (or back, for dependents), whatever the
/// requirement's mode or shape.
///
/// # Complexity
/// O(n + m) time and O(n) memory for n components and m requirement members:
/// one breadth-first search from all centre components at once.
pub fn neighbourhood(model: &Model, centre: &[ComponentId], depth: Option<u32>, reach: Reach) -> Vec<bool> {
    let n = model.len();
    let mut distance = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    for &c in centre {
        if c.index() < n && distance[c.index()] == u32::MAX {
            distance[c.index()] = 0;
            queue.push_back(c);
        }
    }
    let directions: &[Direction] = match reach {
        Reach::Dependencies => &[Direction::Outgoing],
        Reach::Dependents => &[Direction::Incoming],
        Reach::Both => &[Direction::Outgoing, Direction::Incoming],
    };
    while let Some(c) = queue.pop_front() {
        let d = distance[c.index()];
        if depth.is_some_and(|limit| d >= limit) {
            continue;
        }
        for &dir in directions {
            for next in model.graph.neighbors_directed(c, dir) {
                if distance[next.index()] == u32::MAX {
                    distance[next.index()] = d + 1;
                    queue.push_back(next);
                }
            }
        }
    }
    distance.into_iter().map(|d| d != u32::MAX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Model {
        // a -> b -> c -> d
        blastmap_manifest::load_texts(
            &[(
                "m.yaml",
                "blastmap: 1\ncomponents:\n  a: {depends_on: [b]}\n  b: {depends_on: [c]}\n  c: {depends_on: [d]}\n  d: {}\n",
            )],
            &blastmap_manifest::LoadOptions::default(),
        )
        .model
    }

    fn names(model: &Model, flags: &[bool]) -> Vec<String> {
        model.ids().filter(|c| flags[c.index()]).map(|c| model.component(c).id.clone()).collect()
    }

    #[test]
    fn depth_limits_both_directions() {
        let model = chain();
        let b = model.find("b").unwrap();
        assert_eq!(names(&model, &neighbourhood(&model, &[b], Some(1), Reach::Both)), ["a", "b", "c"]);
        assert_eq!(names(&model, &neighbourhood(&model, &[b], Some(0), Reach::Both)), ["b"]);
        assert_eq!(names(&model, &neighbourhood(&model, &[b], None, Reach::Dependencies)), ["b", "c", "d"]);
        assert_eq!(names(&model, &neighbourhood(&model, &[b], None, Reach::Dependents)), ["a", "b"]);
    }
}
