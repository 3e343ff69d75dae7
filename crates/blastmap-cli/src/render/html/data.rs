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
use blastmap_manifest::{ComponentId, Mode, Model, Origin, RequirementShape};
use serde_json::{Value, json};

use crate::render::safe;

/// How many SPOFs of one component the page lists (the rest are counted).
pub(super) const SPOFS_EMBEDDED: usize = 100;

/// The embedded data. Components are referred to by index (as in
/// `components`, which is id order). Each requirement is
/// `[shape, need, soft, origin, [members]]`: shape 0 single, 1 `any_of`,
/// 2 quorum; soft 0 or 1; origin 0 `depends_on`, 1 `runs_in`, 2 `within`.
pub(super) fn data(model: &Model, report: &Report, waves: &ColdStart) -> Value {
    let index = |list: &[ComponentId]| list.iter().map(|c| c.index()).collect::<Vec<_>>();
    let components: Vec<Value> = model
        .ids()
        .map(|c| {
            let comp = model.component(c);
            let spofs = report.spofs.as_ref().and_then(|s| s.get(c.index()).and_then(Option::as_deref));
            let avail = report.availability.as_ref().and_then(|a| a.get(c.index()).and_then(Option::as_ref));
            let needs: Vec<Value> = comp
                .requirements
                .iter()
                .map(|r| {
                    let shape = match r.shape {
                        RequirementShape::Single => 0,
                        RequirementShape::AnyOf => 1,
                        RequirementShape::Quorum => 2,
                    };
                    let origin = match r.origin {
                        Origin::DependsOn => 0,
                        Origin::RunsIn => 1,
                        Origin::Within => 2,
                    };
                    json!([shape, r.need, u8::from(r.mode == Mode::Soft), origin, index(&r.members)])
                })
                .collect();
            json!({
                "id": comp.id,
                "name": safe(&comp.name),
                "kind": comp.kind.as_str(),
                "tier": comp.tier,
                "owner": comp.owner.as_deref().map(safe),
                "system": comp.system.as_deref().map(safe),
                "critical": comp.is_critical(),
                "entrypoint": comp.entrypoint,
                "declared": comp.availability,
                "ceiling": avail.map(|a| a.value),
                "slo": comp.slo,
                "slo_met": match (avail, comp.slo) {
                    (Some(a), Some(slo)) => Some(a.meets_slo(slo)),
                    (None, Some(_)) => Some(true),
                    _ => None,
                },
                "wave": waves.wave_of.get(c.index()).copied().flatten(),
                "needs": needs,
                "spofs": spofs.map(|s| index(&s[..s.len().min(SPOFS_EMBEDDED)])),
                "spofs_total": spofs.map(|_| crate::render::report::spof_total(report, c)),
            })
        })
        .collect();
    json!({
        "schema": "blastmap.html/v2",
        "components": components,
    })
}
