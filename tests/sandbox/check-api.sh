#!/usr/bin/env bash
# Runs the github-sandbox tests with every exchange logged, then checks the logs against
# GitHub's own API descriptions with shared/tools/check-github-api:
#   - rest:    every exchange of the conformant tests (status codes, request and response
#              bodies against the OpenAPI description);
#   - graphql: every GraphQL document answered, in all tests.
# Tests that deliberately provoke statuses GitHub's description does not list (401, 429,
# injected 5xx, dropped connections, unexpected routes) log under off-description/ and are
# covered by the graphql check only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tool="${CHECK_GITHUB_API:-$root/../shared/tools/check-github-api}"
logs="${SANDBOX_LOG_DIR:-$(mktemp -d)}"
mkdir -p "$logs/off-description" && rm -f "$logs"/*.jsonl "$logs"/off-description/*.jsonl
echo "github-sandbox: logging exchanges to $logs"
(cd "$root" && SANDBOX_LOG_DIR="$logs" cargo test -p github-sandbox "$@")
shopt -s nullglob
conformant=("$logs"/*.jsonl)
all=("$logs"/*.jsonl "$logs"/off-description/*.jsonl)
cat "${conformant[@]}" > "$logs/rest.jsonl.all"
cat "${all[@]}" > "$logs/graphql.jsonl.all"
mv "$logs/rest.jsonl.all" "$logs/rest-check.jsonl"
grep '"path":"/graphql' "$logs/graphql.jsonl.all" > "$logs/graphql-check.jsonl" || true
rm -f "$logs/graphql.jsonl.all"
echo "github-sandbox: $(wc -l < "$logs/rest-check.jsonl") conformant exchanges, $(wc -l < "$logs/graphql-check.jsonl") GraphQL documents"
python3 "$tool" rest "$logs/rest-check.jsonl"
python3 "$tool" graphql "$logs/graphql-check.jsonl"
