//! Writing each fork network's real git history: a shared base, the upstream commits a
//! fork lacks (dated so `days_behind` is real, one changing `.github/workflows/` or
//! `config/settings.toml` where the category calls for it), the fork's own commits, an
//! earlier sync PR's branch and feature branches, networks written in parallel.

use std::path::{Path, PathBuf};

use git2::Oid;

use super::plan::{NetPlan, Spec};
use super::world::NetJob;
use super::{Category, GenParams, INVENTORY_PATH};
use crate::git::{self, GResult, Gen, Snapshot};
use crate::util::Rng;

/// When repositories were last pushed: `(repository index, pushed_at)`.
type Pushed = Vec<(usize, i64)>;
/// A network's refs: `(full ref name in the store, commit)`.
type Refs = Vec<(String, Oid)>;

struct Author {
    name: &'static str,
    email: &'static str,
}
const UP_AUTHOR: Author = Author {
    name: "Upstream Maintainer",
    email: "maintainer@upstream.example",
};
const FORK_AUTHOR: Author = Author {
    name: "Heyns Schoeman",
    email: "heyns1000@users.noreply.github.com",
};

fn ci_yaml(name: &str, version: u32) -> String {
    format!(
        "name: CI\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v{version}\n      - run: echo testing {name}\n"
    )
}

/// Writes every network's store under `p.dir` on `p.threads` threads; returns the stores'
/// paths (by network index) and `(repo index, pushed_at)` for every repository written.
pub(super) fn write_all(
    plans: &[NetPlan],
    net_jobs: &[NetJob],
    p: &GenParams<'_>,
    connected: &[String],
    inventory_yaml: &str,
) -> GResult<(Vec<PathBuf>, Pushed)> {
    std::fs::create_dir_all(p.dir).map_err(|e| git::GitError::Missing(format!("{e}")))?;
    let net_paths: Vec<PathBuf> = (0..plans.len())
        .map(|i| p.dir.join(format!("net-{i}.git")))
        .collect();
    let threads = p.threads.max(1);
    let results: Vec<GResult<Pushed>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (plans, jobs, paths, connected, inventory) =
                    (plans, net_jobs, &net_paths, connected, inventory_yaml);
                sc.spawn(move || {
                    let mut pushed = Vec::new();
                    for i in (t..plans.len()).step_by(threads) {
                        let at =
                            write_network(&paths[i], &plans[i], &jobs[i], p, connected, inventory)?;
                        pushed.extend(at);
                    }
                    Ok(pushed)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("generator thread panicked"))
            .collect()
    });
    let mut pushed = Vec::new();
    for r in results {
        pushed.extend(r?);
    }
    Ok((net_paths, pushed))
}

/// Writes one network's history; returns `(repo index, pushed_at)` pairs.
fn write_network(
    path: &Path,
    plan: &NetPlan,
    job: &NetJob,
    p: &GenParams<'_>,
    connected: &[String],
    inventory: &str,
) -> GResult<Pushed> {
    let s = &plan.spec;
    let mut r = Rng::new(p.seed, &format!("git:{}/{}", s.owner, s.name));
    let now = p.now;
    git::generate(path, |g: &Gen<'_>| {
        let mut snap = Snapshot::default();
        let fork_point = base_history(g, &mut snap, s, &mut r, now, (connected, inventory))?;
        let fork_snap = snap.clone();
        let (up_tip, up_commits) = upstream_commits(g, &mut snap, s, now, fork_point)?;
        let (mut fork_tip, fsnap) = fork_commits(g, fork_snap, s, now, fork_point)?;
        if s.behind == 0 && s.ahead == 0 {
            fork_tip = up_tip;
        }
        let tips = Tips {
            up_tip,
            up_commits: &up_commits,
            fork_tip,
            fork_snap: &fsnap,
        };
        branches(g, s, job, &mut r, now, &tips)
    })
}

/// Writes `text` at `path` in `snap`.
fn set_file(g: &Gen<'_>, snap: &mut Snapshot, path: &str, text: &str) -> GResult<()> {
    let b = g.blob(text.as_bytes())?;
    snap.set(path, b);
    Ok(())
}

/// The history upstream and fork share (with the hub manifest or the audit repository's
/// files where the spec says so); returns the fork point.
fn base_history(
    g: &Gen<'_>,
    snap: &mut Snapshot,
    s: &Spec,
    r: &mut Rng,
    now: i64,
    (connected, inventory): (&[String], &str),
) -> GResult<Oid> {
    let set = |snap: &mut Snapshot, path: &str, text: &str| set_file(g, snap, path, text);
    let mut t = now - i64::from(r.range(200, 500)) * 86_400;
    let base_n = r.range(3, 6);
    set(
        snap,
        "README.md",
        &format!("# {}\n\nPart of the OmniGrid ecosystem.\n", s.up_name),
    )?;
    set(snap, "LICENSE", "MIT License\n")?;
    set(
        snap,
        "config/settings.toml",
        &format!("[app]\nname = \"{}\"\nmode = \"base\"\n", s.up_name),
    )?;
    set(snap, "src/main.txt", "fn main() {}\n")?;
    set(snap, "CHANGELOG.md", "# Changelog\n")?;
    if s.has_workflows {
        set(snap, ".github/workflows/ci.yml", &ci_yaml(&s.up_name, 3))?;
    }
    if s.hub {
        let mut json = String::from("[\n");
        for (i, c) in connected.iter().enumerate() {
            json.push_str(&format!(
                "  \"{c}\"{}\n",
                if i + 1 < connected.len() { "," } else { "" }
            ));
        }
        json.push_str("]\n");
        set(snap, "hub/connected.json", &json)?;
    }
    if s.audit {
        set(snap, INVENTORY_PATH, inventory)?;
        set(
            snap,
            ".github/workflows/priority-sync.yml",
            "name: Priority Sync\non:\n  schedule:\n    - cron: '0 */2 * * *'\n    - cron: '0 */6 * * *'\n    - cron: '0 2 * * 0'\n  workflow_dispatch:\njobs:\n  sync:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: omnigrid/priority-sync@v1\n        with:\n          token: ${{ secrets.ECOSYSTEM_SYNC_TOKEN }}\n",
        )?;
        set(
            snap,
            "audit/README.md",
            "Audit artifacts written by priority-sync.\n",
        )?;
    }
    let up = |t: i64| (UP_AUTHOR.name, UP_AUTHOR.email, t);
    let mut tip = g.commit(snap, &[], "Initial commit", up(t), up(t))?;
    for k in 1..base_n {
        t += i64::from(r.range(1, 20)) * 86_400;
        set(
            snap,
            "src/main.txt",
            &format!("fn main() {{ /* v0.{k} */ }}\n"),
        )?;
        tip = g.commit(snap, &[tip], &format!("Release v0.{k}"), up(t), up(t))?;
    }
    Ok(tip)
}

/// The upstream commits the fork lacks, oldest `days_behind` days ago and spread to now;
/// returns the upstream head and those commits, oldest first.
fn upstream_commits(
    g: &Gen<'_>,
    snap: &mut Snapshot,
    s: &Spec,
    now: i64,
    fork_point: Oid,
) -> GResult<(Oid, Vec<Oid>)> {
    let set = |snap: &mut Snapshot, path: &str, text: &str| set_file(g, snap, path, text);
    let up = |t: i64| (UP_AUTHOR.name, UP_AUTHOR.email, t);
    let behind = s.behind;
    let oldest = now - i64::from(s.days_behind) * 86_400 - 3_600;
    let step = if behind > 1 {
        (now - 7_200 - oldest) / i64::from(behind - 1)
    } else {
        0
    };
    let mut up_tip = fork_point;
    let mut up_commits = Vec::new();
    let wf_at = behind / 2;
    for k in 0..behind {
        let when = oldest + step * i64::from(k);
        let file = ["CHANGELOG.md", "src/main.txt", "README.md"][(k % 3) as usize];
        let msg = if s.category == Category::WorkflowChange && k == wf_at {
            set(snap, ".github/workflows/ci.yml", &ci_yaml(&s.up_name, 4))?;
            "ci: bump actions/checkout to v4".to_string()
        } else if s.category == Category::Conflicting && k == 0 {
            set(
                snap,
                "config/settings.toml",
                &format!("[app]\nname = \"{}\"\nmode = \"upstream-v2\"\n", s.up_name),
            )?;
            "config: switch mode to upstream-v2".to_string()
        } else {
            set(
                snap,
                file,
                &format!("{} upstream change {}\n", s.up_name, k + 1),
            )?;
            format!("Upstream change {} to {file}", k + 1)
        };
        up_tip = g.commit(snap, &[up_tip], &msg, up(when), up(when))?;
        up_commits.push(up_tip);
    }
    Ok((up_tip, up_commits))
}

/// The fork's own commits on top of the fork point; returns its head and its files.
fn fork_commits(
    g: &Gen<'_>,
    fork_snap: Snapshot,
    s: &Spec,
    now: i64,
    fork_point: Oid,
) -> GResult<(Oid, Snapshot)> {
    let mut fsnap = fork_snap;
    let mut fork_tip = fork_point;
    let fa = |t: i64| (FORK_AUTHOR.name, FORK_AUTHOR.email, t);
    for k in 0..s.ahead {
        let when =
            now - i64::from(s.days_behind.max(2)) * 86_400 / 2 - i64::from(s.ahead - k) * 3_600;
        let msg = if s.category == Category::Conflicting && k == 0 {
            let b = g.blob(
                format!("[app]\nname = \"{}\"\nmode = \"fork-custom\"\n", s.up_name).as_bytes(),
            )?;
            fsnap.set("config/settings.toml", b);
            "config: fork-specific mode".to_string()
        } else {
            let b = g.blob(format!("Fork notes, revision {}\n", k + 1).as_bytes())?;
            fsnap.set("FORK_NOTES.md", b);
            format!("Fork notes revision {}", k + 1)
        };
        fork_tip = g.commit(&mut fsnap, &[fork_tip], &msg, fa(when), fa(when))?;
    }
    Ok((fork_tip, fsnap))
}

/// The heads a network's branches start from.
struct Tips<'a> {
    up_tip: Oid,
    up_commits: &'a [Oid],
    fork_tip: Oid,
    fork_snap: &'a Snapshot,
}

/// The network's refs (upstream and fork branches, an earlier sync PR's branch, feature
/// branches with one commit each) and when each repository was last pushed.
fn branches(
    g: &Gen<'_>,
    s: &Spec,
    job: &NetJob,
    r: &mut Rng,
    now: i64,
    tips: &Tips<'_>,
) -> GResult<(Pushed, Refs)> {
    let (up_tip, up_commits, fork_tip, fsnap) =
        (tips.up_tip, tips.up_commits, tips.fork_tip, tips.fork_snap);
    let fa = |t: i64| (FORK_AUTHOR.name, FORK_AUTHOR.email, t);
    let mut refs = vec![(
        git::store_ref(job.up_id, &format!("heads/{}", s.branch)),
        up_tip,
    )];
    let mut pushed = vec![(job.upstream, commit_time(g, up_tip)?)];
    if let (Some(fork), Some(fid)) = (job.fork, job.fork_id) {
        refs.push((
            git::store_ref(fid, &format!("heads/{}", s.branch)),
            fork_tip,
        ));
        let mut fork_pushed = commit_time(g, fork_tip)?;
        // an existing sync PR's branch points at an older upstream commit
        if s.sync_pr && !up_commits.is_empty() {
            let at = up_commits[(up_commits.len() * 2 / 3).min(up_commits.len() - 1)];
            refs.push((
                git::store_ref(fid, &format!("heads/priority-sync/{}", s.branch)),
                at,
            ));
        }
        for (k, fb) in job.features.iter().enumerate() {
            let mut fs = fsnap.clone();
            let when = now - i64::from(r.range(1, 30)) * 86_400 + k as i64;
            let b = g.blob(format!("Work in progress on {fb}\n").as_bytes())?;
            fs.set(&format!("docs/{}.md", fb.replace('/', "-")), b);
            let c = g.commit(
                &mut fs,
                &[fork_tip],
                &format!("WIP: {fb}"),
                fa(when),
                fa(when),
            )?;
            refs.push((git::store_ref(fid, &format!("heads/{fb}")), c));
            fork_pushed = fork_pushed.max(when);
        }
        pushed.push((fork, fork_pushed));
    }
    Ok((pushed, refs))
}

fn commit_time(g: &Gen<'_>, oid: Oid) -> GResult<i64> {
    Ok(g.repo().find_commit(oid)?.committer().when().seconds())
}
