#!/bin/sh
# `npm ci` that fails when it did not install. npm can print "Exit handler never called!" and
# exit 0 after a network error (a TLS-intercepting proxy without its CA, for one): the image
# build would then go on and fail much later at "tsc: not found". So the tree is checked too.
#
# An extra CA bundle (deploy/images/extra-ca/*.pem or *.crt, copied to /tmp/extra-ca by the
# Dockerfile's build stage) is handed to npm through NODE_EXTRA_CA_CERTS; it is never written
# into the runtime image.
set -eu
extra=$(find /tmp/extra-ca -maxdepth 1 -type f \( -name '*.pem' -o -name '*.crt' \) 2>/dev/null | sort)
if [ -n "$extra" ]; then
  # shellcheck disable=SC2086 # one path per line, no spaces (names are ours or build.sh's)
  cat $extra >/tmp/extra-ca.bundle
  NODE_EXTRA_CA_CERTS=/tmp/extra-ca.bundle
  export NODE_EXTRA_CA_CERTS
  echo "npm-ci.sh: extra CA certificates from $(echo "$extra" | tr '\n' ' ')"
fi
log=/tmp/npm-ci.log
status=0
npm ci --no-audit --no-fund --loglevel=warn "$@" >"$log" 2>&1 || status=$?
cat "$log"
if [ "$status" -ne 0 ]; then
  echo "npm-ci.sh: npm ci failed with exit code $status" >&2
  exit "$status"
fi
if grep -q 'Exit handler never called' "$log"; then
  echo "npm-ci.sh: npm ci stopped half-way (\"Exit handler never called!\") yet exited 0; behind a TLS-intercepting proxy, pass its CA bundle (build.sh --ca-bundle FILE)" >&2
  exit 1
fi
# Every package of the lock file must be installed: `npm ls` exits non-zero on a missing one.
if ! npm ls --all "$@" >/dev/null 2>/tmp/npm-ls.err; then
  head -20 /tmp/npm-ls.err >&2
  echo "npm-ci.sh: node_modules does not match package-lock.json after npm ci" >&2
  exit 1
fi
rm -f /tmp/extra-ca.bundle "$log"
