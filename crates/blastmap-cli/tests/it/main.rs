//! End-to-end tests of the `blastmap` binary.

mod cmd;
mod real_world;
