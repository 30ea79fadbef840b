# syntax=docker/dockerfile:1
# Multi-stage build: a static auditbridge binary in a distroless, non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/auditbridge ./cmd/auditbridge \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/auditbridge /usr/local/bin/auditbridge
COPY --from=build --chown=65532:65532 /out/data /var/lib/auditbridge
USER 65532:65532
# The admin server stays on 127.0.0.1:9880 (its default): open it with
# AUDITBRIDGE_ADMIN_ADDR=0.0.0.0:9880 where /metrics must be scraped.
ENV AUDITBRIDGE_DATA_DIR=/var/lib/auditbridge
VOLUME ["/var/lib/auditbridge"]
# 8088: HEC-compatible receiver (when AUDITBRIDGE_HEC_ADDR is set); 9880: /metrics, /healthz, /readyz
EXPOSE 8088 9880
ENTRYPOINT ["/usr/local/bin/auditbridge"]
CMD ["run"]
