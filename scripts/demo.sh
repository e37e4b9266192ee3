#!/usr/bin/env bash
# `npm run demo`: the whole loop on this machine. Installs what it needs (npm packages;
# nats-server from Debian when missing and root), starts NATS when none listens, builds,
# then `opscrew demo` runs the shop, Locust when installed, the four agents and the story.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$OPSCREW_ROOT"

ensure_node_modules
ensure_nats
trap stop_started EXIT
log "build"
npm run --silent build
node bin/opscrew.js demo "$@"
