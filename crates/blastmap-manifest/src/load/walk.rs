//! Finding the files of an inventory (paths, standard input and directory
//! walks) and reading them within the size limit.
//!
//! Directories are walked with the `ignore` crate (ripgrep's walker), so
//! `.gitignore` and `.ignore` files are honoured, inside a git repository or
//! not; the user's global git excludes are not read, so that a directory
//! loads the same on every machine. Hidden entries (`.git` among them) and
//! `node_modules` directories are skipped; symlinks
//! met in a walk are skipped too unless `--follow` (then loops are cut and
//! every file and directory is read once, by canonical path); only regular
//! files are opened: a FIFO, device or socket found in a walk is skipped
//! with a note, and named on the command line it is an error.
//! Files are taken in the order of the former walk: in each directory its
//! files in name order, then its subdirectories, depth first.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::syntax::{Limits, Syntax};

use super::{Candidate, Loaded, looks_like_manifest};

/// The path that names standard input.
pub(super) const STDIN_ARG: &str = "-";
/// How standard input (`-`) is named in diagnostics and messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Adds the files `path` names to `out`: the file itself, standard input
/// (`-`), or the manifests found by walking the directory.
pub(super) fn collect(
    path: &Path,
    follow: bool,
    out: &mut Vec<Candidate>,
    seen: &mut HashSet<PathBuf>,
    loaded: &mut Loaded,
) {
    if path == Path::new(STDIN_ARG) {
        // `seen` holds canonical (absolute) paths: `-` cannot clash with one.
        if seen.insert(PathBuf::from(STDIN_ARG)) {
            out.push(Candidate {
                display: STDIN_NAME.to_owned(),
                path: path.to_path_buf(),
                explicit: true,
                stdin: true,
            });
        } else {
            loaded.diagnostics.push(Diagnostic::stdin_named_twice());
        }
        return;
    }
    let display = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            loaded.diagnostics.push(Diagnostic::unreadable_path(&display, &io_reason(&e)));
            return;
        }
    };
    if let Some(chart) = chart_of_template(path, meta.is_dir()) {
        loaded.diagnostics.push(Diagnostic::helm_template_named(&display, &chart, meta.is_dir()));
        return;
    }
    if !meta.is_file() && !meta.is_dir() {
        // Opening a FIFO blocks, a device never ends: neither is a manifest.
        loaded.diagnostics.push(Diagnostic::not_a_regular_file(&display, special_kind(meta.file_type())));
        return;
    }
    if meta.is_file() {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if seen.insert(key) {
            out.push(Candidate { display, path: path.to_path_buf(), explicit: true, stdin: false });
        }
        return;
    }
    let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if seen.contains(&key) {
        loaded.notes.push(format!("skipped `{display}`: already read (symlink or overlapping path)"));
        return;
    }
    if is_helm_chart(path) {
        loaded.diagnostics.push(Diagnostic::helm_chart_named(&display));
        return;
    }
    seen.insert(key);
    walk(path, follow, out, seen, loaded);
}

/// What a file that is neither a regular file nor a directory is.
fn special_kind(kind: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() { "a symbolic link" } else { "not a regular file" }
}

/// What the walk's filter records while the walker runs (the filter is a
/// shared closure: it cannot borrow the loader's state).
#[derive(Default)]
struct Filtered {
    /// Canonical paths of the files and directories already taken.
    seen: HashSet<PathBuf>,
    notes: Vec<String>,
    /// Helm charts found, as shown.
    charts: Vec<String>,
}

/// A file found by the walk, with its place in load order.
struct Found {
    /// The directories from the root down to the file, then its name.
    order: (Vec<OsString>, OsString),
    path: PathBuf,
}

fn walk(
    root: &Path,
    follow: bool,
    out: &mut Vec<Candidate>,
    seen: &mut HashSet<PathBuf>,
    loaded: &mut Loaded,
) {
    let state = Arc::new(Mutex::new(Filtered { seen: std::mem::take(seen), ..Filtered::default() }));
    let filter_state = Arc::clone(&state);
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .parents(true)
        .require_git(false)
        .follow_links(follow)
        .sort_by_file_name(Ord::cmp)
        .filter_entry(move |entry| {
            let mut state = filter_state.lock().unwrap_or_else(PoisonError::into_inner);
            keep(entry, &mut state)
        })
        .build();
    let mut found = Vec::new();
    for result in walker {
        match result {
            Ok(entry) => {
                if let Some(error) = entry.error() {
                    loaded.notes.push(format!("ignore rules: {}", error.to_string().to_lowercase()));
                }
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if entry.depth() == 0 || is_dir || Syntax::from_path(entry.path()).is_none() {
                    continue;
                }
                let path = entry.into_path();
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let mut parts: Vec<OsString> = relative.iter().map(OsString::from).collect();
                let name = parts.pop().unwrap_or_default();
                found.push(Found { order: (parts, name), path });
            }
            Err(error) => walk_error(&error, loaded),
        }
    }
    let state = std::mem::take(&mut *state.lock().unwrap_or_else(PoisonError::into_inner));
    *seen = state.seen;
    loaded.notes.extend(state.notes);
    for chart in &state.charts {
        loaded.diagnostics.push(Diagnostic::helm_chart_found(chart));
    }
    found.sort_by(|a, b| a.order.cmp(&b.order));
    for file in found {
        let display = file.path.display().to_string();
        let key = fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        if seen.insert(key) {
            out.push(Candidate { display, path: file.path, explicit: false, stdin: false });
        } else {
            loaded.notes.push(format!("skipped `{display}`: already read"));
        }
    }
}

/// Whether the walk enters or keeps `entry` (never the root): hidden
/// entries, directories already walked and Helm charts are left out.
fn keep(entry: &ignore::DirEntry, state: &mut Filtered) -> bool {
    let shown = entry.path().display().to_string();
    if entry.file_name().to_string_lossy().starts_with('.') {
        state.notes.push(format!("skipped `{shown}`: hidden"));
        return false;
    }
    // Without `--follow` the type is the link's own; with it, the target's.
    let Some(kind) = entry.file_type() else { return true };
    if kind.is_symlink() {
        state
            .notes
            .push(format!("skipped `{shown}`: a symbolic link (`--follow` reads what links point to)"));
        return false;
    }
    if !kind.is_dir() && !kind.is_file() {
        state.notes.push(format!("skipped `{shown}`: {}, not a regular file", special_kind(kind)));
        return false;
    }
    if !kind.is_dir() {
        return true;
    }
    // Dependencies a package manager installed, never an inventory (and
    // often the largest directory of a repository), ignored or not.
    if entry.file_name() == "node_modules" {
        state.notes.push(format!("skipped `{shown}`: installed packages"));
        return false;
    }
    let key = fs::canonicalize(entry.path()).unwrap_or_else(|_| entry.path().to_path_buf());
    if state.seen.contains(&key) {
        state.notes.push(format!("skipped `{shown}`: already read (symlink or overlapping path)"));
        return false;
    }
    if is_helm_chart(entry.path()) {
        state.charts.push(shown);
        return false;
    }
    state.seen.insert(key);
    true
}

/// An error met while walking: a symlink loop is a note (the directory is
/// read once already), a file or directory that cannot be read a diagnostic.
fn walk_error(error: &ignore::Error, loaded: &mut Loaded) {
    let mut error = error;
    let mut path = None;
    loop {
        match error {
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error = err,
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.display().to_string());
                error = err;
            }
            _ => break,
        }
    }
    match (error, path) {
        (ignore::Error::Loop { child, .. }, _) => {
            loaded.notes.push(format!("skipped `{}`: already read (symlink loop)", child.display()));
        }
        (ignore::Error::Io(e), Some(path)) => {
            let shown = Path::new(&path);
            if shown.is_dir() {
                loaded.diagnostics.push(Diagnostic::unreadable_directory(&path, &io_reason(e)));
            } else if Syntax::from_path(shown).is_some() {
                loaded.diagnostics.push(Diagnostic::unreadable_file(&path, &io_reason(e)));
            } else {
                loaded.notes.push(format!("skipped `{path}`: {}", io_reason(e)));
            }
        }
        (other, path) => {
            let at = path.map(|p| format!("`{p}`: ")).unwrap_or_default();
            loaded.notes.push(format!("skipped {at}{}", other.to_string().to_lowercase()));
        }
    }
}

/// Whether `dir` is a Helm chart: a `Chart.yaml` beside a `templates/`
/// directory whose files hold `{{ ... }}` actions (YAML only once rendered).
pub(super) fn is_helm_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file() && has_template_actions(&dir.join("templates"), 0)
}

/// The chart (as shown) of a path named on the command line that is a Helm
/// template holding `{{`, or a chart's `templates/` directory.
fn chart_of_template(path: &Path, is_dir: bool) -> Option<String> {
    let absolute = fs::canonicalize(path).ok()?;
    // The chart as the user would name it: from the path as given when it
    // names the `templates` directory, else absolute.
    let shown = |templates: &Path| {
        let chart = templates.parent().unwrap_or(templates);
        if chart.as_os_str().is_empty() { ".".to_owned() } else { chart.display().to_string() }
    };
    let templates = templates_of(&absolute)?;
    if !templates.parent().is_some_and(|chart| chart.join("Chart.yaml").is_file()) {
        return None;
    }
    let holds_actions = if is_dir { has_template_actions(path, 0) } else { file_has_actions(path) };
    if !holds_actions {
        return None;
    }
    Some(templates_of(path).map_or_else(|| shown(templates), shown))
}

/// The nearest directory named `templates` among `path` and its ancestors.
fn templates_of(path: &Path) -> Option<&Path> {
    path.ancestors().find(|a| a.file_name().is_some_and(|n| n == "templates"))
}

/// Whether the first 1 MiB of a file holds `{{`.
fn file_has_actions(path: &Path) -> bool {
    const LOOKED_AT: u64 = 1 << 20;
    let mut head = Vec::new();
    fs::File::open(path).and_then(|f| f.take(LOOKED_AT).read_to_end(&mut head)).is_ok()
        && head.windows(2).any(|w| w == b"{{")
}

/// Whether a file below `dir` holds `{{` (see [`file_has_actions`]), 8
/// levels deep at most.
fn has_template_actions(dir: &Path, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let Ok(entries) = fs::read_dir(dir) else { return false };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    paths.iter().any(|path| {
        if path.is_dir() { has_template_actions(path, depth + 1) } else { file_has_actions(path) }
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string().to_lowercase(),
    }
}

pub(super) fn read(candidate: &Candidate, limits: &Limits, loaded: &mut Loaded) -> Option<String> {
    if candidate.stdin {
        let stdin = std::io::stdin();
        return read_from(&mut stdin.lock(), 0, candidate, limits, loaded);
    }
    let file = match fs::File::open(&candidate.path) {
        Ok(f) => f,
        Err(e) => {
            loaded.diagnostics.push(Diagnostic::unreadable_file(&candidate.display, &io_reason(&e)));
            return None;
        }
    };
    let expected = file.metadata().map_or(0, |m| m.len());
    read_from(&mut &file, expected, candidate, limits, loaded)
}

/// Reads `input` (the file or standard input of `candidate`) within the
/// size limit, as UTF-8 text; `expected` is its size if known (0 if not).
pub(super) fn read_from(
    input: &mut dyn Read,
    expected: u64,
    candidate: &Candidate,
    limits: &Limits,
    loaded: &mut Loaded,
) -> Option<String> {
    let shown = &candidate.display;
    // Read one byte past the limit so that a file growing while we read it
    // is caught too, without trusting the metadata alone. The metadata
    // sizes the buffer: growing it by doubling copied a large file over
    // and over.
    let expected = expected.min(limits.max_file_size).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    if let Err(e) = input.take(limits.max_file_size.saturating_add(1)).read_to_end(&mut bytes) {
        loaded.diagnostics.push(Diagnostic::unreadable_file(shown, &io_reason(&e)));
        return None;
    }
    if bytes.len() as u64 > limits.max_file_size {
        loaded.diagnostics.push(Diagnostic::file_too_large(shown, limits.max_file_size));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            if candidate.explicit || looks_like_manifest(&lossy) {
                let file = Arc::new(SourceFile::new(shown, lossy));
                loaded.diagnostics.push(Diagnostic::not_utf8(&file, at));
            } else {
                loaded.notes.push(format!("skipped `{shown}`: not UTF-8 text"));
            }
            None
        }
    }
}

/// The syntax of text read from standard input, which has no extension:
/// JSON when it opens with `{` or `[` (but not a TOML table header), TOML
/// when its first line is a TOML table or `key = value`, YAML otherwise.
pub(super) fn sniff(text: &str) -> Syntax {
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let bare_key = |key: &str| {
        let key = key.trim();
        key.starts_with(|c: char| c.is_ascii_alphanumeric() || "_\"'".contains(c))
            && key.chars().all(|c| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c))
    };
    // `[name]` or `[[name]]`, then nothing but a comment.
    let header =
        first.strip_prefix('[').map(|rest| rest.strip_prefix('[').unwrap_or(rest)).and_then(|rest| {
            let (name, after) = rest.split_once(']')?;
            let after = after.strip_prefix(']').unwrap_or(after).trim();
            (bare_key(name) && (after.is_empty() || after.starts_with('#'))).then_some(())
        });
    if header.is_some() {
        return Syntax::Toml;
    }
    if first.starts_with('{') || first.starts_with('[') {
        return Syntax::Json;
    }
    match first.split_once('=') {
        Some((key, _)) if !key.contains(':') && bare_key(key) => Syntax::Toml,
        _ => Syntax::Yaml,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_syntax_is_sniffed_from_its_first_line() {
        assert_eq!(sniff("blastmap: 1\ncomponents: {}\n"), Syntax::Yaml);
        assert_eq!(sniff("# inventory\n\nblastmap = 1\n"), Syntax::Toml);
        assert_eq!(sniff("[components.web]\nkind = \"service\"\n"), Syntax::Toml);
        assert_eq!(sniff("[[items]] # list\n"), Syntax::Toml);
        assert_eq!(sniff("{\"blastmap\": 1}"), Syntax::Json);
        assert_eq!(sniff("[{\"parent\": \"a\", \"child\": \"b\", \"callCount\": 1}]"), Syntax::Json);
        assert_eq!(sniff("[\n  {\"parent\": \"a\"}\n]"), Syntax::Json);
        assert_eq!(sniff("services:\n  web:\n    environment:\n      - A=b\n"), Syntax::Yaml);
        assert_eq!(sniff("url: http://x?a=b\n"), Syntax::Yaml);
        assert_eq!(sniff("- a=b\n"), Syntax::Yaml);
        assert_eq!(sniff(""), Syntax::Yaml);
    }

    #[test]
    fn standard_input_is_read_within_the_size_limit() {
        let candidate = Candidate {
            display: STDIN_NAME.to_owned(),
            path: PathBuf::from("-"),
            explicit: true,
            stdin: true,
        };
        let limits = Limits { max_file_size: 4, ..Limits::default() };
        let mut loaded = Loaded::default();
        assert_eq!(
            read_from(&mut &b"abcd"[..], 0, &candidate, &limits, &mut loaded).as_deref(),
            Some("abcd")
        );
        assert!(read_from(&mut &b"abcde"[..], 0, &candidate, &limits, &mut loaded).is_none());
        assert!(read_from(&mut &b"a\xffb"[..], 0, &candidate, &Limits::default(), &mut loaded).is_none());
        let messages: Vec<String> = loaded.diagnostics.iter().map(|d| d.message.clone()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages.iter().all(|m| m.contains("<stdin>")), "{messages:?}");
    }

    #[test]
    fn a_chart_is_a_chart_yaml_beside_templates_with_actions() {
        let dir = std::env::temp_dir().join(format!("blastmap-chart-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("templates/sub")).unwrap();
        fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: shop\n").unwrap();
        fs::write(dir.join("templates/plain.yaml"), "kind: Service\n").unwrap();
        assert!(!is_helm_chart(&dir), "plain templates are Kubernetes YAML");
        fs::write(dir.join("templates/sub/deploy.yaml"), "name: {{ .Release.Name }}\n").unwrap();
        assert!(is_helm_chart(&dir));
        fs::remove_file(dir.join("Chart.yaml")).unwrap();
        assert!(!is_helm_chart(&dir), "no Chart.yaml, no chart");
        let _ = fs::remove_dir_all(&dir);
    }
}
