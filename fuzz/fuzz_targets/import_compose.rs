#![no_main]

use blastmap_manifest::Format;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::load("compose.yaml", Some(Format::Compose), data));
