#!/usr/bin/env bash
# The project's test command (README, .ci/run): go vet and go test of the
# main module (go test also runs every fuzz target on its seed corpus and
# testdata/fuzz inputs), then the integration module against real servers.
# Time-boxed fuzzing is scripts/fuzz.sh, not part of this command.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet (main module)"
go vet ./...
echo "== go test (main module)"
go test -count=1 -timeout 20m ./...
# While normalize has a purego build flavour (Go code in place of its amd64
# kernels), its Go paths are tested too.
if grep -rqs --include='*.go' '^//go:build.*purego' normalize; then
  echo "== normalize with -tags purego"
  go vet -tags purego ./normalize
  GOARCH=arm64 go vet ./normalize
  go test -count=1 -tags purego ./normalize
fi

echo "== integration module"
(cd integration && go vet ./... && go test -count=1 -timeout 40m ./...)
