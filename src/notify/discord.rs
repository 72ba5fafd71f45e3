//! `notify.format: discord`: a Discord channel webhook ("Execute Webhook": `content` up to 2000
//! characters). `allowed_mentions: {"parse": []}` tells Discord to ping nobody whatever the
//! text holds, and `flags: 4` (SUPPRESS_EMBEDS, one of the two flags a webhook may set) keeps
//! a link in GitHub's text from unfurling a preview. On top of that, outside text is escaped
//! for Discord's Markdown: each Markdown character gets a backslash (Discord's own escape),
//! `@` gets an invisible joiner, and line breaks become spaces so no heading, quote or list can
//! start inside it.

use serde_json::{json, Value};

use super::{cut, one_line, Alert, JOINER, MAX_LISTED, REASON_CHARS};

/// Discord refuses `content` over 2000 characters; counted here in UTF-16 units, which is
/// never fewer than characters.
pub(super) const CONTENT_LIMIT: usize = 2000;

/// SUPPRESS_EMBEDS (`1 << 2`): no link previews.
const SUPPRESS_EMBEDS: u64 = 1 << 2;

/// Makes text from outside inert in a Discord message.
pub(super) fn discord_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in one_line(text).chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '>' | '[' | ']' | '(' | ')' | '#' | '-'
            | ':' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push('@');
                out.push(JOINER);
            }
            c => out.push(c),
        }
    }
    out
}

fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The message: headline, counts, then a line per failed repository while they fit in
/// Discord's limit, then how many were left out.
pub(super) fn content(alert: &Alert) -> String {
    // The headline and the counts are priority-sync's own words.
    let mut text = format!("**{}**", alert.headline());
    if let Some(repo) = alert.run_in() {
        text.push_str(&format!(" — run in {}", discord_escape(&repo)));
    }
    text.push('\n');
    text.push_str(&alert.counts_line());
    let lines: Vec<String> = alert
        .failed
        .iter()
        .take(MAX_LISTED)
        .map(|f| {
            format!(
                "\n• **{}**: {}",
                discord_escape(&f.repo),
                discord_escape(&cut(&f.reason, REASON_CHARS))
            )
        })
        .collect();
    // Room for the "… and N more" line, whatever N.
    let more_room = units(&Alert::more_line(alert.failed.len())) + 1;
    let mut shown = 0;
    for line in &lines {
        let last = shown + 1 == alert.failed.len();
        let room = if last { 0 } else { more_room };
        if units(&text) + units(line) + room > CONTENT_LIMIT {
            break;
        }
        text.push_str(line);
        shown += 1;
    }
    if shown < alert.failed.len() {
        text.push('\n');
        text.push_str(&Alert::more_line(alert.failed.len() - shown));
    }
    text
}

pub(super) fn payload(alert: &Alert) -> Value {
    json!({
        "content": content(alert),
        "allowed_mentions": { "parse": [] },
        "flags": SUPPRESS_EMBEDS,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_report::{report, HOSTILE};
    use super::*;

    #[test]
    fn escape_covers_markdown_and_mentions() {
        let j = JOINER;
        assert_eq!(
            discord_escape("**b** @everyone <@1> [x](y)\n# h"),
            format!("\\*\\*b\\*\\* @{j}everyone \\<@{j}1\\> \\[x\\]\\(y\\) \\# h")
        );
        assert_eq!(discord_escape("GitHub answered 502"), "GitHub answered 502");
    }

    /// Hostile text: nobody is pinged (`parse: []`), no Markdown or mention syntax is left
    /// unescaped, nothing unfurls, and the line breaks inside the reason are gone.
    #[test]
    fn hostile_text_pings_nobody_and_stays_literal() {
        let r = report(2, HOSTILE, Some("o/@everyone"));
        let p = payload(&Alert::of(&r).unwrap());
        assert_eq!(p["allowed_mentions"], json!({ "parse": [] }));
        assert_eq!(p["flags"], 4);
        assert_eq!(p.as_object().unwrap().len(), 3, "{p}");
        let c = p["content"].as_str().unwrap();
        // Every `@` is followed by the joiner.
        assert_eq!(
            c.matches('@').count(),
            c.matches("@\u{2060}").count(),
            "{c}"
        );
        // Headline, counts and two repositories: four lines.
        assert_eq!(c.lines().count(), 4, "{c}");
        for (i, line) in c.lines().enumerate().skip(2) {
            let reason = line.split_once("**: ").unwrap().1;
            // Every Markdown character of the reason comes after a backslash.
            let mut bare = String::new();
            let mut chars = reason.chars();
            while let Some(ch) = chars.next() {
                if ch == '\\' {
                    chars.next();
                } else {
                    bare.push(ch);
                }
            }
            assert!(
                !bare.chars().any(|ch| "*_~`|<>[]()#-:\\".contains(ch)),
                "line {i}: unescaped Markdown in {reason}"
            );
        }
        assert!(c.contains("run in o/@\u{2060}everyone"), "{c}");
        assert!(c.contains("\\[Click\\]\\(https\\://evil.example\\)"), "{c}");
        assert!(!c.contains('\u{1b}'));
    }

    /// Huge texts: the content stays within 2000 (UTF-16) characters with the rows that fit,
    /// and counts the rest.
    #[test]
    fn very_long_text_stays_within_the_content_limit() {
        let r = report(50, &"𝕏*".repeat(3_000), Some("o/hub"));
        let c = content(&Alert::of(&r).unwrap());
        assert!(units(&c) <= CONTENT_LIMIT, "{}", units(&c));
        let rows = c.matches("\n• ").count();
        assert!((1..MAX_LISTED).contains(&rows), "{rows}");
        assert!(
            c.ends_with(&format!("… and {} more (see the job summary)", 50 - rows)),
            "{c}"
        );
        // A short alert is whole.
        let r = report(1, "GitHub answered 502", None);
        let c = content(&Alert::of(&r).unwrap());
        assert!(c.ends_with("• **o/r0**: GitHub answered 502"), "{c}");
    }
}
