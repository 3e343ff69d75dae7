//! Components as read, before the loader resolves them: shared by the
//! native decoder and the importers, which both produce them.

use std::ops::Range;
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{Component, Dependency, Drill, Kind, Location, Requirement};
use crate::source::SourceFile;
use crate::syntax::{FastMap, Text};

/// Every id met while reading (components and the targets they name), each
/// numbered once, in the order first met. Raw requirements name their
/// members by number: resolving them once every file is read is a table
/// lookup, and no requirement keeps a copy of its targets' text.
#[derive(Debug, Default)]
pub(crate) struct IdTable {
    /// Keyed by [`Text`]: most ids fit inside the table, so a lookup
    /// compares them without reading another cache line.
    numbers: FastMap<Text, u32>,
}

impl IdTable {
    /// The number of `id`, numbering it when it is new.
    ///
    /// # Complexity
    /// O(length of `id`) expected.
    pub(crate) fn number(&mut self, id: &Text) -> u32 {
        if let Some(&n) = self.numbers.get(id) {
            return n;
        }
        let n = self.numbers.len() as u32;
        self.numbers.insert(id.clone(), n);
        n
    }

    /// [`Self::number`] of an id that is not already [`Text`].
    pub(crate) fn number_of(&mut self, id: &str) -> u32 {
        self.number(&Text::from(id))
    }

    /// Room for `additional` more ids (each component names one, and the
    /// table re-hashed a million ids several times while growing).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.numbers.reserve(additional);
    }

    /// How many ids were numbered.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    /// The text of every id, indexed by number.
    ///
    /// # Complexity
    /// O(ids).
    pub(crate) fn names(&self) -> Vec<&str> {
        let mut names = vec![""; self.numbers.len()];
        for (name, &n) in &self.numbers {
            if let Some(slot) = names.get_mut(n as usize) {
                *slot = name;
            }
        }
        names
    }
}

/// [`COMPONENT_KEYS`](crate::native::COMPONENT_KEYS) in byte order: bit `i` of [`Explicit`] stands for
/// `EXPLICIT_ORDER[i]`, so the set lists its fields already sorted.
const EXPLICIT_ORDER: [&str; 18] = [
    "availability",
    "defined",
    "depends_on",
    "description",
    "drill",
    "entrypoint",
    "health",
    "kind",
    "labels",
    "name",
    "owner",
    "replicas",
    "runs_in",
    "slo",
    "system",
    "tier",
    "weight",
    "within",
];

/// The fields written explicitly, as a set (a sorted, deduplicated vector
/// per component cost an allocation that grew twice).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Explicit(u32);

impl Explicit {
    /// Adds a field of [`COMPONENT_KEYS`](crate::native::COMPONENT_KEYS) (other names are ignored).
    pub(crate) fn insert(&mut self, field: &str) {
        // The positions in `EXPLICIT_ORDER` (a test checks them).
        let bit = match field {
            "availability" => 0,
            "defined" => 1,
            "depends_on" => 2,
            "description" => 3,
            "drill" => 4,
            "entrypoint" => 5,
            "health" => 6,
            "kind" => 7,
            "labels" => 8,
            "name" => 9,
            "owner" => 10,
            "replicas" => 11,
            "runs_in" => 12,
            "slo" => 13,
            "system" => 14,
            "tier" => 15,
            "weight" => 16,
            "within" => 17,
            _ => return,
        };
        self.0 |= 1 << bit;
    }

    /// The fields, sorted: what [`Component::explicit_fields`] holds.
    pub(crate) fn to_vec(self) -> Vec<&'static str> {
        let mut fields = Vec::with_capacity(self.0.count_ones() as usize);
        fields.extend(
            EXPLICIT_ORDER.iter().enumerate().filter(|&(i, _)| self.0 & (1 << i) != 0).map(|(_, f)| *f),
        );
        fields
    }
}

/// Field values of a component or of `defaults`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fields {
    pub kind: Option<Kind>,
    pub name: Option<String>,
    pub tier: Option<u8>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub entrypoint: Option<bool>,
    pub weight: Option<f64>,
    pub availability: Option<f64>,
    pub slo: Option<f64>,
    pub replicas: Option<u32>,
    pub health: Option<String>,
    pub drill: Option<Drill>,
    pub labels: Vec<(String, String)>,
    pub description: Option<String>,
    pub defined: Option<bool>,
}

/// A component as written: the model's component with every default
/// applied, whose requirements still name their members by [`IdTable`]
/// number (the loader resolves them to node indices in place, once every
/// file is read).
#[derive(Debug)]
pub(crate) struct RawComponent {
    pub component: Component,
    /// The number of the component's id.
    pub number: u32,
    pub file: Arc<SourceFile>,
}

impl RawComponent {
    /// Builds the component from its decoded fields, with the defaults of
    /// `docs/manifest.md` for what was not written.
    pub(crate) fn new(
        id: String,
        ids: &mut IdTable,
        file: Arc<SourceFile>,
        location: Location,
        fields: Fields,
        requirements: Vec<Requirement>,
        explicit: Explicit,
    ) -> Self {
        let number = ids.number_of(&id);
        let kind = fields.kind.unwrap_or(Kind::Service);
        let mut labels = fields.labels;
        if let Some(d) = fields.description {
            labels.push(("description".to_owned(), d));
            labels.sort();
        }
        let component = Component {
            name: fields.name.unwrap_or_else(|| id.clone()),
            kind,
            tier: fields.tier.unwrap_or(3),
            owner: fields.owner,
            system: fields.system,
            entrypoint: fields.entrypoint.unwrap_or_else(|| kind.is_entrypoint_by_default()),
            weight: fields.weight.unwrap_or(1.0),
            availability: fields.availability,
            slo: fields.slo,
            replicas: fields.replicas,
            health: fields.health,
            drill: fields.drill,
            defined: fields.defined.unwrap_or(true),
            labels,
            requirements,
            location,
            explicit_fields: explicit.to_vec(),
            id,
        };
        Self { component, number, file }
    }
}

/// Where a component's id was written.
pub(crate) fn span_of(component: &Component) -> Range<usize> {
    let at = &component.location;
    at.offset..at.offset + at.len
}

/// Raw components in the order read. The components are the nodes of a
/// graph without edges: when they are already in id order (as
/// `blastmap import` and generators write them), that graph becomes the
/// model's as it is, instead of every component being moved into another.
#[derive(Debug, Default)]
pub(crate) struct RawComponents {
    pub graph: DiGraph<Component, Dependency, u32>,
    /// The id number of each component.
    pub numbers: Vec<u32>,
    /// The file each component was read from.
    pub files: Vec<Arc<SourceFile>>,
}

impl RawComponents {
    /// How many components were read.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Room for `additional` more components, allocated at that size.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.graph.reserve_exact_nodes(additional);
        self.numbers.reserve_exact(additional);
        self.files.reserve_exact(additional);
    }

    /// Adds the next component read.
    pub(crate) fn push(&mut self, raw: RawComponent) {
        self.graph.add_node(raw.component);
        self.numbers.push(raw.number);
        self.files.push(raw.file);
    }

    /// The last component, with its id number and file.
    pub(crate) fn last(&self) -> Option<(&Component, u32, &Arc<SourceFile>)> {
        let i = self.numbers.len().checked_sub(1)?;
        Some((self.graph.node_weight(NodeIndex::new(i))?, *self.numbers.get(i)?, self.files.get(i)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::COMPONENT_KEYS;

    #[test]
    fn explicit_fields_come_out_sorted() {
        let mut sorted = COMPONENT_KEYS;
        sorted.sort_unstable();
        assert_eq!(sorted, EXPLICIT_ORDER);
        let mut explicit = Explicit::default();
        for field in ["within", "kind", "availability", "kind", "not-a-field"] {
            explicit.insert(field);
        }
        assert_eq!(explicit.to_vec(), ["availability", "kind", "within"]);
        for (i, field) in EXPLICIT_ORDER.iter().enumerate() {
            let mut one = Explicit::default();
            one.insert(field);
            assert_eq!(one, Explicit(1 << i), "{field}");
        }
    }
}
