//! The native manifest, format version 1: decodes a [`Node`] tree (from
//! YAML, JSON or TOML alike) into raw components, reporting every problem
//! with its location instead of stopping at the first.
//!
//! The tree is consumed as it is decoded: each component's subtree is
//! dropped once its component is built, so that a large inventory never
//! holds the whole tree and all its components at once.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::{
    Component, ComponentId, Dependency, Kind, Location, Mode, Origin, Requirement, RequirementShape,
};
use crate::policy::{Exception, Level, Policy, Rule, RuleConfig};
use crate::source::SourceFile;
use crate::syntax::{Node, Text, Value};

/// Keys of the top level.
pub const TOP_KEYS: [&str; 4] = ["blastmap", "defaults", "components", "policy"];
/// Keys of a component.
pub const COMPONENT_KEYS: [&str; 15] = [
    "kind",
    "name",
    "tier",
    "owner",
    "system",
    "entrypoint",
    "weight",
    "availability",
    "slo",
    "replicas",
    "runs_in",
    "within",
    "depends_on",
    "labels",
    "description",
];
/// Keys `defaults` may set.
pub const DEFAULT_KEYS: [&str; 9] =
    ["kind", "tier", "owner", "system", "entrypoint", "weight", "availability", "slo", "replicas"];
const TARGET_KEYS: [&str; 3] = ["target", "mode", "via"];
const ANY_OF_KEYS: [&str; 3] = ["any_of", "mode", "via"];
const QUORUM_KEYS: [&str; 4] = ["quorum", "of", "mode", "via"];
const POLICY_KEYS: [&str; 3] = ["rules", "levels", "exceptions"];
const EXCEPTION_KEYS: [&str; 4] = ["rule", "component", "reason", "expires"];
/// Longest id, in characters.
pub const MAX_ID_LEN: usize = 256;

/// Every id met while reading (components and the targets they name), each
/// numbered once, in the order first met. Raw requirements name their
/// members by number: resolving them once every file is read is a table
/// lookup, and no requirement keeps a copy of its targets' text.
#[derive(Debug, Default)]
pub(crate) struct IdTable {
    /// Keyed by [`Text`]: most ids fit inside the table, so a lookup
    /// compares them without reading another cache line.
    numbers: HashMap<Text, u32>,
}

impl IdTable {
    /// The number of `id`, numbering it when it is new.
    ///
    /// # Complexity
    /// O(length of `id`) expected.
    pub(crate) fn number(&mut self, id: &Text) -> u32 {
        if let Some(&n) = self.numbers.get(id) {
            return n;
        }
        let n = self.numbers.len() as u32;
        self.numbers.insert(id.clone(), n);
        n
    }

    /// [`Self::number`] of an id that is not already [`Text`].
    pub(crate) fn number_of(&mut self, id: &str) -> u32 {
        self.number(&Text::from(id))
    }

    /// Room for `additional` more ids (each component names one, and the
    /// table re-hashed a million ids several times while growing).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.numbers.reserve(additional);
    }

    /// How many ids were numbered.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    /// The text of every id, indexed by number.
    ///
    /// # Complexity
    /// O(ids).
    pub(crate) fn names(&self) -> Vec<&str> {
        let mut names = vec![""; self.numbers.len()];
        for (name, &n) in &self.numbers {
            if let Some(slot) = names.get_mut(n as usize) {
                *slot = name;
            }
        }
        names
    }
}

/// A requirement member named by its [`IdTable`] number, until the loader
/// resolves it to a node index.
fn numbered(n: u32) -> ComponentId {
    NodeIndex::new(n as usize)
}

/// [`COMPONENT_KEYS`] in byte order: bit `i` of [`Explicit`] stands for
/// `EXPLICIT_ORDER[i]`, so the set lists its fields already sorted.
const EXPLICIT_ORDER: [&str; 15] = [
    "availability",
    "depends_on",
    "description",
    "entrypoint",
    "kind",
    "labels",
    "name",
    "owner",
    "replicas",
    "runs_in",
    "slo",
    "system",
    "tier",
    "weight",
    "within",
];

/// The fields written explicitly, as a set (a sorted, deduplicated vector
/// per component cost an allocation that grew twice).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Explicit(u16);

impl Explicit {
    /// Adds a field of [`COMPONENT_KEYS`] (other names are ignored).
    pub(crate) fn insert(&mut self, field: &str) {
        // The positions in `EXPLICIT_ORDER` (a test checks them).
        let bit = match field {
            "availability" => 0,
            "depends_on" => 1,
            "description" => 2,
            "entrypoint" => 3,
            "kind" => 4,
            "labels" => 5,
            "name" => 6,
            "owner" => 7,
            "replicas" => 8,
            "runs_in" => 9,
            "slo" => 10,
            "system" => 11,
            "tier" => 12,
            "weight" => 13,
            "within" => 14,
            _ => return,
        };
        self.0 |= 1 << bit;
    }

    /// The fields, sorted: what [`Component::explicit_fields`] holds.
    pub(crate) fn to_vec(self) -> Vec<&'static str> {
        let mut fields = Vec::with_capacity(self.0.count_ones() as usize);
        fields.extend(
            EXPLICIT_ORDER.iter().enumerate().filter(|&(i, _)| self.0 & (1 << i) != 0).map(|(_, f)| *f),
        );
        fields
    }
}

/// Field values of a component or of `defaults`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fields {
    pub kind: Option<Kind>,
    pub name: Option<String>,
    pub tier: Option<u8>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub entrypoint: Option<bool>,
    pub weight: Option<f64>,
    pub availability: Option<f64>,
    pub slo: Option<f64>,
    pub replicas: Option<u32>,
    pub labels: Vec<(String, String)>,
    pub description: Option<String>,
}

/// A component as written: the model's component with every default
/// applied, whose requirements still name their members by [`IdTable`]
/// number (the loader resolves them to node indices in place, once every
/// file is read).
#[derive(Debug)]
pub(crate) struct RawComponent {
    pub component: Component,
    /// The number of the component's id.
    pub number: u32,
    pub file: Arc<SourceFile>,
}

impl RawComponent {
    /// Builds the component from its decoded fields, with the defaults of
    /// DESIGN §2 for what was not written.
    pub(crate) fn new(
        id: String,
        ids: &mut IdTable,
        file: Arc<SourceFile>,
        location: Location,
        fields: Fields,
        requirements: Vec<Requirement>,
        explicit: Explicit,
    ) -> Self {
        let number = ids.number_of(&id);
        let kind = fields.kind.unwrap_or(Kind::Service);
        let mut labels = fields.labels;
        if let Some(d) = fields.description {
            labels.push(("description".to_owned(), d));
            labels.sort();
        }
        let component = Component {
            name: fields.name.unwrap_or_else(|| id.clone()),
            kind,
            tier: fields.tier.unwrap_or(3),
            owner: fields.owner,
            system: fields.system,
            entrypoint: fields.entrypoint.unwrap_or_else(|| kind.is_entrypoint_by_default()),
            weight: fields.weight.unwrap_or(1.0),
            availability: fields.availability,
            slo: fields.slo,
            replicas: fields.replicas,
            labels,
            requirements,
            location,
            explicit_fields: explicit.to_vec(),
            id,
        };
        Self { component, number, file }
    }
}

/// Where a component's id was written.
pub(crate) fn span_of(component: &Component) -> Range<usize> {
    let at = &component.location;
    at.offset..at.offset + at.len
}

/// Raw components in the order read. The components are the nodes of a
/// graph without edges: when they are already in id order (as
/// `blastmap import` and generators write them), that graph becomes the
/// model's as it is, instead of every component being moved into another.
#[derive(Debug, Default)]
pub(crate) struct RawComponents {
    pub graph: DiGraph<Component, Dependency, u32>,
    /// The id number of each component.
    pub numbers: Vec<u32>,
    /// The file each component was read from.
    pub files: Vec<Arc<SourceFile>>,
}

impl RawComponents {
    /// How many components were read.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Room for `additional` more components, allocated at that size.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.graph.reserve_exact_nodes(additional);
        self.numbers.reserve_exact(additional);
        self.files.reserve_exact(additional);
    }

    /// Adds the next component read.
    pub(crate) fn push(&mut self, raw: RawComponent) {
        self.graph.add_node(raw.component);
        self.numbers.push(raw.number);
        self.files.push(raw.file);
    }

    /// The last component, with its id number and file.
    pub(crate) fn last(&self) -> Option<(&Component, u32, &Arc<SourceFile>)> {
        let i = self.numbers.len().checked_sub(1)?;
        Some((self.graph.node_weight(NodeIndex::new(i))?, *self.numbers.get(i)?, self.files.get(i)?))
    }
}

/// What one native file contributes.
#[derive(Debug)]
pub(crate) struct FileManifest {
    pub file: Arc<SourceFile>,
    pub components: RawComponents,
    /// The policy with the span of its key.
    pub policy: Option<(Policy, Range<usize>)>,
}

/// The fields and explicit names that `defaults` gives every component.
type Defaults = (Fields, Explicit);

struct Decoder<'a> {
    file: &'a Arc<SourceFile>,
    diags: &'a mut Vec<Diagnostic>,
    ids: &'a mut IdTable,
    /// The line of the last location computed: the decoder goes through
    /// the text in order, so the next one is nearly always on that line or
    /// next to it (see [`SourceFile::location_near`]).
    line: usize,
}

/// Decodes the document of a native manifest (whose top level has
/// `blastmap`), consuming it; ids are numbered in `ids`.
///
/// # Complexity
/// O(nodes of the document), plus an expected O(1) id lookup per id.
pub(crate) fn decode(
    file: &Arc<SourceFile>,
    root: Node,
    ids: &mut IdTable,
    diags: &mut Vec<Diagnostic>,
) -> FileManifest {
    let mut d = Decoder { file, diags, ids, line: 0 };
    d.manifest(root)
}

impl<'a> Decoder<'a> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    fn location(&mut self, span: &Range<usize>) -> Location {
        self.file.location_near(span, &mut self.line)
    }

    fn invalid_type(&mut self, node: &Node, expected: &str, help: &str) {
        let found = node.value.type_name();
        self.error(
            Diagnostic::new(Code::InvalidType, format!("expected {expected}, found {found}"))
                .at(self.file, node.span.clone(), format!("expected {expected}"))
                .help(help.to_owned()),
        );
    }

    /// The entries of a mapping, or a type error.
    fn map<'n>(&mut self, node: &'n Node, what: &str, help: &str) -> Option<&'n [(Node, Node)]> {
        if let Value::Map(entries) = &node.value {
            Some(entries)
        } else {
            self.invalid_type(node, &format!("a mapping ({what})"), help);
            None
        }
    }

    /// Text keys of a mapping, reporting keys that are not text.
    fn keyed<'n>(&mut self, entries: &'n [(Node, Node)]) -> Vec<(&'n str, &'n Node, &'n Node)> {
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match k.key_text() {
                Some(text) => out.push((text, k, v)),
                None => self.invalid_type(k, "a text key", "keys are plain names"),
            }
        }
        out
    }

    /// Reports the keys of a mapping that are not text, as [`Self::keyed`]
    /// does, for callers that then consume the entries (skipping those).
    fn check_keys(&mut self, entries: &[(Node, Node)]) {
        for (k, _) in entries {
            if k.key_text().is_none() {
                self.invalid_type(k, "a text key", "keys are plain names");
            }
        }
    }

    fn unknown_key(&mut self, key: &Node, name: &str, allowed: &[&str], context: &str) {
        let help = did_you_mean(name, allowed.iter().copied(), || {
            format!("the keys of {context} are: {}", allowed.join(", "))
        });
        self.error(
            Diagnostic::new(Code::UnknownKey, format!("unknown key `{name}` in {context}"))
                .at(self.file, key.span.clone(), "unknown key")
                .help(help),
        );
    }

    /// Text, accepting plain YAML scalars such as `8080` where text is
    /// expected (as written); borrowed from the tree or the source.
    fn scalar<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str>
    where
        'a: 'n,
    {
        let file: &'a Arc<SourceFile> = self.file;
        match &node.value {
            Value::Str(s) => Some(s),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                Some(file.text.get(node.span.clone()).unwrap_or_default())
            }
            _ => {
                self.invalid_type(node, &format!("text ({what})"), "write the value as text");
                None
            }
        }
    }

    /// [`Self::scalar`], copied.
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        self.scalar(node, what).map(str::to_owned)
    }

    /// [`Self::text`] that moves a string out of the tree instead of
    /// copying it.
    fn take_text(&mut self, node: Node, what: &str) -> Option<String> {
        match node.value {
            Value::Str(s) => Some(s.into_string()),
            _ => self.text(&node, what),
        }
    }

    fn id<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str>
    where
        'a: 'n,
    {
        let id = self.scalar(node, what)?;
        if check_id(id) {
            Some(id)
        } else {
            self.error(
                Diagnostic::new(Code::InvalidId, format!("`{}` is not a valid id", id.escape_debug()))
                    .at(self.file, node.span.clone(), "invalid id")
                    .help(format!(
                        "ids are 1 to {MAX_ID_LEN} characters without whitespace or control characters"
                    )),
            );
            None
        }
    }

    /// The id number of the member written at `node`, or a diagnostic.
    fn member_number(&mut self, node: &Node, what: &str) -> Option<ComponentId> {
        let id = self.id(node, what)?;
        let number = match &node.value {
            Value::Str(text) => self.ids.number(text),
            _ => self.ids.number_of(id),
        };
        Some(numbered(number))
    }

    /// The member an id names (by number) and where it was written.
    fn member(&mut self, node: &Node, what: &str) -> Option<(ComponentId, Location)> {
        let member = self.member_number(node, what)?;
        Some((member, self.location(&node.span)))
    }

    fn number(&mut self, node: &Node, what: &str) -> Option<f64> {
        match node.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => {
                self.invalid_type(node, &format!("a number ({what})"), "write a number such as `99.9`");
                None
            }
        }
    }

    fn integer(&mut self, node: &Node, what: &str) -> Option<i64> {
        if let Value::Int(i) = node.value {
            Some(i)
        } else {
            self.invalid_type(node, &format!("a whole number ({what})"), "write a whole number such as `2`");
            None
        }
    }

    fn percentage(&mut self, node: &Node, what: &str) -> Option<f64> {
        let p = self.number(node, what)?;
        if p > 0.0 && p <= 100.0 {
            Some(p)
        } else {
            self.error(
                Diagnostic::new(
                    Code::PercentageOutOfRange,
                    format!("{what} `{p}` is not a percentage in (0, 100]"),
                )
                .at(self.file, node.span.clone(), "out of range")
                .help(format!("write {what} as a percentage, e.g. `99.9` for three nines")),
            );
            None
        }
    }

    fn manifest(&mut self, root: Node) -> FileManifest {
        let mut out =
            FileManifest { file: Arc::clone(self.file), components: RawComponents::default(), policy: None };
        if self.map(&root, "the manifest", "a manifest is a mapping with `blastmap: 1`").is_none() {
            return out;
        }
        let Value::Map(entries) = root.value else { return out };
        self.check_keys(&entries);
        let mut defaults = Defaults::default();
        // `defaults` applies to every component of the file, wherever it is written.
        if let Some((_, v)) = entries.iter().find(|(k, _)| k.key_text() == Some("defaults")) {
            defaults = self.defaults(v);
        }
        for (key_node, value) in entries {
            let Some(key) = key_node.key_text() else { continue };
            match key {
                "blastmap" => self.version(&value),
                "defaults" => {}
                "components" => self.components(value, &defaults, &mut out.components),
                "policy" => {
                    if let Some(policy) = self.policy(&value, &key_node) {
                        out.policy = Some((policy, key_node.span.clone()));
                    }
                }
                other => self.unknown_key(&key_node, other, &TOP_KEYS, "the manifest"),
            }
        }
        out
    }

    fn version(&mut self, value: &Node) {
        if value.value != Value::Int(1) {
            let shown = self.file.text.get(value.span.clone()).unwrap_or_default().to_owned();
            self.error(
                Diagnostic::new(Code::UnsupportedVersion, format!("unsupported format version `{shown}`"))
                    .at(self.file, value.span.clone(), "this version")
                    .help("this blastmap reads format version 1: write `blastmap: 1`"),
            );
        }
    }

    fn defaults(&mut self, node: &Node) -> Defaults {
        let mut fields = Fields::default();
        let mut explicit = Explicit::default();
        let Some(entries) = self.map(node, "defaults", "`defaults` maps field names to values") else {
            return (fields, explicit);
        };
        for (key, key_node, value) in self.keyed(entries) {
            if DEFAULT_KEYS.contains(&key) {
                if let Some(name) = self.field(&mut fields, key, value.clone()) {
                    explicit.insert(name);
                }
            } else {
                self.unknown_key(key_node, key, &DEFAULT_KEYS, "`defaults`");
            }
        }
        (fields, explicit)
    }

    /// Decodes one scalar field into `fields`, consuming its value; returns
    /// the static field name when it was set.
    fn field(&mut self, fields: &mut Fields, key: &str, value: Node) -> Option<&'static str> {
        let name = COMPONENT_KEYS.iter().copied().find(|k| *k == key)?;
        match key {
            "kind" => {
                let text = self.scalar(&value, "a kind")?;
                if let Some(kind) = Kind::parse(text) {
                    fields.kind = Some(kind);
                } else {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    let help = did_you_mean(text, names.iter().copied(), || {
                        format!("the kinds are: {}", names.join(", "))
                    });
                    self.error(
                        Diagnostic::new(Code::UnknownKind, format!("unknown kind `{}`", text.escape_debug()))
                            .at(self.file, value.span.clone(), "not a kind")
                            .help(help),
                    );
                    return None;
                }
            }
            "name" => fields.name = Some(self.take_text(value, "a display name")?),
            "owner" => fields.owner = Some(self.take_text(value, "an owner")?),
            "system" => fields.system = Some(self.take_text(value, "a system")?),
            "description" => fields.description = Some(self.take_text(value, "a description")?),
            "tier" => {
                let tier = self.integer(&value, "a tier")?;
                if !(1..=4).contains(&tier) {
                    self.error(
                        Diagnostic::new(Code::InvalidValue, format!("tier `{tier}` is not between 1 and 4"))
                            .at(self.file, value.span.clone(), "out of range")
                            .help("tier 1 is the most critical, 4 the least"),
                    );
                    return None;
                }
                fields.tier = u8::try_from(tier).ok();
            }
            "entrypoint" => {
                if let Value::Bool(b) = value.value {
                    fields.entrypoint = Some(b);
                } else {
                    self.invalid_type(
                        &value,
                        "`true` or `false`",
                        "entrypoint says whether users reach it directly",
                    );
                    return None;
                }
            }
            "weight" => {
                let w = self.number(&value, "a weight")?;
                if !(w.is_finite() && w >= 0.0) {
                    self.error(
                        Diagnostic::new(Code::InvalidValue, format!("weight `{w}` is not a number ≥ 0"))
                            .at(self.file, value.span.clone(), "invalid weight")
                            .help("weight is an importance such as a share of traffic; it is ≥ 0"),
                    );
                    return None;
                }
                fields.weight = Some(w);
            }
            "availability" => fields.availability = Some(self.percentage(&value, "availability")?),
            "slo" => fields.slo = Some(self.percentage(&value, "slo")?),
            "replicas" => {
                let r = self.integer(&value, "replicas")?;
                if let Ok(r) = u32::try_from(r) {
                    fields.replicas = Some(r);
                } else {
                    self.error(
                        Diagnostic::new(Code::InvalidValue, format!("replicas `{r}` is not a count"))
                            .at(self.file, value.span.clone(), "invalid count")
                            .help("replicas is a whole number ≥ 0"),
                    );
                    return None;
                }
            }
            "labels" => {
                let entries = self.map(&value, "labels", "`labels` maps names to text")?;
                let mut labels = Vec::new();
                for (k, _, v) in self.keyed(entries) {
                    if let Some(text) = self.text(v, "a label value") {
                        labels.push((k.to_owned(), text));
                    }
                }
                labels.sort();
                fields.labels = labels;
            }
            _ => return None,
        }
        Some(name)
    }

    fn components(&mut self, node: Node, defaults: &Defaults, out: &mut RawComponents) {
        if matches!(node.value, Value::Null) {
            return;
        }
        if self.map(&node, "components", "`components` maps each id to its fields").is_none() {
            return;
        }
        let Value::Map(entries) = node.value else { return };
        out.reserve(entries.len());
        self.ids.reserve(entries.len());
        // By value: each component's subtree is freed once it is decoded.
        for (key, value) in entries {
            if self.id(&key, "a component id").is_none() {
                continue;
            }
            let location = self.location(&key.span);
            let id = match key.value {
                Value::Str(s) => s.into_string(),
                _ => self.file.text.get(key.span).unwrap_or_default().to_owned(),
            };
            out.push(self.component(id, location, value, defaults));
        }
    }

    fn component(&mut self, id: String, location: Location, node: Node, defaults: &Defaults) -> RawComponent {
        let mut fields = defaults.0.clone();
        let mut explicit = defaults.1;
        if !matches!(node.value, Value::Null | Value::Map(_)) {
            self.invalid_type(
                &node,
                "a mapping (a component)",
                "a component maps field names (kind, tier, depends_on, ...) to values",
            );
        }
        let entries = match node.value {
            Value::Map(entries) => entries,
            _ => Box::default(),
        };
        self.check_keys(&entries);
        // Room for every requirement written, so that the vector is
        // allocated once and at its size.
        let room = entries
            .iter()
            .map(|(k, v)| match (k.key_text(), &v.value) {
                (Some("depends_on"), Value::Seq(items)) => items.len(),
                (Some("runs_in" | "within"), _) => 1,
                _ => 0,
            })
            .sum();
        let mut requirements = Vec::with_capacity(room);
        let mut runs_in = None;
        let mut within = None;
        for (key_node, value) in entries {
            let Some(key) = key_node.key_text() else { continue };
            match key {
                "depends_on" => self.depends_on(&value, &mut requirements),
                "runs_in" => runs_in = self.runs_in(&key_node, &value),
                "within" => within = self.within(&key_node, &value),
                _ if COMPONENT_KEYS.contains(&key) => {
                    if let Some(name) = self.field(&mut fields, key, value) {
                        explicit.insert(name);
                    }
                }
                _ => self.unknown_key(&key_node, key, &COMPONENT_KEYS, "a component"),
            }
        }
        if let Some(r) = runs_in {
            requirements.push(r);
            explicit.insert("runs_in");
        }
        if let Some(r) = within {
            requirements.push(r);
            explicit.insert("within");
        }
        if requirements.iter().any(|r| r.origin == Origin::DependsOn) {
            explicit.insert("depends_on");
        }
        RawComponent::new(id, self.ids, Arc::clone(self.file), location, fields, requirements, explicit)
    }

    /// `within: domain`, sugar for a hard dependency on it.
    fn within(&mut self, key: &Node, value: &Node) -> Option<Requirement> {
        let member = self.member_number(value, "a failure domain")?;
        let location = self.location(&(key.span.start..value.span.end));
        let member_location = self.location(&value.span);
        Some(Requirement {
            shape: RequirementShape::Single,
            need: 1,
            members: vec![member],
            mode: Mode::Hard,
            via: None,
            origin: Origin::Within,
            location,
            member_locations: vec![member_location],
        })
    }

    fn depends_on(&mut self, node: &Node, out: &mut Vec<Requirement>) {
        let items: &[Node] = match &node.value {
            Value::Seq(items) => items,
            Value::Null => return,
            _ => {
                self.invalid_type(
                    node,
                    "a list (depends_on)",
                    "write `depends_on: [a, b]` or one entry per line",
                );
                return;
            }
        };
        for item in items {
            if let Some(r) = self.dependency(item) {
                out.push(r);
            }
        }
    }

    fn dependency(&mut self, node: &Node) -> Option<Requirement> {
        let entries = match &node.value {
            Value::Map(entries) => entries,
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let (member, location) = self.member(node, "a dependency")?;
                return Some(Requirement {
                    shape: RequirementShape::Single,
                    need: 1,
                    members: vec![member],
                    mode: Mode::Hard,
                    via: None,
                    origin: Origin::DependsOn,
                    member_locations: vec![location.clone()],
                    location,
                });
            }
            _ => {
                self.invalid_type(
                    node,
                    "an id or a mapping (a dependency)",
                    "a dependency is `id`, `{target: id}`, `{any_of: [..]}` or `{quorum: k, of: [..]}`",
                );
                return None;
            }
        };
        let entries = self.keyed(entries);
        let has = |k: &str| entries.iter().any(|(key, _, _)| *key == k);
        let has_of = has("of");
        let (shape, allowed): (RequirementShape, &[&str]) =
            match (has("target"), has("any_of"), has("quorum")) {
                (true, false, false) => (RequirementShape::Single, &TARGET_KEYS),
                (false, true, false) => (RequirementShape::AnyOf, &ANY_OF_KEYS),
                (false, false, true) => (RequirementShape::Quorum, &QUORUM_KEYS),
                (false, false, false) => {
                    let help = if has_of {
                        "a group with `of` needs `quorum: k`".to_owned()
                    } else {
                        "a dependency is `{target: id}`, `{any_of: [..]}` or `{quorum: k, of: [..]}`"
                            .to_owned()
                    };
                    self.error(
                        Diagnostic::new(
                            Code::MissingField,
                            "dependency has no `target`, `any_of` or `quorum`",
                        )
                        .at(self.file, node.span.clone(), "this dependency")
                        .help(help),
                    );
                    return None;
                }
                _ => {
                    self.error(
                        Diagnostic::new(
                            Code::InvalidValue,
                            "dependency mixes `target`, `any_of` and `quorum`",
                        )
                        .at(self.file, node.span.clone(), "this dependency")
                        .help("write one dependency per entry: a single target, an `any_of` or a `quorum`"),
                    );
                    return None;
                }
            };
        let location = self.location(&node.span);
        let mut r = Requirement {
            shape,
            need: 1,
            members: Vec::new(),
            mode: Mode::Hard,
            via: None,
            origin: Origin::DependsOn,
            location,
            member_locations: Vec::new(),
        };
        let mut quorum: Option<(i64, Range<usize>)> = None;
        let mut ok = true;
        for (key, key_node, value) in entries {
            match key {
                _ if !allowed.contains(&key) => {
                    self.unknown_key(key_node, key, allowed, "a dependency");
                }
                // Keys are unique, so this is the only member.
                "target" => match self.member(value, "a dependency target") {
                    Some((member, location)) => {
                        r.members = vec![member];
                        r.member_locations = vec![location];
                    }
                    None => ok = false,
                },
                "any_of" | "of" => match self.members(value, key) {
                    Some((members, locations)) => {
                        r.members = members;
                        r.member_locations = locations;
                    }
                    None => ok = false,
                },
                "quorum" => match self.integer(value, "a quorum") {
                    Some(k) => quorum = Some((k, value.span.clone())),
                    None => ok = false,
                },
                "mode" => match self.mode(value) {
                    Some(mode) => r.mode = mode,
                    None => ok = false,
                },
                "via" => r.via = self.text(value, "how it is called"),
                _ => {}
            }
        }
        if shape == RequirementShape::Quorum {
            if quorum.is_none() || r.members.is_empty() {
                if !has_of {
                    self.error(
                        Diagnostic::new(Code::MissingField, "quorum has no `of` list")
                            .at(self.file, node.span.clone(), "this quorum")
                            .help("write `quorum: 2` with `of: [a, b, c]`"),
                    );
                }
                return None;
            }
            let (k, span) = quorum?;
            ok &= self.check_quorum(k, &span, r.members.len());
            r.need = u32::try_from(k).unwrap_or(1);
        }
        ok.then_some(r)
    }

    fn check_quorum(&mut self, k: i64, span: &Range<usize>, members: usize) -> bool {
        if members > 0 && (k < 1 || usize::try_from(k).map_or(true, |k| k > members)) {
            self.error(
                Diagnostic::new(
                    Code::QuorumOutOfRange,
                    format!("quorum `{k}` is not between 1 and the {members} members"),
                )
                .at(self.file, span.clone(), "out of range")
                .help(format!("a quorum needs between 1 and {members} of its members")),
            );
            return false;
        }
        true
    }

    fn mode(&mut self, node: &Node) -> Option<Mode> {
        match self.scalar(node, "a mode")? {
            "hard" => Some(Mode::Hard),
            "soft" => Some(Mode::Soft),
            other => {
                let help =
                    did_you_mean(other, ["hard", "soft"], || "the modes are `hard` and `soft`".to_owned());
                self.error(
                    Diagnostic::new(Code::InvalidValue, format!("unknown mode `{}`", other.escape_debug()))
                        .at(self.file, node.span.clone(), "not a mode")
                        .help(help),
                );
                None
            }
        }
    }

    /// A list of members (by number) and where each was written:
    /// non-empty, no member twice.
    fn members(&mut self, node: &Node, what: &str) -> Option<(Vec<ComponentId>, Vec<Location>)> {
        let Value::Seq(items) = &node.value else {
            self.invalid_type(node, &format!("a list ({what})"), "list the members: `[a, b]`");
            return None;
        };
        if items.is_empty() {
            self.error(
                Diagnostic::new(Code::EmptyGroup, format!("`{what}` has no members"))
                    .at(self.file, node.span.clone(), "empty group")
                    .help("list at least one member, or remove the group"),
            );
            return None;
        }
        let mut members = Vec::with_capacity(items.len());
        let mut locations: Vec<Location> = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            let Some(member) = self.member_number(item, "a group member") else {
                ok = false;
                continue;
            };
            if let Some(first) = members.iter().position(|m| *m == member) {
                let id = self.scalar(item, "a group member").unwrap_or_default();
                let first = locations.get(first).map_or(0..0, |l| l.offset..l.offset + l.len);
                self.error(
                    Diagnostic::new(Code::DuplicateMember, format!("`{id}` is twice in the group"))
                        .at(self.file, item.span.clone(), "again here")
                        .also(first, "first here")
                        .help("a member counts once; remove the repeat"),
                );
                ok = false;
                continue;
            }
            members.push(member);
            locations.push(self.location(&item.span));
        }
        ok.then_some((members, locations))
    }

    /// `runs_in: [..]`, `runs_in: {quorum: k, of: [..]}` or one domain.
    fn runs_in(&mut self, key: &Node, node: &Node) -> Option<Requirement> {
        let location = self.location(&(key.span.start..node.span.end));
        let mut r = Requirement {
            shape: RequirementShape::Single,
            need: 1,
            members: Vec::new(),
            mode: Mode::Hard,
            via: None,
            origin: Origin::RunsIn,
            location,
            member_locations: Vec::new(),
        };
        match &node.value {
            Value::Seq(_) => {
                (r.members, r.member_locations) = self.members(node, "runs_in")?;
                if r.members.len() > 1 {
                    r.shape = RequirementShape::AnyOf;
                }
            }
            Value::Map(entries) => {
                let mut quorum = None;
                for (key, key_node, value) in self.keyed(entries) {
                    match key {
                        "quorum" => quorum = self.integer(value, "a quorum").map(|k| (k, value.span.clone())),
                        "of" => (r.members, r.member_locations) = self.members(value, "of")?,
                        _ => self.unknown_key(key_node, key, &["quorum", "of"], "`runs_in`"),
                    }
                }
                let Some((k, span)) = quorum else {
                    self.error(
                        Diagnostic::new(Code::MissingField, "`runs_in` mapping has no `quorum`")
                            .at(self.file, node.span.clone(), "here")
                            .help("write `runs_in: {quorum: 2, of: [a, b, c]}` or a plain list"),
                    );
                    return None;
                };
                if r.members.is_empty() {
                    self.error(
                        Diagnostic::new(Code::MissingField, "`runs_in` quorum has no `of` list")
                            .at(self.file, node.span.clone(), "here")
                            .help("write `runs_in: {quorum: 2, of: [a, b, c]}`"),
                    );
                    return None;
                }
                if !self.check_quorum(k, &span, r.members.len()) {
                    return None;
                }
                r.shape = RequirementShape::Quorum;
                r.need = u32::try_from(k).unwrap_or(1);
            }
            _ => {
                let (member, location) = self.member(node, "a failure domain")?;
                r.members = vec![member];
                r.member_locations = vec![location];
            }
        }
        Some(r)
    }

    fn policy(&mut self, node: &Node, key: &Node) -> Option<Policy> {
        let entries = self.map(node, "a policy", "`policy` has `rules`, `levels` and `exceptions`")?;
        let mut rules: Vec<RuleConfig> = Vec::new();
        let mut levels: Vec<(String, Level, Range<usize>)> = Vec::new();
        let mut exceptions = Vec::new();
        for (k, k_node, value) in self.keyed(entries) {
            match k {
                "rules" => {
                    if matches!(value.value, Value::Null) {
                        continue;
                    }
                    let Some(list) = self.map(value, "rules", "`rules` maps rule names to parameters") else {
                        continue;
                    };
                    for (name, name_node, params) in self.keyed(list) {
                        if let Some(rule) = self.rule(name, name_node, params) {
                            rules.push(RuleConfig {
                                rule,
                                level: Level::Deny,
                                location: self.file.location(&name_node.span),
                            });
                        }
                    }
                }
                "levels" => {
                    let Some(list) =
                        self.map(value, "levels", "`levels` maps rule names to deny, warn or allow")
                    else {
                        continue;
                    };
                    for (name, name_node, level) in self.keyed(list) {
                        if !self.known_rule(name, name_node) {
                            continue;
                        }
                        let Some(text) = self.text(level, "a level") else { continue };
                        if let Some(l) = Level::parse(&text) {
                            levels.push((name.to_owned(), l, name_node.span.clone()));
                        } else {
                            let help = did_you_mean(&text, ["deny", "warn", "allow"], || {
                                "the levels are `deny`, `warn` and `allow`".to_owned()
                            });
                            self.error(
                                Diagnostic::new(
                                    Code::InvalidValue,
                                    format!("unknown level `{}`", text.escape_debug()),
                                )
                                .at(self.file, level.span.clone(), "not a level")
                                .help(help),
                            );
                        }
                    }
                }
                "exceptions" => {
                    let Value::Seq(items) = &value.value else {
                        self.invalid_type(value, "a list (exceptions)", "list exceptions, one mapping each");
                        continue;
                    };
                    for item in items {
                        if let Some(e) = self.exception(item) {
                            exceptions.push(e);
                        }
                    }
                }
                other => self.unknown_key(k_node, other, &POLICY_KEYS, "`policy`"),
            }
        }
        for (name, level, span) in levels {
            match rules.iter_mut().find(|r| r.rule.name() == name) {
                Some(rule) => rule.level = level,
                None => self.error(
                    Diagnostic::new(
                        Code::UnknownRule,
                        format!("level set for `{name}`, which is not in `rules`"),
                    )
                    .at(self.file, span, "not enabled")
                    .help(format!("enable it under `rules:` with `{name}: {{}}`, or remove this level"))
                    .warning(),
                ),
            }
        }
        Some(Policy { rules, exceptions, location: self.file.location(&key.span) })
    }

    fn known_rule(&mut self, name: &str, node: &Node) -> bool {
        if Rule::NAMES.contains(&name) {
            return true;
        }
        let help = did_you_mean(name, Rule::NAMES, || format!("the rules are: {}", Rule::NAMES.join(", ")));
        self.error(
            Diagnostic::new(Code::UnknownRule, format!("unknown rule `{}`", name.escape_debug()))
                .at(self.file, node.span.clone(), "not a rule")
                .help(help),
        );
        false
    }

    fn kinds(&mut self, node: &Node) -> Option<Vec<Kind>> {
        let Value::Seq(items) = &node.value else {
            self.invalid_type(node, "a list of kinds", "write `[database, cache]`");
            return None;
        };
        let mut kinds = Vec::new();
        for item in items {
            let mut f = Fields::default();
            self.field(&mut f, "kind", item.clone());
            kinds.extend(f.kind);
        }
        kinds.sort();
        kinds.dedup();
        Some(kinds)
    }

    fn rule(&mut self, name: &str, name_node: &Node, params: &Node) -> Option<Rule> {
        if !self.known_rule(name, name_node) {
            return None;
        }
        let allowed: &[&str] = match name {
            "no-spof" => &["tier", "kinds", "ignore_kinds"],
            "max-blast-radius" => &["components", "percent", "ignore_kinds"],
            "required-fields" => &["fields", "kinds"],
            "no-regression" => &["growth"],
            _ => &[],
        };
        let entries = match &params.value {
            Value::Null => &[][..],
            _ => self.map(params, "rule parameters", "write `{}` for a rule without parameters")?,
        };
        let mut rule = match name {
            "no-spof" => {
                Rule::NoSpof { tier: 1, kinds: Rule::default_spof_kinds(), ignore_kinds: Vec::new() }
            }
            "max-blast-radius" => Rule::MaxBlastRadius {
                components: None,
                percent: None,
                ignore_kinds: vec![Kind::Region, Kind::Provider],
            },
            "no-hard-cycles" => Rule::NoHardCycles,
            "slo-attainable" => Rule::SloAttainable,
            "required-fields" => Rule::RequiredFields {
                fields: Vec::new(),
                kinds: Kind::ALL.into_iter().filter(|k| !k.is_domain()).collect(),
            },
            _ => Rule::NoRegression { growth: 0 },
        };
        for (key, key_node, value) in self.keyed(entries) {
            if !allowed.contains(&key) {
                let context = format!("rule `{name}`");
                if allowed.is_empty() {
                    self.error(
                        Diagnostic::new(Code::UnknownKey, format!("unknown key `{key}` in {context}"))
                            .at(self.file, key_node.span.clone(), "unknown key")
                            .help(format!("`{name}` has no parameters: write `{name}: {{}}`")),
                    );
                } else {
                    self.unknown_key(key_node, key, allowed, &context);
                }
                continue;
            }
            match (&mut rule, key) {
                (Rule::NoSpof { tier, .. }, "tier") => {
                    let mut f = Fields::default();
                    if self.field(&mut f, "tier", value.clone()).is_some() {
                        *tier = f.tier.unwrap_or(1);
                    }
                }
                (Rule::NoSpof { kinds, .. } | Rule::RequiredFields { kinds, .. }, "kinds") => {
                    if let Some(k) = self.kinds(value) {
                        *kinds = k;
                    }
                }
                (
                    Rule::NoSpof { ignore_kinds, .. } | Rule::MaxBlastRadius { ignore_kinds, .. },
                    "ignore_kinds",
                ) => {
                    if let Some(k) = self.kinds(value) {
                        *ignore_kinds = k;
                    }
                }
                (Rule::MaxBlastRadius { components, .. }, "components") => {
                    if let Some(n) = self.integer(value, "a component count") {
                        *components = u32::try_from(n).ok();
                        if components.is_none() {
                            self.error(
                                Diagnostic::new(
                                    Code::InvalidValue,
                                    format!("`{n}` is not a component count"),
                                )
                                .at(self.file, value.span.clone(), "invalid count")
                                .help("write a whole number ≥ 0"),
                            );
                        }
                    }
                }
                (Rule::MaxBlastRadius { percent, .. }, "percent") => {
                    *percent = self.percentage(value, "percent");
                }
                (Rule::RequiredFields { fields, .. }, "fields") => {
                    let Value::Seq(items) = &value.value else {
                        self.invalid_type(value, "a list of field names", "write `[owner, tier]`");
                        continue;
                    };
                    for item in items {
                        let Some(f) = self.text(item, "a field name") else { continue };
                        if COMPONENT_KEYS.contains(&f.as_str()) {
                            fields.push(f);
                        } else {
                            let help = did_you_mean(&f, COMPONENT_KEYS, || {
                                format!("the fields are: {}", COMPONENT_KEYS.join(", "))
                            });
                            self.error(
                                Diagnostic::new(
                                    Code::InvalidValue,
                                    format!("unknown field `{}`", f.escape_debug()),
                                )
                                .at(self.file, item.span.clone(), "not a component field")
                                .help(help),
                            );
                        }
                    }
                }
                (Rule::NoRegression { growth }, "growth") => {
                    if let Some(n) = self.integer(value, "a growth") {
                        *growth = u32::try_from(n).unwrap_or(0);
                    }
                }
                _ => {}
            }
        }
        Some(rule)
    }

    fn exception(&mut self, node: &Node) -> Option<Exception> {
        let entries =
            self.map(node, "an exception", "an exception has `rule`, `component`, `reason`, `expires`")?;
        let mut e = Exception {
            rule: String::new(),
            component: String::new(),
            reason: String::new(),
            expires: None,
            location: self.file.location(&node.span),
        };
        let mut ok = true;
        for (key, key_node, value) in self.keyed(entries) {
            match key {
                "rule" => match self.text(value, "a rule") {
                    Some(rule) if self.known_rule(&rule, value) => e.rule = rule,
                    _ => ok = false,
                },
                "component" => match self.id(value, "a component") {
                    Some(id) => id.clone_into(&mut e.component),
                    None => ok = false,
                },
                "reason" => e.reason = self.text(value, "a reason").unwrap_or_default(),
                "expires" => {
                    let text = self.text(value, "a date")?;
                    if let Some(date) = parse_date(&text) {
                        e.expires = Some(date);
                    } else {
                        self.error(
                            Diagnostic::new(
                                Code::InvalidDate,
                                format!("`{}` is not a date", text.escape_debug()),
                            )
                            .at(self.file, value.span.clone(), "not YYYY-MM-DD")
                            .help("write the date as `2027-03-31`"),
                        );
                        ok = false;
                    }
                }
                other => self.unknown_key(key_node, other, &EXCEPTION_KEYS, "an exception"),
            }
        }
        for (field, missing) in [
            ("rule", e.rule.is_empty()),
            ("component", e.component.is_empty()),
            ("reason", e.reason.is_empty()),
        ] {
            if missing && ok {
                self.error(
                    Diagnostic::new(Code::MissingField, format!("exception has no `{field}`"))
                        .at(self.file, node.span.clone(), "this exception")
                        .help("an exception names the `rule`, the `component` and the `reason`"),
                );
                ok = false;
            }
        }
        ok.then_some(e)
    }
}

/// Ids are 1–256 characters, no whitespace or control characters.
///
/// # Complexity
/// O(length of `id`).
pub fn check_id(id: &str) -> bool {
    // Printable ASCII, the usual case, is checked on bytes.
    if id.len() <= MAX_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic()) {
        return !id.is_empty();
    }
    !id.is_empty()
        && id.chars().count() <= MAX_ID_LEN
        && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Parses `YYYY-MM-DD` with a real calendar check.
pub fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_dates() {
        assert!(check_id("resource:default/artists-db"));
        assert!(!check_id(""));
        assert!(!check_id("a b"));
        assert!(!check_id(&"x".repeat(257)));
        assert!(check_id(&"x".repeat(256)));
        // Past the ASCII fast path: characters, not bytes, are counted, and
        // Unicode whitespace and controls are refused.
        assert!(check_id(&"é".repeat(256)));
        assert!(!check_id(&"é".repeat(257)));
        assert!(!check_id("a\u{85}b"));
        assert!(!check_id("a\u{a0}b"));
        assert!(!check_id("a\tb"));
        assert!(!check_id("a\u{7f}"));
        assert_eq!(parse_date("2027-03-31"), Some((2027, 3, 31)));
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_date("27-03-31"), None);
    }

    #[test]
    fn explicit_fields_come_out_sorted() {
        let mut sorted = COMPONENT_KEYS;
        sorted.sort_unstable();
        assert_eq!(sorted, EXPLICIT_ORDER);
        let mut explicit = Explicit::default();
        for field in ["within", "kind", "availability", "kind", "not-a-field"] {
            explicit.insert(field);
        }
        assert_eq!(explicit.to_vec(), ["availability", "kind", "within"]);
        for (i, field) in EXPLICIT_ORDER.iter().enumerate() {
            let mut one = Explicit::default();
            one.insert(field);
            assert_eq!(one, Explicit(1 << i), "{field}");
        }
    }
}
