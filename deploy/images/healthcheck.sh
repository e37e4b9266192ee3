#!/bin/bash
# opscrew-healthcheck [PORT] [PATH]: exit 0 when GET http://127.0.0.1:PORT/PATH answers 200.
# PORT defaults to $PORT (the demo shop's containers), PATH to /health.
#
# Pure bash (/dev/tcp): nothing is spawned. `node -e "fetch(…)"` took 7 s to start on a loaded
# host, longer than Docker's healthcheck timeout, while /health itself answers in milliseconds.
set -u
port=${1:-${PORT:-}}
path=${2:-/health}
if [[ ! $port =~ ^[0-9]+$ ]]; then
  echo "opscrew-healthcheck: no port (give one, or set PORT)" >&2
  exit 2
fi
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
# The status line is enough; 5 s covers a busy event loop without outliving Docker's timeout.
IFS=' ' read -r -t 5 _version status _reason <&3 || exit 1
[ "$status" = 200 ]
