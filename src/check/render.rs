//! The pre-flight's report: plain text for a terminal (stdout of `priority-sync check`) and
//! Markdown for the job summary (`mode: check`). Pure functions of a [`CheckReport`]; every
//! piece that came from GitHub (header values, error messages) is cleaned, and escaped for
//! Markdown table cells.

use super::decide::{Need, RepoCheck, Verdict};
use super::CheckReport;
use crate::plural::count;
use crate::report::escape;

/// Longest piece of outside text shown (a header value, an error message).
const MAX_TEXT: usize = 300;
/// Repositories named under one fix before "and N more".
const MAX_NAMED: usize = 10;

fn clean(text: &str) -> String {
    escape::clean(text, MAX_TEXT)
}

/// The token line: kind, scopes, expiry, hourly limit.
fn token_line(r: &CheckReport) -> String {
    let t = &r.token;
    let mut parts = vec![t.kind.label().to_string()];
    if let Some(scopes) = &t.scopes {
        parts.push(if scopes.is_empty() {
            "scopes: none".into()
        } else {
            format!("scopes: {}", clean(&scopes.join(", ")))
        });
    }
    match (&t.expiration, r.days_left) {
        (Some(e), Some(d)) if d < 0 => parts.push(format!("expired {}", clean(e))),
        (Some(e), Some(d)) => parts.push(format!(
            "expires {} (in {}){}",
            clean(e),
            count(d as u64, "day", "days"),
            if d < super::decide::EXPIRY_WARNING_DAYS {
                ": renew it soon"
            } else {
                ""
            }
        )),
        (Some(e), None) => parts.push(format!("expires {}", clean(e))),
        (None, _) => parts.push("no expiry sent".into()),
    }
    if let Some(l) = t.rate_limit {
        parts.push(format!("{l} requests an hour"));
    }
    parts.join("; ")
}

/// A table cell for a verdict (`markdown`: symbols; else words).
fn cell(need: Need, v: &Verdict, markdown: bool) -> String {
    match v {
        Verdict::Yes => if markdown { "✅" } else { "yes" }.into(),
        Verdict::Missing { .. } => if markdown { "❌" } else { "NO" }.into(),
        Verdict::Unknown { .. } => if markdown { "❔" } else { "check" }.into(),
        Verdict::Info(Some(t)) if need == Need::AutoMerge => format!("({t})"),
        Verdict::Info(_) => "-".into(),
    }
}

/// Each repository's missing and unverifiable needs, one line each.
fn problems(r: &CheckReport) -> Vec<(String, Need, bool, String)> {
    let mut out = Vec::new();
    for c in &r.repos {
        for (need, v) in &c.verdicts {
            match v {
                Verdict::Missing { why, .. } => {
                    out.push((c.repo.to_string(), *need, true, clean(why)))
                }
                Verdict::Unknown { why } => {
                    out.push((c.repo.to_string(), *need, false, clean(why)))
                }
                _ => {}
            }
        }
    }
    out
}

fn named(repos: &[crate::repo_name::RepoName]) -> String {
    let mut s = repos
        .iter()
        .take(MAX_NAMED)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if repos.len() > MAX_NAMED {
        s.push_str(&format!(" and {} more", repos.len() - MAX_NAMED));
    }
    s
}

fn headline(r: &CheckReport) -> String {
    let s = &r.requests;
    format!(
        "{} checked with {} ({} GraphQL, {} REST), nothing written",
        count(r.repos.len() as u64, "repository", "repositories"),
        count(s.total(), "request", "requests"),
        s.graphql,
        s.total() - s.graphql
    )
}

fn verdict_line(r: &CheckReport) -> String {
    if let Some(why) = &r.refused {
        return format!(
            "result: GitHub refused the token ({}): make a new one and update the secret; exit 1",
            clean(why)
        );
    }
    let failing = r.repos.iter().filter(|c| !c.ok()).count();
    if failing == 0 {
        "result: everything the inventory asks for is possible; exit 0".into()
    } else {
        format!(
            "result: {} of {} cannot be synced as the inventory asks; exit 1",
            failing,
            count(r.repos.len() as u64, "repository", "repositories")
        )
    }
}

/// The report as plain text (the caller neutralises workflow commands for the log).
pub fn text(r: &CheckReport) -> String {
    let mut out = format!("priority-sync check: {}\n\n", headline(r));
    out.push_str(&format!("token: {}\n\n", token_line(r)));
    if !r.repos.is_empty() {
        let mut rows: Vec<Vec<String>> = vec![std::iter::once("repository".to_string())
            .chain(Need::ALL.iter().map(|n| n.heading().to_string()))
            .collect()];
        for c in &r.repos {
            rows.push(row(c, false));
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    let problems = problems(r);
    if !problems.is_empty() {
        out.push_str("problems:\n");
        for (repo, need, missing, why) in &problems {
            let tag = if *missing { "NO" } else { "check" };
            out.push_str(&format!("  {repo}: {} {tag}: {why}\n", need.heading()));
        }
        out.push('\n');
    }
    if !r.fixes.is_empty() {
        out.push_str(&format!(
            "{}:\n",
            count(r.fixes.len() as u64, "fix", "fixes")
        ));
        for (i, f) in r.fixes.iter().enumerate() {
            out.push_str(&format!(
                "  {}. {}\n     for: {}\n",
                i + 1,
                f.text,
                named(&f.repos)
            ));
        }
        out.push('\n');
    }
    out.push_str(&verdict_line(r));
    out.push('\n');
    out
}

fn row(c: &RepoCheck, markdown: bool) -> Vec<String> {
    let name = if markdown {
        escape::markdown(&c.repo.to_string())
    } else {
        c.repo.to_string()
    };
    std::iter::once(name)
        .chain(Need::ALL.iter().map(|n| match c.verdict(*n) {
            Some(v) => {
                let s = cell(*n, v, markdown);
                if markdown {
                    escape::markdown(&s)
                } else {
                    s
                }
            }
            None => "-".into(),
        }))
        .collect()
}

/// The report as Markdown for the job summary.
pub fn markdown(r: &CheckReport) -> String {
    let md = escape::markdown;
    let mut out = format!("## priority-sync check\n\n{}\n\n", md(&headline(r)));
    out.push_str(&format!("**Token:** {}\n\n", md(&token_line(r))));
    if !r.repos.is_empty() {
        out.push_str("| repository |");
        for n in Need::ALL {
            out.push_str(&format!(" {} |", n.heading()));
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(Need::ALL.len()));
        out.push('\n');
        for c in &r.repos {
            out.push_str(&format!("| {} |\n", row(c, true).join(" | ")));
        }
        out.push_str("\n✅ possible · ❌ missing · ❔ to check by hand · - not needed\n\n");
    }
    let problems = problems(r);
    if !problems.is_empty() {
        out.push_str("### Problems\n\n");
        for (repo, need, missing, why) in &problems {
            let tag = if *missing { "❌" } else { "❔" };
            out.push_str(&format!(
                "- {tag} {} {}: {}\n",
                md(repo),
                need.heading(),
                md(why)
            ));
        }
        out.push('\n');
    }
    if !r.fixes.is_empty() {
        out.push_str("### Fixes\n\n");
        for (i, f) in r.fixes.iter().enumerate() {
            out.push_str(&format!(
                "{}. {} (for {})\n",
                i + 1,
                md(&f.text),
                md(&named(&f.repos))
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("**{}**\n", md(&verdict_line(r))));
    out
}
