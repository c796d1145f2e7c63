# Production image: compiled broker, production dependencies only, non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The checkpoint file sink (docs/audit.md#checkpoints): mount a volume here that the database's
# owner cannot write, or ship its files elsewhere.
RUN mkdir -p /var/lib/sso-broker/checkpoints && chown node:node /var/lib/sso-broker/checkpoints
ENV AUDIT_CHECKPOINT_DIR=/var/lib/sso-broker/checkpoints
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/broker/src/main.js"]
