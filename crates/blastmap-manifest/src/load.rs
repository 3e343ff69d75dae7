//! Finding, reading and merging the files of an inventory into one [`Model`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use petgraph::graph::NodeIndex;

use crate::diagnostics::{Code, Diagnostic};
use crate::import::{self, Format, Inventory};
use crate::model::{Builder, Component, Model};
use crate::native::{self, FileManifest, IdTable, RawComponent, RawComponents, span_of};
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
    let (mut loaded, mut manifests, foreign, mut ids) = gather(paths, options);
    let found_foreign = !foreign.is_empty();
    let inventory = run_importers(foreign, options, &mut loaded, true);
    if !inventory.components.is_empty()
        && let Some(file) = inventory.components.values().next().map(|c| Arc::clone(&c.file))
    {
        manifests.push(FileManifest { file, components: inventory.into_raw(&mut ids), policy: None });
    }
    if manifests.is_empty() && !found_foreign && !loaded.has_errors() {
        let shown: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
        loaded.diagnostics.push(
            Diagnostic::new(Code::NoManifest, format!("no manifest found in `{}`", shown.join("`, `")))
                .in_path(shown.first().map_or("", String::as_str))
                .help("a manifest is a .yaml, .yml, .json or .toml file whose top level has `blastmap: 1`, or a Docker Compose, Kubernetes, Backstage or Jaeger dependencies file"),
        );
    }
    finish(manifests, &ids, options, loaded)
}

/// Reads the foreign formats at `paths` into an [`Inventory`] with the
/// evidence of every dependency (what `blastmap import` writes). Native
/// manifests among the inputs are not converted (they are listed).
pub fn import<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Imports {
    let (mut loaded, manifests, foreign, _) = gather(paths, options);
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

/// Walks, reads and parses every input: native manifests decoded (their ids
/// numbered in the returned table), foreign documents grouped by format in
/// load order.
fn gather<P: AsRef<Path>>(
    paths: &[P],
    options: &LoadOptions,
) -> (Loaded, Vec<FileManifest>, BTreeMap<Format, ForeignDocs>, IdTable) {
    let mut loaded = Loaded::default();
    let mut ids = IdTable::default();
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
            match parse_file(&file, candidate.explicit, options, &mut ids, &mut loaded) {
                Parsed::Native(manifest) => manifests.push(manifest),
                Parsed::Foreign(format, docs) => {
                    let group = foreign.entry(format).or_default();
                    group.extend(docs.into_iter().map(|d| (Arc::clone(&file), d)));
                }
                Parsed::Skipped => {}
            }
        }
    }
    (loaded, manifests, foreign, ids)
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
    let mut ids = IdTable::default();
    for (name, text) in sources {
        let file = Arc::new(SourceFile::new(name, (*text).to_owned()));
        loaded.files.push(Arc::clone(&file));
        match parse_file(&file, true, options, &mut ids, &mut loaded) {
            Parsed::Native(m) => manifests.push(m),
            Parsed::Foreign(format, docs) => {
                foreign.entry(format).or_default().extend(docs.into_iter().map(|d| (Arc::clone(&file), d)));
            }
            Parsed::Skipped => {}
        }
    }
    let inventory = run_importers(foreign, options, &mut loaded, false);
    if let Some(file) = inventory.components.values().next().map(|c| Arc::clone(&c.file)) {
        manifests.push(FileManifest { file, components: inventory.into_raw(&mut ids), policy: None });
    }
    finish(manifests, &ids, options, loaded)
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
    // is caught too, without trusting the metadata alone. The metadata
    // sizes the buffer: growing it by doubling copied a large file over
    // and over.
    let expected = file.metadata().map_or(0, |m| m.len()).min(limits.max_file_size).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
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

fn parse_file(
    file: &Arc<SourceFile>,
    explicit: bool,
    options: &LoadOptions,
    ids: &mut IdTable,
    loaded: &mut Loaded,
) -> Parsed {
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
    // The manifest is the file's only document: decode it by value.
    let Some(root) = documents.into_iter().next() else { return Parsed::Skipped };
    Parsed::Native(native::decode(file, root, ids, &mut loaded.diagnostics))
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
///
/// Components already in id order in a single file become the model's
/// nodes where they are; otherwise they are sorted through a permutation
/// (moving a million large components around cost more than comparing
/// their ids) into a new graph. Members are then resolved in place, from id
/// numbers to node indices.
///
/// # Complexity
/// O(components · log components + requirement members).
fn finish(manifests: Vec<FileManifest>, ids: &IdTable, options: &LoadOptions, mut loaded: Loaded) -> Loaded {
    let mut policy: Option<(Policy, Arc<SourceFile>, std::ops::Range<usize>)> = None;
    let mut parts: Vec<RawComponents> = Vec::with_capacity(manifests.len());
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
        parts.push(m.components);
    }
    let total: usize = parts.iter().map(RawComponents::len).sum();
    if total > options.limits.max_components {
        loaded.diagnostics.push(
            Diagnostic::new(
                Code::TooManyComponents,
                format!("{total} components is more than the limit of {}", options.limits.max_components),
            )
            .help("raise the limit with `--max-components` if this inventory is real"),
        );
        parts.clear();
    }
    let raw = match parts.pop() {
        Some(only) if parts.is_empty() && in_id_order(&only) => only,
        last => {
            parts.extend(last);
            sorted(parts, &mut loaded.diagnostics)
        }
    };
    let RawComponents { mut graph, numbers, files } = raw;
    let mut node_of: Vec<u32> = vec![UNKNOWN; ids.len()];
    for (index, &number) in numbers.iter().enumerate() {
        if let Some(slot) = node_of.get_mut(number as usize) {
            *slot = index as u32;
        }
    }
    drop(numbers);
    let mut resolver = Resolver { node_of: &node_of, ids, names: None, suggestions_left: 200 };
    for (index, file) in files.iter().enumerate() {
        if let Some(component) = graph.node_weight_mut(NodeIndex::new(index)) {
            resolver.resolve(component, index as u32, file, &mut loaded.diagnostics);
        }
    }
    drop(files);
    loaded.model = Builder::from_nodes(graph).finish(policy.map(|(p, _, _)| p));
    sort_diagnostics(&mut loaded);
    loaded
}

/// Whether the ids are strictly increasing (sorted, no duplicates).
fn in_id_order(raw: &RawComponents) -> bool {
    let nodes = raw.graph.raw_nodes();
    nodes.iter().zip(nodes.iter().skip(1)).all(|(a, b)| a.weight.id < b.weight.id)
}

/// The components of every part in id order, the first of equal ids (in
/// load order) kept and the others reported.
///
/// # Complexity
/// O(components · log components).
fn sorted(parts: Vec<RawComponents>, diagnostics: &mut Vec<Diagnostic>) -> RawComponents {
    let total = parts.iter().map(RawComponents::len).sum();
    let mut slots: Vec<Option<Component>> = Vec::with_capacity(total);
    let mut numbers: Vec<u32> = Vec::with_capacity(total);
    let mut files: Vec<Arc<SourceFile>> = Vec::with_capacity(total);
    for part in parts {
        let (nodes, _) = part.graph.into_nodes_edges();
        slots.extend(nodes.into_iter().map(|node| Some(node.weight)));
        numbers.extend(part.numbers);
        files.extend(part.files);
    }
    // Stable: among equal ids the first in load order stays.
    let mut order: Vec<u32> = (0..slots.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let id = |i: u32| slots.get(i as usize).and_then(Option::as_ref).map_or("", |c| c.id.as_str());
        id(a).cmp(id(b))
    });
    let mut out = RawComponents::default();
    out.reserve(order.len());
    for i in order {
        let i = i as usize;
        let (Some(Some(c)), Some(&number), Some(file)) =
            (slots.get_mut(i).map(Option::take), numbers.get(i), files.get(i))
        else {
            continue;
        };
        match out.last() {
            Some((first, first_number, first_file)) if first_number == number => {
                let id = &c.id;
                let related = Diagnostic::new(Code::DuplicateId, format!("`{id}` first defined here")).at(
                    first_file,
                    span_of(first),
                    "first definition",
                );
                let mut d = Diagnostic::new(Code::DuplicateId, format!("duplicate id `{id}`"))
                    .at(file, span_of(&c), "defined again here")
                    .help("ids are global across every file of the inventory: rename one of them");
                if Arc::ptr_eq(first_file, file) {
                    d = d.also(span_of(first), "first defined here");
                } else {
                    d = d.related(related);
                }
                diagnostics.push(d);
            }
            _ => out.push(RawComponent { component: c, number, file: Arc::clone(file) }),
        }
    }
    out
}

/// The node index of an id number that no component has.
const UNKNOWN: u32 = u32::MAX;

/// Resolves the members of raw components from id numbers to node indices.
struct Resolver<'a> {
    /// Node index of every id number, [`UNKNOWN`] when no component has it.
    node_of: &'a [u32],
    ids: &'a IdTable,
    /// The text of every id number, listed at the first unknown target.
    names: Option<Vec<&'a str>>,
    /// "did you mean" is a scan of every id: only the first unknown
    /// targets get one.
    suggestions_left: usize,
}

impl Resolver<'_> {
    /// Resolves the members of `component`, at node index `index`, to node
    /// indices. A member that is the component itself or that no component
    /// has is reported, and drops its requirement.
    fn resolve(
        &mut self,
        component: &mut Component,
        index: u32,
        file: &Arc<SourceFile>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let id = &component.id;
        component.requirements.retain_mut(|r| {
            let mut resolved = true;
            for (member, location) in r.members.iter_mut().zip(&r.member_locations) {
                let number = member.index();
                let span = location.offset..location.offset + location.len;
                match self.node_of.get(number).copied().unwrap_or(UNKNOWN) {
                    m if m == index => {
                        resolved = false;
                        diagnostics.push(
                            Diagnostic::new(Code::SelfDependency, format!("`{id}` depends on itself"))
                                .at(file, span, "itself")
                                .help("remove this dependency; a component cannot need itself"),
                        );
                    }
                    UNKNOWN => {
                        resolved = false;
                        diagnostics.push(self.unknown(number, file, span));
                    }
                    m => *member = NodeIndex::new(m as usize),
                }
            }
            resolved
        });
    }

    fn unknown(&mut self, number: usize, file: &Arc<SourceFile>, span: std::ops::Range<usize>) -> Diagnostic {
        let names = self.names.get_or_insert_with(|| self.ids.names());
        let id = names.get(number).copied().unwrap_or_default();
        let fallback = || format!("define `{id}` under `components`, or fix the name");
        let help = if self.suggestions_left > 0 {
            self.suggestions_left -= 1;
            // Every id a component has.
            let candidates =
                names.iter().zip(self.node_of).filter(|&(_, &node)| node != UNKNOWN).map(|(name, _)| *name);
            crate::diagnostics::did_you_mean(id, candidates, fallback)
        } else {
            fallback()
        };
        Diagnostic::new(Code::UnknownTarget, format!("unknown component `{id}`"))
            .at(file, span, "no component has this id")
            .help(help)
    }
}

fn sort_diagnostics(loaded: &mut Loaded) {
    let order: HashMap<&str, usize> = loaded.files.iter().enumerate().map(|(i, f)| (&*f.name, i)).collect();
    loaded.diagnostics.sort_by_key(|d| {
        let file = d.path.as_deref().and_then(|p| order.get(p)).copied().unwrap_or(usize::MAX);
        let offset = d.labels.first().map_or(0, |l| l.span.start);
        (file, offset)
    });
}
