#!/usr/bin/env bash
# Idle memory over many polls: the release exporter, default collectors, 1 s polls (the minimum) against a
# real-sized org in the simulator (a separate process), sampled from /proc every minute until the API requests
# reach a target (every poll of every collector makes at least one). Prints anonymous and file-backed RSS per sample
# and the lowest and highest anonymous sample in the first and the last third of the run (samples fall anywhere in the
# 10 s heap-trim cycle, so single samples scatter; a leak shows as a rising lowest sample). Loopback only, bounded.
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
samples=()
while :; do
  sleep 60
  minute=$((minute + 1))
  count=$(requests)
  read -r anon file < <(rss $pid)
  printf "%6d  %8d  %8s  %8s\n" "$minute" "$count" "$anon" "$file"
  # The first minute holds start-up.
  [ "$minute" -ge 2 ] && samples+=("$anon")
  [ "$count" -ge "$target" ] && break
done
python3 - "${samples[@]}" <<'PY'
import sys
values = [float(v) for v in sys.argv[1:]]
third = max(1, len(values) // 3)
first, last = values[:third], values[-third:]
print(f"anonymous MiB, minutes 2-{1 + third}: {min(first):.1f} to {max(first):.1f}; "
      f"last {third} minutes: {min(last):.1f} to {max(last):.1f}")
PY
