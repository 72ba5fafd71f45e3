//! Commits and their ancestry inside a network store: commit metadata, reachability,
//! counts (`git rev-list`), `git log` order, merge bases, and writing commit objects.

use git2::{Oid, Repository, Signature, Sort, Time};

use super::{GResult, GitError};

/// A commit's metadata, as the API shows it.
#[derive(Clone, Debug)]
pub struct CommitInfo {
    /// Commit id.
    pub sha: Oid,
    /// Root tree id.
    pub tree: Oid,
    /// Parent ids, in order.
    pub parents: Vec<Oid>,
    /// Full message.
    pub message: String,
    /// Author name, email, Unix time.
    pub author: (String, String, i64),
    /// Committer name, email, Unix time.
    pub committer: (String, String, i64),
}

/// Reads one commit.
pub fn commit_info(repo: &Repository, oid: Oid) -> GResult<CommitInfo> {
    let c = repo
        .find_commit(oid)
        .map_err(|_| GitError::Missing(oid.to_string()))?;
    let sig = |s: Signature<'_>| {
        (
            s.name().unwrap_or("").to_string(),
            s.email().unwrap_or("").to_string(),
            s.when().seconds(),
        )
    };
    Ok(CommitInfo {
        sha: oid,
        tree: c.tree_id(),
        parents: c.parent_ids().collect(),
        message: c.message().unwrap_or("").to_string(),
        author: sig(c.author()),
        committer: sig(c.committer()),
    })
}

/// Is `ancestor` reachable from `tip` (or equal to it)?
pub fn is_ancestor(repo: &Repository, ancestor: Oid, tip: Oid) -> GResult<bool> {
    Ok(ancestor == tip || repo.graph_descendant_of(tip, ancestor)?)
}

/// Commits reachable from `tip` but from none of `hide`, oldest first (topological, then
/// by time), as `git rev-list --reverse --topo-order tip ^hide…` lists them.
pub fn commits_between(repo: &Repository, hide: &[Oid], tip: Oid) -> GResult<Vec<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)?;
    walk.push(tip)?;
    for h in hide {
        walk.hide(*h)?;
    }
    Ok(walk.collect::<Result<Vec<_>, _>>()?)
}

/// Every commit reachable from `tip`, newest first by commit time, as `git log tip` lists
/// them (GraphQL `Commit.history`).
pub fn history(repo: &Repository, tip: Oid) -> GResult<Vec<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TIME)?;
    walk.push(tip)?;
    Ok(walk.collect::<Result<Vec<_>, _>>()?)
}

/// `git rev-list --count tip ^hide…`.
pub fn count_between(repo: &Repository, hide: &[Oid], tip: Oid) -> GResult<usize> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    for h in hide {
        walk.hide(*h)?;
    }
    let mut n = 0;
    for r in walk {
        r?;
        n += 1;
    }
    Ok(n)
}

/// The best common ancestor, if any.
pub fn merge_base(repo: &Repository, a: Oid, b: Oid) -> Option<Oid> {
    repo.merge_base(a, b).ok()
}

/// A signature at a fixed time (UTC).
pub fn signature(name: &str, email: &str, secs: i64) -> GResult<Signature<'static>> {
    Ok(Signature::new(name, email, &Time::new(secs, 0))?)
}

/// Writes a commit object (no ref is moved).
pub fn write_commit(
    repo: &Repository,
    tree: Oid,
    parents: &[Oid],
    message: &str,
    author: &Signature<'_>,
    committer: &Signature<'_>,
) -> GResult<Oid> {
    let tree = repo.find_tree(tree)?;
    let parents = parents
        .iter()
        .map(|p| repo.find_commit(*p))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    Ok(repo.commit(None, author, committer, message, &tree, &refs)?)
}
