#!/usr/bin/env bash
# The scale-out suite in one command (3 nats-server processes built from the
# pinned module, 2 bridges, R3); prints the accounting table at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 -v -timeout 20m -run 'TestScaleOut' ./cluster | tee /tmp/auditbridge-cluster.log | grep -E '^\s+(cluster_test.go:[0-9]+: )?(\||CASE|---)|^(ok|FAIL|---)' || true
grep -q '^ok' /tmp/auditbridge-cluster.log
