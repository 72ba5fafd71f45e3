#!/usr/bin/env bash
# Starts the github-sandbox binary, runs pygithub_check.py (PyGithub, unchanged) against it,
# stops it. Installs PyGithub with pip when it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python3 -c "import github" 2>/dev/null || python3 -m pip install -q PyGithub
(cd "$root" && cargo build -q -p github-sandbox --bin github-sandbox)
target="${CARGO_TARGET_DIR:-$root/target}"
out="$(mktemp)"
"$target/debug/github-sandbox" serve --repos 40 --seed 7 --now 2026-01-01T07:00:00Z ${SANDBOX_LOG:+--log "$SANDBOX_LOG"} > "$out" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
read -r api token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["api_url"], d["token"])' "$out")
python3 "$here/pygithub_check.py" "$api" "$token"
