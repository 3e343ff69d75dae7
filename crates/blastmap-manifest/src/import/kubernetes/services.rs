//! Services: the workloads each one selects, and the hosts that name them.
//!
//! Pods reach each other through Services, so a host in a configuration
//! value is a Service name, resolved relative to the namespace of the pod
//! that holds the value: `cart` (same namespace), `cart.shop`,
//! `cart.shop.svc`, `cart.shop.svc.cluster.local` (any cluster domain after
//! `svc`), and `cart-0.cart.shop.svc...` (a pod of a headless Service).

use std::collections::HashMap;

use super::resources::{Resource, Workload, WorkloadIndex, labels};
use crate::diagnostics::Diagnostic;
use crate::import::field;

/// A Service and the components of the workloads it selects (none for a
/// Service without selector: its endpoints are outside the files).
pub(super) struct Service<'r, 'a> {
    pub resource: &'r Resource<'a>,
    pub targets: Vec<String>,
}

pub(super) struct Services<'r, 'a> {
    list: Vec<Service<'r, 'a>>,
    /// By (name, namespace), the first of equal ones as a scan would find:
    /// scanning every Service for every host made 10 000 documents slow.
    by_name: HashMap<(&'r str, &'r str), usize>,
}

impl<'r, 'a> Services<'r, 'a> {
    pub(super) fn new(
        resources: &'r [Resource<'a>],
        workloads: &[Workload<'_>],
        index: &WorkloadIndex<'_>,
        diags: &mut Vec<Diagnostic>,
        notes: &mut Vec<String>,
    ) -> Self {
        let mut list = Vec::new();
        let mut by_name = HashMap::new();
        for r in resources.iter().filter(|r| r.kind == "Service") {
            let selector_node = r.spec().and_then(|s| field(s, "selector"));
            let selector = selector_node.map(labels).unwrap_or_default();
            let targets: Vec<String> = if selector.is_empty() {
                notes.push(format!(
                    "Service `{}` has no selector (external or manual endpoints): its callers get no dependency",
                    r.shown()
                ));
                Vec::new()
            } else {
                let targets: Vec<String> =
                    index.select(workloads, &r.namespace, &selector).map(|w| w.id.clone()).collect();
                if targets.is_empty() {
                    let at = selector_node.map_or(r.node.span.clone(), |n| n.span.clone());
                    diags.push(Diagnostic::service_selects_nothing(&r.file, at, &r.name));
                }
                targets
            };
            by_name.entry((r.name.as_str(), r.namespace.as_str())).or_insert(list.len());
            list.push(Service { resource: r, targets });
        }
        Self { list, by_name }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Service<'r, 'a>> {
        self.list.iter()
    }

    /// The Service `name` of namespace `namespace`.
    pub(super) fn get(&self, name: &str, namespace: &str) -> Option<&Service<'r, 'a>> {
        self.by_name.get(&(name, namespace)).and_then(|&i| self.list.get(i))
    }

    /// The Service that `host` names from a pod of namespace `from`.
    pub(super) fn resolve(&self, host: &str, from: &str) -> Option<&Service<'r, 'a>> {
        let (name, namespace) = service_of(host, from)?;
        self.get(name, namespace)
    }
}

/// The (Service name, namespace) that a host means from a pod of namespace
/// `from` under the cluster's DNS rules, or `None` for a host of another
/// shape (`smtp.example.com` names no Service).
pub(super) fn service_of<'h>(host: &'h str, from: &'h str) -> Option<(&'h str, &'h str)> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [name] => Some((name, from)),
        [name, namespace] | [name, namespace, "svc", ..] => Some((name, namespace)),
        [_pod, name, namespace, "svc", ..] => Some((name, namespace)),
        _ => None,
    }
}

/// Whether a host is written in the cluster's DNS form with its namespace
/// (`db.shop.svc`, `db.shop.svc.cluster.local`): a Service for certain,
/// even when no file here defines it.
pub(super) fn is_cluster_dns(host: &str) -> bool {
    let parts: Vec<&str> = host.strip_suffix('.').unwrap_or(host).split('.').collect();
    matches!(parts.as_slice(), [_, _, "svc", ..] | [_, _, _, "svc", ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_resolve_relative_to_the_callers_namespace() {
        assert_eq!(service_of("cart", "shop"), Some(("cart", "shop")));
        assert_eq!(service_of("cart", "default"), Some(("cart", "default")));
        assert_eq!(service_of("cart.shop", "default"), Some(("cart", "shop")));
        assert_eq!(service_of("cart.shop.svc", "other"), Some(("cart", "shop")));
        assert_eq!(service_of("cart.shop.svc.cluster.local", "other"), Some(("cart", "shop")));
        assert_eq!(service_of("cart.shop.svc.cluster.local.", "other"), Some(("cart", "shop")));
        assert_eq!(service_of("cart.shop.svc.k8s.example", "other"), Some(("cart", "shop")));
        assert_eq!(service_of("kafka-0.kafka.data.svc.cluster.local", "shop"), Some(("kafka", "data")));
        assert_eq!(service_of("smtp.mail.example.com", "shop"), None);
        assert_eq!(service_of("a.b.c", "shop"), None);
    }

    #[test]
    fn cluster_dns_names_carry_their_namespace() {
        assert!(is_cluster_dns("db.shop.svc"));
        assert!(is_cluster_dns("db.shop.svc.cluster.local"));
        assert!(is_cluster_dns("db-0.db.shop.svc.cluster.local"));
        assert!(!is_cluster_dns("db"));
        assert!(!is_cluster_dns("db.shop"));
        assert!(!is_cluster_dns("api.example.com"));
    }
}
