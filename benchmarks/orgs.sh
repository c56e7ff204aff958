#!/usr/bin/env bash
# Multi-org cost (issue 13): ONE release exporter with --config.file for ORGS simulated orgs (default 200 orgs x 50
# queues, moving observations, all in one genesys-simulator process), polling every 60 s. After a warm-up (until
# /-/ready answers 200), over a window without scrapes (default 180 s): the exporter's CPU share of one core
# (utime+stime from /proc/<pid>/stat / wall time) and its RSS at the end (VmRSS, RssAnon, RssFile); then a full
# scrape's time and size, plain and gzip (median of 5), the same for /metrics?org=org-1, and token requests per org
# (the exporter's genesys_token_refreshes_total). Beside it, for comparison: 10 single-org exporters (one per
# simulated org, environment credentials), their summed RSS and CPU scaled to ORGS. Prints a table with the targets.
# Loopback only, bounded; every process it starts is stopped on exit.
# Usage: benchmarks/orgs.sh
#   env ORGS (1...1000, default 200), QUEUES (0...10000, default 50), BENCH_SECONDS (window, default 180),
#   SINGLES (single-org exporters, default 10, at most ORGS), SINGLE_SECONDS (their window, default min(60, window)),
#   TOKEN_TTL (simulator token lifetime in s, default 86399), READY_TIMEOUT (s, default 600),
#   BIN_DIR (use genesys-exporter and genesys-simulator from there instead of building release).
#   COLLECTORS (e.g. "identity, queues": every org polls only those; default the collectors on by default).
#   EXPORTER_FLAGS: more flags for the multi-org exporter (e.g. "--collector.observations.mode=poll"; stream is the default).
#   EDGES, TRUNKS, PHONES (telephony per org, 0...100000; default 5, 20 and 500).
#   Quick run: ORGS=5 QUEUES=10 BENCH_SECONDS=20 benchmarks/orgs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh

orgs=${ORGS:-200}
queues=${QUEUES:-50}
seconds=${BENCH_SECONDS:-180}
singles=${SINGLES:-10}
token_ttl=${TOKEN_TTL:-86399}
ready_timeout=${READY_TIMEOUT:-600}
number() {
  if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
    echo "orgs.sh: $1 must be $3...$4 (got '$2')" >&2
    exit 2
  fi
}
number ORGS "$orgs" 1 1000
number QUEUES "$queues" 0 10000
number BENCH_SECONDS "$seconds" 1 86400
number SINGLES "$singles" 0 1000
number TOKEN_TTL "$token_ttl" 1 1000000
number READY_TIMEOUT "$ready_timeout" 1 86400
edges=${EDGES:-5}
trunks=${TRUNKS:-20}
phones=${PHONES:-500}
number EDGES "$edges" 0 100000
number TRUNKS "$trunks" 0 100000
number PHONES "$phones" 0 100000
[ "$singles" -le "$orgs" ] || singles=$orgs
single_seconds=${SINGLE_SECONDS:-$(( seconds < 60 ? seconds : 60 ))}
number SINGLE_SECONDS "$single_seconds" 1 86400

need_tools curl
release_binaries

work=$(mktemp -d)
pids=()
# Stops every process this script started (TERM, then KILL after 5 s) and removes the scratch directory.
cleanup() {
  local pid
  [ -n "${sleeper:-}" ] && kill "$sleeper" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
# Stops one process now and forgets it (so the cleanup does not signal a reused pid).
stop() {
  local pid=$1 kept=() other
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for other in "${pids[@]}"; do [ "$other" = "$pid" ] || kept+=("$other"); done
  pids=("${kept[@]}")
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints the last lines of a log and exits.
fail() {
  echo "orgs.sh: $1" >&2
  if [ -n "${2:-}" ]; then tail -n 20 "$2" >&2; fi
  exit 1
}
# Waits (up to $3 s) until URL $2 answers 200 while process $1 lives; returns 1 when it died or the time ran out.
await_ready() {
  local deadline=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$2" 2>/dev/null)" = 200 ] && return 0
    sleep 0.5
  done
  return 1
}
now() { date +%s.%N; }
# Sleeps in the background, so a signal's trap (and the cleanup) runs at once.
pause() { sleep "$1" & sleeper=$!; wait "$sleeper"; sleeper=; }
# Sum of every sample of a metric family (all label sets) on a page read from stdin.
metric_sum() { awk -v name="$1" 'index($0, name "{") == 1 || index($0, name " ") == 1 { sum += $NF } END { printf "%.0f\n", sum }'; }
# Median time (ms) and the size of N=5 fetches of a URL: "ms bytes".
fetch_median() {
  local url=$1; shift
  for _ in 1 2 3 4 5; do curl -fsS -o /dev/null -w '%{time_total} %{size_download}\n' "$@" "$url"; done |
    sort -g | awk '{ t[NR] = $1; s[NR] = $2 } END { printf "%.1f %d\n", t[3] * 1000, s[3] }'
}
mib() { awk -v kib="$1" 'BEGIN { printf "%.1f", kib / 1024 }'; }
human_bytes() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.2f MB", b / 1048576; else printf "%.1f kB", b / 1024 }'; }

# --- simulator: ORGS orgs in one process, and the exporter config it writes -------------------------------------
"$simulator_bin" --orgs "$orgs" --queues "$queues" --edges "$edges" --trunks "$trunks" --phones "$phones" --moving \
  --token-ttl "$token_ttl" \
  --orgs-file "$work/orgs.yml" >"$work/simulator.log" 2>&1 &
simulator_pid=$!
pids+=("$simulator_pid")
for _ in $(seq 600); do
  grep -q '^genesys-simulator: ready$' "$work/simulator.log" && break
  kill -0 "$simulator_pid" 2>/dev/null || fail "the simulator exited" "$work/simulator.log"
  sleep 0.1
done
grep -q '^genesys-simulator: ready$' "$work/simulator.log" || fail "the simulator did not get ready in 60 s" "$work/simulator.log"
started_orgs=$(grep -c '^org ' "$work/simulator.log")
[ "$started_orgs" -eq "$orgs" ] || fail "the simulator listed $started_orgs orgs, not $orgs" "$work/simulator.log"
[ "$(grep -c '^  - name: ' "$work/orgs.yml")" -eq "$orgs" ] || fail "$work/orgs.yml does not list $orgs orgs"
# COLLECTORS (e.g. "identity, queues") limits every org to those collectors; default: the collectors on by default.
if [ -n "${COLLECTORS:-}" ]; then
  { printf 'defaults:\n  collectors: [%s]\n' "$COLLECTORS"; cat "$work/orgs.yml"; } >"$work/orgs.yml.new"
  mv "$work/orgs.yml.new" "$work/orgs.yml"
fi
echo "simulator: $orgs orgs x $queues queues (moving), $edges edges, $trunks trunks, $phones phones, token TTL $token_ttl s, pid $simulator_pid; config $work/orgs.yml" >&2
echo "collectors: ${COLLECTORS:-the defaults (identity, queues, observations, queue_performance, flows, data_actions, telephony, api_usage)}" >&2

# --- one multi-org exporter ------------------------------------------------------------------------------------
port=$(free_port)
base="http://127.0.0.1:$port"
# EXPORTER_FLAGS (word-split) go to it as well, e.g. "--collector.observations.mode=poll".
# shellcheck disable=SC2086
"$exporter_bin" --config.file "$work/orgs.yml" --poll.interval 60s --web.listen-address "127.0.0.1:$port" \
  --log.level warn ${EXPORTER_FLAGS:-} >"$work/exporter.log" 2>&1 &
exporter_pid=$!
pids+=("$exporter_pid")
warmup_start=$(now)
await_ready "$exporter_pid" "$base/-/ready" "$ready_timeout" ||
  fail "the multi-org exporter did not get ready (/-/ready 200) within $ready_timeout s or exited" "$work/exporter.log"
warmup=$(awk -v a="$warmup_start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
echo "exporter ready after $warmup s (pid $exporter_pid); measuring for $seconds s without scrapes" >&2

curl -fsS -o "$work/before.prom" "$base/metrics"
tokens_before=$(metric_sum genesys_token_refreshes_total <"$work/before.prom")
api_before=$(metric_sum genesys_api_requests_total <"$work/before.prom")
ticks_before=$(cpu_ticks "$exporter_pid"); wall_before=$(now)
pause "$seconds"
kill -0 "$exporter_pid" 2>/dev/null || fail "the multi-org exporter exited during the window" "$work/exporter.log"
ticks_after=$(cpu_ticks "$exporter_pid"); wall_after=$(now)
vm_rss=$(status_kib "$exporter_pid" VmRSS)
rss_anon=$(status_kib "$exporter_pid" RssAnon)
rss_file=$(status_kib "$exporter_pid" RssFile)
threads=$(status_kib "$exporter_pid" Threads)
curl -fsS -o "$work/after.prom" "$base/metrics"
tokens_after=$(metric_sum genesys_token_refreshes_total <"$work/after.prom")
api_after=$(metric_sum genesys_api_requests_total <"$work/after.prom")
series=$(grep -vc '^#' "$work/after.prom")
org_labels=$( (grep -o 'org="[^"]*"' "$work/after.prom" || true) | sort -u | wc -l)
window=$(awk -v a="$wall_before" -v b="$wall_after" 'BEGIN { print b - a }')
cpu_share=$(awk -v t="$(( ticks_after - ticks_before ))" -v hz="$ticks_per_second" -v w="$window" \
  'BEGIN { printf "%.2f", 100 * t / hz / w }')
read -r full_plain_ms full_plain_bytes < <(fetch_median "$base/metrics")
read -r full_gzip_ms full_gzip_bytes < <(fetch_median "$base/metrics" -H 'Accept-Encoding: gzip')
read -r one_plain_ms one_plain_bytes < <(fetch_median "$base/metrics?org=org-1")
read -r one_gzip_ms one_gzip_bytes < <(fetch_median "$base/metrics?org=org-1" -H 'Accept-Encoding: gzip')
# What Prometheus asks for: OpenMetrics by default, protobuf with native histograms (each org's parts compressed once
# per change and per format, as for text); and one zlib level-6 stream of the plain page, the size to compare with.
read -r om_gzip_ms om_gzip_bytes < <(fetch_median "$base/metrics" -H 'Accept-Encoding: gzip' \
  -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')
read -r pb_gzip_ms pb_gzip_bytes < <(fetch_median "$base/metrics" -H 'Accept-Encoding: gzip' \
  -H 'Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited')
zlib6_bytes=$(curl -fsS "$base/metrics" | gzip -6 | wc -c)
vm_hwm=$(status_kib "$exporter_pid" VmHWM)
rss_after_scrapes=$(status_kib "$exporter_pid" VmRSS)
tokens_per_hour=$(awk -v d="$(( tokens_after - tokens_before ))" -v n="$orgs" -v w="$window" \
  'BEGIN { printf "%.2f", d / n / w * 3600 }')
tokens_at_start=$(awk -v t="$tokens_before" -v n="$orgs" 'BEGIN { printf "%.2f", t / n }')
tokens_expected=$(awk -v ttl="$token_ttl" 'BEGIN { printf "%.2f", 3600 / ttl }')
api_per_second=$(awk -v d="$(( api_after - api_before ))" -v w="$window" 'BEGIN { printf "%.1f", d / w }')
stop "$exporter_pid"

# --- SINGLES single-org exporters beside it (one org each), scaled to ORGS -------------------------------------
single_rss_sum=0
single_ticks=0
if [ "$singles" -gt 0 ]; then
  single_pids=()
  single_urls=()
  while read -r _ index org_base client_id client_secret; do
    single_port=$(free_port)
    GENESYS_API_HOST="$org_base" GENESYS_LOGIN_HOST="$org_base" GENESYS_CLIENT_ID="$client_id" \
      GENESYS_CLIENT_SECRET="$client_secret" "$exporter_bin" --poll.interval 60s \
      --web.listen-address "127.0.0.1:$single_port" --log.level warn >"$work/single-$index.log" 2>&1 &
    single_pids+=("$!")
    pids+=("$!")
    single_urls+=("http://127.0.0.1:$single_port")
  done < <(grep '^org ' "$work/simulator.log" | head -n "$singles")
  for i in "${!single_pids[@]}"; do
    await_ready "${single_pids[$i]}" "${single_urls[$i]}/-/ready" "$ready_timeout" ||
      fail "single-org exporter $((i + 1)) did not get ready" "$work/single-$((i + 1)).log"
  done
  echo "$singles single-org exporters ready; measuring for $single_seconds s" >&2
  single_before=()
  for pid in "${single_pids[@]}"; do single_before+=("$(cpu_ticks "$pid")"); done
  single_wall_before=$(now)
  pause "$single_seconds"
  single_wall=$(awk -v a="$single_wall_before" -v b="$(now)" 'BEGIN { print b - a }')
  for i in "${!single_pids[@]}"; do
    pid=${single_pids[$i]}
    kill -0 "$pid" 2>/dev/null || fail "single-org exporter $((i + 1)) exited" "$work/single-$((i + 1)).log"
    single_ticks=$(( single_ticks + $(cpu_ticks "$pid") - ${single_before[$i]} ))
    single_rss_sum=$(( single_rss_sum + $(status_kib "$pid" VmRSS) ))
  done
  for pid in "${single_pids[@]}"; do stop "$pid"; done
  single_rss_scaled=$(awk -v s="$single_rss_sum" -v k="$singles" -v n="$orgs" 'BEGIN { printf "%.0f", s / k * n }')
  single_cpu_scaled=$(awk -v t="$single_ticks" -v hz="$ticks_per_second" -v w="$single_wall" -v k="$singles" -v n="$orgs" \
    'BEGIN { printf "%.2f", 100 * t / hz / w / k * n }')
fi

# --- the table ---------------------------------------------------------------------------------------------------
verdict() { awk -v m="$1" -v t="$2" 'BEGIN { print (m <= t ? "ok" : "OVER") }'; }
row() { printf '%-46s %-12s %-30s %s\n' "$@"; }
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "one exporter, $orgs orgs x $queues queues (moving), --poll.interval 60s, warm-up $warmup s, window $seconds s" \
  "without scrapes; page: $series series, $org_labels org label values, $threads threads, $api_per_second API calls/s"
row "measure" "target" "measured" ""
row "CPU, share of one core (window)" "<= 10%" "$cpu_share%" "$(verdict "$cpu_share" 10)"
row "RSS (VmRSS) at end of window" "<= 150 MiB" "$(mib "$vm_rss") MiB" "$(verdict "$(mib "$vm_rss")" 150)"
row "  RssAnon / RssFile" "" "$(mib "$rss_anon") / $(mib "$rss_file") MiB" ""
row "  VmRSS after the scrapes / VmHWM" "" "$(mib "$rss_after_scrapes") / $(mib "$vm_hwm") MiB" ""
row "full scrape, gzip (median of 5)" "<= 100 ms" "$full_gzip_ms ms, $(human_bytes "$full_gzip_bytes")" \
  "$(verdict "$full_gzip_ms" 100)"
row "full scrape, plain (median of 5)" "" "$full_plain_ms ms, $(human_bytes "$full_plain_bytes")" ""
row "  the plain page as one zlib-6 stream" "" "$(human_bytes "$zlib6_bytes")" \
  "gzip answer $(awk -v a="$full_gzip_bytes" -v b="$zlib6_bytes" 'BEGIN { printf "%.2fx", a / b }') of it"
row "full scrape, OpenMetrics gzip" "" "$om_gzip_ms ms, $(human_bytes "$om_gzip_bytes")" ""
row "full scrape, protobuf gzip (native histograms)" "" "$pb_gzip_ms ms, $(human_bytes "$pb_gzip_bytes")" ""
row "/metrics?org=org-1, gzip" "" "$one_gzip_ms ms, $(human_bytes "$one_gzip_bytes")" ""
row "/metrics?org=org-1, plain" "" "$one_plain_ms ms, $(human_bytes "$one_plain_bytes")" ""
row "token requests per org per hour (window)" "~3600/TTL" "$tokens_per_hour (TTL $token_ttl s: ~$tokens_expected)" ""
row "token requests per org before the window" "" "$tokens_at_start" ""
if [ "$singles" -gt 0 ]; then
  row "$singles single-org exporters: VmRSS sum" "" "$(mib "$single_rss_sum") MiB" ""
  row "  scaled x$(awk -v k="$singles" -v n="$orgs" 'BEGIN { printf "%.3g", n / k }') to $orgs orgs" "" \
    "$(mib "$single_rss_scaled") MiB, CPU $single_cpu_scaled% of a core" ""
fi
