//! The native manifest, format version 1: decodes a [`Node`] tree (from
//! YAML, JSON or TOML alike) into raw components, reporting every problem
//! with its location instead of stopping at the first.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::model::{Kind, Mode, Origin, RequirementShape};
use crate::policy::{Exception, Level, Policy, Rule, RuleConfig};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

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

/// A requirement as written, with member ids not yet resolved.
#[derive(Clone, Debug)]
pub(crate) struct RawRequirement {
    pub shape: RequirementShape,
    pub need: u32,
    pub members: Vec<(String, Range<usize>)>,
    pub mode: Mode,
    pub via: Option<String>,
    pub origin: Origin,
    pub span: Range<usize>,
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

/// A component as written.
#[derive(Clone, Debug)]
pub(crate) struct RawComponent {
    pub id: String,
    pub span: Range<usize>,
    pub file: Arc<SourceFile>,
    pub fields: Fields,
    pub requirements: Vec<RawRequirement>,
    pub explicit: Vec<&'static str>,
}

/// What one native file contributes.
#[derive(Debug)]
pub(crate) struct FileManifest {
    pub file: Arc<SourceFile>,
    pub components: Vec<RawComponent>,
    /// The policy with the span of its key.
    pub policy: Option<(Policy, Range<usize>)>,
}

struct Decoder<'a> {
    file: &'a Arc<SourceFile>,
    diags: &'a mut Vec<Diagnostic>,
}

/// Decodes the document of a native manifest (whose top level has `blastmap`).
pub(crate) fn decode(file: &Arc<SourceFile>, root: &Node, diags: &mut Vec<Diagnostic>) -> FileManifest {
    let mut d = Decoder { file, diags };
    d.manifest(root)
}

impl Decoder<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
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

    /// Text, accepting plain YAML scalars such as `8080` where text is expected.
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                Some(self.file.text.get(node.span.clone()).unwrap_or_default().to_owned())
            }
            _ => {
                self.invalid_type(node, &format!("text ({what})"), "write the value as text");
                None
            }
        }
    }

    fn id(&mut self, node: &Node, what: &str) -> Option<String> {
        let id = self.text(node, what)?;
        if check_id(&id) {
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

    fn manifest(&mut self, root: &Node) -> FileManifest {
        let mut out = FileManifest { file: Arc::clone(self.file), components: Vec::new(), policy: None };
        let Some(entries) = self.map(root, "the manifest", "a manifest is a mapping with `blastmap: 1`")
        else {
            return out;
        };
        let entries = self.keyed(entries);
        let mut defaults = (Fields::default(), Vec::new());
        // `defaults` applies to every component of the file, wherever it is written.
        if let Some((_, _, v)) = entries.iter().find(|(k, _, _)| *k == "defaults") {
            defaults = self.defaults(v);
        }
        for (key, key_node, value) in entries {
            match key {
                "blastmap" => self.version(value),
                "defaults" => {}
                "components" => self.components(value, &defaults, &mut out.components),
                "policy" => {
                    if let Some(policy) = self.policy(value, key_node) {
                        out.policy = Some((policy, key_node.span.clone()));
                    }
                }
                other => self.unknown_key(key_node, other, &TOP_KEYS, "the manifest"),
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

    fn defaults(&mut self, node: &Node) -> (Fields, Vec<&'static str>) {
        let mut fields = Fields::default();
        let mut explicit = Vec::new();
        let Some(entries) = self.map(node, "defaults", "`defaults` maps field names to values") else {
            return (fields, explicit);
        };
        for (key, key_node, value) in self.keyed(entries) {
            if DEFAULT_KEYS.contains(&key) {
                if let Some(name) = self.field(&mut fields, key, value) {
                    explicit.push(name);
                }
            } else {
                self.unknown_key(key_node, key, &DEFAULT_KEYS, "`defaults`");
            }
        }
        (fields, explicit)
    }

    /// Decodes one scalar field into `fields`; returns the static field name
    /// when it was set.
    fn field(&mut self, fields: &mut Fields, key: &str, value: &Node) -> Option<&'static str> {
        let name = COMPONENT_KEYS.iter().copied().find(|k| *k == key)?;
        match key {
            "kind" => {
                let text = self.text(value, "a kind")?;
                if let Some(kind) = Kind::parse(&text) {
                    fields.kind = Some(kind);
                } else {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    let help = did_you_mean(&text, names.iter().copied(), || {
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
            "name" => fields.name = Some(self.text(value, "a display name")?),
            "owner" => fields.owner = Some(self.text(value, "an owner")?),
            "system" => fields.system = Some(self.text(value, "a system")?),
            "description" => fields.description = Some(self.text(value, "a description")?),
            "tier" => {
                let tier = self.integer(value, "a tier")?;
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
                        value,
                        "`true` or `false`",
                        "entrypoint says whether users reach it directly",
                    );
                    return None;
                }
            }
            "weight" => {
                let w = self.number(value, "a weight")?;
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
            "availability" => fields.availability = Some(self.percentage(value, "availability")?),
            "slo" => fields.slo = Some(self.percentage(value, "slo")?),
            "replicas" => {
                let r = self.integer(value, "replicas")?;
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
                let entries = self.map(value, "labels", "`labels` maps names to text")?;
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

    fn components(
        &mut self,
        node: &Node,
        defaults: &(Fields, Vec<&'static str>),
        out: &mut Vec<RawComponent>,
    ) {
        if matches!(node.value, Value::Null) {
            return;
        }
        let Some(entries) = self.map(node, "components", "`components` maps each id to its fields") else {
            return;
        };
        for (key, value) in entries {
            let Some(id) = self.id(key, "a component id") else { continue };
            out.push(self.component(id, key.span.clone(), value, defaults));
        }
    }

    fn component(
        &mut self,
        id: String,
        span: Range<usize>,
        node: &Node,
        defaults: &(Fields, Vec<&'static str>),
    ) -> RawComponent {
        let mut fields = defaults.0.clone();
        let mut explicit: Vec<&'static str> = defaults.1.clone();
        let mut requirements = Vec::new();
        let mut runs_in = None;
        let mut within = None;
        let entries = match &node.value {
            Value::Null => &[][..],
            _ => self
                .map(
                    node,
                    "a component",
                    "a component maps field names (kind, tier, depends_on, ...) to values",
                )
                .unwrap_or(&[]),
        };
        for (key, key_node, value) in self.keyed(entries) {
            match key {
                "depends_on" => self.depends_on(value, &mut requirements),
                "runs_in" => runs_in = self.runs_in(value),
                "within" => {
                    within = self.id(value, "a failure domain").map(|id| RawRequirement {
                        shape: RequirementShape::Single,
                        need: 1,
                        members: vec![(id, value.span.clone())],
                        mode: Mode::Hard,
                        via: None,
                        origin: Origin::Within,
                        span: key_node.span.start..value.span.end,
                    });
                }
                _ if COMPONENT_KEYS.contains(&key) => {
                    if let Some(name) = self.field(&mut fields, key, value) {
                        explicit.push(name);
                    }
                }
                _ => self.unknown_key(key_node, key, &COMPONENT_KEYS, "a component"),
            }
        }
        if let Some(mut r) = runs_in {
            r.span = entries
                .iter()
                .find(|(k, _)| k.key_text() == Some("runs_in"))
                .map_or(r.span.clone(), |(k, v)| k.span.start..v.span.end);
            requirements.push(r);
            explicit.push("runs_in");
        }
        if let Some(r) = within {
            requirements.push(r);
            explicit.push("within");
        }
        if requirements.iter().any(|r| r.origin == Origin::DependsOn) {
            explicit.push("depends_on");
        }
        explicit.sort_unstable();
        explicit.dedup();
        RawComponent { id, span, file: Arc::clone(self.file), fields, requirements, explicit }
    }

    fn depends_on(&mut self, node: &Node, out: &mut Vec<RawRequirement>) {
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

    fn dependency(&mut self, node: &Node) -> Option<RawRequirement> {
        let entries = match &node.value {
            Value::Map(entries) => entries,
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let id = self.id(node, "a dependency")?;
                return Some(RawRequirement {
                    shape: RequirementShape::Single,
                    need: 1,
                    members: vec![(id, node.span.clone())],
                    mode: Mode::Hard,
                    via: None,
                    origin: Origin::DependsOn,
                    span: node.span.clone(),
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
        let mut r = RawRequirement {
            shape,
            need: 1,
            members: Vec::new(),
            mode: Mode::Hard,
            via: None,
            origin: Origin::DependsOn,
            span: node.span.clone(),
        };
        let mut quorum: Option<(i64, Range<usize>)> = None;
        let mut ok = true;
        for (key, key_node, value) in entries {
            match key {
                _ if !allowed.contains(&key) => {
                    self.unknown_key(key_node, key, allowed, "a dependency");
                }
                "target" => match self.id(value, "a dependency target") {
                    Some(id) => r.members.push((id, value.span.clone())),
                    None => ok = false,
                },
                "any_of" | "of" => match self.members(value, key) {
                    Some(members) => r.members = members,
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
            if !entries_have(&r, quorum.as_ref()) {
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
        match self.text(node, "a mode")?.as_str() {
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

    /// A list of member ids: non-empty, no member twice.
    fn members(&mut self, node: &Node, what: &str) -> Option<Vec<(String, Range<usize>)>> {
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
        let mut members: Vec<(String, Range<usize>)> = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            let Some(id) = self.id(item, "a group member") else {
                ok = false;
                continue;
            };
            if let Some((_, first)) = members.iter().find(|(m, _)| *m == id) {
                let first = first.clone();
                self.error(
                    Diagnostic::new(Code::DuplicateMember, format!("`{id}` is twice in the group"))
                        .at(self.file, item.span.clone(), "again here")
                        .also(first, "first here")
                        .help("a member counts once; remove the repeat"),
                );
                ok = false;
                continue;
            }
            members.push((id, item.span.clone()));
        }
        ok.then_some(members)
    }

    fn runs_in(&mut self, node: &Node) -> Option<RawRequirement> {
        let mut r = RawRequirement {
            shape: RequirementShape::Single,
            need: 1,
            members: Vec::new(),
            mode: Mode::Hard,
            via: None,
            origin: Origin::RunsIn,
            span: node.span.clone(),
        };
        match &node.value {
            Value::Seq(_) => {
                r.members = self.members(node, "runs_in")?;
                if r.members.len() > 1 {
                    r.shape = RequirementShape::AnyOf;
                }
            }
            Value::Map(entries) => {
                let mut quorum = None;
                for (key, key_node, value) in self.keyed(entries) {
                    match key {
                        "quorum" => quorum = self.integer(value, "a quorum").map(|k| (k, value.span.clone())),
                        "of" => r.members = self.members(value, "of")?,
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
                let id = self.id(node, "a failure domain")?;
                r.members.push((id, node.span.clone()));
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
            self.field(&mut f, "kind", item);
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
                    if self.field(&mut f, "tier", value).is_some() {
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
                    Some(id) => e.component = id,
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

/// Whether quorum and members were both decoded.
fn entries_have(r: &RawRequirement, quorum: Option<&(i64, Range<usize>)>) -> bool {
    quorum.is_some() && !r.members.is_empty()
}

/// Ids are 1–256 characters, no whitespace or control characters.
pub fn check_id(id: &str) -> bool {
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
        assert_eq!(parse_date("2027-03-31"), Some((2027, 3, 31)));
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_date("27-03-31"), None);
    }
}
