//! End-to-end tests of the `blastmap` binary.

mod ci;
mod cmd;
mod diagrams;
mod real_world;
