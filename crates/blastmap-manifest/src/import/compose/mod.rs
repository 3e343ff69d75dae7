//! Docker Compose: services → components, `depends_on` and environment
//! values that name another service → dependencies, a `healthcheck` that
//! fetches a URL → `health`.
//!
//! Several files are merged in order (`-f a -f b`) with Compose's rules for
//! the fields we read: scalars are replaced, `environment`, `depends_on` and
//! `labels` merge by key, `ports` and `links` append. Values are interpolated
//! from the `.env` file of the project directory (that of the first file);
//! the shell environment is deliberately not read, so an import gives the
//! same result on every machine.

mod entrypoints;
mod interpolate;
mod map;
mod merge;
mod refs;
mod roles;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Imported, scalar};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::syntax::Node;

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
    /// `ports:` entries that publish a host port, as written.
    ports: Vec<At<Published>>,
    /// `restart:` as written (`"no"`, `always`, ...).
    restart: Option<String>,
    /// The words of `command:` and of `entrypoint:` (shell-split).
    command: Option<At<Vec<String>>>,
    entrypoint: Option<At<Vec<String>>>,
    /// The words of `healthcheck.test` (shell-split for `CMD-SHELL` and
    /// the string form); empty when the check is disabled (`NONE`,
    /// `disable: true`).
    healthcheck: Option<Vec<String>>,
    extends: Option<At<String>>,
}

/// A host port a service publishes.
#[derive(Clone, Debug)]
struct Published {
    /// The host port; `None` when it is not a fixed number (`"80"` alone
    /// lets Docker pick one; a variable that reads as empty).
    host_port: Option<u16>,
    /// The host address it binds, when one is written (`127.0.0.1`).
    host_ip: Option<String>,
}

impl Service {
    pub(super) fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
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
            ports: Vec::new(),
            restart: None,
            command: None,
            entrypoint: None,
            healthcheck: None,
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

/// Suffixes of the examples that projects ship instead of an env file
/// (`.env.example`), read when the file is missing (in this order).
const ENV_EXAMPLES: [&str; 4] = [".example", ".sample", ".template", ".dist"];

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
    // Whether an example was read for a missing env file (said once).
    let mut example_said = false;
    let dir_name = project_dir.display().to_string();
    let env_outside = [env_path.clone()]
        .into_iter()
        .chain(ENV_EXAMPLES.iter().map(|suffix| project_dir.join(format!(".env{suffix}"))))
        .find(|p| !stays_inside(&project_dir, p));
    if let Some(outside) = env_outside {
        importer.diags.push(Diagnostic::referenced_file_outside(
            None,
            &outside.display().to_string(),
            &dir_name,
        ));
    } else if let Some(env) = read(&env_path) {
        importer.notes.push(format!("read variables from `{}`", env.name));
        importer.vars = importer.parse_env_file(&env, &BTreeMap::new());
    } else if let Some(example) = example_of(&env_path, read) {
        // One warning for the project, instead of one `variable not set`
        // per variable the example would have set.
        importer.example_read(&example, &project_dir, &mut example_said);
        importer.vars = importer.parse_env_file(&example, &BTreeMap::new());
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
            if !stays_inside(&project_dir, &full) {
                importer.diags.push(Diagnostic::referenced_file_outside(
                    Some((&entry.file, entry.span.clone())),
                    path,
                    &dir_name,
                ));
                continue;
            }
            let parsed = env_files.entry(full).or_insert_with_key(|full| {
                let env = if let Some(env) = read(full) {
                    env
                } else {
                    // `env_file: .env` beside a `.env.example` only.
                    let example = example_of(full, read)?;
                    importer.example_read(&example, &project_dir, &mut example_said);
                    example
                };
                let vars = importer.parse_env_file(&env, &base);
                Some((env, vars))
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
                None if *required => {
                    importer.diags.push(Diagnostic::env_file_unreadable(
                        &entry.file,
                        entry.span.clone(),
                        path,
                    ));
                }
                None => {}
            }
        }
    }
    importer.components(&services)
}

/// Whether `path`, with every symlink resolved, is inside `dir`: what an
/// inventory may read besides the files it was given (SECURITY.md). A path
/// that does not resolve on disk (absent, or read from a git tree) reads
/// nothing outside either, so it passes.
fn stays_inside(dir: &Path, path: &Path) -> bool {
    let (Ok(dir), Ok(path)) = (std::fs::canonicalize(dir), std::fs::canonicalize(path)) else {
        return !path.is_absolute() || path.starts_with(dir);
    };
    path.starts_with(dir)
}

/// The example shipped for a missing env file (`.env` → `.env.example`,
/// `.env.sample`, ...), read.
fn example_of(path: &Path, read: &mut ReadFile<'_>) -> Option<Arc<SourceFile>> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    ENV_EXAMPLES.iter().find_map(|suffix| read(&path.with_file_name(format!("{name}{suffix}"))))
}

impl Importer<'_> {
    /// Says (once per project) that an example is read in place of `.env`.
    fn example_read(&mut self, example: &Arc<SourceFile>, project_dir: &Path, said: &mut bool) {
        self.notes.push(format!("read example variables from `{}` (no `.env`)", example.name));
        if std::mem::replace(said, true) {
            return;
        }
        let first = example.text.lines().next().map_or(0, str::len);
        let dir = match project_dir.display().to_string() {
            d if d.is_empty() => "the project directory".to_owned(),
            d => format!("`{d}`"),
        };
        self.diags.push(Diagnostic::env_example_read(example, 0..first, &dir));
    }

    pub(super) fn invalid_type(&mut self, file: &Arc<SourceFile>, node: &Node, expected: &str, help: &str) {
        let found = node.value.type_name();
        self.diags.push(Diagnostic::invalid_type(file, node.span.clone(), expected, found, help));
    }

    /// A scalar, interpolated.
    pub(super) fn string(&mut self, file: &Arc<SourceFile>, node: &Node) -> Option<String> {
        let raw = scalar(node)?;
        Some(self.interpolate(&raw, file, &node.span))
    }
}
