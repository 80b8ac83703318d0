#!/usr/bin/env bash
# Runs the whole test suite: unit tests and end-to-end tests over loopback sockets, then the
# load driver's own tests (Benchmarks is a separate package) and every fuzz target for a few
# seconds (scripts/fuzz.sh). Arguments go to the main `swift test` (e.g. --filter); with
# arguments the driver's tests and the fuzz targets are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
if (($# == 0)); then
	(cd Benchmarks && swift build --build-tests && swift test --skip-build)
	bash scripts/fuzz.sh all 4
fi
