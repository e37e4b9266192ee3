#!/usr/bin/env bash
# `npm test`: the README's test command. Sets up what it needs (npm packages, a NATS
# server with JetStream), builds, then runs unit, integration and end-to-end tests.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$OPSCREW_ROOT"

ensure_node_modules
ensure_nats
# Not fatal here: unit tests still run; the Prometheus integration test fails with the reason.
ensure_prometheus_binary || log "continuing without prometheus: its integration test will fail"
trap stop_started EXIT
# Docker Engine and the busybox test image for the runtime adapter's integration tests. Not
# fatal here either: everything else runs; the Docker integration tests fail with the reason.
if ! { ensure_docker && ensure_busybox_image; }; then
  log "continuing without Docker: the Docker runtime integration tests will fail"
fi
# Not fatal either: the Locust integration tests fail with the reason; the rest runs.
ensure_locust || log "continuing without locust: the Locust integration tests will fail"
ensure_docker_compose || true
# Not fatal: without it the Kubernetes manifests test fails with the reason.
ensure_kubectl || true
# Not fatal: without them the compose suite fails with the reason (or skips without Docker).
ensure_image_build_tools || true

log "build"
npm run --silent build
log "unit tests"
npx jest --ci --selectProjects unit
log "integration tests (real NATS JetStream, Docker Engine)"
npx jest --ci --selectProjects integration --runInBand
log "end-to-end tests (the built apps as processes)"
npx jest --ci --selectProjects e2e --runInBand
