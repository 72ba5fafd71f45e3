//! Renders a job summary (Markdown, as written to `GITHUB_STEP_SUMMARY`) into a page styled
//! roughly like GitHub's run page, to look at it in a browser or take a screenshot:
//! `cargo run --example summary-html -- job-summary.md job-summary.html`.
//!
//! GitHub renders the summary with its own Markdown (tables, `<details>`, `<sub>`, raw HTML
//! entities); pulldown-cmark with tables covers what priority-sync writes.

use std::path::PathBuf;

use pulldown_cmark::{html, Options, Parser};

const STYLE: &str =
    "body{font:14px/1.5 -apple-system,'Segoe UI','Noto Sans',Helvetica,Arial,sans-serif;\
color:#1f2328;background:#fff;margin:0;padding:24px}\
main{max-width:1012px;margin:0 auto;border:1px solid #d1d9e0;border-radius:6px;padding:16px 32px}\
h2{font-size:1.5em;border-bottom:1px solid #d1d9e0;padding-bottom:.3em}h3{font-size:1.25em}\
table{border-collapse:collapse;display:block;overflow:auto;max-width:100%;margin:0 0 16px}\
th,td{border:1px solid #d1d9e0;padding:6px 13px}tr:nth-child(2n){background:#f6f8fa}\
th{font-weight:600}a{color:#0969da;text-decoration:none}code{background:#eff1f3;\
padding:.2em .4em;border-radius:6px;font-size:85%}details{margin:0 0 16px}summary{cursor:pointer}\
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#f0f6fc}main{border-color:#3d444d}\
th,td{border-color:#3d444d}tr:nth-child(2n){background:#151b23}a{color:#4493f8}\
code{background:#2f3742}h2{border-color:#3d444d}}";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: summary-html SUMMARY.md OUT.html");
    };
    let md = std::fs::read_to_string(&input)?;
    let mut body = String::new();
    html::push_html(
        &mut body,
        Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH),
    );
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>Job summary</title>\
<style>{STYLE}</style></head><body><main>{body}</main></body></html>\n"
    );
    std::fs::write(&output, page)?;
    Ok(())
}
