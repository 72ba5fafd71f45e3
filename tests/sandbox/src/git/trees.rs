//! Trees inside a network store: listing, path lookup (contents API, GraphQL `object`), and
//! building new trees from a base plus entries (Git Data API `POST …/git/trees`).

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::GResult;

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
