//! Progress on standard error for work that takes more than about a second.
//!
//! The engine only bumps counters ([`blastmap_analysis::progress::Progress`]);
//! a watcher thread polls them. On a terminal it draws an indicatif bar,
//! shown only once the work has lasted a second (short runs stay silent)
//! and cleared at the end. Elsewhere (pipes, files, CI logs) nothing is
//! shown unless `--progress` asks, and then as plain lines, one every few
//! seconds and one per stage, since a redrawn bar turns into noise in a log.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use blastmap_analysis::progress::{Progress, Snapshot, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::eprint;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Off,
    /// A bar redrawn in place.
    Bar,
    /// A line now and then.
    Lines,
}

impl Mode {
    /// A bar when standard error is an interactive terminal outside CI;
    /// lines when `--progress` asks for progress elsewhere.
    pub(crate) fn detect(forced: bool) -> Self {
        let terminal = std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        match (terminal, forced) {
            (true, _) => Mode::Bar,
            (false, true) => Mode::Lines,
            (false, false) => Mode::Off,
        }
    }
}

/// Nothing is shown for work shorter than this.
const DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Runs `work` while a watcher shows `progress`; `idle` names the work
/// before the engine reports a stage (e.g. "loading").
pub(crate) fn watch<T>(mode: Mode, idle: &'static str, progress: &Progress, work: impl FnOnce() -> T) -> T {
    if mode == Mode::Off {
        return work();
    }
    let finished = AtomicBool::new(false);
    thread::scope(|scope| {
        scope.spawn(|| watcher(mode, idle, progress, &finished));
        let out = work();
        finished.store(true, Ordering::Release);
        out
    })
}

fn label(idle: &'static str, snapshot: Snapshot) -> &'static str {
    if snapshot.stage == Stage::Idle { idle } else { snapshot.stage.label() }
}

fn watcher(mode: Mode, idle: &'static str, progress: &Progress, finished: &AtomicBool) {
    let start = Instant::now();
    while start.elapsed() < DELAY {
        if finished.load(Ordering::Acquire) {
            return;
        }
        thread::sleep(TICK);
    }
    match mode {
        Mode::Off => {}
        Mode::Bar => bar(idle, progress, finished),
        Mode::Lines => lines(idle, progress, finished, start),
    }
}

fn bar(idle: &'static str, progress: &Progress, finished: &AtomicBool) {
    let counted =
        ProgressStyle::with_template("{spinner} {prefix:>12} [{bar:30}] {pos}/{len} passes, {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    let spinning = ProgressStyle::with_template("{spinner} {prefix:>12} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(spinning.clone());
    let mut shown: Option<(Stage, u64)> = None;
    while !finished.load(Ordering::Acquire) {
        let now = progress.snapshot();
        if shown != Some((now.stage, now.total)) {
            shown = Some((now.stage, now.total));
            bar.set_prefix(label(idle, now));
            if now.total > 0 {
                bar.set_style(counted.clone());
                bar.set_length(now.total);
            } else {
                bar.set_style(spinning.clone());
            }
        }
        bar.set_position(now.done);
        bar.tick();
        thread::sleep(TICK);
    }
    bar.finish_and_clear();
}

fn lines(idle: &'static str, progress: &Progress, finished: &AtomicBool, start: Instant) {
    let mut last: Option<(Stage, Instant)> = None;
    while !finished.load(Ordering::Acquire) {
        let now = progress.snapshot();
        let due = match last {
            Some((stage, at)) => stage != now.stage || at.elapsed() >= LINE_EVERY,
            None => true,
        };
        if due {
            last = Some((now.stage, Instant::now()));
            let secs = start.elapsed().as_secs();
            let counts =
                if now.total > 0 { format!(" {}/{} passes", now.done, now.total) } else { String::new() };
            eprint(&format!("progress: {}{counts} ({secs} s)\n", label(idle, now)));
        }
        thread::sleep(TICK);
    }
}
