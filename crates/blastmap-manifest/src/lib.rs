//! Reads blastmap inventories into one validated [`Model`].

pub mod model;
pub mod policy;
pub mod suggest;

pub use model::{Component, ComponentId, Dependency, Kind, Location, Mode, Model, Origin, Requirement, RequirementShape};
pub use policy::{Exception, Level, Policy, Rule, RuleConfig};
