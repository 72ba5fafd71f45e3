//! Writing the run's files into the workspace (audit artifacts, result files) with care for
//! what a checkout may hold: never through a symlink (each file is written to a new
//! temporary file beside it, opened with `create_new` so not even that follows one, then
//! renamed over the name, which replaces a symlink there instead of writing to its target),
//! only inside the workspace (a directory that resolves outside it is refused before the run
//! starts), and, when the action runs as root in its container (a Docker action does), owned
//! by the workspace's owner, so later steps on a self-hosted runner can change or delete them
//! (actions/runner#434, #1282).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Why a directory cannot take the run's files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{dir}` {why}")]
pub struct OutsideWorkspace {
    pub what: String,
    pub dir: String,
    pub why: String,
}

/// Checks that `dir` (absolute, or relative to the current directory) lies inside
/// `workspace` once every symlink on its way is followed: the deepest part of it that exists
/// is resolved and must be the workspace or under it. `what` names the setting in the error.
pub fn check_inside(what: &str, dir: &Path, workspace: &Path) -> Result<(), OutsideWorkspace> {
    let refuse = |why: String| OutsideWorkspace {
        what: what.to_string(),
        dir: dir.display().to_string(),
        why,
    };
    let ws = workspace.canonicalize().map_err(|e| {
        refuse(format!(
            "cannot be checked: the workspace {} cannot be resolved ({e})",
            workspace.display()
        ))
    })?;
    if dir.components().any(|c| c == Component::ParentDir) {
        return Err(refuse(
            "goes up with `..`; use a path inside the workspace".into(),
        ));
    }
    // The deepest existing ancestor, resolved (what is below it does not exist yet: it will
    // be created as plain directories).
    let mut existing = dir.to_path_buf();
    while std::fs::symlink_metadata(&existing).is_err() {
        if !existing.pop() {
            break;
        }
    }
    if existing.as_os_str().is_empty() {
        existing = PathBuf::from(".");
    }
    let resolved = existing.canonicalize().map_err(|e| {
        refuse(format!(
            "cannot be resolved ({e}); remove the broken symlink or fix the path"
        ))
    })?;
    if resolved.starts_with(&ws) {
        Ok(())
    } else {
        Err(refuse(format!(
            "resolves to {}, outside the workspace {} (a symlink in the checkout?); nothing was written: point it at a directory inside the workspace",
            resolved.display(),
            ws.display()
        )))
    }
}

/// Writes `files` (name, contents) into `dir`, creating it, each file replaced atomically and
/// never through a symlink. With a `workspace` (the action), `dir` must lie inside it and
/// what is created gets the workspace's owner when the run is root.
pub fn write_files(
    dir: &Path,
    files: &[(String, String)],
    workspace: Option<&Path>,
) -> Result<(), String> {
    if let Some(ws) = workspace {
        check_inside("the output directory", dir, ws).map_err(|e| e.to_string())?;
    }
    for created in create_dirs(dir)? {
        if let Some(ws) = workspace {
            give_to_owner_of(&created, ws);
        }
    }
    for (name, content) in files {
        let path = dir.join(name);
        replace(&path, content.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if let Some(ws) = workspace {
            give_to_owner_of(&path, ws);
        }
    }
    Ok(())
}

/// Creates `dir` and its missing parents; returns the ones created, outermost first.
fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut missing = Vec::new();
    let mut d = dir.to_path_buf();
    while std::fs::symlink_metadata(&d).is_err() {
        missing.push(d.clone());
        if !d.pop() || d.as_os_str().is_empty() {
            break;
        }
    }
    missing.reverse();
    for d in &missing {
        match std::fs::create_dir(d) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", d.display())),
        }
    }
    Ok(missing)
}

/// Writes `bytes` to a new file beside `path` and renames it over `path`: the name ends up a
/// regular file with these bytes whatever it was (a symlink is replaced, not followed), and a
/// reader never sees half a file.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.priority-sync-{}.tmp", std::process::id()));
    // A leftover of a killed run (or anything planted there) goes first; `create_new` then
    // refuses to open anything that exists, a symlink included.
    let _ = std::fs::remove_file(&tmp);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes));
    match written.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Gives `path` the owner of `workspace` when the run created it as root and the workspace
/// belongs to someone else (a Docker action's container runs as root; the runner's user owns
/// the workspace). Best effort: anything else is left as it is.
#[cfg(unix)]
fn give_to_owner_of(path: &Path, workspace: &Path) {
    use std::os::unix::fs::MetadataExt;
    let (Ok(ws), Ok(ours)) = (
        std::fs::metadata(workspace),
        std::fs::symlink_metadata(path),
    ) else {
        return;
    };
    if ours.uid() == 0 && (ws.uid(), ws.gid()) != (ours.uid(), ours.gid()) {
        if let Err(e) = std::os::unix::fs::lchown(path, Some(ws.uid()), Some(ws.gid())) {
            log::debug!(
                "cannot give {} to the workspace's owner: {e}",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn give_to_owner_of(_path: &Path, _workspace: &Path) {}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_symlink_at_a_file_name_is_replaced_not_followed() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim");
        std::fs::write(&target, "precious").unwrap();
        let dir = ws.path().join("audit");
        std::fs::create_dir(&dir).unwrap();
        symlink(&target, dir.join("speed-metrics.json")).unwrap();
        write_files(
            &dir,
            &[("speed-metrics.json".into(), "{}".into())],
            Some(ws.path()),
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        let written = dir.join("speed-metrics.json");
        assert!(std::fs::symlink_metadata(&written).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&written).unwrap(), "{}");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_resolving_outside_the_workspace_is_refused() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        symlink(outside.path(), ws.path().join("audit")).unwrap();
        let e = write_files(
            &ws.path().join("audit/sub"),
            &[("x.json".into(), "{}".into())],
            Some(ws.path()),
        )
        .unwrap_err();
        assert!(e.contains("outside the workspace"), "{e}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        // Inside (through a symlink that stays inside, or not yet existing) is fine.
        std::fs::create_dir(ws.path().join("real")).unwrap();
        symlink(ws.path().join("real"), ws.path().join("alias")).unwrap();
        assert_eq!(
            check_inside("d", &ws.path().join("alias/new/deeper"), ws.path()),
            Ok(())
        );
        assert!(check_inside("d", &ws.path().join("a/../../x"), ws.path()).is_err());
    }

    #[test]
    fn without_a_workspace_files_are_written_where_asked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b");
        write_files(&out, &[("f.json".into(), "1".into())], None).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("f.json")).unwrap(), "1");
        // Rewriting replaces.
        write_files(&out, &[("f.json".into(), "2".into())], None).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("f.json")).unwrap(), "2");
    }
}
