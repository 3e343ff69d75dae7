//! Merged services → components: kinds, replicas, and the dependencies
//! that `depends_on`, `links` and environment values name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::import::Format;
use crate::import::{HostRef, Imported, ImportedDependency, is_telemetry, sanitize_id};
use crate::model::{Kind, Mode};

use super::entrypoints::{self, Facts};
use super::{Importer, Service, refs, roles};

impl Importer<'_> {
    pub(super) fn components(&mut self, services: &BTreeMap<String, Service>) -> Vec<Imported> {
        let active: BTreeSet<String> = self
            .vars
            .get("COMPOSE_PROFILES")
            .map(|p| p.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let enabled = |s: &Service| match &s.profiles {
            None => true,
            Some(p) if p.is_empty() => true,
            Some(p) => active.contains("*") || p.iter().any(|x| active.contains(x)),
        };
        let mut hosts: BTreeMap<String, String> = BTreeMap::new();
        let mut ports: BTreeMap<u16, String> = BTreeMap::new();
        for (name, s) in services.iter().filter(|(_, s)| enabled(s)) {
            hosts.insert(name.to_ascii_lowercase(), name.clone());
            for alias in s.container_name.iter().chain(&s.hostname).chain(&s.aliases) {
                hosts.entry(alias.to_ascii_lowercase()).or_insert_with(|| name.clone());
            }
            for p in s.ports.iter().filter_map(|p| p.value.host_port) {
                ports.entry(p).or_insert_with(|| name.clone());
            }
        }
        // Services that others wait for to finish: one-shot jobs.
        let awaited: BTreeSet<String> = services
            .values()
            .flat_map(|s| &s.depends_on)
            .filter(|(_, d)| d.value.condition == "service_completed_successfully")
            .map(|(t, _)| t.clone())
            .collect();
        let facts: BTreeMap<String, Facts> = services
            .iter()
            .filter(|(_, s)| enabled(s))
            .map(|(name, s)| {
                let kind = roles::kind(name, s.image.as_deref());
                let telemetry = is_telemetry(name, s.image.as_deref());
                let job = roles::one_shot(name, s, &awaited);
                (name.clone(), Facts { kind, telemetry, job })
            })
            .collect();
        let mut verdicts = entrypoints::infer(services, &facts);
        let mut out = Vec::new();
        for (name, s) in services {
            if !enabled(s) {
                let profiles = s.profiles.clone().unwrap_or_default().join("`, `");
                self.notes.push(format!(
                    "left out compose service `{name}`: only in profiles `{profiles}` (enable them with COMPOSE_PROFILES in `.env`)"
                ));
                continue;
            }
            let id = sanitize_id(name);
            let mut c = Imported::new(id, Format::Compose, &s.file, s.span.clone());
            let f = facts.get(name);
            c.kind = f.and_then(|f| f.kind);
            if let Some(job) = f.and_then(|f| f.job.as_ref()) {
                // A job run from a datastore's image (`psql -f seed.sql`
                // with `postgres:16`) is a job, not a second database.
                c.kind = Some(Kind::Job);
                c.notes.push(format!("one-shot job: {job}"));
            }
            let verdict = verdicts.remove(name).unwrap_or_default();
            for e in verdict.evidence {
                c.mark_entrypoint(e);
            }
            c.notes.extend(verdict.note);
            if c.entrypoint.is_empty()
                && let Some(k) = c.kind.filter(|k| k.is_entrypoint_by_default())
            {
                c.notes.push(format!(
                    "kind {k} makes it an entrypoint by default, but no published host port says users reach it: set `entrypoint: false` if it is internal"
                ));
            }
            c.replicas = s.replicas;
            c.health = s.healthcheck.as_deref().and_then(|words| health_url(words, name));
            if let Some(image) = &s.image {
                c.labels.insert("image".to_owned(), image.clone());
            }
            if is_telemetry(name, s.image.as_deref()) {
                c.labels.insert("role".to_owned(), "telemetry".to_owned());
            }
            let soft_target =
                |target: &str| services.get(target).is_some_and(|t| is_telemetry(target, t.image.as_deref()));
            for (target, d) in &s.depends_on {
                if !services.get(target).is_some_and(enabled) {
                    let why = if services.contains_key(target) {
                        "is only in a profile that is not enabled"
                    } else {
                        "is not defined"
                    };
                    self.diags.push(Diagnostic::compose_dependency_unresolved(
                        &d.file,
                        d.span.clone(),
                        name,
                        target,
                        why,
                    ));
                    continue;
                }
                let mut evidence = format!("compose depends_on ({})", d.value.condition);
                if !d.value.required {
                    evidence.push_str(", required: false");
                }
                let telemetry = soft_target(target);
                let mode = if d.value.required && !telemetry { Mode::Hard } else { Mode::Soft };
                c.depend(ImportedDependency {
                    targets: vec![sanitize_id(target)],
                    mode,
                    via: telemetry.then(|| "telemetry".to_owned()),
                    evidence: vec![evidence],
                    file: Arc::clone(&d.file),
                    span: d.span.clone(),
                });
            }
            for link in &s.links {
                if let Some(target) = hosts.get(&link.value.to_ascii_lowercase())
                    && target != name
                {
                    c.depend(ImportedDependency {
                        targets: vec![sanitize_id(target)],
                        mode: if soft_target(target) { Mode::Soft } else { Mode::Hard },
                        via: None,
                        evidence: vec!["compose links".to_owned()],
                        file: Arc::clone(&link.file),
                        span: link.span.clone(),
                    });
                }
            }
            let mut warned = BTreeSet::new();
            for (key, entry) in &s.environment {
                let value = match &entry.value {
                    Some(v) => v.clone(),
                    None => match self.vars.get(key) {
                        Some(v) => v.clone(),
                        None => continue,
                    },
                };
                for HostRef { host, port } in refs::env_hosts(key, &value) {
                    let (target, how) = if let Some(t) = hosts.get(&host) {
                        (t.clone(), format!("inferred from env {key}"))
                    } else if is_docker_host(&host) {
                        match port.and_then(|p| ports.get(&p).map(|t| (t, p))) {
                            Some((t, p)) => {
                                (t.clone(), format!("inferred from env {key} (port {p} published by {t})"))
                            }
                            None => continue,
                        }
                    } else {
                        if looks_internal(&host, port, key) && warned.insert(host.clone()) {
                            self.diags.push(Diagnostic::compose_host_unresolved(
                                &entry.file,
                                entry.span.clone(),
                                key,
                                name,
                                &host,
                            ));
                        }
                        continue;
                    };
                    if target == *name {
                        continue;
                    }
                    let telemetry = soft_target(&target) || is_telemetry_key(key);
                    let probe = is_health_probe_key(key);
                    let link = is_client_link_key(key, &value);
                    let mut evidence = how;
                    if probe && !telemetry {
                        evidence.push_str(" (health-check probe)");
                    } else if link && !telemetry {
                        evidence.push_str(" (client callback URL: a link, not a call)");
                    }
                    c.depend(ImportedDependency {
                        targets: vec![sanitize_id(&target)],
                        mode: if telemetry || probe || link { Mode::Soft } else { Mode::Hard },
                        via: telemetry.then(|| "telemetry".to_owned()),
                        evidence: vec![evidence],
                        file: Arc::clone(&entry.file),
                        span: entry.span.clone(),
                    });
                }
            }
            for (field, words) in [("command", &s.command), ("entrypoint", &s.entrypoint)] {
                let Some(words) = words else { continue };
                for (HostRef { host, .. }, how) in refs::command_hosts(&words.value) {
                    let Some(target) = hosts.get(&host).filter(|t| *t != name) else { continue };
                    let soft = soft_target(target);
                    c.depend(ImportedDependency {
                        targets: vec![sanitize_id(target)],
                        mode: if soft { Mode::Soft } else { Mode::Hard },
                        via: soft.then(|| "telemetry".to_owned()),
                        evidence: vec![format!("inferred from {field} ({how})")],
                        file: Arc::clone(&words.file),
                        span: words.span.clone(),
                    });
                }
            }
            out.push(c);
        }
        out
    }
}

/// The first http(s) URL among the words of a `healthcheck` test
/// (`curl -f http://localhost:8080/health`, `wget --spider ..`,
/// `--url=http://..`), as reached from outside the container: a loopback
/// host (`localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`) becomes the service
/// name, which other containers of the project resolve. `None` for a URL
/// that holds a shell variable (`$PORT`: its value is the container's) or
/// a user and password (an inventory does not copy credentials).
fn health_url(words: &[String], service: &str) -> Option<String> {
    let url = words.iter().find_map(|w| {
        let at = w.find("http://").or_else(|| w.find("https://"))?;
        w.get(at..)
    })?;
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if url.contains('$') || authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        authority.find(']').map_or((authority, ""), |i| authority.split_at(i + 1))
    } else {
        authority.find(':').map_or((authority, ""), |i| authority.split_at(i))
    };
    let loopback =
        matches!(host.to_ascii_lowercase().as_str(), "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]");
    let url = format!("{scheme}://{}{port}{tail}", if loopback { service } else { host });
    crate::native::check_health_url(&url).then_some(url)
}

/// Names by which a container reaches the Docker host (and so the ports
/// other services publish on it).
fn is_docker_host(host: &str) -> bool {
    host == "host.docker.internal"
        || host == "gateway.docker.internal"
        || (host.starts_with("docker.for.") && host.ends_with(".localhost"))
}

/// Whether an unresolved host looks like a name inside the project (worth
/// a warning) rather than something outside it.
fn looks_internal(host: &str, port: Option<u16>, key: &str) -> bool {
    if host.contains('.')
        || matches!(host, "localhost" | "0.0.0.0" | "*")
        || host.parse::<std::net::Ipv4Addr>().is_ok()
    {
        return false;
    }
    if matches!(host, "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null") {
        return false;
    }
    port.is_some() || refs::key_says_host(key)
}

fn is_telemetry_key(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    key.starts_with("OTEL_") || key.contains("ZIPKIN") || key.contains("JAEGER") || key.contains("TRACING")
}

/// OAuth client registrations (`SpaClient=http://...`, `RedirectUri`,
/// `...Callback...`): the identity server hands these URLs to browsers, it
/// does not call them. As hard edges they would make the identity server
/// and every client need each other, a cycle that cannot cold-start.
fn is_client_link_key(key: &str, value: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    value.contains("://")
        && (key.ends_with("Client") || lower.contains("callback") || lower.contains("redirect"))
}

/// Health-check UIs and probes (`CatalogUrlHC`, `HealthChecksUI__...`):
/// they watch the target, they do not need it.
fn is_health_probe_key(key: &str) -> bool {
    key.ends_with("HC") || key.to_ascii_lowercase().contains("healthcheck")
}

#[cfg(test)]
mod tests {
    use super::health_url;

    fn url(test: &str) -> Option<String> {
        let words: Vec<String> = test.split_whitespace().map(str::to_owned).collect();
        health_url(&words, "cart")
    }

    #[test]
    fn health_urls_name_the_service_for_loopback_hosts() {
        assert_eq!(url("curl -f http://localhost:8080/health").as_deref(), Some("http://cart:8080/health"));
        assert_eq!(url("wget -qO- http://127.0.0.1/ready").as_deref(), Some("http://cart/ready"));
        assert_eq!(url("curl http://0.0.0.0:9000").as_deref(), Some("http://cart:9000"));
        assert_eq!(url("curl -g http://[::1]:8080/x?y=1").as_deref(), Some("http://cart:8080/x?y=1"));
        assert_eq!(url("curl https://LOCALHOST:8443/").as_deref(), Some("https://cart:8443/"));
        assert_eq!(url("probe --url=http://localhost:3000/api").as_deref(), Some("http://cart:3000/api"));
        assert_eq!(url("curl http://db:5432/").as_deref(), Some("http://db:5432/"));
        for none in [
            "pg_isready -U postgres",
            "curl ftp://localhost/",
            "curl http://localhost:$PORT/",
            "curl http://user:pw@localhost/",
            "curl http://",
            "curl http://:8080/",
        ] {
            assert_eq!(url(none), None, "{none}");
        }
    }
}
