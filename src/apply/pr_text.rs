//! What a sync pull request says: its title, its body (which carries [`PR_MARKER`], the mark
//! of a pull request this tool opened) and the labels it should carry. Everything from outside
//! in them (branch and repository names, the reason) is escaped for where it goes: a valid ref
//! name such as ``x`@org/team<!--`` must not end its code, mention a team or open an HTML
//! comment.

use super::ApplyContext;
use crate::gather::Target;
use crate::ids::Oid;
use crate::plan::PlannedRepo;
use crate::report::escape;

/// Text from outside as inline code Markdown cannot end early: `<code>` around the text with
/// every character Markdown or HTML could read escaped ([`escape::markdown`]; GitHub shows
/// the characters). A code span would not do: a backtick in the name ends it, and character
/// references are not decoded inside one. GitHub does not look for mentions inside code.
fn code(text: &str) -> String {
    format!("<code>{}</code>", escape::markdown(text))
}

/// Text from outside for a title, which GitHub shows as plain text (only backticks become
/// code there): control and bidirectional-override characters become spaces, and it is cut
/// to a length a title can have.
fn title_text(text: &str) -> String {
    escape::clean(text, 100)
}

/// Marks pull requests this tool opened; it never touches others.
pub const PR_MARKER: &str = "<!-- priority-sync:sync-pr -->";

pub(super) fn pr_title(t: &Target, behind: u32) -> String {
    format!(
        "Sync {} with {}:{} ({} commit{})",
        title_text(&t.branch),
        title_text(&t.upstream.to_string()),
        title_text(&t.upstream_branch),
        behind,
        if behind == 1 { "" } else { "s" }
    )
}

pub(super) fn pr_body(p: &PlannedRepo, t: &Target, why: &str, via_upstream: bool) -> String {
    let upstream = format!("{}:{}", t.upstream, t.upstream_branch);
    let mut b = format!(
        "{PR_MARKER}\nThis pull request brings {} up to date with {}.\n\n| | |\n|---|---|\n| upstream commits missing | {} |\n| own commits on {} | {} |\n| why a pull request | {} |\n| upstream head | `{}` |\n",
        code(&t.branch),
        code(&upstream),
        p.facts.commits_behind,
        code(&t.branch),
        p.facts.commits_ahead,
        escape::markdown(why),
        // An `Oid` holds hex only: a plain code span is safe, and `recorded_head` reads it.
        t.upstream_head
    );
    if p.facts.security_alerts > 0 {
        b.push_str(&format!(
            "\n**{} open security alert{}**: merging this soon is recommended.\n",
            p.facts.security_alerts,
            if p.facts.security_alerts == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    if via_upstream {
        b.push_str("\nThis pull request comes straight from the upstream branch (the sync branch could not take the update: the token could not write its workflow files, or GitHub had not made the new upstream commits available in the fork yet), so it follows upstream by itself.\n");
    }
    b.push_str("\nOpened by priority-sync. It is kept up to date while upstream moves, never duplicated; merge it to sync. If it is closed unmerged, the next run opens a new one.\n");
    b
}

/// The upstream head a sync PR's body records (its `| upstream head | `…` |` row): what
/// priority-sync last set the sync branch to. `None` when the body has no such row, or the
/// row holds no object id.
pub(super) fn recorded_head(body: &str) -> Option<Oid> {
    body.lines()
        .find_map(|l| l.strip_prefix("| upstream head | `"))
        .and_then(|rest| rest.strip_suffix("` |"))
        .and_then(|oid| oid.parse().ok())
}

/// The labels a sync PR should carry: the sync labels, the urgent ones for security alerts,
/// the conflict ones when it cannot merge cleanly.
pub(super) fn wanted_labels(ctx: &ApplyContext, p: &PlannedRepo, conflicted: bool) -> Vec<String> {
    let prs = &ctx.inv.pull_requests;
    let mut wanted: Vec<String> = prs.labels.clone();
    if p.facts.security_alerts > 0 {
        wanted.extend(prs.urgent_labels.iter().cloned());
    }
    if conflicted {
        wanted.extend(prs.conflict_labels.iter().cloned());
    }
    wanted
}

/// The wanted labels a PR does not have yet, each once.
pub(super) fn missing_labels(wanted: &[String], have: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in wanted {
        if !have.iter().any(|h| h.eq_ignore_ascii_case(l)) && !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Options, Parser, Tag};

    use super::*;
    use crate::decision::{Action, Status};
    use crate::facts::RepoFacts;
    use crate::ids::BranchName;

    /// A branch name Git accepts (`git check-ref-format`: backticks, `@` without `{`, `<`, `!`
    /// and `-` are all allowed) that would end a code span, mention a team and open an HTML
    /// comment that hides the rest of the body.
    const HOSTILE_BRANCH: &str = "x`@org/team<!--";

    fn target(branch: &str, upstream_branch: &str) -> Target {
        let name = |b: &str| BranchName::parse(b).expect("a valid ref name");
        Target {
            branch: name(branch),
            head: Oid::parse(&"a".repeat(40)).unwrap(),
            upstream: "up/repo".parse().unwrap(),
            upstream_branch: name(upstream_branch),
            upstream_head: Oid::parse(&"b".repeat(40)).unwrap(),
        }
    }

    fn planned() -> PlannedRepo {
        let mut facts = RepoFacts::unknown("o/r".parse().unwrap());
        facts.commits_behind = 25;
        facts.commits_ahead = 2;
        facts.security_alerts = 1;
        PlannedRepo {
            branch: None,
            repo: "o/r".parse().unwrap(),
            score: 1,
            tier: 1,
            action: Action::PullRequest,
            reasons: vec![],
            why: "diverged | [click](https://evil.example) @org/team".into(),
            expected: Status::PrOpen,
            facts,
        }
    }

    /// What the body renders to, as GitHub would read it: the text inside code (where GitHub
    /// looks for no mention), the text outside it, the HTML blocks and inline HTML, the links.
    #[derive(Default, Debug)]
    struct Rendered {
        code: Vec<String>,
        text: Vec<String>,
        html: Vec<String>,
        links: usize,
    }

    fn render(md: &str) -> Rendered {
        let mut r = Rendered::default();
        let mut in_code = false;
        for e in Parser::new_ext(md, Options::ENABLE_TABLES) {
            match e {
                Event::InlineHtml(h) | Event::Html(h) => match h.as_ref() {
                    "<code>" => {
                        in_code = true;
                        r.code.push(String::new());
                    }
                    "</code>" => in_code = false,
                    other => r.html.push(other.to_string()),
                },
                Event::Code(c) => r.code.push(c.to_string()),
                Event::Text(t) if in_code => r.code.last_mut().unwrap().push_str(&t),
                Event::Text(t) => r.text.push(t.to_string()),
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => r.links += 1,
                _ => {}
            }
        }
        r
    }

    #[test]
    fn outside_names_stay_inside_their_code_and_mention_no_one() {
        let upstream_branch = "main`<img/src=x/onerror=alert(1)>|@org/x";
        let t = target(HOSTILE_BRANCH, upstream_branch);
        let p = planned();
        let body = pr_body(&p, &t, &p.why, false);
        let r = render(&body);
        // The only HTML is the marker (a block of its own) and the code tags.
        assert_eq!(r.html, [format!("{PR_MARKER}\n")], "{body}");
        assert_eq!(r.links, 0, "{body}");
        // Each name is whole inside its code, as the reader should see it.
        assert!(r.code.contains(&HOSTILE_BRANCH.to_string()), "{r:?}");
        assert!(
            r.code.contains(&format!("up/repo:{upstream_branch}")),
            "{r:?}"
        );
        // The upstream head (hex only) stays where `recorded_head` reads it.
        assert!(r.code.contains(&"b".repeat(40)), "{r:?}");
        assert_eq!(
            recorded_head(&body),
            Some(t.upstream_head.clone()),
            "{body}"
        );
        // Outside code, `@` appears only in the reason, which is escaped (&#64;): no name
        // from outside is left as text where GitHub would read a mention or a link.
        for t in &r.text {
            assert!(!t.contains("<!--") && !t.contains("@org/team<"), "{t:?}");
        }
        // The table keeps its two columns on every row.
        for line in body.lines().filter(|l| l.starts_with('|')) {
            assert_eq!(line.matches('|').count(), 3, "{line}");
        }
        // The rest of the body is still there (no comment swallowed it).
        assert!(
            r.text.iter().any(|t| t.contains("Opened by priority-sync")),
            "{r:?}"
        );
    }

    #[test]
    fn the_reason_is_shown_not_read_as_markdown() {
        let t = target("main", "main");
        let p = planned();
        let r = render(&pr_body(&p, &t, &p.why, false));
        assert_eq!(r.links, 0);
        let shown: String = r.text.concat();
        assert!(
            shown.contains("diverged | [click](https://evil.example) @org/team"),
            "{shown}"
        );
    }

    #[test]
    fn titles_keep_outside_text_on_one_short_line() {
        // A valid ref name may hold a bidirectional override (git refuses only control
        // characters and a few others).
        let t = target("x@org/team\u{202E}ecaf", &"m".repeat(300));
        let title = pr_title(&t, 3);
        assert!(!title.contains('\u{202E}'), "{title}");
        assert!(title.chars().count() < 256, "{}", title.chars().count());
        assert!(
            title.starts_with("Sync x@org/team ecaf with up/repo:mmm"),
            "{title}"
        );
        assert!(title.ends_with("… (3 commits)"), "{title}");
    }
}
