//! The components of a native manifest: `defaults`, `components` and
//! their dependencies.

use std::ops::Range;
use std::sync::Arc;

use petgraph::graph::NodeIndex;

use super::{
    ANY_OF_KEYS, COMPONENT_KEYS, DEFAULT_KEYS, DRILL_KEYS, FileManifest, QUORUM_KEYS, TARGET_KEYS, TOP_KEYS,
    check_health_url,
};
use crate::diagnostics::Diagnostic;
use crate::model::{ComponentId, Drill, Kind, Location, Mode, Origin, Requirement, RequirementShape};
use crate::source::SourceFile;
use crate::staging::{Explicit, Fields, IdTable, RawComponent, RawComponents};
use crate::syntax::{Node, Value};

/// A requirement member named by its [`IdTable`] number, until the loader
/// resolves it to a node index.
pub(super) fn numbered(n: u32) -> ComponentId {
    NodeIndex::new(n as usize)
}

/// The fields and explicit names that `defaults` gives every component.
type Defaults = (Fields, Explicit);

pub(super) struct Decoder<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) ids: &'a mut IdTable,
    /// The line of the last location computed: the decoder goes through
    /// the text in order, so the next one is nearly always on that line or
    /// next to it (see [`SourceFile::location_near`]).
    pub(super) line: usize,
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

impl Decoder<'_> {
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
            self.error(Diagnostic::unsupported_version(self.file, value.span.clone(), &shown));
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
    pub(super) fn field(&mut self, fields: &mut Fields, key: &str, value: Node) -> Option<&'static str> {
        let name = COMPONENT_KEYS.iter().copied().find(|k| *k == key)?;
        match key {
            "kind" => {
                let text = self.scalar(&value, "a kind")?;
                if let Some(kind) = Kind::parse(text) {
                    fields.kind = Some(kind);
                } else {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    self.error(Diagnostic::unknown_kind(self.file, value.span.clone(), text, &names));
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
                    self.error(Diagnostic::tier_out_of_range(self.file, value.span.clone(), tier));
                    return None;
                }
                fields.tier = u8::try_from(tier).ok();
            }
            "defined" => {
                if let Value::Bool(b) = value.value {
                    fields.defined = Some(b);
                } else {
                    self.invalid_type(
                        &value,
                        "`true` or `false`",
                        "defined: false marks a placeholder that no file describes",
                    );
                    return None;
                }
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
                    self.error(Diagnostic::invalid_weight(self.file, value.span.clone(), w));
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
                    self.error(Diagnostic::invalid_replicas(self.file, value.span.clone(), r));
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
            "health" => {
                let Value::Str(url) = value.value else {
                    self.invalid_type(
                        &value,
                        "text (an http or https URL)",
                        "write the URL that answers 2xx when it is up: `http://cart:8080/healthz`",
                    );
                    return None;
                };
                if !check_health_url(&url) {
                    self.error(Diagnostic::invalid_health_url(self.file, value.span.clone(), &url));
                    return None;
                }
                fields.health = Some(url.into_string());
            }
            "drill" => fields.drill = Some(self.drill(&value)?),
            _ => return None,
        }
        Some(name)
    }

    /// `drill: {inject: .., restore: ..}`: `inject` is required, both are
    /// non-empty text.
    fn drill(&mut self, node: &Node) -> Option<Drill> {
        let entries =
            self.map(node, "a drill", "a drill is `{inject: <shell command>, restore: <shell command>}`")?;
        let mut inject = None;
        let mut restore = None;
        let mut ok = true;
        for (key, key_node, value) in self.keyed(entries) {
            let slot = match key {
                "inject" => &mut inject,
                "restore" => &mut restore,
                _ => {
                    self.unknown_key(key_node, key, &DRILL_KEYS, "`drill`");
                    ok = false;
                    continue;
                }
            };
            match self.command(value, key) {
                Some(command) => *slot = Some(command),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let Some(inject) = inject else {
            self.error(Diagnostic::drill_without_inject(self.file, node.span.clone()));
            return None;
        };
        Some(Drill { inject, restore })
    }

    /// A shell command of `drill` (`key` is `inject` or `restore`):
    /// non-empty text.
    fn command(&mut self, node: &Node, key: &str) -> Option<String> {
        let Value::Str(text) = &node.value else {
            self.invalid_type(
                node,
                "text (a shell command)",
                "write the command as text: `kubectl -n shop scale deployment/cart --replicas=0`",
            );
            return None;
        };
        if text.is_empty() {
            self.error(Diagnostic::empty_drill_command(self.file, node.span.clone(), key));
            return None;
        }
        Some(str::to_owned(text))
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
                    self.error(Diagnostic::dependency_without_target(self.file, node.span.clone(), has_of));
                    return None;
                }
                _ => {
                    self.error(Diagnostic::dependency_mixes_shapes(self.file, node.span.clone()));
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
                    self.error(Diagnostic::quorum_without_members(self.file, node.span.clone()));
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
            self.error(Diagnostic::quorum_out_of_range(self.file, span.clone(), k, members));
            return false;
        }
        true
    }

    fn mode(&mut self, node: &Node) -> Option<Mode> {
        match self.scalar(node, "a mode")? {
            "hard" => Some(Mode::Hard),
            "soft" => Some(Mode::Soft),
            other => {
                self.error(Diagnostic::unknown_mode(self.file, node.span.clone(), other));
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
            self.error(Diagnostic::empty_group(self.file, node.span.clone(), what));
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
                self.error(Diagnostic::duplicate_member(self.file, item.span.clone(), id, first));
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
                    self.error(Diagnostic::runs_in_without_quorum(self.file, node.span.clone()));
                    return None;
                };
                if r.members.is_empty() {
                    self.error(Diagnostic::runs_in_without_members(self.file, node.span.clone()));
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
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Code;
    use crate::load::{LoadOptions, load_texts};
    use crate::model::Drill;

    const CART: &str = "blastmap: 1\ncomponents:\n  cart:\n";

    /// Each error of `cart` given `fields` (indented under it): code, line
    /// and column, message.
    fn errors(fields: &str) -> Vec<(Code, (u32, u32), String)> {
        let text = format!("{CART}{fields}");
        let loaded = load_texts(&[("case.yaml", text.as_str())], &LoadOptions::default());
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code, d.position().1.unwrap(), d.message.clone()))
            .collect()
    }

    #[test]
    fn health_and_drill_are_read_into_the_model() {
        let text = format!(
            "{CART}    health: http://cart:8080/healthz\n    drill:\n      inject: kubectl -n shop scale deployment/cart --replicas=0\n      restore: kubectl -n shop scale deployment/cart --replicas=2\n  redis:\n    drill: {{inject: \"docker pause redis\"}}\n  db: {{}}\n"
        );
        let loaded = load_texts(&[("case.yaml", text.as_str())], &LoadOptions::default());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let model = &loaded.model;
        let cart = model.component(model.find("cart").unwrap());
        assert_eq!(cart.health.as_deref(), Some("http://cart:8080/healthz"));
        assert_eq!(
            cart.drill,
            Some(Drill {
                inject: "kubectl -n shop scale deployment/cart --replicas=0".to_owned(),
                restore: Some("kubectl -n shop scale deployment/cart --replicas=2".to_owned()),
            })
        );
        assert!(cart.has_explicit("health") && cart.has_explicit("drill"));
        // A drill without `restore` is allowed and keeps `None`.
        let redis = model.component(model.find("redis").unwrap());
        assert_eq!(redis.drill, Some(Drill { inject: "docker pause redis".to_owned(), restore: None }));
        assert_eq!(redis.health, None);
        assert!(redis.has_explicit("drill") && !redis.has_explicit("health"));
        let db = model.component(model.find("db").unwrap());
        assert_eq!((&db.health, &db.drill), (&None, &None));
        assert!(db.explicit_fields.is_empty());
    }

    #[test]
    fn an_invalid_health_is_located_at_its_value() {
        for (value, code) in [
            ("ftp://cart/", Code::InvalidValue),
            ("cart:8080/healthz", Code::InvalidValue),
            ("http://", Code::InvalidValue),
            ("\"http://:8080/healthz\"", Code::InvalidValue),
            ("\"http://cart /healthz\"", Code::InvalidValue),
            ("42", Code::InvalidType),
            ("null", Code::InvalidType),
            ("[http://cart/]", Code::InvalidType),
        ] {
            let found = errors(&format!("    health: {value}\n"));
            assert_eq!(found.len(), 1, "{value}: {found:?}");
            assert_eq!((found[0].0, found[0].1), (code, (4, 13)), "{value}: {found:?}");
        }
        let found = errors("    health: ftp://cart/\n");
        assert_eq!(found[0].2, "health `ftp://cart/` is not an http or https URL");
    }

    #[test]
    fn an_invalid_drill_is_located_where_it_goes_wrong() {
        let cases: &[(&str, Code, (u32, u32), &str)] = &[
            ("    drill: {}\n", Code::MissingField, (4, 12), "`drill` has no `inject`"),
            ("    drill:\n      restore: start\n", Code::MissingField, (5, 7), "`drill` has no `inject`"),
            ("    drill: null\n", Code::InvalidType, (4, 12), "expected a mapping (a drill), found null"),
            ("    drill: stop\n", Code::InvalidType, (4, 12), "expected a mapping (a drill), found text"),
            ("    drill: {inject: \"\"}\n", Code::InvalidValue, (4, 21), "drill `inject` is empty"),
            (
                "    drill: {inject: stop, restore: \"\"}\n",
                Code::InvalidValue,
                (4, 36),
                "drill `restore` is empty",
            ),
            (
                "    drill: {inject: 42}\n",
                Code::InvalidType,
                (4, 21),
                "expected text (a shell command), found an integer",
            ),
            (
                "    drill:\n      inject: stop\n      restore: [start]\n",
                Code::InvalidType,
                (6, 16),
                "expected text (a shell command), found a list",
            ),
            (
                "    drill:\n      inject: stop\n      restroe: start\n",
                Code::UnknownKey,
                (6, 7),
                "unknown key `restroe` in `drill`",
            ),
        ];
        for (fields, code, at, message) in cases {
            let found = errors(fields);
            assert_eq!(found, [(*code, *at, (*message).to_owned())], "{fields}");
        }
    }

    #[test]
    fn unknown_drill_keys_suggest_the_known_ones() {
        let text = format!("{CART}    drill: {{injct: stop}}\n");
        let loaded = load_texts(&[("case.yaml", text.as_str())], &LoadOptions::default());
        let d = loaded.diagnostics.iter().find(|d| d.code == Code::UnknownKey).unwrap();
        assert!(d.help.as_deref().unwrap().contains("`inject`"), "{:?}", d.help);
        // The unknown key is the drill's only problem: no `missing inject` on top.
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    }

    #[test]
    fn health_and_drill_are_no_defaults() {
        for key in ["health: http://cart/", "drill: {inject: stop}"] {
            let text = format!("blastmap: 1\ndefaults:\n  {key}\ncomponents:\n  cart: {{}}\n");
            let loaded = load_texts(&[("case.yaml", text.as_str())], &LoadOptions::default());
            let codes: Vec<(Code, Option<(u32, u32)>)> =
                loaded.diagnostics.iter().map(|d| (d.code, d.position().1)).collect();
            assert_eq!(codes, [(Code::UnknownKey, Some((3, 3)))], "{key}");
        }
    }
}
