//! Importers: foreign formats (Docker Compose, Kubernetes, Backstage catalog,
//! observed dependencies) read into the same raw components as native
//! manifests, and `blastmap import`'s native manifest written from them.
//!
//! Each importer maps what its format really says, records where every
//! dependency came from (the evidence becomes a YAML comment in `import`'s
//! output), and reports what it could not map as a warning: an import is
//! never silently partial.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use petgraph::graph::NodeIndex;

use crate::model::{Kind, Mode, Origin, Requirement, RequirementShape};
use crate::source::SourceFile;
use crate::staging::{Explicit, Fields, IdTable, RawComponent, RawComponents};
use crate::syntax::{Node, Value};

pub(crate) mod backstage;
pub(crate) mod compose;
pub mod emit;
mod hints;
pub(crate) mod kubernetes;
pub(crate) mod observed;

pub(crate) use hints::{HostRef, hosts_in, is_telemetry, key_names_host, kind_of, sanitize_id};

/// A foreign format blastmap reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Docker Compose files (several are merged in order, like `-f a -f b`).
    Compose,
    /// Kubernetes manifests (multi-document YAML).
    Kubernetes,
    /// Backstage catalog entities.
    Backstage,
    /// Observed dependencies: Jaeger's `/api/dependencies` JSON.
    Otel,
}

impl Format {
    /// Every format, in documentation order.
    pub const ALL: [Format; 4] = [Format::Compose, Format::Kubernetes, Format::Backstage, Format::Otel];

    /// The name used by `--from`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Compose => "compose",
            Format::Kubernetes => "kubernetes",
            Format::Backstage => "backstage",
            Format::Otel => "otel",
        }
    }

    /// The name used in messages.
    pub fn title(self) -> &'static str {
        match self {
            Format::Compose => "Docker Compose",
            Format::Kubernetes => "Kubernetes",
            Format::Backstage => "Backstage catalog",
            Format::Otel => "observed dependencies (Jaeger JSON)",
        }
    }

    /// Whether a document has the shape of this format (`--from` keeps
    /// the documents that fit and warns about the others).
    pub(crate) fn fits(self, doc: &Node) -> bool {
        match self {
            Format::Compose => doc.get("services").is_some() && doc.get("apiVersion").is_none(),
            Format::Kubernetes | Format::Backstage => {
                (doc.get("apiVersion").is_some() && doc.get("kind").is_some()) || doc.get("items").is_some()
            }
            Format::Otel => match &doc.value {
                Value::Seq(items) => items.iter().all(observed::is_edge),
                Value::Map(_) => matches!(doc.get("data").map(|d| &d.value), Some(Value::Seq(_))),
                _ => false,
            },
        }
    }

    /// Which foreign format a parsed document is, if any. Native manifests
    /// (a `blastmap` key) are not foreign.
    pub(crate) fn detect(doc: &Node) -> Option<Format> {
        if let Some(entries) = doc.as_map() {
            if doc.get("blastmap").is_some() {
                return None;
            }
            if let Some(api) = doc.get("apiVersion").and_then(text)
                && doc.get("kind").is_some()
            {
                return Some(if api.starts_with("backstage.io/") {
                    Format::Backstage
                } else {
                    Format::Kubernetes
                });
            }
            // A Kubernetes `List` of resources.
            if doc.get("kind").and_then(text).is_some_and(|k| k.ends_with("List"))
                && doc.get("items").is_some()
            {
                return Some(Format::Kubernetes);
            }
            if doc.get("services").is_some_and(|s| s.as_map().is_some()) {
                return Some(Format::Compose);
            }
            if let Some(Value::Seq(items)) = doc.get("data").map(|d| &d.value)
                && entries.len() <= 6
                && items.iter().all(observed::is_edge)
            {
                return Some(Format::Otel);
            }
            return None;
        }
        if let Value::Seq(items) = &doc.value
            && !items.is_empty()
            && items.iter().all(observed::is_edge)
        {
            return Some(Format::Otel);
        }
        None
    }
}

/// What the importers produced: components by id, with where every
/// dependency came from.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub components: BTreeMap<String, Imported>,
}

/// One imported component. Fields mirror the native manifest's.
#[derive(Clone, Debug)]
pub struct Imported {
    pub id: String,
    pub kind: Option<Kind>,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub replicas: Option<u32>,
    /// The URL a probe of the format asks (a Kubernetes readiness or
    /// liveness `httpGet`, a Compose `healthcheck` that fetches a URL), as
    /// reached from outside the container.
    pub health: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub description: Option<String>,
    pub dependencies: Vec<ImportedDependency>,
    /// Why it is taken for an entrypoint (users reach it directly), one
    /// entry per piece of evidence (`Kubernetes Service web is type
    /// LoadBalancer`); empty when nothing says so. Never inferred without
    /// evidence: the entries become comments in `import`'s output.
    pub entrypoint: Vec<String>,
    /// False for a placeholder: something a reference names that no input
    /// file describes.
    pub defined: bool,
    /// Facts worth a reviewer's eye that are not evidence of a dependency
    /// (`defined identically in a.yaml and b.yaml`): comments in `import`'s
    /// output.
    pub notes: Vec<String>,
    /// Which format it came from.
    pub format: Format,
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    /// Position in `dependencies` of each target list, so that adding the
    /// n-th dependency is O(1), not a scan (100 000 env values naming hosts
    /// made the scans quadratic).
    positions: HashMap<Vec<String>, usize>,
}

/// Pieces of evidence kept per dependency: more say nothing new, and
/// checking each new one against all before was quadratic.
const MAX_EVIDENCE: usize = 16;

/// One dependency: a single target, or `any_of` when several targets back
/// one name (a Kubernetes Service selecting two Deployments).
#[derive(Clone, Debug)]
pub struct ImportedDependency {
    pub targets: Vec<String>,
    pub mode: Mode,
    pub via: Option<String>,
    /// Where it came from, one entry per piece of evidence
    /// (`compose depends_on (service_healthy)`, `inferred from env CART_ADDR`).
    pub evidence: Vec<String>,
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
}

impl Imported {
    pub(crate) fn new(id: String, format: Format, file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self {
            id,
            kind: None,
            name: None,
            owner: None,
            system: None,
            replicas: None,
            health: None,
            labels: BTreeMap::new(),
            description: None,
            dependencies: Vec::new(),
            entrypoint: Vec::new(),
            defined: true,
            notes: Vec::new(),
            format,
            file: Arc::clone(file),
            span,
            positions: HashMap::new(),
        }
    }

    /// Records a piece of evidence that users reach it directly.
    pub(crate) fn mark_entrypoint(&mut self, evidence: impl Into<String>) {
        let evidence = evidence.into();
        if self.entrypoint.len() < MAX_EVIDENCE && !self.entrypoint.contains(&evidence) {
            self.entrypoint.push(evidence);
        }
    }

    /// Takes in what placeholder `held` knew: its dependencies, and its
    /// notes while this is a placeholder too.
    fn absorb(&mut self, held: Imported) {
        if !self.defined {
            for n in held.notes {
                if !self.notes.contains(&n) {
                    self.notes.push(n);
                }
            }
        }
        for d in held.dependencies {
            self.depend(d);
        }
    }

    /// The dependency on exactly `targets`, if there is one.
    pub(crate) fn dependency_mut(&mut self, targets: &[String]) -> Option<&mut ImportedDependency> {
        // `depend` is the only way in and `Inventory::sort` reindexes, so
        // the positions are complete.
        let at = *self.positions.get(targets)?;
        self.dependencies.get_mut(at).filter(|d| d.targets == targets)
    }

    /// Adds a dependency; the same targets twice merge into one entry whose
    /// evidence lists both, hard when either is hard.
    pub(crate) fn depend(&mut self, dep: ImportedDependency) {
        if let Some(existing) = self.dependency_mut(&dep.targets) {
            if dep.mode == Mode::Hard {
                existing.mode = Mode::Hard;
            }
            for e in dep.evidence {
                if existing.evidence.len() < MAX_EVIDENCE && !existing.evidence.contains(&e) {
                    existing.evidence.push(e);
                }
            }
            if existing.via.is_none() {
                existing.via = dep.via;
            }
            return;
        }
        self.positions.insert(dep.targets.clone(), self.dependencies.len());
        self.dependencies.push(dep);
    }
}

impl Inventory {
    /// Adds the components of one importer run; an id already taken is kept
    /// by its first owner and the newcomer is returned (the caller reports it).
    /// A placeholder (`defined: false`) is no owner: a defined component
    /// replaces it, a placeholder meeting a component merges into it, and
    /// either way the dependencies the placeholder had are kept.
    pub(crate) fn extend(&mut self, components: Vec<Imported>) -> Vec<Imported> {
        let mut clashes = Vec::new();
        for c in components {
            let Some(existing) = self.components.get_mut(&c.id) else {
                self.components.insert(c.id.clone(), c);
                continue;
            };
            match (existing.defined, c.defined) {
                (true, true) => clashes.push(c),
                (false, true) => {
                    let held = std::mem::replace(existing, c);
                    existing.absorb(held);
                }
                (_, false) => existing.absorb(c),
            }
        }
        clashes
    }

    /// Drops the placeholders whose id `defined` says is described
    /// elsewhere (a native manifest): the reference resolves there.
    pub(crate) fn drop_placeholders(&mut self, defined: impl Fn(&str) -> bool) {
        self.components.retain(|id, c| c.defined || !defined(id));
    }

    /// Dependencies in a stable order: by first target.
    pub(crate) fn sort(&mut self) {
        for c in self.components.values_mut() {
            c.dependencies.sort_by(|a, b| a.targets.cmp(&b.targets));
            c.positions = c.dependencies.iter().enumerate().map(|(i, d)| (d.targets.clone(), i)).collect();
        }
    }

    /// The native manifest (the shape `import --format json` writes).
    pub fn to_manifest(&self) -> crate::schema::Manifest {
        use crate::schema::{ComponentDoc, DependencyDoc, Manifest, ModeDoc};
        let mut manifest = Manifest { blastmap: 1, ..Manifest::default() };
        for (id, c) in &self.components {
            let depends_on = c
                .dependencies
                .iter()
                .map(|d| {
                    let mode = (d.mode == Mode::Soft).then_some(ModeDoc::Soft);
                    match d.targets.as_slice() {
                        [one] if mode.is_none() && d.via.is_none() => DependencyDoc::Id(one.clone()),
                        [one] => DependencyDoc::Target { target: one.clone(), mode, via: d.via.clone() },
                        many => DependencyDoc::AnyOf { any_of: many.to_vec(), mode, via: d.via.clone() },
                    }
                })
                .collect();
            manifest.components.insert(
                id.clone(),
                ComponentDoc {
                    kind: c.kind,
                    name: c.name.clone(),
                    owner: c.owner.clone(),
                    system: c.system.clone(),
                    replicas: c.replicas,
                    health: c.health.clone(),
                    depends_on,
                    labels: c.labels.clone(),
                    description: c.description.clone(),
                    entrypoint: (!c.entrypoint.is_empty()).then_some(true),
                    defined: (!c.defined).then_some(false),
                    ..ComponentDoc::default()
                },
            );
        }
        manifest
    }

    /// The raw components the loader validates and builds the model from;
    /// ids are numbered in `ids`.
    ///
    /// # Complexity
    /// O(components + dependency targets · log lines).
    pub(crate) fn into_raw(self, ids: &mut IdTable) -> RawComponents {
        let mut raw = RawComponents::default();
        raw.reserve(self.components.len());
        for c in self.components.into_values() {
            raw.push(raw_component(c, ids));
        }
        raw
    }
}

fn raw_component(c: Imported, ids: &mut IdTable) -> RawComponent {
    let mut explicit = Explicit::default();
    let mut set = |on: bool, name: &'static str| {
        if on {
            explicit.insert(name);
        }
    };
    set(c.kind.is_some(), "kind");
    set(c.name.is_some(), "name");
    set(c.owner.is_some(), "owner");
    set(c.system.is_some(), "system");
    set(c.replicas.is_some(), "replicas");
    set(c.health.is_some(), "health");
    set(!c.dependencies.is_empty(), "depends_on");
    set(!c.labels.is_empty(), "labels");
    set(c.description.is_some(), "description");
    set(!c.entrypoint.is_empty(), "entrypoint");
    set(!c.defined, "defined");
    let requirements = c
        .dependencies
        .iter()
        .map(|d| {
            // The dependency's own file: evidence in a NetworkPolicy or a
            // ConfigMap is located there, not in the workload's file.
            let location = d.file.location(&d.span);
            Requirement {
                shape: if d.targets.len() == 1 { RequirementShape::Single } else { RequirementShape::AnyOf },
                need: 1,
                members: d.targets.iter().map(|t| NodeIndex::new(ids.number_of(t) as usize)).collect(),
                mode: d.mode,
                via: d.via.clone(),
                origin: Origin::DependsOn,
                member_locations: vec![location.clone(); d.targets.len()],
                location,
            }
        })
        .collect();
    let location = c.file.location(&c.span);
    let fields = Fields {
        kind: c.kind,
        name: c.name,
        owner: c.owner,
        system: c.system,
        replicas: c.replicas,
        health: c.health,
        labels: c.labels.into_iter().collect(),
        description: c.description,
        entrypoint: (!c.entrypoint.is_empty()).then_some(true),
        defined: Some(c.defined),
        ..Fields::default()
    };
    RawComponent::new(c.id, ids, c.file, location, fields, requirements, explicit)
}

/// The text of a scalar (numbers and booleans as written in YAML 1.2).
pub(crate) fn text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// A scalar as text, numbers and booleans included (`replicas: 3`, `"3"`).
pub(crate) fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The entries of a mapping with YAML merge keys (`<<: *base`) expanded:
/// keys written in the mapping win over merged ones, as in YAML 1.1.
pub(crate) fn entries(node: &Node) -> Vec<(&Node, &Node)> {
    let Some(own) = node.as_map() else { return Vec::new() };
    let mut out: Vec<(&Node, &Node)> = Vec::new();
    let mut merged: Vec<(&Node, &Node)> = Vec::new();
    // Keys seen so far, hashed: comparing every merged key with every key
    // before it was quadratic in the size of the merged mappings.
    let mut merged_keys: HashSet<Option<&str>> = HashSet::new();
    for (k, v) in own {
        if k.key_text() == Some("<<") {
            let sources: Vec<&Node> = match &v.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![v],
            };
            for s in sources {
                for (mk, mv) in s.as_map().unwrap_or(&[]) {
                    if merged_keys.insert(mk.key_text()) {
                        merged.push((mk, mv));
                    }
                }
            }
        } else {
            out.push((k, v));
        }
    }
    let own_keys: HashSet<Option<&str>> = out.iter().map(|(k, _)| k.key_text()).collect();
    out.extend(merged.into_iter().filter(|(mk, _)| !own_keys.contains(&mk.key_text())));
    out
}

/// The value of `key` in a mapping, merge keys included.
pub(crate) fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key)
        .or_else(|| entries(node).into_iter().find(|(k, _)| k.key_text() == Some(key)).map(|(_, v)| v))
}
