#!/usr/bin/env bash
# Events per CPU-second of the Elasticsearch sink: encoding (ECS rendering +
# _bulk action lines) and sending batches of 500 events, gzip off and on.
#
#  1. in-process: the benchmark's own counting _bulk server (CPU counts both);
#  2. external: the counting server of bench/elasticsearch in its own process,
#     so the CPU measured by the benchmark is the sink's alone.
#
# Usage: bench/elasticsearch.sh [benchtime]   (default 3s)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME=${1:-3s}
tmp=$(mktemp -d)
trap 'kill "${srv_pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/esbulk" ./bench/elasticsearch
"$tmp/esbulk" -addr 127.0.0.1:0 >"$tmp/server.out" 2>&1 &
srv_pid=$!
addr=
for _ in $(seq 100); do
  addr=$(sed -n 's/^listening on //p' "$tmp/server.out")
  if [ -n "$addr" ]; then break; fi
  sleep 0.1
done
[ -n "$addr" ] || { echo "counting server did not start" >&2; cat "$tmp/server.out" >&2; exit 1; }

echo "== in-process counting server"
go test -run '^$' -bench 'BenchmarkSend|BenchmarkEncode' -benchtime "$BENCHTIME" ./sinks/elasticsearch/
echo "== external counting server ($addr)"
AUDITBRIDGE_BENCH_ES_URL="http://$addr" \
  go test -run '^$' -bench 'BenchmarkSend' -benchtime "$BENCHTIME" ./sinks/elasticsearch/
echo "== server counts: $(curl -fs "http://$addr/_count")"
