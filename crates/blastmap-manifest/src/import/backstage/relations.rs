//! Relations between entities, and placeholders for what they name but no
//! input defines.
//!
//! A reference to a Component or Resource that no file describes (its
//! repository's `catalog-info.yaml` was not among the inputs) becomes a
//! placeholder component, `defined: false`, noting who references it and
//! what to add: the dependency is kept, never dropped, and the placeholder
//! is never taken for a described component. An API consumed (by
//! `consumesApis`, or `dependsOn: api:x`) that no input lists in
//! `providesApis` becomes a placeholder for its provider, id the API's name
//! (`api:` in front when a component has that name).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::{Entity, Ref, at, base_id, items, kinds};
use crate::diagnostics::Diagnostic;
use crate::import::{Format, Imported, ImportedDependency, field};
use crate::model::{Kind, Mode};
use crate::syntax::Node;

/// The components so far, with the indexes to resolve references.
#[derive(Default)]
pub(super) struct Catalog {
    pub components: Vec<Imported>,
    /// Component and Resource references (and `api:` ones for provider
    /// placeholders) → position in `components`.
    by_ref: HashMap<Ref, usize>,
    taken: HashSet<String>,
}

impl Catalog {
    /// An id for `r`: its name, with its kind in front when the name is
    /// taken; `None` when that is taken too.
    pub(super) fn claim_id(&mut self, r: &Ref) -> Option<String> {
        self.claim_named(r, &r.name)
    }

    fn claim_named(&mut self, r: &Ref, name: &str) -> Option<String> {
        let base = base_id(r, name);
        let id = if self.taken.contains(&base) { format!("{}:{base}", r.kind) } else { base };
        self.taken.insert(id.clone()).then_some(id)
    }

    pub(super) fn add(&mut self, r: Ref, c: Imported) -> usize {
        let slot = self.components.len();
        self.by_ref.insert(r, slot);
        self.components.push(c);
        slot
    }

    fn id(&self, slot: usize) -> Option<&str> {
        self.components.get(slot).map(|c| c.id.as_str())
    }

    /// The component `r` names, a placeholder made for it if no input
    /// defines it (`note` says who names it and what to add).
    fn resolve_or_hold(
        &mut self,
        r: &Ref,
        written: &str,
        by: &Entity<'_>,
        span: &Range<usize>,
        note: String,
    ) -> Option<(usize, bool)> {
        if let Some(&slot) = self.by_ref.get(r) {
            let c = self.components.get_mut(slot)?;
            if !c.defined && c.notes.len() < 8 && !c.notes.contains(&note) {
                c.notes.push(note);
            }
            return Some((slot, !c.defined));
        }
        let id = self.claim_named(r, &written_name(written))?;
        let mut c = Imported::new(id, Format::Backstage, &by.file, span.clone());
        c.defined = false;
        if r.kind == "resource" {
            // A Resource nobody describes is most often shared storage:
            // storage, unless its name says more (`orders-db`).
            c.kind = kinds::type_info("resource", None, &r.name).kind.or(Some(Kind::Storage));
            c.labels.insert("backstage".to_owned(), "Resource".to_owned());
        }
        c.notes.push(note);
        Some((self.add(r.clone(), c), true))
    }
}

/// The name part of a reference as written (`resource:default/Heroes-DB` →
/// `Heroes-DB`).
fn written_name(text: &str) -> String {
    let text = text.trim();
    let after_kind = match text.split_once(':') {
        Some((k, rest)) if !k.contains('/') => rest,
        _ => text,
    };
    after_kind.rsplit('/').next().unwrap_or(after_kind).to_owned()
}

/// A field naming another Component or Resource, and the dependency it
/// makes: `outgoing` when the entity needs what it names.
struct Relation {
    field: &'static str,
    outgoing: bool,
    mode: Mode,
    /// Said after the evidence.
    why: &'static str,
}

const RELATIONS: [Relation; 3] = [
    Relation { field: "dependsOn", outgoing: true, mode: Mode::Hard, why: "" },
    Relation { field: "dependencyOf", outgoing: false, mode: Mode::Hard, why: "" },
    // The whole needs its parts: a part down degrades it.
    Relation { field: "subcomponentOf", outgoing: false, mode: Mode::Soft, why: ": a part of it" },
];

/// The entity references of a list field (or one scalar), with spans.
pub(super) fn refs(spec: Option<&Node>, key: &str) -> Vec<(String, Range<usize>)> {
    items(spec.and_then(|s| field(s, key)))
}

/// Resolves every relation of the defined components (`slots`: entity →
/// component), adding placeholders for what is named but not defined;
/// returns the APIs something consumes.
pub(super) fn resolve(
    entities: &[Entity<'_>],
    slots: &BTreeMap<usize, usize>,
    catalog: &mut Catalog,
    diags: &mut Vec<Diagnostic>,
) -> HashSet<Ref> {
    // Which components provide each API.
    let mut providers: BTreeMap<Ref, Vec<usize>> = BTreeMap::new();
    for (&i, &slot) in slots {
        let Some(e) = entities.get(i) else { continue };
        for (api, _) in refs(e.spec, "providesApis") {
            providers.entry(Ref::parse(&api, "api", &e.r.namespace)).or_default().push(slot);
        }
    }
    let api_names: HashSet<&Ref> = entities.iter().filter(|e| e.r.kind == "api").map(|e| &e.r).collect();
    let mut consumed: HashSet<Ref> = HashSet::new();
    let mut edges: Vec<(usize, ImportedDependency)> = Vec::new();
    for (&i, &slot) in slots {
        let Some(e) = entities.get(i) else { continue };
        let here = |span: &Range<usize>| at(&e.file, span);
        for relation in &RELATIONS {
            for (text, span) in refs(e.spec, relation.field) {
                let other = Ref::parse(&text, "component", &e.r.namespace);
                if other.name.trim().is_empty() {
                    diags.push(Diagnostic::backstage_malformed_reference(
                        &e.file,
                        span,
                        &e.name,
                        relation.field,
                        &text,
                    ));
                    continue;
                }
                if relation.field == "dependsOn" && other.kind == "api" {
                    consumed.insert(other.clone());
                    let evidence = format!("backstage dependsOn {text}");
                    edges.extend(api_edge(
                        catalog, &providers, e, slot, &other, &text, &span, &evidence, diags,
                    ));
                    continue;
                }
                if !other.is_runtime() {
                    diags.push(Diagnostic::backstage_not_runtime(
                        &e.file,
                        span,
                        &e.name,
                        relation.field,
                        &text,
                    ));
                    continue;
                }
                let note = format!(
                    "defined in no input file: `{}` names it in {} ({}); add the catalog-info.yaml that defines {other} to the inputs",
                    e.name,
                    relation.field,
                    here(&span)
                );
                let Some((o, held)) = catalog.resolve_or_hold(&other, &text, e, &span, note) else {
                    continue;
                };
                let (Some(other_id), Some(own_id)) = (catalog.id(o), catalog.id(slot)) else { continue };
                if o == slot {
                    continue;
                }
                if held {
                    diags.push(Diagnostic::backstage_placeholder(
                        &e.file,
                        span.clone(),
                        &e.name,
                        relation.field,
                        &text,
                        other_id,
                    ));
                }
                // Written on the entity that needs: the field says it all;
                // written on the other one: whose field it is, too.
                let (from, to, evidence) = if relation.outgoing {
                    (slot, other_id, format!("backstage {} {text}{}", relation.field, relation.why))
                } else {
                    (o, own_id, format!("backstage {} {} {text}{}", e.name, relation.field, relation.why))
                };
                edges.push((from, dep(to, relation.mode, evidence, e, span)));
            }
        }
        for (text, span) in refs(e.spec, "consumesApis") {
            let api = Ref::parse(&text, "api", &e.r.namespace);
            if api.name.trim().is_empty() {
                diags.push(Diagnostic::backstage_malformed_reference(
                    &e.file,
                    span,
                    &e.name,
                    "consumesApis",
                    &text,
                ));
                continue;
            }
            consumed.insert(api.clone());
            let evidence = format!("backstage consumesApis {text}");
            edges.extend(api_edge(catalog, &providers, e, slot, &api, &text, &span, &evidence, diags));
        }
        // An API provided that no file defines: harmless (consumers match
        // providers by name), but said when the catalog defines APIs.
        if !api_names.is_empty() {
            for (text, span) in refs(e.spec, "providesApis") {
                if !api_names.contains(&Ref::parse(&text, "api", &e.r.namespace))
                    && let Some(c) = catalog.components.get_mut(slot)
                {
                    c.notes.push(format!(
                        "provides API {text} ({}), which no input file defines as an API entity",
                        here(&span)
                    ));
                }
            }
        }
    }
    for (from, d) in edges {
        if let Some(c) = catalog.components.get_mut(from) {
            c.depend(d);
        }
    }
    consumed
}

/// The dependency of `e` (at `slot`) on the providers of `api`, a
/// placeholder provider made when no component provides it.
#[allow(clippy::too_many_arguments)]
fn api_edge(
    catalog: &mut Catalog,
    providers: &BTreeMap<Ref, Vec<usize>>,
    e: &Entity<'_>,
    slot: usize,
    api: &Ref,
    text: &str,
    span: &Range<usize>,
    evidence: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(usize, ImportedDependency)> {
    let provided: Vec<usize> =
        providers.get(api).map(|p| p.iter().copied().filter(|&p| p != slot).collect()).unwrap_or_default();
    if provided.is_empty() {
        if providers.get(api).is_some() {
            // It provides what it consumes: no dependency.
            return None;
        }
        let named =
            Ref { kind: "component".to_owned(), namespace: api.namespace.clone(), name: api.name.clone() };
        let same_name = if catalog.by_ref.contains_key(&named) {
            format!(
                " (the component `{}` has its name: if it serves the API, list it in its providesApis)",
                api.name
            )
        } else {
            String::new()
        };
        let note = format!(
            "stands for what serves API {}: `{}` consumes it ({}) and no input lists it in providesApis; add `providesApis: [{}]` to the component that serves it{same_name}",
            api.name,
            e.name,
            at(&e.file, span),
            api.name
        );
        let (p, held) = catalog.resolve_or_hold(api, text, e, span, note)?;
        let id = catalog.id(p)?.to_owned();
        if held {
            diags.push(Diagnostic::backstage_api_placeholder(&e.file, span.clone(), &e.name, text, &id));
        }
        let mut d =
            dep(&id, Mode::Hard, format!("{evidence} (provided by no input: placeholder)"), e, span.clone());
        d.via = Some(format!("API {}", api.name));
        return Some((slot, d));
    }
    let mut targets: Vec<String> =
        provided.iter().filter_map(|&p| catalog.id(p).map(str::to_owned)).collect();
    targets.sort();
    targets.dedup();
    let shown = targets.join(", ");
    Some((
        slot,
        ImportedDependency {
            targets,
            mode: Mode::Hard,
            via: Some(format!("API {}", api.name)),
            evidence: vec![format!("{evidence} (provided by {shown})")],
            file: Arc::clone(&e.file),
            span: span.clone(),
        },
    ))
}

fn dep(target: &str, mode: Mode, evidence: String, e: &Entity<'_>, span: Range<usize>) -> ImportedDependency {
    ImportedDependency {
        targets: vec![target.to_owned()],
        mode,
        via: None,
        evidence: vec![evidence],
        file: Arc::clone(&e.file),
        span,
    }
}
