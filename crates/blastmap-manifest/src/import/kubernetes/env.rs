//! A container's environment as the kubelet builds it: `envFrom` sources
//! first (a later one wins a key), then `env` entries in order, each
//! `value` with `$(VAR)` expanded over the variables defined before it.
//! Values come from the manifest itself, from ConfigMap keys or from Secret
//! keys; each variable remembers where, and says so only when asked (for
//! evidence): a ConfigMap of thousands of keys taken by thousands of
//! workloads must not cost a sentence per key and workload.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::config::{Config, Configs, Entry, Readers, Source};
use crate::import::{field, scalar, text};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

/// One expanded value stops growing here: variables that repeat each other
/// (`B=$(A)$(A)`, `C=$(B)$(B)`, ...) double at every step.
pub(super) const MAX_EXPANDED: usize = 64 * 1024;

/// What one import reads at most: values, bytes of them searched for
/// hosts, and bytes that `$(VAR)` and shell expansion add. Past any of
/// them the rest is not read (one warning says so).
const MAX_VALUES: usize = 1_000_000;
const MAX_BYTES: usize = 64 * 1024 * 1024;
const MAX_EXPANSION: usize = 16 * 1024 * 1024;

#[derive(Default)]
pub(super) struct Budget {
    values: usize,
    bytes: usize,
    expanded: usize,
    /// Set once a limit is passed; the caller warns when it first is.
    pub spent: bool,
}

impl Budget {
    /// Counts one value of `len` bytes to read; false once spent.
    pub(super) fn read(&mut self, len: usize) -> bool {
        self.values += 1;
        self.bytes = self.bytes.saturating_add(len);
        if self.values > MAX_VALUES || self.bytes > MAX_BYTES {
            self.spent = true;
        }
        !self.spent
    }

    /// Room left for expansion in one value.
    pub(super) fn room(&self) -> usize {
        MAX_EXPANDED.min(MAX_EXPANSION.saturating_sub(self.expanded))
    }

    /// Counts what an expansion added.
    pub(super) fn expanded(&mut self, added: usize) {
        self.expanded = self.expanded.saturating_add(added);
        if self.expanded >= MAX_EXPANSION {
            self.spent = true;
        }
    }

    pub(super) fn limits() -> (usize, usize) {
        (MAX_VALUES, MAX_BYTES / (1024 * 1024))
    }
}

/// Where a variable's value comes from.
pub(super) enum Origin<'c> {
    /// Written in the workload (`value:` at `span`); `used` names the
    /// `$(VAR)` it expanded, with where their values come from.
    Written { span: Range<usize>, used: Vec<String> },
    /// Every key of a ConfigMap or Secret (`envFrom`), taken by the
    /// reference at the span of the workload's file.
    EnvFrom(&'c Config<'c, 'c>, &'c Entry, Range<usize>),
    /// One key (`configMapKeyRef`, `secretKeyRef`).
    KeyRef(&'c Config<'c, 'c>, &'c Entry, Range<usize>),
    /// Known only to the running pod (`fieldRef`), or not in the files.
    Unknown(Range<usize>),
}

/// One variable of a container's environment.
pub(super) struct EnvVar<'c> {
    pub key: Cow<'c, str>,
    /// `None` when the value is not in the files.
    pub value: Option<Cow<'c, str>>,
    pub origin: Origin<'c>,
    /// Whether any of it comes from a Secret: such a value is only ever
    /// used to find Services, never shown or warned about.
    pub secret: bool,
}

impl EnvVar<'_> {
    /// Whether the workload writes the value itself (`value:`), rather than
    /// taking it from a ConfigMap or Secret with many other keys.
    pub(super) fn written(&self) -> bool {
        matches!(self.origin, Origin::Written { .. })
    }

    /// `env KEY` and where its value comes from, for evidence.
    pub(super) fn how(&self) -> String {
        format!("env {}{}", self.key, self.whence())
    }

    /// Where the value comes from, said after `env KEY` (empty for a value
    /// written plainly in the manifest).
    fn whence(&self) -> String {
        match &self.origin {
            Origin::Written { used, .. } if used.is_empty() => String::new(),
            Origin::Written { used, .. } => format!(" with {}", used.join(", ")),
            Origin::EnvFrom(c, e, _) => format!(" from {} ({}) through envFrom", c.label(), c.line(e)),
            Origin::KeyRef(c, e, _) => format!(" from {} key {} ({})", c.label(), e.key, c.line(e)),
            Origin::Unknown(_) => String::new(),
        }
    }

    /// The file and span where the value is written: the workload's, or a
    /// ConfigMap's key. A Secret's key is never pointed at (the lines
    /// around it are its values): its reference in the workload is.
    pub(super) fn location<'f>(
        &'f self,
        workload: &'f Arc<SourceFile>,
    ) -> (&'f Arc<SourceFile>, Range<usize>) {
        match &self.origin {
            Origin::Written { span, .. } | Origin::Unknown(span) => (workload, span.clone()),
            Origin::EnvFrom(c, _, at) | Origin::KeyRef(c, _, at) if c.source == Source::Secret => {
                (workload, at.clone())
            }
            Origin::EnvFrom(c, e, _) | Origin::KeyRef(c, e, _) => (&c.resource.file, e.span.clone()),
        }
    }
}

/// A ConfigMap or Secret (or one key of it) that a container takes and the
/// files do not hold.
pub(super) struct Missing {
    pub source: Source,
    pub name: String,
    pub key: Option<String>,
    /// Of the reference in the workload.
    pub span: Range<usize>,
}

/// What [`environment`] reads from and records in.
pub(super) struct Sources<'c, 'm> {
    pub configs: &'c Configs<'c, 'c>,
    pub readers: &'m mut Readers,
    pub missing: &'m mut Vec<Missing>,
    pub budget: &'m mut Budget,
}

impl<'c> Sources<'c, '_> {
    fn read(
        &mut self,
        source: Source,
        namespace: &str,
        name: &str,
        reader: &str,
    ) -> Option<&'c Config<'c, 'c>> {
        self.readers.add(source, namespace, name, reader);
        self.configs.get(source, namespace, name)
    }
}

/// The environment of `container` (in workload `reader` of `namespace`),
/// in definition order, one variable per key.
pub(super) fn environment<'c>(
    container: &Node,
    namespace: &str,
    reader: &str,
    from: &mut Sources<'c, '_>,
) -> Vec<EnvVar<'c>> {
    let mut env = Env::default();
    if let Some(Value::Seq(sources)) = field(container, "envFrom").map(|n| &n.value) {
        for item in sources {
            let prefix = field(item, "prefix").and_then(scalar).unwrap_or_default();
            for (source, key) in [(Source::ConfigMap, "configMapRef"), (Source::Secret, "secretRef")] {
                let Some(reference) = field(item, key) else { continue };
                let Some(name_node) = field(reference, "name") else { continue };
                let Some(name) = scalar(name_node) else { continue };
                let Some(config) = from.read(source, namespace, &name, reader) else {
                    if !optional(reference) {
                        from.missing.push(Missing { source, name, key: None, span: name_node.span.clone() });
                    }
                    continue;
                };
                for entry in &config.entries {
                    if from.budget.spent {
                        return env.vars;
                    }
                    let key = if prefix.is_empty() {
                        Cow::Borrowed(entry.key.as_str())
                    } else {
                        Cow::Owned(format!("{prefix}{}", entry.key))
                    };
                    env.set(EnvVar {
                        key,
                        value: Some(Cow::Borrowed(entry.value.as_str())),
                        origin: Origin::EnvFrom(config, entry, reference.span.clone()),
                        secret: source == Source::Secret,
                    });
                }
            }
        }
    }
    let Some(Value::Seq(items)) = field(container, "env").map(|n| &n.value) else { return env.vars };
    for item in items {
        let Some(key) = field(item, "name").and_then(text).map(str::to_owned) else { continue };
        if let Some(v) = field(item, "value") {
            let Some(raw) = scalar(v) else { continue };
            let mut names = Vec::new();
            let room = from.budget.room();
            let (value, secret) = if room == 0 {
                (raw.clone(), false)
            } else {
                expand(&raw, |name| env.lookup(name), &mut names, room)
            };
            from.budget.expanded(value.len().saturating_sub(raw.len()));
            let used = names.iter().map(|n| format!("$({n}){}", env.whence(n))).collect();
            env.set(EnvVar {
                key: Cow::Owned(key),
                value: Some(Cow::Owned(value)),
                origin: Origin::Written { span: v.span.clone(), used },
                secret,
            });
            continue;
        }
        let valued = field(item, "valueFrom");
        let reference = [(Source::ConfigMap, "configMapKeyRef"), (Source::Secret, "secretKeyRef")]
            .into_iter()
            .find_map(|(source, k)| Some((source, valued.and_then(|f| field(f, k))?)));
        let Some((source, reference)) = reference else {
            // `fieldRef`, `resourceFieldRef`: known only to the running pod.
            let origin = Origin::Unknown(item.span.clone());
            env.set(EnvVar { key: Cow::Owned(key), value: None, origin, secret: false });
            continue;
        };
        let name = field(reference, "name").and_then(scalar).unwrap_or_default();
        let wanted = field(reference, "key").and_then(scalar).unwrap_or_default();
        let config = from.read(source, namespace, &name, reader);
        let Some((config, entry)) = config.and_then(|c| Some((c, c.entry(&wanted)?))) else {
            if !optional(reference) {
                let exists = config.is_some();
                let at = if exists { field(reference, "key") } else { field(reference, "name") };
                from.missing.push(Missing {
                    source,
                    name,
                    key: exists.then_some(wanted),
                    span: at.map_or(reference.span.clone(), |n| n.span.clone()),
                });
            }
            let origin = Origin::Unknown(item.span.clone());
            env.set(EnvVar { key: Cow::Owned(key), value: None, origin, secret: source == Source::Secret });
            continue;
        };
        env.set(EnvVar {
            key: Cow::Owned(key),
            value: Some(Cow::Borrowed(entry.value.as_str())),
            origin: Origin::KeyRef(config, entry, reference.span.clone()),
            secret: source == Source::Secret,
        });
    }
    env.vars
}

fn optional(reference: &Node) -> bool {
    field(reference, "optional").is_some_and(|o| o.value == Value::Bool(true))
}

/// Variables in definition order, one per key (a later definition replaces
/// the value in place).
#[derive(Default)]
struct Env<'c> {
    vars: Vec<EnvVar<'c>>,
    at: HashMap<String, usize>,
}

impl<'c> Env<'c> {
    fn set(&mut self, var: EnvVar<'c>) {
        if let Some(slot) = self.at.get(var.key.as_ref()).and_then(|&i| self.vars.get_mut(i)) {
            *slot = var;
        } else {
            self.at.insert(var.key.to_string(), self.vars.len());
            self.vars.push(var);
        }
    }

    fn get(&self, name: &str) -> Option<&EnvVar<'c>> {
        self.at.get(name).and_then(|&i| self.vars.get(i))
    }

    /// A defined value and whether it is secret.
    fn lookup(&self, name: &str) -> Option<(&str, bool)> {
        let var = self.get(name)?;
        Some((var.value.as_deref()?, var.secret))
    }

    fn whence(&self, name: &str) -> String {
        self.get(name).map(EnvVar::whence).unwrap_or_default()
    }
}

/// Kubernetes' `$(VAR)` expansion: a defined variable's value replaces it,
/// `$$` is a literal `$`, and an undefined `$(VAR)` stays as written. The
/// names expanded are added to `used`; the flag says whether any of them
/// is secret. The result stops at `room` bytes (at least the text itself).
pub(super) fn expand<'v>(
    text: &str,
    lookup: impl Fn(&str) -> Option<(&'v str, bool)>,
    used: &mut Vec<String>,
    room: usize,
) -> (String, bool) {
    let cap = room.max(text.len());
    let mut out = String::with_capacity(text.len());
    let mut secret = false;
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        push_capped(&mut out, &rest[..at], cap);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            push_capped(&mut out, "$", cap);
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(close) = inner.find(')')
        {
            let name = &inner[..close];
            match lookup(name) {
                Some((value, is_secret)) => {
                    push_capped(&mut out, value, cap);
                    secret |= is_secret;
                    if !used.iter().any(|u| u == name) {
                        used.push(name.to_owned());
                    }
                }
                None => push_capped(&mut out, &rest[at..at + 3 + close], cap),
            }
            rest = &inner[close + 1..];
        } else {
            push_capped(&mut out, "$", cap);
            rest = after;
        }
    }
    push_capped(&mut out, rest, cap);
    (out, secret)
}

pub(super) fn push_capped(out: &mut String, piece: &str, cap: usize) {
    let room = cap.saturating_sub(out.len());
    if piece.len() <= room {
        out.push_str(piece);
    } else {
        let mut end = room;
        while !piece.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&piece[..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (String, bool, Vec<String>) {
        let lookup = |name: &str| match name {
            "HOST" => Some(("db", false)),
            "PASS" => Some(("s3cret", true)),
            _ => None,
        };
        let mut used = Vec::new();
        let (out, secret) = expand(text, lookup, &mut used, MAX_EXPANDED);
        (out, secret, used)
    }

    #[test]
    fn variables_expand_as_the_kubelet_does() {
        let (out, secret, used) = run("postgres://$(HOST):5432/x");
        assert_eq!(out, "postgres://db:5432/x");
        assert!(!secret);
        assert_eq!(used, ["HOST"]);
        assert_eq!(run("$$(HOST) $(NOPE) $(HOST").0, "$(HOST) $(NOPE) $(HOST");
        assert_eq!(run("a$b$").0, "a$b$");
        assert_eq!(run("for i in $(seq 1 3)").0, "for i in $(seq 1 3)");
        let (out, secret, _) = run("u:$(PASS)@$(HOST)");
        assert_eq!(out, "u:s3cret@db");
        assert!(secret);
    }

    #[test]
    fn expansion_stops_growing() {
        let big = "x".repeat(MAX_EXPANDED);
        let lookup = |_: &str| Some((big.as_str(), false));
        let (out, _) = expand(&"$(A)".repeat(1_000), lookup, &mut Vec::new(), MAX_EXPANDED);
        assert_eq!(out.len(), MAX_EXPANDED);
        // With no room left, a value grows no longer than it is written.
        let (out, _) = expand("$(A)", lookup, &mut Vec::new(), 0);
        assert_eq!(out.len(), 4);
    }
}
