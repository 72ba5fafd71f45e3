//! `notify.format: slack` (the default): a Slack incoming webhook's `{"text": …}`, also read by
//! Slack-compatible servers (Mattermost, Rocket.Chat, Discord's `/slack` endpoint). Slack's
//! escaping rules keep every outside text from forming a link or a mention.

use serde_json::{json, Value};

use super::{cut, one_line, Alert, JOINER, MAX_LISTED, REASON_CHARS};

/// Slack truncates a message's `text` past 40,000 characters (chat.postMessage, "Truncating
/// content"): the alert stays under it whatever GitHub's answers hold.
pub(super) const TEXT_LIMIT: usize = 40_000;

/// Makes text from outside inert in a Slack message. Slack's formatting rules ("Escaping
/// text", docs.slack.dev/messaging/formatting-message-text) reserve `&`, `<` and `>` (links
/// `<url|label>`, mentions `<@U…>`, `<!channel>`, `<!everyone>`): they become `&amp;`,
/// `&lt;` and `&gt;`, which Slack shows as the characters. A bare `@everyone`, `@channel` or
/// `@here` is a mention to Slack's legacy `link_names` parsing and to Slack-compatible servers
/// (Mattermost, Discord's `/slack` endpoint): `@` gets an invisible word joiner after it.
pub fn slack_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => {
                out.push('@');
                out.push(JOINER);
            }
            c => out.push(c),
        }
    }
    out
}

/// The message text: the headline, then one line per failed repository (at most
/// [`MAX_LISTED`], GitHub's text cut, then escaped: never cut inside an escape).
pub(super) fn text(alert: &Alert) -> String {
    let mut text = format!(":x: {}", slack_escape(&alert.headline()));
    if let Some(repo) = alert.run_in() {
        text.push_str(&format!(" — run in {}", slack_escape(&repo)));
    }
    // Within the limit whatever the texts (twenty cut reasons always fit; the check keeps it
    // so if the cut ever grows).
    let more_room = Alert::more_line(alert.failed.len()).chars().count() + 1;
    let mut shown = 0;
    for f in alert.failed.iter().take(MAX_LISTED) {
        let line = format!(
            "\n• {}: {}",
            slack_escape(&f.repo),
            slack_escape(&one_line(&cut(&f.reason, REASON_CHARS)))
        );
        if text.chars().count() + line.chars().count() + more_room > TEXT_LIMIT {
            break;
        }
        text.push_str(&line);
        shown += 1;
    }
    if alert.failed.len() > shown {
        text.push('\n');
        text.push_str(&Alert::more_line(alert.failed.len() - shown));
    }
    text
}

pub(super) fn payload(alert: &Alert) -> Value {
    json!({ "text": text(alert) })
}

#[cfg(test)]
mod tests {
    use super::super::test_report::{report, HOSTILE};
    use super::*;

    #[test]
    fn slack_escape_leaves_no_link_or_mention() {
        let j = JOINER;
        assert_eq!(
            slack_escape("<!channel> @everyone <https://evil.example|Click> a&b"),
            format!("&lt;!channel&gt; @{j}everyone &lt;https://evil.example|Click&gt; a&amp;b")
        );
        assert_eq!(slack_escape("plain text: 502"), "plain text: 502");
    }

    /// Hostile error text and a hostile workflow repository: no `<` or `>` reaches Slack (so
    /// no `<!channel>`, `<@U…>` or `<url|label>`), every `@` is followed by the joiner, the
    /// text is on one line per repository, and it is all still shown.
    #[test]
    fn hostile_text_forms_no_mention_or_link() {
        let r = report(2, HOSTILE, Some("o/<!channel>"));
        let p = payload(&Alert::of(&r).unwrap());
        assert_eq!(p.as_object().unwrap().len(), 1, "only `text`: {p}");
        let t = p["text"].as_str().unwrap();
        assert!(!t.contains('<') && !t.contains('>'), "{t}");
        assert_eq!(
            t.matches('@').count(),
            t.matches("@\u{2060}").count(),
            "{t}"
        );
        assert!(t.contains("&lt;!channel&gt;"), "{t}");
        assert!(t.contains("run in o/&lt;!channel&gt;"), "{t}");
        assert!(t.contains("[Click](https://evil.example)"), "{t}");
        assert!(!t.contains('\u{1b}'), "{t}");
        // Headline + two repositories: the line breaks inside the reason are gone.
        assert_eq!(t.lines().count(), 3, "{t}");
        assert!(t.starts_with(":x: priority-sync (all mode): 2 repositories failed to sync"));
    }

    /// The longest alert (every listed reason at its cut, each character escaped to five)
    /// stays under Slack's limit and counts the repositories it leaves out.
    #[test]
    fn very_long_text_is_cut_within_slack_limit() {
        let r = report(250, &"&".repeat(10_000), Some("o/hub"));
        let t = text(&Alert::of(&r).unwrap());
        assert!(t.chars().count() < TEXT_LIMIT, "{}", t.chars().count());
        assert_eq!(t.matches("\n• ").count(), MAX_LISTED);
        assert!(t.ends_with("… and 230 more (see the job summary)"), "{t}");
        // Cut before escaping: every reason ends on a whole `&amp;`, then the ellipsis.
        assert!(t.contains("&amp;…\n"), "{t}");
    }
}
