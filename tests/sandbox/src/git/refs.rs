//! Refs inside a network store: read, list, compare-and-swap write, delete. A GitHub
//! repository's refs are the store's `refs/sandbox/<repo id>/…` (see `store_ref`).

use git2::{Oid, Repository};

use super::GResult;

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
