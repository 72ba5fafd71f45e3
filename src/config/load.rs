//! Turns inventory text into an [`Inventory`], collecting every problem (with its line and a
//! hint) instead of stopping at the first.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use super::raw::*;
use super::*;
use crate::repo_name::printable;
use crate::yaml::{self, Lines, Value};

/// One thing wrong with the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    /// Where in the document (`repositories[3].branch`); empty for the whole document.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Every problem found in one inventory file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{} has {} problem{}; nothing was synced:",
            self.file,
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            let at = match p.line {
                Some(line) => format!("{}:{}", self.file, line),
                None => self.file.clone(),
            };
            if p.path.is_empty() {
                writeln!(f, "  {at}: {}", p.message)?;
            } else {
                writeln!(f, "  {at}: {}: {}", p.path, p.message)?;
            }
            if let Some(hint) = &p.hint {
                writeln!(f, "      fix: {hint}")?;
            }
        }
        Ok(())
    }
}

/// Reads and validates an inventory file (YAML, or JSON such as `{"repositories": [...]}`).
pub fn load_file(path: &Path) -> Result<Inventory, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: file.clone(),
        problems: vec![Problem {
            line: None,
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

const TOP_KEYS: &[&str] = &[
    "top",
    "repositories",
    "hub",
    "weights",
    "rules",
    "batches",
    "schedules",
    "pull_requests",
    "artifacts",
    "notify",
    "limits",
];

struct Cx {
    lines: Lines,
    problems: Vec<Problem>,
}

impl Cx {
    fn problem(&mut self, path: &str, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(Problem {
            line: self.lines.line_of(path),
            path: path.to_string(),
            message: message.into(),
            hint,
        });
    }

    /// Deserializes one section; serde's message is turned into a problem with a hint.
    fn section<T: serde::de::DeserializeOwned + Default>(
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

    fn serde_problem(&mut self, path: &str, inner: &str, message: &str, fields: &[&str]) {
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

    fn document(&mut self, value: Value) -> Option<Inventory> {
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

        let raw_weights: RawWeights =
            self.section("weights", sections.remove("weights"), WEIGHT_KEYS);
        let weights = self.weights("weights", &raw_weights, Weights::default());
        let top = self.repo_list("top", sections.remove("top"), &weights);
        let repositories =
            self.repo_list("repositories", sections.remove("repositories"), &weights);
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
            other => (
                self.section("hub", other, &["repos", "manifest"]),
                "hub.repos",
            ),
        };
        let hub = self.hub(raw_hub, hub_repos_path);
        let raw_rules: RawRules = self.section(
            "rules",
            sections.remove("rules"),
            &["pr_over_commits", "stale_after_days", "urgent_over_commits"],
        );
        let rules = self.rules(raw_rules);
        let raw_batches: RawBatches = self.section(
            "batches",
            sections.remove("batches"),
            &["urgent", "all_urgent"],
        );
        let batches = self.batches(raw_batches);
        let raw_schedules: RawSchedules =
            self.section("schedules", sections.remove("schedules"), &[]);
        let schedules = self.schedules(raw_schedules);
        let raw_prs: RawPullRequests = self.section(
            "pull_requests",
            sections.remove("pull_requests"),
            &[
                "branch_prefix",
                "labels",
                "conflict_labels",
                "urgent_labels",
                "reviewers",
                "team_reviewers",
                "draft",
            ],
        );
        let pull_requests = self.pull_requests(raw_prs);
        let raw_artifacts: RawArtifacts = self.section(
            "artifacts",
            sections.remove("artifacts"),
            &["dir", "commit", "branch"],
        );
        let artifacts = self.artifacts(raw_artifacts);
        let raw_notify: RawNotify =
            self.section("notify", sections.remove("notify"), &["webhook_env"]);
        let notify = self.notify(raw_notify);
        let raw_limits: RawLimits = self.section(
            "limits",
            sections.remove("limits"),
            &[
                "concurrency",
                "max_inflight_requests",
                "writes_per_minute",
                "writes_per_hour",
                "graphql_batch",
                "reserve_requests",
            ],
        );
        let limits = self.limits(raw_limits);

        Some(Inventory {
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
        })
    }

    fn repo_list(&mut self, path: &str, value: Option<Value>, weights: &Weights) -> Vec<RepoSpec> {
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
                        Some("write `- owner/name`, or `- repo: owner/name` with optional `branch`, `upstream`, `connected`, `weights`".into()),
                    );
                    continue;
                }
            };
            if let Some(spec) = self.repo(&p, raw, weights) {
                out.push(spec);
            }
        }
        out
    }

    fn repo(&mut self, path: &str, raw: RawRepo, weights: &Weights) -> Option<RepoSpec> {
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
        let repo_weights = match &raw.weights {
            Some(w) => self.weights(&format!("{path}.weights"), w, *weights),
            None => *weights,
        };
        Some(RepoSpec {
            repo: repo?,
            branch: raw.branch,
            upstream,
            connected: raw.connected,
            weights: repo_weights,
        })
    }

    fn upstream(&mut self, path: &str, text: &str) -> Option<Upstream> {
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
    fn branch_name(&mut self, path: &str, name: &str) -> bool {
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

    fn duplicates(&mut self, top: &[RepoSpec], repositories: &[RepoSpec]) {
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

    fn weights(&mut self, path: &str, raw: &RawWeights, base: Weights) -> Weights {
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

    /// `repos_path` is where the names were written: `hub.repos`, or `hub` for the list form.
    fn hub(&mut self, raw: RawHub, repos_path: &str) -> Hub {
        let mut repos = Vec::new();
        for (i, r) in raw.repos.iter().enumerate() {
            match r.parse::<RepoName>() {
                Ok(n) => repos.push(n),
                Err(e) => self.problem(
                    &format!("{repos_path}[{i}]"),
                    e.to_string(),
                    Some("write the full name, `owner/name`".into()),
                ),
            }
        }
        let manifest = raw.manifest.and_then(|m| {
            let parsed = m.split_once(':').and_then(|(repo, path)| {
                let repo = repo.parse::<RepoName>().ok()?;
                let path = path.trim_start_matches('/');
                valid_rel_path(path).then(|| Manifest {
                    repo,
                    path: path.to_string(),
                })
            });
            if parsed.is_none() {
                self.problem(
                    "hub.manifest",
                    format!("`{}` is not `owner/name:path`", printable(&m)),
                    Some("e.g. `heyns1000/codenest:hub/connected.json` (a JSON or YAML list of owner/name)".into()),
                );
            }
            parsed
        });
        Hub { repos, manifest }
    }

    fn int(
        &mut self,
        path: &str,
        value: Option<i64>,
        range: (i64, i64),
        default: i64,
        hint: &str,
    ) -> i64 {
        match value {
            None => default,
            Some(v) if (range.0..=range.1).contains(&v) => v,
            Some(v) => {
                self.problem(
                    path,
                    format!("{v} is out of range ({}..={})", range.0, range.1),
                    Some(hint.to_string()),
                );
                default
            }
        }
    }

    fn rules(&mut self, raw: RawRules) -> Rules {
        let d = Rules::default();
        Rules {
            pr_over_commits: self.int(
                "rules.pr_over_commits",
                raw.pr_over_commits,
                (0, 100_000),
                d.pr_over_commits as i64,
                "fast-forward at most this many commits; more opens a pull request (0 = always a PR)",
            ) as u32,
            stale_after_days: self.int(
                "rules.stale_after_days",
                raw.stale_after_days,
                (1, 3650),
                d.stale_after_days as i64,
                "days without a sync before the stale boost applies",
            ) as u32,
            urgent_over_commits: self.int(
                "rules.urgent_over_commits",
                raw.urgent_over_commits,
                (0, 1_000_000),
                d.urgent_over_commits as i64,
                "commits behind before a repository moves up to tier 1",
            ) as u32,
        }
    }

    fn batches(&mut self, raw: RawBatches) -> Batches {
        let d = Batches::default();
        Batches {
            urgent: self.int(
                "batches.urgent",
                raw.urgent,
                (0, 100_000),
                d.urgent as i64,
                "size of the urgent batch in mode `urgent`",
            ) as usize,
            all_urgent: self.int(
                "batches.all_urgent",
                raw.all_urgent,
                (0, 100_000),
                d.all_urgent as i64,
                "size of the urgent batch in mode `all`",
            ) as usize,
        }
    }

    fn schedules(&mut self, raw: RawSchedules) -> BTreeMap<String, Mode> {
        let mut out = default_schedules();
        let mut given: BTreeMap<String, String> = BTreeMap::new();
        for (cron, mode) in raw {
            let path = format!("schedules.{cron}");
            let normal = normalize_cron(&cron);
            if let Err(e) = crate::cron::check(&normal) {
                self.problem(&path, e.message, Some(e.hint));
                continue;
            }
            let mode = match mode.as_str() {
                "top12" => Mode::Top12,
                "urgent" => Mode::Urgent,
                "all" => Mode::All,
                other => {
                    self.problem(
                        &path,
                        format!("unknown mode `{}`", printable(other)),
                        Some("a schedule maps to top12, urgent or all".into()),
                    );
                    continue;
                }
            };
            if let Some(first) = given.get(&normal) {
                self.problem(
                    &path,
                    format!("the same cron as `{first}` (after normalising spaces)"),
                    Some("list each cron once".into()),
                );
                continue;
            }
            given.insert(normal.clone(), cron);
            out.insert(normal, mode);
        }
        out
    }

    fn labels(
        &mut self,
        path: &str,
        raw: Option<Vec<String>>,
        default: Vec<String>,
    ) -> Vec<String> {
        let Some(list) = raw else { return default };
        for (i, l) in list.iter().enumerate() {
            if l.trim().is_empty() || l.chars().count() > 50 || l.chars().any(char::is_control) {
                self.problem(
                    &format!("{path}[{i}]"),
                    format!("`{}` is not a valid label", printable(l)),
                    Some("labels are 1-50 characters with no control characters".into()),
                );
            }
        }
        list
    }

    fn logins(&mut self, path: &str, raw: Option<Vec<String>>) -> Vec<String> {
        let list = raw.unwrap_or_default();
        for (i, l) in list.iter().enumerate() {
            let ok = !l.is_empty()
                && l.len() <= 100
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                self.problem(
                    &format!("{path}[{i}]"),
                    format!("`{}` is not a GitHub login or team slug", printable(l)),
                    Some("write the login without `@` (teams: the slug without the org)".into()),
                );
            }
        }
        list
    }

    fn pull_requests(&mut self, raw: RawPullRequests) -> PullRequestSettings {
        let d = PullRequestSettings::default();
        let branch_prefix = match raw.branch_prefix {
            Some(p) => {
                let probe = format!("{p}main");
                if self.branch_name("pull_requests.branch_prefix", &probe) {
                    p
                } else {
                    d.branch_prefix.clone()
                }
            }
            None => d.branch_prefix.clone(),
        };
        PullRequestSettings {
            branch_prefix,
            labels: self.labels("pull_requests.labels", raw.labels, d.labels),
            conflict_labels: self.labels(
                "pull_requests.conflict_labels",
                raw.conflict_labels,
                d.conflict_labels,
            ),
            urgent_labels: self.labels(
                "pull_requests.urgent_labels",
                raw.urgent_labels,
                d.urgent_labels,
            ),
            reviewers: self.logins("pull_requests.reviewers", raw.reviewers),
            team_reviewers: self.logins("pull_requests.team_reviewers", raw.team_reviewers),
            draft: raw.draft.unwrap_or(d.draft),
        }
    }

    fn artifacts(&mut self, raw: RawArtifacts) -> Artifacts {
        let d = Artifacts::default();
        let dir = match raw.dir {
            Some(dir) => {
                let trimmed = dir.trim_end_matches('/').to_string();
                if valid_rel_path(&trimmed) {
                    trimmed
                } else {
                    self.problem(
                        "artifacts.dir",
                        format!(
                            "`{}` is not a relative path inside the repository",
                            printable(&dir)
                        ),
                        Some("e.g. `audit` or `reports/sync`; no leading `/`, no `..`".into()),
                    );
                    d.dir.clone()
                }
            }
            None => d.dir.clone(),
        };
        if let Some(b) = &raw.branch {
            self.branch_name("artifacts.branch", b);
        }
        Artifacts {
            dir,
            commit: raw.commit.unwrap_or(d.commit),
            branch: raw.branch,
        }
    }

    fn notify(&mut self, raw: RawNotify) -> Notify {
        let d = Notify::default();
        match raw.webhook_env {
            Some(name) => {
                let ok = !name.is_empty()
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    let hint = if name.starts_with("http") {
                        "this names an environment variable, not the URL: keep the URL in a secret and pass it as that variable".to_string()
                    } else {
                        "an environment variable name: letters, digits and `_`".to_string()
                    };
                    // Never echo what may be a secret URL back into logs.
                    self.problem(
                        "notify.webhook_env",
                        "not an environment variable name",
                        Some(hint),
                    );
                    d
                } else {
                    Notify { webhook_env: name }
                }
            }
            None => d,
        }
    }

    fn limits(&mut self, raw: RawLimits) -> Limits {
        let d = Limits::default();
        Limits {
            concurrency: self.int("limits.concurrency", raw.concurrency, (1, 64), d.concurrency as i64, "repositories synced at once after the top phase") as usize,
            max_inflight_requests: self.int("limits.max_inflight_requests", raw.max_inflight_requests, (1, 100), d.max_inflight_requests as i64, "API requests in flight at once; GitHub penalises more than ~100 concurrent requests") as usize,
            writes_per_minute: self.int("limits.writes_per_minute", raw.writes_per_minute, (1, GITHUB_WRITES_PER_MINUTE as i64), d.writes_per_minute as i64, "GitHub allows at most 80 content-creating requests per minute") as u32,
            writes_per_hour: self.int(
                "limits.writes_per_hour",
                raw.writes_per_hour,
                (1, 500),
                d.writes_per_hour as i64,
                "GitHub allows at most 500 content-creating requests per hour",
            ) as u32,
            graphql_batch: self.int("limits.graphql_batch", raw.graphql_batch, (1, 100), d.graphql_batch as i64, "repositories per GraphQL query") as usize,
            reserve_requests: self.int("limits.reserve_requests", raw.reserve_requests, (0, 1_000_000), d.reserve_requests as i64, "requests kept in reserve of the hourly primary limit") as u32,
        }
    }
}

const MAX_WEIGHT: i64 = 1_000_000;

const WEIGHT_KEYS: &[&str] = &[
    "commits_behind",
    "days_since_last_sync",
    "open_prs",
    "security_alerts",
    "connected",
    "has_workflows",
    "stale",
    "new_prs",
];

const REPO_KEYS: &[&str] = &["repo", "branch", "upstream", "connected", "weights"];

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ if b.starts_with('[') => format!("{a}{b}"),
        _ => format!("{a}.{b}"),
    }
}

/// Git's ref-name rules, as far as a branch name needs them.
pub fn valid_branch(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && name != "@"
        && !name
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
}

/// A relative path that stays inside the repository.
fn valid_rel_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != ".." && seg != ".")
}

/// The known key closest to `word`, if it is plausibly a typo of it.
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
