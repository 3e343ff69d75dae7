//! Illusory redundancy in words (docs/semantics.md#illusory-redundancy).

use blastmap_analysis::spof::IllusoryGroup;
use blastmap_manifest::{ComponentId, Model, Origin};

use crate::render::join_and;

/// Says why one failure defeats a group, in words a person reads: "a and b
/// both run only in zone-a: zone-a takes down orders". Built for the records
/// a renderer shows (a large inventory has millions). Raw ids: the caller
/// makes the sentence safe for its format.
pub(crate) fn explain(model: &Model, fate: &IllusoryGroup) -> String {
    let id = |c: ComponentId| model.component(c).id.as_str();
    let culprit = id(fate.culprit);
    let members: Vec<&str> = fate.members_down.iter().map(|&m| id(m)).collect();
    let only_in = fate.members_down.iter().all(|&m| {
        let mut placement = model
            .component(m)
            .requirements
            .iter()
            .filter(|r| matches!(r.origin, Origin::RunsIn | Origin::Within));
        matches!((placement.next(), placement.next()), (Some(only), None) if only.members == [fate.culprit])
    });
    let subject = if fate.members_down.contains(&fate.culprit) && members.len() > 1 {
        // The culprit is a member that takes the others down with it.
        let others: Vec<&str> =
            fate.members_down.iter().filter(|&&m| m != fate.culprit).map(|&m| id(m)).collect();
        let verb = if others.len() == 1 { "fails" } else { "fail" };
        format!("{} {verb} together with", join_and(&others))
    } else {
        let how = if only_in { "run only in" } else { "depend on" };
        match members.as_slice() {
            [one] => format!("{one} {}", how.replace("run ", "runs ").replace("depend ", "depends ")),
            [a, b] => format!("{a} and {b} both {how}"),
            many => format!("{} all {how}", join_and(many)),
        }
    };
    let owner = id(fate.component);
    let outcome = if fate.component_down {
        format!("{culprit} takes down {owner}")
    } else {
        format!("{culprit} defeats this redundancy of {owner}")
    };
    format!("{subject} {culprit}: {outcome}")
}
