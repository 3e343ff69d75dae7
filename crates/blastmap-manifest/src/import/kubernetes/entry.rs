//! Entrypoints: the workloads that traffic from outside the cluster
//! reaches, each with the evidence that says so. A Service of type
//! `LoadBalancer` or `NodePort`, an Ingress backend, a Gateway API route's
//! `backendRefs`: the workloads behind them are what users call.

use std::collections::BTreeMap;

use super::resources::Resource;
use super::services::Services;
use crate::diagnostics::Diagnostic;
use crate::import::{Imported, field, scalar, text};
use crate::syntax::{Node, Value};

/// Gateway API routes: their rules send traffic to `backendRefs`.
pub(super) const ROUTES: [&str; 5] = ["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"];

/// Marks the entrypoints among `components`.
pub(super) fn mark(
    resources: &[Resource<'_>],
    services: &Services<'_, '_>,
    components: &mut BTreeMap<String, Imported>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut mark = |targets: &[String], evidence: &str| {
        for t in targets {
            if let Some(c) = components.get_mut(t) {
                c.mark_entrypoint(evidence);
            }
        }
    };
    for s in services.iter() {
        let r = s.resource;
        let type_node = r.spec().and_then(|spec| field(spec, "type"));
        if let Some(kind) = type_node.and_then(text).filter(|t| matches!(*t, "LoadBalancer" | "NodePort")) {
            mark(&s.targets, &format!("Service {} type {kind} ({})", r.shown(), r.at(type_node)));
        }
    }
    for r in resources {
        let backends = if r.kind == "Ingress" {
            ingress_backends(r)
        } else if ROUTES.contains(&r.kind.as_str()) {
            route_backends(r)
        } else {
            continue;
        };
        for Backend { service, namespace, what, node } in backends {
            match services.get(&service, &namespace) {
                Some(s) => {
                    let shown = s.resource.shown();
                    mark(
                        &s.targets,
                        &format!("{} {} {what} Service {shown} ({})", r.kind, r.shown(), r.at(Some(node))),
                    );
                }
                None => diags.push(Diagnostic::kubernetes_backend_unresolved(
                    &r.file,
                    node.span.clone(),
                    &r.kind,
                    &r.shown(),
                    &super::resources::qualified(&namespace, &service),
                )),
            }
        }
    }
}

/// A Service that traffic is sent to.
struct Backend<'a> {
    service: String,
    namespace: String,
    /// How it is sent, as evidence says it: `routes shop.example.com/api to`.
    what: String,
    /// Where the Service is named.
    node: &'a Node,
}

/// `defaultBackend` and every rule's paths, in `networking.k8s.io/v1`
/// (`backend.service.name`) and in the older `v1beta1` (`serviceName`).
fn ingress_backends<'a>(r: &Resource<'a>) -> Vec<Backend<'a>> {
    let mut out = Vec::new();
    let Some(spec) = r.spec() else { return out };
    let service_of = |backend: &'a Node| -> Option<(String, &'a Node)> {
        let node = field(backend, "service")
            .and_then(|s| field(s, "name"))
            .or_else(|| field(backend, "serviceName"))?;
        Some((scalar(node)?, node))
    };
    for key in ["defaultBackend", "backend"] {
        if let Some((service, node)) = field(spec, key).and_then(service_of) {
            let what = "sends unmatched requests to".to_owned();
            out.push(Backend { service, namespace: r.namespace.clone(), what, node });
        }
    }
    let Some(Value::Seq(rules)) = field(spec, "rules").map(|n| &n.value) else { return out };
    for rule in rules {
        let host = field(rule, "host").and_then(text).unwrap_or("");
        let paths = field(rule, "http").and_then(|h| field(h, "paths"));
        let Some(Value::Seq(paths)) = paths.map(|n| &n.value) else { continue };
        for path in paths {
            let Some((service, node)) = field(path, "backend").and_then(service_of) else { continue };
            let prefix = field(path, "path").and_then(text).unwrap_or("/");
            let what = format!("routes {host}{prefix} to");
            out.push(Backend { service, namespace: r.namespace.clone(), what, node });
        }
    }
    out
}

/// Every rule's `backendRefs` that are Services (the default kind), in the
/// route's namespace unless they name another.
fn route_backends<'a>(r: &Resource<'a>) -> Vec<Backend<'a>> {
    let mut out = Vec::new();
    let rules = r.spec().and_then(|s| field(s, "rules"));
    let Some(Value::Seq(rules)) = rules.map(|n| &n.value) else { return out };
    for rule in rules {
        let Some(Value::Seq(refs)) = field(rule, "backendRefs").map(|n| &n.value) else { continue };
        for reference in refs {
            let kind = field(reference, "kind").and_then(text).unwrap_or("Service");
            let group = field(reference, "group").and_then(text).unwrap_or("");
            let Some(node) = field(reference, "name") else { continue };
            let Some(service) = scalar(node) else { continue };
            if kind != "Service" || !group.is_empty() {
                continue;
            }
            let namespace =
                field(reference, "namespace").and_then(scalar).unwrap_or_else(|| r.namespace.clone());
            out.push(Backend { service, namespace, what: "sends traffic to".to_owned(), node });
        }
    }
    out
}
