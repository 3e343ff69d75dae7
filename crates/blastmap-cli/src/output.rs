//! Writing results: to standard output (a closed pipe is not an error;
//! `-o -` says so explicitly), or to a file atomically: a temporary file
//! with a random name created exclusively (`O_EXCL`, never through a
//! planted symlink) in the same directory, renamed into place, so a
//! failure never leaves a partial file. The target must be a regular file
//! or not exist: a symlink, device or directory is never replaced. SIGINT,
//! SIGTERM and SIGHUP during the write remove the temporary file before
//! exiting with 128 + the signal. Messages for people go to standard
//! error through [`eprint()`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
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

/// The largest output [`emit`] and [`emit_with`] write (`--max-output`),
/// set once at start.
pub(crate) static MAX_OUTPUT: AtomicU64 = AtomicU64::new(u64::MAX);

/// Writes `bytes` to `path`, or to standard output when `path` is `None`
/// or `-`; refuses, writing nothing, when they are over [`MAX_OUTPUT`].
pub(crate) fn emit(path: Option<&Path>, bytes: &[u8]) -> Result<(), OutputError> {
    let bound = MAX_OUTPUT.load(Ordering::Relaxed);
    if bytes.len() as u64 > bound {
        return Err(OutputError::Failed(CliError::OutputTooLarge {
            bytes: Some(bytes.len() as u64),
            at_least: false,
            bound,
        }));
    }
    emit_with(path, |w| w.write_all(bytes))
}

/// Streams what `write` writes to `path` (atomically, as [`emit`]) or to
/// standard output, through a buffer, never holding the whole output.
/// Past [`MAX_OUTPUT`] bytes the write stops with `output-too-large`: a file
/// is then not written at all; standard output has what came before.
pub(crate) fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let bound = MAX_OUTPUT.load(Ordering::Relaxed);
    let too_large = || OutputError::Failed(CliError::OutputTooLarge { bytes: None, at_least: false, bound });
    match path {
        Some(path) if path.as_os_str() != "-" => {
            if let Some(what) = not_regular(path) {
                let path = path.display().to_string();
                return Err(OutputError::Failed(CliError::OutputNotRegular { path, what }));
            }
            if is_input(path) {
                return Err(OutputError::Failed(CliError::OutputIsInput {
                    path: path.display().to_string(),
                }));
            }
            let mut over = false;
            let result = write_atomic(path, |file| {
                let mut out =
                    Bounded { inner: io::BufWriter::with_capacity(1 << 16, file), left: bound, over: false };
                let result = write(&mut out).and_then(|()| out.flush());
                over = out.over;
                result
            });
            match result {
                Err(_) if over => Err(too_large()),
                result => result.map_err(|e| {
                    OutputError::Failed(CliError::CannotWrite {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    })
                }),
            }
        }
        _ => {
            let stdout = io::stdout().lock();
            let mut out =
                Bounded { inner: io::BufWriter::with_capacity(1 << 16, stdout), left: bound, over: false };
            match write(&mut out).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(_) if out.over => Err(too_large()),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(OutputError::BrokenPipe),
                Err(e) => Err(OutputError::Failed(CliError::CannotWriteStdout { reason: e.to_string() })),
            }
        }
    }
}

/// Writes `bytes` to standard output.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), OutputError> {
    emit(None, bytes)
}

/// A writer that refuses to go past `left` bytes.
struct Bounded<W: Write> {
    inner: W,
    left: u64,
    over: bool,
}

impl<W: Write> Write for Bounded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.left {
            self.over = true;
            return Err(io::Error::other("over --max-output"));
        }
        let n = self.inner.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What `path` is when it exists and is not a regular file (never
/// followed: a symlink is a symlink, wherever it points).
fn not_regular(path: &Path) -> Option<&'static str> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    Some(if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a directory"
    } else {
        special(kind)
    })
}

#[cfg(unix)]
fn special(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special(_: std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// The temporary file being written, for the signal handler to remove.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Starts (once) the thread that, on SIGINT, SIGTERM or SIGHUP, removes
/// the temporary file being written and exits with 128 + the signal, as a
/// shell reports a process killed by it.
#[cfg(unix)]
fn watch_signals() {
    static WATCHING: std::sync::Once = std::sync::Once::new();
    WATCHING.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        let _ = std::thread::Builder::new().name("signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(tmp) = pending.as_ref() {
                    let _ = std::fs::remove_file(tmp);
                }
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Elsewhere (Windows) an interrupted write leaves its temporary file
/// (`.NAME.*.blastmap.tmp`); the file written is never partial either way.
#[cfg(not(unix))]
fn watch_signals() {}

fn write_atomic(path: &Path, write: impl FnOnce(&mut std::fs::File) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    watch_signals();
    // Held from creation to rename, so a signal removes the file that is
    // really there: before the rename the temporary one, after it nothing.
    let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".blastmap.tmp");
    // Readable like any file the user writes (tempfile's default is
    // owner-only), or as the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut file = builder.tempfile_in(&dir)?;
    *pending = Some(file.path().to_path_buf());
    drop(pending);
    let written = write(file.as_file_mut()).and_then(|()| file.as_file().sync_all());
    let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    // On an error the temporary file is removed when `file` drops.
    let result = written.and_then(|()| file.persist(path).map(|_| ()).map_err(|e| e.error));
    *pending = None;
    result
}
