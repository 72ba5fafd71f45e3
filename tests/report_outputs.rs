//! Snapshot and behaviour tests of the rendered reports (job summary, dashboard, badge, JSON),
//! built from the fixture runs in `report_fixtures/`: empty fleet, all green, the source's
//! example numbers, a dry run, hostile text and a 10,000-repository run, each planned and
//! applied by the product's own code.

mod report_fixtures;

use pulldown_cmark::{html, Options, Parser};

use priority_sync::outcome::{RunReport, Status};
use priority_sync::report::metrics::{self, SpeedMetrics};
use priority_sync::report::*;
use priority_sync::state::SyncState;
use report_fixtures as fixtures;
use report_fixtures::HOSTILE_TAG;

fn opts() -> ReportOptions {
    ReportOptions::default()
}

fn summary(run: &RunReport, state: &SyncState) -> String {
    job_summary(run, state, fixtures::generated_at(), &opts()).unwrap()
}

fn dashboard(run: &RunReport, state: &SyncState) -> String {
    dashboard_html(run, state, fixtures::generated_at()).unwrap()
}

fn metrics_json(run: &RunReport, state: &SyncState) -> String {
    SpeedMetrics::compute(run, state, fixtures::generated_at()).to_json()
}

/// The page without its (shared, static) `<head>`, for smaller snapshots.
fn body(html: &str) -> &str {
    let start = html.find("<body>").expect("has a body");
    &html[start..]
}

/// Markdown as GitHub-flavoured HTML (tables, strikethrough, task lists).
fn markdown_to_html(md: &str) -> String {
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(
            md,
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH,
        ),
    );
    out
}

/// Every markdown table's rows have as many cells as its header.
fn assert_tables_intact(md: &str) {
    let mut header_cells: Option<usize> = None;
    for (i, line) in md.lines().enumerate() {
        if line.starts_with('|') {
            let cells = line.matches('|').count();
            match header_cells {
                None => header_cells = Some(cells),
                Some(h) => assert_eq!(cells, h, "line {}: {line}", i + 1),
            }
        } else {
            header_cells = None;
        }
    }
}

/// The markup's tags (escaped text never contains `<`, so every `<` starts a tag).
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap_or(t.len())])
        .collect()
}

/// Nothing in the page can run or load anything.
fn assert_inert_html(html: &str) {
    let allowed = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "header", "div", "p", "span",
        "code", "time", "strong", "b", "main", "section", "h1", "h2", "h3", "article", "ol", "ul",
        "li", "a", "small", "svg", "circle", "text", "line", "rect", "polygon", "polyline", "wbr",
        "details", "summary", "table", "thead", "tbody", "tr", "th", "td", "footer",
    ];
    for tag in tags(html) {
        let lower = tag.to_ascii_lowercase();
        let name = lower
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        assert!(allowed.contains(&name), "unexpected tag <{tag}>");
        for attr in lower.split_whitespace().skip(1) {
            assert!(!attr.starts_with("on"), "event handler in <{tag}>");
            assert!(!attr.starts_with("src="), "resource in <{tag}>");
        }
        assert!(!lower.contains("javascript:"), "script URL in <{tag}>");
        if name == "a" && !lower.starts_with('/') {
            assert!(
                lower.starts_with("a href=\"https:&#x2f;&#x2f;"),
                "link <{tag}>"
            );
        }
    }
    let lower = html.to_ascii_lowercase();
    for needle in ["@import", "url("] {
        assert!(!lower.contains(needle), "found {needle:?}");
    }
    assert!(html.contains(
        "content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\""
    ));
}

#[test]
fn source_example_summary() {
    let run = fixtures::source_example();
    let md = summary(&run, &fixtures::source_example_state());
    assert_tables_intact(&md);
    insta::assert_snapshot!("summary_source_example", md);
}

#[test]
fn source_example_dashboard() {
    let run = fixtures::source_example();
    let html = dashboard(&run, &fixtures::source_example_state());
    assert_inert_html(&html);
    insta::assert_snapshot!("dashboard_source_example", html);
}

#[test]
fn source_example_metrics_and_badge() {
    let run = fixtures::source_example();
    let state = fixtures::source_example_state();
    let json = metrics_json(&run, &state);
    insta::assert_snapshot!("metrics_source_example", json);
    let svg = badge_svg(run.sync_percentage(), None).unwrap();
    assert!(svg.contains(BadgeColor::Red.fill()));
    insta::assert_snapshot!("badge_source_example", svg);
}

#[test]
fn source_example_progress() {
    let run = fixtures::source_example();
    let json = sync_progress_json(&run, fixtures::generated_at());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The source document's numbers: 104 repositories, 18 synced, 4 in review, 82 pending.
    assert_eq!(v["total_repos"], 104);
    let in_sync =
        v["counts"]["synced"].as_u64().unwrap() + v["counts"]["up_to_date"].as_u64().unwrap();
    assert_eq!(
        (
            in_sync,
            v["counts"]["pr_open"].as_u64(),
            v["counts"]["pending"].as_u64(),
            v["counts"]["failed"].as_u64()
        ),
        (18, Some(4), Some(82), Some(0))
    );
    assert_eq!(v["repos"].as_array().unwrap().len(), 104);
    // Run, counts and the first Top 12 entries (one of them a sync PR); the rest are alike.
    insta::assert_snapshot!("progress_source_example_head", head(&json, 120));
}

#[test]
fn source_example_ranking() {
    let run = fixtures::source_example();
    let json = urgency_ranking_json(&run, fixtures::generated_at());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["top"].as_array().unwrap().len(), 12);
    let ranking = v["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 92);
    // Ranked by tier, then score, then name.
    for pair in ranking.windows(2) {
        let key =
            |e: &serde_json::Value| (e["tier"].as_u64().unwrap(), e["score"].as_i64().unwrap());
        assert!(
            key(&pair[0]) >= key(&pair[1]),
            "{} before {}",
            pair[0],
            pair[1]
        );
    }
    // Scores and tiers are the run's, passed through unchanged.
    for e in ranking {
        let o = run
            .repos
            .iter()
            .find(|r| r.repo.to_string() == e["repo"].as_str().unwrap())
            .unwrap();
        assert_eq!(e["score"].as_i64(), Some(o.score));
        assert_eq!(e["tier"].as_u64(), Some(u64::from(o.tier)));
    }
    assert_eq!(ranking[0]["position"], 1);
    insta::assert_snapshot!("ranking_source_example_head", head(&json, 60));
}

/// The page's header and the sections with the given heading ids (`h-<id>`), in that order.
fn excerpt(html: &str, ids: &[&str]) -> String {
    let page = body(html);
    let header_end = page.find("</header>").expect("has a header") + "</header>".len();
    let mut parts = vec![&page[..header_end]];
    for id in ids {
        let marker = format!("aria-labelledby=\"h-{id}\"");
        let at = page
            .find(&marker)
            .unwrap_or_else(|| panic!("no section h-{id}"));
        let start = page[..at].rfind("<section").expect("section start");
        let end = at + page[at..].find("</section>").expect("section end") + "</section>".len();
        parts.push(&page[start..end]);
    }
    parts.join("\n")
}

fn head(text: &str, lines: usize) -> String {
    text.lines().take(lines).collect::<Vec<_>>().join("\n")
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[test]
fn empty_fleet_reports() {
    let run = fixtures::empty_fleet();
    let state = SyncState::default();
    let md = summary(&run, &state);
    assert_tables_intact(&md);
    insta::assert_snapshot!("summary_empty", md);
    let html = dashboard(&run, &state);
    assert_inert_html(&html);
    insta::assert_snapshot!("dashboard_empty_body", body(&html));
    insta::assert_snapshot!("metrics_empty", metrics_json(&run, &state));
    insta::assert_snapshot!(
        "progress_empty",
        sync_progress_json(&run, fixtures::generated_at())
    );
    insta::assert_snapshot!(
        "ranking_empty",
        urgency_ranking_json(&run, fixtures::generated_at())
    );
    // Nothing to sync counts as fully in sync: a green 100% badge, like the metrics say.
    let m = SpeedMetrics::compute(&run, &state, fixtures::generated_at());
    assert_eq!(m.sync_percentage, 100.0);
    let svg = badge_svg(m.sync_percentage, None).unwrap();
    assert!(svg.contains(BadgeColor::Green.fill()));
    insta::assert_snapshot!("badge_empty", svg);
}

#[test]
fn all_green_reports() {
    let run = fixtures::all_green();
    let state = fixtures::all_green_state();
    let md = summary(&run, &state);
    assert_tables_intact(&md);
    assert!(!md.contains("### ❌ Failures"));
    assert!(!md.contains("### ⏳ Pending"));
    insta::assert_snapshot!("summary_all_green", md);
    let html = dashboard(&run, &state);
    assert_inert_html(&html);
    insta::assert_snapshot!("dashboard_all_green_body", body(&html));
    let m = SpeedMetrics::compute(&run, &state, fixtures::generated_at());
    assert_eq!((m.sync_percentage, m.eta_hours), (100.0, 0.0));
    insta::assert_snapshot!("metrics_all_green", m.to_json());
    let svg = badge_svg(m.sync_percentage, None).unwrap();
    assert!(svg.contains(BadgeColor::Green.fill()));
    insta::assert_snapshot!("badge_all_green", svg);
    insta::assert_snapshot!(
        "ranking_all_green",
        urgency_ranking_json(&run, fixtures::generated_at())
    );
    let progress = sync_progress_json(&run, fixtures::generated_at());
    let v: serde_json::Value = serde_json::from_str(&progress).unwrap();
    assert_eq!(v["sync_percentage"], 100.0);
    assert_eq!(v["counts"]["synced"], 4);
    assert_eq!(v["counts"]["up_to_date"], 28);
    insta::assert_snapshot!("progress_all_green", progress);
}

#[test]
fn yellow_badge() {
    let svg = badge_svg(
        87.5,
        Some("https://github.com/omnigrid/fleet-ops/blob/main/audit/speed-dashboard.html"),
    )
    .unwrap();
    insta::assert_snapshot!("badge_yellow_linked", svg);
}

#[test]
fn dry_run_reports() {
    let run = fixtures::dry_run();
    let state = SyncState::default();
    let md = summary(&run, &state);
    assert_tables_intact(&md);
    assert!(md.contains("**🧪 Dry run.** Nothing was written"));
    assert!(md.contains("dry run: no artifacts committed"));
    insta::assert_snapshot!("summary_dry_run", md);
    let html = dashboard(&run, &state);
    assert!(html.contains("<strong>Dry run.</strong>"));
    insta::assert_snapshot!("dashboard_dry_run_body", body(&html));
    insta::assert_snapshot!(
        "progress_dry_run",
        sync_progress_json(&run, fixtures::generated_at())
    );
}

#[test]
fn hostile_text_is_escaped_in_the_summary() {
    let run = fixtures::hostile();
    let md = summary(&run, &SyncState::default());
    assert_tables_intact(&md);
    let rendered = markdown_to_html(&md);
    for bad in [
        "<img",
        "<script",
        "<svg",
        "<b>",
        "<strong>bold",
        "<em>it",
        "href=\"javascript",
    ] {
        assert!(
            !rendered.contains(bad),
            "{bad} in rendered summary:\n{rendered}"
        );
    }
    // The hostile tag is shown as text.
    assert!(
        rendered.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{rendered}"
    );
    // Links survive the escaping: entities in link destinations are decoded by the renderer.
    assert!(
        rendered.contains("href=\"https://github.com/heyns1000/vault_keys\""),
        "{rendered}"
    );
    assert!(rendered.contains("<table>"));
    // The unusable PR link is shown without a link; the one with quotes is percent-encoded.
    assert!(md.contains("PR &#35;"));
    assert!(!md.contains("javascript"));
    assert!(md.contains("pull/7?q=%22%3E%3Cx%3E%7Cy"), "{md}");
    // No raw newline, bidi override or control character from the texts survives.
    assert!(!md.contains('\u{202E}'));
    assert!(!md.contains('\u{1b}'));
    assert!(!md.contains('\u{0}'));
    // The 5,000-character error is cut.
    assert!(md.lines().all(|l| l.len() < 2_000), "a line is too long");
    insta::assert_snapshot!("summary_hostile", md);
}

#[test]
fn warnings_show_their_inline_code_and_stay_injection_safe() {
    let mut run = fixtures::source_example();
    let state = fixtures::source_example_state();
    run.warnings.push(format!(
        "schedule `{HOSTILE_TAG}` is not in `schedules`; running top12"
    ));
    run.warnings
        .push("an unpaired ` backtick, [a link](https://evil.test) and @team".to_string());
    let md = summary(&run, &state);
    assert_tables_intact(&md);
    let html = markdown_to_html(&md);
    // Our own back-quoted words are code, not literal backticks.
    assert!(
        html.contains("(needs <code>security_events: read</code>)"),
        "{html}"
    );
    assert!(html.contains("is not in <code>schedules</code>; running top12"));
    // Outside text inside the backticks is still only text.
    assert!(html.contains("<code>&lt;img src=x onerror=alert(1)&gt;</code>"));
    assert!(!html.contains("<img"));
    // A lone backtick shows as itself; links and mentions stay text.
    assert!(
        html.contains("an unpaired ` backtick, [a link](https://evil.test) and @team"),
        "{html}"
    );
    assert!(!html.contains("href=\"https://evil.test"));
    // The dashboard shows the same code, escaped by HTML.
    let page = dashboard(&run, &state);
    assert_inert_html(&page);
    assert!(page.contains("(needs <code>security_events: read</code>)"));
    assert!(page.contains("<code>&lt;img src=x onerror=alert(1)&gt;</code>"));
}

#[test]
fn hostile_text_is_escaped_in_the_dashboard() {
    let run = fixtures::hostile();
    let html = dashboard(&run, &SyncState::default());
    assert_inert_html(&html);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"));
    assert!(!html.contains('\u{202E}'));
    assert!(!html.contains(HOSTILE_TAG));
    insta::assert_snapshot!("dashboard_hostile_body", body(&html));
}

#[test]
fn hostile_text_stays_data_in_json() {
    let run = fixtures::hostile();
    let json = sync_progress_json(&run, fixtures::generated_at());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // JSON keeps the exact text (its consumers escape for their own output)...
    assert_eq!(
        v["repos"][1]["error"].as_str().unwrap(),
        run.repos[1].error.as_deref().unwrap()
    );
    // ...up to a length: the 5,000-character error is cut.
    let long = v["repos"][2]["error"].as_str().unwrap();
    assert_eq!(long.chars().count(), 1_000);
    assert!(long.ends_with('…'));
    assert_eq!(v["run"]["mode_source"]["source"], "unknown_schedule");
    insta::assert_snapshot!("progress_hostile", json);
}

#[test]
fn every_output_is_deterministic() {
    for (run, state) in [
        (fixtures::source_example(), fixtures::source_example_state()),
        (fixtures::hostile(), SyncState::default()),
    ] {
        let a = render_all(&run, &state, fixtures::generated_at(), &opts()).unwrap();
        let b = render_all(&run, &state, fixtures::generated_at(), &opts()).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn render_all_lists_every_artifact() {
    let run = fixtures::source_example();
    let state = fixtures::source_example_state();
    let out = render_all(&run, &state, fixtures::generated_at(), &opts()).unwrap();
    let names: Vec<&str> = out.artifacts.iter().map(|a| a.file_name).collect();
    assert_eq!(
        names,
        [
            SPEED_METRICS_FILE,
            DASHBOARD_FILE,
            BADGE_FILE,
            SYNC_PROGRESS_FILE,
            URGENCY_RANKING_FILE
        ]
    );
    assert_eq!(out.artifacts[0].contents, metrics_json(&run, &state));
    assert_eq!(out.job_summary, summary(&run, &state));
    for a in &out.artifacts {
        assert!(
            a.contents.ends_with('\n'),
            "{} ends with a newline",
            a.file_name
        );
    }
}

#[test]
fn state_that_already_holds_this_run_gives_the_same_reports() {
    let run = fixtures::source_example();
    let before = fixtures::source_example_state();
    let mut after = before.clone();
    after.runs.push(metrics::run_record(&run));
    assert_eq!(
        render_all(&run, &before, fixtures::generated_at(), &opts()).unwrap(),
        render_all(&run, &after, fixtures::generated_at(), &opts()).unwrap()
    );
}

#[test]
fn large_fleet_summary_fits_github_limit() {
    let run = fixtures::large_10k().run;
    let state = fixtures::large_state(10_000);
    let md = summary(&run, &state);
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    assert!(md.len() <= SUMMARY_LIMIT_BYTES);
    assert_tables_intact(&md);
    // Capped tables say what they left out.
    assert!(md.contains("more in this phase"), "rest phase is capped");
    assert!(md.contains("more failed or inaccessible"));
    assert!(md.contains("more sync PRs"));
    assert!(md.contains("already up to date are not listed"));
    assert!(md.contains("10,000 repositories"));
    insta::assert_snapshot!("summary_large_head", head(&md, 60));
    insta::assert_snapshot!("summary_large_tail", tail(&md, 40));
}

#[test]
fn large_fleet_with_huge_texts_is_shortened_then_cut() {
    let mut run = fixtures::large_10k().run;
    for r in &mut run.repos {
        r.detail = format!("{HOSTILE_TAG}|").repeat(400);
        r.reasons = vec!["*_`|".repeat(300)];
        if r.status == Status::Pending {
            r.status = Status::Failed;
            r.error = Some("<x>|".repeat(2_000));
        }
    }
    let md = summary(&run, &SyncState::default());
    assert!(md.len() <= SUMMARY_LIMIT_BYTES, "{} bytes", md.len());
    assert_tables_intact(&md);
    assert!(!md.contains("<x>"));

    // A smaller budget shrinks the tables and says so.
    let small = ReportOptions {
        summary_limit: 150_000,
        ..opts()
    };
    let md = job_summary(
        &run,
        &SyncState::default(),
        fixtures::generated_at(),
        &small,
    )
    .unwrap();
    assert!(md.len() <= 150_000, "{} bytes", md.len());
    assert!(md.contains("lists fewer rows than usual"));
    assert!(!md.contains("This summary was cut here"));
    assert_tables_intact(&md);

    // A budget too tight for even the smallest tables forces the final cut, which says so.
    let tight = ReportOptions {
        summary_limit: 8_000,
        ..opts()
    };
    let md = job_summary(
        &run,
        &SyncState::default(),
        fixtures::generated_at(),
        &tight,
    )
    .unwrap();
    assert!(md.len() <= 8_000, "{} bytes", md.len());
    assert!(md.contains("This summary was cut here"));
}

#[test]
fn large_fleet_dashboard_and_metrics() {
    let run = fixtures::large_10k().run;
    let state = fixtures::large_state(10_000);
    let html = dashboard(&run, &state);
    assert_inert_html(&html);
    assert!(html.len() < 400_000, "{} bytes", html.len());
    // 20 urgent rows, 25 failures, 25 PRs, 25 warnings: bounded whatever the fleet size.
    assert_eq!(html.matches("<td class=\"repo\">").count(), 20 + 25);
    // Top 12, the 5 figures under the history chart, 25 PRs, 25 warnings.
    assert_eq!(html.matches("<li>").count(), 12 + 5 + 25 + 25);
    assert!(html.contains("more still behind, in urgency-ranking.json"));
    assert!(html.contains("more in sync-progress.json"));
    insta::assert_snapshot!("metrics_large", metrics_json(&run, &state));
    // The parts that sum up all 10,000: header, metric tiles, status and urgency breakdowns.
    insta::assert_snapshot!(
        "dashboard_large_excerpt",
        excerpt(&html, &["metrics", "status", "urgency"])
    );
    let progress = sync_progress_json(&run, fixtures::generated_at());
    let v: serde_json::Value = serde_json::from_str(&progress).unwrap();
    assert_eq!(v["repos"].as_array().unwrap().len(), 10_000);
    assert_eq!(v["total_repos"], 10_000);
    let counted: u64 = v["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(counted, 10_000);
}

#[test]
fn force_run_lists_the_forced_repositories_and_no_top_12() {
    use priority_sync::mode::{Mode, ModeChoice, ModeSource};
    use priority_sync::plan::PhaseName;
    let mut run = fixtures::source_example();
    run.mode = ModeChoice {
        mode: Mode::Force,
        source: ModeSource::ForceRepos,
    };
    for r in &mut run.repos {
        if r.phase.is_some() {
            r.phase = None;
            r.rank = None;
        }
    }
    for (i, name) in ["heyns1000/codenest", "heyns1000/learning-mesh"]
        .iter()
        .enumerate()
    {
        let r = run
            .repos
            .iter_mut()
            .find(|r| r.repo.to_string() == *name)
            .unwrap();
        r.phase = Some(PhaseName::Force);
        r.rank = Some(i as u32 + 1);
    }
    let md = summary(&run, &SyncState::default());
    assert_tables_intact(&md);
    assert!(
        md.contains("because <code>force&#95;repos</code> named the repositories"),
        "{md}"
    );
    assert!(md.contains("<summary>Forced repositories (2):"), "{md}");
    assert!(!md.contains("<summary>Top 12"));
    let html = dashboard(&run, &SyncState::default());
    assert!(html.contains("so it has no Top 12 phase"));
    let ranking: serde_json::Value =
        serde_json::from_str(&urgency_ranking_json(&run, fixtures::generated_at())).unwrap();
    assert_eq!(ranking["top"].as_array().unwrap().len(), 0);
    assert_eq!(ranking["ranking"].as_array().unwrap().len(), 104);
}

// ---- speed-metrics.json from the fixture runs ----

#[test]
fn counts_partition_the_fleet() {
    let run = fixtures::source_example();
    let m = SpeedMetrics::compute(&run, &SyncState::default(), run.finished_at);
    assert_eq!(m.total_repos, 104);
    assert_eq!(
        m.synced_today + m.in_progress + m.pending + m.failed,
        m.total_repos
    );
    assert_eq!(
        (m.synced_today, m.in_progress, m.pending, m.failed),
        (18, 4, 82, 0)
    );
    assert_eq!(m.sync_percentage, 17.3);
}

#[test]
fn json_has_exactly_the_nine_source_keys_with_their_types() {
    let run = fixtures::source_example();
    let m = SpeedMetrics::compute(&run, &fixtures::source_example_state(), run.finished_at);
    let v: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
    let obj = v.as_object().unwrap();
    let keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
    let mut expected = vec![
        "total_repos",
        "synced_today",
        "in_progress",
        "pending",
        "failed",
        "sync_percentage",
        "sync_velocity",
        "eta_hours",
        "last_sync",
    ];
    expected.sort_unstable();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected);
    for k in [
        "total_repos",
        "synced_today",
        "in_progress",
        "pending",
        "failed",
    ] {
        assert!(obj[k].is_u64(), "{k} must be an integer: {}", obj[k]);
    }
    for k in ["sync_percentage", "sync_velocity", "eta_hours"] {
        assert!(obj[k].is_f64(), "{k} must be a float: {}", obj[k]);
    }
    let last = obj["last_sync"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(last).unwrap(),
        run.finished_at
    );
    assert!(last.ends_with('Z'), "{last}");
}

#[test]
fn floats_stay_floats_even_when_whole() {
    let run = fixtures::empty_fleet();
    let json = SpeedMetrics::compute(&run, &SyncState::default(), run.finished_at).to_json();
    assert!(json.contains("\"sync_percentage\": 100.0"), "{json}");
    assert!(json.contains("\"sync_velocity\": 0.0"), "{json}");
    assert!(json.contains("\"eta_hours\": 0.0"), "{json}");
}

#[test]
fn history_appends_this_run_once() {
    let run = fixtures::source_example();
    let state = fixtures::source_example_state();
    let h = metrics::history(&run, &state);
    assert_eq!(h.len(), state.runs.len() + 1);
    assert_eq!(h.last().unwrap().started_at, run.started_at);
    let mut with_run = state.clone();
    with_run.runs.push(metrics::run_record(&run));
    assert_eq!(metrics::history(&run, &with_run).len(), with_run.runs.len());
}

#[test]
fn source_example_velocity_and_eta_come_from_its_history() {
    let run = fixtures::source_example();
    let m = SpeedMetrics::compute(&run, &fixtures::source_example_state(), run.finished_at);
    assert!(m.sync_velocity > 0.0);
    assert!(!m.eta_unknown());
    // The 82 pending repositories (what the tool syncs by itself; the 4 sync PRs wait for a
    // person), at the published velocity.
    let expected = (82.0 / m.sync_velocity * 10.0).round() / 10.0;
    assert_eq!(m.eta_hours, expected);
}

// ---- Every count a person reads agrees in number with its noun ----

/// Nouns (singular, plural) that follow counts in what priority-sync writes for people.
const NOUNS: &[(&str, &str)] = &[
    ("commit", "commits"),
    ("own commit", "own commits"),
    ("repository", "repositories"),
    ("ranked repository", "ranked repositories"),
    ("run", "runs"),
    ("PR", "PRs"),
    ("sync PR", "sync PRs"),
    ("open PR", "open PRs"),
    ("new PR", "new PRs"),
    ("pull request", "pull requests"),
    ("day", "days"),
    ("security alert", "security alerts"),
    ("alert", "alerts"),
    ("problem", "problems"),
    ("attempt", "attempts"),
    ("request", "requests"),
    ("write", "writes"),
    ("fork", "forks"),
    ("compare", "compares"),
    ("job", "jobs"),
    ("failure", "failures"),
    ("warning", "warnings"),
    ("phase", "phases"),
    ("file", "files"),
];

/// Text as a reader sees it: tags, emphasis and the entities the escapers write removed; a
/// tag that is not inline (a table cell, a list item) ends a phrase.
fn readable(text: &str) -> String {
    const INLINE: [&str; 9] = [
        "a", "b", "strong", "em", "code", "span", "small", "wbr", "time",
    ];
    let mut out = String::with_capacity(text.len());
    let mut tag: Option<String> = None;
    for c in text.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(t), '>') => {
                let name = t
                    .trim_start_matches('/')
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                out.push_str(if INLINE.contains(&name) { " " } else { " | " });
                tag = None;
            }
            (Some(t), c) => t.push(c),
            (None, c) => out.push(c),
        }
    }
    out.replace("&#35;", "#")
        .replace("&#95;", "_")
        .replace("&#42;", "*")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("**", " ")
        .replace("\\n", " ")
}

fn is_count(token: &str) -> Option<u64> {
    let digits = token.replace(',', "");
    let ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && token.split(',').skip(1).all(|g| g.len() == 3);
    ok.then(|| digits.parse().ok()).flatten()
}

/// Every "<count> <noun>" whose noun disagrees with the count ("1 own commits", "2 commit").
fn disagreements(text: &str) -> Vec<String> {
    let words: Vec<String> = readable(text)
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| "([{\"'`*_".contains(c))
                .trim_end_matches(|c: char| ",.;:!?)]}\"'`*_".contains(c))
                .to_string()
        })
        .collect();
    let mut found = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(n) = is_count(w) else { continue };
        let mut rest = &words[i + 1..];
        if rest.first().is_some_and(|w| w == "more" || w == "other") {
            rest = &rest[1..];
        }
        let starts = |phrase: &str| {
            let p: Vec<&str> = phrase.split(' ').collect();
            rest.len() >= p.len() && p.iter().zip(rest).all(|(a, b)| a.eq_ignore_ascii_case(b))
        };
        let skipped = words.len() - i - 1 - rest.len();
        for (one, many) in NOUNS {
            let wrong = if n == 1 { many } else { one };
            if starts(wrong) {
                let end = i + 1 + skipped + wrong.split(' ').count();
                found.push(words[i..end].join(" "));
            }
        }
    }
    found
}

#[test]
fn the_agreement_check_catches_what_it_is_for() {
    assert_eq!(
        disagreements("diverged: 4 behind, 1 own commits ahead"),
        ["1 own commits"]
    );
    assert_eq!(disagreements("fast-forward 2 commit"), ["2 commit"]);
    assert_eq!(disagreements("<b>1</b> runs"), ["1 runs"]);
    assert_eq!(
        disagreements("…and 1 more pull requests"),
        ["1 more pull requests"]
    );
    assert_eq!(disagreements("of 1,000 repository"), ["1,000 repository"]);
    assert!(disagreements("1 commit, 0 commits, 12 of 12 in sync, PR #1 sync PRs").is_empty());
    assert!(disagreements("2026-01-01 07:00:05 UTC, 4 min 12 s, 17.3%").is_empty());
}

/// Everything a fixture run shows a person: summary, dashboard, the JSON reports' texts, the
/// plan and every sync pull request's title and body.
fn texts_of(built: &fixtures::Built, state: &SyncState) -> Vec<(String, String)> {
    let r = render_all(&built.run, state, fixtures::generated_at(), &opts()).unwrap();
    let mut texts = vec![("job summary".to_string(), r.job_summary)];
    for a in r.artifacts {
        let text = if a.file_name.ends_with(".json") {
            // The texts in it (its numbers and keys are not prose).
            let mut strings = Vec::new();
            json_strings(&serde_json::from_str(&a.contents).unwrap(), &mut strings);
            strings.join(" | ")
        } else {
            a.contents
        };
        texts.push((a.file_name.to_string(), text));
    }
    texts.push(("plan".to_string(), built.plan_text.clone()));
    for (title, body) in &built.pull_texts {
        texts.push(("PR title".to_string(), title.clone()));
        texts.push(("PR body".to_string(), body.clone()));
    }
    if let Some(alert) = priority_sync::notify::alert_text(&built.run) {
        texts.push(("failure alert".to_string(), alert));
    }
    for format in priority_sync::config::NotifyFormat::ALL {
        if let Some(payload) = priority_sync::notify::alert_payload(&built.run, format) {
            let mut strings = Vec::new();
            json_strings(&payload, &mut strings);
            texts.push((format!("{} alert", format.as_str()), strings.join(" | ")));
        }
    }
    texts
}

fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

#[test]
fn every_count_in_the_reports_agrees_with_its_noun() {
    let mut checked = 0;
    for (name, built, state) in fixtures::all() {
        for (what, text) in texts_of(&built, &state) {
            let bad = disagreements(&text);
            assert!(bad.is_empty(), "{name}, {what}: {bad:?}");
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} texts checked");
    // The fixtures do reach the singular cases the check is about.
    let src = fixtures::source_example_built();
    let all = texts_of(&src, &fixtures::source_example_state())
        .into_iter()
        .map(|(_, t)| readable(&t))
        .collect::<String>();
    for singular in [
        "1 own commit ahead",
        "1 commit",
        "1 open PR",
        "1 sync PR with conflicts",
    ] {
        assert!(
            all.contains(singular),
            "no {singular:?} in the source example"
        );
    }
}

#[test]
fn every_count_the_command_line_prints_agrees_with_its_noun() {
    let bin = env!("CARGO_BIN_EXE_priority-sync");
    let root = env!("CARGO_MANIFEST_DIR");
    let runs: [&[&str]; 4] = [
        &[
            "plan",
            "--snapshot",
            "examples/snapshot.json",
            "--config",
            "examples/priority-sync.yml",
            "--mode",
            "urgent",
        ],
        &[
            "plan",
            "--snapshot",
            "examples/snapshot.json",
            "--config",
            "nope.yml",
        ],
        &[],
        &["--help"],
    ];
    for args in runs {
        let out = std::process::Command::new(bin)
            .args(args)
            .current_dir(root)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.trim().is_empty(), "{args:?} printed nothing");
        let bad = disagreements(&text);
        assert!(bad.is_empty(), "{args:?}: {bad:?}\n{text}");
    }
}

// ---- What needs a person comes first; lists show work that can be done ----

#[test]
fn the_summary_puts_what_needs_a_person_first() {
    let md = summary(
        &fixtures::source_example(),
        &fixtures::source_example_state(),
    );
    let at = |needle: &str| {
        md.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{md}"))
    };
    assert!(
        at("**Needs a person:** 1 sync PR with conflicts, 3 more sync PRs to review")
            < at("### ❗ Sync PRs with conflicts (1)")
    );
    assert!(at("### ❗ Sync PRs with conflicts (1)") < at("### 🔄 Sync PRs to review (4)"));
    assert!(at("### 🔄 Sync PRs to review (4)") < at("### ⏳ Pending for the next runs (82)"));
    assert!(at("### ⏳ Pending for the next runs (82)") < at("### Results by phase"));
    // The per-phase tables are folded, and have no reasons column.
    assert!(md.contains("<details><summary>Top 12 (12): 10 of 12 in sync · 2 sync PRs (1 with conflicts)</summary>"), "{md}");
    assert!(!md.contains("| Why |"));
    // The conflicting PR is flagged in the list too, and listed first.
    let list = &md[at("### 🔄 Sync PRs to review")..];
    assert!(
        list.contains("\n- ❗ **conflicts** · [heyns1000/payment-gateway-hub]"),
        "{list}"
    );
}

#[test]
fn the_eta_covers_only_what_the_tool_does_and_needs_history() {
    let run = fixtures::source_example();
    // One run of history: no ETA, and the summary says why.
    let m = SpeedMetrics::compute(&run, &SyncState::default(), fixtures::generated_at());
    assert!(m.eta_unknown(), "{m:?}");
    let md = summary(&run, &SyncState::default());
    assert!(
        md.contains("no ETA: not enough history yet (1 run in the last 7 days"),
        "{md}"
    );
    let html = dashboard(&run, &SyncState::default());
    assert!(html.contains("no ETA: not enough history yet"));
    assert!(html.contains("velocity <b>not enough history yet</b>"));
}

#[test]
fn the_urgent_list_shows_work_and_counts_what_it_leaves_out() {
    let run = fixtures::large_10k().run;
    let html = dashboard(&run, &fixtures::large_state(10_000));
    let urgent = excerpt(&html, &["urgent"]);
    let urgent = &urgent[urgent.find("<section").unwrap()..];
    assert_eq!(urgent.matches("<td class=\"repo\">").count(), 20);
    for done_or_stuck in ["synced", "up_to_date", "skipped", "failed", "inaccessible"] {
        assert!(
            !urgent.contains(&format!("chip st-{done_or_stuck}\"")),
            "{done_or_stuck} in the urgent list"
        );
    }
    let skipped = run
        .repos
        .iter()
        .filter(|r| {
            r.status == Status::Skipped && r.phase != Some(priority_sync::plan::PhaseName::Top)
        })
        .count();
    assert!(
        urgent.contains(&format!("Not listed: {skipped} skipped repositories")),
        "{urgent}"
    );
    // Conflicting sync PRs are flagged wherever they are listed.
    let flagged = html
        .matches("<span class=\"chip conflict\">conflicts</span>")
        .count();
    assert!(flagged >= 10, "{flagged}");
}
