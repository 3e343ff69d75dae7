//! What a diagram shows, independent of its syntax: the nodes (components,
//! group junctions, or cluster summaries), the edges, the clusters and the
//! legend notes. `dot` and `mermaid` only translate a [`Scene`] into their
//! language, so both formats always draw the same picture.
//!
//! All text in a scene is terminal-safe (control characters escaped, names
//! split at newlines) but not yet escaped for any format: that is the job of
//! each renderer, because each language has its own dangerous characters.

use std::collections::{BTreeMap, BTreeSet};

use blastmap_analysis::cascades::{GroupState, group_state};
use blastmap_analysis::simulate::{Simulation, State};
use blastmap_manifest::{Component, ComponentId, Kind, Mode, Model, Origin, Requirement};

use crate::render::path::{Paths, describe};
use crate::render::safe;

/// Above this many components, `graph` summarises clusters unless `--all`.
pub(crate) const COLLAPSE_THRESHOLD: usize = 150;

/// The most arrows of a grouped drawing (above [`COLLAPSE_THRESHOLD`]
/// components) in an SVG, a PNG or the HTML page: Graphviz took 0.5 s for
/// 217 arrows between 40 groups, 32 s for 682. A larger overview is folded
/// to this ([`fold`]), and says so.
pub(crate) const OVERVIEW_ARROWS: usize = 250;

/// What the clusters (boxes) of a diagram group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClusterBy {
    System,
    Owner,
    /// The failure domains a component runs in.
    Domain,
    None,
}

/// Which way dependency arrows point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    LeftToRight,
    TopToBottom,
}

/// How a diagram is laid out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub cluster_by: ClusterBy,
    pub direction: Direction,
    /// Draw every component, however many.
    pub all: bool,
}

/// The colour of a node: its state under a failure set, or `Plain` when no
/// failure was simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Paint {
    Plain,
    Up,
    Degraded,
    Down,
    Failed,
}

impl Paint {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Paint::Plain => "plain",
            Paint::Up => "up",
            Paint::Degraded => "degraded",
            Paint::Down => "down",
            Paint::Failed => "failed",
        }
    }

    /// The states the legend explains, worst first.
    pub(crate) const LEGEND: [Paint; 4] = [Paint::Failed, Paint::Down, Paint::Degraded, Paint::Up];
}

/// What a node stands for (and so which shape it gets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Component(Kind),
    /// The junction of a k-of-n group.
    Junction,
    /// A collapsed cluster.
    Summary,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Lines of the label.
    pub label: Vec<String>,
    pub shape: Shape,
    pub paint: Paint,
    /// Lines of the tooltip (SVG).
    pub tooltip: Vec<String>,
    /// Index into [`Scene::clusters`].
    pub cluster: Option<usize>,
    /// A stable element id built from model indices (`bm-c3`, `bm-j3-1`),
    /// never from names: what the HTML report's script looks nodes up by.
    pub key: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Edge {
    /// Indices into [`Scene::nodes`].
    pub from: usize,
    pub to: usize,
    pub mode: Mode,
    /// Part of a cascade path of the simulated failure.
    pub hot: bool,
    /// From `runs_in` or `within` (drawn lighter: they are everywhere).
    pub placement: bool,
    /// Whether it ends in an arrow head (the edge into a junction does not).
    pub arrow: bool,
    pub label: Option<String>,
    /// How many requirement edges this one stands for (1 unless collapsed).
    pub count: usize,
    /// A stable element id from model indices: `bm-e{component}-{requirement}-{member}`
    /// (for a group, the edge from its junction to the member) or
    /// `bm-e{component}-{requirement}` (into a junction).
    pub key: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Scene {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Cluster labels (lines), sorted by the raw names.
    pub clusters: Vec<Vec<String>>,
    /// Lines for the legend beyond the fixed explanations.
    pub notes: Vec<String>,
    /// Whether nodes are coloured by a simulated failure.
    pub painted: bool,
    pub collapsed: bool,
    pub direction: Direction,
    /// Nodes drawn with a thick blue border: the components `--focus` names.
    pub focus: Vec<usize>,
}

/// How many hubs a drawing badges at most: the components whose failure
/// alone takes down the most others, when that is at least a fifth of the
/// inventory (and at least 3).
pub(crate) const HUBS: usize = 5;

/// The hubs among the components, by index, with what each takes down:
/// the [`HUBS`] largest blast radii of at least a fifth of the inventory.
pub(crate) fn hubs(down: &[u32]) -> Vec<(usize, u32)> {
    let floor = (down.len() / 5).max(3) as u32;
    let mut hubs: Vec<(usize, u32)> = down.iter().copied().enumerate().filter(|&(_, d)| d >= floor).collect();
    hubs.sort_by_key(|&(i, d)| (std::cmp::Reverse(d), i));
    hubs.truncate(HUBS);
    hubs
}

impl Scene {
    /// Badges the hubs (see [`hubs`]) drawn one by one with a label line
    /// "takes down N", and says so in the legend: what a reviewer should
    /// see first.
    pub(crate) fn mark_hubs(&mut self, down: &[u32]) {
        let hubs = hubs(down);
        let mut marked = 0;
        for node in &mut self.nodes {
            let Some(index) = node
                .key
                .as_deref()
                .and_then(|k| k.strip_prefix("bm-c"))
                .and_then(|i| i.parse::<usize>().ok())
            else {
                continue;
            };
            if let Some(&(_, d)) = hubs.iter().find(|&&(i, _)| i == index) {
                node.label.push(format!("takes down {d}"));
                marked += 1;
            }
        }
        if marked > 0 {
            self.notes.push(format!(
                "\"takes down N\": the {} whose failure alone takes down the most (at least a fifth of the inventory)",
                crate::render::plural(marked, "hub")
            ));
        }
    }

    /// Marks the nodes of `components` as the focus (those drawn one by
    /// one; a focus inside a group box marks nothing), and says so in the
    /// legend.
    pub(crate) fn set_focus(&mut self, components: &[ComponentId]) {
        let keys: Vec<String> = components.iter().map(|c| format!("bm-c{}", c.index())).collect();
        self.focus = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].key.as_ref().is_some_and(|k| keys.contains(k)))
            .collect();
        if !self.focus.is_empty() {
            self.notes.push("thick blue border: the focus".to_owned());
        }
    }
}

/// A text split into terminal-safe lines.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.split('\n').map(safe).collect()
}

/// Builds the scene of the components flagged in `selected`.
///
/// Edges to components that are not selected are not drawn, and a legend
/// note counts them; in a collapsed scene every edge is counted on a summary
/// edge or inside a summary node. Nothing is dropped silently.
pub(crate) fn scene(
    model: &Model,
    selected: &[bool],
    sim: Option<&Simulation>,
    options: Options,
    mut notes: Vec<String>,
) -> Scene {
    let count = selected.iter().filter(|&&s| s).count();
    let collapsed = !options.all && count > COLLAPSE_THRESHOLD;
    let mut scene = Scene {
        nodes: Vec::new(),
        edges: Vec::new(),
        clusters: Vec::new(),
        notes: Vec::new(),
        painted: sim.is_some(),
        collapsed,
        direction: options.direction,
        focus: Vec::new(),
    };
    let hidden = if collapsed {
        let groups = build_collapsed(&mut scene, model, selected, sim, options.cluster_by);
        notes.push(format!(
            "{count} components (more than {COLLAPSE_THRESHOLD}) drawn as {groups} groups by {}; arrows count \
             the requirements between groups; --all draws every component",
            by_name(options.cluster_by)
        ));
        groups_hidden(model, selected)
    } else {
        build_full(&mut scene, model, selected, sim, options.cluster_by)
    };
    if hidden > 0 {
        notes.push(format!(
            "{} to components outside this drawing not drawn",
            crate::render::plural(hidden, "requirement edge")
        ));
    }
    notes.extend(fold_repeated_labels(&mut scene));
    scene.notes = notes;
    scene
}

/// Arrows into one box that carry the same label at least this many times
/// lose it to one legend line (25 of the otel-demo's arrows into its
/// collector say "telemetry").
const REPEATED_LABEL: usize = 5;

/// Folds repeated arrow labels into the legend: a label written on at
/// least [`REPEATED_LABEL`] arrows into the same box is taken off them and
/// said once ("arrows into otel-collector: telemetry (25)").
fn fold_repeated_labels(scene: &mut Scene) -> Vec<String> {
    let mut counts: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    for e in &scene.edges {
        if let Some(label) = &e.label {
            *counts.entry((e.to, label.as_str())).or_default() += 1;
        }
    }
    let folded: Vec<(usize, String, usize)> = counts
        .into_iter()
        .filter(|&(_, count)| count >= REPEATED_LABEL)
        .map(|((target, label), count)| (target, label.to_owned(), count))
        .collect();
    let mut notes = Vec::new();
    for (target, label, count) in folded {
        for e in
            scene.edges.iter_mut().filter(|e| e.to == target && e.label.as_deref() == Some(label.as_str()))
        {
            e.label = None;
        }
        let name = scene.nodes.get(target).and_then(|n| n.label.first()).cloned().unwrap_or_default();
        notes.push(format!("arrows into {name}: {label} ({count})"));
    }
    notes
}

fn by_name(by: ClusterBy) -> &'static str {
    match by {
        ClusterBy::System => "system",
        ClusterBy::Owner => "owner",
        ClusterBy::Domain => "failure domain",
        ClusterBy::None => "kind",
    }
}

/// The cluster a component belongs to, if any.
fn cluster_key(model: &Model, c: &Component, by: ClusterBy) -> Option<String> {
    match by {
        ClusterBy::System => c.system.clone(),
        ClusterBy::Owner => c.owner.clone(),
        ClusterBy::Domain => {
            let mut domains: Vec<&str> = c
                .requirements
                .iter()
                .filter(|r| r.origin == Origin::RunsIn)
                .flat_map(|r| r.members.iter().map(|&m| model.component(m).id.as_str()))
                .collect();
            domains.sort_unstable();
            domains.dedup();
            (!domains.is_empty()).then(|| domains.join(", "))
        }
        ClusterBy::None => None,
    }
}

fn paint_of(sim: Option<&Simulation>, c: ComponentId) -> Paint {
    match sim {
        None => Paint::Plain,
        Some(sim) if sim.is_failed(c) => Paint::Failed,
        Some(sim) => match sim.state(c) {
            State::Up => Paint::Up,
            State::Degraded => Paint::Degraded,
            State::Down => Paint::Down,
        },
    }
}

/// Every (component, requirement, member) step on a cascade path.
fn hot_steps(model: &Model, sim: Option<&Simulation>) -> BTreeSet<(usize, u32, usize)> {
    let mut hot = BTreeSet::new();
    let Some(sim) = sim else { return hot };
    for c in model.ids() {
        if sim.state(c) == State::Up || sim.is_failed(c) {
            continue;
        }
        // Every step of a path is itself affected with its own first step:
        // the first steps of all are every step of every path, in O(n).
        if let Some(cause) = sim.cause(c) {
            hot.insert((c.index(), cause.requirement, cause.next.index()));
        }
    }
    hot
}

fn component_node(
    model: &Model,
    simulated: Option<(&Simulation, &Paths)>,
    c: ComponentId,
    cluster: Option<usize>,
) -> Node {
    let sim = simulated.map(|(sim, _)| sim);
    let component = model.component(c);
    let paint = paint_of(sim, c);
    let mut label = lines(&component.name);
    // The id only adds information when the name says something else.
    if !component.name.eq_ignore_ascii_case(&component.id) {
        label.push(format!("({})", safe(&component.id)));
    }
    match paint {
        Paint::Failed => label.push("FAILED".to_owned()),
        Paint::Down => label.push("down".to_owned()),
        Paint::Degraded => label.push("degraded".to_owned()),
        Paint::Plain | Paint::Up => {}
    }
    let mut tooltip = vec![format!("{} ({})", safe(&component.id), component.kind)];
    if let Some(owner) = &component.owner {
        tooltip.push(format!("owner: {}", safe(owner)));
    }
    tooltip.push(format!("tier: {}", component.tier));
    tooltip.push(match component.availability {
        Some(a) => format!("availability: {a}%"),
        None => "availability: never fails on its own".to_owned(),
    });
    if let Some(slo) = component.slo {
        tooltip.push(format!("slo: {slo}%"));
    }
    if let Some((sim, paths)) = simulated
        && matches!(paint, Paint::Down | Paint::Degraded)
    {
        tooltip.push(format!("{}: {}", sim.state(c).as_str(), describe(model, sim, paths, c)));
    }
    let key = Some(format!("bm-c{}", c.index()));
    Node { label, shape: Shape::Component(component.kind), paint, tooltip, cluster, key }
}

/// The colour of a group junction: the engine's state of the group
/// (docs/semantics.md#requirements), unmet drawn as down, impaired as degraded.
fn group_paint(req: &Requirement, sim: Option<&Simulation>) -> Paint {
    let Some(sim) = sim else { return Paint::Plain };
    match group_state(req, sim) {
        GroupState::Unmet => Paint::Down,
        GroupState::Impaired => Paint::Degraded,
        GroupState::Met => Paint::Up,
    }
}

/// Every component, junction and edge; returns how many requirement edges
/// lead outside the selection.
fn build_full(
    scene: &mut Scene,
    model: &Model,
    selected: &[bool],
    sim: Option<&Simulation>,
    by: ClusterBy,
) -> usize {
    let is_selected = |c: ComponentId| selected.get(c.index()).copied().unwrap_or(false);
    let keys: Vec<Option<String>> = model
        .ids()
        .map(|c| if is_selected(c) { cluster_key(model, model.component(c), by) } else { None })
        .collect();
    let names: Vec<&String> = keys.iter().flatten().collect::<BTreeSet<_>>().into_iter().collect();
    scene.clusters = names.iter().map(|k| lines(k)).collect();
    let cluster_of = |c: ComponentId| keys[c.index()].as_ref().and_then(|k| names.binary_search(&k).ok());
    let mut node_of = vec![None; model.len()];
    let mut nodes = Vec::new();
    let paths = sim.map(|sim| (sim, Paths::new(model, sim)));
    for c in model.ids().filter(|&c| is_selected(c)) {
        node_of[c.index()] = Some(nodes.len());
        nodes.push(component_node(model, paths.as_ref().map(|(s, p)| (*s, p)), c, cluster_of(c)));
    }
    let hot = hot_steps(model, sim);
    let mut edges = Vec::new();
    let mut hidden = 0;
    for c in model.ids().filter(|&c| is_selected(c)) {
        let Some(from) = node_of[c.index()] else { continue };
        let component = model.component(c);
        for (r, req) in component.requirements.iter().enumerate() {
            let drawn: Vec<(usize, ComponentId)> =
                req.members.iter().filter_map(|&m| node_of[m.index()].map(|n| (n, m))).collect();
            hidden += req.members.len() - drawn.len();
            if drawn.is_empty() {
                continue;
            }
            let placement = req.origin != Origin::DependsOn;
            let is_hot = |m: ComponentId| hot.contains(&(c.index(), r as u32, m.index()));
            let label = req.via.as_deref().map(safe);
            let edge = |from, to, hot, arrow, label, key| Edge {
                from,
                to,
                mode: req.mode,
                hot,
                placement,
                arrow,
                label,
                count: 1,
                key: Some(key),
            };
            let member_key = |m: ComponentId| format!("bm-e{}-{r}-{}", c.index(), m.index());
            if req.is_group() {
                let junction = nodes.len();
                nodes.push(Node {
                    label: vec![format!("{} of {}", req.need, req.members.len())],
                    shape: Shape::Junction,
                    paint: group_paint(req, sim),
                    tooltip: vec![format!(
                        "{}: {}",
                        safe(&component.id),
                        crate::render::path::group_name(model, req)
                    )],
                    cluster: cluster_of(c),
                    key: Some(format!("bm-j{}-{r}", c.index())),
                });
                let any_hot = drawn.iter().any(|&(_, m)| is_hot(m));
                edges.push(edge(from, junction, any_hot, false, label, format!("bm-e{}-{r}", c.index())));
                for (to, m) in drawn {
                    edges.push(edge(junction, to, is_hot(m), true, None, member_key(m)));
                }
            } else {
                for (to, m) in drawn {
                    edges.push(edge(from, to, is_hot(m), true, label.clone(), member_key(m)));
                }
            }
        }
    }
    scene.nodes = nodes;
    scene.edges = edges;
    hidden
}

/// Requirement edges from selected components to unselected ones.
fn groups_hidden(model: &Model, selected: &[bool]) -> usize {
    let is_selected = |c: ComponentId| selected.get(c.index()).copied().unwrap_or(false);
    model
        .ids()
        .filter(|&c| is_selected(c))
        .flat_map(|c| &model.component(c).requirements)
        .flat_map(|r| &r.members)
        .filter(|&&m| !is_selected(m))
        .count()
}

#[derive(Default)]
struct Tally {
    hard: usize,
    soft: usize,
    hot: bool,
}

/// One summary node per cluster (components without one are grouped by
/// kind); every requirement edge is counted, on a summary edge between two
/// groups or inside a group. Returns the number of groups.
/// The groups of a collapsed drawing, sorted by name, and each selected
/// component's group (an index into them).
pub(crate) fn collapsed_groups(
    model: &Model,
    selected: &[bool],
    by: ClusterBy,
) -> (Vec<String>, Vec<Option<usize>>) {
    let is_selected = |c: ComponentId| selected.get(c.index()).copied().unwrap_or(false);
    let group_name = |c: ComponentId| {
        let component = model.component(c);
        cluster_key(model, component, by).map_or_else(
            || format!("({} {}s)", if by == ClusterBy::None { "all" } else { "other" }, component.kind),
            |k| lines(&k).join(" "),
        )
    };
    let names: Vec<Option<String>> = model.ids().map(|c| is_selected(c).then(|| group_name(c))).collect();
    let groups: Vec<String> = names.iter().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let of = names.iter().map(|n| n.as_ref().and_then(|n| groups.binary_search(n).ok())).collect();
    (groups, of)
}

fn build_collapsed(
    scene: &mut Scene,
    model: &Model,
    selected: &[bool],
    sim: Option<&Simulation>,
    by: ClusterBy,
) -> usize {
    let (groups, of) = collapsed_groups(model, selected, by);
    let group_of = |c: ComponentId| of.get(c.index()).copied().flatten();
    let hot = hot_steps(model, sim);

    let mut members = vec![0usize; groups.len()];
    let mut inside = vec![0usize; groups.len()];
    let mut paints = vec![BTreeMap::<Paint, usize>::new(); groups.len()];
    let mut between: BTreeMap<(usize, usize), Tally> = BTreeMap::new();
    for c in model.ids() {
        let Some(g) = group_of(c) else { continue };
        members[g] += 1;
        *paints[g].entry(paint_of(sim, c)).or_default() += 1;
        for (r, req) in model.component(c).requirements.iter().enumerate() {
            for &m in &req.members {
                let Some(h) = group_of(m) else { continue };
                if g == h {
                    inside[g] += 1;
                    continue;
                }
                let tally = between.entry((g, h)).or_default();
                match req.mode {
                    Mode::Hard => tally.hard += 1,
                    Mode::Soft => tally.soft += 1,
                }
                tally.hot |= hot.contains(&(c.index(), r as u32, m.index()));
            }
        }
    }
    for (g, name) in groups.iter().enumerate() {
        let mut label = vec![name.clone(), crate::render::plural(members[g], "component")];
        if sim.is_some() {
            let counts: Vec<String> = [Paint::Failed, Paint::Down, Paint::Degraded]
                .into_iter()
                .filter_map(|p| paints[g].get(&p).map(|n| format!("{n} {}", p.name())))
                .collect();
            if !counts.is_empty() {
                label.push(counts.join(", "));
            }
        }
        if inside[g] > 0 {
            label.push(format!("{} inside", crate::render::plural(inside[g], "requirement edge")));
        }
        scene.nodes.push(Node {
            tooltip: label.clone(),
            label,
            shape: Shape::Summary,
            paint: paints[g].keys().next_back().copied().unwrap_or(Paint::Plain),
            cluster: None,
            // The HTML page colours the group by what a pick takes down in it.
            key: Some(format!("bm-g{g}")),
        });
    }
    for ((g, h), tally) in between {
        let label = match (tally.hard, tally.soft) {
            (n, 0) => format!("{n}"),
            (0, n) => format!("{n} soft"),
            (a, b) => format!("{a} hard, {b} soft"),
        };
        scene.edges.push(Edge {
            from: g,
            to: h,
            mode: if tally.hard > 0 { Mode::Hard } else { Mode::Soft },
            hot: tally.hot,
            placement: false,
            arrow: true,
            label: Some(label),
            count: tally.hard + tally.soft,
            // The HTML page draws a pick's cascade paths between groups on it.
            key: Some(format!("bm-ge{g}-{h}")),
        });
    }
    groups.len()
}

/// `failing zone-a: 15 down, 2 degraded (of 35)`.
pub(crate) fn failure_note(model: &Model, sim: &Simulation) -> String {
    let failed: Vec<String> = sim.failed().iter().map(|&f| safe(&model.component(f).id)).collect();
    let down = sim.affected().filter(|&c| sim.state(c) == State::Down).count();
    let degraded = sim.affected().filter(|&c| sim.state(c) == State::Degraded).count();
    format!("failing {}: {down} down, {degraded} degraded (of {})", failed.join(", "), model.len())
}

/// What `simulate` draws: the failed components, everything that depends on
/// them (affected or not: an unaffected dependent shows redundancy that
/// held), and the other members of their groups that hold a drawn member.
pub(crate) fn simulation_selection(model: &Model, sim: &Simulation) -> Vec<bool> {
    use blastmap_analysis::neighbourhood::{Reach, neighbourhood};
    let mut selected = neighbourhood(model, sim.failed(), None, Reach::Dependents);
    let mut extra = Vec::new();
    for c in model.ids().filter(|c| selected[c.index()]) {
        for req in model.component(c).requirements.iter().filter(|r| r.is_group()) {
            if req.members.iter().any(|m| selected[m.index()]) {
                extra.extend(req.members.iter().copied());
            }
        }
    }
    for m in extra {
        selected[m.index()] = true;
    }
    selected
}

/// `scene` with at most `max_edges` arrows, for a drawing program (`who`:
/// Mermaid refuses more than 500, Graphviz takes minutes on a few hundred
/// between groups), and what was folded to get there, in words:
/// first parallel arrows between the same two boxes become one; then boxes
/// with a single neighbour and nothing depending on them (leaves) are
/// folded into that neighbour, which counts them; then the arrows that
/// stand for the fewest requirements are left out, counted. Cascade paths
/// (hot arrows) are kept whenever they fit.
pub(crate) fn fold(scene: &Scene, max_edges: usize, who: &str) -> (Scene, Vec<String>) {
    let mut folded = Vec::new();
    if scene.edges.len() <= max_edges {
        return (scene.clone(), folded);
    }
    let mut out = scene.clone();
    // 1. One arrow per (from, to): hard wins over soft, counts add up.
    let before = out.edges.len();
    let mut merged: Vec<Edge> = Vec::with_capacity(before);
    let mut at: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for e in out.edges.drain(..) {
        if let Some(&k) = at.get(&(e.from, e.to)) {
            let kept = &mut merged[k];
            kept.count += e.count;
            kept.hot |= e.hot;
            kept.placement &= e.placement;
            kept.arrow |= e.arrow;
            if e.mode == Mode::Hard {
                kept.mode = Mode::Hard;
            }
            kept.label = None;
        } else {
            at.insert((e.from, e.to), merged.len());
            merged.push(e);
        }
    }
    out.edges = merged;
    if out.edges.len() < before {
        folded.push(format!("{} parallel arrows merged into {}", before, out.edges.len()));
    }
    // 2. Leaves: a box that nothing needs and that needs one box only.
    if out.edges.len() > max_edges {
        let n = out.nodes.len();
        let (mut outgoing, mut incoming) = (vec![0usize; n], vec![0usize; n]);
        for e in &out.edges {
            outgoing[e.from] += 1;
            incoming[e.to] += 1;
        }
        let leaf: Vec<bool> = (0..n).map(|i| incoming[i] == 0 && outgoing[i] == 1).collect();
        // A leaf's one arrow ends in a box that is needed, so not a leaf:
        // folding drops that arrow, and the leaf is left with none.
        let mut into = vec![0usize; n];
        for e in out.edges.iter().filter(|e| leaf[e.from]) {
            into[e.to] += 1;
        }
        let leaves = leaf.iter().filter(|&&l| l).count();
        if leaves > 0 {
            out.edges.retain(|e| !leaf[e.from]);
            for (i, node) in out.nodes.iter_mut().enumerate() {
                if into[i] > 0 {
                    node.label.push(format!("+ {} folded: needed only by them", into[i]));
                }
            }
            let keep: Vec<bool> = leaf.iter().map(|&l| !l).collect();
            renumber(&mut out, &keep);
            folded.push(format!("{leaves} boxes that only need one other folded into it"));
        }
    }
    // 3. The lightest arrows, counted.
    if out.edges.len() > max_edges {
        let mut order: Vec<usize> = (0..out.edges.len()).collect();
        order.sort_by_key(|&e| (!out.edges[e].hot, std::cmp::Reverse(out.edges[e].count), e));
        let mut keep = vec![false; out.edges.len()];
        for &e in order.iter().take(max_edges) {
            keep[e] = true;
        }
        let dropped: Vec<usize> = (0..out.edges.len()).filter(|&e| !keep[e]).collect();
        let requirements: usize = dropped.iter().map(|&e| out.edges[e].count).sum();
        let heaviest = dropped.iter().map(|&e| out.edges[e].count).max().unwrap_or(0);
        let mut k = 0;
        out.edges.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        folded.push(format!(
            "{} of at most {} each ({}) left out: {who} draws at most {max_edges} arrows here",
            crate::render::plural(dropped.len(), "arrow"),
            crate::render::plural(heaviest, "requirement"),
            crate::render::plural(requirements, "requirement"),
        ));
    }
    if !folded.is_empty() {
        out.notes.push(format!("folded to fit {who}: {}", folded.join("; ")));
        out.notes.push("the whole graph: blastmap graph --format svg (or dot)".to_owned());
    }
    (out, folded)
}

/// Drops the nodes not in `keep`, renumbering the edges.
fn renumber(scene: &mut Scene, keep: &[bool]) {
    let mut index = vec![usize::MAX; scene.nodes.len()];
    let mut next = 0;
    for (i, &k) in keep.iter().enumerate() {
        if k {
            index[i] = next;
            next += 1;
        }
    }
    let mut i = 0;
    scene.nodes.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    scene.edges.retain(|e| index[e.from] != usize::MAX && index[e.to] != usize::MAX);
    for e in &mut scene.edges {
        e.from = index[e.from];
        e.to = index[e.to];
    }
    scene.focus =
        scene.focus.iter().filter_map(|&i| index.get(i).copied().filter(|&j| j != usize::MAX)).collect();
}

/// The fixed lines of the legend.
pub(crate) fn legend_lines(scene: &Scene) -> Vec<String> {
    let mut out = Vec::new();
    if scene.collapsed {
        out.push("each box: a group of components, with counts".to_owned());
        out.push("arrow label: requirements between two groups".to_owned());
    } else {
        out.push("solid arrow: hard requirement (its loss takes the component down)".to_owned());
        out.push("dashed arrow: soft requirement (its loss degrades)".to_owned());
        if scene.edges.iter().any(|e| e.placement) {
            out.push("grey arrow: placement (runs_in, within)".to_owned());
        }
        if scene.nodes.iter().any(|n| n.shape == Shape::Junction) {
            out.push("diamond k of n: redundancy group, needs k of its n members".to_owned());
        }
        out.push(
            "shapes: cylinder = datastore, flag = queue, 3-D box = external, folder = failure domain"
                .to_owned(),
        );
    }
    if scene.painted {
        out.push("red arrow: cascade path of the failure".to_owned());
    }
    out.extend(scene.notes.iter().cloned());
    out
}
