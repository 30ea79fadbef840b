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

echo "== integration module"
(cd integration && go vet ./... && go test -count=1 -timeout 40m ./...)
