# Production image: the compiled broker on Node.js 24 LTS, production dependencies only, non-root.
#
# The base is pinned to a full version tag (an existing official tag, node:24.19.0-bookworm-slim);
# bump it to the newest 24.x patch when you rebuild. For a reproducible build pin its digest too:
#   FROM node:24.19.0-bookworm-slim@sha256:<digest from `docker buildx imagetools inspect`>
ARG NODE_IMAGE=node:24.19.0-bookworm-slim

# --- build: compile TypeScript to dist/ -------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: nothing the build needs has an install script (the only ones in the tree are
# telemetry and the embedded PostgreSQL's library links); --omit=optional leaves out the embedded
# PostgreSQL binaries (~60 MB), which the compiler does not need.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=optional
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
COPY bench ./bench
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies and dist/ only ------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no compiler, test or lint tools. --omit=optional: no embedded-postgres (the image
# always runs with DATABASE_URL; without it the broker exits with a message saying so).
# --ignore-scripts: no install script runs (the only production one is swagger-ui's telemetry).
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
# The checkpoint file sink (docs/audit.md#checkpoints): mount a volume here that the database's
# owner cannot write, or ship its files elsewhere.
RUN mkdir -p /var/lib/sso-broker/checkpoints && chown node:node /var/lib/sso-broker/checkpoints
ENV AUDIT_CHECKPOINT_DIR=/var/lib/sso-broker/checkpoints
# Files stay owned by root and read-only for the broker's user; with DATABASE_URL set the broker
# writes nothing to disk but the checkpoint files.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# --max-semi-space-size: see apps/broker/src/bootstrap/heap.ts (BROKER_NODE_FLAGS) and docs/runtime.md#node-flags.
CMD ["node", "--max-semi-space-size=16", "dist/apps/broker/src/main.js"]
