//! The `policy` section of a native manifest (docs/semantics.md#policy).

use std::ops::Range;

use super::decode::Decoder;
use super::{COMPONENT_KEYS, EXCEPTION_KEYS, POLICY_KEYS, parse_date};
use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::policy::{Exception, Level, Policy, Rule, RuleConfig};
use crate::staging::Fields;
use crate::syntax::{Node, Value};

impl Decoder<'_> {
    pub(super) fn policy(&mut self, node: &Node, key: &Node) -> Option<Policy> {
        let entries = self.map(node, "a policy", "`policy` has `rules`, `levels` and `exceptions`")?;
        let mut rules: Vec<RuleConfig> = Vec::new();
        let mut levels: Vec<(String, Level, Range<usize>)> = Vec::new();
        let mut exceptions = Vec::new();
        for (k, k_node, value) in self.keyed(entries) {
            match k {
                "rules" => {
                    if matches!(value.value, Value::Null) {
                        continue;
                    }
                    let Some(list) = self.map(value, "rules", "`rules` maps rule names to parameters") else {
                        continue;
                    };
                    for (name, name_node, params) in self.keyed(list) {
                        if let Some(rule) = self.rule(name, name_node, params) {
                            rules.push(RuleConfig {
                                rule,
                                level: Level::Deny,
                                location: self.file.location(&name_node.span),
                            });
                        }
                    }
                }
                "levels" => {
                    let Some(list) =
                        self.map(value, "levels", "`levels` maps rule names to deny, warn or allow")
                    else {
                        continue;
                    };
                    for (name, name_node, level) in self.keyed(list) {
                        if !self.known_rule(name, name_node) {
                            continue;
                        }
                        let Some(text) = self.text(level, "a level") else { continue };
                        if let Some(l) = Level::parse(&text) {
                            levels.push((name.to_owned(), l, name_node.span.clone()));
                        } else {
                            self.error(Diagnostic::unknown_level(self.file, level.span.clone(), &text));
                        }
                    }
                }
                "exceptions" => {
                    let Value::Seq(items) = &value.value else {
                        self.invalid_type(value, "a list (exceptions)", "list exceptions, one mapping each");
                        continue;
                    };
                    for item in items {
                        if let Some(e) = self.exception(item) {
                            exceptions.push(e);
                        }
                    }
                }
                other => self.unknown_key(k_node, other, &POLICY_KEYS, "`policy`"),
            }
        }
        for (name, level, span) in levels {
            match rules.iter_mut().find(|r| r.rule.name() == name) {
                Some(rule) => rule.level = level,
                None => self.error(Diagnostic::level_of_disabled_rule(self.file, span, &name)),
            }
        }
        Some(Policy { rules, exceptions, location: self.file.location(&key.span) })
    }

    fn known_rule(&mut self, name: &str, node: &Node) -> bool {
        if Rule::NAMES.contains(&name) {
            return true;
        }
        self.error(Diagnostic::unknown_rule(self.file, node.span.clone(), name));
        false
    }

    fn kinds(&mut self, node: &Node) -> Option<Vec<Kind>> {
        let Value::Seq(items) = &node.value else {
            self.invalid_type(node, "a list of kinds", "write `[database, cache]`");
            return None;
        };
        let mut kinds = Vec::new();
        for item in items {
            let mut f = Fields::default();
            self.field(&mut f, "kind", item.clone());
            kinds.extend(f.kind);
        }
        kinds.sort();
        kinds.dedup();
        Some(kinds)
    }

    fn rule(&mut self, name: &str, name_node: &Node, params: &Node) -> Option<Rule> {
        if !self.known_rule(name, name_node) {
            return None;
        }
        let allowed: &[&str] = match name {
            "no-spof" => &["tier", "kinds", "ignore_kinds"],
            "max-blast-radius" => &["components", "percent", "ignore_kinds"],
            "required-fields" => &["fields", "kinds"],
            "no-regression" => &["growth"],
            _ => &[],
        };
        let entries = match &params.value {
            Value::Null => &[][..],
            _ => self.map(params, "rule parameters", "write `{}` for a rule without parameters")?,
        };
        let mut rule = match name {
            "no-spof" => {
                Rule::NoSpof { tier: 1, kinds: Rule::default_spof_kinds(), ignore_kinds: Vec::new() }
            }
            "max-blast-radius" => Rule::MaxBlastRadius {
                components: None,
                percent: None,
                ignore_kinds: vec![Kind::Region, Kind::Provider],
            },
            "no-hard-cycles" => Rule::NoHardCycles,
            "slo-attainable" => Rule::SloAttainable,
            "required-fields" => Rule::RequiredFields {
                fields: Vec::new(),
                kinds: Kind::ALL.into_iter().filter(|k| !k.is_domain()).collect(),
            },
            _ => Rule::NoRegression { growth: 0 },
        };
        for (key, key_node, value) in self.keyed(entries) {
            if !allowed.contains(&key) {
                let context = format!("rule `{name}`");
                if allowed.is_empty() {
                    self.error(Diagnostic::rule_without_parameters(
                        self.file,
                        key_node.span.clone(),
                        key,
                        name,
                    ));
                } else {
                    self.unknown_key(key_node, key, allowed, &context);
                }
                continue;
            }
            match (&mut rule, key) {
                (Rule::NoSpof { tier, .. }, "tier") => {
                    let mut f = Fields::default();
                    if self.field(&mut f, "tier", value.clone()).is_some() {
                        *tier = f.tier.unwrap_or(1);
                    }
                }
                (Rule::NoSpof { kinds, .. } | Rule::RequiredFields { kinds, .. }, "kinds") => {
                    if let Some(k) = self.kinds(value) {
                        *kinds = k;
                    }
                }
                (
                    Rule::NoSpof { ignore_kinds, .. } | Rule::MaxBlastRadius { ignore_kinds, .. },
                    "ignore_kinds",
                ) => {
                    if let Some(k) = self.kinds(value) {
                        *ignore_kinds = k;
                    }
                }
                (Rule::MaxBlastRadius { components, .. }, "components") => {
                    if let Some(n) = self.integer(value, "a component count") {
                        *components = u32::try_from(n).ok();
                        if components.is_none() {
                            self.error(Diagnostic::invalid_component_count(self.file, value.span.clone(), n));
                        }
                    }
                }
                (Rule::MaxBlastRadius { percent, .. }, "percent") => {
                    *percent = self.percentage(value, "percent");
                }
                (Rule::RequiredFields { fields, .. }, "fields") => {
                    let Value::Seq(items) = &value.value else {
                        self.invalid_type(value, "a list of field names", "write `[owner, tier]`");
                        continue;
                    };
                    for item in items {
                        let Some(f) = self.text(item, "a field name") else { continue };
                        if COMPONENT_KEYS.contains(&f.as_str()) {
                            fields.push(f);
                        } else {
                            self.error(Diagnostic::unknown_field(
                                self.file,
                                item.span.clone(),
                                &f,
                                &COMPONENT_KEYS,
                            ));
                        }
                    }
                }
                (Rule::NoRegression { growth }, "growth") => {
                    if let Some(n) = self.integer(value, "a growth") {
                        *growth = u32::try_from(n).unwrap_or(0);
                    }
                }
                _ => {}
            }
        }
        Some(rule)
    }

    fn exception(&mut self, node: &Node) -> Option<Exception> {
        let entries =
            self.map(node, "an exception", "an exception has `rule`, `component`, `reason`, `expires`")?;
        let mut e = Exception {
            rule: String::new(),
            component: String::new(),
            reason: String::new(),
            expires: None,
            location: self.file.location(&node.span),
        };
        let mut ok = true;
        for (key, key_node, value) in self.keyed(entries) {
            match key {
                "rule" => match self.text(value, "a rule") {
                    Some(rule) if self.known_rule(&rule, value) => e.rule = rule,
                    _ => ok = false,
                },
                "component" => match self.id(value, "a component") {
                    Some(id) => id.clone_into(&mut e.component),
                    None => ok = false,
                },
                "reason" => e.reason = self.text(value, "a reason").unwrap_or_default(),
                "expires" => {
                    let text = self.text(value, "a date")?;
                    if let Some(date) = parse_date(&text) {
                        e.expires = Some(date);
                    } else {
                        self.error(Diagnostic::invalid_date(self.file, value.span.clone(), &text));
                        ok = false;
                    }
                }
                other => self.unknown_key(key_node, other, &EXCEPTION_KEYS, "an exception"),
            }
        }
        for (field, missing) in [
            ("rule", e.rule.is_empty()),
            ("component", e.component.is_empty()),
            ("reason", e.reason.is_empty()),
        ] {
            if missing && ok {
                self.error(Diagnostic::exception_without(self.file, node.span.clone(), field));
                ok = false;
            }
        }
        ok.then_some(e)
    }
}
