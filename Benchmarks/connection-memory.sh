#!/usr/bin/env bash
# Memory per held connection, userspace and kernel, at the largest count this machine allows
# (each process may open 20,000 descriptors: the driver holds the client ends, pushpind the
# server ends). Prints one table and writes Benchmarks/results/connection-memory.txt.
#
#   Benchmarks/connection-memory.sh [SUBSCRIBERS=18000] [SHARDS=2] [MESSAGES=20]
#
# pushpind serves its built-in test handler (`* test`), so no backend connection is counted.
# While the driver holds every subscriber, the script reads pushpind's VmRSS, the kernel's slab
# total (/proc/meminfo "Slab") and the TCP buffer pages (/proc/net/sockstat "TCP: mem").
# Both ends of every connection live on this machine, so the kernel's cost of one server-side
# connection is half the slab growth per connection. Afterwards the driver publishes MESSAGES
# per channel flat out to all of them (deliveries/s at this count).
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-18000}; shards=${2:-2}; messages=${3:-20}
port=28890; control=28891
work=$(mktemp -d /tmp/pushpind-memory.XXXXXX)

source Benchmarks/common.sh
command -v jq >/dev/null || install_packages jq
build_pushpind_and_driver
trap stop_pushpind_and_driver EXIT

slab_kib() { awk '/^Slab:/ {print $2}' /proc/meminfo; }
tcp_pages() { awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1)}' /proc/net/sockstat; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
open_connections() {
	curl -fsS "http://127.0.0.1:$control/metrics" | awk '/^pushpind_connections_open\{shard="total"\}/ {print $2}'
}

echo "* test" > "$work/routes"
.build/release/pushpind --shards "$shards" --port "127.0.0.1:$port" --control-port "$control" \
	--routes "$work/routes" --log-level 1 2> "$work/pushpind.log" &
pushpind_pid=$!
wait_port $port && wait_port $control
sleep 1
slab0=$(slab_kib); pages0=$(tcp_pages); rss0=$(rss_kib "$pushpind_pid")

# The driver holds everyone for --settle-seconds before it publishes; sample in that window.
Benchmarks/.build/release/loaddriver fanout --kind stream --target "http://127.0.0.1:$port/stream" \
	--publish "http://127.0.0.1:$control/publish/" --subscribers "$subscribers" --messages "$messages" \
	--connect-concurrency 200 --settle-seconds 8 --pids "$pushpind_pid" --json > "$work/driver.json" 2> "$work/driver.log" &
driver_pid=$!
held=0
for _ in $(seq 600); do  # at most 60 s for the connects
	held=$(open_connections || echo 0)
	[ "${held:-0}" -ge "$subscribers" ] && break
	kill -0 "$driver_pid" 2>/dev/null || break
	sleep 0.1
done
sleep 2  # settled: accepted, answered, held
slab1=$(slab_kib); pages1=$(tcp_pages); rss1=$(rss_kib "$pushpind_pid"); held=$(open_connections)
wait "$driver_pid" || true
driver_pid=

mkdir -p Benchmarks/results
{
	echo "held HTTP-stream connections: $held (pushpind --shards $shards, test handler; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ))"
	echo "command: Benchmarks/connection-memory.sh $subscribers $shards $messages"
	awk -v n="$held" -v r0="$rss0" -v r1="$rss1" -v s0="$slab0" -v s1="$slab1" -v p0="$pages0" -v p1="$pages1" 'BEGIN {
		printf "%-52s %12s\n", "per held connection", "bytes"
		printf "%-52s %12.0f\n", "pushpind resident memory (VmRSS growth / n)", (r1 - r0) * 1024 / n
		printf "%-52s %12.0f\n", "kernel slab, one server-side socket (growth / 2n)", (s1 - s0) * 1024 / (2 * n)
		printf "%-52s %12.0f\n", "TCP buffer memory, both ends (sockstat pages / n)", (p1 - p0) * 4096 / n
		printf "pushpind VmRSS %d KiB -> %d KiB; slab %d KiB -> %d KiB\n", r0, r1, s0, s1 }'
	jq -r '"fan-out to them: \(.delivered) of \(.expected_deliveries) delivered, \(.deliveries_per_sec | floor) deliveries/s, p99 \(.latency_ms_p99) ms, lost \(.lost)"' "$work/driver.json"
} | tee Benchmarks/results/connection-memory.txt
