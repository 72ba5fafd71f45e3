//! `branches:` on a repository entry: names, globs (`release/*`) and `{name, upstream}` maps,
//! each checked on its own line; `branch:` and `branches:` together, a duplicate item, or an
//! upstream branch given twice (in `upstream: owner/name:branch` and in the list) are errors
//! with a fix.

use super::load::Cx;
use super::names::{valid_branch, BRANCH_KEYS};
use super::raw::{RawBranch, RawRepo};
use super::{BranchSpec, Upstream};
use crate::repo_name::printable;
use crate::yaml::{self, Value};

/// Most items one `branches:` list may hold (a glob counts once, whatever it matches).
pub const MAX_BRANCH_ITEMS: usize = 20;

impl Cx {
    /// The checked `branches:` of a repository entry at `path` (empty when not given).
    pub(super) fn branches(
        &mut self,
        path: &str,
        raw: &RawRepo,
        upstream: Option<&Upstream>,
    ) -> Vec<BranchSpec> {
        let p = format!("{path}.branches");
        let items = match &raw.branches {
            None | Some(Value::Null) => return vec![],
            Some(Value::Sequence(items)) if !items.is_empty() => items.clone(),
            Some(Value::Sequence(_)) => {
                self.problem(
                    &p,
                    "is an empty list",
                    Some(
                        "list at least one branch, or remove `branches` to sync the default branch"
                            .into(),
                    ),
                );
                return vec![];
            }
            Some(_) => {
                self.problem(
                    &p,
                    "must be a list",
                    Some("write one `- branch` (or `- release/*`) per line".into()),
                );
                return vec![];
            }
        };
        if raw.branch.is_some() {
            self.problem(
                &format!("{path}.branch"),
                "`branch` and `branches` are both given",
                Some(
                    "keep one: move the branch into the `branches` list, or remove `branches`"
                        .into(),
                ),
            );
        }
        if let Some(Upstream {
            branch: Some(b), ..
        }) = upstream
        {
            self.problem(
                &format!("{path}.upstream"),
                format!(
                    "names the upstream branch `{}` while `branches` lists several",
                    printable(b)
                ),
                Some("write `upstream: owner/name` and give each branch its upstream branch in `branches` (`- name: main` / `  upstream: master`)".into()),
            );
        }
        if items.len() > MAX_BRANCH_ITEMS {
            self.problem(
                &p,
                format!("lists {} items", items.len()),
                Some(format!(
                    "list at most {MAX_BRANCH_ITEMS}; a glob (`release/*`) counts once"
                )),
            );
        }
        let mut out: Vec<BranchSpec> = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let ip = format!("{p}[{i}]");
            let Some(spec) = self.branch_item(&ip, item) else {
                continue;
            };
            if out.iter().any(|b| b.name == spec.name) {
                self.problem(
                    &ip,
                    format!("`{}` is listed twice", printable(&spec.name)),
                    Some("list each branch once".into()),
                );
                continue;
            }
            out.push(spec);
        }
        out
    }

    /// One item: a name or glob, or a map `{name, upstream}`.
    fn branch_item(&mut self, path: &str, item: Value) -> Option<BranchSpec> {
        let raw = match item {
            Value::String(s) => RawBranch {
                name: s,
                upstream: None,
            },
            Value::Mapping(_) => match yaml::from_value::<RawBranch>(item) {
                Ok(r) => r,
                Err((inner, message)) => {
                    self.serde_problem(path, &inner, &message, BRANCH_KEYS);
                    return None;
                }
            },
            _ => {
                self.problem(
                    path,
                    "expected a branch name, a glob like `release/*`, or a map with `name:`",
                    Some(
                        "write `- main`, `- release/*`, or `- name: main` with `upstream: master`"
                            .into(),
                    ),
                );
                return None;
            }
        };
        let name_path = if self.lines.has(&format!("{path}.name")) {
            format!("{path}.name")
        } else {
            path.to_string()
        };
        let mut ok = self.branch_pattern(&name_path, &raw.name);
        if let Some(u) = &raw.upstream {
            let up_path = format!("{path}.upstream");
            if raw.name.contains('*') {
                self.problem(
                    &up_path,
                    format!(
                        "a glob's matches follow the upstream branches of the same name; `{}` cannot name one upstream branch",
                        printable(&raw.name)
                    ),
                    Some("remove `upstream` here, or list the branch by name".into()),
                );
                ok = false;
            } else {
                ok &= self.branch_name(&up_path, u);
            }
        }
        ok.then_some(BranchSpec {
            name: raw.name,
            upstream: raw.upstream,
        })
    }

    /// A branch name, or a glob whose `*` stand for any characters but `/`.
    fn branch_pattern(&mut self, path: &str, name: &str) -> bool {
        if !name.contains('*') {
            return self.branch_name(path, name);
        }
        if name.contains("**") || !valid_branch(&name.replace('*', "x")) {
            self.problem(
                path,
                format!("`{}` is not a valid branch glob", printable(name)),
                Some("a glob is a branch name where `*` stands for any characters but `/`, as in `release/*`".into()),
            );
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{parse_inventory, BranchSpec, Problem};

    fn problems(text: &str) -> Vec<Problem> {
        parse_inventory(text, "inv.yml")
            .expect_err("expected an error")
            .problems
    }

    fn spec(name: &str) -> BranchSpec {
        BranchSpec {
            name: name.into(),
            upstream: None,
        }
    }

    #[test]
    fn names_globs_and_maps_are_read_in_order() {
        let inv = parse_inventory(
            "repositories:\n  - repo: o/a\n    upstream: u/a\n    branches:\n      - main\n      - name: develop\n        upstream: dev\n      - release/*\n  - o/b\n",
            "inv.yml",
        )
        .unwrap();
        let a = &inv.repositories[0];
        let names: Vec<(&str, Option<&str>)> = a
            .branches
            .iter()
            .map(|b| (b.name.as_str(), b.upstream.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("main", None),
                ("develop", Some("dev")),
                ("release/*", None)
            ]
        );
        assert_eq!(a.branches[1].upstream_of("develop"), "dev");
        assert_eq!(a.branches[2].upstream_of("release/2.0"), "release/2.0");
        // An entry without `branches:` stays a single-branch entry.
        assert!(inv.repositories[1].branches.is_empty());
    }

    #[test]
    fn a_glob_matches_within_one_path_segment() {
        let g = spec("release/*");
        assert!(g.is_glob());
        assert_eq!(g.literal_prefix(), "release/");
        assert!(g.matches("release/1.0"));
        assert!(g.matches("release/"));
        assert!(!g.matches("release/1.0/hotfix"));
        assert!(!g.matches("releases/1.0"));
        assert!(!g.matches("main"));
        let mid = spec("v*-stable");
        assert!(mid.matches("v2-stable") && !mid.matches("v2-beta"));
        assert!(spec("main").matches("main") && !spec("main").matches("mainline"));
    }

    #[test]
    fn every_bad_item_is_reported_on_its_line_with_a_fix() {
        let p = problems(
            "repositories:\n  - repo: o/a\n    branch: main\n    upstream: u/a:master\n    branches:\n      - main\n      - 'bad..name'\n      - main\n      - name: 'rel/*'\n        upstream: x\n      - name: ok\n        upstreem: y\n      - [nested]\n      - 'a/**'\n",
        );
        let got: Vec<(String, Option<usize>, &str)> = p
            .iter()
            .map(|p| (p.path.clone(), p.line, p.message.as_str()))
            .collect();
        let at = |path: &str| {
            got.iter()
                .find(|g| g.0 == path)
                .unwrap_or_else(|| panic!("no problem at {path}: {got:#?}"))
        };
        assert_eq!(at("repositories[0].branch").1, Some(3));
        assert!(at("repositories[0].branch").2.contains("both given"));
        assert_eq!(at("repositories[0].upstream").1, Some(4));
        assert_eq!(at("repositories[0].branches[1]").1, Some(7));
        assert!(at("repositories[0].branches[2]").2.contains("listed twice"));
        assert_eq!(at("repositories[0].branches[3].upstream").1, Some(10));
        assert!(at("repositories[0].branches[4].upstreem")
            .2
            .contains("unknown key"));
        assert!(at("repositories[0].branches[5]").2.contains("a glob like"));
        assert!(at("repositories[0].branches[6]").2.contains("glob"));
        assert_eq!(p.len(), 8, "{p:#?}");
        assert!(p.iter().all(|p| p.hint.is_some()));
    }

    #[test]
    fn an_empty_or_scalar_list_is_an_error() {
        let p = problems("repositories:\n  - repo: o/a\n    branches: []\n");
        assert_eq!(p[0].path, "repositories[0].branches");
        let p = problems("repositories:\n  - repo: o/a\n    branches: main\n");
        assert!(p[0].message.contains("must be a list"));
    }
}
