//! The only module that knows which YAML library is used: parsing to values (serde_yaml) and
//! finding the line of any path in the document (saphyr's event parser), so config errors can
//! name their line. Swapping serde_yaml (archived upstream) touches this file only.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};
use serde::de::DeserializeOwned;

pub use serde_yaml::Value;

/// A YAML syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// Parses a YAML (or JSON) document into a generic value.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let loc = e.location();
        SyntaxError {
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            message: strip_location(&e.to_string()),
        }
    })
}

/// Deserializes a value into `T`, returning the path inside the value where it failed.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        (path, strip_location(&e.into_inner().to_string()))
    })
}

/// serde_yaml appends " at line X column Y" to messages; positions are reported separately.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Line numbers (1-based) of every key and sequence item in a document, by path.
///
/// Paths are written `a.b[3].c`, the same way [`from_value`] reports them.
#[derive(Debug, Default, Clone)]
pub struct Lines {
    lines: HashMap<String, usize>,
    duplicates: Vec<DuplicateKey>,
}

/// A key given twice in the same map (YAML forbids it; the parser refuses the document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Path of the key, e.g. `weights.open_prs`.
    pub path: String,
    /// The key as written.
    pub key: String,
    /// Line of its first occurrence.
    pub first_line: usize,
    /// Line of the repeated occurrence.
    pub line: usize,
}

impl Lines {
    /// Indexes `text`; a document that does not parse gives an empty index.
    pub fn index(text: &str) -> Self {
        let mut recv = LineRecorder::default();
        let mut parser = Parser::new_from_str(text);
        // A syntax error is reported by `parse`; whatever was indexed before it is still useful.
        let _ = parser.load(&mut recv, false);
        Lines {
            lines: recv.lines,
            duplicates: recv.duplicates,
        }
    }

    /// Every key repeated inside one map, in document order.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// True when `path` itself (not just an ancestor) is in the document.
    pub fn has(&self, path: &str) -> bool {
        self.lines.contains_key(path)
    }

    /// The line of `path`, or of its closest indexed ancestor.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(line) = self.lines.get(p) {
                return Some(*line);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

enum Frame {
    Map {
        key: Option<String>,
        expect_key: bool,
        /// Keys seen so far in this map, with their lines.
        seen: HashMap<String, usize>,
    },
    Seq {
        next: usize,
    },
}

#[derive(Default)]
struct LineRecorder {
    stack: Vec<(String, Frame)>,
    lines: HashMap<String, usize>,
    duplicates: Vec<DuplicateKey>,
}

impl LineRecorder {
    /// The path of the node that the next value event belongs to, and whether it is a map key.
    fn next_path(&mut self) -> (Option<String>, bool) {
        let Some((base, frame)) = self.stack.last_mut() else {
            return (Some(String::new()), false);
        };
        match frame {
            Frame::Map {
                key, expect_key, ..
            } => {
                if *expect_key {
                    (None, true)
                } else {
                    let k = key.take().unwrap_or_default();
                    *expect_key = true;
                    (Some(join(base, &k)), false)
                }
            }
            Frame::Seq { next } => {
                let p = format!("{base}[{next}]");
                *next += 1;
                (Some(p), false)
            }
        }
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

impl<'input> SpannedEventReceiver<'input> for LineRecorder {
    fn on_event(&mut self, ev: Event<'input>, span: Span) {
        let line = span.start.line();
        match ev {
            Event::Scalar(value, ..) => {
                let (path, is_key) = self.next_path();
                if is_key {
                    if let Some((
                        base,
                        Frame::Map {
                            key,
                            expect_key,
                            seen,
                        },
                    )) = self.stack.last_mut()
                    {
                        let path = join(base, &value);
                        match seen.get(value.as_ref()) {
                            Some(&first_line) => self.duplicates.push(DuplicateKey {
                                path: path.clone(),
                                key: value.to_string(),
                                first_line,
                                line,
                            }),
                            None => {
                                seen.insert(value.to_string(), line);
                            }
                        }
                        self.lines.entry(path).or_insert(line);
                        *key = Some(value.into_owned());
                        *expect_key = false;
                    }
                } else if let Some(p) = path {
                    self.lines.entry(p).or_insert(line);
                }
            }
            Event::Alias(_) => {
                let (path, is_key) = self.next_path();
                if is_key {
                    if let Some((
                        _,
                        Frame::Map {
                            key, expect_key, ..
                        },
                    )) = self.stack.last_mut()
                    {
                        *key = Some("*alias".into());
                        *expect_key = false;
                    }
                } else if let Some(p) = path {
                    self.lines.entry(p).or_insert(line);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let (path, is_key) = self.next_path();
                // Complex keys are not used by the inventory; index them under a placeholder.
                let path = if is_key {
                    "?complex-key".to_string()
                } else {
                    path.unwrap_or_default()
                };
                self.lines.entry(path.clone()).or_insert(line);
                let frame = if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        key: None,
                        expect_key: true,
                        seen: HashMap::new(),
                    }
                } else {
                    Frame::Seq { next: 0 }
                };
                self.stack.push((path, frame));
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "top:\n  - a/b\n  - c/d\nrepositories:\n  - x/y\n  - repo: e/f\n    branch: dev\nweights:\n  open_prs: 3\n";

    #[test]
    fn indexes_keys_and_items() {
        let lines = Lines::index(DOC);
        assert_eq!(lines.line_of("top"), Some(1));
        assert_eq!(lines.line_of("top[1]"), Some(3));
        assert_eq!(lines.line_of("repositories[1].branch"), Some(7));
        assert_eq!(lines.line_of("weights.open_prs"), Some(9));
        // An unknown path falls back to its closest ancestor.
        assert_eq!(lines.line_of("weights.nope"), Some(8));
    }

    #[test]
    fn indexes_json_flow_style() {
        let text = "{\n  \"repositories\": [\n    \"a/b\",\n    {\"repo\": \"c/d\"}\n  ]\n}\n";
        let lines = Lines::index(text);
        assert_eq!(lines.line_of("repositories[0]"), Some(3));
        assert_eq!(lines.line_of("repositories[1].repo"), Some(4));
    }

    #[test]
    fn duplicate_keys_are_found_at_their_own_line() {
        let text = "weights:\n  open_prs: 1\n  stale: 2\n  open_prs: 3\nrepositories: [a/b]\nweights: {}\n";
        let lines = Lines::index(text);
        let found: Vec<(&str, usize, usize)> = lines
            .duplicates()
            .iter()
            .map(|d| (d.path.as_str(), d.first_line, d.line))
            .collect();
        assert_eq!(found, [("weights.open_prs", 2, 4), ("weights", 1, 6)]);
        // The same key in two different maps is not a duplicate.
        let lines = Lines::index("top:\n  - repo: a/b\n  - repo: c/d\n");
        assert!(lines.duplicates().is_empty());
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let err = parse("top:\n  - a/b\n bad: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
        assert!(!err.message.contains(" at line "));
    }

    #[test]
    fn from_value_reports_the_inner_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct W {
            open_prs: u32,
        }
        let v = parse("open_prs: lots").unwrap();
        let (path, msg) = from_value::<W>(v).unwrap_err();
        assert_eq!(path, "open_prs");
        assert!(msg.contains("invalid type"), "{msg}");
    }
}
