//! `tags:`, fleet-wide (a top-level key) and per repository entry (which replaces the
//! fleet-wide value for that repository): `true` (every upstream tag), `false` (none, the
//! default) or a list of glob patterns (`v*`, `release-*`) naming the upstream tags to create in
//! the fork. Patterns are checked here, every bad one a problem with its line and a fix.

use super::load::Cx;
use crate::repo_name::printable;
use crate::yaml::Value;

/// Which upstream tags a repository wants in its fork.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TagPolicy {
    /// No tags (the default).
    #[default]
    Off,
    /// Every upstream tag.
    All,
    /// The upstream tags matching any of these patterns.
    Only(Vec<TagPattern>),
}

impl TagPolicy {
    /// True when some tag may be wanted (the gather then reads both sides' tags).
    pub fn is_on(&self) -> bool {
        !matches!(self, TagPolicy::Off)
    }

    /// Whether the tag `name` is wanted.
    pub fn wants(&self, name: &str) -> bool {
        match self {
            TagPolicy::Off => false,
            TagPolicy::All => true,
            TagPolicy::Only(patterns) => patterns.iter().any(|p| p.matches(name)),
        }
    }

    /// How the inventory would say it: `true`, `false`, `[v*, release-*]`.
    pub fn describe(&self) -> String {
        match self {
            TagPolicy::Off => "false".into(),
            TagPolicy::All => "true".into(),
            TagPolicy::Only(p) => format!(
                "[{}]",
                p.iter()
                    .map(TagPattern::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A tag name pattern: a tag name git accepts in which `*` stands for any run of characters
/// (`/` included) and `?` for exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPattern(String);

impl TagPattern {
    /// Checks a pattern; `Err` says what is wrong with it.
    pub fn parse(s: &str) -> Result<TagPattern, String> {
        if s.is_empty() {
            return Err("an empty pattern matches no tag".into());
        }
        if s.contains('[') {
            return Err("character classes (`[…]`) are not supported".into());
        }
        // With its wildcards filled in, a pattern must be a name git accepts for a tag.
        let sample: String = s
            .chars()
            .map(|c| if c == '*' || c == '?' { 'x' } else { c })
            .collect();
        if crate::ids::TagName::parse(&sample).is_err() {
            return Err("no tag git accepts can match it".into());
        }
        Ok(TagPattern(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        let p: Vec<char> = self.0.chars().collect();
        let n: Vec<char> = name.chars().collect();
        // Iterative glob matching with one backtrack point (the last `*`): linear in practice,
        // never exponential.
        let (mut i, mut j) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while j < n.len() {
            match p.get(i) {
                Some('*') => {
                    star = Some((i, j));
                    i += 1;
                }
                Some(&c) if c == '?' || c == n[j] => {
                    i += 1;
                    j += 1;
                }
                _ => match star {
                    Some((si, sj)) => {
                        i = si + 1;
                        j = sj + 1;
                        star = Some((si, sj + 1));
                    }
                    None => return false,
                },
            }
        }
        p[i..].iter().all(|&c| c == '*')
    }
}

/// The shape every `tags:` problem's fix shows.
const TAGS_SHAPE: &str =
    "write `tags: true` (every upstream tag), `tags: false`, or a list of patterns such as `tags: [\"v*\", \"release-*\"]`";

impl Cx {
    /// A `tags:` value at `path`; `None` (after a problem) when it is not one.
    pub(super) fn tags(&mut self, path: &str, value: Value) -> Option<TagPolicy> {
        match value {
            Value::Bool(true) => Some(TagPolicy::All),
            Value::Bool(false) | Value::Null => Some(TagPolicy::Off),
            Value::Sequence(items) if items.is_empty() => {
                self.problem(
                    path,
                    "an empty list of tag patterns matches no tag",
                    Some("write `tags: false` to create no tags, or list patterns such as `[\"v*\"]`".into()),
                );
                None
            }
            Value::Sequence(items) => {
                let mut patterns = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    let at = format!("{path}[{i}]");
                    let Some(text) = item.as_str() else {
                        self.problem(
                            &at,
                            "a tag pattern must be text",
                            Some("quote it, e.g. `\"v*\"`".into()),
                        );
                        continue;
                    };
                    match TagPattern::parse(text) {
                        Ok(p) => patterns.push(p),
                        Err(why) => self.problem(
                            &at,
                            format!("`{}` is not a tag pattern: {why}", printable(text)),
                            Some("use a tag name with `*` (any run of characters) or `?` (one character), e.g. `v*` or `release-*`".into()),
                        ),
                    }
                }
                Some(TagPolicy::Only(patterns))
            }
            Value::String(s) => {
                self.problem(
                    path,
                    format!("`{}` is not true, false or a list", printable(&s)),
                    Some(format!(
                        "{TAGS_SHAPE}; a single pattern goes in a list: `[\"{}\"]`",
                        printable(&s)
                    )),
                );
                None
            }
            _ => {
                self.problem(
                    path,
                    "expected true, false or a list of tag patterns",
                    Some(TAGS_SHAPE.into()),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> TagPattern {
        TagPattern::parse(s).unwrap()
    }

    #[test]
    fn globs_match_whole_names() {
        assert!(pat("v*").matches("v1.0.0"));
        assert!(pat("v*").matches("v"));
        assert!(!pat("v*").matches("release-v1"));
        assert!(pat("release-*").matches("release-2026.01"));
        assert!(
            pat("release/*").matches("release/1.x/rc"),
            "`*` crosses `/`"
        );
        assert!(pat("v?.0").matches("v1.0"));
        assert!(!pat("v?.0").matches("v10.0"));
        assert!(pat("*-rc*").matches("v2.0-rc1"));
        assert!(!pat("*-rc*").matches("v2.0"));
        assert!(pat("v1.0.0").matches("v1.0.0"));
        assert!(!pat("v1.0.0").matches("v1.0.01"));
        assert!(pat("**").matches("anything/at/all"));
        assert!(pat("a*b*c").matches("aXXbYYc"));
        assert!(!pat("a*b*c").matches("aXXbYY"));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(TagPattern::parse("").unwrap_err().contains("empty"));
        assert!(TagPattern::parse("v[0-9]*")
            .unwrap_err()
            .contains("character classes"));
        for bad in ["v1..*", "a b*", "-v*", "v*:x", "*.lock", "v*\n"] {
            assert!(
                TagPattern::parse(bad).unwrap_err().contains("no tag"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn policies_want_what_they_say() {
        assert!(!TagPolicy::Off.wants("v1") && !TagPolicy::Off.is_on());
        assert!(TagPolicy::All.wants("anything") && TagPolicy::All.is_on());
        let only = TagPolicy::Only(vec![pat("v*"), pat("release-*")]);
        assert!(only.wants("v2") && only.wants("release-9") && !only.wants("nightly"));
        assert_eq!(only.describe(), "[v*, release-*]");
    }
}
