//! The runner's own reading of a step's output, as a checker: which lines of stdout, stderr or
//! a summary the GitHub Actions runner would execute as workflow commands.
//!
//! The syntax, from GitHub's "Workflow commands for GitHub Actions" and the runner's parser
//! (actions/runner `ActionCommand.TryParseV2` and `TryParse`, called in that order for every
//! line of output; lines end at LF, CR or CRLF):
//! - `::name props::data`: the line must start with `::` after its leading whitespace is
//!   trimmed; the command info runs to the next `::`; the name is the info up to its first
//!   space; properties are `k=v` separated by `,`;
//! - the legacy `##[name props]data`, tried only when the first form did not parse: `##[`
//!   anywhere in the line, the info up to the next `]`, properties separated by `;`.
//!
//! Either is executed only when the name is a command the runner registers (matched here
//! without regard to case, which is stricter). Everything priority-sync prints on purpose is
//! the `::` form; a legacy command, or a command priority-sync does not print, can only have
//! come from outside text.

/// The commands the runner registers (actions/runner `ActionCommandManager` and its command
/// extensions).
pub const REGISTERED: &[&str] = &[
    "add-mask",
    "add-matcher",
    "add-path",
    "debug",
    "echo",
    "endgroup",
    "error",
    "group",
    "internal-set-repo-path",
    "notice",
    "remove-matcher",
    "save-state",
    "set-env",
    "set-output",
    "stop-commands",
    "warning",
];

/// The commands priority-sync itself prints on the runner (never when `GITHUB_ACTIONS` is not
/// `true`).
pub const OURS: &[&str] = &[
    "add-mask", "debug", "endgroup", "error", "group", "notice", "warning",
];

/// Which form the runner read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `::name::data` at the start of a line.
    Current,
    /// `##[name]data` anywhere in a line.
    Legacy,
}

/// One line the runner would execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerCommand {
    /// 1-based line number in the text.
    pub line: usize,
    pub form: Form,
    /// Lower-cased.
    pub name: String,
    pub text: String,
}

/// The lines as the runner splits them (LF, CR or CRLF).
fn runner_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn registered(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    REGISTERED.contains(&lower.as_str()).then_some(lower)
}

/// The command the runner would read from one line, if any.
pub fn parse_line(line: &str) -> Option<(Form, String)> {
    // `::name props::data` after leading whitespace.
    if let Some(rest) = line.trim_start().strip_prefix("::") {
        if let Some(end) = rest.find("::") {
            let info = &rest[..end];
            let name = info.split(' ').next().unwrap_or_default();
            if let Some(name) = registered(name) {
                return Some((Form::Current, name));
            }
        }
    }
    // The legacy form, only when the first did not parse: the first `##[` of the line.
    let start = line.find("##[")? + 3;
    let end = start + line[start..].find(']')?;
    let info = &line[start..end];
    let name = info.split(' ').next().unwrap_or_default();
    registered(name).map(|n| (Form::Legacy, n))
}

/// Every line of `text` the runner would execute.
pub fn runner_commands(text: &str) -> Vec<RunnerCommand> {
    runner_lines(text)
        .into_iter()
        .enumerate()
        .filter_map(|(i, l)| {
            parse_line(l).map(|(form, name)| RunnerCommand {
                line: i + 1,
                form,
                name,
                text: l.chars().take(200).collect(),
            })
        })
        .collect()
}

/// The commands in `text` that came from outside text: every legacy one, and every one not
/// in `allowed` (priority-sync's own commands when it ran on the runner, none otherwise).
pub fn outside_commands(text: &str, allowed: &[&str]) -> Vec<RunnerCommand> {
    runner_commands(text)
        .into_iter()
        .filter(|c| c.form == Form::Legacy || !allowed.contains(&c.name.as_str()))
        .collect()
}

/// How many lines the runner would read in `text`.
pub fn line_count(text: &str) -> usize {
    runner_lines(text).len()
}

/// Asserts that no line of `text` would run a workflow command that came from outside text;
/// returns how many lines were checked. `on_runner`: priority-sync ran with
/// `GITHUB_ACTIONS=true`, so its own commands ([`OURS`]) are expected.
pub fn assert_no_outside_commands(what: &str, text: &str, on_runner: bool) -> usize {
    let allowed: &[&str] = if on_runner { OURS } else { &[] };
    let found = outside_commands(text, allowed);
    assert!(
        found.is_empty(),
        "{what}: {} line(s) a runner would execute from outside text:\n{found:#?}",
        found.len()
    );
    line_count(text)
}
