//! End-to-end tests of the `blastmap` binary.

mod browser;
mod ci;
mod cmd;
mod diagrams;
mod hostile;
mod real_world;
