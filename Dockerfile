# cadrestat: multi-stage build. Stage 1 fetches the front-end assets and the embedded engine
# library from the npm registry (pinned, integrity-checked), stage 2 builds the Go binary
# with the assets embedded, stage 3 is a small runtime image that can serve with either engine.
FROM node:20.19.5-bookworm-slim AS assets
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends openssl ca-certificates && rm -rf /var/lib/apt/lists/*
COPY web/package.json web/package-lock.json web/.npmrc web/
COPY web/explorer/ web/explorer/
COPY server/explorer/README.txt server/explorer/
COPY scripts/ scripts/
COPY server/graphiql/assets/README.txt server/graphiql/assets/
RUN scripts/build-assets.sh && CADRESTAT_CACHE=/src/.cache scripts/fetch-engine.sh

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/server/graphiql/assets/ server/graphiql/assets/
COPY --from=assets /src/server/explorer/dist/ server/explorer/dist/
RUN CGO_ENABLED=0 go build -trimpath -o /out/cadrestat ./cmd/cadrestat

FROM debian:bookworm-20251117-slim
RUN useradd --system --uid 10001 cadrestat && mkdir -p /var/lib/cadrestat && chown cadrestat /var/lib/cadrestat
COPY --from=build /out/cadrestat /usr/local/bin/cadrestat
# CA certificates (the build image's Debian bundle, where Go looks for them): without them TLS
# to a ClickHouse server (-clickhouse-tls) or an https OTLP endpoint fails verification.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=assets /src/.cache/chdb/libchdb.so /usr/local/lib/libchdb.so
COPY data/ /usr/share/cadrestat/data/
ENV GODEBUG=adaptivestackstart=1 CHDB_LIB_PATH=/usr/local/lib/libchdb.so CADRESTAT_DATA=/var/lib/cadrestat CADRESTAT_ADDR=:8080
USER cadrestat
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["cadrestat", "health", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["cadrestat"]
CMD ["serve"]
