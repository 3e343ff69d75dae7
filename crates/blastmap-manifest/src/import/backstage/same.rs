//! The same entity in several files: catalogs spread over repositories
//! often describe one entity twice (a service's own `catalog-info.yaml`
//! and a central `all.yaml`). Entities are the same when their references
//! (`kind:namespace/name`, compared as Backstage compares them, without
//! case) are; the first one read wins (inputs in command-line order,
//! directories in file-name order). A copy whose `spec` is the same (up to
//! the order of keys and of list items) merges into it with a note; a copy
//! whose `spec` differs is a `duplicate-id` warning naming both places.

use std::collections::HashMap;

use super::{Entity, Ref, at};
use crate::diagnostics::Diagnostic;
use crate::syntax::{Node, Value};

/// The entities with every later copy of a reference merged into the first
/// (a note on it) or left out (a warning).
pub(super) fn dedupe<'a>(entities: Vec<Entity<'a>>, diags: &mut Vec<Diagnostic>) -> Vec<Entity<'a>> {
    let mut first: HashMap<Ref, usize> = HashMap::new();
    let mut kept: Vec<Entity<'a>> = Vec::with_capacity(entities.len());
    for e in entities {
        let Some(&i) = first.get(&e.r) else {
            first.insert(e.r.clone(), kept.len());
            kept.push(e);
            continue;
        };
        let Some(winner) = kept.get_mut(i) else { continue };
        let here = at(&e.file, &e.span);
        let there = at(&winner.file, &winner.span);
        if canonical(e.spec) == canonical(winner.spec) {
            let metadata = if canonical(meta_without_annotations(e.node))
                == canonical(meta_without_annotations(winner.node))
            {
                String::new()
            } else {
                format!(" (its metadata differs; that of {there} is kept)")
            };
            winner.notes.push(format!("defined identically in {there} and {here}: merged{metadata}"));
        } else {
            winner.notes.push(format!(
                "defined again in {here} with a different spec: this one ({there}) is kept, see the duplicate-id warning"
            ));
            diags.push(Diagnostic::conflicting_backstage_entity(
                &e.file,
                e.span.clone(),
                &e.r.to_string(),
                (&winner.file, winner.span.clone()),
            ));
        }
    }
    kept
}

/// `metadata` without `annotations` (tools add those per location).
fn meta_without_annotations(doc: &Node) -> Option<Node> {
    let meta = doc.get("metadata")?;
    let entries = meta.as_map()?;
    let kept = entries.iter().filter(|(k, _)| k.key_text() != Some("annotations")).cloned().collect();
    Some(Node::new(Value::Map(kept), meta.span.clone()))
}

/// A text equal for equal values whatever the order of mapping keys and of
/// list items (Backstage relation lists are sets).
fn canonical<N: std::borrow::Borrow<Node>>(node: Option<N>) -> String {
    let Some(node) = node else { return "~".to_owned() };
    let mut out = String::new();
    write(node.borrow(), &mut out);
    out
}

fn write(node: &Node, out: &mut String) {
    match &node.value {
        Value::Null => out.push('~'),
        Value::Bool(b) => out.push_str(if *b { "T" } else { "F" }),
        Value::Int(i) => out.push_str(&format!("i{i}")),
        Value::Float(f) => out.push_str(&format!("f{f}")),
        Value::Str(s) => out.push_str(&format!("{:?}", s.as_str())),
        Value::Seq(items) => {
            let mut parts: Vec<String> = items.iter().map(|i| canonical(Some(i))).collect();
            parts.sort();
            out.push('[');
            out.push_str(&parts.join(","));
            out.push(']');
        }
        Value::Map(entries) => {
            let mut parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}:{}", canonical(Some(k)), canonical(Some(v))))
                .collect();
            parts.sort();
            out.push('{');
            out.push_str(&parts.join(","));
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::syntax::{Limits, Syntax, parse};
    use std::sync::Arc;

    fn node(text: &str) -> Node {
        let file = Arc::new(SourceFile::new("t.yaml", text.to_owned()));
        parse(&file, Syntax::Yaml, &Limits::default()).unwrap().remove(0)
    }

    #[test]
    fn key_and_list_order_do_not_count() {
        let a = node("type: service\ndependsOn: [a, b]\nowner: x\n");
        let b = node("owner: x\ndependsOn: [b, a]\ntype: service\n");
        assert_eq!(canonical(Some(&a)), canonical(Some(&b)));
        let c = node("owner: x\ndependsOn: [b]\ntype: service\n");
        assert_ne!(canonical(Some(&a)), canonical(Some(&c)));
        // Types count: `1` is not `"1"`.
        assert_ne!(canonical(Some(&node("a: 1\n"))), canonical(Some(&node("a: '1'\n"))));
    }
}
