#!/usr/bin/env bash
# Where a publish's time goes, per publish: one pushpind run under the load driver with kernel
# tracepoints recorded (perf: sched_switch/wakeup, io_uring submit/complete, io_uring_enter), then
# Benchmarks/publish-timeline.py prints each publish's path from the driver's send to the last
# delivery read (control receives, MSG_RING, shard wakes, sends submitted and per io_uring_enter,
# driver's receive completions, CPU per thread). Only this run's two processes are counted.
#
#   Benchmarks/publish-timeline.sh [SUBSCRIBERS=10000] [MESSAGES=10] [RATE=5]
#
# PUSHPIND_BIN= (default: a release build), PORT_OFFSET=0. Needs root for the tracepoints.
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-10000}; messages=${2:-10}; rate=${3:-5}
port_offset=${PORT_OFFSET:-0}
port=$((28990 + port_offset)); control=$((28991 + port_offset)); backend=$((28995 + port_offset))
work=$(mktemp -d /tmp/pushpind-timeline.XXXXXX)
source Benchmarks/common.sh
stage_pushpind "$work"
build_driver
cat > "$work/backend.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/backend.pid;
error_log $work/backend-error.log;
worker_rlimit_nofile 20000;
events { worker_connections 16000; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$backend backlog=4096;
    location = /stream { add_header Grip-Hold stream; add_header Grip-Channel \$arg_channel; return 200 "subscribed\\n"; }
  }
}
CONF
echo "* 127.0.0.1:$backend,over_http" > "$work/routes"
nginx -c "$work/backend.conf" 2>> "$work/backend-error.log" & backend_pid=$!
"$work/pushpind" --shards 2 --port "127.0.0.1:$port" --control-port "$control" --routes "$work/routes" --log-level 1 \
	2>> "$work/pushpind.log" & pushpind_pid=$!
perf_pid=
cleanup() {
	[ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null
	stop_pushpind
	kill "$backend_pid" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT
wait_port "$backend" && wait_port "$port" && wait_port "$control"
"$driver" fanout --kind stream --target "http://127.0.0.1:$port/stream" --publish "http://127.0.0.1:$control/publish/" \
	--subscribers "$subscribers" --channels 1 --messages "$messages" --rate "$rate" --connect-rate 1000 --settle-seconds 3 \
	--pids "$pushpind_pid" --json > "$work/driver.json" 2> "$work/driver.log" & driver_pid=$!
echo "$pushpind_pid $driver_pid" > "$work/pids"
# Connecting takes subscribers/1000 s; tracing starts during the 3 s settle after it.
sleep "$(awk -v n="$subscribers" 'BEGIN { print n / 1000 + 1.5 }')"
perf record -q -a -m 8M -o "$work/perf.data" -e sched:sched_switch,sched:sched_wakeup \
	-e io_uring:io_uring_submit_req,io_uring:io_uring_complete \
	-e syscalls:sys_enter_io_uring_enter,syscalls:sys_exit_io_uring_enter 2>> "$work/perf.log" & perf_pid=$!
wait "$driver_pid"
kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; perf_pid=
perf script -i "$work/perf.data" -F comm,pid,tid,cpu,time,event,trace > "$work/trace.txt" 2>/dev/null
grep -vE '^\[' "$work/driver.log" >&2
python3 Benchmarks/publish-timeline.py "$work/trace.txt" "$work/pids"
echo "raw output: $work" >&2
