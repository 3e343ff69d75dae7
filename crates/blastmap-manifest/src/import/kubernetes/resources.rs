//! The resources of the documents, the workloads among them (each a
//! component), and label selection.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::import::{Format, Imported, field, is_telemetry, kind_of, sanitize_id, scalar, text};
use crate::model::Kind;
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

/// Kinds that run pods: each one is a component.
pub(super) const WORKLOADS: [&str; 7] =
    ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

pub(super) type Labels = BTreeMap<String, String>;

/// One resource of a document (`List` items are resources of their own).
pub(super) struct Resource<'a> {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub node: &'a Node,
    pub file: Arc<SourceFile>,
}

impl<'a> Resource<'a> {
    pub(super) fn spec(&self) -> Option<&'a Node> {
        field(self.node, "spec")
    }

    /// The name as users tell it apart: `name` in `default`, `ns/name`
    /// elsewhere (the scheme of component ids).
    pub(super) fn shown(&self) -> String {
        qualified(&self.namespace, &self.name)
    }

    /// `file:line` of `node` (or of the resource), for evidence.
    pub(super) fn at(&self, node: Option<&Node>) -> String {
        let offset = node.map_or(self.node.span.start, |n| n.span.start);
        format!("{}:{}", self.file.name, self.file.line_column(offset).0)
    }
}

/// `name` in the default namespace, `namespace/name` elsewhere: valid ids
/// (`/` is allowed, whitespace is not, and Kubernetes names hold none).
pub(super) fn qualified(namespace: &str, name: &str) -> String {
    let base = sanitize_id(name);
    if namespace == "default" { base } else { sanitize_id(&format!("{namespace}/{base}")) }
}

/// A workload: its component's id, and what its pods look like.
pub(super) struct Workload<'a> {
    pub id: String,
    /// `metadata.name` as written.
    pub name: String,
    pub namespace: String,
    pub pod_labels: Labels,
    pub pod_spec: Option<&'a Node>,
    pub file: Arc<SourceFile>,
}

pub(super) fn collect<'a>(
    file: &Arc<SourceFile>,
    doc: &'a Node,
    out: &mut Vec<Resource<'a>>,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(Value::Seq(items)) = field(doc, "items").map(|n| &n.value) {
        for item in items {
            collect(file, item, out, diags);
        }
        return;
    }
    let kind = field(doc, "kind").and_then(text);
    let meta = field(doc, "metadata");
    let name = meta.and_then(|m| field(m, "name")).and_then(scalar);
    let (Some(kind), Some(name)) = (kind, name) else {
        if doc.value != Value::Null {
            diags.push(Diagnostic::kubernetes_resource_without_name(file, doc.span.start));
        }
        return;
    };
    let namespace =
        meta.and_then(|m| field(m, "namespace")).and_then(scalar).unwrap_or_else(|| "default".to_owned());
    out.push(Resource { kind: kind.to_owned(), name, namespace, node: doc, file: Arc::clone(file) });
}

/// Every workload as a component (by id), and the workloads in load order.
pub(super) fn workloads<'a>(
    resources: &[Resource<'a>],
    diags: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, Imported>, Vec<Workload<'a>>) {
    let mut components: BTreeMap<String, Imported> = BTreeMap::new();
    let mut workloads: Vec<Workload<'a>> = Vec::new();
    for r in resources.iter().filter(|r| WORKLOADS.contains(&r.kind.as_str())) {
        let spec = field(r.node, "spec");
        let template = match r.kind.as_str() {
            "Pod" => Some(r.node),
            "CronJob" => spec
                .and_then(|s| field(s, "jobTemplate"))
                .and_then(|j| field(j, "spec"))
                .and_then(|s| field(s, "template")),
            _ => spec.and_then(|s| field(s, "template")),
        };
        let pod_labels = template
            .and_then(|t| field(t, "metadata"))
            .and_then(|m| field(m, "labels"))
            .map(labels)
            .unwrap_or_default();
        let pod_spec = if r.kind == "Pod" { spec } else { template.and_then(|t| field(t, "spec")) };
        let id = qualified(&r.namespace, &r.name);
        let span = field(r.node, "metadata")
            .and_then(|m| field(m, "name"))
            .map_or(r.node.span.clone(), |n| n.span.clone());
        if components.contains_key(&id) {
            diags.push(Diagnostic::duplicate_workload(&r.file, span, &r.name, &r.namespace));
            continue;
        }
        // A selector that misses the workload's own pods is rejected by the
        // API server; in files it usually means a typo worth pointing at.
        if let Some(sel) = spec.and_then(|s| field(s, "selector")) {
            let wanted = field(sel, "matchLabels").map(labels).unwrap_or_default();
            if !matches(&wanted, &pod_labels) {
                diags.push(Diagnostic::selector_misses_own_pods(&r.file, sel.span.clone(), &r.kind, &r.name));
            }
        }
        let mut c = Imported::new(id.clone(), Format::Kubernetes, &r.file, span);
        let image = pod_spec
            .and_then(|p| field(p, "containers"))
            .and_then(|cs| match &cs.value {
                Value::Seq(items) => items.first(),
                _ => None,
            })
            .and_then(|c| field(c, "image"))
            .and_then(text)
            .map(str::to_owned);
        c.kind = match r.kind.as_str() {
            "Job" | "CronJob" => Some(Kind::Job),
            _ => kind_of(image.as_deref(), &r.name),
        };
        c.replicas = match r.kind.as_str() {
            "Deployment" | "StatefulSet" | "ReplicaSet" => Some(
                spec.and_then(|s| field(s, "replicas"))
                    .and_then(scalar)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1),
            ),
            "Pod" => Some(1),
            _ => None,
        };
        if is_telemetry(&r.name, image.as_deref()) {
            c.labels.insert("role".to_owned(), "telemetry".to_owned());
        }
        if let Some(image) = image {
            c.labels.insert("image".to_owned(), image);
        }
        c.labels.insert("kubernetes".to_owned(), r.kind.clone());
        if r.namespace != "default" {
            c.labels.insert("namespace".to_owned(), r.namespace.clone());
        }
        components.insert(id.clone(), c);
        workloads.push(Workload {
            id,
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            pod_labels,
            pod_spec,
            file: Arc::clone(&r.file),
        });
    }
    (components, workloads)
}

pub(super) fn labels(node: &Node) -> Labels {
    crate::import::entries(node)
        .into_iter()
        .filter_map(|(k, v)| Some((k.key_text()?.to_owned(), scalar(v)?)))
        .collect()
}

/// `matchLabels` of a label selector; `None` (with a warning) when it uses
/// `matchExpressions`, which blastmap does not evaluate.
pub(super) fn selector(node: &Node, file: &Arc<SourceFile>, diags: &mut Vec<Diagnostic>) -> Option<Labels> {
    if let Some(expr) = field(node, "matchExpressions") {
        diags.push(Diagnostic::match_expressions(file, expr.span.clone()));
        return None;
    }
    Some(field(node, "matchLabels").map(labels).unwrap_or_default())
}

/// Whether a selector matches pod labels: every label it asks for, with
/// its value (the selector is a subset of the labels).
pub(super) fn matches(selector: &Labels, pod: &Labels) -> bool {
    selector.iter().all(|(k, v)| pod.get(k) == Some(v))
}

/// The workloads of each namespace, and of each label in it, in load order:
/// a selector is checked against the workloads that have its first label
/// only, instead of against every workload (quadratic with thousands of
/// Services and Deployments).
pub(super) struct WorkloadIndex<'w> {
    by_namespace: HashMap<&'w str, Vec<usize>>,
    by_label: HashMap<(&'w str, &'w str, &'w str), Vec<usize>>,
}

impl<'w> WorkloadIndex<'w> {
    pub(super) fn new(workloads: &'w [Workload<'_>]) -> Self {
        let mut by_namespace: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_label: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
        for (i, w) in workloads.iter().enumerate() {
            by_namespace.entry(&w.namespace).or_default().push(i);
            for (k, v) in &w.pod_labels {
                by_label.entry((&w.namespace, k, v)).or_default().push(i);
            }
        }
        Self { by_namespace, by_label }
    }

    /// The workloads of namespace `ns` whose pod labels `selector` matches
    /// (every workload of `ns` for an empty selector), in load order.
    pub(super) fn select<'a, 'p>(
        &'a self,
        workloads: &'a [Workload<'p>],
        ns: &'a str,
        selector: &'a Labels,
    ) -> impl Iterator<Item = &'a Workload<'p>> + 'a {
        let candidates = match selector.iter().next() {
            Some((k, v)) => self.by_label.get(&(ns, k.as_str(), v.as_str())),
            None => self.by_namespace.get(ns),
        };
        candidates
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| workloads.get(i))
            .filter(move |w| matches(selector, &w.pod_labels))
    }
}
