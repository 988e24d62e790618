# syntax=docker/dockerfile:1
# The one CryptoViz image: every role, compiled, on Node's current LTS. The role (or a CLI
# command) is the argument:
#   docker run IMAGE fetcher|writer|predictor|controller|gateway|web|migrate
# The same layout as `npm run build:image`, which builds it on a machine without Docker.

FROM node:24-bookworm-slim AS build
WORKDIR /src
# Every workspace's sources: the install's postinstall step (svelte-kit sync) needs the
# dashboard's, and bench/ is a workspace whose manifest `npm ci` checks.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY apps apps
COPY libs libs
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
# esbuild bundles each role with the npm packages it uses, and `vite build` the dashboard:
# /out holds all the image runs, so no node_modules (and nothing to prune) reaches it.
RUN npm run build -- --out /out/dist

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    WEB_BUILD_DIR=/app/dist/web \
    CRYPTOVIZ_DATA_DIR=/app
WORKDIR /app
RUN groupadd --gid 10001 cryptoviz \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin cryptoviz
COPY --from=build /out/dist ./dist
# The replay data the samples name (data/market/…), so a sample replay source runs anywhere.
COPY data/market ./data/market
USER 10001:10001
# Probes and metrics on 9464 (every role); the gateway's API on 8080; the dashboard on 3000.
EXPOSE 9464 8080 3000
# The flags are NODE_FLAGS of libs/workloads/src/image.ts (the image contract).
ENTRYPOINT ["node", "--max-semi-space-size=1", "--initial-heap-size=16", "/app/dist/cryptoviz.js"]
CMD ["--help"]
