#!/usr/bin/env bash
# Installs what building and testing pushpind needs on Debian, when it is missing.
# Safe to run repeatedly: it only calls apt-get when a package is absent.
set -euo pipefail

packages=(liburing-dev libzmq3-dev libssl-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}" >&2
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
	for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
		[ -x "$candidate/swift" ] && export PATH="$candidate:$PATH"
	done
fi
command -v swift >/dev/null || { echo "setup: a Swift 6 toolchain is required (https://swift.org/install)" >&2; exit 1; }

# The WebSocket end-to-end tests run Python WebSocket libraries: websocket-client as a
# client and websockets as the passthrough echo backend. pip goes to PyPI only when one
# of them is missing.
if command -v python3 >/dev/null && ! python3 -c "import websocket, websockets" 2>/dev/null; then
	echo "setup: installing the websocket-client and websockets Python packages" >&2
	python3 -m pip install --quiet websocket-client websockets >&2 ||
		python3 -m pip install --quiet --break-system-packages websocket-client websockets >&2 ||
		echo "setup: could not install websocket-client/websockets; the WebSocket end-to-end tests will fail" >&2
fi
