//! Kubernetes: workloads → components; Services → name resolution; hosts
//! in env values (literal, from ConfigMaps and Secrets, `$(VAR)`), in
//! mounted configuration files, in what initContainers wait for, and
//! `NetworkPolicy` ingress rules → dependencies; `LoadBalancer`/`NodePort`
//! Services, Ingresses and Gateway API routes → entrypoints; readiness and
//! liveness `httpGet` probes → `health`.
//!
//! Ids are names in the `default` namespace and `namespace/name` outside
//! it; hosts resolve relative to the namespace of the pod that names them
//! (see [`services`]).

mod config;
mod duplicates;
mod entry;
mod env;
mod pods;
mod policies;
mod probes;
mod resources;
mod services;
mod wait;

use std::sync::Arc;

pub(crate) use duplicates::reparse_keeping_last;

use config::{Configs, Readers, Source, value_hosts};
use resources::{Resource, WORKLOADS, WorkloadIndex};
use services::Services;

use super::Imported;
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::syntax::Node;

/// Kinds with nothing to map (no dependency, no failure of their own).
const QUIET: [&str; 20] = [
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
    "IngressClass",
    "Gateway",
    "GatewayClass",
    "ReferenceGrant",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "VerticalPodAutoscaler",
];

/// Imports every Kubernetes document (all files together: Services,
/// ConfigMaps and `NetworkPolicies` may sit in other files than their
/// workloads).
pub(crate) fn import(
    docs: &[(Arc<SourceFile>, Node)],
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> Vec<Imported> {
    let mut resources = Vec::new();
    for (file, doc) in docs {
        resources::collect(file, doc, &mut resources, diags);
    }
    let (mut components, workloads) = resources::workloads(&resources, diags);
    let index = WorkloadIndex::new(&workloads);
    let services = Services::new(&resources, &workloads, &index, diags, notes);
    let configs = Configs::new(&resources);
    let mut readers = Readers::default();
    let placeholders =
        pods::dependencies(&workloads, &services, &configs, &mut readers, &mut components, diags, notes);
    policies::dependencies(&resources, &workloads, &index, &mut components, diags, notes);
    entry::mark(&resources, &services, &mut components, diags);
    probes::health(&workloads, &services, &mut components);
    leftovers(&resources, &configs, &readers, &services, diags, notes);
    for p in placeholders {
        components.entry(p.id.clone()).or_insert(p);
    }
    components.into_values().collect()
}

/// What the other kinds say: ConfigMaps and Secrets by who reads them (a
/// ConfigMap that nobody reads but that names Services is a warning, not
/// "nothing to map"), quiet kinds as notes, the rest as warnings.
fn leftovers(
    resources: &[Resource<'_>],
    configs: &Configs<'_, '_>,
    readers: &Readers,
    services: &Services<'_, '_>,
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) {
    for r in resources {
        let k = r.kind.as_str();
        if WORKLOADS.contains(&k)
            || matches!(k, "Service" | "NetworkPolicy" | "Ingress")
            || entry::ROUTES.contains(&k)
        {
            continue;
        }
        let source = match k {
            "ConfigMap" => Source::ConfigMap,
            "Secret" => Source::Secret,
            _ if QUIET.contains(&k) => {
                notes.push(format!("Kubernetes {k} `{}` has nothing to map", r.shown()));
                continue;
            }
            _ => {
                diags.push(Diagnostic::kubernetes_kind_unmapped(
                    &r.file,
                    crate::import::field(r.node, "kind").map_or(r.node.span.clone(), |n| n.span.clone()),
                    k,
                    &r.name,
                ));
                continue;
            }
        };
        let readers = readers.of(source, &r.namespace, &r.name);
        if !readers.is_empty() {
            let secret = if source == Source::Secret { " (by name: its values are never shown)" } else { "" };
            notes.push(format!("Kubernetes {k} `{}` is read by {}{secret}", r.shown(), readers.join(", ")));
            continue;
        }
        let named = match configs.get(source, &r.namespace, &r.name) {
            Some(c) if source == Source::ConfigMap => unread_hosts(c, services),
            _ => (Vec::new(), Vec::new()),
        };
        if named.0.is_empty() {
            notes.push(format!(
                "Kubernetes {k} `{}` has nothing to map: no workload here reads it",
                r.shown()
            ));
        } else {
            let at = crate::import::field(r.node, "metadata")
                .and_then(|m| crate::import::field(m, "name"))
                .map_or(r.node.span.clone(), |n| n.span.clone());
            diags.push(Diagnostic::kubernetes_config_unread(&r.file, at, &r.shown(), &named.0, &named.1));
        }
    }
}

/// The Services of the files that a ConfigMap names (by their display
/// names), and the hosts in it that look like Services but are none.
fn unread_hosts(config: &config::Config<'_, '_>, services: &Services<'_, '_>) -> (Vec<String>, Vec<String>) {
    let namespace = &config.resource.namespace;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for entry in &config.entries {
        // A bare word counts under a key that says host only (a database
        // named like its Service is no address); files are read so already.
        let found = value_hosts(&entry.key, &entry.value).into_iter().filter(|f| {
            config::is_file(&entry.value)
                || !config::is_bare(&f.host, &entry.value)
                || crate::import::key_names_host(&f.key)
        });
        for found in found {
            let host = &found.host.host;
            match services.resolve(host, namespace) {
                Some(s) => {
                    let shown = s.resource.shown();
                    if !known.contains(&shown) {
                        known.push(shown);
                    }
                }
                None if (services::is_cluster_dns(host) || !host.contains('.'))
                    && !unknown.contains(host) =>
                {
                    unknown.push(host.clone());
                }
                None => {}
            }
        }
    }
    (known, unknown)
}
