#!/usr/bin/env bash
# Whether memory goes back after a connection peak: pushpind's VmRSS before, at the peak of
# CONNECTIONS held HTTP streams (with a short fan-out to them), and IDLE seconds after the last
# one closed. Prints the figures of every round, their medians and the fraction of the growth
# returned; writes Benchmarks/results/connection-churn-memory.txt.
#
#   Benchmarks/connection-churn-memory.sh [CONNECTIONS=15000] [ROUNDS=3] [SHARDS=2] [IDLE=30]
#
# pushpind serves its built-in test handler (`* test`), so no backend is involved. The load
# driver holds every subscriber on /stream (10 channels), publishes MESSAGES (5) per channel to
# them and exits, which closes all of its connections at once. Each round starts pushpind fresh.
# "peak" is VmHWM (the high-water mark of VmRSS) read once everything is closed. PUSHPIND_BIN
# runs another build (e.g. an older commit's, for comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-15000}; rounds=${2:-3}; shards=${3:-2}; idle=${4:-30}
messages=${MESSAGES:-5}
port=28892; control=28893
work=$(mktemp -d /tmp/pushpind-churn.XXXXXX)
pushpind=${PUSHPIND_BIN:-.build/release/pushpind}

source Benchmarks/common.sh
build_pushpind_and_driver
trap stop_pushpind_and_driver EXIT

status_kib() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
metric() {  # NAME: the total series
	curl -fsS "http://127.0.0.1:$control/metrics" | awk -v name="$1" '$1 == name "{shard=\"total\"}" {print $2}'
}

echo "* test" > "$work/routes"
: > "$work/rounds"
for round in $(seq "$rounds"); do
	"$pushpind" --shards "$shards" --port "127.0.0.1:$port" --control-port "$control" \
		--routes "$work/routes" --log-level 1 2> "$work/pushpind-$round.log" &
	pushpind_pid=$!
	wait_port $port && wait_port $control
	sleep 1
	before=$(status_kib "$pushpind_pid" VmRSS)

	Benchmarks/.build/release/loaddriver fanout --kind stream --target "http://127.0.0.1:$port/stream" \
		--publish "http://127.0.0.1:$control/publish/" --subscribers "$connections" --messages "$messages" \
		--connect-concurrency 200 --settle-seconds 2 --idle-seconds 2 --json \
		> "$work/driver-$round.json" 2> "$work/driver-$round.log" &
	driver_pid=$!
	held_max=0
	while kill -0 "$driver_pid" 2>/dev/null; do
		held=$(metric pushpind_connections_open || echo 0)
		[ "${held:-0}" -gt "$held_max" ] && held_max=$held
		sleep 0.2
	done
	wait "$driver_pid" || true
	driver_pid=
	for _ in $(seq 300); do  # at most 30 s for the closes to be seen
		[ "$(metric pushpind_connections_open || echo 1)" = 0 ] && break
		sleep 0.1
	done
	peak=$(status_kib "$pushpind_pid" VmHWM)
	closed=$(status_kib "$pushpind_pid" VmRSS)
	sleep "$idle"
	after=$(status_kib "$pushpind_pid" VmRSS)
	slots=$(metric pushpind_connection_slots || echo "-")
	echo "$round $held_max $before $peak $closed $after $slots" >> "$work/rounds"
	kill "$pushpind_pid"; wait "$pushpind_pid" 2>/dev/null || true
	pushpind_pid=
done

mkdir -p Benchmarks/results
{
	echo "connection churn: $connections held HTTP streams, $messages messages per channel (10 channels), all closed, then ${idle} s idle (pushpind --shards $shards, test handler; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ))"
	echo "command: ${PUSHPIND_BIN:+PUSHPIND_BIN=$PUSHPIND_BIN }Benchmarks/connection-churn-memory.sh $connections $rounds $shards $idle"
	printf "%-6s %6s %12s %12s %12s %12s %9s %7s\n" round held "before KiB" "peak KiB" "closed KiB" "after KiB" returned slots
	awk '{ printf "%-6s %6d %12d %12d %12d %12d %8.0f%% %7s\n", $1, $2, $3, $4, $5, $6, 100 * ($4 - $6) / ($4 - $3), $7 }' "$work/rounds"
	for column in 3 4 6; do sort -n -k$column "$work/rounds" | awk -v c=$column '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; done | paste -sd' ' |
		awk '{ printf "median: before %d KiB, peak %d KiB, after %d KiB: %.0f%% of the growth returned\n", $1, $2, $3, 100 * ($2 - $3) / ($2 - $1) }'
} | tee Benchmarks/results/connection-churn-memory.txt
