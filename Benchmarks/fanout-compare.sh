#!/usr/bin/env bash
# Fan-out: pushpind against Pushpin 1.36, both on their built-in test handler (`* test`), measured
# by Benchmarks' io_uring load driver in interleaved rounds (the order alternates every round).
# Prints one table of medians with the ratio pushpind/Pushpin and writes it to
# Benchmarks/results/fanout-KIND.txt.
#
#   Benchmarks/fanout-compare.sh [KIND=stream] [SUBSCRIBERS=5000] [MESSAGES=100] [ROUNDS=3] [CHANNELS=10]
#
# KIND is stream or response (Pushpin's test handler has no WebSocket endpoint). Environment:
#   CONNECT_RATE=500         paced connects for the fan-out run (Pushpin's test handler answers
#                            "500 Accept service unavailable" to part of the subscriptions beyond ~1000/s)
#   CONNECT_CONCURRENCY=200  connects in flight during the flat-out subscribe run
#   SIZE=64 RATE=            payload bytes; publish items/s over all channels (empty: flat out)
#   SHARDS=2 THREADS=1       pushpind shards; driver threads
#   PUSHPIND_BIN=            use this pushpind binary instead of building one
# Per round, each system is started fresh and runs alone while the driver runs twice: connects at
# CONNECT_RATE and publishes MESSAGES per channel (deliveries/s, latency, loss, memory per held
# connection from the server's VmRSS), then connects flat out with one message per channel
# (subscribe rate).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-stream}; subscribers=${2:-5000}; messages=${3:-100}; rounds=${4:-3}; channels=${5:-10}
connect_rate=${CONNECT_RATE:-500}; concurrency=${CONNECT_CONCURRENCY:-200}
size=${SIZE:-64}; rate=${RATE:-}; shards=${SHARDS:-2}; threads=${THREADS:-1}
case "$kind" in stream | response | ws) ;; *) echo "KIND must be stream, response or ws" >&2; exit 2 ;; esac

pushpind_port=28990; pushpind_control=28991; pushpin_port=27990; pushpin_offset=40
pushpin_control=$((5561 + pushpin_offset))
work=$(mktemp -d /tmp/pushpind-fanout.XXXXXX)

source scripts/setup.sh
command -v jq >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
if [ -n "${PUSHPIND_BIN:-}" ]; then
	cp "$PUSHPIND_BIN" "$work/pushpind"
else
	swift build -c release --product pushpind >&2
	cp .build/release/pushpind "$work/pushpind"  # a copy: a rebuild during the run must not swap it
fi
(cd Benchmarks && swift build -c release >&2)
driver=Benchmarks/.build/release/loaddriver

cleanup() {
	stop_pushpind
	stop_pushpin
	[ -n "${backend_pid:-}" ] && kill "$backend_pid" 2>/dev/null
	wait 2>/dev/null || true
}
trap cleanup EXIT

wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not ready" >&2; return 1; }
echo "* test" > "$work/routes"
backend_pid=
if [ "$kind" = ws ]; then
	# Neither test handler speaks WebSocket in Pushpin; both systems bridge the same
	# WebSocket-over-HTTP backend, which subscribes each connection to its ?channel=.
	backend_port=28995
	python3 Benchmarks/woh-backend.py "$backend_port" &
	backend_pid=$!
	echo "* 127.0.0.1:$backend_port,over_http" > "$work/routes"
	wait_port "$backend_port"
fi

# Each system runs alone and starts fresh every round: RSS deltas of a process whose allocator
# kept the memory of an earlier run would understate the cost of a connection.
start_pushpind() {
	"$work/pushpind" --shards "$shards" --port "127.0.0.1:$pushpind_port" --control-port "$pushpind_control" \
		--routes "$work/routes" --log-level 1 2>> "$work/pushpind.log" &
	pushpind_pid=$!
	wait_port $pushpind_port && wait_port $pushpind_control
}
stop_pushpind() {
	[ -n "${pushpind_pid:-}" ] || return 0
	kill "$pushpind_pid" 2>/dev/null || true
	wait "$pushpind_pid" 2>/dev/null || true
	pushpind_pid=
}
start_pushpin() {
	PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference start "$work/routes" "$pushpin_port" "$pushpin_offset" >&2
	wait_port $pushpin_port && wait_port $pushpin_control
}
stop_pushpin() { PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference stop >/dev/null 2>&1 || true; }

pids_of() {  # the processes whose memory counts: pushpind, or Pushpin's runner and every child
	if [ "$1" = pushpind ]; then echo "$pushpind_pid"; return; fi
	local runner; runner=$(cat "$work/pushpin/pushpin.pid")
	echo "$runner" $(pgrep -P "$runner") | tr ' ' ,
}

drive() {  # SYSTEM NAME DRIVER-ARGS...: one driver run, its JSON kept as $work/NAME.json
	local system=$1 name=$2; shift 2
	local port=$pushpind_port control=$pushpind_control
	[ "$system" = pushpin ] && { port=$pushpin_port; control=$pushpin_control; }
	local args=(fanout --kind "$kind" --target "http://127.0.0.1:$port/$kind" --publish "http://127.0.0.1:$control/publish/"
		--subscribers "$subscribers" --channels "$channels" --size "$size" --threads "$threads" --pids "$(pids_of "$system")" --json)
	[ -n "$rate" ] && args+=(--rate "$rate")
	"$driver" "${args[@]}" "$@" > "$work/$name.json" 2> "$work/$name.log" || echo '{}' > "$work/$name.json"
	grep -vE '^\[' "$work/$name.log" | sed "s/^/  $name: /" >&2
	sleep 2  # let the server finish closing the last run's connections
}

for round in $(seq "$rounds"); do
	order="pushpind pushpin"; ((round % 2 == 0)) && order="pushpin pushpind"
	for system in $order; do
		echo "round $round/$rounds: $system" >&2
		"start_$system"
		drive "$system" "$system-fanout-$round" --messages "$messages" --connect-rate "$connect_rate"
		drive "$system" "$system-subscribe-$round" --messages 1 --connect-concurrency "$concurrency"
		"stop_$system"
	done
done

median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
values() { for round in $(seq "$rounds"); do jq -r "$3 // empty" "$work/$1-$2-$round.json"; done; }
row() {  # LABEL RUN JQ-EXPRESSION [lower]: medians of both systems and their ratio
	local a b
	a=$(values pushpind "$2" "$3" | median); b=$(values pushpin "$2" "$3" | median)
	awk -v l="$1" -v a="$a" -v b="$b" -v note="${4:-}" '
		function show(v) { return v == "nan" ? "-" : (v >= 100 || v == int(v)) ? sprintf("%.0f", v) : sprintf("%.2f", v) }
		BEGIN {
			r = (b + 0 != 0 && a != "nan" && b != "nan") ? sprintf("%.2fx", a / b) : "-"
			printf "%-36s %12s %12s %10s %s\n", l, show(a), show(b), r, note }'
}
rounds_of() {  # LABEL RUN JQ-EXPRESSION: every round's value, rounded
	local line="$1:" s
	for s in pushpind pushpin; do line+=" $s [$(values "$s" "$2" "$3" | awk '{printf "%s%.0f", (NR > 1 ? " " : ""), $1}')]"; done
	echo "$line"
}

mkdir -p Benchmarks/results
{
	echo "fan-out $kind: $subscribers subscribers, $channels channels, $messages messages per channel, $size B payloads, publish ${rate:-flat out}"
	echo "medians of $rounds interleaved rounds; $(nproc) cores shared by server and driver; pushpind --shards $shards; Pushpin 1.36 (pushpin-reference, log_level 2)"
	echo "driver: loaddriver (io_uring, $threads thread(s)), subscribers over 4 loopback source addresses; $(date -u +%Y-%m-%dT%H:%MZ)"
	printf '%-36s %12s %12s %10s\n' "metric" "pushpind" "Pushpin" "pushpind/Pushpin"
	row "deliveries/s" fanout .deliveries_per_sec
	row "latency p50 ms" fanout .latency_ms_p50 "(lower is better)"
	row "latency p99 ms" fanout .latency_ms_p99 "(lower is better)"
	row "latency max ms" fanout .latency_ms_max "(lower is better)"
	row "subscribe rate conn/s (flat out)" subscribe .subscribe_rate
	row "subscriptions refused (flat out)" subscribe .subscribe_failed
	row "bytes per held connection (RSS)" fanout .bytes_per_connection "(lower is better)"
	row "held in fan-out run" fanout .subscribed
	row "lost deliveries" fanout .lost
	row "duplicated deliveries" fanout .duplicated
	echo "per round:"
	rounds_of "  deliveries/s" fanout .deliveries_per_sec
	rounds_of "  p99 ms" fanout .latency_ms_p99
	rounds_of "  subscribe/s" subscribe .subscribe_rate
	rounds_of "  bytes/conn" fanout .bytes_per_connection
} | tee "Benchmarks/results/fanout-$kind.txt"
echo "raw driver output: $work" >&2
