//! Which Compose services users reach directly, each with the construct
//! of the files that says so.
//!
//! The rule keeps precision over recall, since an entrypoint makes a
//! component critical:
//!
//! 1. Only a **fixed host port** counts (`"8080:80"`, `published: 8080`);
//!    `"80"` alone (Docker picks the port) and a port bound to a loopback
//!    address (`127.0.0.1:5432:5432`: this machine only) do not.
//! 2. **Never** entrypoints, whatever they publish: datastores, caches,
//!    queues and storage (their port is for debugging), monitoring back
//!    ends (Prometheus, Grafana, Jaeger, ...), admin tools (pgadmin,
//!    adminer, kafka-ui, ...), one-shot jobs, and services whose every
//!    published port is a well-known datastore, broker or metrics port.
//! 3. A **front door** — a reverse proxy by its image (nginx, traefik,
//!    envoy, kong, haproxy, caddy) or a gateway by its name (`*-gateway`,
//!    `*apigw`, `frontend-proxy`) — that publishes a port is an entrypoint.
//! 4. When a front door publishes, the other services that publish are
//!    behind it: their ports are taken for debugging, except a web front
//!    end by its name (`web`, `frontend`, `webmvc`, ...), which users open
//!    beside the gateway. Without a front door, every service left by
//!    rule 2 that publishes a port is an entrypoint.
//!
//! Services that publish and are not taken get a note saying why.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::Kind;
use crate::source::SourceFile;

use super::{At, Published, Service, roles};

/// Host ports of datastores, brokers, admin and metrics screens: a service
/// that publishes only these is not user-facing.
const DEBUG_PORTS: [u16; 28] = [
    5432, 3306, 1433, 1521, 6379, 27017, 9042, 9200, 9300, 8086, 5984, 7474, 7687, 2181, // datastores
    5672, 15672, 9092, 29092, 4222, 1883, 6650, // brokers
    9090, 9091, 9100, 9411, 16686, 4317, 4318, // metrics and tracing
];

/// What the files say about one service.
#[derive(Clone, Debug, Default)]
pub(super) struct Verdict {
    /// Evidence that users reach it (empty: not an entrypoint).
    pub evidence: Vec<String>,
    /// Why a service that publishes a port is not taken for one.
    pub note: Option<String>,
}

/// What the rule needs to know of a service besides its fields.
pub(super) struct Facts {
    pub kind: Option<Kind>,
    pub telemetry: bool,
    pub job: Option<String>,
}

fn is_loopback(ip: &str) -> bool {
    ip == "localhost" || ip == "::1" || ip.starts_with("127.")
}

fn at(file: &Arc<SourceFile>, p: &At<Published>) -> String {
    format!("{}:{}", file.name, file.location(&p.span).line)
}

/// Ports listed in one piece of evidence; more are counted.
const MAX_LISTED: usize = 8;

fn ports_text(ports: &[(u16, String)]) -> String {
    let mut listed: Vec<String> =
        ports.iter().take(MAX_LISTED).map(|(p, loc)| format!("{p} ({loc})")).collect();
    if ports.len() > MAX_LISTED {
        listed.push(format!("and {} more", ports.len() - MAX_LISTED));
    }
    let noun = if ports.len() == 1 { "port" } else { "ports" };
    format!("publishes host {noun} {}", listed.join(", "))
}

/// A service left by rule 2: its name, its open ports (with where they are
/// written) and why it is a front door, if it is one.
type Candidate<'a> = (&'a str, Vec<(u16, String)>, Option<String>);

/// The verdict for every enabled service that publishes a host port.
///
/// # Complexity
/// O(services + ports).
pub(super) fn infer(
    services: &BTreeMap<String, Service>,
    facts: &BTreeMap<String, Facts>,
) -> BTreeMap<String, Verdict> {
    let mut out: BTreeMap<String, Verdict> = BTreeMap::new();
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    for (name, f) in facts {
        let Some(s) = services.get(name) else { continue };
        let mut open: Vec<(u16, String)> = Vec::new();
        let mut local: Vec<(u16, String)> = Vec::new();
        for p in &s.ports {
            let Some(port) = p.value.host_port else { continue };
            let loc = at(&p.file, p);
            match &p.value.host_ip {
                Some(ip) if is_loopback(ip) => local.push((port, format!("{loc}, on {ip} only"))),
                _ => open.push((port, loc)),
            }
        }
        if open.is_empty() {
            if !local.is_empty() {
                let note = format!(
                    "{}: reachable from this machine only, not taken for an entrypoint",
                    ports_text(&local)
                );
                out.insert(name.clone(), Verdict { evidence: Vec::new(), note: Some(note) });
            }
            continue;
        }
        let excluded = if let Some(job) = &f.job {
            Some(format!("it is a one-shot job ({job})"))
        } else if let Some(k) =
            f.kind.filter(|k| matches!(k, Kind::Database | Kind::Cache | Kind::Queue | Kind::Storage))
        {
            let what = match k {
                Kind::Database => "a database",
                Kind::Cache => "a cache",
                Kind::Queue => "a queue",
                _ => "storage",
            };
            Some(format!("it is {what} (a datastore's published port is for debugging)"))
        } else if f.telemetry {
            Some("it is a monitoring back end".to_owned())
        } else if roles::is_admin_tool(name, s.image.as_deref()) {
            Some("it is an admin tool".to_owned())
        } else if open.iter().all(|(p, _)| DEBUG_PORTS.contains(p)) {
            Some(if open.len() == 1 {
                "that is a well-known datastore, broker or metrics port".to_owned()
            } else {
                "those are well-known datastore, broker or metrics ports".to_owned()
            })
        } else {
            None
        };
        if let Some(why) = excluded {
            let note = format!("{}, but {why}: not taken for an entrypoint", ports_text(&open));
            out.insert(name.clone(), Verdict { evidence: Vec::new(), note: Some(note) });
            continue;
        }
        candidates.push((name, open, roles::front_door(name, s.image.as_deref())));
    }
    let doors: Vec<&str> = candidates.iter().filter(|(_, _, d)| d.is_some()).map(|(n, _, _)| *n).collect();
    for (name, open, door) in &candidates {
        let verdict = out.entry((*name).to_owned()).or_default();
        if let Some(door) = door {
            verdict.evidence.push(format!("front door ({door})"));
            verdict.evidence.push(ports_text(open));
        } else if doors.is_empty() {
            verdict.evidence.push(ports_text(open));
        } else if roles::is_web_name(name) {
            verdict.evidence.push(format!("{}; a web front end by its name", ports_text(open)));
        } else {
            let mut listed: Vec<String> = doors.iter().take(3).map(|d| format!("`{d}`")).collect();
            if doors.len() > 3 {
                listed.push(format!("and {} more", doors.len() - 3));
            }
            let doors_noun = if doors.len() == 1 { "front door" } else { "front doors" };
            verdict.note = Some(format!(
                "{} beside the {doors_noun} {}: taken for debugging, not an entrypoint",
                ports_text(open),
                listed.join(", ")
            ));
        }
    }
    out
}
