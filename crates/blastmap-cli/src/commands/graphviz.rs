//! SVG and PNG through the Graphviz `dot` program (run here, by the
//! commands: renderers only produce the DOT text).
//!
//! `dot` is run directly with an argument list (never through a shell), the
//! DOT text on its standard input and the image read from its standard
//! output. Standard input is written from a second thread: `dot` may start
//! writing before it has read everything, and with both pipes full each
//! side would wait for the other.

use std::io::Write;
use std::process::{Command, Stdio};

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
}

/// Draws `dot_text` as `image`.
pub(crate) fn render(dot_text: &str, image: Image) -> Result<Vec<u8>, GraphvizError> {
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
    let output = child.wait_with_output().map_err(|e| GraphvizError::Failed(format!("`dot` failed: {e}")))?;
    let written = writer.join();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first: Vec<&str> = stderr.lines().take(5).collect();
        return Err(GraphvizError::Failed(format!(
            "`dot` failed ({}): {}",
            output.status,
            crate::render::safe(&first.join("; "))
        )));
    }
    match written {
        Ok(Ok(())) => Ok(output.stdout),
        Ok(Err(e)) => Err(GraphvizError::Failed(format!("cannot send the diagram to `dot`: {e}"))),
        Err(_) => Err(GraphvizError::Failed("cannot send the diagram to `dot`".to_owned())),
    }
}
