# One image for every hum service; docker-compose.yml picks the service by its command
# (`dist/apps/<service>/src/main.js`). Without Docker, `npm run quickstart` runs the same build.
FROM node:20-bookworm-slim AS build
WORKDIR /hum
COPY package.json package-lock.json ./
COPY patches ./patches
# Dependencies' install scripts stay off; hum's own patches (docs/performance.md) are applied.
RUN npm ci --no-audit --no-fund --ignore-scripts && npx patch-package --error-on-fail
COPY . .
RUN node tools/scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /hum
COPY --from=build --chown=root:root /hum/package.json ./
COPY --from=build --chown=root:root /hum/node_modules ./node_modules
COPY --from=build --chown=root:root /hum/dist ./dist
# The code is root-owned and read-only to the service user; only its data dir is writable.
RUN mkdir -p /var/lib/hum && chown node:node /var/lib/hum
USER node
ENV HUM_DATA_DIR=/var/lib/hum
ENTRYPOINT ["node"]
