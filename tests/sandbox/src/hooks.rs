//! Test hooks: a change to the world made on cue, just before the sandbox answers a matching
//! request. A person pushing to a fork between a client's read and its write is a race no
//! timing can hit reliably; `Sandbox::push_before` makes it land exactly there.

use crate::exchange::Req;
use crate::state::Shared;

/// A person's push to `repo`'s `branch`, made once, right before the first request with
/// `method` whose path contains `path_contains` is answered.
#[derive(Clone, Debug)]
pub struct PushOnCue {
    /// Upper-case method to wait for.
    pub method: String,
    /// Substring of the path (without query) to wait for.
    pub path_contains: String,
    /// `owner/name` to push to.
    pub repo: String,
    /// Branch to push to.
    pub branch: String,
    /// The commit pushed, once it was.
    pub pushed: Option<String>,
}

/// Runs the hooks that wait for `req` (each once).
pub fn before_answer(sh: &Shared, req: &Req) {
    let due: Vec<usize> = {
        let hooks = sh.hooks();
        hooks
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.pushed.is_none() && h.method == req.method && req.path.contains(&h.path_contains)
            })
            .map(|(i, _)| i)
            .collect()
    };
    for i in due {
        let (repo, branch) = {
            let hooks = sh.hooks();
            (hooks[i].repo.clone(), hooks[i].branch.clone())
        };
        let n = sh.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sha = sh.push_file(
            &repo,
            &branch,
            "NOTES.md",
            &format!("a person's note {n}\n"),
            "docs: a person's note",
        );
        sh.hooks()[i].pushed = Some(sha.unwrap_or_default());
    }
}
