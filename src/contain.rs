//! Containing the unexpected. Work for one repository (or one batch of them) runs on a task of
//! its own through [`contained`], so a panic there costs that work only and comes back as a
//! value its caller records as the repository's outcome; and the process's panic message
//! ([`install_panic_hook`]) is one neutral line, because a panic message may quote text from
//! outside (a value read from an answer) and the runner reads every line of output for
//! workflow commands.

use std::any::Any;
use std::future::Future;

/// Runs `fut` on a task of its own: its value, or what went wrong when the task panicked (or
/// was cancelled), described on one neutral line.
pub async fn contained<T, F>(fut: F) -> Result<T, String>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    match tokio::spawn(fut).await {
        Ok(v) => Ok(v),
        Err(e) if e.is_panic() => Err(format!(
            "internal error (a bug in priority-sync, please report it): {}",
            panic_text(e.into_panic().as_ref())
        )),
        Err(_) => Err("its task was cancelled before it finished".into()),
    }
}

/// A panic's message, neutralised ([`neutral_line`]).
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    neutral_line(&msg)
}

/// Text that may come from outside, made fit for one log line no runner acts on: control
/// characters (line breaks included) written as escapes, `::` and `##[` broken apart (the
/// runner's workflow-command markers), at most 300 characters.
pub fn neutral_line(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| {
            let e: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            e
        })
        .collect();
    let safe = escaped.replace("::", ": :").replace("##[", "# #[");
    let mut out: String = safe.chars().take(300).collect();
    if safe.chars().count() > 300 {
        out.push('…');
    }
    out
}

/// Replaces the default panic message (which prints the message as it is, line breaks and
/// all) with one neutral line on stderr naming where it happened.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "priority-sync: internal error{at}: {}",
            panic_text(info.payload())
        );
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_becomes_one_line_no_runner_acts_on() {
        let hostile = "aaaaaa\u{e9}\n::set-output name=mode::all\r\n##[error]x\u{1b}[31m";
        let line = neutral_line(hostile);
        assert!(!line.contains('\n') && !line.contains('\r') && !line.contains('\u{1b}'));
        assert!(!line.contains("::") && !line.contains("##["), "{line}");
        assert_eq!(
            line,
            "aaaaaa\u{e9}\\n: :set-output name=mode: :all\\r\\n# #[error]x\\u{1b}[31m"
        );
        let long = neutral_line(&"x".repeat(1000));
        assert_eq!(long.chars().count(), 301);
    }

    #[tokio::test]
    async fn a_panicking_task_becomes_a_value() {
        let ok = contained(async { 7 }).await;
        assert_eq!(ok, Ok(7));
        let hostile = String::from("bad\n::set-output name=x::y");
        let err = contained(async move {
            if !hostile.is_empty() {
                panic!("cannot go on with {hostile}");
            }
            0
        })
        .await
        .unwrap_err();
        assert!(err.starts_with("internal error"), "{err}");
        assert!(
            err.contains("cannot go on with bad\\n: :set-output"),
            "{err}"
        );
    }
}
