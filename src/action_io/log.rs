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
        let msg = sanitize(&record.args().to_string());
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

/// Keeps a log message on one line, so text from the API (a PR title, an error body) cannot
/// begin a line with `::` and be read by the runner as a workflow command. Our own group and
/// annotation commands have no line breaks and pass through unchanged.
pub fn sanitize(msg: &str) -> String {
    if !msg.contains(['\n', '\r']) {
        return msg.to_string();
    }
    msg.replace('\r', "").replace('\n', " ⏎ ")
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
/// message stays one annotation.
pub fn escape_data(msg: &str) -> String {
    msg.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Prints a fatal error: an error annotation on the runner, plain text on a terminal.
pub fn fatal(msg: &str, in_actions: bool) {
    if in_actions {
        println!(
            "::error title=priority-sync::{}",
            escape_data(msg.trim_end())
        );
    } else {
        eprintln!("error: {}", msg.trim_end());
    }
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    #[test]
    fn escape_data_keeps_one_line() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
    }
}
