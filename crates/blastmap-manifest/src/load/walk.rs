//! Finding the files of an inventory (paths and directory walks) and
//! reading them within the size limit.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::syntax::{Limits, Syntax};

use super::{Candidate, Loaded, looks_like_manifest};

pub(super) fn collect(
    path: &Path,
    out: &mut Vec<Candidate>,
    seen: &mut HashSet<PathBuf>,
    loaded: &mut Loaded,
) {
    let display = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            loaded.diagnostics.push(Diagnostic::unreadable_path(&display, &io_reason(&e)));
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
                loaded.diagnostics.push(Diagnostic::unreadable_directory(&shown, &io_reason(&e)));
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

pub(super) fn read(candidate: &Candidate, limits: &Limits, loaded: &mut Loaded) -> Option<String> {
    let shown = &candidate.display;
    let fail = |loaded: &mut Loaded, e: &std::io::Error| {
        loaded.diagnostics.push(Diagnostic::unreadable_file(shown, &io_reason(e)));
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
