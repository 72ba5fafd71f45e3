//! The fleet's entries: `top` and `repositories` (a name, or a map with settings), each
//! entry's branch, upstream and weights, and no repository listed twice.

use std::collections::BTreeMap;

use super::load::{Cx, Fleet};
use super::names::{valid_branch, MAX_WEIGHT, REPO_KEYS};
use super::raw::{RawRepo, RawWeights};
use super::{RepoSpec, Upstream, Weights};
use crate::repo_name::{printable, RepoName};
use crate::yaml::{self, Value};

impl Cx {
    pub(super) fn repo_list(
        &mut self,
        path: &str,
        value: Option<Value>,
        fleet: Fleet<'_>,
    ) -> Vec<RepoSpec> {
        let items = match value {
            None | Some(Value::Null) => return vec![],
            Some(Value::Sequence(items)) => items,
            Some(_) => {
                self.problem(
                    path,
                    "must be a list",
                    Some("write one `- owner/name` per line".into()),
                );
                return vec![];
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let p = format!("{path}[{i}]");
            let raw = match item {
                Value::String(s) => RawRepo {
                    repo: s,
                    ..RawRepo::default()
                },
                Value::Mapping(_) => match yaml::from_value::<RawRepo>(item) {
                    Ok(r) => r,
                    Err((inner, message)) => {
                        self.serde_problem(&p, &inner, &message, REPO_KEYS);
                        continue;
                    }
                },
                _ => {
                    self.problem(
                        &p,
                        "expected `owner/name` or a map with `repo:`",
                        Some("write `- owner/name`, or `- repo: owner/name` with optional `branch` (or `branches`), `upstream`, `connected`, `weights`, `tags`, `reviewers`".into()),
                    );
                    continue;
                }
            };
            if let Some(spec) = self.repo(&p, raw, fleet) {
                out.push(spec);
            }
        }
        out
    }

    pub(super) fn repo(&mut self, path: &str, raw: RawRepo, fleet: Fleet<'_>) -> Option<RepoSpec> {
        let weights = fleet.weights;
        let repo_path = if self.lines.has(&format!("{path}.repo")) {
            format!("{path}.repo")
        } else {
            path.to_string()
        };
        let repo = match raw.repo.parse::<RepoName>() {
            Ok(r) => Some(r),
            Err(e) => {
                let hint = if !raw.repo.contains('/') {
                    "write the full name, `owner/name`".to_string()
                } else {
                    "use the repository's full name as it appears in its GitHub URL".to_string()
                };
                self.problem(&repo_path, e.to_string(), Some(hint));
                None
            }
        };
        if let Some(b) = &raw.branch {
            self.branch_name(&format!("{path}.branch"), b);
        }
        let upstream = raw
            .upstream
            .as_deref()
            .and_then(|u| self.upstream(&format!("{path}.upstream"), u));
        let branches = self.branches(path, &raw, upstream.as_ref());
        let repo_weights = match &raw.weights {
            Some(w) => self.weights(&format!("{path}.weights"), w, *weights),
            None => *weights,
        };
        // The entry's own `tags:` replaces the fleet-wide one.
        let tags = match raw.tags {
            Some(v) => self.tags(&format!("{path}.tags"), v),
            None => Some(fleet.tags.clone()),
        };
        Some(RepoSpec {
            repo: repo?,
            branch: raw.branch,
            branches,
            upstream,
            connected: raw.connected,
            weights: repo_weights,
            tags: tags.unwrap_or_default(),
            reviewers: self.logins(&format!("{path}.reviewers"), raw.reviewers),
        })
    }

    pub(super) fn upstream(&mut self, path: &str, text: &str) -> Option<Upstream> {
        let (name, branch) = match text.split_once(':') {
            Some((n, b)) => (n, Some(b.to_string())),
            None => (text, None),
        };
        if let Some(b) = &branch {
            if !self.branch_name(path, b) {
                return None;
            }
        }
        match name.parse::<RepoName>() {
            Ok(repo) => Some(Upstream { repo, branch }),
            Err(e) => {
                self.problem(
                    path,
                    e.to_string(),
                    Some("write `owner/name` or `owner/name:branch`".into()),
                );
                None
            }
        }
    }

    /// Checks a branch name against git's ref-name rules; reports and returns false if bad.
    pub(super) fn branch_name(&mut self, path: &str, name: &str) -> bool {
        if valid_branch(name) {
            return true;
        }
        self.problem(
            path,
            format!("`{}` is not a valid branch name", printable(name)),
            Some("branch names cannot be empty, contain spaces, `..`, `~^:?*[\\`, control characters, or start with `-` or `/`".into()),
        );
        false
    }

    pub(super) fn duplicates(&mut self, top: &[RepoSpec], repositories: &[RepoSpec]) {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let entries = top
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("top[{i}]"), s))
            .chain(
                repositories
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("repositories[{i}]"), s)),
            );
        for (path, spec) in entries {
            match seen.get(&spec.repo.key()) {
                Some(first) => {
                    let first_line = self
                        .lines
                        .line_of(first)
                        .map(|l| format!(" (line {l})"))
                        .unwrap_or_default();
                    let hint = if first.starts_with("top") && path.starts_with("repositories") {
                        "remove it from `repositories`: repositories in `top` are always synced first".to_string()
                    } else {
                        "list each repository once".to_string()
                    };
                    self.problem(
                        &path,
                        format!("`{}` is already listed at {first}{first_line}", spec.repo),
                        Some(hint),
                    );
                }
                None => {
                    seen.insert(spec.repo.key(), path);
                }
            }
        }
    }

    pub(super) fn weights(&mut self, path: &str, raw: &RawWeights, base: Weights) -> Weights {
        let mut w = base;
        let fields: [(&str, Option<i64>, &mut i64); 8] = [
            ("commits_behind", raw.commits_behind, &mut w.commits_behind),
            (
                "days_since_last_sync",
                raw.days_since_last_sync,
                &mut w.days_since_last_sync,
            ),
            ("open_prs", raw.open_prs, &mut w.open_prs),
            (
                "security_alerts",
                raw.security_alerts,
                &mut w.security_alerts,
            ),
            ("connected", raw.connected, &mut w.connected),
            ("has_workflows", raw.has_workflows, &mut w.has_workflows),
            ("stale", raw.stale, &mut w.stale),
            ("new_prs", raw.new_prs, &mut w.new_prs),
        ];
        let mut bad = Vec::new();
        for (name, value, slot) in fields {
            if let Some(v) = value {
                if (0..=MAX_WEIGHT).contains(&v) {
                    *slot = v;
                } else {
                    bad.push((name, v));
                }
            }
        }
        for (name, v) in bad {
            self.problem(
                &format!("{path}.{name}"),
                format!("weight {v} is out of range"),
                Some(format!(
                    "weights are whole numbers from 0 to {MAX_WEIGHT}; 0 turns a term off"
                )),
            );
        }
        w
    }
}
