#!/usr/bin/env python3
"""Prints the exchanges of the JSONL request logs in DIR that GitHub's API description can
judge, for `tools/api-check/api-check rest`: the ones a test provoked on purpose are set
aside (status 0 for a dropped connection, 401, 403, 429, >= 500, entries the sandbox marks
"unexpected", and those it marks with a named "fault": "huge-body", a 200 whose huge body
was streamed, not logged, and read by no client whole), and so are real GitHub answers its
description does not list, each by a named reason with its source (UNDOCUMENTED below).
Every other exchange of those runs is kept. How many of each goes to stderr under LABEL.
With --real-only, only the real-but-undocumented answers are set aside (for the logs of runs
that provoke nothing, which may still meet them: a list's `link` followed to
/repositories/{id}/…).

    documented-exchanges.py [--real-only] DIR LABEL > kept.jsonl
"""
import json
import pathlib
import sys


# Provoked answers the sandbox names, each with why the description cannot judge it.
NAMED_FAULTS = {
    "huge-body": "a 200 whose body was streamed past the client's size cap and not logged",
}


def provoked(e):
    s = e["status"]
    if e.get("fault") in NAMED_FAULTS:
        return True
    return s in (0, 401, 403, 429) or s >= 500 or bool(e.get("unexpected"))


def api_path(e):
    """The path without GitHub Enterprise Server's /api/v3 prefix."""
    p = e["path"]
    return p[len("/api/v3"):] if p.startswith("/api/v3/") else p


def moved(e):
    r = e.get("response")
    return e["status"] in (301, 307) and isinstance(r, dict) and r.get("message") == "Moved Permanently"


# Real answers GitHub's OpenAPI description does not list, set aside by name.
UNDOCUMENTED = [
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


def main():
    args = sys.argv[1:]
    real_only = args[:1] == ["--real-only"]
    if real_only:
        args = args[1:]
    src, label = pathlib.Path(args[0]), args[1]
    kept = dropped = 0
    by_reason = {name: 0 for name, _ in UNDOCUMENTED}
    for f in sorted(src.glob("*.jsonl")):
        for line in f.open():
            if not line.strip():
                continue
            e = json.loads(line)
            if not real_only and provoked(e):
                dropped += 1
                continue
            reason = next((name for name, real in UNDOCUMENTED if real(e)), None)
            if reason:
                by_reason[reason] += 1
                continue
            sys.stdout.write(line)
            kept += 1
    aside = ", ".join(f"{n} {name}" for name, n in by_reason.items() if n)
    print(f"{label}: {kept} exchanges kept for the check, {dropped} provoked ones set aside"
          + (f", and real ones the description does not list: {aside}" if aside else ""),
          file=sys.stderr)


if __name__ == "__main__":
    main()
