# One image for the whole crew; the command picks the app:
#   docker run opscrew:local start atlas | start ops-monitor | start jira-resolver | start demo-controller
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
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
RUN mkdir -p /app/var && chown node:node /app/var
USER node
ENTRYPOINT ["node", "bin/opscrew.js"]
CMD ["start", "atlas"]
