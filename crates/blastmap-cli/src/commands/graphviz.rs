//! SVG and PNG through the Graphviz `dot` program (run here, by the
//! commands: renderers only produce the DOT text).
//!
//! `dot` is run directly with an argument list (never through a shell), the
//! DOT text on its standard input and the image read from its standard
//! output. Standard input is written from a second thread: `dot` may start
//! writing before it has read everything, and with both pipes full each
//! side would wait for the other.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The image formats `dot` draws for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Image {
    Svg,
    Png,
}

impl Image {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Image::Svg => "svg",
            Image::Png => "png",
        }
    }
}

#[derive(Debug)]
pub(crate) enum GraphvizError {
    /// `dot` is not on `PATH`.
    NotInstalled,
    /// `dot` ran and failed, or could not be run; the message is terminal-safe.
    Failed(String),
    /// `dot` did not finish within the time it was given, and was stopped.
    TimedOut,
}

/// Draws `dot_text` as `image`.
pub(crate) fn render(dot_text: &str, image: Image) -> Result<Vec<u8>, GraphvizError> {
    render_within(dot_text, image, None)
}

/// [`render`], stopping `dot` (and answering [`GraphvizError::TimedOut`])
/// when it has not finished after `budget`: on a few thousand arrows its
/// layout can take minutes.
pub(crate) fn render_within(
    dot_text: &str,
    image: Image,
    budget: Option<Duration>,
) -> Result<Vec<u8>, GraphvizError> {
    let spawned = Command::new("dot")
        .arg(format!("-T{}", image.name()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(GraphvizError::NotInstalled),
        Err(e) => return Err(GraphvizError::Failed(format!("cannot run `dot`: {e}"))),
    };
    let stdin = child.stdin.take();
    let input = dot_text.as_bytes().to_vec();
    let writer = std::thread::spawn(move || match stdin {
        Some(mut stdin) => stdin.write_all(&input),
        None => Ok(()),
    });
    // Both pipes drained while `dot` runs, so that neither fills up.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = budget.map(|b| Instant::now() + b);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if deadline.is_some_and(|d| Instant::now() >= d) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = (writer.join(), stdout.join(), stderr.join());
                return Err(GraphvizError::TimedOut);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(GraphvizError::Failed(format!("`dot` failed: {e}"))),
        }
    };
    let written = writer.join();
    let (out, err) = (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    if !status.success() {
        let stderr = String::from_utf8_lossy(&err);
        let first: Vec<&str> = stderr.lines().take(5).collect();
        return Err(GraphvizError::Failed(format!(
            "`dot` failed ({status}): {}",
            crate::render::safe(&first.join("; "))
        )));
    }
    match written {
        Ok(Ok(())) => Ok(out),
        Ok(Err(e)) => Err(GraphvizError::Failed(format!("cannot send the diagram to `dot`: {e}"))),
        Err(_) => Err(GraphvizError::Failed("cannot send the diagram to `dot`".to_owned())),
    }
}
