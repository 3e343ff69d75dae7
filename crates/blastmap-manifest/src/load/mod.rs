//! Finding, reading and merging the files of an inventory into one [`Model`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::import::{self, Format, Inventory};
use crate::model::Model;
use crate::native::{self, FileManifest};
use crate::source::SourceFile;
use crate::staging::IdTable;
use crate::syntax::{self, Limits, Node, Syntax};

mod resolve;
mod walk;

use resolve::finish;
pub use walk::STDIN_NAME;
use walk::{collect, read, sniff};

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// Read every file as this foreign format instead of detecting it
    /// (`--from`); native manifests are still read as such.
    pub from: Option<Format>,
    /// Follow symbolic links met while walking a directory (`--follow`);
    /// off by default, so that a tree cannot pull in files from outside it.
    pub follow: bool,
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
    /// How many of the inputs were read as what (the CLI's `read N files`).
    pub read: ReadSummary,
}

/// How many input files were read as each format. Files that Compose reads
/// beside its own (`.env`, `env_file:`) are not inputs and are not counted;
/// hidden, ignored (`.gitignore`, `.ignore`) and Helm chart directories are
/// not read at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Native manifests.
    pub native: usize,
    /// Files read as each foreign format.
    pub foreign: BTreeMap<Format, usize>,
    /// Files read that are no part of the inventory: no `blastmap` key and
    /// no format blastmap imports, or invalid (a diagnostic says why).
    pub skipped: usize,
}

impl ReadSummary {
    /// Every file counted.
    pub fn files(&self) -> usize {
        self.native + self.foreign.values().sum::<usize>() + self.skipped
    }

    fn count(&mut self, parsed: &Parsed) {
        match parsed {
            Parsed::Native(_) => self.native += 1,
            Parsed::Foreign(format, _) => *self.foreign.entry(*format).or_default() += 1,
            Parsed::Skipped => self.skipped += 1,
        }
    }
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
    /// How many of the inputs were read as what.
    pub read: ReadSummary,
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
    /// Standard input (`-`): read from there, its syntax sniffed.
    stdin: bool,
}

/// Loads the inventory at `paths` (files or directories, merged); the path
/// `-` is standard input (once), named `<stdin>` in diagnostics.
///
/// Directories are walked recursively in name order; entries whose name
/// starts with `.`, entries that `.gitignore` or `.ignore` files exclude
/// and Helm charts (a warning) are skipped, every file is read once even
/// when symlinks loop or paths overlap. A directory named in `paths` that
/// is a Helm chart is an error: its templates are YAML once rendered.
///
/// # Complexity
/// O(total input size + components · log components).
pub fn load<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Loaded {
    let (mut loaded, mut manifests, foreign, mut ids) = gather(paths, options);
    let found_foreign = !foreign.is_empty();
    let mut inventory = run_importers(foreign, options, &mut loaded, true);
    drop_native_placeholders(&mut inventory, &manifests);
    if !inventory.components.is_empty()
        && let Some(file) = inventory.components.values().next().map(|c| Arc::clone(&c.file))
    {
        manifests.push(FileManifest { file, components: inventory.into_raw(&mut ids), policy: None });
    }
    if manifests.is_empty() && !found_foreign && !loaded.has_errors() {
        let shown: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
        loaded.diagnostics.push(Diagnostic::no_manifest(&shown));
    }
    finish(manifests, &ids, options, loaded)
}

/// Reads the foreign formats at `paths` into an [`Inventory`] with the
/// evidence of every dependency (what `blastmap import` writes). Native
/// manifests among the inputs are not converted (they are listed).
pub fn import<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Imports {
    let (mut loaded, manifests, foreign, _) = gather(paths, options);
    let found = !foreign.is_empty();
    let mut inventory = run_importers(foreign, options, &mut loaded, true);
    drop_native_placeholders(&mut inventory, &manifests);
    if !found && !loaded.has_errors() {
        let shown: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
        loaded.diagnostics.push(Diagnostic::nothing_to_import(&shown));
    }
    sort_diagnostics(&mut loaded);
    Imports {
        inventory,
        diagnostics: loaded.diagnostics,
        notes: loaded.notes,
        files: loaded.files,
        native_files: manifests.iter().map(|m| m.file.name.to_string()).collect(),
        read: loaded.read,
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
        collect(path.as_ref(), options.follow, &mut candidates, &mut seen, &mut loaded);
    }
    let mut manifests = Vec::new();
    let mut foreign: BTreeMap<Format, ForeignDocs> = BTreeMap::new();
    for candidate in &candidates {
        if let Some(text) = read(candidate, &options.limits, &mut loaded) {
            let syntax = if candidate.stdin {
                sniff(&text)
            } else {
                Syntax::from_path(&candidate.path).unwrap_or(Syntax::Yaml)
            };
            let file = Arc::new(SourceFile::new(&candidate.display, text));
            loaded.files.push(Arc::clone(&file));
            let parsed = parse_file(&file, syntax, candidate.explicit, options, &mut ids, &mut loaded);
            loaded.read.count(&parsed);
            match parsed {
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

/// Placeholders (`defined: false`) for components a native manifest
/// describes are dropped: the references resolve to the native ones.
fn drop_native_placeholders(inventory: &mut Inventory, manifests: &[FileManifest]) {
    let native: HashSet<&str> =
        manifests.iter().flat_map(|m| m.components.graph.node_weights().map(|c| c.id.as_str())).collect();
    if !native.is_empty() {
        inventory.drop_placeholders(|id| native.contains(id));
    }
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
                        stdin: false,
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
            let first = inventory.components.get(&clash.id).map(|first| (&first.file, first.span.clone()));
            loaded.diagnostics.push(Diagnostic::duplicate_id(
                &clash.id,
                &clash.file,
                clash.span.clone(),
                first,
            ));
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
        let syntax = Syntax::from_path(Path::new(name)).unwrap_or(Syntax::Yaml);
        let parsed = parse_file(&file, syntax, true, options, &mut ids, &mut loaded);
        loaded.read.count(&parsed);
        match parsed {
            Parsed::Native(m) => manifests.push(m),
            Parsed::Foreign(format, docs) => {
                foreign.entry(format).or_default().extend(docs.into_iter().map(|d| (Arc::clone(&file), d)));
            }
            Parsed::Skipped => {}
        }
    }
    let mut inventory = run_importers(foreign, options, &mut loaded, false);
    drop_native_placeholders(&mut inventory, &manifests);
    if let Some(file) = inventory.components.values().next().map(|c| Arc::clone(&c.file)) {
        manifests.push(FileManifest { file, components: inventory.into_raw(&mut ids), policy: None });
    }
    finish(manifests, &ids, options, loaded)
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
    syntax: Syntax,
    explicit: bool,
    options: &LoadOptions,
    ids: &mut IdTable,
    loaded: &mut Loaded,
) -> Parsed {
    let documents = match syntax::parse(file, syntax, &options.limits) {
        Ok(docs) => docs,
        Err(d) => {
            // kubectl keeps the last of a key written twice; so does the
            // Kubernetes import (with a warning), and nothing else.
            if let Some((docs, warnings)) =
                import::kubernetes::reparse_keeping_last(file, syntax, &d, options)
            {
                loaded.diagnostics.extend(warnings);
                return foreign_file(file, explicit, options, docs, loaded).unwrap_or(Parsed::Skipped);
            }
            if explicit || looks_like_manifest(&file.text) {
                loaded.diagnostics.push(d);
            } else if looks_foreign(&file.text) {
                // A broken Compose or Kubernetes file found in a directory
                // is located like a native one, but as a warning: such
                // directories also hold templates (Helm) that are not YAML.
                loaded.diagnostics.push(d.in_foreign_file_found());
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
        loaded.diagnostics.push(Diagnostic::several_documents(file, extra.span.start));
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
                let span = doc.span.start..doc.span.start.max(doc.span.end.min(doc.span.start + 1));
                loaded.diagnostics.push(Diagnostic::document_not_of_format(file, span, format));
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
        loaded.diagnostics.push(Diagnostic::not_a_manifest(file, &what));
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

fn sort_diagnostics(loaded: &mut Loaded) {
    let order: HashMap<&str, usize> = loaded.files.iter().enumerate().map(|(i, f)| (&*f.name, i)).collect();
    loaded.diagnostics.sort_by_key(|d| {
        let file = d.path.as_deref().and_then(|p| order.get(p)).copied().unwrap_or(usize::MAX);
        let offset = d.labels.first().map_or(0, |l| l.span.start);
        (file, offset)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_summary_counts_each_input_once_by_what_it_was_read_as() {
        let loaded = load_texts(
            &[
                ("a.yaml", "blastmap: 1\ncomponents:\n  a: {}\n"),
                ("compose.yaml", "services:\n  web: {image: nginx}\n  api: {image: api}\n"),
                ("override.yaml", "services:\n  web: {depends_on: [api]}\n"),
                ("k8s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {}\n"),
                ("values.yaml", "replicas: 2\n"),
            ],
            &LoadOptions::default(),
        );
        let mut foreign = BTreeMap::new();
        foreign.insert(Format::Compose, 2);
        foreign.insert(Format::Kubernetes, 1);
        assert_eq!(loaded.read, ReadSummary { native: 1, foreign, skipped: 1 });
        assert_eq!(loaded.read.files(), 5);
    }
}
