//! Logging: workflow-command syntax on the runner (via ghactions-core's logger setup), plain
//! text elsewhere. Messages are sanitised so untrusted text cannot start a workflow command,
//! and secrets are masked before anything else is printed.

use std::io::Write;

/// Starts the logger. On the runner, warnings and errors become annotations.
pub fn init(in_actions: bool) {
    let mut builder = if in_actions {
        ghactions_core::logging::init_logger()
    } else {
        let mut b = env_logger_builder();
        b.filter_level(::log::LevelFilter::Info);
        b.parse_env("PRIORITY_SYNC_LOG");
        b
    };
    builder.format(move |buf, record| {
        let msg = if record.target() == module_path!() {
            // Our own group commands (`Group` below); their titles are sanitised there.
            record.args().to_string()
        } else {
            sanitize(&record.args().to_string())
        };
        match (in_actions, record.level()) {
            (true, ::log::Level::Error) => writeln!(buf, "::error::{msg}"),
            (true, ::log::Level::Warn) => writeln!(buf, "::warning::{msg}"),
            (true, ::log::Level::Debug | ::log::Level::Trace) => writeln!(buf, "::debug::{msg}"),
            (false, ::log::Level::Error) => writeln!(buf, "error: {msg}"),
            (false, ::log::Level::Warn) => writeln!(buf, "warning: {msg}"),
            _ => writeln!(buf, "{msg}"),
        }
    });
    let _ = builder.try_init();
}

fn env_logger_builder() -> env_logger::Builder {
    let mut b = env_logger::Builder::new();
    b.target(env_logger::Target::Stderr);
    b
}

/// Keeps a log message on one line and neutralised, so text from outside (a PR title, an error
/// body, a cron from the event) can never be read by the runner as a workflow command: not as
/// `::cmd::` at a line's start, nor as a legacy `##[cmd]` anywhere in a line. Our own group
/// commands do not pass through here (see `init`).
pub fn sanitize(msg: &str) -> String {
    if !msg.contains(['\n', '\r']) {
        return neutralise(msg);
    }
    neutralise(&msg.replace('\r', "").replace('\n', " ⏎ "))
}

/// U+2060 WORD JOINER: invisible, not whitespace to the runner (so its `TrimStart` keeps it),
/// and it breaks the two character sequences the runner looks for.
const JOINER: char = '\u{2060}';

/// Neutralises every workflow command the runner would find in `text`, line by line (line
/// breaks are kept): `::` at the start of a line after optional whitespace (the runner's
/// `::cmd::` form) becomes `:⁠:`, and `##[` anywhere (its legacy `##[cmd]` form, parsed
/// wherever it appears in a line) becomes `##⁠[`, each with an invisible word joiner inside.
/// Text without either is returned as it is.
pub fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_line_start = true;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if at_line_start && ((c.is_whitespace() && c != '\n' && c != '\r') || c == '\u{180E}') {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if at_line_start && rest.starts_with("::") {
            out.push(':');
            out.push(JOINER);
            out.push(':');
            rest = &rest[2..];
            at_line_start = false;
            continue;
        }
        if rest.starts_with("##[") {
            out.push_str("##");
            out.push(JOINER);
            out.push('[');
            rest = &rest[3..];
            at_line_start = false;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        at_line_start = c == '\n' || c == '\r';
    }
    out
}

/// The `::add-mask::` commands hiding each line of each value (blank lines need none).
pub fn mask_commands<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for value in values {
        for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
            out.push_str("::add-mask::");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Tells the runner to hide `value` in every later log line (each line of a multi-line value).
pub fn mask(value: &str) {
    mask_all([value]);
}

/// `mask` for several values, in one write to stdout.
pub fn mask_all<'a>(values: impl IntoIterator<Item = &'a str>) {
    if std::env::var("GITHUB_ACTIONS").as_deref() != Ok("true") {
        return;
    }
    let commands = mask_commands(values);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(commands.as_bytes());
    let _ = out.flush();
}

/// A collapsible log group; closed when dropped.
pub struct Group {
    in_actions: bool,
}

impl Group {
    pub fn start(title: &str) -> Self {
        let in_actions = std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true");
        if in_actions {
            ghactions_core::group!(sanitize(title));
        } else {
            ::log::info!("== {} ==", sanitize(title));
        }
        Self { in_actions }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.in_actions {
            ghactions_core::groupend!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_start_a_command_line() {
        let s = sanitize("PR title\n::set-output name=x::pwned\r\n::add-mask::x");
        assert!(!s.contains('\n'));
        assert!(!s.lines().any(|l| l.starts_with("::")));
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(sanitize("a::b ## [c] #[d]"), "a::b ## [c] #[d]");
    }

    /// The runner reads `::cmd::` after optional leading whitespace, and the legacy `##[cmd]`
    /// anywhere in a line (a schedule cron `##[set-output name=mode;]all` on an info line).
    #[test]
    fn leading_colons_and_legacy_commands_are_neutralised() {
        let j = '\u{2060}';
        assert_eq!(
            sanitize("::set-output name=x::y"),
            format!(":{j}:set-output name=x::y")
        );
        assert_eq!(sanitize(" \t::warning::x"), format!(" \t:{j}:warning::x"));
        assert_eq!(
            sanitize("mode top12: the schedule `##[set-output name=mode;]all` is not known"),
            format!("mode top12: the schedule `##{j}[set-output name=mode;]all` is not known")
        );
        assert_eq!(sanitize("##[##["), format!("##{j}[##{j}["));
        // Every line of a multi-line text, its line breaks kept.
        assert_eq!(
            neutralise("a\n  ::error::x\r\n::debug::y ##[z]\rok::"),
            format!("a\n  :{j}:error::x\r\n:{j}:debug::y ##{j}[z]\rok::")
        );
        // A line made only of the start of a command is neutralised too.
        assert_eq!(neutralise("::"), format!(":{j}:"));
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn each_line_of_each_value_gets_a_mask_command() {
        assert_eq!(
            mask_commands(["ghp_one", " -----BEGIN KEY-----\nabc \n\n-----END KEY-----"]),
            "::add-mask::ghp_one\n::add-mask::-----BEGIN KEY-----\n::add-mask::abc\n::add-mask::-----END KEY-----\n"
        );
        assert_eq!(mask_commands(["", "  "]), "");
    }
}

/// Escapes a message for a workflow command's data part (`%`, CR and LF), so a multi-line
/// message stays one annotation; a legacy `##[` in it is neutralised too (see [`neutralise`]).
pub fn escape_data(msg: &str) -> String {
    let legacy = format!("##{JOINER}[");
    msg.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("##[", &legacy)
}

/// Prints a fatal error: an error annotation on the runner, plain text on a terminal (each
/// line neutralised: the message may quote text from outside).
pub fn fatal(msg: &str, in_actions: bool) {
    if in_actions {
        println!(
            "::error title=priority-sync::{}",
            escape_data(msg.trim_end())
        );
    } else {
        eprintln!("error: {}", neutralise(msg.trim_end()));
    }
}

/// Replaces the default panic message (which prints the payload as it is, line breaks and
/// all) with one sanitised line on stderr: a panic whose message quotes an answer from the
/// network cannot print a workflow command.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "priority-sync crashed (a bug): {}",
            sanitize(&info.to_string())
        );
    }));
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    #[test]
    fn escape_data_keeps_one_line() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(
            escape_data("x ##[set-output name=a;]b"),
            "x ##\u{2060}[set-output name=a;]b"
        );
    }
}
