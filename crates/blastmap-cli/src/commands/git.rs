//! Inventories named on the command line as a path or as `git:REV:PATH`, so
//! CI can compare with `main` without a second checkout.
//!
//! `git:REV:PATH` reads `PATH` at revision `REV` through `git show`; PATH is
//! relative to the repository root, as in `git show REV:PATH`. A directory is
//! listed with `git ls-tree` and every manifest file below it is read. git
//! runs with arguments, never through a shell.

use std::path::Path;
use std::process::Command;

use blastmap_manifest::{LoadOptions, Loaded};

use crate::error::CliError;

/// Loads the inventory `spec` names: a file or directory, or `git:REV:PATH`.
/// The error says why git could not provide it (git missing, unknown
/// revision, ...).
pub(crate) fn load_spec(spec: &str, options: &LoadOptions) -> Result<Loaded, CliError> {
    let Some(rest) = spec.strip_prefix("git:") else {
        let loaded = blastmap_manifest::load(&[Path::new(spec)], options);
        crate::output::note_inputs(&loaded.files);
        return Ok(loaded);
    };
    let Some((rev, path)) = rest.split_once(':') else {
        return Err(CliError::NotGitSpec { spec: spec.to_owned() });
    };
    if rev.is_empty() || rev.starts_with('-') {
        return Err(CliError::NotGitRevision { rev: rev.to_owned() });
    }
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "." } else { path };
    let object = format!("{rev}:{}", if path == "." { "" } else { path });
    let kind = git(&["cat-file", "-t", &object])?;
    let files: Vec<String> = if kind.trim() == "tree" {
        let listing = git(&["ls-tree", "-r", "--name-only", "--full-tree", rev, "--", path])?;
        listing.lines().filter(|name| is_candidate(name)).map(str::to_owned).collect()
    } else {
        vec![path.to_owned()]
    };
    let explicit = kind.trim() != "tree";
    let mut texts: Vec<(String, String)> = Vec::new();
    for file in files {
        let text = git(&["show", &format!("{rev}:{file}")])?;
        // In a directory, as on disk, only files with the `blastmap` key
        // count; a file named explicitly must be a manifest.
        if explicit || mentions_blastmap(&text) {
            texts.push((format!("git:{rev}:{file}"), text));
        }
    }
    if texts.is_empty() {
        return Err(CliError::NoManifestInGit { spec: spec.to_owned() });
    }
    let sources: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    Ok(blastmap_manifest::load_texts(&sources, options))
}

/// Manifest extensions, and no hidden path component (as in directory walks).
fn is_candidate(name: &str) -> bool {
    let manifest = [".yaml", ".yml", ".json", ".toml"].iter().any(|ext| name.ends_with(ext));
    manifest && !name.split('/').any(|part| part.starts_with('.'))
}

/// A cheap test for the `blastmap` key at the top level of YAML, TOML or JSON.
fn mentions_blastmap(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches('\u{feff}').trim_start_matches('{').trim_start();
        l.starts_with("blastmap:") || l.starts_with("blastmap =") || l.starts_with("\"blastmap\"")
    })
}

/// Runs git and returns its standard output, or why it failed.
fn git(args: &[&str]) -> Result<String, CliError> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| CliError::GitUnavailable { reason: e.to_string() })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().next().unwrap_or("failed").trim().to_owned();
        return Err(CliError::GitFailed { command: args.join(" "), reason });
    }
    String::from_utf8(output.stdout).map_err(|_| CliError::GitNotText { command: args.join(" ") })
}
