//! Renamed repositories on the REST side: the path a request is routed by (`/repositories/{id}/…`
//! names a repository by its id, as the `Location` of GitHub's redirects and its pagination
//! links do), and GitHub's redirect for a repository named by its former name: 301 for GET and
//! HEAD, 307 for any other method, `Location: {api}/repositories/{id}{rest of the path}` and
//! the recorded "Moved Permanently" body (octokit/fixtures `rename-repository`, under
//! `recordings/`). With `Behaviour::redirect_renamed` off the old name is served directly.

use serde_json::json;

use crate::exchange::{Req, Resp};
use crate::state::Shared;
use crate::util::{percent_decode, percent_encode};

/// GitHub's documentation link in a redirect's body (recorded).
pub const REDIRECT_DOCS: &str = "https://docs.github.com/v3/#http-redirects";

/// How a request is routed: the path to match against the route table, and the redirect that
/// answers it instead of the handler (a former name).
pub struct Routed {
    /// `/repos/{owner}/{name}/…` with the repository's current name when the request named
    /// it by id (or by a former name, without redirects); else the request's own path.
    pub path: String,
    /// GitHub's answer for a former name.
    pub redirect: Option<Resp>,
}

/// Routes `req` (its path without the GHES prefix).
pub fn routed(sh: &Shared, req: &Req) -> Routed {
    let plain = || Routed {
        path: req.path.clone(),
        redirect: None,
    };
    let raw: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    match raw.as_slice() {
        ["repositories", id, rest @ ..] => {
            let Ok(id) = id.parse::<u64>() else {
                return plain();
            };
            let w = sh.world();
            // An unknown id routes to a repository that does not exist: the handler's 404.
            let (owner, name) = w
                .repos
                .iter()
                .find(|r| r.id == id)
                .map(|r| (r.owner.clone(), r.name.clone()))
                .unwrap_or_else(|| ("-".into(), "-".into()));
            Routed {
                path: repos_path(&owner, &name, rest),
                redirect: None,
            }
        }
        ["repos", o, r, rest @ ..] => {
            let (o, r) = (percent_decode(o, false), percent_decode(r, false));
            let w = sh.world();
            if w.find(&o, &r).is_some() {
                return plain();
            }
            let Some(idx) = w.find_former(&o, &r) else {
                return plain();
            };
            let repo = &w.repos[idx];
            if !sh.behaviour.redirect_renamed {
                return Routed {
                    path: repos_path(&repo.owner, &repo.name, rest),
                    redirect: None,
                };
            }
            let mut location = format!("{}/repositories/{}", sh.api, repo.id);
            for seg in rest {
                location.push('/');
                location.push_str(seg);
            }
            if !req.query_string.is_empty() {
                location.push('?');
                location.push_str(&req.query_string);
            }
            Routed {
                path: req.path.clone(),
                redirect: Some(redirect(&req.method, location)),
            }
        }
        _ => plain(),
    }
}

/// `/repos/{owner}/{name}` and the rest of a path (its segments as received).
fn repos_path(owner: &str, name: &str, rest: &[&str]) -> String {
    let mut p = format!(
        "/repos/{}/{}",
        percent_encode(owner, false),
        percent_encode(name, false)
    );
    for seg in rest {
        p.push('/');
        p.push_str(seg);
    }
    p
}

/// GitHub's redirect: 301 for GET and HEAD, 307 (repeat the method and body) for the others,
/// the same body for both (the recorded PATCH's 307 also says "Moved Permanently").
pub fn redirect(method: &str, location: String) -> Resp {
    let status = if matches!(method, "GET" | "HEAD") {
        301
    } else {
        307
    };
    Resp::json(
        status,
        json!({"message": "Moved Permanently", "url": location, "documentation_url": REDIRECT_DOCS}),
    )
    .with_header("location", location)
}
