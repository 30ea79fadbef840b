#!/usr/bin/env bash
# End-to-end throughput of the bridge: HEC receiver -> JetStream spool ->
# file sink. Posts N generated events (a mix of HCP Terraform audit-trail
# records, HCP streaming envelopes, Boundary CloudEvents and Vault Secrets
# envelopes; HEC JSON, gzip, BATCH events per request, CLIENTS concurrent
# clients), waits until the file sink holds N lines, and prints events per
# second end to end and events per CPU-second of the bridge process
# (utime+stime from /proc/PID/stat), for RUNS runs.
#
#   bench/hec_file.sh            # N=1000000 BATCH=500 CLIENTS=4 RUNS=3
#   N=200000 RUNS=1 bench/hec_file.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
BATCH=${BATCH:-500}
CLIENTS=${CLIENTS:-4}
RUNS=${RUNS:-3}
TOKEN=bench-token
WORK=$(mktemp -d /tmp/auditbridge-bench.XXXXXX)
trap '[ -z "${PID:-}" ] || kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT # never "kill 0": that is the caller's whole process group

go build -o "$WORK/auditbridge" ./cmd/auditbridge
go build -o "$WORK/loadgen" ./bench/cmd/loadgen
TCK=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now() { date +%s.%N; }

echo "auditbridge bench: N=$N events, $BATCH per request, $CLIENTS clients, gzip, file sink (native), $(nproc) CPUs"
for run in $(seq 1 "$RUNS"); do
  dir="$WORK/run$run"; mkdir -p "$dir/out"
  hec_port=$(free_port); admin_port=$(free_port)
  AUDITBRIDGE_DATA_DIR="$dir/data" AUDITBRIDGE_SINKS=file AUDITBRIDGE_FILE_PATH="$dir/out/events.ndjson" \
  AUDITBRIDGE_HEC_ADDR="127.0.0.1:$hec_port" AUDITBRIDGE_HEC_TOKENS=$TOKEN \
  AUDITBRIDGE_ADMIN_ADDR="127.0.0.1:$admin_port" AUDITBRIDGE_LOG_LEVEL=warn \
  AUDITBRIDGE_SPOOL_MAX_BYTES=8589934592 \
    "$WORK/auditbridge" run 2>"$dir/bridge.log" &
  PID=$!
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$hec_port") 2>/dev/null && break
    sleep 0.05
  done
  cpu0=$(cpu_ticks "$PID"); t0=$(now)
  "$WORK/loadgen" -url "http://127.0.0.1:$hec_port/services/collector/event" -token $TOKEN \
    -n "$N" -batch "$BATCH" -clients "$CLIENTS" -prefix "run$run" -gzip=true
  # Wait for the file sink to hold N lines (the delivered counter first, it
  # is cheaper to poll than counting lines of a large file).
  until [ "$(curl -s "http://127.0.0.1:$admin_port/metrics" | awk '/^auditbridge_events_delivered_total\{sink="file"\}/ {print int($2)}')" -ge "$N" ] 2>/dev/null; do
    sleep 0.1
  done
  t1=$(now); cpu1=$(cpu_ticks "$PID")
  lines=$(wc -l <"$dir/out/events.ndjson")
  kill -TERM "$PID"; wait "$PID" || true; PID=
  if [ "$lines" -lt "$N" ]; then echo "run $run: file sink has $lines lines, want $N" >&2; exit 1; fi
  awk -v n="$N" -v l="$lines" -v t0="$t0" -v t1="$t1" -v c0="$cpu0" -v c1="$cpu1" -v tck="$TCK" -v run="$run" 'BEGIN {
    el = t1 - t0; cpu = (c1 - c0) / tck
    printf "run %d: %d events delivered (%d lines) in %.2f s = %.0f events/s end to end; bridge CPU %.2f s = %.0f events per CPU-second\n",
      run, n, l, el, n / el, cpu, n / cpu }'
  rm -rf "$dir"
done
