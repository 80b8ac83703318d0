#!/usr/bin/env bash
# Applies pushpind's kernel and limits settings on this host (root required):
#   - sysctl settings from 99-pushpind.conf (persisted in /etc/sysctl.d)
#   - a high open-file limit for the pushpind service (systemd unit drop-in)
# Usage: sudo tuning/apply.sh [--dry-run]
set -euo pipefail
cd "$(dirname "$0")"
dry=${1:-}
run() { if [ "$dry" = "--dry-run" ]; then echo "+ $*"; else "$@"; fi; }

run install -m 0644 99-pushpind.conf /etc/sysctl.d/99-pushpind.conf
# Keys a kernel does not have (e.g. conntrack not loaded) are reported and skipped.
if [ "$dry" != "--dry-run" ]; then sysctl -e -p /etc/sysctl.d/99-pushpind.conf || true; fi

run install -m 0644 pushpind.service /etc/systemd/system/pushpind.service
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	run systemctl daemon-reload
fi
echo "applied; current limits:"
sysctl fs.nr_open net.core.somaxconn net.ipv4.ip_local_port_range 2>/dev/null || true
echo "open files for this shell: $(ulimit -n) (the service gets LimitNOFILE from its unit)"
