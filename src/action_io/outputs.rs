//! Step outputs (`GITHUB_OUTPUT`, heredoc-delimited so multi-line values are safe) and the job
//! summary (`GITHUB_STEP_SUMMARY`, kept under GitHub's 1 MiB limit).

use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::Path;

/// GitHub refuses step summaries larger than 1 MiB.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("output name `{0}` is not valid (letters, digits, `-` and `_`)")]
    BadName(String),
    #[error("cannot write {what} to {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// A delimiter that does not occur in `value`: random, so a value cannot close it on purpose.
fn delimiter_for(value: &str) -> String {
    loop {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        let a = h.finish();
        let b = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let d = format!("ghadelimiter_{a:016x}{b:016x}");
        if !value.contains(&d) {
            return d;
        }
    }
}

/// Formats outputs in the runner's file syntax: `name<<DELIM\nvalue\nDELIM\n` for each.
pub fn format_outputs(outputs: &[(&str, String)]) -> Result<String, OutputError> {
    let mut out = String::new();
    for (name, value) in outputs {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(OutputError::BadName(name.to_string()));
        }
        let d = delimiter_for(value);
        out.push_str(&format!("{name}<<{d}\n{value}\n{d}\n"));
    }
    Ok(out)
}

/// Appends the outputs to the `GITHUB_OUTPUT` file.
pub fn write_outputs(path: &Path, outputs: &[(&str, String)]) -> Result<(), OutputError> {
    let text = format_outputs(outputs)?;
    append(path, "step outputs", &text)
}

/// Cuts `markdown` to fit the summary limit, at a line boundary, saying so.
pub fn fit_summary(markdown: &str) -> String {
    if markdown.len() <= SUMMARY_LIMIT {
        return markdown.to_string();
    }
    let note = "\n\n> **Summary truncated** to fit GitHub's 1 MiB limit; the full report is in the committed `sync-progress.json`.\n";
    let mut cut = SUMMARY_LIMIT - note.len();
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = markdown[..cut].rfind('\n').unwrap_or(cut);
    format!("{}{note}", &markdown[..cut])
}

/// Appends markdown to the `GITHUB_STEP_SUMMARY` file, within the limit.
pub fn append_summary(path: &Path, markdown: &str) -> Result<(), OutputError> {
    append(path, "the job summary", &fit_summary(markdown))
}

fn append(path: &Path, what: &'static str, text: &str) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        what,
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the runner's output-file syntax the way the runner does.
    fn parse(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = text.split('\n');
        while let Some(line) = lines.next() {
            if line.is_empty() {
                continue;
            }
            let (name, delim) = line.split_once("<<").expect("heredoc form");
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.push((name.to_string(), value.join("\n")));
        }
        out
    }

    #[test]
    fn multi_line_values_survive() {
        let hostile = "line one\nsynced<<EOF\n::set-output name=x::y\nEOF\nlast";
        let text =
            format_outputs(&[("matrix", hostile.to_string()), ("synced", "3".into())]).unwrap();
        let parsed = parse(&text);
        assert_eq!(
            parsed,
            vec![
                ("matrix".into(), hostile.into()),
                ("synced".into(), "3".into())
            ]
        );
    }

    #[test]
    fn delimiters_differ_and_avoid_the_value() {
        let a = delimiter_for("x");
        let b = delimiter_for("x");
        assert_ne!(a, b);
        assert!(a.starts_with("ghadelimiter_"));
    }

    #[test]
    fn bad_names_are_refused() {
        assert!(format_outputs(&[("a b", String::new())]).is_err());
        assert!(format_outputs(&[("x\nmode", String::new())]).is_err());
    }

    #[test]
    fn outputs_append_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        std::fs::write(&p, "earlier<<X\n1\nX\n").unwrap();
        write_outputs(&p, &[("mode", "all".into())]).unwrap();
        let parsed = parse(&std::fs::read_to_string(&p).unwrap());
        assert_eq!(parsed[1], ("mode".into(), "all".into()));
    }

    #[test]
    fn summaries_are_cut_under_the_limit_with_a_note() {
        let line = "| a | b |\n";
        let big = line.repeat(SUMMARY_LIMIT / line.len() + 100);
        let fitted = fit_summary(&big);
        assert!(fitted.len() <= SUMMARY_LIMIT);
        assert!(fitted.contains("Summary truncated"));
        assert!(fitted.starts_with("| a | b |\n"));
        let small = "# ok\n";
        assert_eq!(fit_summary(small), small);
    }
}
