//! Renderers: turn results into bytes in one output format each.

pub(crate) mod diagnostics;
