//! The `policy:` section, parsed and validated; evaluated by
//! `blastmap-analysis` (the CI gate).

use crate::model::{Kind, Location};

/// How a rule's findings count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// A finding fails the gate (exit 1).
    Deny,
    /// A finding is reported but does not fail the gate.
    Warn,
    /// The rule is not evaluated.
    Allow,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Deny, Level::Warn, Level::Allow];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Deny => "deny",
            Level::Warn => "warn",
            Level::Allow => "allow",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The rules of `docs/semantics.md#policy` with their parameters (defaults
/// applied).
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    NoSpof {
        /// Components of tier ≤ `tier` (or entrypoints) must not have a SPOF.
        tier: u8,
        /// Kinds that are flagged as SPOFs.
        kinds: Vec<Kind>,
        /// Kinds never flagged (subtracted from `kinds`).
        ignore_kinds: Vec<Kind>,
    },
    MaxBlastRadius {
        components: Option<u32>,
        percent: Option<f64>,
        ignore_kinds: Vec<Kind>,
    },
    NoHardCycles,
    SloAttainable,
    RequiredFields {
        fields: Vec<String>,
        kinds: Vec<Kind>,
    },
    NoRegression {
        growth: u32,
    },
}

impl Rule {
    /// Every rule name, in documentation order.
    pub const NAMES: [&'static str; 6] = [
        "no-spof",
        "max-blast-radius",
        "no-hard-cycles",
        "slo-attainable",
        "required-fields",
        "no-regression",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Rule::NoSpof { .. } => "no-spof",
            Rule::MaxBlastRadius { .. } => "max-blast-radius",
            Rule::NoHardCycles => "no-hard-cycles",
            Rule::SloAttainable => "slo-attainable",
            Rule::RequiredFields { .. } => "required-fields",
            Rule::NoRegression { .. } => "no-regression",
        }
    }

    /// Default kinds flagged by `no-spof`: where redundancy is expected.
    pub const DEFAULT_SPOF_KINDS: [Kind; 9] = [
        Kind::Database,
        Kind::Cache,
        Kind::Queue,
        Kind::Storage,
        Kind::External,
        Kind::Host,
        Kind::Cluster,
        Kind::Zone,
        Kind::Network,
    ];

    /// [`Rule::DEFAULT_SPOF_KINDS`] as a list.
    pub fn default_spof_kinds() -> Vec<Kind> {
        Rule::DEFAULT_SPOF_KINDS.to_vec()
    }
}

/// One configured rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleConfig {
    pub rule: Rule,
    pub level: Level,
    /// Where the rule's key was written.
    pub location: Location,
}

/// An exception: `rule` does not apply to `component` until `expires`.
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    pub rule: String,
    pub component: String,
    pub reason: String,
    /// `YYYY-MM-DD`, checked for shape at load time.
    pub expires: Option<(u16, u8, u8)>,
    pub location: Location,
}

/// The parsed `policy:` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub rules: Vec<RuleConfig>,
    pub exceptions: Vec<Exception>,
    pub location: Location,
}
