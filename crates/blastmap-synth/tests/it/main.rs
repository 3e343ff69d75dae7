//! The generator: deterministic bytes, and inventories the loader accepts
//! with the shape that was asked for.

use blastmap_manifest::{LoadOptions, Mode, Model, RequirementShape, load_texts};
use blastmap_synth::{Config, Format, generate};

fn config(components: usize, requirements: usize, seed: u64, hard_only: bool) -> Config {
    Config { components, requirements, seed, hard_only }
}

fn load(name: &str, text: &str) -> Model {
    let loaded = load_texts(&[(name, text)], &LoadOptions::default());
    let problems: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{name}: {problems:?}");
    loaded.model
}

/// Per component: id, tier, and (need, member count, mode) per requirement.
type Shape = Vec<(String, u8, Vec<(u32, usize, Mode)>)>;

fn requirement_count(model: &Model) -> usize {
    model.components().map(|c| c.requirements.len()).sum()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    for format in [Format::Yaml, Format::Json] {
        for hard_only in [false, true] {
            let a = generate(&config(2_000, 10_000, 7, hard_only), format).unwrap();
            let b = generate(&config(2_000, 10_000, 7, hard_only), format).unwrap();
            let c = generate(&config(2_000, 10_000, 8, hard_only), format).unwrap();
            assert_eq!(a, b, "{format:?} hard_only={hard_only}");
            assert_ne!(a, c, "{format:?} hard_only={hard_only}");
        }
    }
}

#[test]
fn output_validates_with_the_requested_size_in_both_syntaxes() {
    let wanted = config(3_000, 15_000, 1, false);
    let yaml = load("synth.yaml", &generate(&wanted, Format::Yaml).unwrap());
    let json = load("synth.json", &generate(&wanted, Format::Json).unwrap());
    assert_eq!(yaml.len(), 3_000);
    assert_eq!(requirement_count(&yaml), 15_000);
    // The two syntaxes carry the same inventory.
    let shape = |m: &Model| -> Shape {
        m.components()
            .map(|c| {
                (
                    c.id.clone(),
                    c.tier,
                    c.requirements.iter().map(|r| (r.need, r.members.len(), r.mode)).collect(),
                )
            })
            .collect()
    };
    assert_eq!(shape(&yaml), shape(&json));
    // A realistic mix: soft requirements, groups of both kinds, and
    // critical components.
    let all: Vec<_> = yaml.components().flat_map(|c| &c.requirements).collect();
    assert!(all.iter().any(|r| r.mode == Mode::Soft));
    assert!(all.iter().any(|r| r.shape == RequirementShape::AnyOf));
    assert!(all.iter().any(|r| r.shape == RequirementShape::Quorum));
    assert!(yaml.components().any(|c| c.tier == 1 && c.slo.is_some()));
}

#[test]
fn hard_only_means_single_hard_targets() {
    let model = load("hard.yaml", &generate(&config(3_000, 15_000, 3, true), Format::Yaml).unwrap());
    assert_eq!(requirement_count(&model), 15_000);
    for c in model.components() {
        for r in &c.requirements {
            assert_eq!(
                (r.shape, r.mode, r.members.len()),
                (RequirementShape::Single, Mode::Hard, 1),
                "{}",
                c.id
            );
        }
    }
}

#[test]
fn too_small_is_an_error_not_a_panic() {
    assert!(generate(&config(19, 10, 1, false), Format::Yaml).is_err());
    let smallest = generate(&config(Config::MIN_COMPONENTS, 100, 1, false), Format::Yaml).unwrap();
    assert_eq!(load("small.yaml", &smallest).len(), Config::MIN_COMPONENTS);
}
