//! Merging the files read into one model: duplicate ids, the policy, the
//! component limit, and dependency targets resolved from id numbers.

use std::sync::Arc;

use petgraph::graph::NodeIndex;

use crate::diagnostics::Diagnostic;
use crate::model::{Builder, Component};
use crate::native::FileManifest;
use crate::policy::Policy;
use crate::source::SourceFile;
use crate::staging::{IdTable, RawComponent, RawComponents, span_of};

use super::{LoadOptions, Loaded, sort_diagnostics};

/// Merges the files, resolves ids, and builds the model.
///
/// Components already in id order in a single file become the model's
/// nodes where they are; otherwise they are sorted through a permutation
/// (moving a million large components around cost more than comparing
/// their ids) into a new graph. Members are then resolved in place, from id
/// numbers to node indices.
///
/// # Complexity
/// O(components · log components + requirement members).
pub(super) fn finish(
    manifests: Vec<FileManifest>,
    ids: &IdTable,
    options: &LoadOptions,
    mut loaded: Loaded,
) -> Loaded {
    let mut policy: Option<(Policy, Arc<SourceFile>, std::ops::Range<usize>)> = None;
    let mut parts: Vec<RawComponents> = Vec::with_capacity(manifests.len());
    for m in manifests {
        if let Some((p, span)) = m.policy {
            {
                let file = Arc::clone(&m.file);
                match &policy {
                    Some((_, first_file, first_span)) => {
                        loaded.diagnostics.push(Diagnostic::duplicate_policy(
                            &file,
                            span,
                            first_file,
                            first_span.clone(),
                        ));
                    }
                    None => policy = Some((p, file, span)),
                }
            }
        }
        parts.push(m.components);
    }
    let total: usize = parts.iter().map(RawComponents::len).sum();
    if total > options.limits.max_components {
        loaded.diagnostics.push(Diagnostic::too_many_components(total, options.limits.max_components));
        parts.clear();
    }
    let raw = match parts.pop() {
        Some(only) if parts.is_empty() && in_id_order(&only) => only,
        last => {
            parts.extend(last);
            sorted(parts, &mut loaded.diagnostics)
        }
    };
    let RawComponents { mut graph, numbers, files } = raw;
    let mut node_of: Vec<u32> = vec![UNKNOWN; ids.len()];
    for (index, &number) in numbers.iter().enumerate() {
        if let Some(slot) = node_of.get_mut(number as usize) {
            *slot = index as u32;
        }
    }
    drop(numbers);
    let mut resolver = Resolver { node_of: &node_of, ids, names: None, suggestions_left: 200 };
    for (index, file) in files.iter().enumerate() {
        if let Some(component) = graph.node_weight_mut(NodeIndex::new(index)) {
            resolver.resolve(component, index as u32, file, &mut loaded.diagnostics);
        }
    }
    drop(files);
    loaded.model = Builder::from_nodes(graph).finish(policy.map(|(p, _, _)| p));
    sort_diagnostics(&mut loaded);
    loaded
}

/// Whether the ids are strictly increasing (sorted, no duplicates).
fn in_id_order(raw: &RawComponents) -> bool {
    let nodes = raw.graph.raw_nodes();
    nodes.iter().zip(nodes.iter().skip(1)).all(|(a, b)| a.weight.id < b.weight.id)
}

/// The components of every part in id order, the first of equal ids (in
/// load order) kept and the others reported.
///
/// # Complexity
/// O(components · log components).
fn sorted(parts: Vec<RawComponents>, diagnostics: &mut Vec<Diagnostic>) -> RawComponents {
    let total = parts.iter().map(RawComponents::len).sum();
    let mut slots: Vec<Option<Component>> = Vec::with_capacity(total);
    let mut numbers: Vec<u32> = Vec::with_capacity(total);
    let mut files: Vec<Arc<SourceFile>> = Vec::with_capacity(total);
    for part in parts {
        let (nodes, _) = part.graph.into_nodes_edges();
        slots.extend(nodes.into_iter().map(|node| Some(node.weight)));
        numbers.extend(part.numbers);
        files.extend(part.files);
    }
    // Stable: among equal ids the first in load order stays.
    let mut order: Vec<u32> = (0..slots.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let id = |i: u32| slots.get(i as usize).and_then(Option::as_ref).map_or("", |c| c.id.as_str());
        id(a).cmp(id(b))
    });
    let mut out = RawComponents::default();
    out.reserve(order.len());
    for i in order {
        let i = i as usize;
        let (Some(Some(c)), Some(&number), Some(file)) =
            (slots.get_mut(i).map(Option::take), numbers.get(i), files.get(i))
        else {
            continue;
        };
        match out.last() {
            Some((first, first_number, first_file)) if first_number == number => {
                diagnostics.push(Diagnostic::duplicate_id(
                    &c.id,
                    file,
                    span_of(&c),
                    Some((first_file, span_of(first))),
                ));
            }
            _ => out.push(RawComponent { component: c, number, file: Arc::clone(file) }),
        }
    }
    out
}

/// The node index of an id number that no component has.
const UNKNOWN: u32 = u32::MAX;

/// Resolves the members of raw components from id numbers to node indices.
struct Resolver<'a> {
    /// Node index of every id number, [`UNKNOWN`] when no component has it.
    node_of: &'a [u32],
    ids: &'a IdTable,
    /// The text of every id number, listed at the first unknown target.
    names: Option<Vec<&'a str>>,
    /// "did you mean" is a scan of every id: only the first unknown
    /// targets get one.
    suggestions_left: usize,
}

impl Resolver<'_> {
    /// Resolves the members of `component`, at node index `index`, to node
    /// indices. A member that is the component itself or that no component
    /// has is reported, and drops its requirement.
    fn resolve(
        &mut self,
        component: &mut Component,
        index: u32,
        file: &Arc<SourceFile>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let id = &component.id;
        component.requirements.retain_mut(|r| {
            let mut resolved = true;
            for (member, location) in r.members.iter_mut().zip(&r.member_locations) {
                let number = member.index();
                let span = location.offset..location.offset + location.len;
                match self.node_of.get(number).copied().unwrap_or(UNKNOWN) {
                    m if m == index => {
                        resolved = false;
                        diagnostics.push(Diagnostic::self_dependency(file, span, id));
                    }
                    UNKNOWN => {
                        resolved = false;
                        diagnostics.push(self.unknown(number, file, span));
                    }
                    m => *member = NodeIndex::new(m as usize),
                }
            }
            resolved
        });
    }

    fn unknown(&mut self, number: usize, file: &Arc<SourceFile>, span: std::ops::Range<usize>) -> Diagnostic {
        let names = self.names.get_or_insert_with(|| self.ids.names());
        let id = names.get(number).copied().unwrap_or_default();
        let fallback = || Diagnostic::unknown_target_help(id);
        let help = if self.suggestions_left > 0 {
            self.suggestions_left -= 1;
            // Every id a component has.
            let candidates =
                names.iter().zip(self.node_of).filter(|&(_, &node)| node != UNKNOWN).map(|(name, _)| *name);
            crate::diagnostics::did_you_mean(id, candidates, fallback)
        } else {
            fallback()
        };
        Diagnostic::unknown_target(file, span, id, help)
    }
}
