//! Fast generation of a whole network's history: objects go to an in-memory backend and
//! land on disk as one packfile, refs as one `packed-refs` file. The fleet generator writes
//! through this; the live sandbox then opens the result as a normal bare repository.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::{GResult, GitError};

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
