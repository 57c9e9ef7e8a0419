# syntax=docker/dockerfile:1
# loyalty-streams image: one image for every role (processors, sink, dashboard, CLI jobs); the
# command picks the role, e.g. `run member`, `sink clickhouse`, `dashboard`.
# TypeScript runs through tsx (a runtime dependency), so there is no build stage to keep in sync.

# --- deps: production dependencies only, from the lockfile -------------------------------------
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime --------------------------------------------------------------------------------------
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    # Writable state (stack.json, embedded chDB folder); mount a volume here.
    LOYALTY_HOME=/var/lib/loyalty \
    # tsx keeps its transpile cache under TMPDIR: with a read-only root file system /tmp is the only
    # writable path besides LOYALTY_HOME (an emptyDir in Kubernetes, a tmpfs in compose).
    TMPDIR=/tmp \
    # Servers bind all interfaces inside the container (the default, 127.0.0.1, is for laptops).
    LOYALTY_HTTP_HOST=0.0.0.0 \
    # What the HEALTHCHECK below polls; roles serving elsewhere (the dashboard) override it.
    LOYALTY_HEALTHCHECK_URL=http://127.0.0.1:9464/healthz
WORKDIR /app
RUN groupadd --system --gid 10001 loyalty \
 && useradd --system --uid 10001 --gid loyalty --home-dir /var/lib/loyalty --no-create-home --shell /usr/sbin/nologin loyalty \
 && mkdir -p /var/lib/loyalty && chown loyalty:loyalty /var/lib/loyalty
# Code and dependencies stay owned by root and read-only for the service user.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY engine ./engine
COPY processors ./processors
COPY sinks ./sinks
COPY avro ./avro
COPY topics ./topics
COPY programs ./programs
COPY dashboard ./dashboard
COPY stack ./stack
USER 10001:10001
VOLUME ["/var/lib/loyalty"]
EXPOSE 9464
# Liveness only: /healthz stays green during a rebalance; readiness (/readyz) is for orchestrators.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.LOYALTY_HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/loyalty.js"]
CMD ["--help"]
