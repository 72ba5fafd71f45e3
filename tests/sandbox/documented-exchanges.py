#!/usr/bin/env python3
"""Prints the exchanges of the JSONL request logs in DIR that GitHub's API description can
judge, for `tools/api-check/api-check rest`: the ones a test provoked on purpose are set
aside (status 0 for a dropped connection, 401, 403, 429, >= 500, entries the sandbox marks
"unexpected", and answers a hostile-proxy rule rewrote, marked "rewritten": they are
deliberately not GitHub's).
Every other exchange of those runs is kept. How many of each goes to stderr under LABEL.

    documented-exchanges.py DIR LABEL > kept.jsonl
"""
import json
import pathlib
import sys


def provoked(e):
    s = e["status"]
    return (
        s in (0, 401, 403, 429)
        or s >= 500
        or bool(e.get("unexpected"))
        # FaultAction::Rewrite: a hostile proxy's answer, malformed on purpose.
        or bool(e.get("rewritten"))
    )


def main():
    src, label = pathlib.Path(sys.argv[1]), sys.argv[2]
    kept = dropped = 0
    for f in sorted(src.glob("*.jsonl")):
        for line in f.open():
            if not line.strip():
                continue
            if provoked(json.loads(line)):
                dropped += 1
                continue
            sys.stdout.write(line)
            kept += 1
    print(f"{label}: {kept} exchanges kept for the check, {dropped} provoked ones set aside",
          file=sys.stderr)


if __name__ == "__main__":
    main()
