#!/usr/bin/env bash
# Renders the fixture dashboards and loads each one in headless Chromium (Debian's `chromium`)
# at phone and wide widths, light and dark: no console message, no exception, no CSP
# violation, no network request, no script, no horizontal overflow. Screenshots are written
# next to each page.
#
#   scripts/check-dashboard.sh [OUT_DIR]        (default: target/dashboard-check)
#
# Without Chromium it says so and exits 0 (set REQUIRE_CHROMIUM=1 to fail instead);
# `apt-get install -y chromium` provides it. Needs Node 20+ (no npm packages).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-${CARGO_TARGET_DIR:-$root/target}/dashboard-check}"

chromium="${CHROMIUM:-}"
if [[ -z "$chromium" ]]; then
  for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then chromium="$(command -v "$c")"; break; fi
  done
fi
if [[ -z "$chromium" ]]; then
  hint="no Chromium found (install Debian's package: apt-get install -y chromium, or set CHROMIUM=/path)"
  if [[ "${REQUIRE_CHROMIUM:-0}" == 1 ]]; then echo "check-dashboard: FAILED: $hint" >&2; exit 1; fi
  echo "check-dashboard: SKIPPED: $hint"
  exit 0
fi
if ! command -v node >/dev/null 2>&1; then
  echo "check-dashboard: node (20+) is required" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
(cd "$root" && cargo run --quiet --example report-fixtures -- "$out" >/dev/null)

node_flags=()
if ! node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
  node_flags+=(--experimental-websocket)
fi
# Fail the run if Chromium hangs.
timeout 300 node "${node_flags[@]}" "$root/scripts/check-dashboard.mjs" "$chromium" "$out" \
  "$out"/*/speed-dashboard.html
