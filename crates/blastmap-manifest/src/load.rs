//! Finding, reading and merging the files of an inventory into one [`Model`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic};
use crate::import::{self, Format, Inventory};
use crate::model::{Component, Model, Requirement};
use crate::native::{self, FileManifest, RawComponent};
use crate::policy::Policy;
use crate::source::SourceFile;
use crate::syntax::{self, Limits, Node, Syntax};

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// Read every file as this foreign format instead of detecting it
    /// (`--from`); native manifests are still read as such.
    pub from: Option<Format>,
}

/// The result of loading: the model built from everything valid, every
/// diagnostic, and notes on what was skipped (shown with `--verbose`).
#[derive(Debug, Default)]
pub struct Loaded {
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
    pub notes: Vec<String>,
    /// Every file that was read, in load order.
    pub files: Vec<Arc<SourceFile>>,
}

impl Loaded {
    /// Whether any diagnostic is an error (the input is invalid).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What importing produced (for `blastmap import`): the components with
/// the evidence of every dependency, every diagnostic, and notes.
#[derive(Debug, Default)]
pub struct Imports {
    pub inventory: Inventory,
    pub diagnostics: Vec<Diagnostic>,
    pub notes: Vec<String>,
    /// Every file that was read, in load order.
    pub files: Vec<Arc<SourceFile>>,
    /// Native manifests among the inputs (not converted).
    pub native_files: Vec<String>,
}

impl Imports {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What one file turned out to be.
enum Parsed {
    Native(FileManifest),
    Foreign(Format, Vec<Node>),
    Skipped,
}

/// The documents of one foreign format, in load order.
type ForeignDocs = Vec<(Arc<SourceFile>, Node)>;

/// A file to read: how to show its name, and whether the user named it
/// (named files must be manifests; files found in a directory may be skipped).
struct Candidate {
    display: String,
    path: PathBuf,
    explicit: bool,
}

/// Loads the inventory at `paths` (files or directories, merged).
///
/// Directories are walked recursively in name order; entries whose name
/// starts with `.` are skipped, every file is read once even when symlinks
/// loop or paths overlap.
///
/// # Complexity
/// O(total input size + components · log components).
pub fn load<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Loaded {
    let (mut loaded, mut manifests, foreign) = gather(paths, options);
    let found_foreign = !foreign.is_empty();
    let inventory = run_importers(foreign, options, &mut loaded, true);
    if !inventory.components.is_empty()
        && let Some(file) = inventory.components.values().next().map(|c| Arc::clone(&c.file))
    {
        manifests.push(FileManifest { file, components: inventory.into_raw(), policy: None });
    }
    if manifests.is_empty() && !found_foreign && !loaded.has_errors() {
        let shown: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
        loaded.diagnostics.push(
            Diagnostic::new(Code::NoManifest, format!("no manifest found in `{}`", shown.join("`, `")))
                .in_path(shown.first().map_or("", String::as_str))
                .help("a manifest is a .yaml, .yml, .json or .toml file whose top level has `blastmap: 1`, or a Docker Compose, Kubernetes, Backstage or Jaeger dependencies file"),
        );
    }
    finish(manifests, options, loaded)
}

/// Reads the foreign formats at `paths` into an [`Inventory`] with the
/// evidence of every dependency (what `blastmap import` writes). Native
/// manifests among the inputs are not converted (they are listed).
pub fn import<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Imports {
    let (mut loaded, manifests, foreign) = gather(paths, options);
    let found = !foreign.is_empty();
    let inventory = run_importers(foreign, options, &mut loaded, true);
    if !found && !loaded.has_errors() {
        let shown: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
        loaded.diagnostics.push(
            Diagnostic::new(Code::NoManifest, format!("nothing to import in `{}`", shown.join("`, `")))
                .in_path(shown.first().map_or("", String::as_str))
                .help("`blastmap import` reads Docker Compose, Kubernetes, Backstage catalog and Jaeger dependencies files"),
        );
    }
    sort_diagnostics(&mut loaded);
    Imports {
        inventory,
        diagnostics: loaded.diagnostics,
        notes: loaded.notes,
        files: loaded.files,
        native_files: manifests.iter().map(|m| m.file.name.to_string()).collect(),
    }
}

/// Walks, reads and parses every input: native manifests decoded, foreign
/// documents grouped by format in load order.
fn gather<P: AsRef<Path>>(
    paths: &[P],
    options: &LoadOptions,
) -> (Loaded, Vec<FileManifest>, BTreeMap<Format, ForeignDocs>) {
    let mut loaded = Loaded::default();
    let mut candidates = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        collect(path.as_ref(), &mut candidates, &mut seen, &mut loaded);
    }
    let mut manifests = Vec::new();
    let mut foreign: BTreeMap<Format, ForeignDocs> = BTreeMap::new();
    for candidate in &candidates {
        if let Some(text) = read(candidate, &options.limits, &mut loaded) {
            let file = Arc::new(SourceFile::new(&candidate.display, text));
            loaded.files.push(Arc::clone(&file));
            match parse_file(&file, candidate.explicit, options, &mut loaded) {
                Parsed::Native(manifest) => manifests.push(manifest),
                Parsed::Foreign(format, docs) => {
                    let group = foreign.entry(format).or_default();
                    group.extend(docs.into_iter().map(|d| (Arc::clone(&file), d)));
                }
                Parsed::Skipped => {}
            }
        }
    }
    (loaded, manifests, foreign)
}

/// Runs each importer over its documents. Files next to the inputs that
/// Compose reads (`.env`, `env_file:`) are read from disk when `disk` is set.
fn run_importers(
    foreign: BTreeMap<Format, ForeignDocs>,
    options: &LoadOptions,
    loaded: &mut Loaded,
    disk: bool,
) -> Inventory {
    let mut inventory = Inventory::default();
    for (format, docs) in foreign {
        let mut diags = Vec::new();
        let mut notes = Vec::new();
        let components = match format {
            Format::Compose => {
                let mut extra: Vec<Arc<SourceFile>> = Vec::new();
                let mut read_extra = |path: &Path| -> Option<Arc<SourceFile>> {
                    if !disk || !path.is_file() {
                        return None;
                    }
                    let candidate = Candidate {
                        display: path.display().to_string(),
                        path: path.to_path_buf(),
                        explicit: true,
                    };
                    let text = read(&candidate, &options.limits, loaded)?;
                    let file = Arc::new(SourceFile::new(&candidate.display, text));
                    extra.push(Arc::clone(&file));
                    Some(file)
                };
                let components = import::compose::import(&docs, &mut read_extra, &mut diags, &mut notes);
                loaded.files.extend(extra);
                components
            }
            Format::Kubernetes => import::kubernetes::import(&docs, &mut diags, &mut notes),
            Format::Backstage => import::backstage::import(&docs, &mut diags, &mut notes),
            Format::Otel => import::observed::import(&docs, &mut diags, &mut notes),
        };
        loaded.diagnostics.extend(diags);
        loaded.notes.extend(notes);
        for clash in inventory.extend(components) {
            let first = inventory.components.get(&clash.id);
            let mut d = Diagnostic::new(Code::DuplicateId, format!("duplicate id `{}`", clash.id))
                .at(&clash.file, clash.span.clone(), "defined again here")
                .help("two imported formats define the same name: import them separately and rename one");
            if let Some(first) = first {
                d = d.related(
                    Diagnostic::new(Code::DuplicateId, format!("`{}` first defined here", first.id)).at(
                        &first.file,
                        first.span.clone(),
                        "first definition",
                    ),
                );
            }
            loaded.diagnostics.push(d);
        }
    }
    inventory.sort();
    inventory
}
/// Loads an inventory from texts in memory; each name's extension chooses
/// the syntax. Every text is treated as named by the user.
pub fn load_texts(sources: &[(&str, &str)], options: &LoadOptions) -> Loaded {
    let mut loaded = Loaded::default();
    let mut manifests = Vec::new();
    let mut foreign: BTreeMap<Format, ForeignDocs> = BTreeMap::new();
    for (name, text) in sources {
        let file = Arc::new(SourceFile::new(name, (*text).to_owned()));
        loaded.files.push(Arc::clone(&file));
        match parse_file(&file, true, options, &mut loaded) {
            Parsed::Native(m) => manifests.push(m),
            Parsed::Foreign(format, docs) => {
                foreign.entry(format).or_default().extend(docs.into_iter().map(|d| (Arc::clone(&file), d)));
            }
            Parsed::Skipped => {}
        }
    }
    let inventory = run_importers(foreign, options, &mut loaded, false);
    if let Some(file) = inventory.components.values().next().map(|c| Arc::clone(&c.file)) {
        manifests.push(FileManifest { file, components: inventory.into_raw(), policy: None });
    }
    finish(manifests, options, loaded)
}

fn collect(path: &Path, out: &mut Vec<Candidate>, seen: &mut HashSet<PathBuf>, loaded: &mut Loaded) {
    let display = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            loaded.diagnostics.push(
                Diagnostic::new(Code::Io, format!("cannot read `{display}`: {}", io_reason(&e)))
                    .in_path(&display)
                    .help("check the path; blastmap reads files and directories of manifests"),
            );
            return;
        }
    };
    if meta.is_file() {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if seen.insert(key) {
            out.push(Candidate { display, path: path.to_path_buf(), explicit: true });
        }
        return;
    }
    // Walk with an explicit stack; directories are identified by their
    // canonical path so a symlink loop is entered once.
    let mut stack = vec![(path.to_path_buf(), display)];
    while let Some((dir, shown)) = stack.pop() {
        let key = fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if !seen.insert(key) {
            loaded.notes.push(format!("skipped `{shown}`: already read (symlink or overlapping path)"));
            continue;
        }
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                loaded.diagnostics.push(
                    Diagnostic::new(Code::Io, format!("cannot read directory `{shown}`: {}", io_reason(&e)))
                        .in_path(&shown),
                );
                continue;
            }
        };
        let mut names: Vec<_> = entries.filter_map(Result::ok).map(|e| e.file_name()).collect();
        names.sort();
        let mut subdirs = Vec::new();
        for name in names {
            let child = dir.join(&name);
            let child_shown = Path::new(&shown).join(&name).display().to_string();
            if name.to_string_lossy().starts_with('.') {
                loaded.notes.push(format!("skipped `{child_shown}`: hidden"));
                continue;
            }
            if child.is_dir() {
                subdirs.push((child, child_shown));
            } else if Syntax::from_path(&child).is_some() {
                let key = fs::canonicalize(&child).unwrap_or_else(|_| child.clone());
                if seen.insert(key) {
                    out.push(Candidate { display: child_shown, path: child, explicit: false });
                } else {
                    loaded.notes.push(format!("skipped `{child_shown}`: already read"));
                }
            }
        }
        // Reverse so that the stack pops subdirectories in name order.
        stack.extend(subdirs.into_iter().rev());
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string().to_lowercase(),
    }
}

fn read(candidate: &Candidate, limits: &Limits, loaded: &mut Loaded) -> Option<String> {
    let shown = &candidate.display;
    let fail = |loaded: &mut Loaded, e: &std::io::Error| {
        loaded.diagnostics.push(
            Diagnostic::new(Code::Io, format!("cannot read `{shown}`: {}", io_reason(e))).in_path(shown),
        );
    };
    let file = match fs::File::open(&candidate.path) {
        Ok(f) => f,
        Err(e) => {
            fail(loaded, &e);
            return None;
        }
    };
    // Read one byte past the limit so that a file growing while we read it
    // is caught too, without trusting the metadata alone.
    let mut bytes = Vec::new();
    if let Err(e) = file.take(limits.max_file_size.saturating_add(1)).read_to_end(&mut bytes) {
        fail(loaded, &e);
        return None;
    }
    if bytes.len() as u64 > limits.max_file_size {
        loaded.diagnostics.push(
            Diagnostic::new(
                Code::FileTooLarge,
                format!("`{shown}` is larger than the limit of {} bytes", limits.max_file_size),
            )
            .in_path(shown)
            .help("split the inventory into several files, or raise the limit with `--max-file-size`"),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            if candidate.explicit || looks_like_manifest(&lossy) {
                let file = Arc::new(SourceFile::new(shown, lossy));
                loaded.diagnostics.push(
                    Diagnostic::new(Code::InvalidEncoding, format!("`{shown}` is not UTF-8 text"))
                        .at(&file, at..at + 1, "invalid byte here")
                        .help("save the file as UTF-8"),
                );
            } else {
                loaded.notes.push(format!("skipped `{shown}`: not UTF-8 text"));
            }
            None
        }
    }
}

/// A cheap test for files in a directory that failed to parse: if it looks
/// like a manifest, its errors are reported; otherwise it is skipped.
fn looks_like_manifest(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches('\u{feff}');
        l.starts_with("blastmap:")
            || l.starts_with("blastmap =")
            || l.trim_start().starts_with("\"blastmap\"")
    })
}

fn parse_file(file: &Arc<SourceFile>, explicit: bool, options: &LoadOptions, loaded: &mut Loaded) -> Parsed {
    let syntax = Syntax::from_path(Path::new(&*file.name)).unwrap_or(Syntax::Yaml);
    let documents = match syntax::parse(file, syntax, &options.limits) {
        Ok(docs) => docs,
        Err(d) => {
            if explicit || looks_like_manifest(&file.text) {
                loaded.diagnostics.push(d);
            } else if looks_foreign(&file.text) {
                // A broken Compose or Kubernetes file found in a directory
                // is located like a native one, but as a warning: such
                // directories also hold templates (Helm) that are not YAML.
                loaded.diagnostics.push(d.warning());
            } else {
                loaded
                    .notes
                    .push(format!("skipped `{}`: not valid {syntax:?} and no `blastmap` key", file.name));
            }
            return Parsed::Skipped;
        }
    };
    let mut manifests = documents.iter().filter(|d| d.get("blastmap").is_some());
    let Some(root) = manifests.next() else {
        if let Some(parsed) = foreign_file(file, explicit, options, documents, loaded) {
            return parsed;
        }
        return Parsed::Skipped;
    };
    if let Some(extra) = manifests.next().or_else(|| documents.iter().find(|d| !std::ptr::eq(*d, root))) {
        loaded.diagnostics.push(
            Diagnostic::new(Code::InvalidSyntax, "a manifest file holds one YAML document")
                .at(file, extra.span.start..extra.span.start, "another document starts here")
                .help("split the documents into files of their own"),
        );
        return Parsed::Skipped;
    }
    Parsed::Native(native::decode(file, root, &mut loaded.diagnostics))
}

/// A file without the `blastmap` key: a foreign format (detected, or forced
/// with `--from`), or skipped (`not-a-manifest` when the user named it).
fn foreign_file(
    file: &Arc<SourceFile>,
    explicit: bool,
    options: &LoadOptions,
    documents: Vec<Node>,
    loaded: &mut Loaded,
) -> Option<Parsed> {
    let format = options.from.or_else(|| documents.iter().find_map(Format::detect));
    if let Some(format) = format {
        let mut kept = Vec::with_capacity(documents.len());
        for doc in documents {
            if format.fits(&doc) {
                kept.push(doc);
            } else if doc.value != crate::syntax::Value::Null {
                loaded.diagnostics.push(
                    Diagnostic::new(
                        Code::UnsupportedConstruct,
                        format!("a document of `{}` is not {}", file.name, format.title()),
                    )
                    .at(
                        file,
                        doc.span.start..doc.span.start.max(doc.span.end.min(doc.span.start + 1)),
                        "left out",
                    )
                    .help(format!("split it into a file of its own, or drop `--from {}`", format.as_str()))
                    .warning(),
                );
            }
        }
        if !kept.is_empty() {
            loaded.notes.push(format!("read `{}` as {}", file.name, format.title()));
            return Some(Parsed::Foreign(format, kept));
        }
        options.from?;
    }
    if explicit {
        let what = if documents_empty(file) {
            "is empty".to_owned()
        } else if let Some(f) = options.from {
            format!("is not {}", f.title())
        } else {
            "has no `blastmap` key at the top level and is no format blastmap imports".to_owned()
        };
        let end = file.text.len().min(1);
        loaded.diagnostics.push(
            Diagnostic::new(Code::NotAManifest, format!("`{}` {what}", file.name))
                .at(file, 0..end, "")
                .help("a manifest starts with `blastmap: 1` (see `blastmap schema`); Docker Compose, Kubernetes, Backstage and Jaeger dependencies files are read too"),
        );
    } else {
        loaded
            .notes
            .push(format!("skipped `{}`: no `blastmap` key and no format blastmap imports", file.name));
    }
    None
}

fn documents_empty(file: &SourceFile) -> bool {
    file.text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..."
    })
}

/// Whether a file that failed to parse looks like Compose or Kubernetes.
fn looks_foreign(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("services:") || l.starts_with("apiVersion:"))
}

/// Merges the files, resolves ids, and builds the model.
fn finish(manifests: Vec<FileManifest>, options: &LoadOptions, mut loaded: Loaded) -> Loaded {
    let mut policy: Option<(Policy, Arc<SourceFile>, std::ops::Range<usize>)> = None;
    let mut raw: Vec<RawComponent> = Vec::new();
    for m in manifests {
        if let Some((p, span)) = m.policy {
            {
                let file = Arc::clone(&m.file);
                match &policy {
                    Some((_, first_file, first_span)) => {
                        let first = Diagnostic::new(Code::DuplicatePolicy, "the first `policy` section").at(
                            first_file,
                            first_span.clone(),
                            "first policy here",
                        );
                        loaded.diagnostics.push(
                            Diagnostic::new(Code::DuplicatePolicy, "a second `policy` section")
                                .at(&file, span, "second policy here")
                                .help("an inventory has at most one policy; merge the two or use `--policy FILE`")
                                .related(first),
                        );
                    }
                    None => policy = Some((p, file, span)),
                }
            }
        }
        raw.extend(m.components);
    }
    if raw.len() > options.limits.max_components {
        loaded.diagnostics.push(
            Diagnostic::new(
                Code::TooManyComponents,
                format!(
                    "{} components is more than the limit of {}",
                    raw.len(),
                    options.limits.max_components
                ),
            )
            .help("raise the limit with `--max-components` if this inventory is real"),
        );
        raw.clear();
    }
    // Stable: among equal ids the first in load order stays.
    raw.sort_by(|a, b| a.id.cmp(&b.id));
    let mut unique: Vec<RawComponent> = Vec::with_capacity(raw.len());
    for c in raw {
        match unique.last() {
            Some(first) if first.id == c.id => {
                let related = Diagnostic::new(Code::DuplicateId, format!("`{}` first defined here", c.id))
                    .at(&first.file, first.span.clone(), "first definition");
                let mut d = Diagnostic::new(Code::DuplicateId, format!("duplicate id `{}`", c.id))
                    .at(&c.file, c.span.clone(), "defined again here")
                    .help("ids are global across every file of the inventory: rename one of them");
                if Arc::ptr_eq(&first.file, &c.file) {
                    d = d.also(first.span.clone(), "first defined here");
                } else {
                    d = d.related(related);
                }
                loaded.diagnostics.push(d);
            }
            _ => unique.push(c),
        }
    }
    let index: HashMap<&str, u32> =
        unique.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
    let mut suggestions_left = 200usize;
    let mut resolved: Vec<Vec<Requirement>> = Vec::with_capacity(unique.len());
    for (i, c) in unique.iter().enumerate() {
        let mut reqs = Vec::with_capacity(c.requirements.len());
        for r in &c.requirements {
            let mut members = Vec::with_capacity(r.members.len());
            let mut member_locations = Vec::with_capacity(r.members.len());
            for (id, span) in &r.members {
                match index.get(id.as_str()) {
                    Some(&m) if m as usize == i => loaded.diagnostics.push(
                        Diagnostic::new(Code::SelfDependency, format!("`{id}` depends on itself"))
                            .at(&c.file, span.clone(), "itself")
                            .help("remove this dependency; a component cannot need itself"),
                    ),
                    Some(&m) => {
                        members.push(petgraph::graph::NodeIndex::new(m as usize));
                        member_locations.push(c.file.location(span));
                    }
                    None => {
                        let help = if suggestions_left > 0 {
                            suggestions_left -= 1;
                            crate::diagnostics::did_you_mean(id, index.keys().copied(), || {
                                format!("define `{id}` under `components`, or fix the name")
                            })
                        } else {
                            format!("define `{id}` under `components`, or fix the name")
                        };
                        loaded.diagnostics.push(
                            Diagnostic::new(Code::UnknownTarget, format!("unknown component `{id}`"))
                                .at(&c.file, span.clone(), "no component has this id")
                                .help(help),
                        );
                    }
                }
            }
            if members.len() == r.members.len() {
                reqs.push(Requirement {
                    shape: r.shape,
                    need: r.need,
                    members,
                    mode: r.mode,
                    via: r.via.clone(),
                    origin: r.origin,
                    location: c.file.location(&r.span),
                    member_locations,
                });
            }
        }
        resolved.push(reqs);
    }
    let components = unique
        .into_iter()
        .zip(resolved)
        .map(|(c, requirements)| {
            let kind = c.fields.kind.unwrap_or(crate::Kind::Service);
            let mut labels = c.fields.labels;
            if let Some(d) = c.fields.description {
                labels.push(("description".to_owned(), d));
                labels.sort();
            }
            Component {
                name: c.fields.name.unwrap_or_else(|| c.id.clone()),
                kind,
                tier: c.fields.tier.unwrap_or(3),
                owner: c.fields.owner,
                system: c.fields.system,
                entrypoint: c.fields.entrypoint.unwrap_or_else(|| kind.is_entrypoint_by_default()),
                weight: c.fields.weight.unwrap_or(1.0),
                availability: c.fields.availability,
                slo: c.fields.slo,
                replicas: c.fields.replicas,
                labels,
                requirements,
                location: c.file.location(&c.span),
                explicit_fields: c.explicit,
                id: c.id,
            }
        })
        .collect();
    loaded.model = Model::from_components(components, policy.map(|(p, _, _)| p));
    sort_diagnostics(&mut loaded);
    loaded
}

fn sort_diagnostics(loaded: &mut Loaded) {
    let order: HashMap<&str, usize> = loaded.files.iter().enumerate().map(|(i, f)| (&*f.name, i)).collect();
    loaded.diagnostics.sort_by_key(|d| {
        let file = d.path.as_deref().and_then(|p| order.get(p)).copied().unwrap_or(usize::MAX);
        let offset = d.labels.first().map_or(0, |l| l.span.start);
        (file, offset)
    });
}
