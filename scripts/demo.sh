#!/usr/bin/env bash
# The demo: a local GitHub with the 104-repository fleet (the github-sandbox), and the real
# priority-sync syncing all of it in `all` mode. Leaves the audit artifacts in demo-out/audit/
# and the job summaries (what GitHub shows on the run's page) in demo-out/.
#
#   scripts/demo.sh            # writes paced for the demo (600/min: the sandbox allows it)
#   scripts/demo.sh --real     # GitHub's own pacing (priority-sync's default 60/min; ~2 min)
#
# Needs only Rust (cargo); nothing else.
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
# One field of the sandbox's one-line JSON answer (string values only).
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$OUT/sandbox.json"; }
export GITHUB_API_URL; GITHUB_API_URL=$(field api_url)
export GITHUB_GRAPHQL_URL; GITHUB_GRAPHQL_URL=$(field graphql_url)
export GITHUB_TOKEN; GITHUB_TOKEN=$(field token)
export GITHUB_REPOSITORY; GITHUB_REPOSITORY=$(field repository)
# The sandbox answers with its own address as the web address of repositories and pull
# requests (github.com's would be https://github.com/...): every link in the reports points
# there, so they agree with each other. It speaks only the API, and it stops with the demo.
export GITHUB_REF=refs/heads/main GITHUB_SERVER_URL="$GITHUB_API_URL"
[ -n "$PACE" ] && export PRIORITY_SYNC_WRITES_PER_MINUTE=$PACE
echo "    API $GITHUB_API_URL, artifacts committed to $GITHUB_REPOSITORY"

say "Dry run first: the plan, and nothing written"
GITHUB_STEP_SUMMARY="$OUT/dry-run-summary.md" \
  "$BIN/priority-sync" run --config "$OUT/priority-sync.yml" --mode all --dry-run \
  --artifacts-dir "$OUT/dry-run" > "$OUT/dry-run.log" 2>&1
# The first two phases of the plan, then what follows.
awk '/^TOP \(/ { on = 1 } /^URGENT \(/ { exit } on' "$OUT/dry-run.log"
echo "    … then $(grep -E '^(URGENT|REST) \(' "$OUT/dry-run.log" | paste -sd ' ' - | sed 's/) /) and /');" \
  "the whole plan is in $OUT/dry-run.log"

say "Syncing the whole fleet (mode all)"
GITHUB_STEP_SUMMARY="$OUT/job-summary.md" \
  "$BIN/priority-sync" run --config "$OUT/priority-sync.yml" --mode all --artifacts-dir "$OUT/audit"

say "Done"
progress="$OUT/audit/sync-progress.json"
# A count from sync-progress.json's "counts" object (the first `"status": <number>` in it).
count() { grep -m1 -E "^    \"$1\": [0-9]+" "$progress" | grep -oE '[0-9]+'; }
synced=$(count synced) up_to_date=$(count up_to_date) pr_open=$(count pr_open)
pending=$(count pending) skipped=$(count skipped)
failed=$(count failed) inaccessible=$(count inaccessible)
total=$(grep -m1 -oE '"total_repos": [0-9]+' "$progress" | grep -oE '[0-9]+')
percent=$(grep -m1 -oE '"sync_percentage": [0-9.]+' "$progress" | grep -oE '[0-9.]+$')
conflicts=$(grep -c '"conflicted": true' "$progress" || true)
requests=$(wc -l < "$OUT/requests.jsonl")
cat <<EOM
    In sync:      $((synced + up_to_date)) of $total ($percent%): $synced synced by this run, $up_to_date already up to date
    For a person: $pr_open sync PRs to review ($conflicts with conflicts), $failed failed, $inaccessible inaccessible
    For the tool: $pending pending for the next runs; $skipped skipped (archived, or upstream outside the fork network)
    Requests:     $((requests)) to the local GitHub, the dry run and the real run together

    Job summary:  $OUT/job-summary.md   (Markdown: what GitHub shows on the run's page)
    Dashboard:    $OUT/audit/speed-dashboard.html   (open it in a browser)
    Badge:        $OUT/audit/sync-status-badge.svg
    Metrics:      $OUT/audit/speed-metrics.json
    Per repo:     $progress, $OUT/audit/urgency-ranking.json
    State:        $OUT/audit/sync-state.json
    Requests:     $OUT/requests.jsonl (every exchange with the local GitHub)

    Links in the reports point at the local GitHub ($GITHUB_API_URL), which has stopped now
    that the demo is over; on a real run they open the repositories and pull requests on GitHub.
EOM
