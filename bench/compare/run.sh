#!/usr/bin/env bash
# Side-by-side: syslog-ng 3.38 vs auditbridge on the same job, same machine.
#
# Both read the same N HCP Terraform audit-trail records (NDJSON, as the API
# serves them: no padding; PADDED=1 adds workspace and run metadata to each,
# ~590 bytes), parse the JSON, map the same fields into a Splunk HEC event and post
# batches of 500 to the same local counting HEC server (bench/cmd/hecsink):
#   (a) syslog-ng: file() source, json-parser, date-parser, http() destination
#       (syslog-ng.conf.in);
#   (b) auditbridge replay FILE: normalize, JetStream spool (on), Splunk sink
#       with the CIM body, batches of 500, gzip off.
# Runs alternate (a, b, a, b, ...). For each run: wall-clock events/s from
# start until the HEC server has counted all N, CPU seconds of the tool
# (utime+stime), events per CPU-second, and peak resident memory (VmHWM).
# auditbridge's figures include its start-up, spool and shutdown; syslog-ng's
# stop when the last event is counted. auditbridge runs with GOGC=300 unless
# GOGC is set (cmd/auditbridge/gc.go: less CPU for more memory); export
# GOGC=100 to measure it at Go's default.
#
# Usage: [PADDED=1] [BENCH_BIN=path] bench/compare/run.sh [N] [RUNS]
#   (defaults 1000000 and 3; BENCH_BIN: measure that binary instead of
#   building ./cmd/auditbridge)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
RUNS=${2:-3}

if ! command -v syslog-ng >/dev/null || [ ! -e /usr/lib/syslog-ng/3.38/libhttp.so ]; then
  echo "== installing syslog-ng-core and syslog-ng-mod-http from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syslog-ng-core syslog-ng-mod-http >/dev/null
fi
syslog-ng --version | head -1

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not up" >&2; return 1; }
CLK=$(getconf CLK_TCK)

if [ -n "${BENCH_BIN:-}" ]; then # a prebuilt binary, e.g. an older commit's
  cp "$BENCH_BIN" "$tmp/auditbridge"
else
  go build -o "$tmp/auditbridge" ./cmd/auditbridge
fi
go build -o "$tmp/hecsink" ./bench/cmd/hecsink
go build -o "$tmp/gen" ./bench/compare/gen
genflags=()
[ "${PADDED:-0}" = 1 ] && genflags+=(-padded)
"$tmp/gen" "${genflags[@]}" -n "$N" -o "$tmp/records.ndjson"

port=$(freeport)
"$tmp/hecsink" -addr "127.0.0.1:$port" -token bench-token >"$tmp/hecsink.log" 2>&1 &
pids+=($!)
waitport "$port"
count() { curl -fs "http://127.0.0.1:$port/count" | awk '{print $1}'; }
waitcount() { # target deadline_seconds
  local deadline=$(( $(date +%s) + $2 ))
  while [ "$(count)" -lt "$1" ]; do
    [ "$(date +%s)" -gt "$deadline" ] && { echo "timeout: $(count) of $1" >&2; return 1; }
    sleep 0.02
  done
}
report() { # tool run events wall cpu rss_kib
  awk -v tool="$1" -v run="$2" -v n="$3" -v wall="$4" -v cpu="$5" -v rss="$6" 'BEGIN {
    printf "%-11s run=%d events=%d wall=%.2fs events/s=%.0f cpu=%.2fs events/cpu-s=%.0f peak_rss=%.1fMiB\n",
      tool, run, n, wall, n/wall, cpu, n/cpu, rss/1024 }' | tee -a "$tmp/results"
}

sed "s|@RECORDS@|$tmp/records.ndjson|; s|@PORT@|$port|" bench/compare/syslog-ng.conf.in >"$tmp/syslog-ng.conf"

for run in $(seq "$RUNS"); do
  # (a) syslog-ng
  rm -rf "$tmp/sng" && mkdir -p "$tmp/sng"
  base=$(count)
  t0=$(date +%s.%N)
  syslog-ng -F --no-caps -f "$tmp/syslog-ng.conf" -p "$tmp/sng/pid" -R "$tmp/sng/persist" -c "$tmp/sng/ctl" >"$tmp/sng/log" 2>&1 &
  spid=$!
  pids+=($spid)
  waitcount $((base + N)) 1800 || { tail "$tmp/sng/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  cpu=$(awk -v clk="$CLK" '{printf "%.2f", ($14+$15)/clk}' "/proc/$spid/stat")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$spid/status")
  kill "$spid"; wait "$spid" 2>/dev/null || true
  report syslog-ng "$run" "$N" "$(echo "$t1 - $t0" | bc -l)" "$cpu" "$rss"

  # (b) auditbridge replay
  rm -rf "$tmp/data"
  base=$(count)
  AUDITBRIDGE_DATA_DIR="$tmp/data" AUDITBRIDGE_SINKS=splunk AUDITBRIDGE_ADMIN_ADDR=off \
  AUDITBRIDGE_SPLUNK_URL="http://127.0.0.1:$port" AUDITBRIDGE_SPLUNK_TOKEN=bench-token \
  AUDITBRIDGE_SPLUNK_GZIP=false AUDITBRIDGE_SPLUNK_BATCH_EVENTS=500 AUDITBRIDGE_LOG_LEVEL=warn \
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$tmp/auditbridge" replay "$tmp/records.ndjson" >"$tmp/replay.log" 2>&1 \
    || { tail "$tmp/replay.log" >&2; exit 1; }
  got=$(( $(count) - base ))
  [ "$got" -ge "$N" ] || { echo "auditbridge delivered $got of $N" >&2; exit 1; }
  read -r wall user sys rss <"$tmp/time"
  report auditbridge "$run" "$N" "$wall" "$(echo "$user + $sys" | bc -l)" "$rss"
done

echo "== medians over $RUNS runs"
awk '{ split($5,a,"="); split($7,b,"="); split($8,c,"=");
       t=$1; eps[t]=eps[t] " " a[2]; epc[t]=epc[t] " " b[2]; rss[t]=rss[t] " " c[2] }
     function median(s,   n, v, i, j, x) { n=split(s, v, " "); for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (v[j]+0 < v[i]+0) { x=v[i]; v[i]=v[j]; v[j]=x }
       return (n%2) ? v[(n+1)/2] : (v[n/2]+v[n/2+1])/2 }
     END { for (t in eps) { m[t]=median(epc[t]); printf "%-11s events/s=%.0f events/cpu-s=%.0f peak_rss=%s\n", t, median(eps[t]), m[t], median(rss[t]) }
           if (m["syslog-ng"] > 0) printf "ratio auditbridge/syslog-ng per CPU-second: %.2fx\n", m["auditbridge"]/m["syslog-ng"] }' "$tmp/results"
