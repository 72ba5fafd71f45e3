//! `owner/name` repository identifiers, validated once so the rest of the code can trust them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A repository's full name, `owner/name`, as GitHub spells it.
///
/// Ordering and equality are case-insensitive on both parts (GitHub treats `Foo/Bar` and
/// `foo/bar` as the same repository); the spelling given first is kept for display.
#[derive(Clone, Debug)]
pub struct RepoName {
    owner: String,
    name: String,
}

/// Why a string is not a valid `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoNameError {
    #[error("`{0}` is not of the form owner/name")]
    Shape(String),
    #[error("owner `{0}` is not a valid GitHub account name (1-39 letters, digits, `-` or `_`, not starting with `-`)")]
    Owner(String),
    #[error("repository name `{0}` is not valid (1-100 letters, digits, `.`, `-` or `_`; not `.` or `..`)")]
    Name(String),
}

impl RepoName {
    /// Builds a name from its two parts, validating both.
    pub fn new(owner: &str, name: &str) -> Result<Self, RepoNameError> {
        if !valid_owner(owner) {
            return Err(RepoNameError::Owner(printable(owner)));
        }
        if !valid_name(name) {
            return Err(RepoNameError::Name(printable(name)));
        }
        Ok(Self {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lower-cased `owner/name`, the key used for comparisons and maps.
    pub fn key(&self) -> String {
        format!(
            "{}/{}",
            self.owner.to_ascii_lowercase(),
            self.name.to_ascii_lowercase()
        )
    }
}

fn valid_owner(owner: &str) -> bool {
    (1..=39).contains(&owner.len())
        && !owner.starts_with('-')
        && owner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn valid_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Shows a user's input in an error without letting control characters or huge strings through.
pub(crate) fn printable(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(80)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

impl FromStr for RepoName {
    type Err = RepoNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let mut parts = s.split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(owner), Some(name), None) => RepoName::new(owner, name),
            _ => Err(RepoNameError::Shape(printable(s))),
        }
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl PartialEq for RepoName {
    fn eq(&self, other: &Self) -> bool {
        self.owner.eq_ignore_ascii_case(&other.owner) && self.name.eq_ignore_ascii_case(&other.name)
    }
}

impl Eq for RepoName {}

impl std::hash::Hash for RepoName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for RepoName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RepoName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl Serialize for RepoName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RepoName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let r: RepoName = "heyns1000/omnigrid".parse().unwrap();
        assert_eq!(r.owner(), "heyns1000");
        assert_eq!(r.name(), "omnigrid");
        assert_eq!(r.to_string(), "heyns1000/omnigrid");
    }

    #[test]
    fn equality_ignores_case_but_display_keeps_it() {
        let a: RepoName = "Fruitful-Global-Planet/FruitfulPlanetChange"
            .parse()
            .unwrap();
        let b: RepoName = "fruitful-global-planet/fruitfulplanetchange"
            .parse()
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "Fruitful-Global-Planet/FruitfulPlanetChange");
    }

    #[test]
    fn rejects_malformed_names() {
        for bad in [
            "omnigrid", "a/b/c", "/x", "x/", "-bad/x", "a/..", "a/b c", "../etc", "a/<img>",
        ] {
            assert!(bad.parse::<RepoName>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn printable_escapes_control_characters() {
        let e = "a\u{1b}[31m/x".parse::<RepoName>().unwrap_err();
        assert!(e.to_string().contains("\\u{1b}"), "{e}");
    }
}
