#!/usr/bin/env bash
# Runs the github-sandbox tests with every exchange logged, then checks the logs against
# GitHub's own API descriptions with the project's checker, tools/api-check/api-check:
#   - rest:    every exchange of the conformant tests (route, parameters, status code,
#              request and response bodies against the OpenAPI description), and every
#              exchange of the tests that provoke off-description answers except the provoked
#              ones;
#   - graphql: every GraphQL document of those exchanges (the document, its variables, and
#              the data of each 200 answer against the schema).
# Tests that deliberately provoke statuses GitHub's description does not list (401, 429,
# injected 5xx, dropped connections, unexpected routes) log under off-description/: there the
# provoked exchanges (status 0, 401, 403, 429 or >= 500, entries marked "unexpected", and
# answers a hostile-proxy rule rewrote, marked "rewritten") are
# set aside by documented-exchanges.py, as .ci/run does for priority-sync's fault runs, and the
# rest is checked. GitHub's real answers its description does not list (a ref write's 404 while
# a new commit reaches a fork, a renamed repository's redirect, a repository by id; named in
# documented-exchanges.py) are set aside in every log. The checker installs GitHub's descriptions on first use (npm) and fails,
# never skips, when it cannot run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
check="$root/tools/api-check/api-check"
logs="${SANDBOX_LOG_DIR:-$(mktemp -d)}"
# The combined log goes under checked/, out of the directories the logs are read from.
mkdir -p "$logs/off-description" "$logs/checked" && rm -f "$logs"/*.jsonl "$logs"/off-description/*.jsonl "$logs"/checked/*.jsonl
echo "github-sandbox: logging exchanges to $logs"
(cd "$root" && SANDBOX_LOG_DIR="$logs" cargo test -p github-sandbox "$@")
shopt -s nullglob
conformant=("$logs"/*.jsonl)
provoking=("$logs"/off-description/*.jsonl)
shopt -u nullglob
[ "${#conformant[@]}" -gt 0 ] || { echo "github-sandbox: the tests logged no exchange in $logs" >&2; exit 1; }
{
  python3 "$here/documented-exchanges.py" --real-only "$logs" "conformant tests"
  python3 "$here/documented-exchanges.py" "$logs/off-description" "off-description tests"
} > "$logs/checked/rest-check.jsonl"
echo "github-sandbox: $(wc -l < "$logs/checked/rest-check.jsonl") exchanges for the REST check"
status=0
# tests/limits.rs adds `?i=` and `?k=` to requests to give them distinct fault keys (a fault is
# chosen by method and path); GitHub ignores unknown query parameters, so these two names pass
# where the operation does not document them. Any other undocumented parameter is a problem.
"$check" rest --test-query-key i --test-query-key k "$logs/checked/rest-check.jsonl" || status=$?
# GraphQL: every document of those same exchanges (a hostile proxy's rewritten answers, set
# aside above, are deliberately not GitHub's).
"$check" graphql "$logs/checked/rest-check.jsonl" || status=$?
exit "$status"
