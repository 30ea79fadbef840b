#!/usr/bin/env bash
# Events per CPU-second of the whole bridge on the Splunk path:
#   loadgen --HEC--> auditbridge run (sources/hec -> JetStream spool -> splunk sink) --HEC--> hecsink
# hecsink (bench/cmd/hecsink) is a counting HEC server in its own process.
# For gzip off and on (SPLUNK_GZIP; the loadgen->bridge leg is gzip in both),
# RUNS runs of N events each: wall-clock events/s from the first post to the
# last event counted by hecsink, and events per CPU-second of the bridge
# process (utime+stime from /proc/PID/stat over the same interval).
#
# Usage: bench/splunk.sh [N] [RUNS] [GZIP_MODES]   (defaults 1000000, 3, "false true")
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${2:-3}
MODES=${3:-false true}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not up" >&2; return 1; }
cputicks() { awk '{print $14+$15}' "/proc/$1/stat"; }
CLK=$(getconf CLK_TCK)

go build -o "$tmp/auditbridge" ./cmd/auditbridge
go build -o "$tmp/hecsink" ./bench/cmd/hecsink
go build -o "$tmp/loadgen" ./bench/cmd/loadgen

sinkport=$(freeport)
"$tmp/hecsink" -addr "127.0.0.1:$sinkport" -token bench-token >"$tmp/hecsink.log" 2>&1 &
pids+=($!)
waitport "$sinkport"

# count prints the events hecsink has counted (0 while it does not answer).
count() {
  local n
  n=$(curl -fs --max-time 10 "http://127.0.0.1:$sinkport/count" | awk '{print $1}') || true
  echo "${n:-0}"
}

for gz in $MODES; do
  for run in $(seq "$RUNS"); do
    hecport=$(freeport); adminport=$(freeport)
    rm -rf "$tmp/data"; mkdir -p "$tmp/data"
    AUDITBRIDGE_DATA_DIR="$tmp/data" AUDITBRIDGE_SINKS=splunk \
    AUDITBRIDGE_ADMIN_ADDR="127.0.0.1:$adminport" \
    AUDITBRIDGE_HEC_ADDR="127.0.0.1:$hecport" AUDITBRIDGE_HEC_TOKENS=in-token \
    AUDITBRIDGE_SPLUNK_URL="http://127.0.0.1:$sinkport" AUDITBRIDGE_SPLUNK_TOKEN=bench-token \
    AUDITBRIDGE_SPLUNK_GZIP=$gz AUDITBRIDGE_LOG_LEVEL=warn \
      "$tmp/auditbridge" run >"$tmp/bridge.log" 2>&1 &
    bpid=$!
    pids+=($bpid)
    waitport "$hecport"
    base=$(count)
    t0=$(date +%s.%N); c0=$(cputicks $bpid)
    "$tmp/loadgen" -url "http://127.0.0.1:$hecport/services/collector/event" -token in-token \
      -n "$N" -prefix "r$run$gz" >"$tmp/loadgen.out"
    target=$((base + N))
    deadline=$(( $(date +%s) + 900 ))
    while [ "$(count)" -lt "$target" ]; do
      kill -0 "${pids[0]}" 2>/dev/null || { echo "hecsink died" >&2; cat "$tmp/hecsink.log" >&2; exit 1; }
      if [ "$(date +%s)" -gt "$deadline" ]; then echo "timeout: $(count) of $target" >&2; tail -20 "$tmp/bridge.log" >&2; exit 1; fi
      sleep 0.05
    done
    t1=$(date +%s.%N); c1=$(cputicks $bpid)
    got=$(( $(count) - base ))
    kill -INT $bpid; wait $bpid 2>/dev/null || true
    awk -v n="$got" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v clk="$CLK" -v gz="$gz" -v run="$run" 'BEGIN {
      wall = t1 - t0; cpu = (c1 - c0) / clk;
      printf "splunk gzip=%s run=%d events=%d wall=%.2fs events/s=%.0f bridge_cpu=%.2fs events/cpu-s=%.0f\n", gz, run, n, wall, n/wall, cpu, n/cpu }'
    echo "   loadgen: $(cat "$tmp/loadgen.out")"
  done
done
echo "hecsink events requests bytes: $(curl -fs "http://127.0.0.1:$sinkport/count")"
