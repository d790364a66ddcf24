# dvm-exporter: the exporter, its traffic simulator and the stack's small Nostr relay in one image.
#
#   docker build -t dvm-exporter .
#   docker run --rm -p 9890:9890 dvm-exporter run --listen 0.0.0.0:9890

FROM node:20-slim AS build
WORKDIR /app
# Native modules (chdb, better-sqlite3) fetch or build their binaries at install time.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY exporter ./exporter
COPY bench ./bench
# The benchmarks (compiled with the exporter) start the test relay.
COPY tests/support ./tests/support
# `npm ci` runs the package's `prepare` script, which compiles exporter/ into dist/. Development
# dependencies stay: the stack's relay (provisioning/demo/relay.mjs) runs on @nostr-relay.
RUN npm ci --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production \
    DVM_EXPORTER_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY provisioning/demo ./provisioning/demo
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9890
ENTRYPOINT ["node", "dist/exporter/cli/main.js"]
CMD ["run", "--listen", "0.0.0.0:9890"]
