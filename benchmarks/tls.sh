#!/usr/bin/env bash
# Scrapes per second over TLS with basic auth: the release exporter in demo mode against Go's pushgateway
# (Debian prometheus-pushgateway, which serves through exporter-toolkit) configured with the same web-config
# file and serving a page of the same size (the exporter's page, pushed to it). Loopback only, bounded.
# Both get the same certificate, the same bcrypt user (cost 10) and wrk -t2 -c32 with keep-alive, so the
# handshake and bcrypt are paid once per connection/credential and the numbers compare serving, TLS included.
# Usage: benchmarks/tls.sh [queues] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
queues=${1:-190}
seconds=${2:-10}
need_tools wrk prometheus-pushgateway
swift build -c release --product genesys-exporter >&2

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
  -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
password=benchmark
hash=$(python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' "$password")
cat > "$work/web.yml" <<YAML
tls_server_config:
  cert_file: tls.crt
  key_file: tls.key
basic_auth_users:
  prometheus: $hash
YAML
promtool check web-config "$work/web.yml" >&2
auth="Authorization: Basic $(printf 'prometheus:%s' "$password" | base64)"
fetch() { curl -fsS --cacert "$work/tls.crt" -u "prometheus:$password" "$@"; }

exporter_port=$(free_port)
.build/release/genesys-exporter --demo --demo.queues "$queues" --web.listen-address "127.0.0.1:$exporter_port" \
  --web.config.file "$work/web.yml" --log.level warn >/dev/null 2>&1 &
exporter_pid=$!
pids+=("$exporter_pid")
exporter_url="https://127.0.0.1:$exporter_port/metrics"
for _ in $(seq 200); do
  size=$(fetch "$exporter_url" 2>/dev/null | wc -c) || size=0
  [ "$size" -gt 100000 ] && break
  sleep 0.1
done

# The peer serves the exporter's page (its own process_*/go_* families stay its own).
fetch "$exporter_url" | grep -v '^# \(HELP\|TYPE\) process_' | grep -v '^process_' > "$work/page.prom"
gateway_port=$(free_port)
prometheus-pushgateway --web.listen-address "127.0.0.1:$gateway_port" --web.config.file "$work/web.yml" \
  --log.level warn >/dev/null 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
gateway_url="https://127.0.0.1:$gateway_port/metrics"
for _ in $(seq 100); do fetch "https://127.0.0.1:$gateway_port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
fetch --data-binary @"$work/page.prom" "https://127.0.0.1:$gateway_port/metrics/job/genesys" >/dev/null

rps() { wrk -t2 -c32 -d"${seconds}s" -H "$auth" "$@" | awk '/Requests\/sec/ {print $2}'; }
echo "pages: exporter $(fetch "$exporter_url" | wc -c) bytes, pushgateway $(fetch "$gateway_url" | wc -c) bytes" \
  "($(fetch "$exporter_url" | grep -vc '^#') and $(fetch "$gateway_url" | grep -vc '^#') series); TLS 1.3, bcrypt cost 10"
exporter_plain=$(rps "$exporter_url")
gateway_plain=$(rps "$gateway_url")
exporter_gzip=$(rps -H 'Accept-Encoding: gzip' "$exporter_url")
gateway_gzip=$(rps -H 'Accept-Encoding: gzip' "$gateway_url")
printf '%-8s %18s %18s %8s\n' "" "genesys-exporter" "Go pushgateway" "ratio"
printf '%-8s %18s %18s %7.1fx\n' plain "$exporter_plain" "$gateway_plain" "$(python3 -c "print($exporter_plain/$gateway_plain)")"
printf '%-8s %18s %18s %7.1fx\n' gzip "$exporter_gzip" "$gateway_gzip" "$(python3 -c "print($exporter_gzip/$gateway_gzip)")"
echo "RSS after load: exporter $(( $(ps -o rss= -p "$exporter_pid") / 1024 )) MiB, pushgateway $(( $(ps -o rss= -p "$gateway_pid") / 1024 )) MiB"
