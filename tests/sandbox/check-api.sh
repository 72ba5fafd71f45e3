#!/usr/bin/env bash
# Runs the github-sandbox tests with every exchange logged, then checks the logs against
# GitHub's own API descriptions with shared/tools/check-github-api:
#   - rest:    every exchange of the conformant tests (status codes, request and response
#              bodies against the OpenAPI description), and every exchange of the tests that
#              provoke off-description answers except the provoked ones;
#   - graphql: every GraphQL document answered, in all tests.
# Tests that deliberately provoke statuses GitHub's description does not list (401, 429,
# injected 5xx, dropped connections, unexpected routes) log under off-description/: there the
# provoked exchanges (status 0, 401, 403, 429 or >= 500, and entries marked "unexpected") are
# set aside, as .ci/run does for priority-sync's fault runs, and the rest is checked.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tool="${CHECK_GITHUB_API:-$root/../shared/tools/check-github-api}"
logs="${SANDBOX_LOG_DIR:-$(mktemp -d)}"
mkdir -p "$logs/off-description" && rm -f "$logs"/*.jsonl "$logs"/off-description/*.jsonl
echo "github-sandbox: logging exchanges to $logs"
(cd "$root" && SANDBOX_LOG_DIR="$logs" cargo test -p github-sandbox "$@")
python3 - "$logs" <<'PY'
import json, pathlib, sys
logs = pathlib.Path(sys.argv[1])
rest = graphql = kept = dropped = 0
with (logs / "rest-check.jsonl").open("w") as r, (logs / "graphql-check.jsonl").open("w") as g:
    for f in sorted(logs.glob("*.jsonl")) + sorted((logs / "off-description").glob("*.jsonl")):
        if f.name.endswith("-check.jsonl"):
            continue
        provoking = f.parent.name == "off-description"
        for line in f.open():
            if not line.strip():
                continue
            e = json.loads(line)
            if e["path"].split("?")[0].endswith("/graphql"):
                g.write(line)
                graphql += 1
            s = e["status"]
            if provoking and (s in (0, 401, 403, 429) or s >= 500 or e.get("unexpected")):
                dropped += 1
                continue
            kept += provoking
            r.write(line)
            rest += 1
print(f"github-sandbox: {rest} exchanges for the REST check ({kept} of them from the "
      f"off-description tests, {dropped} provoked ones set aside), {graphql} GraphQL documents")
PY
python3 "$tool" rest "$logs/rest-check.jsonl"
python3 "$tool" graphql "$logs/graphql-check.jsonl"
