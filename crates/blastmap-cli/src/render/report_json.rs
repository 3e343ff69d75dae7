//! The `blastmap.report/v1` JSON, serialized straight from the results:
//! views that borrow the model and the report implement `Serialize`, and
//! `serde_json` writes them through the caller's buffered writer. No tree
//! of values and no text of the whole report is ever built; the largest
//! thing held is one component's `--detail` lists (or one window of them).
//!
//! Keys are written in alphabetical order, as the report has always been
//! (it was a `serde_json::Value` map, which sorts its keys), so the bytes
//! are the same as before.

use std::io::{self, Write};

use blastmap_analysis::availability::{Availability, Method};
use blastmap_analysis::cuts::{CutSets, Over, TooManyCandidates};
use blastmap_analysis::report::{Report, stream_detail};
use blastmap_analysis::spof::IllusoryGroup;
use blastmap_analysis::sweep::{BlastRadius, DetailLists};
use blastmap_manifest::{ComponentId, Model};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use crate::render::fate::explain;
use crate::render::report::spof_total;
use crate::render::{Ids, write_pretty};

/// How many entries a per-component list (`spofs`, `cut_sets`) of the JSON
/// report holds without `--detail`; `spofs_total` and `cut_sets_total`
/// always give the full count. Without the cap a chain of n critical
/// components writes n² ids from an input of size n.
pub(crate) const JSON_LISTED: usize = 100;

/// Writes the report to `out`, pretty-printed, with a final newline. With
/// `detail: Some(max_pairs)`, the complete lists are computed a window of
/// at most `max_pairs` ids at a time as they are written
/// ([`blastmap_analysis::report::stream_detail`]).
pub(crate) fn write_json(
    model: &Model,
    report: &Report,
    detail: Option<u64>,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_pretty(out, &ReportView { model, report, detail })
}

/// Several lists of components (cycles, waves).
struct IdLists<'a, L> {
    model: &'a Model,
    lists: &'a [L],
    ids: fn(&L) -> &[ComponentId],
}

impl<L> Serialize for IdLists<'_, L> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.lists.iter().map(|l| Ids { model: self.model, ids: (self.ids)(l) }))
    }
}

struct ReportView<'a> {
    model: &'a Model,
    report: &'a Report,
    detail: Option<u64>,
}

/// The top-level object, keys in alphabetical order.
impl Serialize for ReportView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (model, report) = (self.model, self.report);
        let cold = report.cold_start.as_ref();
        let never: Option<Vec<ComponentId>> =
            cold.map(|c| c.never_starts.iter().map(|n| n.component).collect());
        let mut top = s.serialize_struct("Report", 10)?;
        top.serialize_field("components", &Components { view: self })?;
        top.serialize_field(
            "cut_sets_skipped",
            &report.cuts.as_ref().and_then(|c| c.as_ref().err()).map(Skipped),
        )?;
        top.serialize_field(
            "cycle_paths",
            &IdLists { model, lists: &report.cycle_paths, ids: |c| c.path.as_slice() },
        )?;
        top.serialize_field("cycles", &IdLists { model, lists: &report.cycles, ids: Vec::as_slice })?;
        top.serialize_field(
            "illusory_redundancy",
            &report.illusory_redundancy.as_ref().map(|t| Groups { model, groups: &t.listed }),
        )?;
        top.serialize_field(
            "illusory_redundancy_implied",
            &report.illusory_redundancy.as_ref().map(|t| t.implied),
        )?;
        top.serialize_field("never_starts", &never.as_deref().map(|ids| Ids { model, ids }))?;
        top.serialize_field("schema", "blastmap.report/v1")?;
        top.serialize_field(
            "summary",
            &Summary { components: report.components, requirements: report.requirements },
        )?;
        top.serialize_field("waves", &cold.map(|c| IdLists { model, lists: &c.waves, ids: Vec::as_slice }))?;
        top.end()
    }
}

#[derive(Serialize)]
struct Summary {
    components: usize,
    requirements: usize,
}

struct Skipped<'a>(&'a TooManyCandidates);

impl Serialize for Skipped<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out {
            bound: u64,
            candidates: u64,
            reason: &'static str,
        }
        let reason = match self.0.reason {
            Over::Candidates => "candidates",
            Over::Pairs => "pairs",
        };
        Out { bound: self.0.bound, candidates: self.0.candidates, reason }.serialize(s)
    }
}

struct Groups<'a> {
    model: &'a Model,
    groups: &'a [IllusoryGroup],
}

impl Serialize for Groups<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            component: &'a str,
            culprit: &'a str,
            explanation: String,
            members: Ids<'a>,
            takes_down: bool,
        }
        let model = self.model;
        s.collect_seq(self.groups.iter().map(|t| Out {
            component: &model.component(t.component).id,
            culprit: &model.component(t.culprit).id,
            explanation: explain(model, t),
            members: Ids { model, ids: &t.members_down },
            takes_down: t.component_down,
        }))
    }
}

/// The `components` array: one object per component in id order, with its
/// `--detail` lists streamed window by window when asked.
struct Components<'a> {
    view: &'a ReportView<'a>,
}

impl Serialize for Components<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.view;
        let mut seq = s.serialize_seq(Some(view.model.len()))?;
        match view.detail {
            Some(max_pairs) => stream_detail(view.model, view.report, max_pairs, |c, lists| {
                seq.serialize_element(&ComponentView::new(view, c, Some(&lists)))
            })?,
            None => {
                for c in view.model.ids() {
                    seq.serialize_element(&ComponentView::new(view, c, None))?;
                }
            }
        }
        seq.end()
    }
}

/// One component, keys in alphabetical order.
#[derive(Serialize)]
struct ComponentView<'a> {
    availability: Option<AvailabilityView<'a>>,
    blast_radius: Option<RadiusView<'a>>,
    critical: bool,
    cut_sets: Option<CutSetsView<'a>>,
    cut_sets_total: Option<usize>,
    defined: bool,
    id: &'a str,
    kind: &'a str,
    slo: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slo_met: Option<bool>,
    spofs: Option<Ids<'a>>,
    spofs_total: Option<usize>,
    tier: u8,
}

impl<'a> ComponentView<'a> {
    fn new(view: &'a ReportView<'a>, c: ComponentId, lists: Option<&'a DetailLists>) -> Self {
        let (model, report) = (view.model, view.report);
        let cap = if lists.is_some() { usize::MAX } else { JSON_LISTED };
        let comp = model.component(c);
        let held = report.spofs.as_ref().and_then(|s| s.get(c.index()).and_then(Option::as_deref));
        // With `--detail`, SPOFs (and order-1 cut sets, the same list) come
        // whole from the stream; the report holds at most the first ones.
        let spofs = held.map(|held| match lists {
            Some(lists) => lists.causes.as_slice(),
            None => held.get(..held.len().min(cap)).unwrap_or_default(),
        });
        let cuts = report.cuts.as_ref().and_then(|cuts| cuts.as_ref().ok()).and_then(|cuts| {
            let at = cuts.binary_search_by_key(&c, |x| x.component).ok()?;
            cuts.get(at)
        });
        let singles = |x: &'a CutSets| match lists {
            Some(lists) if report.spofs.is_some() => lists.causes.as_slice(),
            _ => x.singles.as_slice(),
        };
        let avail = report.availability.as_ref().and_then(|a| a.get(c.index()).and_then(Option::as_ref));
        let slo_met = match (avail, comp.slo) {
            (Some(a), Some(slo)) => Some(a.meets_slo(slo)),
            _ => None,
        };
        ComponentView {
            availability: avail.map(|a| AvailabilityView { model, a, costs: comp.slo.is_some() }),
            blast_radius: report.radii.as_ref().and_then(|r| r.get(c.index())).map(|r| RadiusView {
                model,
                r,
                lists,
            }),
            critical: comp.is_critical(),
            cut_sets: cuts.map(|x| CutSetsView { model, singles: singles(x), pairs: &x.pairs, cap }),
            cut_sets_total: cuts.map(|x| x.singles_total + x.pairs.len()),
            defined: comp.defined,
            id: &comp.id,
            kind: comp.kind.as_str(),
            slo: comp.slo,
            slo_met,
            spofs: spofs.map(|ids| Ids { model, ids }),
            spofs_total: spofs.map(|_| spof_total(report, c)),
            tier: comp.tier,
        }
    }
}

struct RadiusView<'a> {
    model: &'a Model,
    r: &'a BlastRadius,
    lists: Option<&'a DetailLists>,
}

impl Serialize for RadiusView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            critical_down: u32,
            degraded: u32,
            #[serde(skip_serializing_if = "Option::is_none")]
            degraded_ids: Option<Ids<'a>>,
            down: u32,
            #[serde(skip_serializing_if = "Option::is_none")]
            down_ids: Option<Ids<'a>>,
            entrypoints_down: u32,
            weight_down: f64,
        }
        let (model, r) = (self.model, self.r);
        Out {
            critical_down: r.critical_down,
            degraded: r.degraded,
            degraded_ids: self.lists.map(|l| Ids { model, ids: &l.degraded }),
            down: r.down,
            down_ids: self.lists.map(|l| Ids { model, ids: &l.down }),
            entrypoints_down: r.entrypoints_down,
            weight_down: r.weight_down,
        }
        .serialize(s)
    }
}

/// Order-1 sets (`[id]`) then order-2 pairs (`[id, id]`), at most `cap`.
struct CutSetsView<'a> {
    model: &'a Model,
    singles: &'a [ComponentId],
    pairs: &'a [[ComponentId; 2]],
    cap: usize,
}

impl Serialize for CutSetsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let model = self.model;
        let singles = self.singles.iter().map(std::slice::from_ref);
        let pairs = self.pairs.iter().map(<[ComponentId; 2]>::as_slice);
        s.collect_seq(singles.chain(pairs).take(self.cap).map(|ids| Ids { model, ids }))
    }
}

struct AvailabilityView<'a> {
    model: &'a Model,
    a: &'a Availability,
    /// Whether the component has an SLO: then its costs are given.
    costs: bool,
}

impl Serialize for AvailabilityView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Cost<'a> {
            id: &'a str,
            share: f64,
        }
        #[derive(Serialize)]
        struct Out<I: Serialize> {
            #[serde(skip_serializing_if = "Option::is_none")]
            costs: Option<I>,
            high: f64,
            low: f64,
            method: &'static str,
            samples: Option<u64>,
            value: f64,
        }
        let (model, a) = (self.model, self.a);
        let (method, samples) = match a.method {
            Method::Exact => ("exact", None),
            Method::MonteCarlo { samples } => ("monte-carlo", Some(samples)),
        };
        let costs: Option<Vec<Cost<'_>>> = self.costs.then(|| {
            a.contributions
                .iter()
                .map(|k| Cost { id: &model.component(k.component).id, share: k.share })
                .collect()
        });
        Out { costs, high: a.high, low: a.low, method, samples, value: a.value }.serialize(s)
    }
}
