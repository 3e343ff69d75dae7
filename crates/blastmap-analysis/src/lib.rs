//! Pure, deterministic failure analyses over a [`blastmap_manifest::Model`].
//!
//! No I/O, no printing: same model in, same result out, whatever the thread
//! count.

pub mod availability;
pub mod cold_start;
pub mod cuts;
pub mod cycles;
pub mod diff;
pub mod neighbourhood;
pub mod net;
pub mod policy;
pub mod progress;
pub mod report;
pub mod simulate;
pub mod spof;
pub mod sweep;
