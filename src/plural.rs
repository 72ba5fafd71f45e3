//! Counts with their nouns, so every number a person reads agrees with its noun: `1 commit`,
//! `2 commits`, `0 repositories`. Reports, log lines and messages route counts through here.

/// The noun for `n`: `one` when `n` is 1, else `many`.
pub fn noun<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `n` and its noun: `count(1, "commit", "commits")` is `1 commit`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", noun(n, one, many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noun_agrees_with_the_number() {
        assert_eq!(count(1u32, "commit", "commits"), "1 commit");
        assert_eq!(count(0u32, "commit", "commits"), "0 commits");
        assert_eq!(count(2u64, "repository", "repositories"), "2 repositories");
        assert_eq!(noun(1, "own commit", "own commits"), "own commit");
    }
}
