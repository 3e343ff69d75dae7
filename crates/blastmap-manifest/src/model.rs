//! The validated inventory: components, their requirements, and where each
//! was written.
//!
//! The model is a petgraph [`DiGraph`] whose nodes are [`Component`]s and
//! whose edges point from a component to every member of each of its
//! requirements. The requirement itself (single target or k-of-n group, hard
//! or soft) is data on the component ([`Component::requirements`]); each edge
//! names the requirement it belongs to, so analyses can use either view.
//!
//! Node indices follow the order of component ids (byte-wise), so iterating
//! `0..model.len()` is already the deterministic order every output uses.

use std::fmt;
use std::sync::{Arc, OnceLock};

use petgraph::graph::{DiGraph, NodeIndex};

/// Index of a component in [`Model::graph`].
pub type ComponentId = NodeIndex<u32>;

/// Where something was written: the file as the user named it, 1-based line
/// and column (in characters), and the byte range for snippets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file path as given on the command line (joined with the relative
    /// path inside a directory argument).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Byte offset of the start in the file.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// 1-based line of the end (where the next character would be).
    pub end_line: u32,
    /// 1-based column of the end, exclusive: the column just after the
    /// last character (SARIF's `endColumn`).
    pub end_column: u32,
}

impl Location {
    /// A location for things that were not written in any file (for example
    /// the placeholder of a component that only appears in observed data).
    pub fn unknown() -> Self {
        Self { file: Arc::from(""), line: 0, column: 0, offset: 0, len: 0, end_line: 0, end_column: 0 }
    }

    /// Whether this location points into a real file.
    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What a component is. The failure-domain kinds (`host` .. `network`) are
/// components like any other: they fail and can depend on something.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Service,
    Frontend,
    Gateway,
    Job,
    Database,
    Cache,
    Queue,
    Storage,
    External,
    Host,
    Cluster,
    Zone,
    Region,
    Provider,
    Network,
}

impl Kind {
    /// Every kind, in documentation order.
    pub const ALL: [Kind; 15] = [
        Kind::Service,
        Kind::Frontend,
        Kind::Gateway,
        Kind::Job,
        Kind::Database,
        Kind::Cache,
        Kind::Queue,
        Kind::Storage,
        Kind::External,
        Kind::Host,
        Kind::Cluster,
        Kind::Zone,
        Kind::Region,
        Kind::Provider,
        Kind::Network,
    ];

    /// The name used in manifests and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Frontend => "frontend",
            Kind::Gateway => "gateway",
            Kind::Job => "job",
            Kind::Database => "database",
            Kind::Cache => "cache",
            Kind::Queue => "queue",
            Kind::Storage => "storage",
            Kind::External => "external",
            Kind::Host => "host",
            Kind::Cluster => "cluster",
            Kind::Zone => "zone",
            Kind::Region => "region",
            Kind::Provider => "provider",
            Kind::Network => "network",
        }
    }

    /// Parses a kind name as written in a manifest.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Failure domains: where things run, not what they do.
    pub fn is_domain(self) -> bool {
        matches!(
            self,
            Kind::Host | Kind::Cluster | Kind::Zone | Kind::Region | Kind::Provider | Kind::Network
        )
    }

    /// Things that hold state (drawn as cylinders).
    pub fn is_datastore(self) -> bool {
        matches!(self, Kind::Database | Kind::Cache | Kind::Storage)
    }

    /// User-facing by default (`entrypoint` defaults to true).
    pub fn is_entrypoint_by_default(self) -> bool {
        matches!(self, Kind::Frontend | Kind::Gateway)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Hard requirements take a component down when unmet; soft ones lower the
/// outcome one step (unmet → impaired, impaired → met).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Hard,
    Soft,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Hard => "hard",
            Mode::Soft => "soft",
        }
    }
}

/// How a requirement was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequirementShape {
    /// A single target (`- payments` or `- target: payments`).
    Single,
    /// `any_of: [..]`, or `runs_in: [..]` with several domains: needs 1.
    AnyOf,
    /// `quorum: k, of: [..]`, or `runs_in: {quorum: k, of: [..]}`.
    Quorum,
}

/// Which manifest field a requirement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// An entry of `depends_on`.
    DependsOn,
    /// The placement `runs_in`.
    RunsIn,
    /// `within`, sugar for a hard dependency on the parent domain.
    Within,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::DependsOn => "depends_on",
            Origin::RunsIn => "runs_in",
            Origin::Within => "within",
        }
    }
}

/// One requirement of a component: it needs `need` of `members` to be alive.
///
/// A single target is `need = 1` with one member. Members are distinct and
/// never the component itself (both are validation errors).
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    pub shape: RequirementShape,
    /// k of a k-of-n group; 1 for single targets and `any_of`.
    pub need: u32,
    /// The members, in the order written.
    pub members: Vec<ComponentId>,
    pub mode: Mode,
    /// Free text shown in reports (`via: gRPC`).
    pub via: Option<String>,
    pub origin: Origin,
    /// Where the requirement was written (the list entry, or the field).
    pub location: Location,
    /// Where each member was written, parallel to `members`.
    pub member_locations: Vec<Location>,
}

impl Requirement {
    /// Whether this is a k-of-n group rather than a single target.
    pub fn is_group(&self) -> bool {
        self.shape != RequirementShape::Single
    }
}

/// A component of the inventory with every field resolved (defaults applied).
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// The unique id.
    pub id: String,
    pub kind: Kind,
    /// Display name; the id when not given.
    pub name: String,
    /// 1 = most critical .. 4.
    pub tier: u8,
    pub owner: Option<String>,
    pub system: Option<String>,
    /// User-facing.
    pub entrypoint: bool,
    /// Importance, e.g. share of traffic.
    pub weight: f64,
    /// % of time up on its own; `None` never fails on its own.
    pub availability: Option<f64>,
    /// % target, checked against the computed availability.
    pub slo: Option<f64>,
    pub replicas: Option<u32>,
    /// An http(s) URL whose 2xx answer means the component is up, for
    /// drills and runbooks; no analysis reads it.
    pub health: Option<String>,
    /// How to cause this component's failure on purpose, and undo it.
    pub drill: Option<Drill>,
    /// False for a placeholder: a component that a reference names but no
    /// file describes (a Backstage ref to an entity defined nowhere).
    pub defined: bool,
    /// Extra free-form facts from importers (lifecycle, image, ...), sorted.
    pub labels: Vec<(String, String)>,
    /// Every requirement: `depends_on` entries in order, then `runs_in`,
    /// then `within`.
    pub requirements: Vec<Requirement>,
    /// Where the component's key was written.
    pub location: Location,
    /// Fields that were written explicitly (not defaulted), for the
    /// `required-fields` rule and for importers. Sorted.
    pub explicit_fields: Vec<&'static str>,
}

impl Component {
    /// Critical components: tier 1, or entrypoints.
    pub fn is_critical(&self) -> bool {
        self.tier == 1 || self.entrypoint
    }

    /// Whether `field` was written in the manifest (not defaulted).
    pub fn has_explicit(&self, field: &str) -> bool {
        self.explicit_fields.binary_search(&field).is_ok()
    }
}

/// A failure drill: the shell commands that take a component down and
/// bring it back (`drill: {inject: .., restore: ..}` in a manifest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drill {
    /// The command that injects the failure; never empty.
    pub inject: String,
    /// The command that undoes it; `None` when the drill has none (the
    /// failure ends on its own, or is undone by hand).
    pub restore: Option<String>,
}

/// The data of one graph edge: which requirement of the source component it
/// belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// Index into the source component's `requirements`.
    pub requirement: u32,
    pub mode: Mode,
}

/// The validated inventory.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Components as nodes (indexed in id order); an edge `a → b` means a
    /// requirement of `a` has `b` as a member.
    pub graph: DiGraph<Component, Dependency, u32>,
    /// The `policy:` section, if the inventory has one.
    pub policy: Option<crate::policy::Policy>,
    /// Components by id, built by the first [`Model::find`]: validating
    /// looks nothing up, and a copy of a million ids is time and memory.
    index: OnceLock<crate::syntax::FastMap<String, ComponentId>>,
}

impl Model {
    /// Builds a model from components whose requirements already refer to
    /// indices in `components` order. Components must be sorted by id and
    /// ids must be unique; the loader guarantees both.
    ///
    /// # Complexity
    /// O(components + requirement members).
    pub fn from_components(components: Vec<Component>, policy: Option<crate::policy::Policy>) -> Self {
        debug_assert!(
            components.iter().zip(components.iter().skip(1)).all(|(a, b)| a.id < b.id),
            "components sorted by unique id"
        );
        let mut builder = Builder::with_capacity(components.len());
        for component in components {
            builder.push(component);
        }
        builder.finish(policy)
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// The component at `id`.
    ///
    /// # Panics
    /// If `id` is not a node of this model (ids come from this model).
    pub fn component(&self, id: ComponentId) -> &Component {
        &self.graph[id]
    }

    /// Looks a component up by its id string.
    ///
    /// # Complexity
    /// O(length of `id`) expected; the first call indexes every component.
    pub fn find(&self, id: &str) -> Option<ComponentId> {
        let index =
            self.index.get_or_init(|| self.ids().map(|i| (self.component(i).id.clone(), i)).collect());
        index.get(id).copied()
    }

    /// All component indices in id order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = ComponentId> + '_ {
        self.graph.node_indices()
    }

    /// All components in id order.
    pub fn components(&self) -> impl ExactSizeIterator<Item = &Component> + '_ {
        self.graph.raw_nodes().iter().map(|n| &n.weight)
    }

    /// The ids closest to `unknown`, for "did you mean" help.
    pub fn suggest(&self, unknown: &str) -> Option<&str> {
        crate::suggest::closest(unknown, self.components().map(|c| c.id.as_str()))
    }
}

/// Builds a [`Model`] one component at a time, in id order, so that the
/// loader moves each component straight into the graph (collecting them in
/// a vector first held every component twice at the peak).
pub(crate) struct Builder {
    graph: DiGraph<Component, Dependency, u32>,
}

impl Builder {
    /// A builder with room for `components` nodes.
    pub(crate) fn with_capacity(components: usize) -> Self {
        Self { graph: DiGraph::with_capacity(components, 0) }
    }

    /// A builder whose nodes are those of `graph`, which has no edges.
    pub(crate) fn from_nodes(graph: DiGraph<Component, Dependency, u32>) -> Self {
        debug_assert_eq!(graph.edge_count(), 0, "edges are added by `finish`");
        Self { graph }
    }

    /// Adds the next component (by id order) whose requirements refer to
    /// node indices of this model.
    pub(crate) fn push(&mut self, component: Component) {
        debug_assert!(
            self.graph.raw_nodes().last().is_none_or(|last| last.weight.id < component.id),
            "components sorted by unique id"
        );
        self.graph.add_node(component);
    }

    /// Adds an edge for every requirement member, in component,
    /// requirement and member order, and returns the model.
    ///
    /// # Complexity
    /// O(components + requirement members).
    pub(crate) fn finish(mut self, policy: Option<crate::policy::Policy>) -> Model {
        let edges =
            self.graph.raw_nodes().iter().flat_map(|n| &n.weight.requirements).map(|r| r.members.len()).sum();
        self.graph.reserve_exact_edges(edges);
        let mut targets = Vec::new();
        for from in 0..self.graph.node_count() {
            let from = NodeIndex::new(from);
            let Some(component) = self.graph.node_weight(from) else { continue };
            targets.clear();
            for (r, req) in component.requirements.iter().enumerate() {
                let dependency = Dependency { requirement: r as u32, mode: req.mode };
                targets.extend(req.members.iter().map(|&member| (member, dependency)));
            }
            for &(to, dependency) in &targets {
                self.graph.add_edge(from, to, dependency);
            }
        }
        Model { graph: self.graph, policy, index: OnceLock::new() }
    }
}
