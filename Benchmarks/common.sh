# Shared by the benchmark scripts, sourced from the repository root: the build tools, and
# helpers for the processes a script starts.
source scripts/setup.sh

# Waits (at most 10 s) until something accepts connections on 127.0.0.1:PORT.
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not ready" >&2; return 1; }

# The load driver, built (release) by build_driver.
driver=Benchmarks/.build/release/loaddriver
build_driver() { (cd Benchmarks && swift build -c release >&2); }

# Builds pushpind and the load driver (release).
build_pushpind_and_driver() {
	swift build -c release --product pushpind >&2
	build_driver
}

# Stops the pushpind and load driver the script started ($pushpind_pid, $driver_pid).
stop_pushpind_and_driver() {
	[ -n "${pushpind_pid:-}" ] && kill "$pushpind_pid" 2>/dev/null
	[ -n "${driver_pid:-}" ] && kill "$driver_pid" 2>/dev/null
	wait 2>/dev/null || true
}

# Installs the Debian packages given (none: nothing to do); callers pass the missing ones.
install_packages() {
	(($#)) || return 0
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Puts the pushpind to measure at DIR/pushpind: $PUSHPIND_BIN when set, else a release build.
# A copy, so a rebuild during the run cannot swap the binary under it.
stage_pushpind() {
	if [ -n "${PUSHPIND_BIN:-}" ]; then
		cp "$PUSHPIND_BIN" "$1/pushpind"
	else
		swift build -c release --product pushpind >&2
		cp .build/release/pushpind "$1/pushpind"
	fi
}

# Stops the pushpind the script started ($pushpind_pid), if it runs.
stop_pushpind() {
	[ -n "${pushpind_pid:-}" ] || return 0
	kill "$pushpind_pid" 2>/dev/null || true
	wait "$pushpind_pid" 2>/dev/null || true
	pushpind_pid=
}

# Pushpin 1.36 through the reference script, run from $work/pushpin with $work/routes, its HTTP
# port $pushpin_port and its ports shifted by $pushpin_offset (control: 5561 + offset).
start_pushpin() {
	PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference start "$work/routes" "$pushpin_port" "$pushpin_offset" >&2
	wait_port "$pushpin_port" && wait_port $((5561 + pushpin_offset))
}
stop_pushpin() { PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference stop >/dev/null 2>&1 || true; }
