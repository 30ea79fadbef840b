#!/usr/bin/env bash
# The fault suite in one command; prints the table of cases at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v syslog-ng >/dev/null || { apt-get update -qq && apt-get install -y -qq syslog-ng-core >/dev/null; }
go test -count=1 -v -timeout 20m -run 'TestFaultSuite' ./faults | tee /tmp/auditbridge-faults.log | grep -E '^\s+(faults_test.go:[0-9]+: )?(\||CASE|---)|^(ok|FAIL|---)' || true
grep -q '^ok' /tmp/auditbridge-faults.log
