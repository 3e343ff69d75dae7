//! Builds small models for tests, by id (`Inventory`) or from the plain
//! numeric shape the property tests generate (`Spec`).

use std::collections::BTreeMap;

use blastmap_manifest::{
    Component, ComponentId, Kind, Location, Mode, Model, Origin, Requirement, RequirementShape,
};

/// One requirement as written in a test: `need` of `members`.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) shape: RequirementShape,
    pub(crate) need: u32,
    pub(crate) members: Vec<String>,
    pub(crate) mode: Mode,
}

#[derive(Debug, Clone, Default)]
struct Entry {
    tier: u8,
    entrypoint: bool,
    weight: f64,
    kind: Option<Kind>,
    requirements: Vec<Req>,
}

/// A model under construction, keyed by id; every id mentioned exists.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inventory {
    entries: BTreeMap<String, Entry>,
}

impl Inventory {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn entry(&mut self, id: &str) -> &mut Entry {
        self.entries.entry(id.to_owned()).or_insert_with(|| Entry {
            tier: 3,
            weight: 1.0,
            ..Entry::default()
        })
    }

    pub(crate) fn component(mut self, id: &str) -> Self {
        self.entry(id);
        self
    }

    pub(crate) fn kind(mut self, id: &str, kind: Kind) -> Self {
        self.entry(id).kind = Some(kind);
        self
    }

    pub(crate) fn tier(mut self, id: &str, tier: u8) -> Self {
        self.entry(id).tier = tier;
        self
    }

    pub(crate) fn entrypoint(mut self, id: &str) -> Self {
        self.entry(id).entrypoint = true;
        self
    }

    pub(crate) fn weight(mut self, id: &str, weight: f64) -> Self {
        self.entry(id).weight = weight;
        self
    }

    fn require(mut self, id: &str, shape: RequirementShape, need: u32, members: &[&str], mode: Mode) -> Self {
        for m in members {
            self.entry(m);
        }
        let members = members.iter().map(|m| (*m).to_owned()).collect();
        self.entry(id).requirements.push(Req { shape, need, members, mode });
        self
    }

    /// Hard dependency on one target.
    pub(crate) fn needs(self, id: &str, target: &str) -> Self {
        self.require(id, RequirementShape::Single, 1, &[target], Mode::Hard)
    }

    /// Soft dependency on one target.
    pub(crate) fn soft(self, id: &str, target: &str) -> Self {
        self.require(id, RequirementShape::Single, 1, &[target], Mode::Soft)
    }

    pub(crate) fn any_of(self, id: &str, members: &[&str]) -> Self {
        self.require(id, RequirementShape::AnyOf, 1, members, Mode::Hard)
    }

    pub(crate) fn soft_any_of(self, id: &str, members: &[&str]) -> Self {
        self.require(id, RequirementShape::AnyOf, 1, members, Mode::Soft)
    }

    pub(crate) fn quorum(self, id: &str, need: u32, members: &[&str]) -> Self {
        self.require(id, RequirementShape::Quorum, need, members, Mode::Hard)
    }

    pub(crate) fn build(self) -> Model {
        let index: BTreeMap<&str, usize> =
            self.entries.keys().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let components = self
            .entries
            .iter()
            .map(|(id, entry)| {
                let requirements = entry
                    .requirements
                    .iter()
                    .map(|req| {
                        requirement(req, req.members.iter().map(|m| ComponentId::new(index[m.as_str()])))
                    })
                    .collect();
                component(
                    id.clone(),
                    entry.kind.unwrap_or(Kind::Service),
                    entry.tier,
                    entry.entrypoint,
                    entry.weight,
                    requirements,
                )
            })
            .collect();
        Model::from_components(components, None)
    }
}

fn requirement(req: &Req, members: impl Iterator<Item = ComponentId>) -> Requirement {
    let members: Vec<ComponentId> = members.collect();
    Requirement {
        shape: req.shape,
        need: req.need,
        member_locations: vec![Location::unknown(); members.len()],
        members,
        mode: req.mode,
        via: None,
        origin: if req.shape == RequirementShape::AnyOf { Origin::RunsIn } else { Origin::DependsOn },
        location: Location::unknown(),
    }
}

fn component(
    id: String,
    kind: Kind,
    tier: u8,
    entrypoint: bool,
    weight: f64,
    requirements: Vec<Requirement>,
) -> Component {
    Component {
        name: id.clone(),
        id,
        kind,
        tier,
        owner: None,
        system: None,
        entrypoint,
        weight,
        availability: None,
        slo: None,
        replicas: None,
        health: None,
        drill: None,
        labels: Vec::new(),
        requirements,
        location: Location::unknown(),
        defined: true,
        explicit_fields: Vec::new(),
    }
}

/// A numeric inventory: component `i` is `c{i:06}` (so index order is id
/// order) with `(tier, entrypoint, weight, requirements)`; requirement
/// members are indices.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) components: Vec<SpecComponent>,
}

#[derive(Debug, Clone)]
pub(crate) struct SpecComponent {
    pub(crate) tier: u8,
    pub(crate) entrypoint: bool,
    pub(crate) weight: f64,
    pub(crate) requirements: Vec<(RequirementShape, u32, Vec<usize>, Mode)>,
}

impl Spec {
    pub(crate) fn build(&self) -> Model {
        let components = self
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let requirements = c
                    .requirements
                    .iter()
                    .map(|(shape, need, members, mode)| {
                        let req = Req { shape: *shape, need: *need, members: Vec::new(), mode: *mode };
                        requirement(&req, members.iter().map(|&m| ComponentId::new(m)))
                    })
                    .collect();
                component(format!("c{i:06}"), Kind::Service, c.tier, c.entrypoint, c.weight, requirements)
            })
            .collect();
        Model::from_components(components, None)
    }
}
