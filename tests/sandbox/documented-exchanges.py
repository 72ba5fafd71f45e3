#!/usr/bin/env python3
"""Prints the exchanges of the JSONL request logs in DIR that GitHub's API description can
judge, for `tools/api-check/api-check rest`: the ones a test provoked on purpose are set
aside (status 0 for a dropped connection, 401, 403, 429, >= 500, entries the sandbox marks
"unexpected", and those it marks with a named "fault": "huge-body", a 200 whose huge body
was streamed, not logged, and read by no client whole).
Every other exchange of those runs is kept. How many of each goes to stderr under LABEL.

    documented-exchanges.py DIR LABEL > kept.jsonl
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
