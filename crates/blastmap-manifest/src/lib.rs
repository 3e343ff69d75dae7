//! Reads blastmap inventories into one validated [`Model`].
//!
//! Entry point: [`load()`] (files and directories) or [`load_texts`] (texts in
//! memory). Parsing never stops at the first problem: the result holds the
//! model built from everything valid and every diagnostic.

// Hostile input must never panic (SECURITY.md): no unwrap, expect, panic or
// unchecked indexing outside tests. Warn here; CI's `-D warnings` makes
// them errors. (In lib.rs because `[lints] workspace = true` in Cargo.toml
// cannot be extended per crate.)
#![warn(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod diagnostics;
pub mod import;
mod load;
pub mod model;
mod native;
pub mod policy;
pub mod schema;
pub mod source;
mod staging;
mod suggest;
pub(crate) mod syntax;

pub use diagnostics::{Code, Diagnostic, Severity};
pub use import::Format;
pub use load::{Imports, LoadOptions, Loaded, ReadSummary, STDIN_NAME, import, load, load_texts};
pub use model::{
    Component, ComponentId, Dependency, Drill, Kind, Location, Mode, Model, Origin, Requirement,
    RequirementShape,
};
pub use native::parse_date;
pub use policy::{Exception, Level, Policy, Rule, RuleConfig};
pub use suggest::closest;
pub use syntax::Limits;
