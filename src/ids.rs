//! Identifiers that come from GitHub's answers, as types that can only hold valid values: an
//! [`Oid`] (a Git object id), a [`BranchName`] (a branch name git accepts) and a [`TagName`]
//! (a tag name git accepts). Answers are read
//! into them where they are parsed (`github::graphql`, `ancestry`, `reads`, `writes`); a value
//! that does not fit fails that answer (that repository's `failed`), and the error describes
//! the value without repeating it, so text from outside never reaches a log line this way.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value from outside that is not the identifier it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("a malformed object id ({0}): not 40 or 64 hexadecimal characters")]
    Oid(String),
    #[error("a malformed branch name ({0}): git does not allow it as a branch")]
    Branch(String),
    #[error("a malformed tag name ({0}): git does not allow it as a tag")]
    Tag(String),
}

/// Describes a value that failed validation without repeating it: its length and, when it
/// has one, the start made only of letters, digits, `.`, `_`, `-` and `/` (at most 12).
pub fn describe_invalid(s: &str) -> String {
    let n = s.chars().count();
    let safe: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        .take(12)
        .collect();
    let unit = if n == 1 { "character" } else { "characters" };
    if safe.is_empty() {
        format!("{n} {unit}")
    } else {
        format!("{n} {unit}, starting \"{safe}\"")
    }
}

/// A Git object id: 40 (SHA-1) or 64 (SHA-256) hexadecimal characters, kept in lower case.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Oid(String);

impl Oid {
    pub fn parse(s: &str) -> Result<Oid, IdError> {
        let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
        if hex && matches!(s.len(), 40 | 64) {
            Ok(Oid(s.to_ascii_lowercase()))
        } else {
            Err(IdError::Oid(describe_invalid(s)))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first seven characters, as git abbreviates a commit.
    pub fn short(&self) -> &str {
        // ASCII by construction: any byte index is a character boundary.
        &self.0[..7]
    }
}

/// A branch name as `git check-ref-format --branch` accepts it: not empty, not `@`, not
/// starting with `-` or `/` nor ending with `/` or `.`; no `//`, `..` or `@{`; no control
/// character, space, `~ ^ : ? * [ \`; no part starting with `.` or ending with `.lock`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BranchName(String);

impl BranchName {
    pub fn parse(s: &str) -> Result<BranchName, IdError> {
        if valid_branch(s) {
            Ok(BranchName(s.to_string()))
        } else {
            Err(IdError::Branch(describe_invalid(s)))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag name as git accepts it in `refs/tags/<name>` (`git check-ref-format`), held to the
/// same rules as a [`BranchName`]: not empty, not `@`, not starting with `-` (git tag refuses
/// it) or `/`, not ending with `/` or `.`; no `//`, `..` or `@{`; no control character, space,
/// `~ ^ : ? * [ \`; no part starting with `.` or ending with `.lock`. A name from outside that
/// passes can go into a URL path (percent-encoded), a log line or a report without carrying a
/// workflow command (`::` cannot occur) or a line break.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagName(String);

impl TagName {
    pub fn parse(s: &str) -> Result<TagName, IdError> {
        if valid_branch(s) {
            Ok(TagName(s.to_string()))
        } else {
            Err(IdError::Tag(describe_invalid(s)))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_branch(s: &str) -> bool {
    let bad_char =
        |c: char| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\');
    !s.is_empty()
        && s != "@"
        && !s.starts_with(['-', '/'])
        && !s.ends_with(['/', '.'])
        && !s.contains("//")
        && !s.contains("..")
        && !s.contains("@{")
        && !s.chars().any(bad_char)
        && s.split('/')
            .all(|part| !part.starts_with('.') && !part.ends_with(".lock"))
}

macro_rules! string_id {
    ($t:ident) => {
        impl Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }

        impl FromStr for $t {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $t::parse(s)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$t> for String {
            fn eq(&self, other: &$t) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<$t> for str {
            fn eq(&self, other: &$t) -> bool {
                self == other.0
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $t::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(Oid);
string_id!(BranchName);
string_id!(TagName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_40_or_64_hex_characters() {
        let sha1 = "0123456789abcdefABCDEF0123456789abcdef01";
        let oid = Oid::parse(sha1).unwrap();
        assert_eq!(oid.as_str(), sha1.to_ascii_lowercase());
        assert_eq!(oid.short(), "0123456");
        assert!(Oid::parse(&"a".repeat(64)).is_ok(), "SHA-256 repositories");
        for bad in [
            "",
            "abc",
            &"a".repeat(39),
            &"a".repeat(41),
            &"g".repeat(40),
            &format!("{} ", "a".repeat(39)),
            "aaaaaa\u{e9}\n::set-output name=mode::all\n",
        ] {
            assert!(Oid::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_invalid_value_is_described_without_repeating_it() {
        let e = Oid::parse("aaaaaa\u{e9}\n::set-output name=mode::all\n").unwrap_err();
        let m = e.to_string();
        assert_eq!(
            m,
            "a malformed object id (36 characters, starting \"aaaaaa\"): not 40 or 64 hexadecimal characters"
        );
        assert!(!m.contains("::") && !m.contains('\n'));
        let e = BranchName::parse("::warning::x").unwrap_err().to_string();
        assert!(e.contains("(12 characters)") && !e.contains("::"), "{e}");
        assert_eq!(describe_invalid("x"), "1 character, starting \"x\"");
    }

    #[test]
    fn branch_names_follow_git_check_ref_format() {
        for good in [
            "main",
            "release/1.x",
            "feature/a-b_c.d",
            "x`@org/team<!--",
            "ünïcode",
            "a.b",
            "@x",
        ] {
            assert!(BranchName::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "", "@", "-x", "/x", "x/", "x.", "a//b", "a..b", "a@{b", "a b", "a~b", "a^b", "a:b",
            "a?b", "a*b", "a[b", "a\\b", "a\nb", "a\u{7f}b", ".hidden", "a/.b", "x.lock",
            "a.lock/b",
        ] {
            assert!(BranchName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tag_names_follow_git_check_ref_format() {
        for good in [
            "v1.0.0",
            "release/2026-01",
            "v1.0.0-rc.1+build",
            "ünïcode",
            "@x",
        ] {
            assert!(TagName::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "@",
            "-v1",
            "v1..2",
            "v1:2",
            "a b",
            "::warning::x",
            "v1\n",
            "v1.lock",
            "a/.b",
            "x/",
        ] {
            let e = TagName::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("a malformed tag name"), "{e}");
            assert!(!e.contains("::"), "{e}");
        }
    }

    #[test]
    fn ids_serialize_as_strings_and_refuse_bad_ones() {
        let oid = Oid::parse(&"b".repeat(40)).unwrap();
        let json = serde_json::to_string(&oid).unwrap();
        assert_eq!(json, format!("\"{}\"", "b".repeat(40)));
        assert_eq!(serde_json::from_str::<Oid>(&json).unwrap(), oid);
        assert!(serde_json::from_str::<Oid>("\"zz\"").is_err());
        let b: BranchName = "main".parse().unwrap();
        assert_eq!(b, "main");
        assert_eq!(String::from("main"), b);
        assert_eq!(format!("{b}"), "main");
    }
}
