//! Backstage catalog: Component and Resource entities → components;
//! `dependsOn` (and the reverse `dependencyOf`) → hard dependencies;
//! `consumesApis` → dependencies on the components that `providesApis`.
//! Systems, APIs, Groups and Users are not things that fail on their own:
//! they become fields (`system`, `owner`) or resolve references.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::{Format, Imported, ImportedDependency, field, kind_of, sanitize_id, scalar};
use crate::diagnostics::Diagnostic;
use crate::model::{Kind, Mode};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

/// A reference `[kind:][namespace/]name`, lower-cased as Backstage compares.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ref {
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
}

struct Entity<'a> {
    r: Ref,
    id: String,
    name: String,
    node: &'a Node,
    spec: Option<&'a Node>,
    file: Arc<SourceFile>,
    span: Range<usize>,
}

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
        let Some(name) = meta.and_then(|m| field(m, "name")).and_then(scalar) else {
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
        let base = sanitize_id(&name);
        let id = if r.namespace == "default" { base } else { format!("{}/{base}", sanitize_id(&namespace)) };
        let span = meta.and_then(|m| field(m, "name")).map_or(doc.span.clone(), |n| n.span.clone());
        entities.push(Entity {
            r,
            id,
            name,
            node: doc,
            spec: field(doc, "spec"),
            file: Arc::clone(file),
            span,
        });
    }
    // Ids: entity names; a Resource named like a Component gets its kind as
    // a prefix (`resource:artists-db`) so both stay.
    let runtime = |e: &Entity<'_>| e.r.kind == "component" || e.r.kind == "resource";
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in entities.iter_mut().enumerate().filter(|(_, e)| runtime(e)) {
        if taken.contains_key(&e.id) {
            e.id = format!("{}:{}", e.r.kind, e.id);
        }
        if taken.contains_key(&e.id) {
            diags.push(Diagnostic::duplicate_backstage_entity(&e.file, e.span.clone(), &e.r.kind, &e.name));
            continue;
        }
        taken.insert(e.id.clone(), i);
    }
    let by_ref: BTreeMap<Ref, usize> =
        taken.values().filter_map(|&i| Some((entities.get(i)?.r.clone(), i))).collect();
    // Which components provide each API.
    let mut providers: BTreeMap<Ref, Vec<usize>> = BTreeMap::new();
    for &i in taken.values() {
        let Some(e) = entities.get(i) else { continue };
        for (api, _) in refs(e.spec, "providesApis") {
            providers.entry(Ref::parse(&api, "api", &e.r.namespace)).or_default().push(i);
        }
    }
    let mut components: BTreeMap<usize, Imported> = BTreeMap::new();
    for &i in taken.values() {
        let Some(e) = entities.get(i) else { continue };
        let mut c = Imported::new(e.id.clone(), Format::Backstage, &e.file, e.span.clone());
        let spec_type = e.spec.and_then(|s| field(s, "type")).and_then(scalar);
        c.kind = kind_for(&e.r.kind, spec_type.as_deref());
        if e.r.kind == "resource" || e.id.starts_with("resource:") {
            c.labels.insert("backstage".to_owned(), "Resource".to_owned());
        }
        if let Some(t) = spec_type {
            c.labels.insert("type".to_owned(), t);
        }
        if let Some(l) = e.spec.and_then(|s| field(s, "lifecycle")).and_then(scalar) {
            c.labels.insert("lifecycle".to_owned(), l);
        }
        c.owner = e.spec.and_then(|s| field(s, "owner")).and_then(scalar);
        c.system = e
            .spec
            .and_then(|s| field(s, "system"))
            .and_then(scalar)
            .map(|s| Ref::parse(&s, "system", &e.r.namespace).name);
        let meta = field(e.node, "metadata");
        c.description = meta
            .and_then(|m| field(m, "description"))
            .and_then(scalar)
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
        c.name = meta.and_then(|m| field(m, "title")).and_then(scalar);
        components.insert(i, c);
    }
    let mut edges: Vec<(usize, ImportedDependency)> = Vec::new();
    for &i in taken.values() {
        let Some(e) = entities.get(i) else { continue };
        for (text, span) in refs(e.spec, "dependsOn") {
            let target = Ref::parse(&text, "component", &e.r.namespace);
            match by_ref.get(&target) {
                Some(&t) if t != i => {
                    if let Some(target) = entities.get(t) {
                        edges
                            .push((i, dep(&target.id, format!("backstage dependsOn {text}"), &e.file, span)));
                    }
                }
                Some(_) => {}
                None => {
                    diags.push(Diagnostic::backstage_dependency_unresolved(&e.file, span, &e.name, &text));
                }
            }
        }
        for (text, span) in refs(e.spec, "dependencyOf") {
            let source = Ref::parse(&text, "component", &e.r.namespace);
            match by_ref.get(&source) {
                Some(&s) if s != i => edges
                    .push((s, dep(&e.id, format!("backstage dependencyOf on {}", e.name), &e.file, span))),
                Some(_) => {}
                None => diags.push(Diagnostic::backstage_dependent_unresolved(&e.file, span, &e.name, &text)),
            }
        }
        for (text, span) in refs(e.spec, "consumesApis") {
            let api = Ref::parse(&text, "api", &e.r.namespace);
            let provided: Vec<usize> = providers
                .get(&api)
                .map(|p| p.iter().copied().filter(|&p| p != i).collect())
                .unwrap_or_default();
            if provided.is_empty() {
                diags.push(Diagnostic::backstage_api_unprovided(&e.file, span, &e.name, &text));
                continue;
            }
            let mut targets: Vec<String> =
                provided.iter().filter_map(|&p| Some(entities.get(p)?.id.clone())).collect();
            targets.sort();
            targets.dedup();
            let shown = targets.join(", ");
            edges.push((
                i,
                ImportedDependency {
                    targets,
                    mode: Mode::Hard,
                    via: Some(format!("API {}", api.name)),
                    evidence: vec![format!("backstage consumesApis {text} (provided by {shown})")],
                    file: Arc::clone(&e.file),
                    span,
                },
            ));
        }
    }
    for (from, d) in edges {
        if let Some(c) = components.get_mut(&from) {
            c.depend(d);
        }
    }
    for e in entities.iter().filter(|e| !runtime(e)) {
        notes.push(match e.r.kind.as_str() {
            "system" | "domain" => {
                format!("Backstage {} `{}` groups components (their `system` field)", e.r.kind, e.name)
            }
            "group" | "user" => {
                format!("Backstage {} `{}` owns components (their `owner` field)", e.r.kind, e.name)
            }
            "api" => format!("Backstage API `{}` resolves `consumesApis` to its providers", e.name),
            other => format!("Backstage {other} `{}` has nothing to map", e.name),
        });
    }
    components.into_values().collect()
}

fn dep(target: &str, evidence: String, file: &Arc<SourceFile>, span: Range<usize>) -> ImportedDependency {
    ImportedDependency {
        targets: vec![target.to_owned()],
        mode: Mode::Hard,
        via: None,
        evidence: vec![evidence],
        file: Arc::clone(file),
        span,
    }
}

/// The entity references of a list field, with their spans.
fn refs(spec: Option<&Node>, key: &str) -> Vec<(String, Range<usize>)> {
    match spec.and_then(|s| field(s, key)).map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().filter_map(|i| Some((scalar(i)?, i.span.clone()))).collect(),
        _ => Vec::new(),
    }
}

fn kind_for(entity: &str, spec_type: Option<&str>) -> Option<Kind> {
    let t = spec_type.unwrap_or("").to_ascii_lowercase();
    if entity == "component" {
        return match t.as_str() {
            "website" | "frontend" | "web" => Some(Kind::Frontend),
            "gateway" | "proxy" => Some(Kind::Gateway),
            "job" | "batch" | "cronjob" => Some(Kind::Job),
            _ => None,
        };
    }
    match t.as_str() {
        "database" | "db" => Some(Kind::Database),
        "cache" => Some(Kind::Cache),
        "queue" | "topic" | "kafka-topic" | "message-queue" | "stream" => Some(Kind::Queue),
        "s3-bucket" | "bucket" | "storage" | "blob" | "filesystem" => Some(Kind::Storage),
        "external" | "saas" => Some(Kind::External),
        other => kind_of(None, other),
    }
}
