#!/usr/bin/env bash
# The project's test command (README): vet, unit tests (normalize also
# without its amd64 kernels), a short run of every fuzz target, then the
# integration module against real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-4s}

echo "== go vet (main module)"
go vet ./...
echo "== go test (main module)"
go test -count=1 -timeout 20m ./...
echo "== go test -tags purego ./normalize (the Go paths the amd64 kernels replace)"
go vet -tags purego ./normalize
GOARCH=arm64 go vet ./normalize
go test -count=1 -tags purego ./normalize

# fuzz_one DIR NAME runs one target. Go 1.26's fuzz coordinator can fail a
# run with a bare "context deadline exceeded" when -fuzztime expires while
# a worker is busy (golang/go#75804, fixed in Go 1.27): such a run, which
# wrote no failing input, is run once more; any other failure fails.
fuzz_one() {
  local out
  for attempt in 1 2; do
    if out=$(go test -run '^$' -fuzz "^${2}\$" -fuzztime "$FUZZTIME" "$1" 2>&1); then
      echo "$out"
      return 0
    fi
    echo "$out"
    if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
      echo "-- $2: the fuzztime deadline race of Go 1.26 (no failing input); running it again"
      continue
    fi
    return 1
  done
}

echo "== short fuzz runs (${FUZZTIME} each)"
grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./integration/' | sort | while read -r f; do
  dir=$(dirname "$f")
  for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "-- fuzz $dir $name"
    fuzz_one "$dir" "$name"
  done
done

echo "== integration module"
(cd integration && go vet ./... && go test -count=1 -timeout 40m ./...)
