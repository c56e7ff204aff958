# Shared by the benchmark scripts (sourced, not run).

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Installs each Debian package whose command is missing (the package and the command share the name).
need_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "installing $tool" >&2; apt-get install -y -qq "$tool" >/dev/null; }
  done
}

# Sets exporter_bin and simulator_bin: release builds, or the binaries in $BIN_DIR when it is set (no build; a debug
# build there tries a script out, but its numbers mean little).
release_binaries() {
  if [ -n "${BIN_DIR:-}" ]; then
    echo "using the binaries in $BIN_DIR (no build)" >&2
  else
    swift build -c release --product genesys-exporter >&2
    swift build -c release --product genesys-simulator >&2
  fi
  exporter_bin=${BIN_DIR:-.build/release}/genesys-exporter
  simulator_bin=${BIN_DIR:-.build/release}/genesys-simulator
}

# CPU time (user + system) of process $1 in clock ticks, and the ticks in a second.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)
# A kB field of /proc/$1/status ($2: VmRSS, RssAnon, VmHWM, ...).
status_kib() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
