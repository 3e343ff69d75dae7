//! Merging several compose files (`-f a -f b`), `include` and
//! `extends` into one service per name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::import::field;
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

use super::{At, DependsOn, ENTRY_COST, Importer, Service};

impl Importer<'_> {
    pub(super) fn merge_file(
        &mut self,
        file: &Arc<SourceFile>,
        doc: &Node,
        services: &mut BTreeMap<String, Service>,
    ) {
        if let Some(include) = doc.get("include") {
            self.diags.push(Diagnostic::compose_include(file, include.span.clone()));
        }
        let Some(defs) = doc.get("services") else { return };
        if defs.as_map().is_none() {
            if defs.value != Value::Null {
                self.invalid_type(
                    file,
                    defs,
                    "a mapping of services",
                    "`services:` maps service names to their definitions",
                );
            }
            return;
        }
        for (key, def) in crate::import::entries(defs) {
            let Some(name) = key.key_text() else { continue };
            if def.value == Value::Null {
                services.entry(name.to_owned()).or_insert_with(|| Service::new(file, key.span.clone()));
                continue;
            }
            if def.as_map().is_none() {
                self.invalid_type(
                    file,
                    def,
                    "a mapping",
                    "a service is a mapping such as `{ image: postgres:16 }`",
                );
                continue;
            }
            let service =
                services.entry(name.to_owned()).or_insert_with(|| Service::new(file, key.span.clone()));
            self.merge_service(file, def, service);
        }
    }

    fn merge_service(&mut self, file: &Arc<SourceFile>, def: &Node, s: &mut Service) {
        if let Some(n) = field(def, "image") {
            s.image = self.string(file, n);
        }
        if let Some(n) = field(def, "container_name") {
            s.container_name = self.string(file, n);
        }
        if let Some(n) = field(def, "hostname") {
            s.hostname = self.string(file, n);
        }
        if let Some(n) = field(def, "extends") {
            let target = match &n.value {
                Value::Str(_) => self.string(file, n),
                Value::Map(_) => {
                    if field(n, "file").is_some() {
                        self.diags.push(Diagnostic::compose_extends_other_file(file, n.span.clone()));
                        None
                    } else {
                        field(n, "service").and_then(|v| self.string(file, v))
                    }
                }
                _ => None,
            };
            if let Some(t) = target {
                s.extends = Some(At { value: t, file: Arc::clone(file), span: n.span.clone() });
            }
        }
        if let Some(networks) = field(def, "networks") {
            for (_, net) in crate::import::entries(networks) {
                if let Some(Value::Seq(items)) = field(net, "aliases").map(|a| &a.value) {
                    for a in items {
                        if let Some(alias) = self.string(file, a) {
                            s.aliases.push(alias);
                        }
                    }
                }
            }
        }
        if let Some(env) = field(def, "environment") {
            match &env.value {
                Value::Seq(items) => {
                    for item in items {
                        let Some(entry) = self.string(file, item) else { continue };
                        let (k, v) = match entry.split_once('=') {
                            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                            None => (entry.clone(), None),
                        };
                        s.environment
                            .insert(k, At { value: v, file: Arc::clone(file), span: item.span.clone() });
                    }
                }
                Value::Map(_) => {
                    for (k, v) in crate::import::entries(env) {
                        let Some(key) = k.key_text() else { continue };
                        let value = if v.value == Value::Null { None } else { self.string(file, v) };
                        let span = k.span.start..v.span.end.max(k.span.end);
                        s.environment.insert(key.to_owned(), At { value, file: Arc::clone(file), span });
                    }
                }
                Value::Null => {}
                _ => self.invalid_type(
                    file,
                    env,
                    "a list or a mapping",
                    "write `environment:` as `- KEY=value` items or `KEY: value` pairs",
                ),
            }
        }
        if let Some(env_file) = field(def, "env_file") {
            let items: Vec<&Node> = match &env_file.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![env_file],
            };
            for item in items {
                let (path, required) = match &item.value {
                    Value::Map(_) => (
                        field(item, "path").and_then(|p| self.string(file, p)),
                        field(item, "required").is_none_or(|r| r.value != Value::Bool(false)),
                    ),
                    _ => (self.string(file, item), true),
                };
                if let Some(path) = path {
                    s.env_files.push(At {
                        value: (path, required),
                        file: Arc::clone(file),
                        span: item.span.clone(),
                    });
                }
            }
        }
        if let Some(deps) = field(def, "depends_on") {
            match &deps.value {
                Value::Seq(items) => {
                    for item in items {
                        if let Some(name) = self.string(file, item) {
                            let d = DependsOn { condition: "service_started".to_owned(), required: true };
                            s.depends_on.insert(
                                name,
                                At { value: d, file: Arc::clone(file), span: item.span.clone() },
                            );
                        }
                    }
                }
                Value::Map(_) => {
                    for (k, v) in crate::import::entries(deps) {
                        let Some(name) = k.key_text() else { continue };
                        let condition = field(v, "condition")
                            .and_then(|c| self.string(file, c))
                            .unwrap_or_else(|| "service_started".to_owned());
                        let required =
                            !matches!(field(v, "required").map(|r| &r.value), Some(Value::Bool(false)));
                        let span = k.span.start..v.span.end.max(k.span.end);
                        s.depends_on.insert(
                            name.to_owned(),
                            At { value: DependsOn { condition, required }, file: Arc::clone(file), span },
                        );
                    }
                }
                Value::Null => {}
                _ => self.invalid_type(
                    file,
                    deps,
                    "a list or a mapping",
                    "write `depends_on:` as a list of service names or a mapping with conditions",
                ),
            }
        }
        if let Some(Value::Seq(items)) = field(def, "links").map(|l| &l.value) {
            for item in items {
                if let Some(link) = self.string(file, item) {
                    let name = link.split(':').next().unwrap_or(&link).to_owned();
                    s.links.push(At { value: name, file: Arc::clone(file), span: item.span.clone() });
                }
            }
        }
        if let Some(n) = field(def, "scale") {
            s.replicas = self.string(file, n).and_then(|v| v.parse().ok());
        }
        if let Some(n) = field(def, "deploy").and_then(|d| field(d, "replicas")) {
            match self.string(file, n).and_then(|v| v.parse::<u32>().ok()) {
                Some(r) => s.replicas = Some(r),
                None => self.invalid_type(
                    file,
                    n,
                    "a whole number",
                    "`deploy.replicas` is how many containers run",
                ),
            }
        }
        if let Some(p) = field(def, "profiles")
            && let Value::Seq(items) = &p.value
        {
            let profiles = items.iter().filter_map(|i| self.string(file, i)).collect();
            s.profiles = Some(profiles);
        }
        if let Some(n) = field(def, "restart") {
            s.restart = self.string(file, n);
        }
        for (key, slot) in [("command", &mut s.command), ("entrypoint", &mut s.entrypoint)] {
            let Some(n) = field(def, key) else { continue };
            let mut words = Vec::new();
            match &n.value {
                Value::Seq(items) => {
                    for item in items {
                        if let Some(text) = self.string(file, item) {
                            words.extend(super::refs::shell_words(&text));
                        }
                    }
                }
                _ => {
                    if let Some(text) = self.string(file, n) {
                        words = super::refs::shell_words(&text);
                    }
                }
            }
            *slot = Some(At { value: words, file: Arc::clone(file), span: n.span.clone() });
        }
        if let Some(check) = field(def, "healthcheck") {
            if let Some(test) = field(check, "test") {
                s.healthcheck = Some(self.health_test(file, test));
            }
            if field(check, "disable").is_some_and(|d| d.value == Value::Bool(true)) {
                s.healthcheck = Some(Vec::new());
            }
        }
        if let Some(Value::Seq(items)) = field(def, "ports").map(|p| &p.value) {
            for item in items {
                let published = match &item.value {
                    Value::Map(_) => {
                        field(item, "published").and_then(|p| self.string(file, p)).map(|port| {
                            let ip = field(item, "host_ip").and_then(|h| self.string(file, h));
                            (port, ip)
                        })
                    }
                    _ => self.string(file, item).and_then(|spec| published_port(&spec)),
                };
                if let Some((port, ip)) = published {
                    let host_port = port.split('-').next().and_then(|p| p.trim().parse::<u16>().ok());
                    s.ports.push(At {
                        value: super::Published { host_port, host_ip: ip.filter(|ip| !ip.is_empty()) },
                        file: Arc::clone(file),
                        span: item.span.clone(),
                    });
                }
            }
        }
    }

    /// The words of a `healthcheck.test`: `["CMD", args..]` as they are,
    /// `["CMD-SHELL", script]` and a plain string shell-split, nothing for
    /// `["NONE"]`.
    fn health_test(&mut self, file: &Arc<SourceFile>, test: &Node) -> Vec<String> {
        let Value::Seq(items) = &test.value else {
            return self
                .string(file, test)
                .map(|script| super::refs::shell_words(&script))
                .unwrap_or_default();
        };
        let words: Vec<String> = items.iter().filter_map(|i| self.string(file, i)).collect();
        match words.split_first() {
            Some((first, rest)) if first == "CMD" => rest.to_vec(),
            Some((first, rest)) if first == "CMD-SHELL" => {
                rest.iter().flat_map(|script| super::refs::shell_words(script)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// `extends: {service: base}` within the project: the base's fields
    /// apply where the service does not set its own.
    ///
    /// Bases are resolved before the services that extend them (each one
    /// once), so a long chain costs one merge per link: walking every
    /// service's whole chain again was quadratic in the chain's length.
    pub(super) fn resolve_extends(&mut self, services: &mut BTreeMap<String, Service>) {
        let names: Vec<String> = services.keys().cloned().collect();
        let mut resolved: BTreeSet<String> = BTreeSet::new();
        for name in names {
            // The services on the way to a resolved base (or to the end of
            // the chain), nearest first.
            let mut chain: Vec<String> = Vec::new();
            let mut on_chain: BTreeSet<String> = BTreeSet::new();
            let mut current = name;
            while !resolved.contains(&current) && on_chain.insert(current.clone()) {
                chain.push(current.clone());
                match services.get(&current).and_then(|s| s.extends.clone()) {
                    Some(ext) if services.contains_key(&ext.value) => current = ext.value,
                    Some(ext) => {
                        self.diags.push(Diagnostic::extends_unknown_service(
                            &ext.file,
                            ext.span.clone(),
                            &ext.value,
                        ));
                        break;
                    }
                    None => break,
                }
            }
            // Farthest first: each service merges a base that is complete.
            // In a cycle the farthest service keeps its own fields only.
            for service in chain.into_iter().rev() {
                let ext = services.get(&service).and_then(|s| s.extends.clone());
                let base = ext
                    .as_ref()
                    .filter(|ext| resolved.contains(&ext.value))
                    .and_then(|ext| services.get(&ext.value).cloned());
                if let (Some(ext), Some(base)) = (ext, base) {
                    // Every service in a chain holds the variables of all
                    // the ones above it: pay for the copies.
                    let inherited: usize = base
                        .environment
                        .iter()
                        .map(|(k, v)| k.len() + v.value.as_ref().map_or(0, String::len) + ENTRY_COST)
                        .sum::<usize>()
                        + (base.depends_on.len() + base.links.len()) * ENTRY_COST;
                    if !self.spend(inherited, &ext.file, &ext.span) {
                        resolved.insert(service);
                        continue;
                    }
                    let Some(s) = services.get_mut(&service) else { continue };
                    s.image = s.image.take().or(base.image);
                    for (k, v) in base.environment {
                        s.environment.entry(k).or_insert(v);
                    }
                    for (k, v) in base.depends_on {
                        s.depends_on.entry(k).or_insert(v);
                    }
                    s.links.extend(base.links);
                    s.env_files.extend(base.env_files);
                    s.replicas = s.replicas.or(base.replicas);
                    s.restart = s.restart.take().or(base.restart);
                    s.command = s.command.take().or(base.command);
                    s.entrypoint = s.entrypoint.take().or(base.entrypoint);
                    s.healthcheck = s.healthcheck.take().or(base.healthcheck);
                    if s.ports.is_empty() {
                        s.ports = base.ports;
                    }
                    s.profiles = s.profiles.take().or(base.profiles);
                }
                resolved.insert(service);
            }
        }
    }
}

/// The published host port and host address of a short `ports:` entry
/// (`"8080:80"`, `"127.0.0.1:8080:80/tcp"`, `"[::1]:8080:80"`); `None` for
/// a container port alone (`"80"`: Docker picks the host port).
fn published_port(spec: &str) -> Option<(String, Option<String>)> {
    let spec = spec.split('/').next().unwrap_or(spec);
    let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
    match parts.as_slice() {
        [_, host] => Some(((*host).to_owned(), None)),
        [_, host, ip] => {
            Some(((*host).to_owned(), Some(ip.trim_matches(|c| c == '[' || c == ']').to_owned())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ports() {
        let port = |spec: &str| published_port(spec).map(|(p, ip)| (p, ip.unwrap_or_default()));
        assert_eq!(port("5105:80"), Some(("5105".to_owned(), String::new())));
        assert_eq!(port("127.0.0.1:5105:80/tcp"), Some(("5105".to_owned(), "127.0.0.1".to_owned())));
        assert_eq!(port("8000-8010:80"), Some(("8000-8010".to_owned(), String::new())));
        assert_eq!(port("8080"), None);
    }
}
