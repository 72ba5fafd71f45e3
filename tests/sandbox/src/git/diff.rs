//! What commits change: file lists between trees (compare and pull request files), the
//! workflow guard's "does this touch `.github/workflows/`", and real three-way merges.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::GResult;

/// One changed file between two trees, as compare/PR file lists show it.
#[derive(Clone, Debug)]
pub struct FileChange {
    /// Path after the change.
    pub filename: String,
    /// Path before, for renames.
    pub previous_filename: Option<String>,
    /// `added`, `removed`, `modified`, `renamed`.
    pub status: &'static str,
    /// Lines added.
    pub additions: usize,
    /// Lines removed.
    pub deletions: usize,
    /// Blob id after (or before, for removals).
    pub sha: Oid,
    /// Unified diff hunks (no headers); `None` for binary files.
    pub patch: Option<String>,
}

/// Files changed from tree `from` to tree `to` (`None` = empty tree).
pub fn diff_files(repo: &Repository, from: Option<Oid>, to: Oid) -> GResult<Vec<FileChange>> {
    let old = match from {
        Some(t) => Some(repo.find_tree(t)?),
        None => None,
    };
    let new = repo.find_tree(to)?;
    let diff = repo.diff_tree_to_tree(old.as_ref(), Some(&new), None)?;
    let mut out = Vec::new();
    for idx in 0..diff.deltas().len() {
        let delta = diff.get_delta(idx).expect("index in range");
        let status = match delta.status() {
            git2::Delta::Added => "added",
            git2::Delta::Deleted => "removed",
            git2::Delta::Renamed => "renamed",
            _ => "modified",
        };
        let path = |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().into_owned());
        let filename = path(delta.new_file())
            .or_else(|| path(delta.old_file()))
            .unwrap_or_default();
        let sha = if status == "removed" {
            delta.old_file().id()
        } else {
            delta.new_file().id()
        };
        let (mut additions, mut deletions, mut patch) = (0, 0, None);
        if let Ok(Some(mut p)) = git2::Patch::from_diff(&diff, idx) {
            if let Ok((_, a, d)) = p.line_stats() {
                additions = a;
                deletions = d;
            }
            if !delta.new_file().is_binary() && !delta.old_file().is_binary() {
                if let Ok(buf) = p.to_buf() {
                    let text = String::from_utf8_lossy(&buf);
                    let hunks = text.find("\n@@").map(|i| &text[i + 1..]).unwrap_or("");
                    patch = Some(hunks.trim_end_matches('\n').to_string());
                }
            }
        }
        out.push(FileChange {
            previous_filename: (status == "renamed")
                .then(|| path(delta.old_file()))
                .flatten(),
            filename,
            status,
            additions,
            deletions,
            sha,
            patch,
        });
    }
    Ok(out)
}

/// The directory GitHub guards with the `workflow` scope / `workflows` permission.
pub const WORKFLOW_DIR: &str = ".github/workflows";

/// The first path under `.github/workflows/` that any of `commits` changes relative to its
/// first parent (root commits: relative to nothing).
pub fn first_workflow_change(repo: &Repository, commits: &[Oid]) -> GResult<Option<String>> {
    for &c in commits {
        let parent = repo.find_commit(c)?.parent_ids().next();
        if let Some(path) = workflow_change_between(repo, parent, c)? {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

/// The first path under `.github/workflows/` that differs between commit `from` (`None`:
/// nothing) and commit `to`, or None when that directory is the same in both.
pub fn workflow_change_between(
    repo: &Repository,
    from: Option<Oid>,
    to: Oid,
) -> GResult<Option<String>> {
    let new = subtree_id(repo, &repo.find_commit(to)?.tree()?, WORKFLOW_DIR);
    let old = match from {
        Some(p) => subtree_id(repo, &repo.find_commit(p)?.tree()?, WORKFLOW_DIR),
        None => None,
    };
    if new == old {
        return Ok(None);
    }
    // Something under .github/workflows changed: name the first differing entry.
    let list = |t: Option<Oid>| -> GResult<BTreeMap<String, Oid>> {
        let mut m = BTreeMap::new();
        if let Some(t) = t {
            repo.find_tree(t)?
                .walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                    if e.kind() == Some(ObjectType::Blob) {
                        m.insert(format!("{dir}{}", e.name().unwrap_or("")), e.id());
                    }
                    git2::TreeWalkResult::Ok
                })?;
        }
        Ok(m)
    };
    let (a, b) = (list(old)?, list(new)?);
    let changed = b
        .iter()
        .find(|(k, v)| a.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .or_else(|| a.keys().find(|k| !b.contains_key(*k)).cloned())
        .unwrap_or_default();
    Ok(Some(format!("{WORKFLOW_DIR}/{changed}")))
}

fn subtree_id(repo: &Repository, tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    let e = tree.get_path(Path::new(path)).ok()?;
    let _ = repo;
    (e.kind() == Some(ObjectType::Tree)).then(|| e.id())
}

/// Result of merging two commits.
pub enum Merge {
    /// Clean: the merged tree.
    Clean(Oid),
    /// Conflicting paths.
    Conflict(Vec<String>),
}

/// A real three-way merge of `theirs` into `ours` (no commit is written).
pub fn merge(repo: &Repository, ours: Oid, theirs: Oid) -> GResult<Merge> {
    let (o, t) = (repo.find_commit(ours)?, repo.find_commit(theirs)?);
    let mut index = repo.merge_commits(&o, &t, None)?;
    if index.has_conflicts() {
        let mut paths = Vec::new();
        for c in index.conflicts()? {
            let c = c?;
            let entry = c.our.or(c.their).or(c.ancestor);
            if let Some(e) = entry {
                paths.push(String::from_utf8_lossy(&e.path).into_owned());
            }
        }
        paths.sort();
        paths.dedup();
        return Ok(Merge::Conflict(paths));
    }
    Ok(Merge::Clean(index.write_tree_to(repo)?))
}
