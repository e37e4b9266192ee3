#!/usr/bin/env bash
# `npm start`: the crew on this machine. Installs what it needs, starts NATS when none is
# reachable, builds, and runs the four agents under one supervisor until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$OPSCREW_ROOT"

ensure_node_modules
ensure_nats
trap stop_started EXIT
npm run --silent build
node bin/opscrew.js config check
node bin/opscrew.js start all "$@"
