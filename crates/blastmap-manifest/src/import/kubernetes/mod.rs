//! Kubernetes: workloads → components, Services → name resolution, env
//! values, initContainers and `NetworkPolicy` ingress rules → dependencies.
//!
//! Pods reach each other through Services, so a host in an env value is
//! looked up among Service names (`cart`, `cart.shop`, `cart.shop.svc`,
//! `cart.shop.svc.cluster.local`) and resolved to the workloads the
//! Service's selector matches.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use super::{
    Format, HostRef, Imported, ImportedDependency, field, hosts_in, is_telemetry, kind_of, sanitize_id,
    scalar, text,
};
use crate::diagnostics::Diagnostic;
use crate::model::{Kind, Mode};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

const WORKLOADS: [&str; 7] =
    ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];
/// Kinds with nothing to map (no dependency, no failure of their own).
const QUIET: [&str; 14] = [
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "Namespace",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Component",
];

type Labels = BTreeMap<String, String>;
/// A dependency found in a pod spec: targets, evidence, where.
type Found = (Vec<String>, String, Arc<SourceFile>, Range<usize>);

struct Resource<'a> {
    kind: String,
    name: String,
    namespace: String,
    node: &'a Node,
    file: Arc<SourceFile>,
}

struct Workload<'a> {
    id: String,
    namespace: String,
    pod_labels: Labels,
    pod_spec: Option<&'a Node>,
}

struct Service {
    name: String,
    namespace: String,
    targets: Vec<String>,
}

/// Imports every Kubernetes document (all files together: Services and
/// `NetworkPolicies` may sit in other files than their workloads).
pub(crate) fn import(
    docs: &[(Arc<SourceFile>, Node)],
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> Vec<Imported> {
    let mut resources = Vec::new();
    for (file, doc) in docs {
        collect(file, doc, &mut resources, diags);
    }
    let mut components: BTreeMap<String, Imported> = BTreeMap::new();
    let mut workloads: Vec<Workload<'_>> = Vec::new();
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
        let base = sanitize_id(&r.name);
        let id = if r.namespace == "default" { base } else { format!("{}/{base}", r.namespace) };
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
            if !wanted.iter().all(|(k, v)| pod_labels.get(k) == Some(v)) {
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
        if let Some(image) = image {
            if is_telemetry(&r.name, Some(&image)) {
                c.labels.insert("role".to_owned(), "telemetry".to_owned());
            }
            c.labels.insert("image".to_owned(), image);
        }
        c.labels.insert("kubernetes".to_owned(), r.kind.clone());
        if r.namespace != "default" {
            c.labels.insert("namespace".to_owned(), r.namespace.clone());
        }
        components.insert(id.clone(), c);
        workloads.push(Workload { id, namespace: r.namespace.clone(), pod_labels, pod_spec });
    }
    let index = WorkloadIndex::new(&workloads);
    // Services → the workloads their selectors match.
    let mut services: Vec<Service> = Vec::new();
    for r in resources.iter().filter(|r| r.kind == "Service") {
        let spec = field(r.node, "spec");
        let Some(selector) = spec.and_then(|s| field(s, "selector")).map(labels).filter(|s| !s.is_empty())
        else {
            notes.push(format!(
                "Service `{}` has no selector (external or manual endpoints): its callers get no dependency",
                r.name
            ));
            continue;
        };
        let targets: Vec<String> =
            index.select(&workloads, &r.namespace, &selector).map(|w| w.id.clone()).collect();
        if targets.is_empty() {
            let at = spec.and_then(|s| field(s, "selector")).map_or(r.node.span.clone(), |n| n.span.clone());
            diags.push(Diagnostic::service_selects_nothing(&r.file, at, &r.name));
        }
        services.push(Service { name: r.name.clone(), namespace: r.namespace.clone(), targets });
    }
    // By name and namespace (the first of equal ones, as a scan would find):
    // scanning every Service for every host made 10 000 documents slow.
    let mut by_name: HashMap<(&str, &str), &Service> = HashMap::new();
    for s in &services {
        by_name.entry((s.name.as_str(), s.namespace.as_str())).or_insert(s);
    }
    let find_service = |host: &str, from_ns: &str| -> Option<&Service> {
        let parts: Vec<&str> = host.split('.').collect();
        let (name, ns) = match parts.as_slice() {
            [name] => (*name, from_ns),
            [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => (*name, *ns),
            _ => return None,
        };
        by_name.get(&(name, ns)).copied()
    };
    // Env values and initContainers.
    for w in &workloads {
        let Some(pod) = w.pod_spec else { continue };
        let mut deps: Vec<Found> = Vec::new();
        let file = components.get(&w.id).map(|c| Arc::clone(&c.file));
        let Some(file) = file else { continue };
        let mut warned = BTreeSet::new();
        for (list, init) in [("initContainers", true), ("containers", false)] {
            let Some(Value::Seq(containers)) = field(pod, list).map(|n| &n.value) else { continue };
            for container in containers {
                let cname = field(container, "name").and_then(text).unwrap_or("?").to_owned();
                let mut values: Vec<(String, String, Range<usize>)> = Vec::new();
                if let Some(Value::Seq(env)) = field(container, "env").map(|n| &n.value) {
                    for e in env {
                        let key = field(e, "name").and_then(text).unwrap_or("?").to_owned();
                        if let Some(v) = field(e, "value")
                            && let Some(value) = scalar(v)
                        {
                            values.push((format!("env {key}"), value, v.span.clone()));
                        }
                    }
                }
                if init {
                    // Wait loops name URLs in their command line too.
                    for key in ["command", "args"] {
                        if let Some(Value::Seq(items)) = field(container, key).map(|n| &n.value) {
                            for item in items {
                                if let Some(t) = text(item) {
                                    for word in t.split_whitespace().filter(|w| w.contains("://")) {
                                        values.push((
                                            format!("{key} of {cname}"),
                                            word.trim_matches(|c| c == '"' || c == '\'').to_owned(),
                                            item.span.clone(),
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
                for (how, value, span) in values {
                    for HostRef { host, port } in hosts_in(&value) {
                        if let Some(s) = find_service(&host, &w.namespace) {
                            let targets: Vec<String> =
                                s.targets.iter().filter(|t| **t != w.id).cloned().collect();
                            if targets.is_empty() {
                                continue;
                            }
                            let evidence = if init {
                                format!("initContainer {cname} waits on it ({how})")
                            } else {
                                format!("inferred from {how}")
                            };
                            deps.push((targets, evidence, Arc::clone(&file), span.clone()));
                        } else {
                            let internal = !host.contains('.')
                                || host.to_ascii_lowercase().ends_with(".svc")
                                || host.ends_with(".cluster.local");
                            let plausible =
                                port.is_some() || how.starts_with("env ") && super::key_names_host(&how[4..]);
                            if internal && plausible && host != "localhost" && warned.insert(host.clone()) {
                                diags.push(Diagnostic::kubernetes_host_unresolved(
                                    &file,
                                    span.clone(),
                                    &how,
                                    &w.id,
                                    &host,
                                ));
                            }
                        }
                    }
                }
            }
        }
        if let Some(c) = components.get_mut(&w.id) {
            for (targets, evidence, file, span) in deps {
                let telemetry = targets.iter().all(|t| c_is_telemetry(t));
                c.depend(ImportedDependency {
                    targets,
                    mode: if telemetry { Mode::Soft } else { Mode::Hard },
                    via: None,
                    evidence: vec![evidence],
                    file,
                    span,
                });
            }
        }
    }
    // NetworkPolicy ingress: the pods allowed in are the callers.
    for r in resources.iter().filter(|r| r.kind == "NetworkPolicy") {
        let Some(spec) = field(r.node, "spec") else { continue };
        let pod_selector = field(spec, "podSelector");
        let Some(target_labels) = pod_selector.and_then(|s| selector(s, &r.file, diags)) else { continue };
        if target_labels.is_empty() {
            notes.push(format!(
                "NetworkPolicy `{}` applies to every pod of `{}`: no dependency",
                r.name, r.namespace
            ));
            continue;
        }
        let callees: Vec<&Workload<'_>> = index.select(&workloads, &r.namespace, &target_labels).collect();
        if callees.is_empty() {
            diags.push(Diagnostic::network_policy_selects_nothing(
                &r.file,
                pod_selector.map_or(r.node.span.clone(), |p| p.span.clone()),
                &r.name,
            ));
            continue;
        }
        let Some(Value::Seq(rules)) = field(spec, "ingress").map(|n| &n.value) else { continue };
        for rule in rules {
            let Some(Value::Seq(from)) = field(rule, "from").map(|n| &n.value) else {
                notes.push(format!("NetworkPolicy `{}` allows ingress from anywhere: no dependency", r.name));
                continue;
            };
            for peer in from {
                if field(peer, "namespaceSelector").is_some() || field(peer, "ipBlock").is_some() {
                    diags.push(Diagnostic::network_policy_peer(&r.file, peer.span.clone(), &r.name));
                    continue;
                }
                let Some(ps) = field(peer, "podSelector") else { continue };
                let Some(source_labels) = selector(ps, &r.file, diags) else { continue };
                let sources: Vec<&Workload<'_>> =
                    index.select(&workloads, &r.namespace, &source_labels).collect();
                if sources.is_empty() {
                    diags.push(Diagnostic::network_policy_peers_match_nothing(
                        &r.file,
                        ps.span.clone(),
                        &r.name,
                    ));
                    continue;
                }
                let shown: Vec<String> = source_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                for caller in &sources {
                    for callee in &callees {
                        if caller.id == callee.id {
                            continue;
                        }
                        if let Some(c) = components.get_mut(&caller.id) {
                            c.depend(ImportedDependency {
                                targets: vec![callee.id.clone()],
                                mode: if c_is_telemetry(&callee.id) { Mode::Soft } else { Mode::Hard },
                                via: None,
                                evidence: vec![format!(
                                    "NetworkPolicy {} allows ingress from {}",
                                    r.name,
                                    shown.join(",")
                                )],
                                file: Arc::clone(&r.file),
                                span: ps.span.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    for r in &resources {
        let k = r.kind.as_str();
        if WORKLOADS.contains(&k) || k == "Service" || k == "NetworkPolicy" {
            continue;
        }
        if QUIET.contains(&k) {
            notes.push(format!("Kubernetes {k} `{}` has nothing to map", r.name));
        } else {
            diags.push(Diagnostic::kubernetes_kind_unmapped(
                &r.file,
                field(r.node, "kind").map_or(r.node.span.clone(), |n| n.span.clone()),
                k,
                &r.name,
            ));
        }
    }
    components.into_values().collect()
}

/// Telemetry back ends by the id's words (the image is not at hand here).
fn c_is_telemetry(id: &str) -> bool {
    is_telemetry(id.rsplit('/').next().unwrap_or(id), None)
}

fn collect<'a>(
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

fn labels(node: &Node) -> Labels {
    super::entries(node)
        .into_iter()
        .filter_map(|(k, v)| Some((k.key_text()?.to_owned(), scalar(v)?)))
        .collect()
}

/// `matchLabels` of a label selector; `None` (with a warning) when it uses
/// `matchExpressions`, which blastmap does not evaluate.
fn selector(node: &Node, file: &Arc<SourceFile>, diags: &mut Vec<Diagnostic>) -> Option<Labels> {
    if let Some(expr) = field(node, "matchExpressions") {
        diags.push(Diagnostic::match_expressions(file, expr.span.clone()));
        return None;
    }
    Some(field(node, "matchLabels").map(labels).unwrap_or_default())
}

fn matches(selector: &Labels, pod: &Labels) -> bool {
    selector.iter().all(|(k, v)| pod.get(k) == Some(v))
}

/// The workloads of each namespace, and of each label in it, in load order:
/// a selector is checked against the workloads that have its first label
/// only, instead of against every workload (quadratic with thousands of
/// Services and Deployments).
struct WorkloadIndex<'w> {
    by_namespace: HashMap<&'w str, Vec<usize>>,
    by_label: HashMap<(&'w str, &'w str, &'w str), Vec<usize>>,
}

impl<'w> WorkloadIndex<'w> {
    fn new(workloads: &'w [Workload<'_>]) -> Self {
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
    fn select<'a, 'p>(
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
