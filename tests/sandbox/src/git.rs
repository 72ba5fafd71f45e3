//! Real git underneath the sandbox: one bare repository per fork network (the network's
//! shared object store), each GitHub repository's refs under `refs/sandbox/<repo id>/…`.
//! Everything the API says about commits (ahead/behind, merges, conflicts) is computed here
//! with libgit2, so it is a fact about real commits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::{ObjectType, Oid, Repository, Signature, Sort, Time};

/// Where a repository's refs live inside its network store: `refs/sandbox/<id>/<rest>`,
/// `rest` being GitHub's ref without `refs/` (`heads/main`, `tags/v1`).
pub fn store_ref(repo_id: u64, rest: &str) -> String {
    format!("refs/sandbox/{repo_id}/{rest}")
}

/// The on-disk object stores of every fork network.
pub struct Store {
    nets: Vec<NetStore>,
    /// Networks with an open repository handle, least recently opened first; at most
    /// `MAX_OPEN` stay open so a 10,000-repo fleet does not keep 10,000 handles.
    open: Mutex<std::collections::VecDeque<usize>>,
}

/// How many network repositories stay open at once.
pub const MAX_OPEN: usize = 512;

/// One fork network's bare repository, opened lazily and kept open.
pub struct NetStore {
    path: PathBuf,
    repo: Mutex<Option<Repository>>,
}

/// Errors from the git layer, already phrased for API answers.
#[derive(Debug)]
pub enum GitError {
    /// libgit2 failed.
    Git(git2::Error),
    /// An object that should exist does not.
    Missing(String),
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Git(e)
    }
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Git(e) => write!(f, "git: {}", e.message()),
            GitError::Missing(s) => write!(f, "missing: {s}"),
        }
    }
}

impl std::error::Error for GitError {}

/// Result alias for the git layer.
pub type GResult<T> = Result<T, GitError>;

impl Store {
    /// A store over already-generated network directories (index = network id).
    pub fn new(paths: Vec<PathBuf>) -> Store {
        Store {
            nets: paths
                .into_iter()
                .map(|path| NetStore {
                    path,
                    repo: Mutex::new(None),
                })
                .collect(),
            open: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// The bare repository directory of network `net` (for the git CLI).
    pub fn path(&self, net: usize) -> &Path {
        &self.nets[net].path
    }

    /// Runs `f` with network `net`'s repository, holding its lock (git writes are serialized
    /// per network, as GitHub serializes pushes to one repository).
    pub fn with<R>(&self, net: usize, f: impl FnOnce(&Repository) -> GResult<R>) -> GResult<R> {
        let ns = &self.nets[net];
        let mut guard = ns.repo.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(Repository::open_bare(&ns.path)?);
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            open.push_back(net);
            // Close the oldest handles; one that is busy right now stays open for now.
            let mut tries = open.len().saturating_sub(MAX_OPEN);
            while open.len() > MAX_OPEN && tries > 0 {
                tries -= 1;
                let Some(old) = open.pop_front() else { break };
                if old == net {
                    open.push_back(old);
                    continue;
                }
                match self.nets[old].repo.try_lock() {
                    Ok(mut g) => *g = None,
                    Err(_) => open.push_back(old),
                }
            }
        }
        f(guard.as_ref().expect("opened above"))
    }
}

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

/// The id a ref points at, if it exists.
pub fn read_ref(repo: &Repository, name: &str) -> Option<Oid> {
    repo.refname_to_id(name).ok()
}

/// All refs under a prefix (`refs/sandbox/7/heads/`), as `(rest after prefix, oid)`.
pub fn list_refs(repo: &Repository, prefix: &str) -> GResult<Vec<(String, Oid)>> {
    let mut out = Vec::new();
    for r in repo.references_glob(&format!("{prefix}*"))? {
        let r = r?;
        if let (Ok(name), Some(oid)) = (r.name(), r.target()) {
            if let Some(rest) = name.strip_prefix(prefix) {
                out.push((rest.to_string(), oid));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Outcome of a compare-and-swap ref write.
#[derive(Debug, PartialEq, Eq)]
pub enum RefWrite {
    /// Written.
    Done,
    /// The ref moved (or appeared/disappeared) since it was read.
    Raced,
}

/// Points `name` at `new` if it still points at `expected` (`None` = must not exist).
pub fn write_ref(
    repo: &Repository,
    name: &str,
    new: Oid,
    expected: Option<Oid>,
) -> GResult<RefWrite> {
    if read_ref(repo, name) != expected {
        return Ok(RefWrite::Raced);
    }
    match expected {
        None => repo.reference(name, new, false, "sandbox: create")?,
        Some(old) => repo.reference_matching(name, new, true, old, "sandbox: update")?,
    };
    Ok(RefWrite::Done)
}

/// Deletes a ref; false when it did not exist.
pub fn delete_ref(repo: &Repository, name: &str) -> GResult<bool> {
    match repo.find_reference(name) {
        Ok(mut r) => {
            r.delete()?;
            Ok(true)
        }
        Err(_) => Ok(false),
    }
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
        let commit = repo.find_commit(c)?;
        let tree = commit.tree()?;
        let new = subtree_id(repo, &tree, WORKFLOW_DIR);
        let old = match commit.parent_ids().next() {
            Some(p) => subtree_id(repo, &repo.find_commit(p)?.tree()?, WORKFLOW_DIR),
            None => None,
        };
        if new == old {
            continue;
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
        return Ok(Some(format!("{WORKFLOW_DIR}/{changed}")));
    }
    Ok(None)
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

/// What a path names inside a tree.
pub enum PathObject {
    /// A file: its blob id, mode and bytes.
    File(Oid, i32, Vec<u8>),
    /// A directory: its entries as (name, oid, kind, mode, size of blobs).
    Dir(Oid, Vec<TreeItem>),
}

/// One entry of a tree listing.
#[derive(Clone, Debug)]
pub struct TreeItem {
    /// Path relative to the listed tree (or full path when recursive).
    pub path: String,
    /// Entry name.
    pub name: String,
    /// Object id.
    pub oid: Oid,
    /// `blob`, `tree` or `commit`.
    pub kind: &'static str,
    /// Octal mode as GitHub prints it (`100644`, `040000`…).
    pub mode: String,
    /// Blob size, if a blob.
    pub size: Option<usize>,
}

fn kind_name(k: Option<ObjectType>) -> &'static str {
    match k {
        Some(ObjectType::Tree) => "tree",
        Some(ObjectType::Commit) => "commit",
        _ => "blob",
    }
}

/// Lists a tree (optionally recursively, with full paths).
pub fn list_tree(repo: &Repository, tree: Oid, recursive: bool) -> GResult<Vec<TreeItem>> {
    let t = repo.find_tree(tree)?;
    let mut out = Vec::new();
    let mut push = |dir: &str, e: &git2::TreeEntry<'_>| {
        let name = e.name().unwrap_or("").to_string();
        let size = if e.kind() == Some(ObjectType::Blob) {
            repo.odb()
                .ok()
                .and_then(|o| o.read_header(e.id()).ok())
                .map(|(s, _)| s)
        } else {
            None
        };
        out.push(TreeItem {
            path: format!("{dir}{name}"),
            name,
            oid: e.id(),
            kind: kind_name(e.kind()),
            mode: format!("{:06o}", e.filemode()),
            size,
        });
    };
    if recursive {
        t.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            push(dir, e);
            git2::TreeWalkResult::Ok
        })?;
    } else {
        for e in t.iter() {
            push("", &e);
        }
    }
    Ok(out)
}

/// Looks a path up in a commit's tree (`""` = the root).
pub fn read_path(repo: &Repository, commit: Oid, path: &str) -> GResult<Option<PathObject>> {
    let tree = repo.find_commit(commit)?.tree()?;
    let path = path.trim_matches('/');
    let (oid, kind, mode) = if path.is_empty() {
        (tree.id(), Some(ObjectType::Tree), 0o040000)
    } else {
        match tree.get_path(Path::new(path)) {
            Ok(e) => (e.id(), e.kind(), e.filemode()),
            Err(_) => return Ok(None),
        }
    };
    Ok(Some(match kind {
        Some(ObjectType::Tree) => PathObject::Dir(oid, list_tree(repo, oid, false)?),
        _ => PathObject::File(oid, mode, repo.find_blob(oid)?.content().to_vec()),
    }))
}

/// One entry of a `POST git/trees` request.
pub struct NewTreeEntry {
    /// Path, possibly nested (`audit/x.json`).
    pub path: String,
    /// File mode (`100644`, `100755`, `040000`, `160000`, `120000`).
    pub mode: i32,
    /// The object, or `None` to delete the path.
    pub oid: Option<Oid>,
}

/// Builds a tree from `base` plus `entries` (nested paths create intermediate trees).
pub fn build_tree(repo: &Repository, base: Option<Oid>, entries: &[NewTreeEntry]) -> GResult<Oid> {
    // Group by first path component; recurse into directories.
    let base_tree = match base {
        Some(b) => Some(repo.find_tree(b)?),
        None => None,
    };
    let mut builder = repo.treebuilder(base_tree.as_ref())?;
    let mut nested: BTreeMap<String, Vec<NewTreeEntry>> = BTreeMap::new();
    for e in entries {
        let path = e.path.trim_matches('/');
        match path.split_once('/') {
            Some((dir, rest)) => nested
                .entry(dir.to_string())
                .or_default()
                .push(NewTreeEntry {
                    path: rest.to_string(),
                    mode: e.mode,
                    oid: e.oid,
                }),
            None => match e.oid {
                Some(oid) => {
                    builder.insert(path, oid, e.mode)?;
                }
                None => {
                    let _ = builder.remove(path);
                }
            },
        }
    }
    for (dir, sub) in nested {
        let existing = builder
            .get(&dir)?
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| e.id());
        let t = build_tree(repo, existing, &sub)?;
        if repo.find_tree(t)?.is_empty() {
            let _ = builder.remove(&dir);
        } else {
            builder.insert(&dir, t, 0o040000)?;
        }
    }
    Ok(builder.write()?)
}

// ------------------------------------------------------------------ fast generation

/// Writes a whole network's history quickly: objects go to an in-memory backend and land
/// on disk as one packfile; refs are written as one `packed-refs` file.
pub struct Gen<'r> {
    repo: &'r Repository,
    odb: &'r git2::Odb<'r>,
}

/// A file tree being edited between generated commits; unchanged subtrees keep their ids.
#[derive(Clone, Default)]
pub struct Snapshot {
    entries: BTreeMap<String, Node>,
    cached: Option<Oid>,
}

#[derive(Clone)]
enum Node {
    File(Oid),
    Dir(Snapshot),
}

impl Snapshot {
    /// Sets the file at `path` to blob `oid`.
    pub fn set(&mut self, path: &str, oid: Oid) {
        self.cached = None;
        match path.split_once('/') {
            None => {
                self.entries.insert(path.to_string(), Node::File(oid));
            }
            Some((dir, rest)) => {
                let node = self
                    .entries
                    .entry(dir.to_string())
                    .or_insert_with(|| Node::Dir(Snapshot::default()));
                if let Node::File(_) = node {
                    *node = Node::Dir(Snapshot::default());
                }
                if let Node::Dir(d) = node {
                    d.set(rest, oid);
                }
            }
        }
    }

    /// Does the snapshot hold a file at `path`?
    pub fn has(&self, path: &str) -> bool {
        match path.split_once('/') {
            None => matches!(self.entries.get(path), Some(Node::File(_))),
            Some((dir, rest)) => matches!(self.entries.get(dir), Some(Node::Dir(d)) if d.has(rest)),
        }
    }
}

/// Creates a bare repository at `path`, runs `f` to write its objects (kept in memory, so
/// writing costs no file-system calls), then stores them as one packfile and writes the refs
/// `f` returns (full names) as `packed-refs`.
pub fn generate<R>(
    path: &Path,
    f: impl FnOnce(&Gen<'_>) -> GResult<(R, Vec<(String, Oid)>)>,
) -> GResult<R> {
    use std::io::Write as _;
    let io = |what: &str, e: std::io::Error| GitError::Missing(format!("{what}: {e}"));
    let repo = Repository::from_odb(git2::Odb::new()?)?;
    let odb = repo.odb()?;
    let mempack = odb.add_new_mempack_backend(1)?;
    let gen = Gen {
        repo: &repo,
        odb: &odb,
    };
    let (out, refs) = f(&gen)?;
    let mut buf = git2::Buf::new();
    mempack.dump(&repo, &mut buf)?;
    init_bare_layout(path).map_err(|e| io("init", e))?;
    let mut indexer = git2::Indexer::new(None, &path.join("objects/pack"), 0o644, false)?;
    indexer.write_all(&buf).map_err(|e| io("pack", e))?;
    indexer.commit()?;
    let mut sorted: Vec<&(String, Oid)> = refs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::from("# pack-refs with: peeled fully-peeled sorted \n");
    for (name, oid) in sorted {
        text.push_str(&format!("{oid} {name}\n"));
    }
    std::fs::write(path.join("packed-refs"), text).map_err(|e| io("packed-refs", e))?;
    Ok(out)
}

/// The minimal bare-repository layout git and libgit2 accept (what `git init --bare` makes,
/// less hooks and samples), written directly: much cheaper than a full init per network.
fn init_bare_layout(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path.join("objects/pack"))?;
    std::fs::create_dir_all(path.join("refs/heads"))?;
    std::fs::write(path.join("HEAD"), "ref: refs/heads/main\n")?;
    std::fs::write(
        path.join("config"),
        "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n",
    )
}

impl Gen<'_> {
    /// Writes a blob.
    pub fn blob(&self, data: &[u8]) -> GResult<Oid> {
        Ok(self.odb.write(ObjectType::Blob, data)?)
    }

    /// Writes a commit of `snap` (its changed trees first) with the given parents.
    pub fn commit(
        &self,
        snap: &mut Snapshot,
        parents: &[Oid],
        message: &str,
        author: (&str, &str, i64),
        committer: (&str, &str, i64),
    ) -> GResult<Oid> {
        let tree = write_snapshot(self.odb, snap)?;
        let mut body = format!("tree {tree}\n");
        for p in parents {
            body.push_str(&format!("parent {p}\n"));
        }
        body.push_str(&format!(
            "author {} <{}> {} +0000\ncommitter {} <{}> {} +0000\n\n{}",
            author.0, author.1, author.2, committer.0, committer.1, committer.2, message
        ));
        if !body.ends_with('\n') {
            body.push('\n');
        }
        Ok(self.odb.write(ObjectType::Commit, body.as_bytes())?)
    }

    /// The repository being generated.
    pub fn repo(&self) -> &Repository {
        self.repo
    }
}

fn write_snapshot(odb: &git2::Odb<'_>, snap: &mut Snapshot) -> GResult<Oid> {
    if let Some(id) = snap.cached {
        return Ok(id);
    }
    // git orders tree entries by name, directories compared as if they ended in '/'.
    let mut items: Vec<(Vec<u8>, &'static str, String, Oid)> =
        Vec::with_capacity(snap.entries.len());
    for (name, node) in snap.entries.iter_mut() {
        match node {
            Node::File(oid) => items.push((name.as_bytes().to_vec(), "100644", name.clone(), *oid)),
            Node::Dir(d) => {
                let id = write_snapshot(odb, d)?;
                let mut key = name.as_bytes().to_vec();
                key.push(b'/');
                items.push((key, "40000", name.clone(), id));
            }
        }
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut buf = Vec::with_capacity(items.len() * 40);
    for (_, mode, name, oid) in &items {
        buf.extend_from_slice(mode.as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(name.as_bytes());
        buf.push(0);
        buf.extend_from_slice(oid.as_bytes());
    }
    let id = odb.write(ObjectType::Tree, &buf)?;
    snap.cached = Some(id);
    Ok(id)
}
