//! Writing results: to standard output (a closed pipe is not an error), or
//! to a file atomically (a temporary file in the same directory, renamed
//! into place, so a failure never leaves a partial file); messages for
//! people go to standard error through [`eprint()`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use blastmap_manifest::source::SourceFile;

use crate::error::CliError;

/// Canonical paths of every file read as input in this run: `-o` refuses
/// to write over one (a report written over the manifest it came from
/// would lose the manifest).
static INPUTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Remembers the files an inventory was read from. Texts that are not
/// files on disk (`git:` specs) are skipped.
pub(crate) fn note_inputs(files: &[Arc<SourceFile>]) {
    let mut inputs = INPUTS.lock().unwrap_or_else(PoisonError::into_inner);
    inputs.extend(files.iter().filter_map(|f| std::fs::canonicalize(&*f.name).ok()));
}

/// Whether `path` is (a link to, or another name of) an input file.
fn is_input(path: &Path) -> bool {
    let Ok(path) = std::fs::canonicalize(path) else { return false };
    INPUTS.lock().unwrap_or_else(PoisonError::into_inner).contains(&path)
}

/// Why output could not be written.
#[derive(Debug)]
pub(crate) enum OutputError {
    /// The reader went away (`| head`): stop quietly.
    BrokenPipe,
    Failed(CliError),
}

/// Prints text to standard error (messages for people); a closed standard
/// error is ignored, as there is nowhere left to say so.
pub(crate) fn eprint(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
}

/// Writes `bytes` to `path`, or to standard output when `path` is `None`.
pub(crate) fn emit(path: Option<&Path>, bytes: &[u8]) -> Result<(), OutputError> {
    match path {
        None => write_stdout(bytes),
        Some(path) if is_input(path) => {
            Err(OutputError::Failed(CliError::OutputIsInput { path: path.display().to_string() }))
        }
        Some(path) => write_atomic(path, bytes).map_err(|e| {
            OutputError::Failed(CliError::CannotWrite {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        }),
    }
}

pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(OutputError::BrokenPipe),
        Err(e) => Err(OutputError::Failed(CliError::CannotWriteStdout { reason: e.to_string() })),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.blastmap-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
