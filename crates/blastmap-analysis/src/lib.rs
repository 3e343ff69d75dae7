//! Pure, deterministic failure analyses over a [`blastmap_manifest::Model`].
//!
//! No I/O, no printing: same model in, same result out, whatever the thread
//! count.

pub mod net;
pub mod simulate;
pub mod sweep;
pub mod spof;
pub mod cuts;
pub mod availability;
pub mod cycles;
pub mod cold_start;
