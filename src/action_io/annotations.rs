//! Annotations: workflow commands (`::error file=…,line=…,col=…,title=…::message`) that show a
//! problem on its line of a file in the workflow run. Each problem of a bad inventory becomes
//! one. Every value is escaped by the runner's rules (in the message `%`, CR and LF; in a
//! property also `:` and `,`), so no text from the file can end the command or start another.

use std::path::Path;

use super::log::escape_data;
use crate::config::ConfigError;

/// Escapes a property value (`file=`, `title=`): the message's escapes plus `:` and `,`.
pub fn escape_property(value: &str) -> String {
    escape_data(value).replace(':', "%3A").replace(',', "%2C")
}

/// One error annotation: where it points and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The file, relative to the workspace.
    pub file: String,
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub title: String,
    pub message: String,
}

impl Annotation {
    /// The `::error` workflow command, one line.
    pub fn command(&self) -> String {
        let mut props = vec![format!("file={}", escape_property(&self.file))];
        if let Some(line) = self.line {
            props.push(format!("line={line}"));
            if let Some(col) = self.col {
                props.push(format!("col={col}"));
            }
        }
        props.push(format!("title={}", escape_property(&self.title)));
        format!(
            "::error {}::{}",
            props.join(","),
            escape_data(&self.message)
        )
    }
}

/// The file as the runner wants it: relative to the workspace when it lies inside it,
/// otherwise as given.
fn workspace_relative(file: &str, workspace: Option<&Path>) -> String {
    workspace
        .and_then(|w| Path::new(file).strip_prefix(w).ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| file.to_string())
}

/// One annotation per problem of an inventory, on its line (and column where known), with
/// its fix.
pub fn config_annotations(e: &ConfigError, workspace: Option<&Path>) -> Vec<Annotation> {
    let file = workspace_relative(&e.file, workspace);
    e.problems
        .iter()
        .map(|p| {
            let mut message = if p.path.is_empty() {
                p.message.clone()
            } else {
                format!("{}: {}", p.path, p.message)
            };
            if let Some(hint) = &p.hint {
                message.push_str("\nfix: ");
                message.push_str(hint);
            }
            Annotation {
                file: file.clone(),
                line: p.line,
                col: p.column,
                title: if p.path.is_empty() {
                    "priority-sync inventory".to_string()
                } else {
                    format!("priority-sync inventory: {}", p.path)
                },
                message,
            }
        })
        .collect()
}

/// Prints the annotations of an inventory's problems (on the runner only; the caller checks).
pub fn print_config_annotations(e: &ConfigError, workspace: Option<&Path>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for a in config_annotations(e, workspace) {
        let _ = writeln!(out, "{}", a.command());
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_inventory;

    fn annotations(text: &str) -> Vec<String> {
        let e = parse_inventory(text, ".github/priority-sync.yml").expect_err("a bad inventory");
        config_annotations(&e, None)
            .iter()
            .map(Annotation::command)
            .collect()
    }

    #[test]
    fn each_problem_is_an_error_on_its_line_with_its_fix() {
        let got =
            annotations("top:\n  - a/b\nrepositoies:\n  - c/d\nschedules:\n  '61 2 * * *': all\n");
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(
            got[0],
            "::error file=.github/priority-sync.yml,line=3,title=priority-sync inventory%3A repositoies::repositoies: unknown key `repositoies`%0Afix: did you mean `repositories`?"
        );
        assert!(
            got[1].starts_with("::error file=.github/priority-sync.yml,line=6,title=priority-sync inventory%3A schedules.61 2 * * *::schedules.61 2 * * *: minute `61`"),
            "{}",
            got[1]
        );
    }

    #[test]
    fn a_syntax_error_points_at_its_column() {
        let got = annotations("repositories:\n  - a/b\n  - [c/d\n");
        assert_eq!(got.len(), 1, "{got:#?}");
        assert!(
            got[0].starts_with("::error file=.github/priority-sync.yml,line=")
                && got[0].contains(",col="),
            "{}",
            got[0]
        );
    }

    #[test]
    fn a_problem_without_a_line_names_the_file_only() {
        let got = annotations("");
        assert_eq!(
            got,
            ["::error file=.github/priority-sync.yml,title=priority-sync inventory::the inventory is empty%0Afix: list repositories under `top:` and/or `repositories:`"]
        );
    }

    /// A key from the file cannot end the command or start another: the runner reads a command
    /// from a line that starts with `::`, its properties up to the next `::`, separated by `,`.
    #[test]
    fn hostile_keys_cannot_inject_a_command() {
        let hostile = "\"x,line=99,title=owned::pwned\\n::warning file=evil::second\\r\\n%0A\": 1\nrepositories: [a/b]\n";
        let got = annotations(hostile);
        assert_eq!(got.len(), 1, "{got:#?}");
        let line = &got[0];
        assert!(!line.contains(['\n', '\r']), "{line}");
        assert!(
            line.starts_with("::error file=.github/priority-sync.yml,line=1,title="),
            "{line}"
        );
        // The runner takes the properties up to the first `::` after the command's start; the
        // rest is the message, which cannot start another command without a line break.
        let end = 2 + line[2..].find("::").unwrap();
        let props = &line["::error ".len()..end];
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split('=').next().unwrap())
            .collect();
        assert_eq!(keys, ["file", "line", "title"], "{line}");
        assert!(
            props.ends_with("%0D%0A%250A"),
            "the whole key stays in the title: {props}"
        );
        // The literal `%0A` in the key is escaped as `%250A`, not decoded into a line break.
        assert!(line.contains("%250A"), "{line}");
    }

    #[test]
    fn properties_and_messages_escape_by_the_runners_rules() {
        assert_eq!(escape_property("a:b,c%d\r\ne"), "a%3Ab%2Cc%25d%0D%0Ae");
        assert_eq!(escape_data("a:b,c%d\r\ne"), "a:b,c%25d%0D%0Ae");
        let a = Annotation {
            file: "dir,x/inv:1.yml".into(),
            line: Some(3),
            col: Some(7),
            title: "t".into(),
            message: "m".into(),
        };
        assert_eq!(
            a.command(),
            "::error file=dir%2Cx/inv%3A1.yml,line=3,col=7,title=t::m"
        );
    }

    #[test]
    fn paths_inside_the_workspace_are_made_relative() {
        let ws = Path::new("/home/runner/work/fleet/fleet");
        assert_eq!(
            workspace_relative(
                "/home/runner/work/fleet/fleet/.github/priority-sync.yml",
                Some(ws)
            ),
            ".github/priority-sync.yml"
        );
        assert_eq!(workspace_relative("inv.yml", Some(ws)), "inv.yml");
        assert_eq!(
            workspace_relative("/elsewhere/inv.yml", Some(ws)),
            "/elsewhere/inv.yml"
        );
    }
}
