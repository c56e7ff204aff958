#!/usr/bin/env bash
# Idle memory over many polls: the release exporter, default collectors, 1 s polls (the minimum) against a
# real-sized org in the simulator (a separate process), sampled from /proc every minute until the API requests
# reach a target (every poll of every collector makes at least one). Prints anonymous and file-backed RSS per sample
# and the anonymous drift between the first sample after warm-up and the last. Loopback only, bounded.
# Usage: benchmarks/steady.sh [requests] [queues]   (default 10000 requests, 57 queues)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
target=${1:-10000}
queues=${2:-57}
swift build -c release --product genesys-exporter >&2
swift build -c release --product genesys-simulator >&2
work=$(mktemp -d)
# Copies, so a rebuild during the run cannot swap the binaries under it.
cp .build/release/genesys-exporter .build/release/genesys-simulator "$work/"
sim_port=$(free_port)
port=$(free_port)
"$work/genesys-simulator" --port "$sim_port" --queues "$queues" >/dev/null 2>&1 &
sim=$!
GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
  "$work/genesys-exporter" --poll.interval 1s --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
pid=$!
trap 'kill $pid $sim 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
requests() {
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^genesys_api_requests_total\{/ { sum += $NF } END { print sum + 0 }'
}
rss() { awk '/^RssAnon/ {anon = $2} /^RssFile/ {file = $2} END {printf "%.1f %.1f\n", anon / 1024, file / 1024}' "/proc/$1/status"; }
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $queues queues, default collectors, 1 s polls, until $target API requests"
echo "minute  requests  anon MiB  file MiB"
minute=0
first=""
while :; do
  sleep 60
  minute=$((minute + 1))
  count=$(requests)
  read -r anon file < <(rss $pid)
  printf "%6d  %8d  %8s  %8s\n" "$minute" "$count" "$anon" "$file"
  # The first minute holds start-up: the drift is measured from the second sample on.
  [ "$minute" -eq 2 ] && first=$anon
  [ "$count" -ge "$target" ] && break
done
python3 -c "print(f'anonymous drift from minute 2 to the end: {$anon - ${first:-$anon}:+.1f} MiB')"
