#!/usr/bin/env bash
# Runs the whole test suite: unit tests and end-to-end tests over loopback sockets.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
