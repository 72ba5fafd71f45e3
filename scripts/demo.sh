#!/usr/bin/env bash
# The demo: a local GitHub with the 104-repository fleet (the github-sandbox), and the real
# priority-sync syncing all of it in `all` mode. Leaves the audit artifacts in demo-out/audit/.
#
#   scripts/demo.sh            # writes paced for the demo (600/min: the sandbox allows it)
#   scripts/demo.sh --real     # GitHub's own pacing (priority-sync's default 60/min; ~2 min)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=demo-out
PACE=600
[ "${1:-}" = "--real" ] && PACE=
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "Building priority-sync and the sandbox (the first build takes a few minutes)"
cargo build --quiet -p priority-sync -p github-sandbox --bins
BIN=target/debug

rm -rf "$OUT"
mkdir -p "$OUT"
say "Starting a local GitHub with 104 repositories (fork networks on real git)"
"$BIN/github-sandbox" serve --repos 104 --seed 1 --content-limit 100000 \
  --inventory-out "$OUT/priority-sync.yml" --log "$OUT/requests.jsonl" > "$OUT/sandbox.json" &
SANDBOX=$!
trap 'kill "$SANDBOX" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$OUT/sandbox.json" ] && break; sleep 0.1; done
[ -s "$OUT/sandbox.json" ] || { echo "the sandbox did not start" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.load(open('$OUT/sandbox.json'))['$1'])"; }
export GITHUB_API_URL; GITHUB_API_URL=$(field api_url)
export GITHUB_GRAPHQL_URL; GITHUB_GRAPHQL_URL=$(field graphql_url)
export GITHUB_TOKEN; GITHUB_TOKEN=$(field token)
export GITHUB_REPOSITORY; GITHUB_REPOSITORY=$(field repository)
export GITHUB_REF=refs/heads/main GITHUB_SERVER_URL=https://github.com
[ -n "$PACE" ] && export PRIORITY_SYNC_WRITES_PER_MINUTE=$PACE
echo "    API $GITHUB_API_URL, artifacts committed to $GITHUB_REPOSITORY"

say "Dry run first: the plan, and nothing written"
"$BIN/priority-sync" run --config "$OUT/priority-sync.yml" --mode all --dry-run \
  --artifacts-dir "$OUT/dry-run" > "$OUT/dry-run.log" 2>&1
sed -n '/^TOP (/,/^URGENT (/p' "$OUT/dry-run.log"
echo "    … the whole plan is in $OUT/dry-run.log"

say "Syncing the whole fleet (mode all)"
"$BIN/priority-sync" run --config "$OUT/priority-sync.yml" --mode all --artifacts-dir "$OUT/audit"

say "Done"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
m = json.load(open(f"{out}/audit/speed-metrics.json"))
print(f"    {m['synced_today']}/{m['total_repos']} in sync ({m['sync_percentage']}%), "
      f"{m['in_progress']} sync PRs open, {m['pending']} pending or skipped, {m['failed']} failed or inaccessible")
reqs = [json.loads(l) for l in open(f"{out}/requests.jsonl")]
print(f"    {len(reqs)} API requests for the dry run and the real run together")
PY
cat <<EOM

    Dashboard:  $OUT/audit/speed-dashboard.html   (open it in a browser)
    Badge:      $OUT/audit/sync-status-badge.svg
    Metrics:    $OUT/audit/speed-metrics.json
    Per repo:   $OUT/audit/sync-progress.json, $OUT/audit/urgency-ranking.json
    State:      $OUT/audit/sync-state.json
    Requests:   $OUT/requests.jsonl (every exchange with the local GitHub)
EOM
