//! The settings sections: `hub`, `rules`, `batches`, `schedules` (crons checked field by
//! field), `pull_requests`, `artifacts`, `notify` and `limits`, each from its raw shape to its
//! typed value with the defaults of `mod.rs`, every bad value a problem with a fix.

use std::collections::BTreeMap;

use super::load::Cx;
use super::names::valid_rel_path;
use super::raw::*;
use super::*;
use crate::repo_name::printable;

impl Cx {
    /// `repos_path` is where the names were written: `hub.repos`, or `hub` for the list form.
    pub(super) fn hub(&mut self, raw: RawHub, repos_path: &str) -> Hub {
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

    pub(super) fn int(
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

    pub(super) fn rules(&mut self, raw: RawRules) -> Rules {
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

    pub(super) fn batches(&mut self, raw: RawBatches) -> Batches {
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

    pub(super) fn schedules(&mut self, raw: RawSchedules) -> BTreeMap<String, Mode> {
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

    pub(super) fn labels(
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

    pub(super) fn logins(&mut self, path: &str, raw: Option<Vec<String>>) -> Vec<String> {
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

    pub(super) fn pull_requests(&mut self, raw: RawPullRequests) -> PullRequestSettings {
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
        let settings = PullRequestSettings {
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
            auto_merge: raw
                .auto_merge
                .and_then(|m| self.choice("pull_requests.auto_merge", &m, &MergeMethod::ALL)),
            reviewers_on: raw
                .reviewers_on
                .and_then(|m| {
                    self.choice(
                        "pull_requests.reviewers_on",
                        &m,
                        &[
                            ("always", ReviewersOn::Always),
                            ("conflict", ReviewersOn::Conflict),
                        ],
                    )
                })
                .unwrap_or(d.reviewers_on),
            assignees: self.logins("pull_requests.assignees", raw.assignees),
        };
        if let Some(m @ (MergeMethod::Squash | MergeMethod::Rebase)) = settings.auto_merge {
            let name = MergeMethod::ALL
                .iter()
                .find(|(_, x)| *x == m)
                .map_or("", |(n, _)| *n);
            self.problem(
                "pull_requests.auto_merge",
                format!("`{name}` writes new commits in place of upstream's, so the fork never contains upstream's own commits and every later run would open a sync PR again"),
                Some("write `auto_merge: merge` (a merge commit keeps upstream's commits)".into()),
            );
        }
        if settings.draft && settings.auto_merge.is_some() {
            self.problem(
                "pull_requests.auto_merge",
                "GitHub does not auto-merge a draft, and `draft: true` opens every sync PR as one",
                Some("remove `draft: true`, or `auto_merge`".into()),
            );
        }
        settings
    }

    /// One of `choices` by its spelling; reports the value (with the spellings to use) and
    /// returns `None` when it is none of them.
    fn choice<T: Copy>(&mut self, path: &str, value: &str, choices: &[(&str, T)]) -> Option<T> {
        if let Some((_, v)) = choices.iter().find(|(name, _)| *name == value) {
            return Some(*v);
        }
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
        self.problem(
            path,
            format!("`{}` is not one of {}", printable(value), names.join(", ")),
            Some(format!("write one of {}", names.join(", "))),
        );
        None
    }

    pub(super) fn artifacts(&mut self, raw: RawArtifacts) -> Artifacts {
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

    pub(super) fn notify(&mut self, raw: RawNotify) -> Notify {
        let format = self.notify_format(raw.format.as_deref());
        let webhook_env = self.webhook_env(raw.webhook_env);
        Notify {
            webhook_env,
            format,
        }
    }

    /// `notify.format`: one of the formats, exactly; anything else is a problem listing them.
    fn notify_format(&mut self, word: Option<&str>) -> NotifyFormat {
        let Some(word) = word else {
            return NotifyFormat::default();
        };
        if let Some(f) = NotifyFormat::from_word(word) {
            return f;
        }
        let words: Vec<&str> = NotifyFormat::ALL.iter().map(|f| f.as_str()).collect();
        let known = words.join(", ");
        let hint = match super::names::closest(&word.to_ascii_lowercase(), &words) {
            Some(best) => format!("did you mean `{best}`? (formats: {known})"),
            None => format!("write one of: {known}"),
        };
        self.problem(
            "notify.format",
            format!("`{}` is not a notification format", printable(word)),
            Some(hint),
        );
        NotifyFormat::default()
    }

    fn webhook_env(&mut self, raw: Option<String>) -> String {
        let d = Notify::default().webhook_env;
        match raw {
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
                    name
                }
            }
            None => d,
        }
    }

    pub(super) fn limits(&mut self, raw: RawLimits) -> Limits {
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
            endpoint_points_per_minute: self.int(
                "limits.endpoint_points_per_minute",
                raw.endpoint_points_per_minute,
                (1, 1_000_000),
                d.endpoint_points_per_minute as i64,
                "points a minute GitHub allows one REST endpoint (900 on github.com)",
            ) as u32,
            reserve_requests: self.int("limits.reserve_requests", raw.reserve_requests, (0, 1_000_000), d.reserve_requests as i64, "requests kept in reserve of the hourly primary limit") as u32,
        }
    }
}
