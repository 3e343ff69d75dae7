//! Backstage catalog: Component and Resource entities → components;
//! `dependsOn` (and the reverse `dependencyOf`) → hard dependencies;
//! `consumesApis` → dependencies on the components that `providesApis`;
//! `subcomponentOf` → a soft dependency of the whole on its part.
//! Systems, APIs, Groups and Users are not things that fail on their own:
//! they become fields (`system`, `owner`) or resolve references.
//!
//! Catalogs are spread over repositories, so the importer expects gaps and
//! repeats: an entity referenced but defined in no input is a placeholder
//! (`defined: false`, with a note naming who references it and what to
//! add) — see [`relations`]; the same entity in several files merges or
//! warns — see [`same`]; `spec.type` gives the kind — see [`kinds`].

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::{Format, Imported, field, sanitize_id, scalar};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

mod kinds;
mod relations;
mod same;

/// A reference `[kind:][namespace/]name`, lower-cased as Backstage compares.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Ref {
    kind: String,
    namespace: String,
    name: String,
}

impl Ref {
    fn parse(text: &str, default_kind: &str, default_ns: &str) -> Ref {
        let text = text.trim().to_ascii_lowercase();
        let (kind, rest) = match text.split_once(':') {
            Some((k, r)) if !k.contains('/') => (k.to_owned(), r.to_owned()),
            _ => (default_kind.to_owned(), text.clone()),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, n)) => (ns.to_owned(), n.to_owned()),
            None => (default_ns.to_owned(), rest),
        };
        Ref { kind, namespace, name }
    }

    /// Components and Resources fail on their own; other kinds do not.
    fn is_runtime(&self) -> bool {
        self.kind == "component" || self.kind == "resource"
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// One entity document.
pub(super) struct Entity<'a> {
    r: Ref,
    /// `metadata.name` as written.
    name: String,
    node: &'a Node,
    spec: Option<&'a Node>,
    file: Arc<SourceFile>,
    /// `metadata.name`'s value (the whole document without one).
    span: Range<usize>,
    /// For the component's notes (duplicates merged, fields not read).
    notes: Vec<String>,
}

impl Entity<'_> {
    fn spec_text(&self, key: &str) -> Option<String> {
        self.spec.and_then(|s| field(s, key)).and_then(scalar)
    }
}

/// `file:line` of a span, for notes and evidence.
pub(super) fn at(file: &SourceFile, span: &Range<usize>) -> String {
    format!("{}:{}", file.name, file.line_column(span.start).0)
}

/// The `spec` keys Backstage defines for Components and Resources; others
/// (`apiConsumedBy` in real catalogs) are read by nothing and get a note.
const SPEC_KEYS: &[&str] = &[
    "type",
    "lifecycle",
    "owner",
    "system",
    "subcomponentOf",
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
];

/// Imports every catalog entity (all files together: references cross files).
pub(crate) fn import(
    docs: &[(Arc<SourceFile>, Node)],
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> Vec<Imported> {
    let mut entities: Vec<Entity<'_>> = Vec::new();
    for (file, doc) in docs {
        let kind = field(doc, "kind").and_then(scalar).unwrap_or_default();
        let meta = field(doc, "metadata");
        let name = meta.and_then(|m| field(m, "name")).and_then(scalar);
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            diags.push(Diagnostic::backstage_entity_without_name(file, doc.span.start));
            continue;
        };
        let namespace =
            meta.and_then(|m| field(m, "namespace")).and_then(scalar).unwrap_or_else(|| "default".to_owned());
        let r = Ref {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        };
        let span = meta.and_then(|m| field(m, "name")).map_or(doc.span.clone(), |n| n.span.clone());
        entities.push(Entity {
            r,
            name,
            node: doc,
            spec: field(doc, "spec"),
            file: Arc::clone(file),
            span,
            notes: Vec::new(),
        });
    }
    let entities = same::dedupe(entities, diags);
    let mut catalog = relations::Catalog::default();
    // Components claim plain ids before Resources, so that a Resource named
    // like a Component (`artists-db`) is the one to get `resource:` in front
    // whatever the file order.
    let mut order: Vec<(bool, usize)> = entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.r.is_runtime())
        .map(|(i, e)| (e.r.kind != "component", i))
        .collect();
    order.sort_unstable();
    let mut slots: BTreeMap<usize, usize> = BTreeMap::new();
    for (_, i) in order {
        let Some(e) = entities.get(i) else { continue };
        let Some(id) = catalog.claim_id(&e.r) else {
            diags.push(Diagnostic::duplicate_backstage_entity(&e.file, e.span.clone(), &e.r.kind, &e.name));
            continue;
        };
        slots.insert(i, catalog.add(e.r.clone(), component(e, id)));
    }
    let consumed = relations::resolve(&entities, &slots, &mut catalog, diags);
    for (&i, &slot) in &slots {
        let (Some(e), Some(c)) = (entities.get(i), catalog.components.get_mut(slot)) else { continue };
        mark_entrypoints(e, c, &consumed);
    }
    for e in entities.iter().filter(|e| !e.r.is_runtime()) {
        notes.push(match e.r.kind.as_str() {
            "system" | "domain" => {
                format!("Backstage {} `{}` groups components (their `system` field)", e.r.kind, e.name)
            }
            "group" | "user" => {
                format!("Backstage {} `{}` owns components (their `owner` field)", e.r.kind, e.name)
            }
            "api" => format!("Backstage API `{}` resolves `consumesApis` to its providers", e.name),
            "location" => {
                let targets = items(e.spec.and_then(|s| field(s, "targets"))).len()
                    + items(e.spec.and_then(|s| field(s, "target"))).len();
                format!(
                    "Backstage Location `{}` lists {targets} target(s); blastmap reads the files and directories named on the command line, not Location targets: name them",
                    e.name
                )
            }
            other => format!("Backstage {other} `{}` has nothing to map", e.name),
        });
        notes.extend(e.notes.iter().map(|n| format!("Backstage {} `{}`: {n}", e.r.kind, e.name)));
    }
    catalog.components
}

/// The component of a Component or Resource entity, without dependencies.
fn component(e: &Entity<'_>, id: String) -> Imported {
    let mut c = Imported::new(id, Format::Backstage, &e.file, e.span.clone());
    let spec_type = e.spec_text("type");
    let info = kinds::type_info(&e.r.kind, spec_type.as_deref(), &e.name);
    c.kind = info.kind;
    if e.r.kind == "resource" {
        c.labels.insert("backstage".to_owned(), "Resource".to_owned());
    }
    if let Some(t) = spec_type {
        if info.linked {
            c.notes.push(format!(
                "spec.type {t}: linked into its users, not deployed on its own; it fails with them"
            ));
        }
        c.labels.insert("type".to_owned(), t);
    }
    if let Some(l) = e.spec_text("lifecycle") {
        c.labels.insert("lifecycle".to_owned(), l);
    }
    c.owner = e.spec_text("owner");
    c.system = e.spec_text("system").map(|s| Ref::parse(&s, "system", &e.r.namespace).name);
    let meta = field(e.node, "metadata");
    c.description = meta
        .and_then(|m| field(m, "description"))
        .and_then(scalar)
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
    c.name = meta.and_then(|m| field(m, "title")).and_then(scalar);
    c.notes.extend(e.notes.iter().cloned());
    let mut unread: Vec<&str> = e
        .spec
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, _)| k.key_text())
        .filter(|k| !SPEC_KEYS.contains(k))
        .collect();
    unread.sort_unstable();
    unread.dedup();
    for key in unread {
        c.notes.push(format!("spec.{key} is no Backstage field: not read"));
    }
    c
}

/// Entrypoint evidence of a defined component: a user-facing `spec.type`,
/// or an API it provides that nothing in the inventory consumes (what is
/// called from outside).
fn mark_entrypoints(e: &Entity<'_>, c: &mut Imported, consumed: &HashSet<Ref>) {
    let type_node = e.spec.and_then(|s| field(s, "type"));
    let spec_type = type_node.and_then(scalar);
    let info = kinds::type_info(&e.r.kind, spec_type.as_deref(), &e.name);
    if let (true, Some(t), Some(node)) = (info.user_facing, &spec_type, type_node) {
        c.mark_entrypoint(format!("spec.type {t} ({})", at(&e.file, &node.span)));
    }
    if info.linked || e.r.kind != "component" {
        return;
    }
    for (api, span) in relations::refs(e.spec, "providesApis") {
        if !consumed.contains(&Ref::parse(&api, "api", &e.r.namespace)) {
            c.mark_entrypoint(format!(
                "provides API {api} consumed by nothing in the inventory ({})",
                at(&e.file, &span)
            ));
        }
    }
}

/// The id of a reference: its name, `namespace/name` outside `default`.
fn base_id(r: &Ref, name: &str) -> String {
    let base = sanitize_id(name);
    if r.namespace == "default" { base } else { format!("{}/{base}", sanitize_id(&r.namespace)) }
}

/// A scalar list field's items with their spans (`dependsOn: [a, b]`), or
/// a single scalar (`subcomponentOf: a`).
fn items(node: Option<&Node>) -> Vec<(String, Range<usize>)> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().filter_map(|i| Some((scalar(i)?, i.span.clone()))).collect(),
        Some(_) => node.and_then(|n| Some((scalar(n)?, n.span.clone()))).into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
