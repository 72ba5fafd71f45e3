#!/usr/bin/env python3
"""A third-party client against the sandbox, unchanged: PyGithub gets a repository,
compares a fork with its upstream, lists pulls (following pagination) and lists workflows.

usage: pygithub_check.py API_URL TOKEN   (pygithub_check.sh starts the sandbox for you)
"""
import sys

from github import Auth, Github


def main(api_url, token):
    gh = Github(base_url=api_url, auth=Auth.Token(token), per_page=1, retry=None)
    repo = gh.get_repo("heyns1000/omnigrid")
    assert repo.full_name == "heyns1000/omnigrid", repo.full_name
    assert repo.fork and repo.parent.full_name == "omnigrid-labs/omnigrid", repo.parent
    assert repo.default_branch == "main" and not repo.archived
    print(f"repo: {repo.full_name} (fork of {repo.parent.full_name}, pushed {repo.pushed_at})")

    cmp = repo.compare("main", "omnigrid-labs:main")
    assert cmp.status == "ahead" and cmp.ahead_by == 3 and cmp.behind_by == 0, (cmp.status, cmp.ahead_by)
    assert len(list(cmp.commits)) == 3
    print(f"compare: {cmp.status}, ahead_by={cmp.ahead_by}, files={[f.filename for f in cmp.files]}")

    hot = gh.get_repo("heyns1000/hotstack")
    pulls = list(hot.get_pulls(state="open"))  # per_page=1: PyGithub follows the link header
    assert len(pulls) == 2, pulls
    sync = list(hot.get_pulls(state="open", head="heyns1000:priority-sync/main"))
    assert len(sync) == 1 and sync[0].head.ref == "priority-sync/main"
    print(f"pulls: {[(p.number, p.head.label, [l.name for l in p.labels]) for p in pulls]}")

    workflows = list(repo.get_workflows())
    assert [w.path for w in workflows] == [".github/workflows/ci.yml"], workflows
    print(f"workflows: {[(w.name, w.path, w.state) for w in workflows]}")

    missing = None
    try:
        gh.get_repo("heyns1000/zoho")
    except Exception as e:  # GithubException / UnknownObjectException
        missing = getattr(e, "status", None)
    assert missing == 404, missing
    print("pygithub: 4 operations OK (get repository, compare, list pulls, list workflows)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
