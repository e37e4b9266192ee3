# Shared set-up for `npm test`, `npm start`, `npm run demo` and CI: install what is
# missing, start what is not running, and remember what we started so that only
# that is stopped again (by PID, never by name).
# shellcheck shell=bash

OPSCREW_ROOT=${OPSCREW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NATS_HOST=127.0.0.1
# Whether the user named a NATS server: then `npm start` / `npm run demo` use it as is (its
# users are the user's business); else they run their own with per-agent users (--local-nats).
NATS_URL_FROM_USER=${NATS_URL:-}
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

# Locust for the load port's integration tests (they start their own on a free loopback port)
# and for demo-controller's Locust driver: Debian's python3-locust ships /usr/bin/locust
# (run by /usr/bin/python3). Without it demo-controller falls back to its built-in driver.
ensure_locust() {
  command -v locust >/dev/null 2>&1 && return 0
  if apt_install python3-locust; then return 0; fi
  log "locust is not installed; the Locust integration tests need it (demo-controller uses its built-in driver)."
  log "Install it (Debian/Ubuntu: sudo apt-get install python3-locust) or put a locust binary on PATH."
  return 1
}

# Debian's Chromium: the status page and report-rendering tests drive it headless through
# playwright-core (no browser download: nothing but the npm registry and Debian answer here).
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if apt_install chromium; then return 0; fi
  log "chromium is not installed; the browser tests (status page, report rendering) need it."
  log "Install it (Debian/Ubuntu: sudo apt-get install chromium)."
  return 1
}

# docker-compose validates docker-compose.yml in the deploy test (`config -q`: no images, no
# containers). Debian's docker-compose is 1.29, which reads the same file as compose v2.
ensure_docker_compose() {
  command -v docker-compose >/dev/null 2>&1 && return 0
  if apt_install docker-compose; then return 0; fi
  log "docker-compose is not installed; the deploy test skips its docker-compose config check."
  log "Install it (Debian/Ubuntu: sudo apt-get install docker-compose)."
  return 1
}

# kubectl renders deploy/k8s's kustomizations in the manifests test (`kubectl kustomize`: no
# cluster). Debian's kubernetes-client (1.20, kustomize v2.0.3) reads them as newer kubectls do.
ensure_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  if apt_install kubernetes-client; then return 0; fi
  log "kubectl is not installed; the Kubernetes manifests test (test/k8s-manifests.spec.ts) needs it."
  log "Install it (Debian/Ubuntu: sudo apt-get install kubernetes-client)."
  return 1
}

# The compose suite builds the crew's images; without a container registry, deploy/images/build.sh
# makes its base images from Debian with mmdebstrap (eatmydata makes dpkg skip its fsyncs there).
ensure_image_build_tools() {
  command -v mmdebstrap >/dev/null 2>&1 && command -v eatmydata >/dev/null 2>&1 && return 0
  if apt_install mmdebstrap eatmydata; then return 0; fi
  command -v mmdebstrap >/dev/null 2>&1 && return 0
  log "mmdebstrap is not installed; without a container registry the compose suite cannot build its images."
  log "Install it (Debian/Ubuntu: sudo apt-get install mmdebstrap eatmydata)."
  return 1
}

# A NATS with JetStream on 127.0.0.1:$NATS_PORT: reuse one that listens, else start our own.
# A NATS_URL naming any other server is the user's: used as is, never replaced by one of ours.
ensure_nats() {
  case "$NATS_URL" in
    "nats://$NATS_HOST:$NATS_PORT" | "nats://localhost:$NATS_PORT") ;;
    *)
      log "NATS_URL=$NATS_URL: using that server as is"
      return 0
      ;;
  esac
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

# Docker Engine for the runtime adapter's integration tests (Debian's docker.io: dockerd
# 20.10 + containerd + runc). Only ever started when no engine answers; a dockerd that was
# already running is used as is and never stopped by us.
DOCKER_STATE_DIR="$OPSCREW_ROOT/var/docker"
DOCKERD_PID=
# dockerd is up within a few seconds here; 30 s covers a cold containerd start on a busy machine.
DOCKER_START_TIMEOUT_S=30
# On SIGTERM dockerd stops its containers (10 s each by default) and containerd: give it
# that long before SIGKILL, which would orphan containerd.
DOCKERD_STOP_GRACE_S=30
# Busybox-only image for the Docker tests: no registry is reachable, so it is imported
# from Debian's busybox-static.
BUSYBOX_IMAGE=${OPSCREW_BUSYBOX_IMAGE:-local/busybox:1}

docker_answers() { docker info >/dev/null 2>&1; }

ensure_docker_binary() {
  if command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; then
    return 0
  fi
  if apt_install docker.io; then return 0; fi
  log "Docker is not installed. Install it (Debian/Ubuntu: sudo apt-get install docker.io)."
  return 1
}

# Starts dockerd with extra flags "$@"; waits until `docker info` answers. On failure the
# dockerd we started is stopped again and 1 is returned.
start_dockerd() {
  mkdir -p "$DOCKER_STATE_DIR"
  log "starting dockerd${*:+ $*} (log $DOCKER_STATE_DIR/dockerd.log)"
  dockerd --pidfile "$DOCKER_STATE_DIR/dockerd.pid" "$@" >>"$DOCKER_STATE_DIR/dockerd.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 $((DOCKER_START_TIMEOUT_S * 5))); do
    if docker_answers; then
      DOCKERD_PID=$pid
      STARTED_PIDS+=("$pid")
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  log "dockerd $* did not answer within ${DOCKER_START_TIMEOUT_S}s; see $DOCKER_STATE_DIR/dockerd.log"
  stop_pid "$pid" "$DOCKERD_STOP_GRACE_S"
  return 1
}

# A Docker Engine that answers `docker info`: reuse one, else start our own (root only).
ensure_docker() {
  if command -v docker >/dev/null 2>&1 && docker_answers; then
    log "Docker engine already answers"
    return 0
  fi
  ensure_docker_binary || return 1
  if ! is_root; then
    log "no Docker engine answers and only root can start dockerd here"
    return 1
  fi
  # Sandboxes without iptables (or without the rights to change it) refuse the default
  # bridge set-up; the tests only use --network none, so no bridge is needed at all.
  start_dockerd || start_dockerd --iptables=false --bridge=none
}

# local/busybox:1 from /bin/busybox of busybox-static plus applet symlinks (docker import).
ensure_busybox_image() {
  if docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then return 0; fi
  local busybox
  busybox=$(command -v busybox || true)
  # A dynamically linked busybox (Debian's `busybox`) would not run in an empty rootfs.
  if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
    apt_install busybox-static || {
      log "busybox-static is missing (Debian/Ubuntu: sudo apt-get install busybox-static)"
      return 1
    }
    busybox=$(command -v busybox)
  fi
  local rootfs
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp "$busybox" "$rootfs/bin/busybox"
  local applet
  for applet in sh ash sleep echo cat printf test '[' true false touch rm ls ps kill date \
    env wget nc head tail grep seq id hostname; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  chmod 1777 "$rootfs/tmp"
  log "building $BUSYBOX_IMAGE (docker import of $busybox)"
  if ! tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' - "$BUSYBOX_IMAGE" >/dev/null; then
    rm -rf "$rootfs"
    log "docker import of $BUSYBOX_IMAGE failed"
    return 1
  fi
  rm -rf "$rootfs"
}

# SIGTERM, wait up to $2 seconds, then SIGKILL: one PID that we started.
stop_pid() {
  local pid=$1 grace_s=${2:-5}
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((grace_s * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# Stop only what this script started, by PID.
stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    if [ "$pid" = "$DOCKERD_PID" ]; then
      stop_pid "$pid" "$DOCKERD_STOP_GRACE_S"
    else
      stop_pid "$pid" 5
    fi
  done
  STARTED_PIDS=()
  DOCKERD_PID=
  rm -f "$OPSCREW_ROOT/var/nats/nats-server.pid"
}
