//! GitHub's answers that need more than their status code, classified by pure functions:
//! a redirect (a renamed or transferred repository), followed once and only on the API's own
//! origin so the token never travels to another host; and a compare whose diff GitHub cannot
//! compute, which retrying does not heal.

use http::Method;
use serde_json::Value;

use super::url::origin_of;

/// What to do with a redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Redirect {
    /// Send the same request (method and body) to this URL, once.
    Follow(String),
    /// Do not follow; why, worded to come after "GitHub answered {status}: ".
    Refuse(String),
}

/// Whether to follow a `status` answer to `method` whose `Location` is `location`: `None` when
/// it is not a redirect. GitHub moves a renamed repository's requests with 301 (GET, HEAD) or
/// 307 (the others) to `/repositories/{id}/…` on the same host (recorded: octokit/fixtures
/// `rename-repository`); its API overview asks clients to repeat the request there. Followed
/// only when `Location` is on `api_origin` (the token goes with the request), only once
/// (`already`: this request already followed one), and a write only after 307/308, which
/// keep the method and body (after 301/302/303 a client may turn it into a GET).
pub(super) fn redirect(
    method: &Method,
    status: u16,
    location: Option<&str>,
    api_origin: &str,
    already: bool,
) -> Option<Redirect> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let refuse = |why: String| Some(Redirect::Refuse(why));
    let Some(location) = location.map(str::trim).filter(|l| !l.is_empty()) else {
        return refuse("a redirect without a Location to follow".into());
    };
    let url = if location.starts_with('/') && !location.starts_with("//") {
        format!("{api_origin}{location}")
    } else {
        location.to_string()
    };
    let same_host = origin_of(&url).is_some_and(|o| o.eq_ignore_ascii_case(api_origin));
    if !same_host {
        let to = origin_of(&url).unwrap_or_else(|| "an address that is not http(s)".into());
        return refuse(format!(
            "moved this request to {}, another host than {api_origin}: not followed, so the token never leaves {api_origin}",
            crate::action_io::log::sanitize(&to.chars().take(200).collect::<String>())
        ));
    }
    if already {
        return refuse("moved again after one redirect was followed: not followed twice".into());
    }
    let keeps_method = matches!(status, 307 | 308);
    if !keeps_method && method != Method::GET && method != Method::HEAD {
        return refuse(format!("a {method} is not repeated after a {status}"));
    }
    Some(Redirect::Follow(url))
}

/// GitHub could not compute a compare's diff: a 5xx whose `errors` say the `diff` is
/// `not_available` (recorded 2026-05 for a compare, link-assistant/hive-mind#1831:
/// `{"message":"Server Error: Sorry, this diff is temporarily unavailable due to heavy server
/// load.","errors":[{"resource":"Comparison","field":"diff","code":"not_available"}],"status":"500"}`),
/// or whose message says the diff is taking too long (recorded 2020,
/// github-changelog-generator#920). The same range fails the same way: worth one retry at
/// most.
pub(super) fn diff_unavailable(status: u16, body: &Value) -> bool {
    if !(500..=599).contains(&status) {
        return false;
    }
    let by_code = body
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errs| {
            errs.iter().any(|e| {
                e.get("field").and_then(Value::as_str) == Some("diff")
                    && e.get("code").and_then(Value::as_str) == Some("not_available")
            })
        });
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    by_code
        || message.contains("diff is temporarily unavailable")
        || message.contains("diff is taking too long")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const API: &str = "https://api.github.com";

    #[test]
    fn renamed_repositories_are_followed_on_the_same_host_once() {
        // The recorded GET: 301 to /repositories/{id}.
        let loc = "https://api.github.com/repositories/515436299";
        assert_eq!(
            redirect(&Method::GET, 301, Some(loc), API, false),
            Some(Redirect::Follow(loc.into()))
        );
        // The recorded PATCH: 307, the write is repeated there.
        assert_eq!(
            redirect(&Method::PATCH, 307, Some(loc), API, false),
            Some(Redirect::Follow(loc.into()))
        );
        // A relative Location stays on the API's host.
        assert_eq!(
            redirect(
                &Method::POST,
                308,
                Some("/repositories/1/pulls"),
                API,
                false
            ),
            Some(Redirect::Follow(format!("{API}/repositories/1/pulls")))
        );
        // Hosts differ only in case: the same host.
        assert!(matches!(
            redirect(
                &Method::GET,
                301,
                Some("https://API.github.com/x"),
                API,
                false
            ),
            Some(Redirect::Follow(_))
        ));
        // Not a redirect.
        assert_eq!(redirect(&Method::GET, 200, Some(loc), API, false), None);
        assert_eq!(redirect(&Method::GET, 404, None, API, false), None);
    }

    #[test]
    fn the_token_never_travels_to_another_host() {
        for to in [
            "https://evil.example/repositories/1",
            "http://api.github.com/repositories/1",
            "https://api.github.com:8443/repositories/1",
            "//evil.example/repositories/1",
            "ftp://api.github.com/x",
        ] {
            match redirect(&Method::GET, 301, Some(to), API, false) {
                Some(Redirect::Refuse(why)) => {
                    assert!(why.contains("another host"), "{to}: {why}");
                    assert!(why.contains("token never leaves"), "{to}: {why}");
                }
                other => panic!("{to}: {other:?}"),
            }
        }
    }

    #[test]
    fn never_twice_never_a_write_turned_into_a_get_never_without_location() {
        let loc = "https://api.github.com/repositories/1";
        assert!(matches!(
            redirect(&Method::GET, 301, Some(loc), API, true),
            Some(Redirect::Refuse(w)) if w.contains("not followed twice")
        ));
        for status in [301, 302, 303] {
            assert!(matches!(
                redirect(&Method::PATCH, status, Some(loc), API, false),
                Some(Redirect::Refuse(w)) if w.contains("not repeated")
            ));
        }
        assert!(matches!(
            redirect(&Method::GET, 301, None, API, false),
            Some(Redirect::Refuse(w)) if w.contains("without a Location")
        ));
        assert!(matches!(
            redirect(&Method::GET, 301, Some("  "), API, false),
            Some(Redirect::Refuse(_))
        ));
    }

    #[test]
    fn diffs_github_cannot_compute_are_recognised() {
        let recorded = json!({
            "message": "Server Error: Sorry, this diff is temporarily unavailable due to heavy server load.",
            "errors": [{"resource": "Comparison", "field": "diff", "code": "not_available"}],
            "status": "500"
        });
        assert!(diff_unavailable(500, &recorded));
        let older =
            json!({"message": "Server Error: Sorry, this diff is taking too long to generate."});
        assert!(diff_unavailable(500, &older));
        // A plain server error heals by retrying; a 4xx is not this.
        assert!(!diff_unavailable(500, &json!({"message": "Server Error"})));
        assert!(!diff_unavailable(502, &json!(null)));
        assert!(!diff_unavailable(422, &recorded));
    }
}
