//! GitHub's REST JSON shapes (users, repositories, commits, refs, pulls, labels, alerts,
//! workflows, contents), built field for field against GitHub's OpenAPI description so
//! third-party clients and `tools/api-check` (`api-check rest`) accept them.

use serde_json::{json, Value};

use crate::git::CommitInfo;
use crate::model::{Account, Alert, Label, Pull, World};
use crate::state::Shared;
use crate::util::{node_id, percent_encode, rfc3339};

/// `simple-user`.
pub fn user(sh: &Shared, a: &Account) -> Value {
    let api = &sh.api;
    // GitHub percent-encodes the login in every URL (`dependabot%5Bbot%5D`), and an App's bot
    // user is of type `Bot` with its page under `/apps/{slug}` (recorded answers, e.g. the
    // `author` of commits made by dependabot[bot]; the URL fields are `format: uri`).
    let l = percent_encode(&a.login, false);
    let bot = a.login.strip_suffix("[bot]");
    let kind = match (bot, a.org) {
        (Some(_), _) => "Bot",
        (None, true) => "Organization",
        (None, false) => "User",
    };
    let html = match bot {
        Some(slug) => format!("{}/apps/{}", sh.base, percent_encode(slug, false)),
        None => format!("{}/{l}", sh.base),
    };
    json!({
        "login": a.login, "id": a.id, "node_id": node_id(kind, a.id),
        "avatar_url": format!("{}/avatars/{l}", sh.base), "gravatar_id": "",
        "url": format!("{api}/users/{l}"), "html_url": html,
        "followers_url": format!("{api}/users/{l}/followers"),
        "following_url": format!("{api}/users/{l}/following{{/other_user}}"),
        "gists_url": format!("{api}/users/{l}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/users/{l}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/users/{l}/subscriptions"),
        "organizations_url": format!("{api}/users/{l}/orgs"),
        "repos_url": format!("{api}/users/{l}/repos"),
        "events_url": format!("{api}/users/{l}/events{{/privacy}}"),
        "received_events_url": format!("{api}/users/{l}/received_events"),
        "type": kind,
        "site_admin": false, "user_view_type": "public",
    })
}

/// Permissions object for a caller.
pub fn permissions(write: bool) -> Value {
    json!({"admin": write, "maintain": write, "push": write, "triage": write, "pull": true})
}

/// `repository` (as nested in pulls) or `full-repository` (`full`), with `permissions`
/// when a caller is known.
pub fn repo(sh: &Shared, w: &World, idx: usize, full: bool, perms: Option<bool>) -> Value {
    let r = &w.repos[idx];
    let api = &sh.api;
    let fullname = r.full_name();
    let u = format!("{api}/repos/{fullname}");
    let html = format!("{}/{fullname}", sh.base);
    let forks = w.repos.iter().filter(|x| x.parent == Some(idx)).count();
    let open_issues = r.pulls.iter().filter(|p| p.open).count();
    let mut v = json!({
        "id": r.id, "node_id": node_id("Repository", r.id), "name": r.name, "full_name": fullname,
        "owner": user(sh, &w.account(&r.owner)), "private": r.private, "html_url": html,
        "description": r.description, "fork": r.parent.is_some(), "url": u,
        "archive_url": format!("{u}/{{archive_format}}{{/ref}}"),
        "assignees_url": format!("{u}/assignees{{/user}}"),
        "blobs_url": format!("{u}/git/blobs{{/sha}}"),
        "branches_url": format!("{u}/branches{{/branch}}"),
        "collaborators_url": format!("{u}/collaborators{{/collaborator}}"),
        "comments_url": format!("{u}/comments{{/number}}"),
        "commits_url": format!("{u}/commits{{/sha}}"),
        "compare_url": format!("{u}/compare/{{base}}...{{head}}"),
        "contents_url": format!("{u}/contents/{{+path}}"),
        "contributors_url": format!("{u}/contributors"),
        "deployments_url": format!("{u}/deployments"),
        "downloads_url": format!("{u}/downloads"),
        "events_url": format!("{u}/events"),
        "forks_url": format!("{u}/forks"),
        "git_commits_url": format!("{u}/git/commits{{/sha}}"),
        "git_refs_url": format!("{u}/git/refs{{/sha}}"),
        "git_tags_url": format!("{u}/git/tags{{/sha}}"),
        "git_url": format!("git://127.0.0.1/{fullname}.git"),
        "hooks_url": format!("{u}/hooks"),
        "issue_comment_url": format!("{u}/issues/comments{{/number}}"),
        "issue_events_url": format!("{u}/issues/events{{/number}}"),
        "issues_url": format!("{u}/issues{{/number}}"),
        "keys_url": format!("{u}/keys{{/key_id}}"),
        "labels_url": format!("{u}/labels{{/name}}"),
        "languages_url": format!("{u}/languages"),
        "merges_url": format!("{u}/merges"),
        "milestones_url": format!("{u}/milestones{{/number}}"),
        "notifications_url": format!("{u}/notifications{{?since,all,participating}}"),
        "pulls_url": format!("{u}/pulls{{/number}}"),
        "releases_url": format!("{u}/releases{{/id}}"),
        "ssh_url": format!("git@127.0.0.1:{fullname}.git"),
        "stargazers_url": format!("{u}/stargazers"),
        "statuses_url": format!("{u}/statuses/{{sha}}"),
        "subscribers_url": format!("{u}/subscribers"),
        "subscription_url": format!("{u}/subscription"),
        "tags_url": format!("{u}/tags"),
        "teams_url": format!("{u}/teams"),
        "trees_url": format!("{u}/git/trees{{/sha}}"),
        "clone_url": format!("{html}.git"),
        "mirror_url": null, "svn_url": html, "homepage": null,
        "language": r.language, "forks_count": forks, "forks": forks,
        "stargazers_count": 0, "watchers_count": 0, "watchers": 0, "size": 128,
        "default_branch": r.default_branch, "open_issues_count": open_issues, "open_issues": open_issues,
        "is_template": false, "topics": r.topics,
        "has_issues": true, "has_projects": true, "has_wiki": true, "has_pages": false,
        "has_downloads": true, "has_discussions": false,
        "archived": r.archived, "disabled": false,
        "visibility": if r.private { "private" } else { "public" },
        "pushed_at": rfc3339(r.pushed_at), "created_at": rfc3339(r.created_at),
        "updated_at": rfc3339(r.updated_at),
        "allow_forking": true, "web_commit_signoff_required": false, "license": null,
    });
    if let Some(write) = perms {
        v["permissions"] = permissions(write);
    }
    if full {
        // The full shape names the owning organization, and shows a caller with push access
        // the merge settings and a clone token (recorded: octokit/fixtures `get-repository`,
        // an organization's repository read with an admin token; the values are its).
        let owner = w.account(&r.owner);
        if owner.org {
            v["organization"] = user(sh, &owner);
        }
        if perms == Some(true) {
            for (k, on) in [
                ("allow_rebase_merge", true),
                ("allow_squash_merge", true),
                ("allow_merge_commit", true),
                ("allow_auto_merge", r.auto_merge_allowed),
                ("allow_update_branch", false),
                ("delete_branch_on_merge", false),
                ("use_squash_pr_title_as_default", false),
            ] {
                v[k] = json!(on);
            }
            v["temp_clone_token"] = json!("");
        }
        let root = w.source(idx);
        v["network_count"] = json!(w
            .repos
            .iter()
            .filter(|x| x.net == r.net)
            .count()
            .saturating_sub(1));
        v["subscribers_count"] = json!(1);
        if let Some(p) = r.parent {
            v["parent"] = repo(sh, w, p, false, None);
            v["source"] = repo(sh, w, root, false, None);
        }
    }
    v
}

/// The `commit` shape (compare, branches, PR commits).
pub fn commit(sh: &Shared, w: &World, repo_full: &str, c: &CommitInfo) -> Value {
    let api = &sh.api;
    let sha = c.sha.to_string();
    let url = format!("{api}/repos/{repo_full}/commits/{sha}");
    let gh_user = |email: &str| -> Value {
        email
            .strip_suffix("@users.noreply.github.com")
            .map(|login| user(sh, &w.account(login)))
            .unwrap_or(Value::Null)
    };
    json!({
        "sha": sha, "node_id": node_id("Commit", &sha), "url": url,
        "html_url": format!("{}/{repo_full}/commit/{sha}", sh.base),
        "comments_url": format!("{url}/comments"),
        "commit": {
            "author": {"name": c.author.0, "email": c.author.1, "date": rfc3339(c.author.2)},
            "committer": {"name": c.committer.0, "email": c.committer.1, "date": rfc3339(c.committer.2)},
            "message": c.message.trim_end_matches('\n'),
            "tree": {"sha": c.tree.to_string(), "url": format!("{api}/repos/{repo_full}/git/trees/{}", c.tree)},
            "url": format!("{api}/repos/{repo_full}/git/commits/{sha}"),
            "comment_count": 0,
            "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null},
        },
        "author": gh_user(&c.author.1),
        "committer": gh_user(&c.committer.1),
        "parents": c.parents.iter().map(|p| json!({
            "sha": p.to_string(), "url": format!("{api}/repos/{repo_full}/commits/{p}"),
            "html_url": format!("{}/{repo_full}/commit/{p}", sh.base),
        })).collect::<Vec<_>>(),
    })
}

/// The `git-commit` shape (Git Data API).
pub fn git_commit(sh: &Shared, repo_full: &str, c: &CommitInfo) -> Value {
    let api = &sh.api;
    let sha = c.sha.to_string();
    json!({
        "sha": sha, "node_id": node_id("Commit", &sha),
        "url": format!("{api}/repos/{repo_full}/git/commits/{sha}"),
        "html_url": format!("{}/{repo_full}/commit/{sha}", sh.base),
        "author": {"name": c.author.0, "email": c.author.1, "date": rfc3339(c.author.2)},
        "committer": {"name": c.committer.0, "email": c.committer.1, "date": rfc3339(c.committer.2)},
        "tree": {"sha": c.tree.to_string(), "url": format!("{api}/repos/{repo_full}/git/trees/{}", c.tree)},
        "message": c.message,
        "parents": c.parents.iter().map(|p| json!({
            "sha": p.to_string(), "url": format!("{api}/repos/{repo_full}/git/commits/{p}"),
            "html_url": format!("{}/{repo_full}/commit/{p}", sh.base),
        })).collect::<Vec<_>>(),
        "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null},
    })
}

/// The `git-ref` shape.
pub fn git_ref(sh: &Shared, repo_full: &str, name: &str, sha: &str) -> Value {
    json!({
        "ref": name, "node_id": node_id("Ref", format!("{repo_full}:{name}")),
        "url": format!("{}/repos/{repo_full}/git/{}", sh.api, percent_encode(name, true)),
        "object": {"type": "commit", "sha": sha, "url": format!("{}/repos/{repo_full}/git/commits/{sha}", sh.api)},
    })
}

/// The `label` shape.
pub fn label(sh: &Shared, repo_full: &str, l: &Label) -> Value {
    json!({
        "id": l.id, "node_id": node_id("Label", l.id),
        "url": format!("{}/repos/{repo_full}/labels/{}", sh.api, percent_encode(&l.name, false)),
        "name": l.name, "description": l.description, "color": l.color, "default": l.default,
    })
}

/// Live facts about a PR's branches, computed from git by the caller.
pub struct PullFacts {
    /// Head sha (None if the head branch is gone).
    pub head_sha: Option<String>,
    /// Base sha.
    pub base_sha: Option<String>,
    /// (commits, additions, deletions, changed files), for the full shape.
    pub stats: Option<(usize, usize, usize, usize)>,
    /// Mergeable, for the full shape.
    pub mergeable: Option<bool>,
}

/// `pull-request-simple` (lists) or `pull-request` (`full`).
pub fn pull(
    sh: &Shared,
    w: &World,
    base_idx: usize,
    p: &Pull,
    facts: &PullFacts,
    full: bool,
) -> Value {
    let api = &sh.api;
    let base = &w.repos[base_idx];
    let bf = base.full_name();
    let head = &w.repos[p.head_repo];
    let u = format!("{api}/repos/{bf}/pulls/{}", p.number);
    let html = format!("{}/{bf}/pull/{}", sh.base, p.number);
    let issue = format!("{api}/repos/{bf}/issues/{}", p.number);
    let head_sha = facts.head_sha.clone().unwrap_or_else(|| "0".repeat(40));
    let labels: Vec<Value> = p
        .labels
        .iter()
        .filter_map(|n| base.labels.iter().find(|l| &l.name == n))
        .map(|l| {
            // pulls' label items require a string description
            let mut v = label(sh, &bf, l);
            if v["description"].is_null() {
                v["description"] = json!("");
            }
            v
        })
        .collect();
    let link = |h: String| json!({"href": h});
    let author = user(sh, &w.account(&p.user));
    let mut v = json!({
        "url": u, "id": p.id, "node_id": node_id("PullRequest", p.id), "html_url": html,
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"), "issue_url": issue,
        "commits_url": format!("{u}/commits"), "review_comments_url": format!("{u}/comments"),
        "review_comment_url": format!("{api}/repos/{bf}/pulls/comments{{/number}}"),
        "comments_url": format!("{issue}/comments"),
        "statuses_url": format!("{api}/repos/{}/statuses/{head_sha}", head.full_name()),
        "number": p.number, "state": if p.open { "open" } else { "closed" }, "locked": false,
        "title": p.title, "user": author, "body": p.body, "labels": labels, "milestone": null,
        "active_lock_reason": null,
        "created_at": rfc3339(p.created_at), "updated_at": rfc3339(p.updated_at),
        "closed_at": p.closed_at.map(rfc3339), "merged_at": p.merge.merged_at.map(rfc3339),
        "merge_commit_sha": p.merge.merge_commit_sha,
        "assignee": p.assignees.first().map(|a| user(sh, &w.account(a))),
        "assignees": p.assignees.iter().map(|a| user(sh, &w.account(a))).collect::<Vec<_>>(),
        "requested_reviewers": p.reviewers.iter().map(|r| user(sh, &w.account(r))).collect::<Vec<_>>(),
        "requested_teams": [],
        "head": {
            "label": format!("{}:{}", head.owner, p.head_ref), "ref": p.head_ref, "sha": head_sha,
            "user": user(sh, &w.account(&head.owner)), "repo": repo(sh, w, p.head_repo, false, None),
        },
        "base": {
            "label": format!("{}:{}", base.owner, p.base_ref), "ref": p.base_ref,
            "sha": facts.base_sha.clone().unwrap_or_else(|| "0".repeat(40)),
            "user": user(sh, &w.account(&base.owner)), "repo": repo(sh, w, base_idx, false, None),
        },
        "_links": {
            "self": link(u.clone()), "html": link(html.clone()), "issue": link(issue.clone()),
            "comments": link(format!("{issue}/comments")),
            "review_comments": link(format!("{u}/comments")),
            "review_comment": link(format!("{api}/repos/{bf}/pulls/comments{{/number}}")),
            "commits": link(format!("{u}/commits")),
            "statuses": link(format!("{api}/repos/{}/statuses/{head_sha}", head.full_name())),
        },
        "author_association": if p.user.eq_ignore_ascii_case(&base.owner) { "OWNER" } else { "CONTRIBUTOR" },
        "auto_merge": auto_merge(sh, w, p), "draft": p.draft,
    });
    if full {
        let (commits, additions, deletions, files) = facts.stats.unwrap_or((0, 0, 0, 0));
        v["merged"] = json!(p.merge.merged_at.is_some());
        v["mergeable"] = json!(facts.mergeable);
        v["rebaseable"] = json!(facts.mergeable);
        v["mergeable_state"] = json!(match facts.mergeable {
            Some(true) => "clean",
            Some(false) => "dirty",
            None => "unknown",
        });
        v["merged_by"] = match &p.merge.merged_by {
            Some(by) => user(sh, &w.account(by)),
            None => Value::Null,
        };
        v["comments"] = json!(0);
        v["review_comments"] = json!(0);
        v["maintainer_can_modify"] = json!(p.maintainer_can_modify);
        v["commits"] = json!(commits);
        v["additions"] = json!(additions);
        v["deletions"] = json!(deletions);
        v["changed_files"] = json!(files);
    }
    v
}

/// A pull request's `auto_merge` (OpenAPI `auto-merge`, null when off): who enabled it, the
/// method in REST's spelling, and the commit title and message GitHub will use (the defaults
/// of a merge commit; empty for the other methods, whose defaults GitHub picks when merging).
fn auto_merge(sh: &Shared, w: &World, p: &Pull) -> Value {
    let Some(a) = &p.merge.auto_merge else {
        return Value::Null;
    };
    let title = match a.method.as_str() {
        "MERGE" => format!(
            "Merge pull request #{} from {}/{}",
            p.number, w.repos[p.head_repo].owner, p.head_ref
        ),
        _ => String::new(),
    };
    json!({
        "enabled_by": user(sh, &w.account(&a.enabled_by)),
        "merge_method": a.method.to_ascii_lowercase(),
        "commit_title": title,
        "commit_message": if a.method == "MERGE" { p.title.clone() } else { String::new() },
    })
}

/// A pull request as the `issue` it also is (the answer of the issue routes that take a pull
/// request's number, e.g. `POST …/issues/{n}/assignees`).
pub fn pull_as_issue(sh: &Shared, w: &World, base_idx: usize, p: &Pull) -> Value {
    let api = &sh.api;
    let base = &w.repos[base_idx];
    let bf = base.full_name();
    let issue = format!("{api}/repos/{bf}/issues/{}", p.number);
    let html = format!("{}/{bf}/pull/{}", sh.base, p.number);
    let labels: Vec<Value> = p
        .labels
        .iter()
        .filter_map(|n| base.labels.iter().find(|l| &l.name == n))
        .map(|l| label(sh, &bf, l))
        .collect();
    let people =
        |v: &[String]| -> Vec<Value> { v.iter().map(|a| user(sh, &w.account(a))).collect() };
    json!({
        "id": p.id, "node_id": node_id("PullRequest", p.id), "url": issue,
        "repository_url": format!("{api}/repos/{bf}"),
        "labels_url": format!("{issue}/labels{{/name}}"),
        "comments_url": format!("{issue}/comments"),
        "events_url": format!("{issue}/events"),
        "html_url": html, "number": p.number,
        "state": if p.open { "open" } else { "closed" }, "state_reason": null,
        "title": p.title, "body": p.body, "user": user(sh, &w.account(&p.user)),
        "labels": labels,
        "assignee": p.assignees.first().map(|a| user(sh, &w.account(a))),
        "assignees": people(&p.assignees),
        "milestone": null, "locked": false, "active_lock_reason": null, "comments": 0,
        "pull_request": {
            "url": format!("{api}/repos/{bf}/pulls/{}", p.number), "html_url": html,
            "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
            "merged_at": p.merge.merged_at.map(rfc3339),
        },
        "closed_at": p.closed_at.map(rfc3339), "created_at": rfc3339(p.created_at),
        "updated_at": rfc3339(p.updated_at), "draft": p.draft,
        "author_association": if p.user.eq_ignore_ascii_case(&base.owner) { "OWNER" } else { "CONTRIBUTOR" },
        "timeline_url": format!("{issue}/timeline"),
    })
}

/// The `dependabot-alert` shape.
pub fn alert(sh: &Shared, repo_full: &str, a: &Alert) -> Value {
    let u = format!(
        "{}/repos/{repo_full}/dependabot/alerts/{}",
        sh.api, a.number
    );
    let pkg = json!({"ecosystem": a.ecosystem, "name": a.package});
    let vuln = json!({
        "package": pkg, "severity": a.severity, "vulnerable_version_range": a.range,
        "first_patched_version": {"identifier": a.patched},
    });
    json!({
        "number": a.number, "state": a.state,
        "dependency": {"package": pkg, "manifest_path": a.manifest, "scope": "runtime", "relationship": "direct"},
        "security_advisory": {
            "ghsa_id": a.ghsa, "cve_id": a.cve, "summary": a.summary,
            "description": format!("{}. Upgrade to {} or later.", a.summary, a.patched),
            "vulnerabilities": [vuln.clone()], "severity": a.severity,
            "cvss": {"score": 7.5, "vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
            "cvss_severities": null, "epss": null,
            "cwes": [{"cwe_id": "CWE-400", "name": "Uncontrolled Resource Consumption"}],
            "identifiers": [{"value": a.ghsa, "type": "GHSA"}, {"value": a.cve, "type": "CVE"}],
            "references": [{"url": format!("https://github.com/advisories/{}", a.ghsa)}],
            "published_at": rfc3339(a.created_at - 86_400), "updated_at": rfc3339(a.created_at),
            "withdrawn_at": null,
        },
        "security_vulnerability": vuln,
        "url": u, "html_url": format!("{}/{repo_full}/security/dependabot/{}", sh.base, a.number),
        "created_at": rfc3339(a.created_at), "updated_at": rfc3339(a.created_at),
        "dismissed_at": null, "dismissed_by": null, "dismissed_reason": null, "dismissed_comment": null,
        "fixed_at": null, "auto_dismissed_at": null,
    })
}

/// The `workflow` shape.
pub fn workflow(
    sh: &Shared,
    repo_full: &str,
    repo_id: u64,
    path: &str,
    name: &str,
    at: i64,
) -> Value {
    let id = repo_id * 100 + crate::util::fnv64(&[path.as_bytes()]) % 97;
    json!({
        "id": id, "node_id": node_id("Workflow", id), "name": name, "path": path, "state": "active",
        "created_at": rfc3339(at), "updated_at": rfc3339(at),
        "url": format!("{}/repos/{repo_full}/actions/workflows/{id}", sh.api),
        "html_url": format!("{}/{repo_full}/blob/HEAD/{path}", sh.base),
        "badge_url": format!("{}/{repo_full}/workflows/{}/badge.svg", sh.base, percent_encode(name, false)),
    })
}

/// Links of a content entry.
pub fn content_entry(
    sh: &Shared,
    repo_full: &str,
    git_ref: &str,
    path: &str,
    sha: &str,
    kind: &str,
    size: usize,
) -> Value {
    let u = format!(
        "{}/repos/{repo_full}/contents/{}?ref={}",
        sh.api,
        percent_encode(path, true),
        percent_encode(git_ref, false)
    );
    let git = format!(
        "{}/repos/{repo_full}/git/{}/{sha}",
        sh.api,
        if kind == "dir" { "trees" } else { "blobs" }
    );
    let html = format!(
        "{}/{repo_full}/{}/{git_ref}/{path}",
        sh.base,
        if kind == "dir" { "tree" } else { "blob" }
    );
    let download =
        (kind == "file").then(|| format!("{}/raw/{repo_full}/{git_ref}/{path}", sh.base));
    json!({
        "type": kind, "size": size, "name": path.rsplit('/').next().unwrap_or(path), "path": path, "sha": sha,
        "url": u, "git_url": git, "html_url": html, "download_url": download,
        "_links": {"self": u, "git": git, "html": html},
    })
}
