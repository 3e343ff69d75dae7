//! The dependencies a pod's spec shows: hosts in its containers'
//! environment (written in the manifest, or taken from ConfigMaps and
//! Secrets through `envFrom`, `configMapKeyRef` and `secretKeyRef`, with
//! `$(VAR)` expanded), in the configuration files mounted from ConfigMaps
//! and Secrets, in what its initContainers wait for, and URLs in its
//! containers' arguments.
//!
//! A value is a dependency only when its host is a Service of the files
//! (or a Service that the cluster's DNS form `name.ns.svc` names for
//! certain: a placeholder then stands for it). Anything else is at most a
//! warning, and never one about a Secret's value.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::config::{Config, Configs, Entry, Readers, Source, file_hosts, is_bare, is_file, value_hosts};
use super::env::{Budget, EnvVar, Missing, Sources, environment, expand};
use super::resources::{Workload, qualified};
use super::services::{Services, is_cluster_dns, service_of};
use super::wait::{shell_expand, waits};
use crate::diagnostics::Diagnostic;
use crate::import::{
    Format, HostRef, Imported, ImportedDependency, field, hosts_in, is_telemetry, key_names_host, kind_of,
    scalar, text,
};
use crate::model::Mode;
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

/// Where a host was found, for the evidence and for warnings. `how` is
/// made only when the host turns out to matter.
struct Via<'v> {
    how: &'v dyn Fn() -> String,
    /// The initContainer that waits on it, if it is one's.
    init: Option<&'v str>,
    file: &'v Arc<SourceFile>,
    span: Range<usize>,
    secret: bool,
    /// When an unresolved host is worth a warning.
    warn: Warn,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Warn {
    /// Under a key that says host, or with a port.
    IfPlausible(bool),
    /// Waited on: always.
    Always,
    /// URLs in arguments: never (too often flags of something else).
    Never,
}

struct Walk<'s, 'r, 'a> {
    services: &'s Services<'r, 'a>,
    /// Ids of telemetry back ends (dependencies on them are soft).
    telemetry: HashSet<String>,
    /// Ids of the workloads (a placeholder never takes one's id).
    workloads: HashSet<String>,
    placeholders: BTreeMap<String, Imported>,
    diags: &'s mut Vec<Diagnostic>,
    notes: &'s mut Vec<String>,
    /// Hosts warned about, by workload or by the ConfigMap line that names
    /// them (a ConfigMap taken by ten workloads is one warning).
    warned: HashSet<(String, String)>,
    budget: Budget,
    budget_warned: bool,
}

/// Adds every workload's dependencies to its component, records who reads
/// each ConfigMap and Secret, and returns the placeholders for Services
/// that the cluster's DNS names and no file defines.
pub(super) fn dependencies(
    workloads: &[Workload<'_>],
    services: &Services<'_, '_>,
    configs: &Configs<'_, '_>,
    readers: &mut Readers,
    components: &mut BTreeMap<String, Imported>,
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> Vec<Imported> {
    let telemetry = components
        .values()
        .filter(|c| c.labels.get("role").is_some_and(|r| r == "telemetry"))
        .map(|c| c.id.clone())
        .collect();
    let mut walk = Walk {
        services,
        telemetry,
        workloads: components.keys().cloned().collect(),
        placeholders: BTreeMap::new(),
        diags,
        notes,
        warned: HashSet::new(),
        budget: Budget::default(),
        budget_warned: false,
    };
    for w in workloads {
        let Some(pod) = w.pod_spec else { continue };
        let mut deps = Vec::new();
        walk.pod(w, pod, configs, readers, &mut deps);
        if let Some(c) = components.get_mut(&w.id) {
            for d in deps {
                c.depend(d);
            }
        }
    }
    walk.placeholders.into_values().collect()
}

impl Walk<'_, '_, '_> {
    fn pod(
        &mut self,
        w: &Workload<'_>,
        pod: &Node,
        configs: &Configs<'_, '_>,
        readers: &mut Readers,
        deps: &mut Vec<ImportedDependency>,
    ) {
        let mut missing = Vec::new();
        let volumes: HashMap<String, &Node> = match field(pod, "volumes").map(|n| &n.value) {
            Some(Value::Seq(items)) => {
                items.iter().filter_map(|v| Some((field(v, "name").and_then(scalar)?, v))).collect()
            }
            _ => HashMap::new(),
        };
        for (list, init) in [("initContainers", true), ("containers", false)] {
            let Some(Value::Seq(containers)) = field(pod, list).map(|n| &n.value) else { continue };
            for container in containers {
                let cname = field(container, "name").and_then(text).unwrap_or("?");
                let mut sources =
                    Sources { configs, readers, missing: &mut missing, budget: &mut self.budget };
                let env = environment(container, &w.namespace, &w.id, &mut sources);
                let init_name = init.then_some(cname);
                self.env(w, &env, init_name, deps);
                self.command(w, container, cname, init, &env, deps);
                self.mounts(w, container, init_name, &volumes, configs, readers, &mut missing, deps);
                self.warn_budget();
            }
        }
        self.missing(w, missing);
    }

    /// The hosts of a container's environment.
    fn env(
        &mut self,
        w: &Workload<'_>,
        env: &[EnvVar<'_>],
        init: Option<&str>,
        deps: &mut Vec<ImportedDependency>,
    ) {
        for var in env {
            let Some(value) = var.value.as_deref() else { continue };
            if !self.budget.read(value.len()) {
                return;
            }
            let (file, span) = var.location(&w.file);
            let how = || var.how();
            // A ConfigMap hands a pod many keys at once (`POSTGRES_DB:
            // accounts-db`): a bare word from one is a host only under a
            // key that says so.
            let found = value_hosts(&var.key, value)
                .into_iter()
                .filter(|f| var.written() || !is_bare(&f.host, value) || key_names_host(&f.key));
            for f in found {
                let via = Via {
                    how: &how,
                    init,
                    file,
                    span: span.clone(),
                    secret: var.secret,
                    warn: Warn::IfPlausible(f.host.port.is_some() || key_names_host(&f.key)),
                };
                self.host(w, &f.host, &via, deps);
            }
        }
    }

    /// The hosts of `command` and `args`: what an initContainer waits for,
    /// URLs for other containers.
    fn command(
        &mut self,
        w: &Workload<'_>,
        container: &Node,
        cname: &str,
        init: bool,
        env: &[EnvVar<'_>],
        deps: &mut Vec<ImportedDependency>,
    ) {
        let by_key: HashMap<&str, &EnvVar<'_>> = env.iter().map(|v| (v.key.as_ref(), v)).collect();
        let lookup = |name: &str| {
            let v = by_key.get(name)?;
            Some((v.value.as_deref()?, v.secret))
        };
        for key in ["command", "args"] {
            let Some(node) = field(container, key) else { continue };
            let parts: Vec<&str> = match &node.value {
                Value::Seq(items) => items.iter().filter_map(text).collect(),
                _ => text(node).into_iter().collect(),
            };
            if parts.is_empty() {
                continue;
            }
            let mut secret = false;
            let mut expanded = Vec::with_capacity(parts.len());
            for p in &parts {
                let room = self.budget.room();
                let (out, s) = expand(p, lookup, &mut Vec::new(), room);
                self.budget.expanded(out.len().saturating_sub(p.len()));
                secret |= s;
                expanded.push(out);
            }
            let joined = expanded.join(" ");
            if !self.budget.read(joined.len()) {
                return;
            }
            if init {
                let room = self.budget.room();
                let (script, s) = shell_expand(&joined, lookup, room);
                self.budget.expanded(script.len().saturating_sub(joined.len()));
                secret |= s;
                for wait in waits(&script) {
                    let how = || if secret { wait.tool.clone() } else { wait.shown() };
                    let via = Via {
                        how: &how,
                        init: Some(cname),
                        file: &w.file,
                        span: node.span.clone(),
                        secret,
                        warn: Warn::Always,
                    };
                    self.host(w, &wait.host, &via, deps);
                }
            } else {
                let how = || format!("{key} of {cname}");
                for word in joined.split_whitespace().filter(|w| w.contains("://")) {
                    for host in hosts_in(word.trim_matches(['"', '\''])) {
                        let via = Via {
                            how: &how,
                            init: None,
                            file: &w.file,
                            span: node.span.clone(),
                            secret,
                            warn: Warn::Never,
                        };
                        self.host(w, &host, &via, deps);
                    }
                }
            }
        }
    }

    /// Configuration files mounted from ConfigMaps and Secrets.
    #[allow(clippy::too_many_arguments, reason = "the walk's state and one container's context")]
    fn mounts(
        &mut self,
        w: &Workload<'_>,
        container: &Node,
        init: Option<&str>,
        volumes: &HashMap<String, &Node>,
        configs: &Configs<'_, '_>,
        readers: &mut Readers,
        missing: &mut Vec<Missing>,
        deps: &mut Vec<ImportedDependency>,
    ) {
        let Some(Value::Seq(mounts)) = field(container, "volumeMounts").map(|n| &n.value) else { return };
        for mount in mounts {
            let Some(volume) = field(mount, "name").and_then(scalar).and_then(|n| volumes.get(&n)) else {
                continue;
            };
            let mount_path = field(mount, "mountPath").and_then(scalar).unwrap_or_default();
            let sub_path = field(mount, "subPath").and_then(scalar);
            for (source, reference) in volume_sources(volume) {
                let name_key = if source == Source::Secret { "secretName" } else { "name" };
                let Some(name_node) = field(reference, name_key) else { continue };
                let Some(name) = scalar(name_node) else { continue };
                readers.add(source, &w.namespace, &name, &w.id);
                let Some(config) = configs.get(source, &w.namespace, &name) else {
                    if !field(reference, "optional").is_some_and(|o| o.value == Value::Bool(true)) {
                        missing.push(Missing { source, name, key: None, span: name_node.span.clone() });
                    }
                    continue;
                };
                for (entry, path) in files(config, reference, &mount_path, sub_path.as_deref()) {
                    if !self.budget.read(entry.value.len()) {
                        return;
                    }
                    let found = if is_file(&entry.value) {
                        file_hosts(&entry.value)
                    } else {
                        value_hosts(&entry.key, &entry.value)
                    };
                    for f in found {
                        let how = || {
                            let at =
                                if f.key.is_empty() { String::new() } else { format!("`{}` in ", f.key) };
                            format!(
                                "{at}file {path} from {} key {} ({})",
                                config.label(),
                                entry.key,
                                config.line(entry)
                            )
                        };
                        // A Secret's lines are never pointed at: its volume is.
                        let secret = source == Source::Secret;
                        let (file, span) = if secret {
                            (&w.file, reference.span.clone())
                        } else {
                            (&config.resource.file, entry.span.clone())
                        };
                        let via = Via {
                            how: &how,
                            init,
                            file,
                            span,
                            secret,
                            warn: Warn::IfPlausible(f.host.port.is_some() || key_names_host(&f.key)),
                        };
                        self.host(w, &f.host, &via, deps);
                    }
                }
            }
        }
    }

    /// ConfigMaps the files lack are warnings; Secrets they lack are notes
    /// (repositories keep them out on purpose).
    fn missing(&mut self, w: &Workload<'_>, missing: Vec<Missing>) {
        let mut reported = HashSet::new();
        for m in missing {
            if !reported.insert((m.source, m.name.clone(), m.key.clone())) {
                continue;
            }
            let name = qualified(&w.namespace, &m.name);
            if m.source == Source::Secret && m.key.is_none() {
                self.notes.push(format!("`{}` takes Secret `{name}`, which no file here defines", w.id));
            } else {
                self.diags.push(Diagnostic::kubernetes_config_missing(
                    &w.file,
                    m.span,
                    &w.id,
                    m.source.kind(),
                    &name,
                    m.key.as_deref(),
                ));
            }
        }
    }

    fn warn_budget(&mut self) {
        if self.budget.spent && !self.budget_warned {
            self.budget_warned = true;
            let (values, mib) = Budget::limits();
            self.diags.push(Diagnostic::kubernetes_values_budget(values, mib));
        }
    }

    /// A host found in workload `w`: a dependency when a Service (or the
    /// cluster's DNS form) names it, else perhaps a warning.
    fn host(&mut self, w: &Workload<'_>, host: &HostRef, via: &Via<'_>, deps: &mut Vec<ImportedDependency>) {
        let targets: Vec<String> = if let Some(s) = self.services.resolve(&host.host, &w.namespace) {
            s.targets.iter().filter(|t| **t != w.id).cloned().collect()
        } else {
            let Some(id) = self.unresolved(w, host, via) else { return };
            vec![id]
        };
        if targets.is_empty() {
            return;
        }
        let evidence = match via.init {
            Some(init) => format!("initContainer {init} waits on it ({})", (via.how)()),
            None => format!("inferred from {}", (via.how)()),
        };
        let telemetry = targets.iter().all(|t| self.telemetry.contains(t) || c_is_telemetry(t));
        deps.push(ImportedDependency {
            targets,
            mode: if telemetry { Mode::Soft } else { Mode::Hard },
            via: telemetry.then(|| "telemetry".to_owned()),
            evidence: vec![evidence],
            file: Arc::clone(via.file),
            span: via.span.clone(),
        });
    }

    /// A host that no Service of the files has: a placeholder when the
    /// cluster's DNS form names a Service for certain (returns its id), a
    /// warning when it looks like a name inside the cluster, else nothing.
    /// Never either for a Secret's value.
    fn unresolved(&mut self, w: &Workload<'_>, host: &HostRef, via: &Via<'_>) -> Option<String> {
        let name = host.host.as_str();
        if via.secret || via.warn == Warn::Never || is_platform(name) {
            return None;
        }
        // A ConfigMap's line is warned about once, whoever reads it.
        let by = if Arc::ptr_eq(via.file, &w.file) {
            w.id.clone()
        } else {
            format!("{}:{}", via.file.name, via.span.start)
        };
        if is_cluster_dns(name)
            && let Some((service, namespace)) = service_of(name, &w.namespace)
        {
            let id = qualified(namespace, service);
            if self.workloads.contains(&id) {
                return None;
            }
            let how = (via.how)();
            if self.warned.insert((by, id.clone())) {
                self.diags.push(Diagnostic::kubernetes_service_placeholder(
                    via.file,
                    via.span.clone(),
                    &how,
                    &w.id,
                    name,
                    &id,
                ));
            }
            let placeholder = self.placeholders.entry(id.clone()).or_insert_with(|| {
                let mut p = Imported::new(id.clone(), Format::Kubernetes, via.file, via.span.clone());
                p.defined = false;
                p.kind = kind_of(None, service);
                p.labels.insert("kubernetes".to_owned(), "Service".to_owned());
                if namespace != "default" {
                    p.labels.insert("namespace".to_owned(), namespace.to_owned());
                }
                if is_telemetry(service, None) {
                    p.labels.insert("role".to_owned(), "telemetry".to_owned());
                }
                p
            });
            let note = format!("named as `{name}` by `{}` ({how}); no file here defines the Service", w.id);
            if placeholder.notes.len() < 8 && !placeholder.notes.contains(&note) {
                placeholder.notes.push(note);
            }
            if placeholder.labels.get("role").is_some_and(|r| r == "telemetry") {
                self.telemetry.insert(id.clone());
            }
            return Some(id);
        }
        // Hosts are lower case (`hosts_in` makes them so).
        let internal =
            !name.contains('.') || name.rsplit('.').next() == Some("svc") || name.ends_with(".cluster.local");
        let plausible = match via.warn {
            Warn::IfPlausible(p) => p,
            Warn::Always => true,
            Warn::Never => false,
        };
        if internal && plausible && self.warned.insert((by, name.to_owned())) {
            self.diags.push(Diagnostic::kubernetes_host_unresolved(
                via.file,
                via.span.clone(),
                &(via.how)(),
                &w.id,
                name,
            ));
        }
        None
    }
}

/// Names every pod has that are no Service of the application.
fn is_platform(host: &str) -> bool {
    matches!(host, "localhost" | "0.0.0.0" | "kubernetes" | "kubernetes.default")
        || host.starts_with("kubernetes.default.")
        || host.starts_with("127.")
}

/// The ConfigMaps and Secrets a volume projects: `configMap`, `secret`, and
/// the sources of a `projected` volume.
fn volume_sources<'v>(volume: &'v Node) -> Vec<(Source, &'v Node)> {
    let mut out = Vec::new();
    let mut add = |node: &'v Node| {
        if let Some(c) = field(node, "configMap") {
            out.push((Source::ConfigMap, c));
        }
        if let Some(s) = field(node, "secret") {
            out.push((Source::Secret, s));
        }
    };
    add(volume);
    if let Some(Value::Seq(sources)) =
        field(volume, "projected").and_then(|p| field(p, "sources")).map(|n| &n.value)
    {
        for s in sources {
            add(s);
        }
    }
    out
}

/// The entries of a mounted ConfigMap or Secret that the container sees,
/// with the path of each file: `items` choose keys and name their files;
/// with `subPath` the mount is that one file.
fn files<'c>(
    config: &'c Config<'_, '_>,
    reference: &Node,
    mount_path: &str,
    sub_path: Option<&str>,
) -> Vec<(&'c Entry, String)> {
    let items: Vec<(String, String)> = match field(reference, "items").map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| {
                let key = field(i, "key").and_then(scalar)?;
                let path = field(i, "path").and_then(scalar).unwrap_or_else(|| key.clone());
                Some((key, path))
            })
            .collect(),
        _ => config.entries.iter().map(|e| (e.key.clone(), e.key.clone())).collect(),
    };
    let base = mount_path.trim_end_matches('/');
    items
        .into_iter()
        .filter(|(_, path)| sub_path.is_none_or(|s| s == path))
        .filter_map(|(key, path)| {
            let entry = config.entry(&key)?;
            let shown = if sub_path.is_some() { base.to_owned() } else { format!("{base}/{path}") };
            Some((entry, shown))
        })
        .collect()
}

/// Telemetry back ends by the id's words (for ids that are not workloads).
fn c_is_telemetry(id: &str) -> bool {
    is_telemetry(id.rsplit('/').next().unwrap_or(id), None)
}
