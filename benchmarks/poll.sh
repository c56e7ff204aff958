#!/usr/bin/env bash
# CPU per queue listing and memory of the release exporter against the simulator (a separate process), read from
# /proc: only the queues collector runs, polling every second, so CPU time divided by the pages fetched gives the
# cost of one listing (HTTP through libcurl, jansson, decoding, publishing the series). Then RSS (anonymous and
# file-backed) while idle, and the binary's size. Loopback only, bounded.
# Usage: benchmarks/poll.sh [queues] [seconds]   (default 5000 queues = 10 pages of 500, 30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
queues=${1:-5000}
seconds=${2:-30}
swift build -c release --product genesys-exporter >&2
swift build -c release --product genesys-simulator >&2
sim_port=$(free_port)
port=$(free_port)
.build/release/genesys-simulator --port "$sim_port" --queues "$queues" >/dev/null 2>&1 &
sim=$!
GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
  .build/release/genesys-exporter --poll.interval 1s --no-collector.identity --no-collector.observations \
  --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
pid=$!
trap 'kill $pid $sim 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port/metrics"
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
pages() { curl -s "$url" | awk '/^genesys_api_requests_total\{.*routing\/queues.*code="200"/ { sum += $NF } END { print sum + 0 }'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)
page_size=500
pages_per_listing=$(( (queues + page_size - 1) / page_size ))
pages_before=$(pages); cpu_before=$(cpu_ticks $pid)
sleep "$seconds"
pages_after=$(pages); cpu_after=$(cpu_ticks $pid)
listings=$(python3 -c "print(($pages_after - $pages_before) / $pages_per_listing)")
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $queues queues ($pages_per_listing pages of $page_size), 1 s polls for $seconds s"
python3 -c "
cpu = ($cpu_after - $cpu_before) / $ticks_per_second
listings = $listings
print(f'listings: {listings:.0f}, exporter CPU {cpu:.2f} s: {1000 * cpu / listings:.1f} ms per listing' if listings else 'no listing completed')"
rss() { awk '/^(RssAnon|RssFile)/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$1/status"; }
echo "RSS while polling: $(rss $pid)"
kill $pid; wait $pid 2>/dev/null || true
# Idle: the default poll interval against a real-sized org (57 queues, as the issue measured).
kill $sim; wait $sim 2>/dev/null || true
.build/release/genesys-simulator --port "$sim_port" --queues 57 >/dev/null 2>&1 &
sim=$!
GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
  .build/release/genesys-exporter --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
curl -s "$url" >/dev/null
sleep 5
echo "idle RSS (57 queues, default collectors, after a scrape): $(rss $pid)"
echo "binary: $(stat -c %s .build/release/genesys-exporter | awk '{printf "%.1f MB", $1/1e6}')"
