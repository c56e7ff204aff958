#!/usr/bin/env bash
# CPU per listing of the release exporter against the simulator (a separate process), beside jansson's floor: for
# each listing (queues, flows, data actions, users) only the collector that lists it runs, listing at every 1 s poll,
# and its CPU time (from /proc) divided by the listings completed is the cost of one listing (HTTP through libcurl,
# jansson, decoding, publishing). The same pages, fetched once with curl, are then parsed by jansson alone in a C loop
# (benchmarks/jansson-loop.c, default malloc): the ratio of the two is what issue 22 bounds (at most 1.5). Then RSS
# (anonymous and file-backed) while idle, and the binary's size. Loopback only, bounded.
# Usage: benchmarks/poll.sh [entities] [seconds]   (default 5000 of each, 30 s per listing)
#   LISTINGS="queues flows" to measure only some of them.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
entities=${1:-5000}
seconds=${2:-30}
listings=${LISTINGS:-queues flows actions users}
swift build -c release --product genesys-exporter >&2
swift build -c release --product genesys-simulator >&2
work=$(mktemp -d)
cc -O2 -o "$work/jansson-loop" benchmarks/jansson-loop.c -ljansson
sim_port=$(free_port)
port=$(free_port)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)
rss() { awk '/^(RssAnon|RssFile)/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$1/status"; }
# Any HTTP answer (a 404 too) means the port listens; curl exits 7 while it refuses connections.
wait_listening() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }
wait_ready() { for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/-/ready" >/dev/null && return 0; sleep 0.1; done; return 1; }

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $entities of each, 1 s polls for $seconds s per listing"
printf '%-9s %-44s %10s %10s %12s %7s\n' listing endpoint pages exporter jansson ratio
for listing in $listings; do
  case $listing in
    queues) collector=queues; path=/api/v2/routing/queues; page_size=500; extra=""; sim_flags=(--queues "$entities") ;;
    flows) collector=flows; path=/api/v2/flows; page_size=100; extra=""; sim_flags=(--flows "$entities") ;;
    actions) collector=data_actions; path=/api/v2/integrations/actions; page_size=100; extra=""
      sim_flags=(--actions "$entities") ;;
    users) collector=agents; path=/api/v2/users; page_size=100; extra="&state=active"; sim_flags=(--users "$entities") ;;
    *) echo "unknown listing $listing" >&2; exit 2 ;;
  esac
  .build/release/genesys-simulator --port "$sim_port" --queues 1 "${sim_flags[@]}" >/dev/null 2>&1 &
  sim=$!
  pids+=("$sim")
  wait_listening "$sim_port"
  GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
    .build/release/genesys-exporter --poll.interval 1s --collector.disable-defaults "--collector.$collector" \
    "--collector.$collector.listing-interval=0s" --web.listen-address "127.0.0.1:$port" --log.level warn \
    >/dev/null 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_ready "$port"
  url="http://127.0.0.1:$port/metrics"
  pages() {
    curl -s "$url" | awk -v path="$path" 'index($0, "genesys_api_requests_total{") == 1 && index($0, "endpoint=\"" path "\"") && /code="200"/ { sum += $NF } END { print sum + 0 }'
  }
  pages_per_listing=$(( (entities + page_size - 1) / page_size ))
  pages_before=$(pages); cpu_before=$(cpu_ticks "$pid")
  sleep "$seconds"
  pages_after=$(pages); cpu_after=$(cpu_ticks "$pid")
  # The same pages, for jansson alone.
  token=$(curl -s -u sim-client-id:sim-client-secret -d grant_type=client_credentials \
    "http://127.0.0.1:$sim_port/oauth/token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  rm -f "$work"/page-*
  for page in $(seq "$pages_per_listing"); do
    curl -s -H "Authorization: Bearer $token" -o "$work/page-$page.json" \
      "http://127.0.0.1:$sim_port$path?pageSize=$page_size&pageNumber=$page$extra"
  done
  bytes=$(cat "$work"/page-*.json | wc -c)
  floor=$("$work/jansson-loop" 3 "$work"/page-*.json)
  python3 -c "
pages = $pages_after - $pages_before
listings = pages / $pages_per_listing
cpu = ($cpu_after - $cpu_before) / $ticks_per_second
per = 1000 * cpu / listings if listings else float('nan')
print(f'{\"$listing\":<9} {\"$path\":<44} {pages:>10.0f} {per:>7.1f} ms {$floor:>9.1f} ms {per / $floor:>6.2f}x   ({$pages_per_listing} pages, {$bytes / 1e6:.1f} MB, {listings:.0f} listings)')"
  kill "$pid" "$sim" 2>/dev/null || true
  wait "$pid" "$sim" 2>/dev/null || true
done

# Idle: the default poll interval against a real-sized org (57 queues, as the issue measured).
.build/release/genesys-simulator --port "$sim_port" --queues 57 >/dev/null 2>&1 &
sim=$!
pids+=("$sim")
wait_listening "$sim_port"
GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
  .build/release/genesys-exporter --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
pid=$!
pids+=("$pid")
wait_ready "$port"
curl -s "http://127.0.0.1:$port/metrics" >/dev/null
sleep 5
echo "idle RSS (57 queues, default collectors, after a scrape): $(rss $pid)"
echo "binary: $(stat -c %s .build/release/genesys-exporter | awk '{printf "%.1f MB", $1/1e6}')"
