#!/usr/bin/env bash
# `npm run demo`: the whole loop on this machine. Installs what it needs (npm packages;
# nats-server from Debian when missing and root), builds, then `opscrew demo --local-nats`
# runs its own NATS with per-agent users, the shop, Locust when installed, the four agents and
# the story (NATS_URL set: that server instead, as is).
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$OPSCREW_ROOT"

ensure_node_modules
if [ -n "$NATS_URL_FROM_USER" ]; then
  # A server the user named (an open one: the demo provisions its own namespace there).
  ensure_nats
  trap stop_started EXIT
  log "build"
  npm run --silent build
  node bin/opscrew.js demo "$@"
else
  # The run's own nats-server with per-agent users (credentials in var/nats/credentials.env,
  # generated on first use, kept); `opscrew demo` starts and stops it by PID.
  ensure_nats_binary
  log "build"
  npm run --silent build
  node bin/opscrew.js demo --local-nats "$@"
fi
