#!/usr/bin/env bash
# Installs what building and testing pushpind needs on Debian, when it is missing.
# Safe to run repeatedly: it only calls apt-get when a package is absent.
set -euo pipefail

packages=(liburing-dev libzmq3-dev libssl-dev zlib1g-dev pkg-config)
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

# Python packages the end-to-end tests use as real peers: websocket-client (a WebSocket
# client), websockets (the passthrough echo backend), gripcontrol (Fanout's GRIP library,
# as a backend and a publisher), pyzmq (the ZeroMQ publisher and command client), tnetstring3
# (the tnetstring module pubcontrol's ZmqPubControl needs), and a real
# GRIP application with its SSE client: Django with django-eventstream and django-grip, and
# sseclient-py. pip goes to PyPI only when a module is missing.
python_package() {  # MODULE PACKAGE
	command -v python3 >/dev/null || return 0
	python3 -c "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('$1') else 1)" 2>/dev/null && return 0
	echo "setup: installing the $2 Python package" >&2
	python3 -m pip install --quiet "$2" >&2 ||
		python3 -m pip install --quiet --break-system-packages "$2" >&2 ||
		echo "setup: could not install $2; the end-to-end tests that use it will fail" >&2
}
python_package websocket websocket-client
python_package websockets websockets
python_package gripcontrol gripcontrol
python_package zmq pyzmq
python_package tnetstring tnetstring3
python_package django django
python_package django_eventstream django-eventstream
python_package django_grip django-grip
python_package sseclient sseclient-py
