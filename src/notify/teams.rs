//! `notify.format: teams`: a Microsoft Teams workflow webhook (the Workflows app's "Post to a
//! channel when a webhook request is received", a Power Automate flow). It takes a message
//! whose attachment is an Adaptive Card (Microsoft's "Create incoming webhooks with Workflows
//! for Microsoft Teams"; the card goes into the channel as the flow's "Post card in a chat or
//! channel" step).
//!
//! Outside text goes only into `TextRun`s of `RichTextBlock`s: the Adaptive Card schema says a
//! TextRun's text is shown as is ("Markdown is not supported", schema explorer, TextRun,
//! version 1.2), so `[label](url)`, `**…**` and lists stay characters, and Adaptive Cards
//! know no HTML (`<at>` is a mention only with an `msteams.entities` entry, which this card
//! never has). `{{DATE(…)}}`/`{{TIME(…)}}` functions are broken with an invisible joiner.
//! The card declares version 1.2, the lowest with `RichTextBlock`; Teams renders up to 1.5.

use serde_json::{json, Value};

use super::{cut, one_line, Alert, JOINER, MAX_LISTED, REASON_CHARS};

/// Teams refuses a message over 28 KB ("The message size limit is 28 KB", Teams' incoming
/// webhook documentation); the card is kept under this many bytes of JSON, with room to spare
/// for the workflow's own wrapping.
pub(super) const PAYLOAD_BYTES: usize = 24_000;

/// The attachment's content type for an Adaptive Card.
pub(super) const CARD_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// Outside text made plain for a TextRun: one line, date functions broken.
fn teams_text(text: &str) -> String {
    one_line(text).replace("{{", &format!("{{{JOINER}{{"))
}

/// A `RichTextBlock` of plain runs: `(text, bold)`.
fn block(runs: &[(&str, bool)], subtle: bool) -> Value {
    let inlines: Vec<Value> = runs
        .iter()
        .map(|(text, bold)| {
            let mut run = json!({ "type": "TextRun", "text": text });
            if *bold {
                run["weight"] = json!("Bolder");
            }
            if subtle {
                run["isSubtle"] = json!(true);
            }
            run
        })
        .collect();
    json!({ "type": "RichTextBlock", "inlines": inlines })
}

/// The message around a card with `body`.
fn message(body: Vec<Value>) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": CARD_TYPE,
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.2",
                "body": body,
            },
        }],
    })
}

pub(super) fn payload(alert: &Alert) -> Value {
    let mut head = alert.headline();
    if let Some(repo) = alert.run_in() {
        head.push_str(&format!(" — run in {}", teams_text(&repo)));
    }
    let top = vec![
        block(&[(&head, true)], false),
        block(&[(&alert.counts_line(), false)], true),
    ];
    let rows: Vec<Value> = alert
        .failed
        .iter()
        .take(MAX_LISTED)
        .map(|f| {
            let reason = format!(": {}", teams_text(&cut(&f.reason, REASON_CHARS)));
            block(&[(&teams_text(&f.repo), true), (&reason, false)], false)
        })
        .collect();
    // As many rows as the size limit allows (all of them, unless GitHub's texts are huge).
    let mut shown = rows.len();
    loop {
        let mut body = top.clone();
        body.extend(rows[..shown].iter().cloned());
        let hidden = alert.failed.len() - shown;
        if hidden > 0 {
            body.push(block(&[(&Alert::more_line(hidden), false)], true));
        }
        let m = message(body);
        if shown == 0 || m.to_string().len() <= PAYLOAD_BYTES {
            return m;
        }
        shown -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_report::{report, HOSTILE};
    use super::*;

    /// Every text of the card, with the kind of element holding it.
    fn texts(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(o) => {
                if let (Some(t), Some(Value::String(text))) = (o.get("type"), o.get("text")) {
                    out.push((t.as_str().unwrap_or("").to_string(), text.clone()));
                }
                o.values().for_each(|v| texts(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| texts(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_message_is_one_adaptive_card_teams_accepts() {
        let r = report(2, "GitHub answered 502", Some("o/hub"));
        let p = payload(&Alert::of(&r).unwrap());
        assert_eq!(p["type"], "message");
        let atts = p["attachments"].as_array().unwrap();
        assert_eq!(atts.len(), 1);
        assert_eq!(atts[0]["contentType"], CARD_TYPE);
        let card = &atts[0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["version"], "1.2");
        let body = card["body"].as_array().unwrap();
        // Headline, counts, one block per failure.
        assert_eq!(body.len(), 4, "{p:#}");
        assert_eq!(
            body[0]["inlines"][0]["text"],
            "priority-sync (all mode): 2 repositories failed to sync — run in o/hub"
        );
        assert_eq!(
            body[1]["inlines"][0]["text"],
            "40.0% in sync: 1 synced, 1 up to date, 1 PR open, 0 pending, 0 skipped, 0 inaccessible, 2 failed"
        );
        assert_eq!(body[2]["inlines"][0]["text"], "o/r0");
        assert_eq!(body[2]["inlines"][1]["text"], ": GitHub answered 502");
    }

    /// Hostile text lands only in TextRuns (no Markdown there), on one line, with no date
    /// function left whole and no mention entity anywhere; the words themselves are kept.
    #[test]
    fn hostile_text_stays_plain_in_text_runs() {
        let r = report(1, HOSTILE, Some("o/{{TIME(2017-02-14T06:08:00Z)}}"));
        let p = payload(&Alert::of(&r).unwrap());
        let mut all = Vec::new();
        texts(&p, &mut all);
        assert!(all.len() >= 4, "{all:?}");
        for (kind, text) in &all {
            assert_eq!(kind, "TextRun", "outside text only in TextRuns: {text}");
            assert!(!text.contains("{{"), "{text}");
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        let reason = &all[3].1;
        assert!(reason.contains("[Click](https://evil.example)"), "{reason}");
        assert!(reason.contains("<at>Jane</at>"), "{reason}");
        assert!(reason.contains("{\u{2060}{DATE("), "{reason}");
        assert!(all[0]
            .1
            .ends_with("run in o/{\u{2060}{TIME(2017-02-14T06:08:00Z)}}"));
        let s = p.to_string();
        assert!(
            !s.contains("\"TextBlock\"") && !s.contains("FactSet"),
            "{s}"
        );
        assert!(!s.contains("msteams") && !s.contains("entities"), "{s}");
    }

    /// Huge texts: the card stays under Teams' 28 KB with the rows that fit, and counts
    /// the rest.
    #[test]
    fn very_long_text_stays_within_the_message_limit() {
        // 4-byte characters and quotes (escaped in JSON) at every reason's full cut.
        let reason = "𝕏\"".repeat(5_000);
        let r = report(300, &reason, Some("o/hub"));
        let p = payload(&Alert::of(&r).unwrap());
        let size = p.to_string().len();
        assert!(size <= PAYLOAD_BYTES, "{size}");
        let body = p["attachments"][0]["content"]["body"].as_array().unwrap();
        let last = body.last().unwrap()["inlines"][0]["text"].as_str().unwrap();
        let rows = body.len() - 3;
        assert!((1..=MAX_LISTED).contains(&rows), "{rows}");
        assert_eq!(
            last,
            format!("… and {} more (see the job summary)", 300 - rows)
        );
    }
}
