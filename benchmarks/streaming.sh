#!/usr/bin/env bash
# Stream mode against poll mode (issue 23), side by side in one run, release builds, loopback only:
#   A. API requests per hour for QUEUES (default 500) observed queues: poll mode at a 10 s interval, then stream mode
#      (reconcile every 10 minutes), each over WINDOW seconds (default 300) after the first poll; requests counted by
#      the exporter's own genesys_api_requests_total, all endpoints. The simulator moves its observations every 10 s.
#   B. Freshness in stream mode: genesys_notification_apply_delay_seconds over that window (a message's arrival to
#      its values being published; the simulator sends a change the moment it happens, over loopback).
#   C. Load: LOAD_QUEUES (default 5000) subscribed queues, each sent RATE (default 1) messages a second
#      (genesys-simulator --notification-rate): the exporter's CPU share of one core and RSS over LOAD_SECONDS
#      (default 120), against the same exporter streaming the same queues with no messages (idle).
# Usage: benchmarks/streaming.sh   (env QUEUES, WINDOW, LOAD_QUEUES, RATE, LOAD_SECONDS, BIN_DIR as in orgs.sh,
#   PARTS: "AB C" by default; "AB" or "C" runs only those)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh

queues=${QUEUES:-500}
window=${WINDOW:-300}
load_queues=${LOAD_QUEUES:-5000}
rate=${RATE:-1}
load_seconds=${LOAD_SECONDS:-120}
parts=${PARTS:-AB C}
need_tools curl
release_binaries

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "streaming.sh: $1" >&2
  [ -n "${2:-}" ] && tail -n 20 "$2" >&2
  exit 1
}
# The sum of a family's samples whose line contains $2 (a label matcher, or "" for all).
metric() { awk -v name="$1" -v has="$2" 'index($0, name) == 1 && index($0, has) > 0 { s += $NF } END { printf "%.0f\n", s }'; }

# Starts a simulator with $1 queues and the extra flags after it; sets sim_pid and sim_base.
start_simulator() {
  local count=$1
  shift
  local port
  port=$(free_port)
  "$simulator_bin" --port "$port" --queues "$count" "$@" >"$work/sim-$port.log" 2>&1 &
  sim_pid=$!
  pids+=("$sim_pid")
  for _ in $(seq 300); do
    grep -qs 'listening on' "$work/sim-$port.log" && break
    sleep 0.1
  done
  grep -q 'listening on' "$work/sim-$port.log" || fail "the simulator did not start" "$work/sim-$port.log"
  sim_base="http://127.0.0.1:$port"
}

# Starts an exporter against $sim_base with the flags given; sets exp_pid and exp_url.
start_exporter() {
  local port
  port=$(free_port)
  GENESYS_API_HOST="$sim_base" GENESYS_LOGIN_HOST="$sim_base" GENESYS_CLIENT_ID=sim-client-id \
    GENESYS_CLIENT_SECRET=sim-client-secret "$exporter_bin" --web.listen-address "127.0.0.1:$port" \
    --no-collector.identity --no-collector.queue_performance --no-collector.flows --no-collector.data_actions \
    --no-collector.telephony --no-collector.api_usage --collector.queues.max 10000 --log.level warn "$@" \
    >"$work/exporter-$port.log" 2>&1 &
  exp_pid=$!
  pids+=("$exp_pid")
  exp_url="http://127.0.0.1:$port/metrics"
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/-/ready")" = 200 ] && return 0
    kill -0 "$exp_pid" 2>/dev/null || fail "the exporter exited" "$work/exporter-$port.log"
    sleep 0.5
  done
  fail "the exporter did not get ready" "$work/exporter-$port.log"
}

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

await_streaming() {
  for _ in $(seq 600); do
    # The page first: grep -q stopping early would make curl (and, with pipefail, the test) fail on a large page.
    page=$(curl -s "$exp_url")
    grep -q '^genesys_notification_stream_state{state="streaming"} 1' <<<"$page" && return 0
    sleep 0.5
  done
  fail "the exporter did not stream"
}

requests() { curl -s "$exp_url" | metric genesys_api_requests_total ""; }

if [[ $parts == *A* ]]; then
# --- A and B: requests per hour and freshness -------------------------------------------------------------------
start_simulator "$queues" --moving
start_exporter --poll.interval 10s --collector.observations.mode=poll
sleep 15
before=$(requests)
sleep "$window"
poll_requests=$(( $(requests) - before ))
stop_all

start_simulator "$queues" --moving
start_exporter --poll.interval 10s --collector.observations.mode=stream
await_streaming
sleep 15
page=$(curl -s "$exp_url")
before=$(metric genesys_api_requests_total "" <<<"$page")
delays_before=$(metric genesys_notification_apply_delay_seconds_count "" <<<"$page")
sleep "$window"
page=$(curl -s "$exp_url")
stream_requests=$(( $(metric genesys_api_requests_total "" <<<"$page") - before ))
messages=$(( $(metric genesys_notification_apply_delay_seconds_count "" <<<"$page") - delays_before ))
# The share of applied messages published within 0.25, 1 and 2.5 s (cumulative buckets, whole run).
bucket() {
  awk -v le="$1" 'index($0, "genesys_notification_apply_delay_seconds_bucket{") == 1 {
      match($0, /le="[^"]*"/); v = substr($0, RSTART + 4, RLENGTH - 5)
      if (v != "+Inf" && v + 0 == le + 0) s += $NF } END { printf "%.0f\n", s }' <<<"$page"
}
total=$(metric genesys_notification_apply_delay_seconds_count "" <<<"$page")
stop_all

per_hour() { awk -v n="$1" -v w="$window" 'BEGIN { printf "%.0f", n * 3600 / w }'; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.1f%%", 100 * a / b }'; }
poll_hour=$(per_hour "$poll_requests")
stream_hour=$(per_hour "$stream_requests")

cat <<EOF

Streaming against polling, $(date -u +%Y-%m-%d), $(nproc) cores
A. API requests, $queues observed queues, over ${window}s after warm-up (moving observations)
   poll mode, 10 s interval:   $poll_requests requests  = $poll_hour per hour
   stream mode:                $stream_requests requests  = $stream_hour per hour (by design: 5 batches per 10-minute reconcile = 30 per hour)
   ratio poll / stream:        $(awk -v p="$poll_hour" -v s="$stream_hour" 'BEGIN { if (s == 0) print "inf (no request in the window)"; else printf "%.1fx", p / s }')   (target: at least 10x)
B. Freshness in stream mode: $messages messages applied in the window; of all $total applied,
   published within 0.25 s: $(share "$(bucket 0.25)" "$total"), within 1 s: $(share "$(bucket 1)" "$total"), within 2.5 s: $(share "$(bucket 2.5)" "$total")   (target: on /metrics within 2 s)
EOF
fi

if [[ $parts == *C* ]]; then
# --- C: load ---------------------------------------------------------------------------------------------------
measure() {
  local ticks0 ticks1 t0 t1
  ticks0=$(cpu_ticks "$exp_pid")
  t0=$(date +%s.%N)
  sleep "$load_seconds"
  ticks1=$(cpu_ticks "$exp_pid")
  t1=$(date +%s.%N)
  awk -v a="$ticks0" -v b="$ticks1" -v s="$t0" -v e="$t1" -v hz="$ticks_per_second" \
    'BEGIN { printf "%.2f", 100 * (b - a) / hz / (e - s) }'
}
start_simulator "$load_queues"
start_exporter --poll.interval 60s --collector.observations.mode=stream
await_streaming
sleep 10
idle_cpu=$(measure)
idle_rss=$(status_kib "$exp_pid" VmRSS)
stop_all

start_simulator "$load_queues" --notification-rate "$rate"
start_exporter --poll.interval 60s --collector.observations.mode=stream
await_streaming
sleep 10
msgs0=$(curl -s "$exp_url" | metric genesys_notification_messages_total 'kind="queue_observation"')
load_cpu=$(measure)
load_rss=$(status_kib "$exp_pid" VmRSS)
msgs1=$(curl -s "$exp_url" | metric genesys_notification_messages_total 'kind="queue_observation"')
dropped=$(curl -s "$exp_url" | metric genesys_notification_messages_dropped_total "")
stop_all

received_rate=$(awk -v a="$msgs0" -v b="$msgs1" -v s="$load_seconds" 'BEGIN { printf "%.0f", (b - a) / s }')
cat <<EOF
C. $load_queues subscribed queues, $rate message(s) per queue per second (received: $received_rate/s, dropped: $dropped)
   idle (no messages):  $idle_cpu% of a core, RSS $(( idle_rss / 1024 )) MiB
   under load:          $load_cpu% of a core, RSS $(( load_rss / 1024 )) MiB, $(( (load_rss - idle_rss) / 1024 )) MiB above idle   (targets: 10% of a core, 30 MiB above idle)
EOF
fi
