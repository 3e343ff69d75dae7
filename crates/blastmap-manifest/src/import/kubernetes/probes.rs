//! `health` from the probes of a workload's containers: the `httpGet` of a
//! `readinessProbe` (preferred: it says when the pod takes traffic), else
//! of a `livenessProbe`, as a URL that reaches the pod through its Service.
//!
//! The host is the first Service that selects the workload (`cart` in the
//! `default` namespace, `cart.shop` outside it, so that the name resolves
//! from any namespace), else the workload's own name in the same form. The
//! port is the Service's `port` when one of its `ports` sends traffic to
//! the probe's container port (by number or by name); otherwise the
//! container port itself, with a note to review (the Service does not
//! expose it). The probe's `host` field is not read: it names what the
//! kubelet connects to, not what a drill reaches from elsewhere.

use std::collections::{BTreeMap, HashMap};

use super::resources::Workload;
use super::services::{Service, Services};
use crate::import::{Imported, field, scalar, text};
use crate::syntax::{Node, Value};

/// The probe kinds, preferred first.
const PROBES: [&str; 2] = ["readinessProbe", "livenessProbe"];

/// An HTTP probe with its port resolved.
#[derive(Debug, PartialEq, Eq)]
struct HttpProbe {
    /// `http` or `https`.
    scheme: &'static str,
    /// Starts with `/`.
    path: String,
    /// The container port the kubelet asks.
    port: u16,
    /// The port's name, when the probe names it (`port: http`).
    port_name: Option<String>,
}

/// Fills `health` of every workload whose containers have an HTTP probe.
///
/// # Complexity
/// O(workloads · containers + Services · their targets).
pub(super) fn health(
    workloads: &[Workload<'_>],
    services: &Services<'_, '_>,
    components: &mut BTreeMap<String, Imported>,
) {
    // The Services that select each workload, in load order: looking them
    // up per workload instead of scanning every Service keeps 10 000
    // Deployments and Services linear.
    let mut selecting: HashMap<&str, Vec<&Service<'_, '_>>> = HashMap::new();
    for s in services.iter() {
        for t in &s.targets {
            selecting.entry(t.as_str()).or_default().push(s);
        }
    }
    for w in workloads {
        let Some(probe) = w.pod_spec.and_then(http_probe) else { continue };
        let Some(c) = components.get_mut(&w.id) else { continue };
        let through = selecting.get(w.id.as_str()).map_or(&[][..], Vec::as_slice);
        let (url, note) = url(&probe, w, through);
        if crate::native::check_health_url(&url) {
            c.health = Some(url);
            c.notes.extend(note);
        }
    }
}

/// The URL of `probe` of workload `w`, reached through the first of the
/// Services `through` (if any), and a note when that Service does not
/// expose the probe's port.
fn url(probe: &HttpProbe, w: &Workload<'_>, through: &[&Service<'_, '_>]) -> (String, Option<String>) {
    let HttpProbe { scheme, path, port, .. } = probe;
    let Some(first) = through.first() else {
        return (format!("{scheme}://{}:{port}{path}", host(&w.name, &w.namespace)), None);
    };
    // A Service that sends traffic to the probe's port, and its own port.
    let mapped = through.iter().find_map(|s| Some((*s, service_port(s.resource.spec()?, probe)?)));
    if let Some((s, service_port)) = mapped {
        let host = host(&s.resource.name, &s.resource.namespace);
        return (format!("{scheme}://{host}:{service_port}{path}"), None);
    }
    let r = first.resource;
    let note = format!(
        "health: Service {} exposes no port to the probe's container port {port}: the URL uses that port, review it",
        r.shown()
    );
    (format!("{scheme}://{}:{port}{path}", host(&r.name, &r.namespace)), Some(note))
}

/// A Service's or workload's name as a host: `name` in `default`,
/// `name.namespace` elsewhere.
fn host(name: &str, namespace: &str) -> String {
    if namespace == "default" { name.to_owned() } else { format!("{name}.{namespace}") }
}

/// The `port` of the first entry of a Service's `ports` whose `targetPort`
/// (by default its `port`) is the probe's container port, by number or by
/// the port's name.
fn service_port(spec: &Node, probe: &HttpProbe) -> Option<u16> {
    let Some(Value::Seq(ports)) = field(spec, "ports").map(|n| &n.value) else { return None };
    ports.iter().find_map(|p| {
        let port = port_number(field(p, "port")?)?;
        let target = field(p, "targetPort").and_then(scalar).unwrap_or_else(|| port.to_string());
        let hits = match target.parse::<u16>() {
            Ok(n) => n == probe.port,
            Err(_) => probe.port_name.as_deref() == Some(target.as_str()),
        };
        hits.then_some(port)
    })
}

/// The first HTTP probe of the pod's containers, readiness before liveness.
fn http_probe(pod: &Node) -> Option<HttpProbe> {
    let Some(Value::Seq(containers)) = field(pod, "containers").map(|n| &n.value) else { return None };
    PROBES.iter().find_map(|kind| {
        containers.iter().find_map(|c| {
            let get = field(c, kind).and_then(|p| field(p, "httpGet"))?;
            probe(c, get)
        })
    })
}

/// The probe of `get` (an `httpGet`) in `container`; `None` when its port
/// is neither a number nor the name of one of the container's ports.
fn probe(container: &Node, get: &Node) -> Option<HttpProbe> {
    let written = field(get, "port")?;
    let (port, port_name) = if let Some(n) = port_number(written) {
        (n, None)
    } else {
        let name = text(written)?;
        let Some(Value::Seq(ports)) = field(container, "ports").map(|n| &n.value) else { return None };
        let port = ports
            .iter()
            .find(|p| field(p, "name").and_then(text) == Some(name))
            .and_then(|p| field(p, "containerPort"))
            .and_then(port_number)?;
        (port, Some(name.to_owned()))
    };
    let scheme = match field(get, "scheme").and_then(text) {
        Some(s) if s.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let path = match field(get, "path").and_then(scalar) {
        Some(p) if p.starts_with('/') => p,
        Some(p) => format!("/{p}"),
        None => "/".to_owned(),
    };
    Some(HttpProbe { scheme, path, port, port_name })
}

/// A port written as a number (`8080` or `"8080"`), 1 to 65535.
fn port_number(node: &Node) -> Option<u16> {
    scalar(node)?.parse::<u16>().ok().filter(|p| *p > 0)
}
