#!/usr/bin/env bash
# CPU per listing of the release exporter against the simulator (a separate process), beside jansson's floor. For each
# listing (queues, flows, data actions, users) only the collector that lists it runs, with 1 s polls, twice against
# the same simulator for the same time: once listing at every poll (`listing-interval=0s`) and once listing only at
# its first poll (`listing-interval=1h`). A collector does more than list (flows and data actions ask for their
# aggregates once a minute, agents asks for 50 batches of user observations at every poll at 5,000 users), so the
# listing row is the difference: (CPU of the first run - its polls x CPU per poll of the second run) / listings, or,
# where the rest of a poll makes requests of its own (agents), the first run's other requests x the second run's CPU
# per request. That is everything a listing costs (HTTP through libcurl, jansson, decoding, selection), and nothing
# else. The second run's CPU per poll is printed as its own column ("rest of a poll").
# The simulator records the requests it receives; the listing's pages, exactly as the exporter asked for them (path and
# query), are fetched once more with curl and parsed by jansson alone in a C loop (benchmarks/jansson-loop.c, default
# malloc): the ratio of the two is what issue 22 bounds (at most 1.5). Then RSS (anonymous and file-backed) while
# idle, and the binary's size. Loopback only, bounded.
# Usage: benchmarks/poll.sh [entities] [seconds]   (default 5000 of each, 30 s per run, two runs per listing)
#   LISTINGS="queues flows" to measure only some of them.
#   BIN_DIR: use genesys-exporter and genesys-simulator from there instead of building release.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
entities=${1:-5000}
seconds=${2:-30}
listings=${LISTINGS:-queues flows actions users}
release_binaries
work=$(mktemp -d)
cc -O2 -o "$work/jansson-loop" benchmarks/jansson-loop.c -ljansson
sim_port=$(free_port)
port=$(free_port)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
rss() { awk '/^(RssAnon|RssFile)/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$1/status"; }
# Any HTTP answer (a 404 too) means the port listens; curl exits 7 while it refuses connections.
wait_listening() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }
wait_ready() { for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/-/ready" >/dev/null && return 0; sleep 0.1; done; return 1; }
# Polls finished so far: the exporter logs one debug line per successful poll.
polls() { grep -c 'collector succeeded' "$1" || true; }

# One run: the exporter polls every second for $seconds; prints "cpu_seconds polls listing_requests other_requests".
measure() {
  local collector=$1 path=$2 interval=$3 log=$4 record=$5
  GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
    "$exporter_bin" --poll.interval 1s --collector.disable-defaults "--collector.$collector" \
    "--collector.$collector.listing-interval=$interval" --web.listen-address "127.0.0.1:$port" --log.level debug \
    >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_ready "$port"
  sleep 2  # past the first poll's one-off work (the first listing, the discovery queries)
  local polls_before cpu_before lines_before polls_after cpu_after
  lines_before=$(wc -l <"$record"); polls_before=$(polls "$log"); cpu_before=$(cpu_ticks "$pid")
  sleep "$seconds"
  cpu_after=$(cpu_ticks "$pid"); polls_after=$(polls "$log")
  local window
  window=$(tail -n "+$((lines_before + 1))" "$record" | python3 -c "
import json, sys
listing = other = 0
for line in sys.stdin:
    if json.loads(line)['path'] == '$path': listing += 1
    else: other += 1
print(listing, other)")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$(( cpu_after - cpu_before )) $(( polls_after - polls_before )) $window"
}

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $entities of each, 1 s polls, two runs of $seconds s per listing"
printf '%-9s %-30s %12s %12s %12s %7s   %s\n' listing endpoint 'pages' exporter jansson ratio 'rest of a poll'
for listing in $listings; do
  case $listing in
    queues) collector=queues; path=/api/v2/routing/queues; sim_flags=(--queues "$entities") ;;
    flows) collector=flows; path=/api/v2/flows; sim_flags=(--flows "$entities") ;;
    actions) collector=data_actions; path=/api/v2/integrations/actions; sim_flags=(--actions "$entities") ;;
    users) collector=agents; path=/api/v2/users; sim_flags=(--users "$entities") ;;
    *) echo "unknown listing $listing" >&2; exit 2 ;;
  esac
  record="$work/requests-$listing.jsonl"
  : >"$record"
  # A rate limit far above the requests made, so the exporter never slows its polls down for headroom.
  "$simulator_bin" --port "$sim_port" --queues 1 "${sim_flags[@]}" --rate-limit 1000000 --record-requests "$record" \
    >/dev/null 2>&1 &
  sim=$!
  pids+=("$sim")
  wait_listening "$sim_port"
  read -r cpu_a polls_a listing_a other_a < <(measure "$collector" "$path" 0s "$work/a.log" "$record")
  read -r cpu_b polls_b listing_b other_b < <(measure "$collector" "$path" 1h "$work/b.log" "$record")
  # The listing's pages exactly as the exporter asked for them, for jansson alone.
  token=$(curl -s -u sim-client-id:sim-client-secret -d grant_type=client_credentials \
    "http://127.0.0.1:$sim_port/oauth/token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  python3 -c "
import json, sys, urllib.parse
seen = {}
for line in open('$record'):
    request = json.loads(line)
    if request['path'] == '$path' and request['query'].get('pageSize') != '1':
        seen[urllib.parse.urlencode(sorted(request['query'].items()))] = int(request['query'].get('pageNumber', 1))
for query, _ in sorted(seen.items(), key=lambda item: item[1]): print(query)" >"$work/pages.txt"
  rm -f "$work"/page-*
  page=0
  while read -r query; do
    page=$((page + 1))
    curl -s -H "Authorization: Bearer $token" -o "$work/page-$(printf %05d $page).json" "http://127.0.0.1:$sim_port$path?$query"
  done <"$work/pages.txt"
  page_size=$(head -1 "$work/pages.txt" | tr '&' '\n' | awk -F= '$1 == "pageSize" {print $2}')
  bytes=$(cat "$work"/page-*.json | wc -c)
  floor=$("$work/jansson-loop" 3 "$work"/page-*.json)
  python3 -c "
ticks = $ticks_per_second
pages = $page
listings = $listing_a / pages
rest = ($cpu_b / ticks) / $polls_b if $polls_b else float('nan')
# The rest of a poll is mostly its requests when it makes one or more (agents: 50 observation batches a poll, and
# 50 aggregates batches once a minute, which a 30 s run may or may not catch): subtract it by requests then, by polls
# otherwise.
if $polls_b and $other_b >= $polls_b:
    listing_cpu = $cpu_a / ticks - $other_a * ($cpu_b / ticks) / $other_b
else:
    listing_cpu = $cpu_a / ticks - $polls_a * rest
per = 1000 * listing_cpu / listings if listings else float('nan')
other = ($other_b / $polls_b) if $polls_b else 0
print(f'{\"$listing\":<9} {\"$path\":<30} {pages:>4} of {$page_size:<4} {per:>9.1f} ms {$floor:>9.1f} ms {per / $floor:>6.2f}x   '
      f'{1000 * rest:.1f} ms ({other:.1f} other requests)   '
      f'[{$bytes / 1e6:.1f} MB; listing run: {$cpu_a / ticks:.2f} s CPU, {$polls_a} polls, {listings:.0f} listings; '
      f'rest run: {$cpu_b / ticks:.2f} s CPU, {$polls_b} polls]')"
  kill "$sim" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true
done

# Idle: the default poll interval against a real-sized org (57 queues, as the issue measured).
"$simulator_bin" --port "$sim_port" --queues 57 >/dev/null 2>&1 &
sim=$!
pids+=("$sim")
wait_listening "$sim_port"
GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
  "$exporter_bin" --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
pid=$!
pids+=("$pid")
wait_ready "$port"
curl -s "http://127.0.0.1:$port/metrics" >/dev/null
sleep 5
echo "idle RSS (57 queues, default collectors, after a scrape): $(rss $pid)"
echo "binary: $(stat -c %s "$exporter_bin" | awk '{printf "%.1f MB", $1/1e6}')"
