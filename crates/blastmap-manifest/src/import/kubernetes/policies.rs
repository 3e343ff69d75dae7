//! `NetworkPolicy` ingress rules: the pods allowed in are the callers of
//! the pods the policy selects (hard: allowed traffic is taken as needed).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::resources::{Resource, Workload, WorkloadIndex, selector};
use crate::diagnostics::Diagnostic;
use crate::import::{Imported, ImportedDependency, field, is_telemetry};
use crate::model::Mode;
use crate::syntax::Value;

pub(super) fn dependencies(
    resources: &[Resource<'_>],
    workloads: &[Workload<'_>],
    index: &WorkloadIndex<'_>,
    components: &mut BTreeMap<String, Imported>,
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) {
    let telemetry = |id: &str| {
        components.get(id).is_some_and(|c| c.labels.get("role").is_some_and(|r| r == "telemetry"))
            || is_telemetry(id.rsplit('/').next().unwrap_or(id), None)
    };
    let mut found: Vec<(String, ImportedDependency)> = Vec::new();
    for r in resources.iter().filter(|r| r.kind == "NetworkPolicy") {
        let Some(spec) = r.spec() else { continue };
        let pod_selector = field(spec, "podSelector");
        let Some(target_labels) = pod_selector.and_then(|s| selector(s, &r.file, diags)) else { continue };
        if target_labels.is_empty() {
            notes.push(format!(
                "NetworkPolicy `{}` applies to every pod of `{}`: no dependency",
                r.name, r.namespace
            ));
            continue;
        }
        let callees: Vec<&Workload<'_>> = index.select(workloads, &r.namespace, &target_labels).collect();
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
                    index.select(workloads, &r.namespace, &source_labels).collect();
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
                    for callee in callees.iter().filter(|c| c.id != caller.id) {
                        let soft = telemetry(&callee.id);
                        found.push((
                            caller.id.clone(),
                            ImportedDependency {
                                targets: vec![callee.id.clone()],
                                mode: if soft { Mode::Soft } else { Mode::Hard },
                                via: soft.then(|| "telemetry".to_owned()),
                                evidence: vec![format!(
                                    "NetworkPolicy {} allows ingress from {}",
                                    r.name,
                                    shown.join(",")
                                )],
                                file: Arc::clone(&r.file),
                                span: ps.span.clone(),
                            },
                        ));
                    }
                }
            }
        }
    }
    for (caller, dep) in found {
        if let Some(c) = components.get_mut(&caller) {
            c.depend(dep);
        }
    }
}
