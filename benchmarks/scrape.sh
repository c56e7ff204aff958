#!/usr/bin/env bash
# Scrape throughput and memory of the release exporter in demo mode, on the same page size the peers
# were measured with in ../shared/NOTES.md (≈2,600 series, ≈340 KB: 190 queues). Loopback only, bounded.
# Usage: benchmarks/scrape.sh [queues] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
queues=${1:-190}
seconds=${2:-10}
need_tools wrk
swift build -c release --product genesys-exporter >&2
port=$(free_port)
.build/release/genesys-exporter --demo --demo.queues "$queues" --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/metrics"
echo "page: $(curl -s "$url" | grep -vc '^#') series, $(curl -s "$url" | wc -c) bytes; $(curl -s -H 'Accept-Encoding: gzip' "$url" | wc -c) bytes gzipped"
echo "idle RSS: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
echo "plain: $(wrk -t2 -c32 -d${seconds}s "$url" | awk '/Requests\/sec/ {print $2}') req/s (wrk -t2 -c32)"
echo "gzip:  $(wrk -t2 -c32 -d${seconds}s -H 'Accept-Encoding: gzip' "$url" | awk '/Requests\/sec/ {print $2}') req/s"
echo "RSS after load: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
echo "last poll durations (queues: $queues; the simulator shares the process):"
curl -s "$url" | awk '/^genesys_collector_duration_seconds/ {print "  " $0}'

