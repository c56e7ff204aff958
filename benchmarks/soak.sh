#!/usr/bin/env bash
# Soak (not in CI): the release exporter against the simulator with 2 s tokens and 1 s polls for
# N token lifetimes (default 1,000, about 33 minutes). Prints RSS and open fds once a minute and, at the
# end, whether any API call carried an expired token (a 401, or a renewal for "expired"/"unauthorized").
# Loopback only; stops by itself.
# Usage: benchmarks/soak.sh [lifetimes] [ttl_seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
lifetimes=${1:-1000}
ttl=${2:-2}
seconds=$(( lifetimes * ttl ))
swift build -c release --product genesys-exporter >&2
swift build -c release --product genesys-simulator >&2
sim_port=$(free_port)
port=$(free_port)
.build/release/genesys-simulator --port "$sim_port" --token-ttl "$ttl" --queues 50 >/dev/null 2>&1 &
sim=$!
GENESYS_API_HOST="http://127.0.0.1:$sim_port" GENESYS_CLIENT_ID=sim-client-id GENESYS_CLIENT_SECRET=sim-client-secret \
  .build/release/genesys-exporter --poll.interval 1s --web.listen-address "127.0.0.1:$port" --log.level warn >/tmp/soak-exporter.log 2>&1 &
pid=$!
trap 'kill $pid $sim 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port/metrics"
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
metric() { curl -s "$url" | awk -v name="$1" -v filter="${2:-}" 'index($0, name) == 1 && index($0, filter) { sum += $NF } END { print sum + 0 }'; }
sample() {
  local rss_anon rss_file fds
  rss_anon=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status")
  rss_file=$(awk '/RssFile/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  printf '%6ss  rss_anon=%6s KiB  rss_file=%6s KiB  fds=%3s  api_calls=%s  token_requests=%s\n' "$1" "$rss_anon" "$rss_file" "$fds" \
    "$(metric genesys_api_requests_total)" "$(metric genesys_token_refreshes_total)"
}
echo "soak: $lifetimes lifetimes of ${ttl} s (${seconds} s), 1 s polls, simulator with 50 queues"
start=$(date +%s)
while :; do
  elapsed=$(( $(date +%s) - start ))
  sample "$elapsed"
  [ "$elapsed" -ge "$seconds" ] && break
  sleep $(( seconds - elapsed < 60 ? seconds - elapsed + 1 : 60 ))
done
echo "API calls answered 401:                 $(metric genesys_api_requests_total 'code="401"')"
echo "renewals because a token had expired:    $(metric genesys_token_refreshes_total 'reason="expired"')"
echo "renewals after a 401 (unauthorized):     $(metric genesys_token_refreshes_total 'reason="unauthorized"')"
echo "token request failures:                  $(metric genesys_token_refresh_failures_total)"
echo "API call failures (any reason):          $(metric genesys_api_failures_total)"
