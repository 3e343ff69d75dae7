//! The warning every analysing command prints when nothing in the
//! inventory is critical (docs/semantics.md#criticality-missing): without
//! it, an empty single-point-of-failure section reads like an all-clear.

use blastmap_analysis::criticality::nothing_critical;
use blastmap_analysis::net::Net;
use blastmap_analysis::policy::Code;
use blastmap_analysis::sweep::{SweepOptions, sweep};
use blastmap_manifest::Model;

use crate::commands::Context;
use crate::output::eprint;
use crate::render;

/// Prints the `criticality-missing` warning on standard error when no
/// component is critical. Costs one blast-radius sweep, only then.
pub(crate) fn warn_if_nothing_critical(ctx: &Context, model: &Model) {
    if model.is_empty() || model.components().any(blastmap_manifest::Component::is_critical) {
        return;
    }
    let net = Net::new(model);
    let swept = sweep(model, &net, &SweepOptions::default());
    let Some(found) = nothing_critical(model, 1, |c| swept.radius(c).down) else { return };
    let code = Code::CriticalityMissing;
    let message = render::safe(&render::findings::nothing_critical(model, &found));
    eprint(&render::findings::warning_block(code.as_str(), &message, code.help(), ctx.err));
}
