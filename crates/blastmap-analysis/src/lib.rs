//! Pure, deterministic failure analyses over a [`blastmap_manifest::Model`].
//!
//! No I/O, no printing, no command-line parsing (tests/it/purity.rs checks
//! it): same model in, same result out, whatever the thread count
//! (docs/semantics.md#determinism).

// Hostile input must never panic (SECURITY.md): no unwrap, expect, panic or
// unchecked indexing outside tests. Warn here; CI's `-D warnings` makes
// them errors. (In lib.rs because `[lints] workspace = true` in Cargo.toml
// cannot be extended per crate.)
#![warn(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[allow(
    clippy::indexing_slicing,
    reason = "BDD nodes, sampled-graph nodes and component indices are created by this module or come from `HardNet` and `Net`, whose indices are < component count by construction"
)]
pub mod availability;
pub mod cascades;
#[allow(
    clippy::indexing_slicing,
    reason = "indices come from `Net` (every member and requirement index < its table length by construction)"
)]
pub mod cold_start;
#[allow(clippy::indexing_slicing, reason = "vectors sized to the model, indexed by its component ids")]
pub mod criticality;
#[allow(clippy::indexing_slicing, reason = "indices come from `Net` and from sweeps sized to it")]
pub mod cuts;
#[allow(
    clippy::indexing_slicing,
    reason = "indices come from `Net`; the Tarjan stacks hold indices pushed by this module"
)]
pub mod cycles;
#[allow(
    clippy::indexing_slicing,
    reason = "indices come from the two models, each checked by `Model::from_components`"
)]
pub mod diff;
pub mod drill;
#[allow(clippy::indexing_slicing, reason = "rung indices are below the ladder's length, resized just before")]
mod lanes;
#[allow(
    clippy::indexing_slicing,
    reason = "indices come from the model graph (`NodeIndex` of its own nodes)"
)]
pub mod neighbourhood;
#[allow(
    clippy::indexing_slicing,
    reason = "`Net` and `HardNet` build their CSR tables from the validated model: every offset and index they store is < the table it indexes"
)]
pub mod net;
#[allow(clippy::indexing_slicing, reason = "indices come from `Net` and from sweep results sized to it")]
pub mod policy;
pub mod progress;
#[allow(clippy::indexing_slicing, reason = "indices come from `Net` and the analyses over it")]
pub mod report;
pub mod runbook;
#[allow(
    clippy::indexing_slicing,
    reason = "indices come from `Net` (members, requirements and reverse edges < their tables by construction)"
)]
pub mod simulate;
#[allow(clippy::indexing_slicing, reason = "indices come from `Net` and sweep results sized to it")]
pub mod spof;
#[allow(
    clippy::indexing_slicing,
    reason = "bit-lane words and component indices are sized from `Net` before the hot loops; checked indexing there would cost the sweep its speed"
)]
pub mod sweep;
pub mod verify;
