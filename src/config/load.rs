//! Turns inventory text into an [`Inventory`], collecting every problem (with its line and a
//! hint) instead of stopping at the first: the file is read and parsed, each top-level key is
//! checked, and each section goes from its raw shape (`raw.rs`) to its typed value
//! (`repos.rs`, `sections.rs`). [`Cx`] carries the document's line index and the problems.

use std::collections::HashMap;
use std::path::Path;

use super::error::{ConfigError, Problem};
use super::names::*;
use super::raw::*;
use super::*;
use crate::repo_name::printable;
use crate::yaml::{self, Lines, Value};

/// Reads and validates an inventory file (YAML, or JSON such as `{"repositories": [...]}`).
pub fn load_file(path: &Path) -> Result<Inventory, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: file.clone(),
        problems: vec![Problem {
            line: None,
            column: None,
            path: String::new(),
            message: format!("cannot read the inventory: {e}"),
            hint: Some(if e.kind() == std::io::ErrorKind::InvalidData {
                // It exists but is not text: "create it" would send the user the wrong way.
                "save it as UTF-8 text (YAML, or JSON); is `config` pointing at the right file?"
                    .to_string()
            } else {
                format!(
                    "create it (see examples/priority-sync.yml) or point the `config` input at it; the default is `{DEFAULT_PATH}`"
                )
            }),
        }],
    })?;
    parse_inventory(&text, &file)
}

/// Validates inventory text; `file` is only used in messages.
pub fn parse_inventory(text: &str, file: &str) -> Result<Inventory, ConfigError> {
    let mut cx = Cx {
        lines: Lines::index(text),
        problems: Vec::new(),
    };
    let inventory = match yaml::parse(text) {
        Ok(value) => cx.document(value),
        Err(e) if e.message.contains("duplicate entry") && !cx.lines.duplicates().is_empty() => {
            // The parser names the map that holds the repeated key; point at the key itself.
            for d in cx.lines.duplicates().to_vec() {
                cx.problems.push(Problem {
                    line: Some(d.line),
                    column: None,
                    path: d.path,
                    message: format!(
                        "`{}` is given twice in the same map (first on line {})",
                        printable(&d.key),
                        d.first_line
                    ),
                    hint: Some("keep one of them".into()),
                });
            }
            None
        }
        Err(e) => {
            cx.problems.push(Problem {
                line: e.line,
                column: e.column,
                path: String::new(),
                message: format!("not valid YAML or JSON: {}", e.message),
                hint: Some("check indentation, quotes and brackets around this line".into()),
            });
            None
        }
    };
    // Report in the order the user reads the file.
    cx.problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    match inventory {
        Some(inv) if cx.problems.is_empty() => Ok(inv),
        _ => Err(ConfigError {
            file: file.to_string(),
            problems: cx.problems,
        }),
    }
}

/// The fleet-wide settings an inventory entry may override.
#[derive(Clone, Copy)]
pub(super) struct Fleet<'a> {
    pub(super) weights: &'a Weights,
    pub(super) tags: &'a TagPolicy,
}

/// The checker: the document's line index and the problems found so far.
pub(super) struct Cx {
    pub(super) lines: Lines,
    pub(super) problems: Vec<Problem>,
}

impl Cx {
    pub(super) fn problem(&mut self, path: &str, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(Problem {
            line: self.lines.line_of(path),
            column: None,
            path: path.to_string(),
            message: message.into(),
            hint,
        });
    }

    /// Deserializes one section; serde's message is turned into a problem with a hint.
    pub(super) fn section<T: serde::de::DeserializeOwned + Default>(
        &mut self,
        path: &str,
        value: Option<Value>,
        fields: &[&str],
    ) -> T {
        let Some(value) = value else {
            return T::default();
        };
        if value.is_null() {
            return T::default();
        }
        match yaml::from_value::<T>(value) {
            Ok(v) => v,
            Err((inner, message)) => {
                self.serde_problem(path, &inner, &message, fields);
                T::default()
            }
        }
    }

    pub(super) fn serde_problem(
        &mut self,
        path: &str,
        inner: &str,
        message: &str,
        fields: &[&str],
    ) {
        let full = join(path, inner);
        if let Some(field) = message
            .strip_prefix("unknown field `")
            .and_then(|s| s.split('`').next())
        {
            // serde_path_to_error already ends the path with the unknown key.
            let key_path = if inner.rsplit('.').next() == Some(field) {
                full.clone()
            } else {
                join(&full, field)
            };
            let hint = match closest(field, fields) {
                Some(best) => format!("did you mean `{best}`? (valid keys: {})", fields.join(", ")),
                None => format!("valid keys here: {}", fields.join(", ")),
            };
            self.problem(
                &key_path,
                format!("unknown key `{}`", printable(field)),
                Some(hint),
            );
        } else if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|s| s.split('`').next())
        {
            let example = if field == "repo" { "owner/name" } else { "…" };
            self.problem(
                &full,
                message.to_string(),
                Some(format!("add `{field}: {example}`")),
            );
        } else {
            // serde names our internal types ("expected struct RawHub"); users wrote a map.
            let message = match message.find("expected struct ") {
                Some(i) => format!("{}expected a map", &message[..i]),
                None => message.to_string(),
            };
            let hint = if message.contains("expected i64") || message.contains("expected u") {
                "write a whole number".to_string()
            } else if message.contains("expected a boolean") {
                "write true or false".to_string()
            } else if message.contains("expected a sequence") {
                "write a list, e.g. [a, b] or one `- item` per line".to_string()
            } else if message.contains("expected a map") && !fields.is_empty() {
                format!(
                    "write `key: value` lines; valid keys here: {}",
                    fields.join(", ")
                )
            } else if message.contains("expected a map") {
                "write `key: value` lines".to_string()
            } else if message.contains("expected a string") {
                "write one value (quote it if it contains `:` or `#`)".to_string()
            } else {
                "see the Inventory section of the README for this key's shape".to_string()
            };
            self.problem(&full, message, Some(hint));
        }
    }

    /// The whole document: a map of sections, each checked (`None` when it is not a map).
    pub(super) fn document(&mut self, value: Value) -> Option<Inventory> {
        let map = match value {
            Value::Mapping(m) => m,
            Value::Null => {
                self.problem(
                    "",
                    "the inventory is empty",
                    Some("list repositories under `top:` and/or `repositories:`".into()),
                );
                return None;
            }
            _ => {
                self.problem(
                    "",
                    "the inventory must be a map with `top:` and `repositories:`",
                    Some("see examples/priority-sync.yml".into()),
                );
                return None;
            }
        };
        let sections = self.top_level(map);
        Some(self.inventory(sections))
    }

    /// The known top-level sections by name; every other key is a problem (with the closest
    /// known key when it looks like a typo).
    fn top_level(
        &mut self,
        map: impl IntoIterator<Item = (Value, Value)>,
    ) -> HashMap<String, Value> {
        let mut sections: HashMap<String, Value> = HashMap::new();
        for (k, v) in map {
            let Some(key) = k.as_str().map(str::to_string) else {
                // `1: x` or `true: x`: the key is a number or a boolean, not a section name.
                let shown = match &k {
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => "~".to_string(),
                    _ => "?complex-key".to_string(),
                };
                self.problems.push(Problem {
                    line: self.lines.line_of(&shown),
                    column: None,
                    path: String::new(),
                    message: format!("top-level key `{}` is not a name", printable(&shown)),
                    hint: Some(format!("valid top-level keys: {}", TOP_KEYS.join(", "))),
                });
                continue;
            };
            if TOP_KEYS.contains(&key.as_str()) {
                sections.insert(key, v);
            } else {
                let hint = match closest(&key, TOP_KEYS) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("valid top-level keys: {}", TOP_KEYS.join(", ")),
                };
                self.problem(
                    &key,
                    format!("unknown key `{}`", printable(&key)),
                    Some(hint),
                );
            }
        }
        sections
    }

    /// Each section from its raw shape to its typed value, defaults where it is left out.
    fn inventory(&mut self, mut sections: HashMap<String, Value>) -> Inventory {
        let raw_weights: RawWeights =
            self.section("weights", sections.remove("weights"), WEIGHT_KEYS);
        let weights = self.weights("weights", &raw_weights, Weights::default());
        let tags = match sections.remove("tags") {
            Some(v) => self.tags("tags", v).unwrap_or_default(),
            None => TagPolicy::Off,
        };
        let fleet = Fleet {
            weights: &weights,
            tags: &tags,
        };
        let top = self.repo_list("top", sections.remove("top"), fleet);
        let repositories = self.repo_list("repositories", sections.remove("repositories"), fleet);
        self.duplicates(&top, &repositories);
        if top.is_empty() && repositories.is_empty() && self.problems.is_empty() {
            self.problem(
                "",
                "the inventory lists no repositories",
                Some("add `owner/name` entries under `top:` or `repositories:`".into()),
            );
        }
        // `hub:` is a list of names, or a map with `repos:` and/or `manifest:`.
        let (raw_hub, hub_repos_path) = match sections.remove("hub") {
            Some(list @ Value::Sequence(_)) => (
                RawHub {
                    repos: self.section("hub", Some(list), &[]),
                    manifest: None,
                },
                "hub",
            ),
            other => (self.section("hub", other, HUB_KEYS), "hub.repos"),
        };
        let hub = self.hub(raw_hub, hub_repos_path);
        let raw_rules = self.section("rules", sections.remove("rules"), RULES_KEYS);
        let rules = self.rules(raw_rules);
        let raw_batches = self.section("batches", sections.remove("batches"), BATCHES_KEYS);
        let batches = self.batches(raw_batches);
        let raw_schedules = self.section("schedules", sections.remove("schedules"), &[]);
        let schedules = self.schedules(raw_schedules);
        let raw_prs = self.section(
            "pull_requests",
            sections.remove("pull_requests"),
            PULL_REQUESTS_KEYS,
        );
        let pull_requests = self.pull_requests(raw_prs);
        let raw_artifacts = self.section("artifacts", sections.remove("artifacts"), ARTIFACTS_KEYS);
        let artifacts = self.artifacts(raw_artifacts);
        let raw_notify = self.section("notify", sections.remove("notify"), NOTIFY_KEYS);
        let notify = self.notify(raw_notify);
        let raw_limits = self.section("limits", sections.remove("limits"), LIMITS_KEYS);
        let limits = self.limits(raw_limits);
        Inventory {
            top,
            repositories,
            hub,
            weights,
            rules,
            batches,
            schedules,
            pull_requests,
            artifacts,
            notify,
            limits,
            tags,
        }
    }
}
