//! Progress of long analyses, for callers that want to show it.
//!
//! The engine never prints: it only bumps atomic counters, and the caller
//! (the CLI) polls [`Progress::snapshot`] from another thread and draws
//! whatever it likes. Counters are relaxed atomics bumped once per pass of
//! 512 scenarios, so tracking costs nothing measurable and cannot change a
//! result.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// What the analysis is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Not started, or between analyses.
    Idle,
    BlastRadius,
    IllusoryRedundancy,
    CutSets,
    Availability,
    /// Both at once (`report` runs them side by side).
    CutSetsAndAvailability,
    ColdStart,
}

impl Stage {
    const ALL: [Stage; 7] = [
        Stage::Idle,
        Stage::BlastRadius,
        Stage::IllusoryRedundancy,
        Stage::CutSets,
        Stage::Availability,
        Stage::CutSetsAndAvailability,
        Stage::ColdStart,
    ];

    /// Words for a progress line.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Idle => "analysing",
            Stage::BlastRadius => "blast radius",
            Stage::IllusoryRedundancy => "illusory redundancy",
            Stage::CutSets => "cut sets",
            Stage::Availability => "availability",
            Stage::CutSetsAndAvailability => "cut sets and availability",
            Stage::ColdStart => "cold start",
        }
    }
}

/// Shared counters: `done` of `total` steps of the current [`Stage`]
/// (`total` 0: no count known, show a spinner).
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
}

/// One consistent-enough reading of a [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub stage: Stage,
    /// At most `total` when `total` is known.
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// The current stage and counts. Readings race with the workers, so
    /// `done` is clamped to `total`.
    pub fn snapshot(&self) -> Snapshot {
        let stage =
            Stage::ALL.get(usize::from(self.stage.load(Ordering::Relaxed))).copied().unwrap_or(Stage::Idle);
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed);
        Snapshot { stage, done: if total > 0 { done.min(total) } else { done }, total }
    }

    /// Starts `stage` with `total` steps (0 when unknown).
    pub(crate) fn begin(&self, stage: Stage, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        let index = Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0);
        self.stage.store(index as u8, Ordering::Relaxed);
    }

    /// `steps` more steps of the current stage are done.
    pub(crate) fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, Ordering::Relaxed);
    }
}

/// Advances `progress` if there is one (the engine's entry points without
/// progress pass `None`).
pub(crate) fn step(progress: Option<&Progress>) {
    if let Some(p) = progress {
        p.advance(1);
    }
}
