# Shared by the benchmark scripts (sourced, not run).

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Installs each Debian package whose command is missing (the package and the command share the name).
need_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "installing $tool" >&2; apt-get install -y -qq "$tool" >/dev/null; }
  done
}
