#!/usr/bin/env python3
"""Prints the exchanges of the JSONL request logs in DIR that GitHub's API description can
judge, for `tools/api-check/api-check rest`. Two kinds are set aside:

- GitHub's real answers that its description does not list (UNDOCUMENTED below, each with its
  reason and source): the sandbox gives them by default, so any run may meet them;
- unless --real-only is given, the answers a test provoked on purpose: status 0 for a dropped
  connection, 401, 403, 429, >= 500, entries the sandbox marks "unexpected", answers a
  hostile-proxy rule rewrote, marked "rewritten" (deliberately not GitHub's), and those it
  marks with a named "fault" (NAMED_FAULTS below).

Every other exchange of those runs is kept. How many of each goes to stderr under LABEL.

    documented-exchanges.py [--real-only] DIR LABEL > kept.jsonl
"""
import json
import os
import pathlib
import sys


# Provoked answers the sandbox names, each with why the description cannot judge it.
NAMED_FAULTS = {
    "huge-body": "a 200 whose huge body was streamed past the client's size cap, not logged",
}


def api_path(e):
    """The path without GitHub Enterprise Server's /api/v3 prefix."""
    p = e["path"]
    return p[len("/api/v3"):] if p.startswith("/api/v3/") else p


def ref_write(e):
    path = api_path(e).split("?", 1)[0]
    return (e["method"] == "PATCH" and "/git/refs/" in path) or (
        e["method"] == "POST" and path.endswith("/git/refs"))


def moved(e):
    r = e.get("response")
    return e["status"] in (301, 307) and isinstance(r, dict) and r.get("message") == "Moved Permanently"


# (reason, test): real GitHub answers the OpenAPI description leaves out.
UNDOCUMENTED = [
    # git/update-ref and git/create-ref list no 404.
    ("404 on a ref write: the commit has not reached the fork yet (cli/cli#4907, #4942; "
     "microsoft/winget-create#233) or the token may not change workflows (cli/cli#7574, "
     "#10574)",
     lambda e: e["status"] == 404 and ref_write(e)),
    # git/create-ref lists no 403, yet a token that may not write the repository gets one:
    # "Resource not accessible by integration" for a workflow's GITHUB_TOKEN or an App
    # (einaregilsson/build-number#23, onyxmueller/build-tag-number#9, both on create-a-reference),
    # "… by personal access token" for a token without write access.
    ("403 on a ref write: the token may not write the repository",
     lambda e: e["status"] == 403 and ref_write(e)
     and str((e.get("response") or {}).get("message", "")).startswith("Resource not accessible by")),
    # A renamed repository's old name: 301 (GET) or 307 (other methods), body "Moved
    # Permanently" (recorded: octokit/fixtures rename-repository, api.github.com 2022-07-19,
    # tests/sandbox/recordings/). The description lists 301 on a few operations only.
    ("renamed-repository redirect", moved),
    # The repository by id, where that redirect's Location and GitHub's pagination links point
    # (recorded: octokit/fixtures rename-repository and paginate-issues). The description has
    # no /repositories/{id} paths.
    ("repository by id", lambda e: api_path(e).startswith("/repositories/")),
    # A repository's root directory asked as `contents/` with an empty path (recorded:
    # octokit/fixtures get-content, 200). The description's `{path}` parameter is required.
    ("root directory contents", lambda e: api_path(e).split("?")[0].endswith("/contents/")),
]


def provoked(e):
    s = e["status"]
    return (
        s in (0, 401, 403, 429)
        or s >= 500
        or bool(e.get("unexpected"))
        # FaultAction::Rewrite: a hostile proxy's answer, malformed on purpose.
        or bool(e.get("rewritten"))
        # FaultAction::HugeBody and the like, by name.
        or e.get("fault") in NAMED_FAULTS
    )


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    real_only = "--real-only" in sys.argv[1:]
    src, label = pathlib.Path(args[0]), args[1]
    kept = dropped = 0
    undocumented = {reason: 0 for reason, _ in UNDOCUMENTED}
    try:
        out = os.fstat(sys.stdout.fileno())
        writing = (out.st_dev, out.st_ino)
    except (OSError, ValueError):
        writing = None
    for f in sorted(src.glob("*.jsonl")):
        st = f.stat()
        if (st.st_dev, st.st_ino) == writing:
            continue  # our own output, written into DIR: reading it would never end
        for line in f.open():
            if not line.strip():
                continue
            e = json.loads(line)
            reason = next((r for r, test in UNDOCUMENTED if test(e)), None)
            if reason is not None:
                undocumented[reason] += 1
                continue
            # A hostile proxy's rewritten answer is never GitHub's, whatever the run.
            if (not real_only and provoked(e)) or e.get("rewritten"):
                dropped += 1
                continue
            sys.stdout.write(line)
            kept += 1
    print(f"{label}: {kept} exchanges kept for the check, {dropped} provoked ones set aside",
          file=sys.stderr)
    for reason, n in undocumented.items():
        if n:
            print(f"{label}: {n} set aside as GitHub's undocumented answer: {reason}",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
