//! Docker Compose: services → components, `depends_on` and environment
//! values that name another service → dependencies.
//!
//! Several files are merged in order (`-f a -f b`) with Compose's rules for
//! the fields we read: scalars are replaced, `environment`, `depends_on` and
//! `labels` merge by key, `ports` and `links` append. Values are interpolated
//! from the `.env` file of the project directory (that of the first file);
//! the shell environment is deliberately not read, so an import gives the
//! same result on every machine.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    HostRef, Imported, ImportedDependency, field, hosts_in, is_telemetry, kind_of, sanitize_id, scalar,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::import::Format;
use crate::model::{Kind, Mode};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

/// Reads a file next to the compose files (`.env`, `env_file:`); `None`
/// when it does not exist or cannot be read.
pub(crate) type ReadFile<'a> = dyn FnMut(&Path) -> Option<Arc<SourceFile>> + 'a;

/// A value with where it was written.
#[derive(Clone, Debug)]
struct At<T> {
    value: T,
    file: Arc<SourceFile>,
    span: Range<usize>,
}

#[derive(Clone, Debug)]
struct DependsOn {
    condition: String,
    required: bool,
}

/// One service after merging every file.
#[derive(Clone, Debug)]
struct Service {
    file: Arc<SourceFile>,
    span: Range<usize>,
    image: Option<String>,
    container_name: Option<String>,
    hostname: Option<String>,
    aliases: Vec<String>,
    /// `None` value: `- VAR` without `=`, taken from `.env`.
    environment: BTreeMap<String, At<Option<String>>>,
    env_files: Vec<At<(String, bool)>>,
    depends_on: BTreeMap<String, At<DependsOn>>,
    links: Vec<At<String>>,
    replicas: Option<u32>,
    profiles: Option<Vec<String>>,
    published: Vec<u16>,
    extends: Option<At<String>>,
}

impl Service {
    fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self {
            file: Arc::clone(file),
            span,
            image: None,
            container_name: None,
            hostname: None,
            aliases: Vec::new(),
            environment: BTreeMap::new(),
            env_files: Vec::new(),
            depends_on: BTreeMap::new(),
            links: Vec::new(),
            replicas: None,
            profiles: None,
            published: Vec::new(),
            extends: None,
        }
    }
}

struct Importer<'a> {
    vars: BTreeMap<String, String>,
    diags: &'a mut Vec<Diagnostic>,
    notes: &'a mut Vec<String>,
    /// Variables already reported as unset (once per name).
    reported: BTreeSet<String>,
    /// Bytes that variable values may still add to the import. Each `.env`
    /// line may reference the ones before it twice (`B=$A$A`, `C=$B$B`):
    /// without a budget that doubles per line; with one, hostile input costs
    /// at most this much on top of its own size.
    budget: usize,
    /// Whether running out of `budget` was reported (once per import).
    budget_spent: bool,
}

/// What variable values may add in total to one Compose import (16 MiB
/// of text; in memory a few times that).
const EXPANSION_BUDGET: usize = 16 << 20;

/// An env file as read, with its variables.
type EnvFile = (Arc<SourceFile>, BTreeMap<String, String>);

/// What one inherited entry (a variable, a dependency) costs from the
/// budget besides its text, so that many tiny entries count too.
const ENTRY_COST: usize = 128;

/// How deeply `${A:-${B:-...}}` defaults may nest; real files nest one or
/// two levels, and each level rescans the rest of the value.
const MAX_INTERPOLATION_DEPTH: usize = 16;

/// Imports the compose files, in the order given, as one project.
pub(crate) fn import(
    files: &[(Arc<SourceFile>, Node)],
    read: &mut ReadFile<'_>,
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> Vec<Imported> {
    let Some((first, _)) = files.first() else { return Vec::new() };
    let project_dir = Path::new(&*first.name).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut importer = Importer {
        vars: BTreeMap::new(),
        diags,
        notes,
        reported: BTreeSet::new(),
        budget: EXPANSION_BUDGET,
        budget_spent: false,
    };
    let env_path = project_dir.join(".env");
    if let Some(env) = read(&env_path) {
        importer.notes.push(format!("read variables from `{}`", env.name));
        importer.vars = importer.parse_env_file(&env, &BTreeMap::new());
    }
    let mut services: BTreeMap<String, Service> = BTreeMap::new();
    for (file, doc) in files {
        importer.merge_file(file, doc, &mut services);
    }
    importer.resolve_extends(&mut services);
    // `env_file:` entries, relative to the project directory. Each file is
    // read and parsed once, however many services name it: a thousand
    // services sharing one large env file must not read it a thousand times.
    let mut env_files: BTreeMap<PathBuf, Option<EnvFile>> = BTreeMap::new();
    let base = importer.vars.clone();
    for service in services.values_mut() {
        for entry in std::mem::take(&mut service.env_files) {
            let (path, required) = &entry.value;
            let full: PathBuf = project_dir.join(path);
            let parsed = env_files.entry(full).or_insert_with_key(|full| {
                read(full).map(|env| {
                    let vars = importer.parse_env_file(&env, &base);
                    (env, vars)
                })
            });
            match parsed {
                Some((env, vars)) => {
                    for (k, v) in vars.iter() {
                        if service.environment.contains_key(k) {
                            continue;
                        }
                        // Every service gets its own copy: count it.
                        if !importer.spend(k.len() + v.len(), &entry.file, &entry.span) {
                            break;
                        }
                        service.environment.insert(
                            k.clone(),
                            At { value: Some(v.clone()), file: Arc::clone(env), span: 0..0 },
                        );
                    }
                }
                None if *required => importer.diags.push(
                    Diagnostic::new(Code::UnresolvedReference, format!("cannot read env file `{path}`"))
                        .at(&entry.file, entry.span.clone(), "this env_file")
                        .help("create the file, or mark it `required: false`")
                        .warning(),
                ),
                None => {}
            }
        }
    }
    importer.components(&services)
}

impl Importer<'_> {
    /// `.env` syntax: `KEY=VALUE`, optional `export`, `#` comments, single
    /// quotes literal, double quotes with escapes; values interpolate
    /// variables defined before them.
    fn parse_env_file(
        &mut self,
        file: &Arc<SourceFile>,
        base: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut vars = base.clone();
        let mut own = BTreeMap::new();
        let mut offset = 0;
        for line in file.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
            let Some((key, raw)) = body.split_once('=') else {
                self.diags.push(
                    Diagnostic::new(Code::InvalidSyntax, "expected `KEY=VALUE` in an env file")
                        .at(file, start..start + line.trim_end().len(), "not `KEY=VALUE`")
                        .help("write `KEY=VALUE`, or start the line with `#` to comment it out")
                        .warning(),
                );
                continue;
            };
            let key = key.trim().to_owned();
            let raw = raw.trim_start();
            let value = if let Some(rest) = raw.strip_prefix('\'') {
                rest.split('\'').next().unwrap_or("").to_owned()
            } else if let Some(rest) = raw.strip_prefix('"') {
                let mut out = String::new();
                let mut chars = rest.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => out.push('\n'),
                            Some('t') => out.push('\t'),
                            Some(other) => out.push(other),
                            None => {}
                        },
                        c => out.push(c),
                    }
                }
                self.interpolate_with(&out, &vars, file, start..start + line.len())
            } else {
                let unquoted = raw.split(" #").next().unwrap_or(raw).trim();
                self.interpolate_with(unquoted, &vars, file, start..start + line.len())
            };
            vars.insert(key.clone(), value.clone());
            own.insert(key, value);
        }
        if base.is_empty() { vars } else { own }
    }

    fn interpolate(&mut self, s: &str, file: &Arc<SourceFile>, span: &Range<usize>) -> String {
        let vars = std::mem::take(&mut self.vars);
        let out = self.interpolate_with(s, &vars, file, span.clone());
        self.vars = vars;
        out
    }

    /// Takes `bytes` from the expansion budget; `false` (reported once)
    /// when it is spent.
    fn spend(&mut self, bytes: usize, file: &Arc<SourceFile>, span: &Range<usize>) -> bool {
        if let Some(left) = self.budget.checked_sub(bytes) {
            self.budget = left;
            return true;
        }
        if !self.budget_spent {
            self.budget_spent = true;
            self.diags.push(
                Diagnostic::new(
                    Code::UnsupportedConstruct,
                    format!("variables expand to more than {} MiB; the rest are left empty", EXPANSION_BUDGET >> 20),
                )
                .at(file, span.clone(), "expansion passes the limit here")
                .help("variables that repeat each other (`B=$A$A`) grow exponentially; this looks like an expansion bomb")
                .warning(),
            );
        }
        false
    }

    /// A variable's value, paid for from the budget (empty once it is spent).
    fn substitute(&mut self, value: Option<&String>, file: &Arc<SourceFile>, span: &Range<usize>) -> String {
        match value {
            Some(v) if self.spend(v.len(), file, span) => v.clone(),
            _ => String::new(),
        }
    }

    fn interpolate_with(
        &mut self,
        s: &str,
        vars: &BTreeMap<String, String>,
        file: &Arc<SourceFile>,
        span: Range<usize>,
    ) -> String {
        self.interpolate_nested(s, vars, file, span, 0)
    }

    /// Compose interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
    /// `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
    /// `${VAR+alt}`; defaults may nest, [`MAX_INTERPOLATION_DEPTH`] deep.
    fn interpolate_nested(
        &mut self,
        s: &str,
        vars: &BTreeMap<String, String>,
        file: &Arc<SourceFile>,
        span: Range<usize>,
        depth: usize,
    ) -> String {
        if depth > MAX_INTERPOLATION_DEPTH {
            self.diags.push(
                Diagnostic::new(
                    Code::UnsupportedConstruct,
                    format!("`${{...}}` defaults nest deeper than {MAX_INTERPOLATION_DEPTH} levels"),
                )
                .at(file, span, "here")
                .help("flatten the nested defaults; the value is left empty")
                .warning(),
            );
            return String::new();
        }
        let mut out = String::with_capacity(s.len());
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < s.len() {
            let Some(rel) = s[i..].find('$') else {
                out.push_str(&s[i..]);
                break;
            };
            out.push_str(&s[i..i + rel]);
            i += rel;
            match bytes.get(i + 1) {
                Some(b'$') => {
                    out.push('$');
                    i += 2;
                }
                Some(b'{') => {
                    // Find the matching brace (nested `${...}` in defaults).
                    let mut braces = 0usize;
                    let mut end = None;
                    let mut j = i + 1;
                    while let Some(&b) = bytes.get(j) {
                        match b {
                            b'{' => braces += 1,
                            b'}' => {
                                braces = braces.saturating_sub(1);
                                if braces == 0 {
                                    end = Some(j);
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    let Some(end) = end else {
                        self.diags.push(
                            Diagnostic::new(Code::InvalidSyntax, "unclosed `${` in a Compose value")
                                .at(file, span.clone(), "here")
                                .help("close it with `}`, or write `$$` for a literal `$`"),
                        );
                        out.push_str(&s[i..]);
                        break;
                    };
                    let inner = &s[i + 2..end];
                    let name_len =
                        inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
                    let (name, op) = inner.split_at(name_len);
                    let value = vars.get(name);
                    let set_nonempty = value.is_some_and(|v| !v.is_empty());
                    let replaced = if let Some(default) = op.strip_prefix(":-") {
                        if set_nonempty {
                            self.substitute(value, file, &span)
                        } else {
                            self.interpolate_nested(default, vars, file, span.clone(), depth + 1)
                        }
                    } else if let Some(default) = op.strip_prefix('-') {
                        match value {
                            Some(_) => self.substitute(value, file, &span),
                            None => self.interpolate_nested(default, vars, file, span.clone(), depth + 1),
                        }
                    } else if let Some(alt) = op.strip_prefix(":+") {
                        if set_nonempty {
                            self.interpolate_nested(alt, vars, file, span.clone(), depth + 1)
                        } else {
                            String::new()
                        }
                    } else if let Some(alt) = op.strip_prefix('+') {
                        if value.is_some() {
                            self.interpolate_nested(alt, vars, file, span.clone(), depth + 1)
                        } else {
                            String::new()
                        }
                    } else if let Some(message) = op.strip_prefix(":?").or_else(|| op.strip_prefix('?')) {
                        let ok = if op.starts_with(':') { set_nonempty } else { value.is_some() };
                        if !ok {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::UndefinedVariable,
                                    format!("required variable `{name}` is not set: {message}"),
                                )
                                .at(file, span.clone(), "needs it")
                                .help(format!("set `{name}` in the `.env` file of the project directory")),
                            );
                        }
                        self.substitute(value, file, &span)
                    } else if op.is_empty() {
                        if value.is_some() {
                            self.substitute(value, file, &span)
                        } else {
                            self.unset(name, file, &span);
                            String::new()
                        }
                    } else {
                        self.diags.push(
                            Diagnostic::new(
                                Code::InvalidSyntax,
                                format!("invalid interpolation `${{{inner}}}`"),
                            )
                            .at(file, span.clone(), "here")
                            .help("write `${VAR}`, `${VAR:-default}` or `$$` for a literal `$`"),
                        );
                        String::new()
                    };
                    out.push_str(&replaced);
                    i = end + 1;
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    let rest = &s[i + 1..];
                    let len =
                        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                    let name = &rest[..len];
                    match vars.get(name) {
                        Some(v) => out.push_str(&self.substitute(Some(v), file, &span)),
                        None => self.unset(name, file, &span),
                    }
                    i += 1 + len;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            }
        }
        out
    }

    fn unset(&mut self, name: &str, file: &Arc<SourceFile>, span: &Range<usize>) {
        if self.reported.insert(name.to_owned()) {
            self.diags.push(
                Diagnostic::new(Code::UndefinedVariable, format!("variable `{name}` is not set; it reads as empty"))
                    .at(file, span.clone(), "used here")
                    .help(format!(
                        "set `{name}` in the `.env` file of the project directory (blastmap does not read the shell environment)"
                    ))
                    .warning(),
            );
        }
    }

    fn invalid_type(&mut self, file: &Arc<SourceFile>, node: &Node, expected: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::InvalidType,
                format!("expected {expected}, found {}", node.value.type_name()),
            )
            .at(file, node.span.clone(), format!("expected {expected}"))
            .help(help.to_owned()),
        );
    }

    fn unsupported(&mut self, file: &Arc<SourceFile>, span: Range<usize>, what: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(Code::UnsupportedConstruct, what.to_owned())
                .at(file, span, "left out")
                .help(help.to_owned())
                .warning(),
        );
    }

    /// A scalar, interpolated.
    fn string(&mut self, file: &Arc<SourceFile>, node: &Node) -> Option<String> {
        let raw = scalar(node)?;
        Some(self.interpolate(&raw, file, &node.span))
    }

    fn merge_file(&mut self, file: &Arc<SourceFile>, doc: &Node, services: &mut BTreeMap<String, Service>) {
        if let Some(include) = doc.get("include") {
            self.unsupported(
                file,
                include.span.clone(),
                "compose `include` is not followed",
                "name the included files on the command line instead, in the order Compose merges them",
            );
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
        for (key, def) in super::entries(defs) {
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
                        self.unsupported(
                            file,
                            n.span.clone(),
                            "compose `extends` from another file is not followed",
                            "name that file on the command line, or copy the fields into this service",
                        );
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
            for (_, net) in super::entries(networks) {
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
                    for (k, v) in super::entries(env) {
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
                    for (k, v) in super::entries(deps) {
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
        if let Some(Value::Seq(items)) = field(def, "ports").map(|p| &p.value) {
            for item in items {
                let published = match &item.value {
                    Value::Map(_) => field(item, "published").and_then(|p| self.string(file, p)),
                    _ => self.string(file, item).and_then(|spec| published_port(&spec)),
                };
                if let Some(port) = published.and_then(|p| p.parse::<u16>().ok()) {
                    s.published.push(port);
                }
            }
        }
    }

    /// `extends: {service: base}` within the project: the base's fields
    /// apply where the service does not set its own.
    ///
    /// Bases are resolved before the services that extend them (each one
    /// once), so a long chain costs one merge per link: walking every
    /// service's whole chain again was quadratic in the chain's length.
    fn resolve_extends(&mut self, services: &mut BTreeMap<String, Service>) {
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
                        self.diags.push(
                            Diagnostic::new(
                                Code::UnresolvedReference,
                                format!("`extends` names no service `{}`", ext.value),
                            )
                            .at(&ext.file, ext.span.clone(), "no such service")
                            .help("fix the name, or name the file that defines it on the command line")
                            .warning(),
                        );
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
                    s.profiles = s.profiles.take().or(base.profiles);
                }
                resolved.insert(service);
            }
        }
    }

    fn components(&mut self, services: &BTreeMap<String, Service>) -> Vec<Imported> {
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
            for p in &s.published {
                ports.entry(*p).or_insert_with(|| name.clone());
            }
        }
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
            c.kind = kind_of(s.image.as_deref(), name).or_else(|| name_kind(name));
            c.replicas = s.replicas;
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
                    self.diags.push(
                        Diagnostic::new(Code::UnresolvedReference, format!("`{name}` depends on `{target}`, which {why}"))
                            .at(&d.file, d.span.clone(), "left out")
                            .help("name the compose file that defines it on the command line, or enable its profile")
                            .warning(),
                    );
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
                for HostRef { host, port } in hosts_in(&value) {
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
                            self.diags.push(
                                Diagnostic::new(
                                    Code::UnresolvedReference,
                                    format!("env `{key}` of `{name}` names host `{host}`, which is no service of this project"),
                                )
                                .at(&entry.file, entry.span.clone(), "no service has this name")
                                .help("add the file that defines it, or ignore this if the host is outside the project")
                                .warning(),
                            );
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
            out.push(c);
        }
        out
    }
}

/// The published host port of a short `ports:` entry (`"8080:80"`,
/// `"127.0.0.1:8080:80/tcp"`); `None` for a container port alone.
fn published_port(spec: &str) -> Option<String> {
    let spec = spec.split('/').next().unwrap_or(spec);
    let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
    match parts.as_slice() {
        [_, host] | [_, host, _] => Some(host.split('-').next().unwrap_or(host).to_owned()),
        _ => None,
    }
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
    port.is_some() || super::key_names_host(key)
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

fn name_kind(name: &str) -> Option<Kind> {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['-', '_']).collect();
    if words.iter().any(|w| matches!(*w, "gateway" | "apigw" | "proxy")) || lower.ends_with("apigw") {
        Some(Kind::Gateway)
    } else if words.iter().any(|w| matches!(*w, "frontend" | "web")) {
        Some(Kind::Frontend)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An importer with no variables, writing into `diags` and `notes`.
    fn importer<'a>(
        diags: &'a mut Vec<Diagnostic>,
        notes: &'a mut Vec<String>,
        budget: usize,
    ) -> Importer<'a> {
        Importer {
            vars: BTreeMap::new(),
            diags,
            notes,
            reported: BTreeSet::new(),
            budget,
            budget_spent: false,
        }
    }

    fn interp(s: &str, vars: &[(&str, &str)]) -> (String, usize) {
        let mut diags = Vec::new();
        let mut notes = Vec::new();
        let mut imp = importer(&mut diags, &mut notes, EXPANSION_BUDGET);
        let vars: BTreeMap<String, String> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let file = Arc::new(SourceFile::new("x.yaml", s.to_owned()));
        let out = imp.interpolate_with(s, &vars, &file, 0..s.len());
        (out, diags.len())
    }

    #[test]
    fn interpolation() {
        assert_eq!(interp("${A}", &[("A", "x")]).0, "x");
        assert_eq!(interp("$A-b", &[("A", "x")]).0, "x-b");
        assert_eq!(interp("${A:-d}", &[("A", "")]).0, "d");
        assert_eq!(interp("${A-d}", &[("A", "")]).0, "");
        assert_eq!(interp("${B-d}", &[]).0, "d");
        assert_eq!(interp("${B:-${A}:1}", &[("A", "h")]).0, "h:1");
        assert_eq!(interp("$$A", &[("A", "x")]).0, "$A");
        assert_eq!(interp("${A:+y}", &[("A", "x")]).0, "y");
        assert_eq!(interp("${B}", &[]), (String::new(), 1));
        assert_eq!(interp("${B:?need B}", &[]).1, 1);
    }

    #[test]
    fn nested_defaults_stop_at_the_depth_limit() {
        // 10 000 levels used to recurse once per level (a stack overflow)
        // and rescan the rest of the value at each level.
        let deep = "${A:-".repeat(10_000) + &"}".repeat(10_000);
        let (out, diags) = interp(&deep, &[]);
        assert_eq!((out.as_str(), diags), ("", 1));
        assert_eq!(interp("${A:-${B:-${C:-x}}}", &[]).0, "x");
    }

    #[test]
    fn expansion_stops_at_the_budget() {
        let mut diags = Vec::new();
        let mut notes = Vec::new();
        let mut imp = importer(&mut diags, &mut notes, 1 << 20);
        // Each line doubles the one before: 2^64 bytes without a budget.
        let mut text = String::from("V0=xxxxxxxxxxxxxxxx\n");
        for i in 1..64 {
            text.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
        }
        let file = Arc::new(SourceFile::new(".env", text));
        let vars = imp.parse_env_file(&file, &BTreeMap::new());
        assert!(vars.values().map(String::len).sum::<usize>() <= (1 << 20) + 16);
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn published_ports() {
        assert_eq!(published_port("5105:80").as_deref(), Some("5105"));
        assert_eq!(published_port("127.0.0.1:5105:80/tcp").as_deref(), Some("5105"));
        assert_eq!(published_port("8080"), None);
    }
}
