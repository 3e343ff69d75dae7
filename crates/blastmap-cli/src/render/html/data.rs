//! The data island: the inventory's requirements, which the page's script
//! simulates on a pick (docs/semantics.md#fixpoint and #cascade-paths, as
//! the engine does; the browser test holds the two to the same results),
//! and per component what the engine computed that no pick recomputes:
//! SPOFs (the first [`SPOFS_EMBEDDED`], with the total), availability, SLO,
//! cold-start wave. The island is O(components + requirement members):
//! embedding every failure's down list and cascade paths made the page of
//! a 10,000-component chain 508 MB.

use blastmap_analysis::cold_start::ColdStart;
use blastmap_analysis::report::Report;
use blastmap_manifest::{ComponentId, Mode, Model, Origin, Requirement, RequirementShape};
use serde::{Serialize, Serializer};

use crate::render::diagram::{COLLAPSE_THRESHOLD, ClusterBy, collapsed_groups};
use crate::render::safe;

/// How many SPOFs of one component the page lists (the rest are counted).
pub(super) const SPOFS_EMBEDDED: usize = 100;

/// The embedded data. Components are referred to by index (as in
/// `components`, which is id order). Each requirement is
/// `[shape, need, soft, origin, [members]]`: shape 0 single, 1 `any_of`,
/// 2 quorum; soft 0 or 1; origin 0 `depends_on`, 1 `runs_in`, 2 `within`.
/// Serialized straight from the model and the report (no tree of values);
/// keys in alphabetical order, as they have always been.
pub(super) struct Data<'a> {
    pub(super) model: &'a Model,
    pub(super) report: &'a Report,
    pub(super) waves: &'a ColdStart,
    /// What the overview's boxes are (the groups components belong to).
    pub(super) by: ClusterBy,
}

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Top<'a> {
            components: Components<'a>,
            schema: &'static str,
        }
        Top { components: Components(self), schema: "blastmap.html/v2" }.serialize(s)
    }
}

struct Components<'a>(&'a Data<'a>);

impl Serialize for Components<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Data { model, report, waves, by } = *self.0;
        // Above the threshold the diagram draws groups (`bm-g{k}`): each
        // component says which, so that a pick colours its group.
        let groups = (model.len() > COLLAPSE_THRESHOLD)
            .then(|| collapsed_groups(model, &vec![true; model.len()], by).1);
        s.collect_seq(model.ids().map(|c| {
            let comp = model.component(c);
            let spofs = report.spofs.as_ref().and_then(|s| s.get(c.index()).and_then(Option::as_deref));
            let avail = report.availability.as_ref().and_then(|a| a.get(c.index()).and_then(Option::as_ref));
            Entry {
                ceiling: avail.map(|a| a.value),
                critical: comp.is_critical(),
                declared: comp.availability,
                entrypoint: comp.entrypoint,
                group: groups.as_ref().and_then(|g| g.get(c.index()).copied().flatten()),
                id: &comp.id,
                kind: comp.kind.as_str(),
                name: safe(&comp.name),
                needs: Needs(&comp.requirements),
                owner: comp.owner.as_deref().map(safe),
                slo: comp.slo,
                slo_met: match (avail, comp.slo) {
                    (Some(a), Some(slo)) => Some(a.meets_slo(slo)),
                    (None, Some(_)) => Some(true),
                    _ => None,
                },
                spofs: spofs.map(|s| Indices(s.get(..s.len().min(SPOFS_EMBEDDED)).unwrap_or_default())),
                spofs_total: spofs.map(|_| crate::render::report::spof_total(report, c)),
                system: comp.system.as_deref().map(safe),
                tier: comp.tier,
                wave: waves.wave_of.get(c.index()).copied().flatten(),
            }
        }))
    }
}

/// One component of the island, keys in alphabetical order.
#[derive(Serialize)]
struct Entry<'a> {
    ceiling: Option<f64>,
    critical: bool,
    declared: Option<f64>,
    entrypoint: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<usize>,
    id: &'a str,
    kind: &'a str,
    name: String,
    needs: Needs<'a>,
    owner: Option<String>,
    slo: Option<f64>,
    slo_met: Option<bool>,
    spofs: Option<Indices<'a>>,
    spofs_total: Option<usize>,
    system: Option<String>,
    tier: u8,
    wave: Option<u32>,
}

/// Components as their indices.
struct Indices<'a>(&'a [ComponentId]);

impl Serialize for Indices<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|c| c.index()))
    }
}

struct Needs<'a>(&'a [Requirement]);

impl Serialize for Needs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| {
            let shape = match r.shape {
                RequirementShape::Single => 0u8,
                RequirementShape::AnyOf => 1,
                RequirementShape::Quorum => 2,
            };
            let origin = match r.origin {
                Origin::DependsOn => 0u8,
                Origin::RunsIn => 1,
                Origin::Within => 2,
            };
            (shape, r.need, u8::from(r.mode == Mode::Soft), origin, Indices(&r.members))
        }))
    }
}
