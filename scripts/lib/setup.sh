# Shared set-up for `npm test`, `npm start`, `npm run demo` and CI: install what is
# missing, start what is not running, and remember what we started so that only
# that is stopped again (by PID, never by name).
# shellcheck shell=bash

OPSCREW_ROOT=${OPSCREW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NATS_HOST=127.0.0.1
NATS_PORT=${OPSCREW_NATS_PORT:-4222}
# Tests, the CLI and the agents all reach NATS through NATS_URL (config: bus.servers).
export NATS_URL=${NATS_URL:-nats://$NATS_HOST:$NATS_PORT}
STARTED_PIDS=()

log() { printf '[opscrew] %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# apt-get only as root and only for what is missing; `apt-get update` once per run.
APT_UPDATED=0
apt_install() {
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
  cd "$OPSCREW_ROOT"
  local marker=node_modules/.package-lock.json
  if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for_port() {
  local host=$1 port=$2 seconds=$3
  for _ in $(seq 1 $((seconds * 10))); do
    port_open "$host" "$port" && return 0
    sleep 0.1
  done
  return 1
}

ensure_nats_binary() {
  command -v nats-server >/dev/null 2>&1 && return 0
  if apt_install nats-server; then return 0; fi
  log "nats-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install nats-server),"
  log "or point NATS_URL at a NATS server with JetStream enabled (nats-server -js)."
  return 1
}

# Prometheus for the metrics adapter's integration test (which starts its own on a free
# loopback port): Debian's package ships /usr/bin/prometheus. Its postinst may also start a
# system service on :9090; that one is not ours and nothing here uses or stops it.
ensure_prometheus_binary() {
  command -v prometheus >/dev/null 2>&1 && return 0
  if apt_install prometheus; then return 0; fi
  log "prometheus is not installed; the Prometheus integration test needs it."
  log "Install it (Debian/Ubuntu: sudo apt-get install prometheus) or put a prometheus binary on PATH."
  return 1
}

# A NATS with JetStream on 127.0.0.1:$NATS_PORT: reuse one that listens, else start our own.
ensure_nats() {
  if port_open "$NATS_HOST" "$NATS_PORT"; then
    log "NATS already listening on $NATS_HOST:$NATS_PORT"
    return 0
  fi
  ensure_nats_binary
  local store="$OPSCREW_ROOT/var/nats"
  mkdir -p "$store"
  log "starting nats-server -js on $NATS_HOST:$NATS_PORT (store $store)"
  nats-server -a "$NATS_HOST" -p "$NATS_PORT" -js -sd "$store" -l "$OPSCREW_ROOT/var/nats/nats-server.log" &
  local pid=$!
  STARTED_PIDS+=("$pid")
  echo "$pid" >"$OPSCREW_ROOT/var/nats/nats-server.pid"
  if ! wait_for_port "$NATS_HOST" "$NATS_PORT" 10; then
    log "nats-server did not start; see $OPSCREW_ROOT/var/nats/nats-server.log"
    return 1
  fi
}

# Stop only what this script started, by PID.
stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  STARTED_PIDS=()
  rm -f "$OPSCREW_ROOT/var/nats/nats-server.pid"
}
