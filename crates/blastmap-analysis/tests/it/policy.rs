//! Policy evaluation (docs/semantics.md#policy): each rule on small inventories
//! written in YAML, exceptions with their dates, and `no-regression` against a
//! baseline.

use blastmap_analysis::policy::{Code, Context, Evaluation, Found, Unused, default_policy, evaluate};
use blastmap_manifest::{Level, LoadOptions, Model, load_texts};

const TODAY: (u16, u8, u8) = (2026, 5, 1);

fn model(yaml: &str) -> Model {
    let loaded = load_texts(&[("test.yaml", yaml)], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

fn check(yaml: &str) -> (Model, Evaluation) {
    let m = model(yaml);
    let policy = m.policy.clone().expect("a policy");
    let e = evaluate(&m, &policy, &Context { today: TODAY, baseline: None, max_pairs: u64::MAX });
    (m, e)
}

/// (code, component) of every finding, in output order.
fn found(e: &Evaluation) -> Vec<(&'static str, &str)> {
    e.findings.iter().map(|f| (f.code.as_str(), f.component.as_str())).collect()
}

const SPOF: &str = r"
blastmap: 1
components:
  web: { kind: frontend, depends_on: [api] }
  api: { tier: 1, depends_on: [svc, db] }
  svc: {}
  db: { kind: database }
";

#[test]
fn no_spof_flags_datastores_and_domains_not_plain_services() {
    let (m, e) = check(
        r"
blastmap: 1
components:
  web: { kind: frontend, depends_on: [api] }
  api:
    tier: 1
    runs_in: zone-a
    depends_on:
      - svc
      - db
      - any_of: [redis-a, redis-b]
  svc: {}
  lonely: { replicas: 1 }
  batch: { depends_on: [lonely] }
  db: { kind: database }
  redis-a: { kind: cache }
  redis-b: { kind: cache }
  zone-a: { kind: zone, within: eu }
  eu: { kind: region }
policy:
  rules:
    no-spof: {}
",
    );
    // `svc` is a dependency, not a SPOF finding; `eu` is a region (not in
    // the default kinds); one redis of two is redundancy; `lonely` declares
    // one replica but takes nothing critical down.
    assert_eq!(found(&e), [("no-spof", "db"), ("no-spof", "zone-a")]);
    assert!(e.denied());
    let db = &e.findings[0];
    let Found::SinglePoint { victims, new: false, .. } = &db.found else { panic!("{:?}", db.found) };
    let victims: Vec<&str> = victims.iter().map(|&c| m.component(c).id.as_str()).collect();
    assert_eq!(victims, ["api", "web"]);
    let path: Vec<&str> =
        db.cascade.as_ref().unwrap().path.iter().map(|&c| m.component(c).id.as_str()).collect();
    // The cascade goes to what users see: an entrypoint first.
    assert_eq!(path, ["web", "api", "db"]);
    assert_eq!(db.location.line, 15);
}

#[test]
fn no_spof_parameters_tier_kinds_and_replicas() {
    let yaml = |rule: &str| {
        format!(
            r"
blastmap: 1
components:
  api: {{ tier: 2, depends_on: [db, worker] }}
  worker: {{ replicas: 1 }}
  db: {{ kind: database }}
policy:
  rules:
    no-spof: {rule}
"
        )
    };
    // Tier 1 only by default: api (tier 2) is not protected, and with
    // nothing at tier 1 the check says so instead of passing.
    let (_, e) = check(&yaml("{}"));
    assert_eq!(found(&e), [("criticality-missing", "api")]);
    assert!(e.denied());
    let Found::NothingCritical(missing) = &e.findings[0].found else { panic!("{:?}", e.findings[0].found) };
    assert_eq!(missing.tier, 1);
    assert_eq!(missing.components, 3);
    // In manifest order: `worker` is written before `db`.
    assert_eq!(found(&check(&yaml("{ tier: 2 }")).1), [("no-spof", "worker"), ("no-spof", "db")]);
    assert_eq!(found(&check(&yaml("{ tier: 2, ignore_kinds: [database] }")).1), [("no-spof", "worker")]);
    assert_eq!(found(&check(&yaml("{ tier: 2, kinds: [service] }")).1), [("no-spof", "worker")]);
}

#[test]
fn max_blast_radius_counts_percent_and_ignored_kinds() {
    let yaml = |rule: &str| {
        format!(
            r"
blastmap: 1
components:
  a: {{ depends_on: [db] }}
  b: {{ depends_on: [db] }}
  c: {{ depends_on: [db] }}
  db: {{ kind: database, within: eu }}
  eu: {{ kind: region }}
  x: {{}}
  y: {{}}
  z: {{}}
  u: {{}}
  v: {{}}
policy:
  rules:
    max-blast-radius: {rule}
"
        )
    };
    // db takes down 3 of 10 (30%); eu takes down 4 but is a region.
    assert_eq!(found(&check(&yaml("{ components: 3 }")).1), []);
    assert_eq!(found(&check(&yaml("{ components: 2 }")).1), [("max-blast-radius", "db")]);
    assert_eq!(found(&check(&yaml("{ percent: 30 }")).1), []);
    let (_, e) = check(&yaml("{ percent: 29.9 }"));
    assert_eq!(found(&e), [("max-blast-radius", "db")]);
    assert!(
        matches!(
            e.findings[0].found,
            Found::RadiusOverLimit { down: 3, components: 10, over_count: None, over_percent: Some(_) }
        ),
        "{:?}",
        e.findings[0].found
    );
    assert_eq!(found(&check(&yaml("{ components: 3, ignore_kinds: [] }")).1), [("max-blast-radius", "eu")]);
    // Neither limit set: 25 components or 10%.
    assert_eq!(found(&check(&yaml("{}")).1), [("max-blast-radius", "db")]);
}

#[test]
fn hard_cycles_are_found_in_order_and_soft_ones_are_fine() {
    let (m, e) = check(
        r"
blastmap: 1
components:
  a: { depends_on: [b] }
  b: { depends_on: [c] }
  c: { depends_on: [a] }
  d: { depends_on: [{ target: e, mode: soft }] }
  e: { depends_on: [d] }
policy:
  rules:
    no-hard-cycles: {}
",
    );
    assert_eq!(found(&e), [("no-hard-cycles", "a")]);
    let cycle: Vec<&str> = e.findings[0].cycle.iter().map(|&c| m.component(c).id.as_str()).collect();
    assert_eq!(cycle, ["a", "b", "c", "a"]);
    // Located at the requirement of `a` that starts the cycle.
    assert_eq!((e.findings[0].location.line, e.findings[0].location.column), (4, 21));
}

#[test]
fn slo_attainable_compares_the_ceiling_with_the_slo() {
    let (_, e) = check(
        r"
blastmap: 1
components:
  tight: { availability: 99.9, slo: 99.95 }
  fine: { availability: 99.99, slo: 99.9 }
  exact: { availability: 99.9, slo: 99.9 }
  never: { slo: 99.999 }
policy:
  rules:
    slo-attainable: {}
",
    );
    assert_eq!(found(&e), [("slo-attainable", "tight")]);
    assert_eq!(e.checked[0].subjects, ["exact", "fine", "never", "tight"]);
}

#[test]
fn required_fields_count_defaults_as_set_and_skip_domains() {
    let (_, e) = check(
        r"
blastmap: 1
defaults: { tier: 2 }
components:
  a: { owner: team-a }
  b: {}
  zone: { kind: zone }
policy:
  rules:
    required-fields: { fields: [owner, tier] }
  levels: { required-fields: warn }
",
    );
    assert_eq!(found(&e), [("required-fields", "b")]);
    assert_eq!(e.findings[0].level, Level::Warn);
    assert_eq!(e.findings[0].found, Found::MissingFields { fields: vec!["owner".to_owned()] });
    assert!(!e.denied());
}

fn with_exception(expires: &str) -> String {
    format!(
        r#"
blastmap: 1
components:
  api: {{ tier: 1, depends_on: [db] }}
  db: {{ kind: database }}
policy:
  rules:
    no-spof: {{}}
  exceptions:
    - rule: no-spof
      component: db
      reason: "one writer"
      expires: {expires}
"#
    )
}

#[test]
fn a_live_exception_covers_its_finding_until_its_last_day() {
    for expires in ["2026-05-01", "2030-01-01"] {
        let (_, e) = check(&with_exception(expires));
        assert_eq!(found(&e), [], "{expires}");
        assert_eq!(e.excepted.len(), 1);
        assert_eq!(e.excepted[0].finding.component, "db");
        assert_eq!(e.excepted[0].exception, 0);
    }
}

#[test]
fn an_expired_exception_is_a_violation_and_covers_nothing() {
    let (_, e) = check(&with_exception("2026-04-30"));
    assert_eq!(found(&e), [("no-spof", "db"), ("expired-exception", "db")]);
    let expired = &e.findings[1];
    assert_eq!(expired.level, Level::Deny);
    assert!(
        matches!(expired.found, Found::ExpiredException { expired: (2026, 4, 30), .. }),
        "{:?}",
        expired.found
    );
    assert_eq!(expired.location.line, 10);
    assert!(e.excepted.is_empty());
}

#[test]
fn an_exception_that_matches_nothing_is_a_warning() {
    let (_, e) = check(
        r#"
blastmap: 1
components:
  api: { tier: 1 }
  cache: { kind: cache }
policy:
  rules:
    no-spof: {}
  exceptions:
    - { rule: no-spof, component: cache, reason: "was a SPOF" }
    - { rule: no-spof, component: cahce, reason: "typo" }
    - { rule: slo-attainable, component: api, reason: "rule not enabled" }
"#,
    );
    assert_eq!(
        found(&e),
        [("unused-exception", "cache"), ("unused-exception", "cahce"), ("unused-exception", "api")]
    );
    assert!(e.findings.iter().all(|f| f.level == Level::Warn));
    assert!(
        matches!(&e.findings[1].found, Found::UnusedException { why: Unused::NoSuchComponent { suggestion: Some(s) }, .. } if s == "cache"),
        "{:?}",
        e.findings[1].found
    );
    assert!(
        matches!(&e.findings[2].found, Found::UnusedException { rule, why: Unused::RuleNotInPolicy } if rule == "slo-attainable"),
        "{:?}",
        e.findings[2].found
    );
    assert!(!e.denied());
}

#[test]
fn allow_turns_a_rule_off() {
    let (_, e) = check(
        r"
blastmap: 1
components:
  api: { tier: 1, depends_on: [db] }
  db: { kind: database }
policy:
  rules:
    no-spof: {}
  levels: { no-spof: allow }
",
    );
    assert_eq!(found(&e), []);
    assert!(e.checked.is_empty());
}

const BASE: &str = r"
blastmap: 1
components:
  api: { tier: 1, depends_on: [{ any_of: [db-a, db-b] }] }
  db-a: { kind: database }
  db-b: { kind: database }
  queue: { kind: queue }
  worker: { depends_on: [queue] }
";

const HEAD: &str = r"
blastmap: 1
components:
  api: { tier: 1, depends_on: [db-a] }
  db-a: { kind: database }
  queue: { kind: queue }
  worker: { depends_on: [queue] }
  worker-2: { depends_on: [queue] }
  worker-3: { depends_on: [queue] }
policy:
  rules:
    no-regression: { growth: 1 }
";

#[test]
fn no_regression_finds_new_spofs_and_growth_beyond_the_allowance() {
    let (base, head) = (model(BASE), model(HEAD));
    let policy = head.policy.clone().unwrap();
    let e = evaluate(&head, &policy, &Context { today: TODAY, baseline: Some(&base), max_pairs: u64::MAX });
    // db-a: new SPOF (and its radius grew by 1, which `growth: 1` allows);
    // queue: radius 1 → 3, beyond the allowance.
    assert_eq!(found(&e), [("no-regression", "db-a"), ("no-regression", "queue")]);
    assert!(matches!(e.findings[0].found, Found::SinglePoint { new: true, .. }), "{:?}", e.findings[0].found);
    assert!(
        matches!(e.findings[1].found, Found::RadiusGrowth { was: 1, now: 3, .. }),
        "{:?}",
        e.findings[1].found
    );

    // Without a baseline the rule does not run.
    let e = evaluate(&head, &policy, &Context { today: TODAY, baseline: None, max_pairs: u64::MAX });
    assert_eq!(found(&e), []);
    assert!(e.checked.iter().all(|c| c.code != Code::NoRegression));

    // Against itself: nothing regressed.
    let e = evaluate(&head, &policy, &Context { today: TODAY, baseline: Some(&head), max_pairs: u64::MAX });
    assert_eq!(found(&e), []);
}

#[test]
fn a_baseline_enables_no_regression_at_its_defaults() {
    let (base, head) = (model(BASE), model(HEAD));
    let mut policy = default_policy();
    policy.rules.retain(|r| r.rule.name() != "no-regression");
    let e = evaluate(&head, &policy, &Context { today: TODAY, baseline: Some(&base), max_pairs: u64::MAX });
    let regressions: Vec<&str> =
        e.findings.iter().filter(|f| f.code == Code::NoRegression).map(|f| f.component.as_str()).collect();
    // growth 0: db-a's growth by one counts too.
    assert_eq!(regressions, ["db-a", "db-a", "queue"]);
}

#[test]
fn the_default_policy_denies_structure_and_warns_on_thresholds() {
    let m = model(SPOF);
    let e = evaluate(&m, &default_policy(), &Context { today: TODAY, baseline: None, max_pairs: u64::MAX });
    let levels: Vec<(&str, Level)> = e.checked.iter().map(|c| (c.code.as_str(), c.level)).collect();
    assert_eq!(
        levels,
        [
            ("criticality-missing", Level::Deny),
            ("no-spof", Level::Deny),
            ("max-blast-radius", Level::Warn),
            ("no-hard-cycles", Level::Deny),
            ("slo-attainable", Level::Deny),
            ("required-fields", Level::Warn),
        ]
    );
    assert!(e.findings.iter().any(|f| f.code == Code::NoSpof && f.component == "db"));
}

#[test]
fn evaluation_is_deterministic_and_sorted() {
    let shop: Vec<(String, String)> = ["data", "domains", "policy", "services"]
        .iter()
        .map(|f| {
            let path = format!("{}/../../fixtures/shop/{f}.yaml", env!("CARGO_MANIFEST_DIR"));
            (format!("fixtures/shop/{f}.yaml"), std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let sources: Vec<(&str, &str)> = shop.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let m = load_texts(&sources, &LoadOptions::default()).model;
    let policy = m.policy.clone().unwrap();
    let a = evaluate(&m, &policy, &Context { today: TODAY, baseline: None, max_pairs: u64::MAX });
    let b = evaluate(&m, &policy, &Context { today: TODAY, baseline: Some(&m), max_pairs: u64::MAX });
    assert_eq!(
        a.findings,
        b.findings.iter().filter(|f| f.code != Code::NoRegression).cloned().collect::<Vec<_>>()
    );
    let keys: Vec<_> =
        a.findings.iter().map(|f| (f.code, f.location.file.clone(), f.location.line)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(a.count(Level::Deny), 6);
    assert_eq!(a.excepted.len(), 5);
}

#[test]
fn nothing_critical_is_a_finding_with_examples_not_a_pass() {
    let yaml = |api: &str| {
        format!(
            r"
blastmap: 1
components:
  web: {{ depends_on: [api] }}
  api: {{ {api} depends_on: [db, queue] }}
  admin: {{ depends_on: [db] }}
  db: {{ kind: database }}
  queue: {{ kind: queue }}
policy:
  rules:
    no-spof: {{}}
  levels: {{ no-spof: warn }}
"
        )
    };
    let (m, e) = check(&yaml(""));
    assert_eq!(found(&e), [("criticality-missing", "web")]);
    // At the rule's level: a warning here, so the check is not denied.
    assert_eq!(e.findings[0].level, Level::Warn);
    assert!(!e.denied());
    let Found::NothingCritical(missing) = &e.findings[0].found else { panic!("{:?}", e.findings[0].found) };
    let ids = |cs: &[blastmap_manifest::ComponentId]| -> Vec<String> {
        cs.iter().map(|&c| m.component(c).id.clone()).collect()
    };
    // db takes web, api and admin down; queue takes web and api.
    let biggest: Vec<(String, u32)> =
        missing.biggest.iter().map(|&(c, d)| (m.component(c).id.clone(), d)).collect();
    assert_eq!(biggest, [("db".to_owned(), 3), ("queue".to_owned(), 2)]);
    // Nothing depends on web or admin: the candidates for `entrypoint: true`.
    assert_eq!(ids(&missing.tops), ["web", "admin"]);
    // One entrypoint is enough: the SPOFs are then found as usual.
    let (_, e) = check(&yaml("entrypoint: true,"));
    assert_eq!(found(&e), [("no-spof", "db"), ("no-spof", "queue")]);
}
