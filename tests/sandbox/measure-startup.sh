#!/usr/bin/env bash
# Measures github-sandbox startup for fleets of the given sizes (default: 104 and 10000):
# wall time until the JSON line is printed, the sandbox's own startup_ms, peak RSS (from
# /usr/bin/time -v) and the size of the git stores. Uses the release build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(cd "$root" && cargo build -q --release -p github-sandbox --bin github-sandbox)
bin="${CARGO_TARGET_DIR:-$root/target}/release/github-sandbox"
for n in "${@:-104 10000}"; do
  for size in $n; do
    out="$(mktemp)"; err="$(mktemp)"; data="$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)"
    start=$(date +%s.%N)
    /usr/bin/time -v "$bin" serve --repos "$size" --seed 1 --now 2026-01-01T07:00:00Z --data-dir "$data" > "$out" 2> "$err" &
    pid=$!
    until [ -s "$out" ]; do sleep 0.05; done
    ready=$(date +%s.%N)
    du_mb=$(du -sm "$data" | cut -f1)
    pkill -TERM -P "$pid" 2>/dev/null || true
    wait "$pid" || true
    rss=$(grep "Maximum resident set size" "$err" | awk '{print $NF}')
    ms=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["startup_ms"])' "$out")
    nets=$(ls "$data/networks" | wc -l)
    printf 'repos=%-6s wall=%6.2fs startup_ms=%-6s peak_rss=%sMB stores=%s (%sMB)\n' \
      "$size" "$(echo "$ready - $start" | bc)" "$ms" "$((rss / 1024))" "$nets" "$du_mb"
    rm -rf "$data" "$out" "$err"
  done
done
