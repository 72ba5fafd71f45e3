//! The crate's top-level modules form layers: no import circle between them.
//!
//! Reads every `src/**/*.rs` file of the library, finds the `crate::<module>` paths each
//! top-level module names (in `use` lines and inline paths, `crate::{a, b}` groups included),
//! builds the graph of top-level modules and asserts it has no cycle, printing the cycle when
//! it has one. Test code (`#[cfg(test)]` modules and files) is left out: nothing imports a test
//! module, and tests may use fixtures from any layer. The binary (`src/main.rs`) reaches the
//! library as `priority_sync::…` and is not part of the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the top-level modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules `lib.rs` declares.
fn top_level_modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        })
        .filter_map(|l| l.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments, string literals and `#[cfg(test)]` items, and the
/// names of the test-only modules it declares in files of their own (`#[cfg(test)] mod x;`).
fn production_code(text: &str) -> (String, Vec<String>) {
    let code = strip_comments_and_strings(text);
    let mut out = String::new();
    let mut test_files = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        // The item: up to its `;` (a module in its own file) or its balanced `{ … }` block.
        let semi = after.find(';');
        let brace = after.find('{');
        match (semi, brace) {
            (Some(s), b) if b.is_none_or(|b| s < b) => {
                let item = after[..s].trim();
                if let Some(name) = item
                    .strip_prefix("pub mod ")
                    .or_else(|| item.strip_prefix("mod "))
                {
                    test_files.push(name.trim().to_string());
                }
                rest = &after[s + 1..];
            }
            (_, Some(b)) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            _ => rest = "",
        }
    }
    out.push_str(rest);
    (out, test_files)
}

/// The text with comments removed and string and char literals emptied (raw strings too), so
/// braces and paths inside them are not read as code. Line breaks are kept.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize, s: &str| -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    while i < chars.len() {
        let c = chars[i];
        if at(i, "//") {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 0;
            while i < chars.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r'
            && (chars.get(i + 1) == Some(&'"') || chars.get(i + 1) == Some(&'#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_ascii_alphanumeric() || *p == '_')
        {
            // A raw string `r#"…"#`: ends at `"` followed by as many `#`.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            j += 1;
            while j < chars.len() && !at(j, &close) {
                j += 1;
            }
            out.push_str("\"\"");
            i = j + close.chars().count();
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' {
            // A char literal ('{', '\n', '\'') or a lifetime ('a): skip literals only.
            if chars.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                out.push_str("' '");
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                out.push_str("' '");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The top-level modules a piece of code names as `crate::x` or inside `crate::{x, y::z}`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` (a macro) and `priority_sync_crate::`-like names are not this crate's paths.
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c == '$' || c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            // Nested groups are not used in this crate; the first level is what matters.
            for part in group[..end].split(',') {
                let name = ident(part.trim());
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The import graph of the library's top-level modules.
fn graph() -> (Graph, BTreeSet<String>) {
    let root = src();
    let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
    let modules = top_level_modules(&lib);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    // Test-only files: `#[cfg(test)] mod x;` in `dir/m.rs` or `dir/mod.rs` is `dir/x.rs` (or
    // `dir/m/x.rs` for `m.rs`), or `…/x/mod.rs`.
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    let mut code_of: BTreeMap<PathBuf, String> = BTreeMap::new();
    for f in &files {
        let (code, test_mods) = production_code(&std::fs::read_to_string(f).unwrap());
        let dir = match f.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs") | Some("lib.rs") => f.parent().unwrap().to_path_buf(),
            _ => f.with_extension(""),
        };
        for m in test_mods {
            test_only.insert(dir.join(format!("{m}.rs")));
            test_only.insert(dir.join(&m).join("mod.rs"));
        }
        code_of.insert(f.clone(), code);
    }
    let mut graph = Graph::new();
    for (file, code) in &code_of {
        if test_only
            .iter()
            .any(|t| file.starts_with(t.with_extension("")))
            || test_only.contains(file)
        {
            continue;
        }
        let rel = file.strip_prefix(&root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if !modules.contains(&module) {
            continue; // lib.rs, main.rs, bin/…
        }
        let deps = graph.entry(module.clone()).or_default();
        for dep in named_modules(code) {
            if dep != module && modules.contains(&dep) {
                deps.insert(dep);
            }
        }
    }
    (graph, modules)
}

/// A cycle of the graph, if it has one (depth-first search, white/grey/black).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut done, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_top_level_modules_have_no_import_circle() {
    let (graph, modules) = graph();
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    // Not vacuous: the parser saw the crate's modules and the pipeline's dependencies.
    assert!(modules.len() >= 20, "lib.rs declares {modules:?}");
    assert!(edges >= 50, "only {edges} imports found: {graph:#?}");
    for (from, to) in [
        ("run", "plan"),
        ("run", "apply"),
        ("apply", "github"),
        ("gather", "github"),
        ("plan", "decision"),
        ("outcome", "plan"),
        ("config", "repo_name"),
    ] {
        assert!(
            graph.get(from).is_some_and(|d| d.contains(to)),
            "the parser missed {from} → {to}: {graph:#?}"
        );
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "import circle between top-level modules: {}\n(move the shared item into the lower module)",
            cycle.join(" → ")
        );
    }
    // The layers, for `cargo test --test import_layers -- --nocapture`: each module one above
    // the highest module it names.
    let mut layer: BTreeMap<&str, usize> = BTreeMap::new();
    while layer.len() < graph.len() {
        for (m, deps) in &graph {
            if layer.contains_key(m.as_str()) {
                continue;
            }
            let below: Option<Vec<usize>> = deps
                .iter()
                .map(|d| match graph.contains_key(d) {
                    true => layer.get(d.as_str()).copied(),
                    false => Some(0),
                })
                .collect();
            if let Some(below) = below {
                layer.insert(m, below.into_iter().max().map_or(0, |l| l + 1));
            }
        }
    }
    let mut by_layer: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (m, l) in layer {
        by_layer.entry(l).or_default().push(m);
    }
    for (l, ms) in by_layer {
        eprintln!("layer {l}: {}", ms.join(", "));
    }
    eprintln!("{edges} imports between {} modules", graph.len());
}

#[test]
fn the_checker_sees_a_circle_and_ignores_tests_comments_and_strings() {
    let code = r##"use crate::{plan, outcome::Status};
fn f() { crate::gather::go(); }
// crate::run in a comment /* and */ crate::shard
/* crate::notify in a block comment */
let s = "crate::report {";
let r = r#"a raw string over
two lines: crate::clock }"#;
#[cfg(test)]
mod tests { use crate::state; fn g<'a>() { let _ = '{'; let _ = '\''; } }
#[cfg(test)]
mod more;
use crate::yaml;"##;
    let (prod, test_files) = production_code(code);
    assert_eq!(
        named_modules(&prod),
        ["gather", "outcome", "plan", "yaml"]
            .map(String::from)
            .into()
    );
    assert_eq!(test_files, ["more"]);
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
}

/// GitHub's 80 writes a minute is a fact of the configuration layer (`config`, which caps
/// `limits.writes_per_minute` with it, and `action_io`'s knob) and of the client's pacing: the
/// client's copy must say the same until it uses the configuration's.
#[test]
fn the_write_limit_is_one_number() {
    assert_eq!(
        priority_sync::config::GITHUB_WRITES_PER_MINUTE,
        priority_sync::github::GITHUB_WRITES_PER_MINUTE
    );
}
