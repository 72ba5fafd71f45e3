//! Tags end to end against the sandbox's defaults (new tag objects reach forks late, GitHub's
//! limits on): with `tags: ["v*"]` in the inventory, a dry run plans the upstream's missing
//! tags and writes nothing; a run creates them in the fork at the same objects (an annotated
//! tag stays annotated, after its 404s while the object propagates), leaves an identical tag
//! alone, reports a tag that differs as a conflict without moving it, and creates no tag the
//! patterns do not name. Counted in `sync-progress.json` and the job summary.

mod common;

use common::Harness;
use github_sandbox::Category;

/// `priority-sync run --mode all` with `extra`; returns this run's job summary.
fn run(h: &Harness, extra: &[&str]) -> String {
    h.sync_with_summary(&[&["--mode", "all"], extra].concat()).1
}

#[test]
fn missing_tags_are_created_identical_ones_kept_and_different_ones_reported() {
    let h = Harness::start(12, 7);
    let fork = common::plain_fork(&h.sb, &[Category::InSync, Category::Behind]);
    let upstream = fork.parent.clone().unwrap();
    let f = fork.full_name.as_str();
    let up_branch = h.sb.default_branch(&upstream).unwrap();
    let head = h.sb.branch_sha(&upstream, &up_branch).unwrap();
    let fork_head = h.sb.branch_sha(f, &fork.branch).unwrap();

    let light = h.sb.push_tag(&upstream, "v1.0", &head, None).unwrap();
    let annotated =
        h.sb.push_tag(&upstream, "v1.1", &head, Some("Release 1.1"))
            .unwrap();
    h.sb.push_tag(&upstream, "v1.2", &head, None).unwrap();
    let up_v2 =
        h.sb.push_tag(&upstream, "v2.0", &head, Some("2.0"))
            .unwrap();
    h.sb.push_tag(&upstream, "nightly-1", &head, None).unwrap();
    // The fork already has v1.2 as upstream has it, and its own v2.0 at another object.
    h.sb.push_tag(f, "v1.2", &head, None).unwrap();
    h.sb.push_tag(f, "v2.0", &fork_head, None).unwrap();
    // A hostile tag name (git accepts it) that conflicts too: escaped in the summary's table.
    h.sb.push_tag(&upstream, "v3|<img>", &head, None).unwrap();
    h.sb.push_tag(f, "v3|<img>", &fork_head, None).unwrap();
    let mut inv = std::fs::read_to_string(h.inventory()).unwrap();
    inv.push_str("tags: [\"v*\"]\n");
    std::fs::write(h.inventory(), inv).unwrap();

    // A dry run plans them and writes nothing.
    run(&h, &["--dry-run"]);
    let p = h.progress();
    let t = &p[&f.to_ascii_lowercase()]["tags"];
    assert_eq!(t["created"], 0, "{t}");
    assert_eq!(t["pending"], 2, "{t}");
    assert!(
        t["note"]
            .as_str()
            .unwrap()
            .contains("dry run: would create 2 tags"),
        "{t}"
    );
    assert_eq!(h.sb.tag_sha(f, "v1.0"), None);
    assert_eq!(h.sb.tag_sha(f, "v1.1"), None);

    let summary = run(&h, &[]);
    assert_eq!(h.sb.tag_sha(f, "v1.0").as_deref(), Some(light.as_str()));
    assert_eq!(h.sb.tag_sha(f, "v1.1").as_deref(), Some(annotated.as_str()));
    assert!(
        h.sb.is_tag_object(f, &annotated),
        "annotated stays annotated"
    );
    assert_eq!(h.sb.tag_sha(f, "v1.2").as_deref(), Some(head.as_str()));
    assert_eq!(
        h.sb.tag_sha(f, "v2.0").as_deref(),
        Some(fork_head.as_str()),
        "a differing tag is never moved"
    );
    assert_eq!(
        h.sb.tag_sha(f, "nightly-1"),
        None,
        "not named by the patterns"
    );

    let p = h.progress();
    let t = &p[&f.to_ascii_lowercase()]["tags"];
    assert_eq!(t["created"], 2, "{t}");
    assert_eq!(t["pending"], 0, "{t}");
    assert_eq!(t["in_place"], 1, "{t}");
    let conflicts = t["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 2, "{t}");
    assert_eq!(conflicts[0]["name"], "v2.0");
    assert_eq!(conflicts[1]["name"], "v3|<img>");
    assert_eq!(conflicts[0]["upstream"]["object"], up_v2.as_str());
    assert_eq!(conflicts[0]["upstream"]["kind"], "annotated");
    assert_eq!(conflicts[0]["fork"]["kind"], "lightweight");
    let totals = &common::read_json(&h.path("audit-out").join("sync-progress.json"))["tags"];
    assert_eq!(totals["created"], 2, "{totals}");
    assert_eq!(totals["conflicting"], 2, "{totals}");
    assert!(
        summary.contains("**Tags:** 2 tags created, 2 conflicting tags"),
        "{summary}"
    );
    assert!(summary.contains("### 🏷️ Tag conflicts (2)"), "{summary}");
    assert!(summary.contains("| v2.0 | annotated "), "{summary}");
    assert!(
        summary.contains("| v3&#124;&lt;img&gt; | lightweight "),
        "{summary}"
    );
    assert!(!summary.contains("<img>"), "{summary}");

    // The next run finds everything in place and writes no tag.
    let before = h.sb.log_entries().len();
    run(&h, &[]);
    let writes = h.sb.log_entries()[before..]
        .iter()
        .filter(|e| {
            e.method == "POST" && e.path.ends_with("/git/refs") && e.path.contains(&fork.full_name)
        })
        .count();
    assert_eq!(writes, 0);
    let p = h.progress();
    let t = &p[&f.to_ascii_lowercase()]["tags"];
    assert_eq!(
        (t["created"].as_u64(), t["in_place"].as_u64()),
        (Some(0), Some(3)),
        "{t}"
    );
    assert_eq!(t["conflicts"].as_array().map(Vec::len), Some(2), "{t}");
}

/// An upstream with more than a page of tags (GraphQL gives 100 a page): its next page is read
/// in a request of its own, only for it, and every tag the patterns name is created; one REST
/// read of tags is never made.
#[test]
fn tags_past_the_first_page_are_read_and_created() {
    let h = Harness::start(8, 3);
    let fork = common::plain_fork(&h.sb, &[Category::InSync, Category::Behind]);
    let upstream = fork.parent.clone().unwrap();
    let head =
        h.sb.branch_sha(&upstream, &h.sb.default_branch(&upstream).unwrap())
            .unwrap();
    for i in 0..130 {
        h.sb.push_tag(&upstream, &format!("p{i:03}"), &head, None)
            .unwrap();
    }
    h.sb.push_tag(&upstream, "other", &head, None).unwrap();
    let mut inv = std::fs::read_to_string(h.inventory()).unwrap();
    inv.push_str("tags: [\"p*\"]\n");
    std::fs::write(h.inventory(), inv).unwrap();
    let before = h.sb.log_entries().len();
    run(&h, &[]);
    let log = h.sb.log_entries();
    let tag_reads: Vec<&serde_json::Value> = log[before..]
        .iter()
        .filter(|e| e.path.starts_with("/graphql"))
        .filter_map(|e| e.request.as_ref())
        .filter(|r| {
            r["query"]
                .as_str()
                .is_some_and(|q| q.starts_with("query TagPages"))
        })
        .collect();
    // The first pages of every repository in one request (a small fleet), then the one
    // upstream's second page alone.
    assert_eq!(tag_reads.len(), 2, "{tag_reads:#?}");
    let second = tag_reads[1];
    assert_eq!(
        second["variables"]["n0"],
        upstream.split('/').nth(1).unwrap()
    );
    assert!(second["variables"]["c0"].is_string());
    assert!(
        second["variables"].get("o1").is_none(),
        "only the repository with more"
    );
    assert!(log[before..]
        .iter()
        .all(|e| !(e.method == "GET" && e.path.contains("/tags"))));
    for i in [0, 99, 100, 129] {
        assert_eq!(
            h.sb.tag_sha(&fork.full_name, &format!("p{i:03}"))
                .as_deref(),
            Some(head.as_str())
        );
    }
    assert_eq!(h.sb.tag_sha(&fork.full_name, "other"), None);
    let p = h.progress();
    let t = &p[&fork.full_name.to_ascii_lowercase()]["tags"];
    assert_eq!(
        (t["created"].as_u64(), t["pending"].as_u64()),
        (Some(130), Some(0)),
        "{t}"
    );
}

/// The first plain fork of the fleet and its upstream's head.
fn fork_and_upstream_head(h: &Harness) -> (github_sandbox::FleetRepo, String, String) {
    let fork = common::plain_fork(&h.sb, &[Category::InSync, Category::Behind]);
    let upstream = fork.parent.clone().unwrap();
    let head =
        h.sb.branch_sha(&upstream, &h.sb.default_branch(&upstream).unwrap())
            .unwrap();
    (fork, upstream, head)
}

/// A new annotated tag whose object never reaches the fork by itself (GitHub answers 404 to
/// the ref write there, as for a new commit: cli/cli#4907): the write is sent again for the
/// propagation wait, then the tag is left pending with why; the repository does not fail, and
/// the lightweight tag beside it is created.
#[test]
fn a_tag_object_that_has_not_reached_the_fork_stays_pending() {
    let h = Harness::start(8, 5);
    let (fork, upstream, head) = fork_and_upstream_head(&h);
    let object =
        h.sb.push_tag(&upstream, "v9.0", &head, Some("9.0"))
            .unwrap();
    assert!(h.sb.never_propagate(&object));
    h.sb.push_tag(&upstream, "v9.0-light", &head, None).unwrap();
    let mut inv = std::fs::read_to_string(h.inventory()).unwrap();
    inv.push_str("tags: true\n");
    std::fs::write(h.inventory(), inv).unwrap();
    let inventory = h.inventory();
    let out = h.run(
        &[
            "run",
            "--config",
            inventory.to_str().unwrap(),
            "--artifacts-dir",
            "audit-out",
            "--mode",
            "all",
        ],
        &[("PRIORITY_SYNC_PROPAGATION_WAIT_MS", "600")],
    );
    assert!(out.status.success());
    assert_eq!(h.sb.tag_sha(&fork.full_name, "v9.0"), None);
    assert_eq!(
        h.sb.tag_sha(&fork.full_name, "v9.0-light").as_deref(),
        Some(head.as_str())
    );
    let p = h.progress();
    let r = &p[&fork.full_name.to_ascii_lowercase()];
    assert_ne!(r["status"], "failed", "{r}");
    let t = &r["tags"];
    assert_eq!(
        (t["created"].as_u64(), t["pending"].as_u64()),
        (Some(1), Some(1)),
        "{t}"
    );
    assert!(
        t["note"]
            .as_str()
            .unwrap()
            .contains("have not reached the fork yet"),
        "{t}"
    );
    assert!(t.get("error").is_none(), "{t}");
    let tries =
        h.sb.log_entries()
            .iter()
            .filter(|e| {
                e.method == "POST"
                    && e.status == 404
                    && e.request
                        .as_ref()
                        .is_some_and(|b| b["ref"] == "refs/tags/v9.0")
            })
            .count();
    assert!(
        (2..=5).contains(&tries),
        "sent again while waiting: {tries}"
    );
}

/// Tag writes count against the hourly write budget like every write: past
/// `limits.writes_per_hour`, the rest wait for the next run (`pending`, saying why), and the
/// dashboard shows the tiles.
#[test]
fn tag_writes_stop_at_the_write_budget_and_wait_for_the_next_run() {
    let h = Harness::start(8, 5);
    let (fork, upstream, head) = fork_and_upstream_head(&h);
    for i in 0..6 {
        h.sb.push_tag(&upstream, &format!("r{i}"), &head, None)
            .unwrap();
    }
    let mut inv = std::fs::read_to_string(h.inventory()).unwrap();
    assert!(
        !inv.contains("\nlimits:"),
        "the generated inventory sets no limits"
    );
    inv.push_str("tags: [\"r*\"]\nlimits:\n  writes_per_hour: 3\n");
    std::fs::write(h.inventory(), inv).unwrap();
    run(&h, &[]);
    let p = h.progress();
    let t = &p[&fork.full_name.to_ascii_lowercase()]["tags"];
    let (created, pending) = (
        t["created"].as_u64().unwrap(),
        t["pending"].as_u64().unwrap(),
    );
    assert_eq!(created + pending, 6, "{t}");
    assert!(created <= 3 && pending >= 3, "{t}");
    assert!(
        t["note"]
            .as_str()
            .unwrap()
            .contains("limits.writes_per_hour"),
        "{t}"
    );
    let made = (0..6)
        .filter(|i| h.sb.tag_sha(&fork.full_name, &format!("r{i}")).is_some())
        .count() as u64;
    assert_eq!(made, created);
    let dashboard =
        std::fs::read_to_string(h.path("audit-out").join("speed-dashboard.html")).unwrap();
    assert!(
        dashboard.contains("Tags created"),
        "the tag tiles are shown"
    );
    assert!(dashboard.contains("Tag conflicts"));
}
