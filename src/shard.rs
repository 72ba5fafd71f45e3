//! Sharding on an Actions matrix: `shard: i/n` keeps a stable slice of the fleet (by a hash of
//! each repository's name, so a repository stays in its shard as the ranking changes), and
//! the shards' result files merge back into one report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Inventory;
use crate::outcome::{RepoOutcome, RunReport};
use crate::repo_name::{printable, RepoName};

/// Most shards a fleet may be cut into (GitHub's matrix allows 256 jobs).
pub const MAX_SHARDS: u32 = 256;

/// One slice of the fleet: `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{}` is not a shard: write `i/n` with 1 ≤ i ≤ n ≤ {MAX_SHARDS}, e.g. `2/4`",
                printable(s)
            )
        };
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// FNV-1a, 64 bits: stable across platforms, versions and runs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Shard {
    /// True when `repo` belongs to this shard.
    pub fn contains(&self, repo: &RepoName) -> bool {
        fnv1a(repo.key().as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// The inventory restricted to this shard (top repositories keep their order).
    pub fn slice(&self, inv: &Inventory) -> Inventory {
        let mut out = inv.clone();
        out.top.retain(|s| self.contains(&s.repo));
        out.repositories.retain(|s| self.contains(&s.repo));
        out
    }

    /// File name of this shard's result.
    pub fn result_id(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// The `matrix` output for `count` shards: `{"include": [{"shard": "1/4"}, …]}`.
pub fn shard_matrix(count: u32) -> serde_json::Value {
    serde_json::json!({
        "include": (1..=count).map(|i| serde_json::json!({ "shard": format!("{i}/{count}") })).collect::<Vec<_>>()
    })
}

/// Version of the result-file layout.
pub const RESULT_SCHEMA_VERSION: u32 = 1;

/// What one fan-out job leaves for the report job (uploaded with `actions/upload-artifact`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunResult {
    pub schema_version: u32,
    /// `shard-2-of-4`, `force-heyns1000-omnigrid`, …
    pub id: String,
    pub shard: Option<Shard>,
    pub report: RunReport,
    /// Open pull requests per repository as gathered (lower-cased `owner/name`).
    pub open_prs: BTreeMap<String, u32>,
}

/// A result id for a run that is not a shard: its mode and the repositories it forced.
pub fn result_id(mode: &str, force: &[RepoName]) -> String {
    let mut id = mode.to_string();
    for r in force.iter().take(8) {
        id.push('-');
        id.push_str(&r.key().replace('/', "-"));
    }
    if force.len() > 8 {
        id.push_str(&format!("-and-{}-more", force.len() - 8));
    }
    id
}

/// Why result files cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("no result files (*.json) under {0}; download the fan-out jobs' artifacts there first (actions/download-artifact)")]
    None(String),
    #[error("{path} is not a priority-sync result file: {message}")]
    Bad { path: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Reads every `*.json` result file under `dir` (recursively: download-artifact puts each
/// artifact in its own folder), in path order.
pub fn read_results(dir: &std::path::Path) -> Result<Vec<RunResult>, ResultsError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| ResultsError::Io {
            path: d.display().to_string(),
            source,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(ResultsError::None(dir.display().to_string()));
    }
    files
        .iter()
        .map(|p| {
            let path = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| ResultsError::Io {
                path: path.clone(),
                source,
            })?;
            let r: RunResult = serde_json::from_str(&text).map_err(|e| ResultsError::Bad {
                path: path.clone(),
                message: e.to_string(),
            })?;
            if r.schema_version > RESULT_SCHEMA_VERSION {
                return Err(ResultsError::Bad {
                    path,
                    message: format!(
                        "schema_version {} is newer than this priority-sync",
                        r.schema_version
                    ),
                });
            }
            Ok(r)
        })
        .collect()
}

/// Overlays the fan-out jobs' outcomes on a fleet-wide report: a repository a job handled
/// takes that job's outcome (the latest job's, if several did), the rest keep the fleet view.
/// Times span all jobs; request counts add up; warnings are kept once each.
pub fn merge_results(fleet: RunReport, results: &[RunResult]) -> (RunReport, Vec<String>) {
    let mut merged = fleet;
    let mut notes = Vec::new();
    let mut by_repo: BTreeMap<String, (&RepoOutcome, chrono::DateTime<chrono::Utc>)> =
        BTreeMap::new();
    for r in results {
        for o in &r.report.repos {
            // Only outcomes the job acted on replace the fleet view; repositories outside its
            // phases were not its business.
            if o.phase.is_none() {
                continue;
            }
            let key = o.unit().key();
            let newer = by_repo
                .get(&key)
                .is_none_or(|(_, t)| r.report.finished_at >= *t);
            if newer {
                by_repo.insert(key, (o, r.report.finished_at));
            }
        }
        merged.started_at = merged.started_at.min(r.report.started_at);
        merged.finished_at = merged.finished_at.max(r.report.finished_at);
        for (k, v) in &r.report.requests {
            *merged.requests.entry(k.clone()).or_default() += v;
        }
        for w in &r.report.warnings {
            if !merged.warnings.contains(w) {
                merged.warnings.push(w.clone());
            }
        }
    }
    let mut shards: Vec<Shard> = results.iter().filter_map(|r| r.shard).collect();
    shards.sort_by_key(|s| (s.count, s.index));
    shards.dedup();
    if let Some(n) = shards.first().map(|s| s.count) {
        let missing: Vec<String> = (1..=n)
            .filter(|i| !shards.iter().any(|s| s.count == n && s.index == *i))
            .map(|i| format!("{i}/{n}"))
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "no result from shard{} {}: its repositories show their state without this run's changes",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
        }
    }
    for o in merged.repos.iter_mut() {
        if let Some((job, _)) = by_repo.get(&o.unit().key()) {
            *o = (*job).clone();
        }
    }
    merged.warnings.extend(notes.iter().cloned());
    (merged, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_inventory;

    #[test]
    fn parses_shards() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 1 / 1 ".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "a/b", "3", "1/999", "", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_fleet_stably() {
        let mut text =
            String::from("top: [heyns1000/omnigrid, heyns1000/codenest]\nrepositories:\n");
        for i in 0..500 {
            text += &format!("  - fleet/repo-{i}\n");
        }
        let inv = parse_inventory(&text, "t").unwrap();
        let n = 4;
        let slices: Vec<Inventory> = (1..=n)
            .map(|i| Shard { index: i, count: n }.slice(&inv))
            .collect();
        let total: usize = slices.iter().map(Inventory::len).sum();
        assert_eq!(total, inv.len(), "every repository in exactly one shard");
        for s in &slices {
            // Roughly even: 502 / 4 ≈ 125 each.
            assert!((90..=160).contains(&s.len()), "{}", s.len());
        }
        // Stable: the same name always lands in the same shard, whatever else is in the fleet.
        let r: RepoName = "fleet/repo-7".parse().unwrap();
        let home: Vec<u32> = (1..=n)
            .filter(|i| {
                Shard {
                    index: *i,
                    count: n,
                }
                .contains(&r)
            })
            .collect();
        assert_eq!(home.len(), 1);
        assert_eq!(fnv1a(b"fleet/repo-7"), fnv1a(b"fleet/repo-7"));
        // FNV-1a reference value.
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn matrix_lists_every_shard() {
        let m = shard_matrix(3);
        let shards: Vec<&str> = m["include"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["shard"].as_str().unwrap())
            .collect();
        assert_eq!(shards, ["1/3", "2/3", "3/3"]);
    }

    #[test]
    fn result_ids_are_file_safe() {
        let force: Vec<RepoName> = vec!["Heyns1000/OmniGrid".parse().unwrap()];
        assert_eq!(result_id("force", &force), "force-heyns1000-omnigrid");
    }
}
