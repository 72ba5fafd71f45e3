//! URLs for GitHub: the REST and GraphQL endpoints, an endpoint's origin, repository paths, and
//! percent-encoding of names that come from outside (branches, paths, refs) for a path or a
//! query parameter.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::repo_name::RepoName;

/// Bytes kept as they are in a path: RFC 3986's unreserved characters and `/`, so a branch
/// such as `priority-sync/main` or a file path stays readable (GitHub's routes take them so).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Bytes kept in a query parameter's value: the unreserved characters only (`/` becomes `%2F`).
const QUERY_VALUE: &AsciiSet = &PATH.add(b'/');

/// Percent-encodes a path part (a branch or file path keeps its `/`).
pub(super) fn path_part(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Percent-encodes a query parameter's value (`/` included).
pub(super) fn query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// `/repos/{owner}/{name}`.
pub(super) fn repo_path(repo: &RepoName) -> String {
    format!(
        "/repos/{}/{}",
        path_part(repo.owner()),
        path_part(repo.name())
    )
}

/// The scheme and host (with port) of an http(s) URL; `None` for anything else.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The path of a URL (for log lines: no host, which may be a secret webhook's).
pub(super) fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

/// Where requests go: the REST base and the GraphQL endpoint.
#[derive(Debug, Clone)]
pub(super) struct Endpoints {
    /// REST base without a trailing `/`, e.g. `https://ghe.corp/api/v3`.
    pub api: String,
    /// The GraphQL endpoint as given (on Enterprise Server not under the REST base).
    pub graphql: String,
}

impl Endpoints {
    /// The full URL of a REST path (`/repos/…`).
    pub fn rest(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_paths() {
        assert_eq!(
            origin_of("https://ghe.corp/api/v3").as_deref(),
            Some("https://ghe.corp")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:4000").as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("https://"), None);
        assert_eq!(origin_of("hooks.slack.com/services/x"), None);
        assert_eq!(
            path_of("https://ghe.corp/api/v3/repos/a/b"),
            "/api/v3/repos/a/b"
        );
    }

    #[test]
    fn encoding_keeps_branch_slashes() {
        assert_eq!(path_part("priority-sync/main"), "priority-sync/main");
        assert_eq!(path_part("a b#c"), "a%20b%23c");
    }

    #[test]
    fn path_parts_encode_everything_but_unreserved_and_slash() {
        assert_eq!(path_part("v1.2_rc-3~x"), "v1.2_rc-3~x");
        assert_eq!(path_part("what?"), "what%3F");
        assert_eq!(path_part("100%"), "100%25");
        assert_eq!(path_part("a+b&c=d"), "a%2Bb%26c%3Dd");
        assert_eq!(path_part("feature/été"), "feature/%C3%A9t%C3%A9");
        assert_eq!(path_part("🚀"), "%F0%9F%9A%80");
        assert_eq!(path_part("../x"), "../x");
        assert_eq!(path_part(""), "");
    }

    #[test]
    fn query_values_encode_slashes_too() {
        assert_eq!(
            query_value("octo:priority-sync/main"),
            "octo%3Apriority-sync%2Fmain"
        );
        assert_eq!(query_value("a b#c?d%e"), "a%20b%23c%3Fd%25e");
        assert_eq!(query_value("ré/f"), "r%C3%A9%2Ff");
        assert_eq!(query_value("a&per_page=1"), "a%26per_page%3D1");
    }

    /// The encoding the client used before `percent-encoding` (kept as the oracle): every byte
    /// but ASCII alphanumerics and `-._~/` as `%XX`.
    fn old_enc(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    #[test]
    fn same_bytes_as_before_for_every_ascii_character_and_some_unicode() {
        let all_ascii: String = (1u8..128).map(char::from).collect();
        for s in [all_ascii.as_str(), "ü/日本/🚀", "a b#c?d%e/f"] {
            assert_eq!(path_part(s), old_enc(s), "{s:?}");
            assert_eq!(query_value(s), old_enc(s).replace('/', "%2F"), "{s:?}");
        }
    }

    #[test]
    fn repository_paths_and_endpoints() {
        let r: RepoName = "octo-org/hello.world".parse().unwrap();
        assert_eq!(repo_path(&r), "/repos/octo-org/hello.world");
        let e = Endpoints {
            api: "https://ghe.corp/api/v3".into(),
            graphql: "https://ghe.corp/api/graphql".into(),
        };
        assert_eq!(e.rest("/repos/a/b"), "https://ghe.corp/api/v3/repos/a/b");
    }
}
