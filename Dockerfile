# One image for the whole crew and the demo shop; the command picks what runs:
#   docker run opscrew:local start atlas | start ops-monitor | start jira-resolver | start demo-controller
#   docker run --entrypoint node opscrew:local dist/apps/demo-shop/src/service.main.js   (one shop service)
#
# NODE_IMAGE is the base: the official node:20-bookworm-slim by default; deploy/images/build.sh
# passes a stand-in built from Debian and the npm registry where no container registry answers.
# No BuildKit-only syntax: the legacy builder, BuildKit, docker-compose 1.29 and compose v2 all
# build it.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Extra CA certificates for a TLS-intercepting proxy (deploy/images/extra-ca/README.md): this
# stage only. The runtime stage below starts again from NODE_IMAGE and copies build outputs only.
COPY deploy/images/extra-ca/ /tmp/extra-ca/
COPY deploy/images/npm-ci.sh /usr/local/bin/opscrew-npm-ci
COPY package.json package-lock.json ./
# Fails the build at once when npm did not install (npm can exit 0 after a failed install).
RUN opscrew-npm-ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && test -f dist/apps/cli/src/main.js \
  && test ! -e node_modules/typescript

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    OPSCREW_CONFIG=/app/config
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
COPY config config
# demo-controller's flag-file template and flagd's schemas (read at run time).
COPY deploy/flagd deploy/flagd
# The compose stack's configuration: the shipped config as ./shipped/ beside one entry file per
# agent (an include must stay inside its config root); docker-compose.yml points each agent's
# OPSCREW_CONFIG at its own entry, /app/compose/<agent>.json5.
COPY config compose/shipped
COPY deploy/compose/config/ compose/
# A healthcheck that spawns no Node.js process (it stays fast on a loaded host).
COPY deploy/images/healthcheck.sh /usr/local/bin/opscrew-healthcheck
RUN mkdir -p /app/var && chown node:node /app/var
USER node
ENTRYPOINT ["node", "bin/opscrew.js"]
CMD ["start", "atlas"]
