#!/usr/bin/env bash
# `npm start`: the crew on this machine. Installs what it needs, builds, and runs the four
# agents under one supervisor until Ctrl-C, on its own NATS with per-agent users (or on the
# server NATS_URL names, when set).
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$OPSCREW_ROOT"

ensure_node_modules
if [ -n "$NATS_URL_FROM_USER" ]; then
  # A server the user named: used as is (`opscrew start all` provisions it first, as admin
  # when NATS_PASSWORD_ADMIN is set).
  ensure_nats
  trap stop_started EXIT
  npm run --silent build
  node bin/opscrew.js config check
  node bin/opscrew.js start all "$@"
else
  # No open bus: our own nats-server with per-agent users on 127.0.0.1:${OPSCREW_LOCAL_NATS_PORT:-4322}
  # (credentials generated on first start into var/nats/credentials.env, mode 0600, kept), the
  # topology provisioned as admin, each agent with only its own password. `opscrew start all`
  # starts and stops that server itself (by PID).
  ensure_nats_binary
  npm run --silent build
  node bin/opscrew.js config check
  node bin/opscrew.js start all --local-nats "$@"
fi
