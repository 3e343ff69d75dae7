//! Observed dependencies: Jaeger's `/api/dependencies` JSON
//! (`{"data": [{"parent", "child", "callCount"}]}`, or a bare list of the
//! same objects, which OpenTelemetry service-graph exports also produce).
//! Every service named becomes a component; every edge a dependency with
//! its call count. Traffic says nothing about hard or soft: edges are hard,
//! to be curated. A service that calls others and that no traced service
//! calls is an entrypoint: its traffic comes from outside the traces
//! (users, or an untraced caller — the evidence says which rule made it).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Format, Imported, ImportedDependency, field, sanitize_id, scalar};
use crate::diagnostics::Diagnostic;
use crate::model::Mode;
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

/// Whether a node is one observed edge (`parent` and `child`).
pub(crate) fn is_edge(node: &Node) -> bool {
    node.get("parent").is_some() && node.get("child").is_some()
}

/// Imports every observed-dependencies document; call counts of the same
/// edge in several documents add up.
pub(crate) fn import(
    docs: &[(Arc<SourceFile>, Node)],
    diags: &mut Vec<Diagnostic>,
    _notes: &mut Vec<String>,
) -> Vec<Imported> {
    let mut components: BTreeMap<String, Imported> = BTreeMap::new();
    let mut calls: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (file, doc) in docs {
        let ((Value::Seq(items), _) | (_, Some(Value::Seq(items)))) =
            (&doc.value, field(doc, "data").map(|d| &d.value))
        else {
            continue;
        };
        for item in items {
            let parent = field(item, "parent").and_then(scalar).map(|p| sanitize_id(&p));
            let child = field(item, "child").and_then(scalar).map(|c| sanitize_id(&c));
            let (Some(parent), Some(child)) =
                (parent.filter(|p| !p.is_empty()), child.filter(|c| !c.is_empty()))
            else {
                diags.push(Diagnostic::observed_edge_without_ends(file, item.span.clone()));
                continue;
            };
            let count =
                field(item, "callCount").and_then(scalar).and_then(|c| c.parse::<u64>().ok()).unwrap_or(0);
            for id in [&parent, &child] {
                components.entry(id.clone()).or_insert_with(|| {
                    let mut c = Imported::new(id.clone(), Format::Otel, file, item.span.clone());
                    c.labels.insert("observed".to_owned(), "true".to_owned());
                    c
                });
            }
            if parent == child {
                // A service calling itself is real traffic but no dependency.
                continue;
            }
            let total = calls.entry((parent.clone(), child.clone())).or_insert(0);
            *total = total.saturating_add(count);
            if let Some(c) = components.get_mut(&parent) {
                c.depend(ImportedDependency {
                    targets: vec![child.clone()],
                    mode: Mode::Hard,
                    via: None,
                    evidence: Vec::new(),
                    file: Arc::clone(file),
                    span: item.span.clone(),
                });
            }
        }
    }
    let called: BTreeSet<&String> = calls.keys().map(|(_, child)| child).collect();
    let callers: BTreeSet<&String> = calls.keys().map(|(parent, _)| parent).collect();
    let entrypoints: Vec<String> =
        callers.into_iter().filter(|p| !called.contains(p)).map(String::clone).collect();
    for id in entrypoints {
        if let Some(c) = components.get_mut(&id) {
            c.mark_entrypoint("no caller in the observed traces");
        }
    }
    for ((parent, child), count) in calls {
        if let Some(d) =
            components.get_mut(&parent).and_then(|c| c.dependency_mut(std::slice::from_ref(&child)))
        {
            d.via = Some(format!("observed: {count} call{}", if count == 1 { "" } else { "s" }));
            d.evidence = vec![format!("observed {count} call{}", if count == 1 { "" } else { "s" })];
        }
    }
    components.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Limits, Syntax, parse};

    fn run(text: &str) -> BTreeMap<String, Imported> {
        let file = Arc::new(SourceFile::new("deps.json", text.to_owned()));
        let docs: Vec<(Arc<SourceFile>, Node)> = parse(&file, Syntax::Json, &Limits::default())
            .unwrap()
            .into_iter()
            .map(|d| (Arc::clone(&file), d))
            .collect();
        let (mut diags, mut notes) = (Vec::new(), Vec::new());
        import(&docs, &mut diags, &mut notes).into_iter().map(|c| (c.id.clone(), c)).collect()
    }

    #[test]
    fn services_nobody_calls_that_call_others_are_entrypoints() {
        let c = run(r#"{"data": [
            {"parent": "web", "child": "api", "callCount": 10},
            {"parent": "cron", "child": "api", "callCount": 1},
            {"parent": "api", "child": "db", "callCount": 9},
            {"parent": "loner", "child": "loner", "callCount": 4}
        ]}"#);
        for id in ["web", "cron"] {
            assert_eq!(c[id].entrypoint, ["no caller in the observed traces"], "{id}");
        }
        // Called, only called, or calling only itself: no evidence.
        for id in ["api", "db", "loner"] {
            assert!(c[id].entrypoint.is_empty(), "{id}");
        }
    }

    #[test]
    fn a_cycle_has_no_entrypoint() {
        let c = run(r#"[{"parent": "a", "child": "b"}, {"parent": "b", "child": "a"}]"#);
        assert!(c.values().all(|c| c.entrypoint.is_empty()));
    }
}
