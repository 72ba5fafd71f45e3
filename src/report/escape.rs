//! Escaping and cleaning for text that comes from outside (PR titles, API error messages, score
//! reasons, URLs), so no report can be broken or hijacked by what it shows.
//!
//! HTML and SVG escaping is the template engine's auto-escape; this module adds what the engine
//! cannot know: markdown escaping for the job summary (GitHub renders it, raw HTML included),
//! link validation, and trimming of control characters and oversized strings.

use std::fmt::Write as _;

/// Makes a piece of untrusted text safe to print inside a markdown table cell or list item.
///
/// Every character that markdown or HTML could read as syntax becomes a numeric character
/// reference, which CommonMark and GitHub show as the character itself and never interpret:
/// tags (`<img …>`), table pipes, emphasis, links and images, code spans, math (`$`),
/// mentions (`@`), and headings. Line breaks and other control characters become spaces so a
/// value cannot end a table row.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' | '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '$' | '@' | '!' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if is_unsafe_char(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Characters that must never reach a report as they are: control characters (they end table
/// rows, and most are invalid in XML) and the bidirectional overrides that can make a name read
/// as something else ("Trojan Source").
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// Cleans one line of untrusted text for display: control characters and bidi overrides become
/// spaces, runs of whitespace collapse, and the result is cut to `max_chars` characters with an
/// ellipsis. The result still needs escaping for its output format.
pub fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        let c = if is_unsafe_char(c) { ' ' } else { c };
        if c.is_whitespace() {
            pending_space = count > 0;
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > max_chars {
            // Leave room for the ellipsis.
            while count >= max_chars && out.pop().is_some() {
                count -= 1;
            }
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Cuts `text` to at most `max_chars` characters (the last one an ellipsis), keeping everything
/// else as it is; for machine-readable files, whose readers escape for their own output.
pub fn truncate(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let keep: String = text.chars().take(max_chars.saturating_sub(1)).collect();
            std::borrow::Cow::Owned(keep + "…")
        }
    }
}

/// Returns the URL if it is an absolute `http`/`https` URL, with every character that could end
/// a markdown link, an HTML attribute or a table cell percent-encoded; `None` otherwise (so a
/// `javascript:` or `data:` URL from an API response can never become a link).
pub fn http_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..host_end].is_empty() || url.len() > 2048 {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_alphanumeric() || "-._~:/?#@!$&*+,;=%".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_neutralises_html_and_table_syntax() {
        let hostile = "<img src=x onerror=alert(1)> | a\nb";
        let escaped = markdown(hostile);
        assert!(!escaped.contains('<'), "{escaped}");
        assert!(!escaped.contains('|'), "{escaped}");
        assert!(!escaped.contains('\n'), "{escaped}");
        assert_eq!(escaped, "&lt;img src=x onerror=alert(1)&gt; &#124; a b");
    }

    #[test]
    fn markdown_neutralises_links_images_code_math_and_mentions() {
        let escaped = markdown("![t](http://evil/x.png) [a](b) `c` $x$ @team *e* _f_ ~~s~~ \\");
        for c in ['[', ']', '`', '$', '@', '*', '_', '~', '\\', '!'] {
            assert!(!escaped.contains(c), "{c} survived in {escaped}");
        }
    }

    #[test]
    fn markdown_keeps_ordinary_text() {
        assert_eq!(
            markdown("fast-forwarded 3 commits (PR: #12)"),
            "fast-forwarded 3 commits (PR: &#35;12)"
        );
        assert_eq!(markdown("naïve ✅"), "naïve ✅");
    }

    #[test]
    fn control_and_bidi_characters_become_spaces() {
        assert_eq!(markdown("a\u{202E}b\u{0}c\rd"), "a b c d");
        assert_eq!(clean("a\u{202E}b\u{1b}[31m", 80), "a b [31m");
    }

    #[test]
    fn clean_collapses_whitespace_and_truncates() {
        assert_eq!(clean("  a \n\n b  ", 80), "a b");
        assert_eq!(clean("abcdef", 4), "abc…");
        assert_eq!(clean("abcd", 4), "abcd");
        assert_eq!(clean("ab cd", 4), "ab …");
        assert_eq!(clean("ééééé", 3).chars().count(), 3);
        assert_eq!(clean("", 3), "");
    }

    #[test]
    fn truncate_keeps_text_and_cuts_long_text() {
        assert_eq!(truncate("a\nb|<", 10), "a\nb|<");
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ééééééé", 3).chars().count(), 3);
    }

    #[test]
    fn http_url_accepts_web_links_and_encodes_breakers() {
        assert_eq!(
            http_url("https://github.com/o/r/pull/12").as_deref(),
            Some("https://github.com/o/r/pull/12")
        );
        assert_eq!(
            http_url("https://x.test/a b|c)\"<").as_deref(),
            Some("https://x.test/a%20b%7Cc%29%22%3C")
        );
        assert_eq!(http_url("HTTP://x.test").as_deref(), Some("HTTP://x.test"));
    }

    #[test]
    fn http_url_rejects_other_schemes_and_empty_hosts() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.test",
            "https://",
            "https:///path",
            "ftp://x.test",
            "",
        ] {
            assert_eq!(http_url(bad), None, "{bad}");
        }
    }
}
