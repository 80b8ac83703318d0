#!/usr/bin/env bash
# Builds pushpind (release) and runs it; arguments are passed through, e.g. --shards 2.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product pushpind >&2
exec .build/release/pushpind "$@"
