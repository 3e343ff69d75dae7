//! The data island: per component, what the engine computed for its single
//! failure, as JSON the page's script only shows.

use blastmap_analysis::cascades::CascadePath;
use blastmap_analysis::cold_start::ColdStart;
use blastmap_analysis::report::Report;
use blastmap_manifest::{ComponentId, Mode, Model, Origin};
use serde_json::{Value, json};

use crate::render::path::group_name;
use crate::render::safe;

/// The embedded data: per component, what the engine computed for its
/// single failure. Components are referred to by index (as in `components`).
/// Without `cascades` the page has no paths (`"paths": false`).
pub(super) fn data(
    model: &Model,
    report: &Report,
    waves: &ColdStart,
    cascades: Option<&[Vec<CascadePath>]>,
) -> Value {
    let with_paths = cascades.is_some();
    let index = |list: &[ComponentId]| list.iter().map(|c| c.index()).collect::<Vec<_>>();
    let components: Vec<Value> = model
        .ids()
        .map(|c| {
            let comp = model.component(c);
            let radius = report.radii.as_ref().and_then(|r| r.get(c.index()));
            let down = radius.and_then(|r| r.down_ids.as_deref()).map(index);
            let degraded = radius.and_then(|r| r.degraded_ids.as_deref()).map(index);
            let spofs =
                report.spofs.as_ref().and_then(|s| s.get(c.index()).and_then(Option::as_deref)).map(index);
            let avail = report.availability.as_ref().and_then(|a| a.get(c.index()).and_then(Option::as_ref));
            let (paths, hot) = cascades
                .and_then(|all| all.get(c.index()))
                .map_or_else(|| (Vec::new(), Vec::new()), |paths| cascade(model, paths));
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
                "down": down,
                "degraded": degraded,
                "spofs": spofs,
                "paths": paths,
                "hot": hot,
            })
        })
        .collect();
    json!({
        "schema": "blastmap.html/v1",
        "paths": with_paths,
        "components": components,
    })
}

/// For one single failure: the cascade path of every affected component
/// (indices, the affected one first, the failed one last), with the path's
/// groups in words, and the element ids of the diagram on those paths.
fn cascade(model: &Model, cascades: &[CascadePath]) -> (Vec<Value>, Vec<String>) {
    let mut paths = Vec::new();
    let mut hot = Vec::new();
    for CascadePath { state, path, requirements: steps } in cascades {
        let mut words = Vec::new();
        for (i, &r) in steps.iter().enumerate() {
            let (Some(&from), Some(&to)) = (path.get(i), path.get(i + 1)) else { continue };
            let Some(req) = model.component(from).requirements.get(r as usize) else { continue };
            hot.push(format!("bm-e{}-{r}-{}", from.index(), to.index()));
            if req.is_group() {
                hot.push(format!("bm-e{}-{r}", from.index()));
                hot.push(format!("bm-j{}-{r}", from.index()));
            }
            let how = match (req.mode, req.is_group()) {
                (Mode::Soft, true) => format!("soft {}", group_name(model, req)),
                (Mode::Soft, false) => "soft".to_owned(),
                (Mode::Hard, true) => group_name(model, req),
                (Mode::Hard, false) if req.origin != Origin::DependsOn => "runs in".to_owned(),
                (Mode::Hard, false) => String::new(),
            };
            words.push(how);
        }
        paths.push(json!({
            "state": state.as_str(),
            "path": path.iter().map(|p| p.index()).collect::<Vec<_>>(),
            "via": words,
        }));
    }
    hot.sort_unstable();
    hot.dedup();
    (paths, hot)
}
