#!/usr/bin/env bash
# The project's test command (README): vet, unit tests, a short run of every
# fuzz target, then the integration module against real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-4s}

echo "== go vet (main module)"
go vet ./...
echo "== go test (main module)"
go test -count=1 -timeout 20m ./...

echo "== short fuzz runs (${FUZZTIME} each)"
grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./integration/' | sort | while read -r f; do
  dir=$(dirname "$f")
  for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "-- fuzz $dir $name"
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$dir"
  done
done

echo "== integration module"
(cd integration && go vet ./... && go test -count=1 -timeout 40m ./...)
