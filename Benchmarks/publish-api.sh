#!/usr/bin/env bash
# Publish API throughput: wrk POSTs one publish per request on kept-alive connections to a
# channel without subscribers, at each connection count, to pushpind's control port, Nchan's
# publisher location and Pushpin's control port, in rounds whose order rotates. Prints the
# medians with pushpind's ratio to each peer and writes them to Benchmarks/results/RESULT.txt.
#
#   Benchmarks/publish-api.sh [DURATION_S=5] [ROUNDS=3] [CONNECTIONS="1 8"]
# Environment:
#   SYSTEMS="pushpind nchan pushpin"  which servers to measure
#   ITEMS=1          items per pushpind/Pushpin request (Nchan takes one message per request);
#                    with ITEMS > 1 the table also gives items/s
#   SHARDS=2         pushpind shards and Nchan workers
#   PUSHPIND_BIN=    use this pushpind binary instead of building one
#   BEFORE_BIN=      a second pushpind binary, measured as system "before" (add it to SYSTEMS)
#                    in the same rotated rounds, for an A/B of two builds
#   PORT_OFFSET=0    added to every port the script listens on
#   RESULT=publish-api  name of the table under Benchmarks/results/
#   JSON=            also write every round's figures as JSON lines to this file
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}; rounds=${2:-3}; connection_counts=${3:-1 8}
systems=${SYSTEMS:-pushpind nchan pushpin}; items=${ITEMS:-1}; shards=${SHARDS:-2}
result=${RESULT:-publish-api}; port_offset=${PORT_OFFSET:-0}
# Ports a thousand apart, so runs with nearby PORT_OFFSETs do not meet.
pushpind_port=$((29100 + port_offset)); pushpind_control=$((30100 + port_offset))
nchan_port=$((31100 + port_offset)); pushpin_port=$((32100 + port_offset)); pushpin_offset=$((60 + port_offset))
pushpin_control=$((5561 + pushpin_offset))
work=$(mktemp -d /tmp/pushpind-publish-api.XXXXXX)
chmod 755 "$work"

source Benchmarks/common.sh
packages=()
command -v wrk >/dev/null || packages+=(wrk)
command -v nginx >/dev/null || packages+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || packages+=(libnginx-mod-nchan)
command -v pushpin >/dev/null || packages+=(pushpin)
install_packages ${packages[@]+"${packages[@]}"}
stage_pushpind "$work"
[ -z "${BEFORE_BIN:-}" ] || cp "$BEFORE_BIN" "$work/before"

cleanup() {
	[ -n "${pushpind_pid:-}" ] && kill "$pushpind_pid" 2>/dev/null
	[ -n "${nchan_pid:-}" ] && kill -QUIT "$nchan_pid" 2>/dev/null
	PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference stop >/dev/null 2>&1 || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

echo "* test" > "$work/routes"
cat > "$work/nchan.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $shards;
daemon off;
pid $work/nchan.pid;
error_log $work/nchan-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  nchan_shared_memory_size 256m;
  server {
    listen 127.0.0.1:$nchan_port;
    location = /pub { nchan_publisher; nchan_channel_id \$arg_channel; nchan_message_buffer_length 10; }
  }
}
CONF

item='{"channel":"api","formats":{"http-stream":{"content":"hello, subscriber\n"}}}'
grip_body='{"items":['$item; for ((i = 1; i < items; i++)); do grip_body+=",$item"; done; grip_body+=']}'

start() {
	case "$1" in
	pushpind | before)
		"$work/$1" --shards "$shards" --port "127.0.0.1:$pushpind_port" --control-port "$pushpind_control" \
			--routes "$work/routes" --log-level 1 2>> "$work/pushpind.log" &
		pushpind_pid=$!; wait_port "$pushpind_port" && wait_port "$pushpind_control" ;;
	nchan) nginx -c "$work/nchan.conf" 2>> "$work/nchan-error.log" & nchan_pid=$!; wait_port "$nchan_port" ;;
	pushpin)
		PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference start "$work/routes" "$pushpin_port" "$pushpin_offset" >&2
		wait_port "$pushpin_control" ;;
	esac
}
stop() {
	case "$1" in
	pushpind | before) kill "$pushpind_pid"; wait "$pushpind_pid" 2>/dev/null || true; pushpind_pid= ;;
	nchan) kill -QUIT "$nchan_pid"; wait "$nchan_pid" 2>/dev/null || true; nchan_pid= ;;
	pushpin) PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference stop >/dev/null 2>&1 || true ;;
	esac
}
measure() {  # SYSTEM CONNECTIONS ROUND: one wrk run; requests/s to $work/SYSTEM-CONNECTIONS-ROUND
	local url body=$grip_body type=application/json
	case "$1" in
	pushpind | before) url=http://127.0.0.1:$pushpind_control/publish/ ;;
	pushpin) url=http://127.0.0.1:$pushpin_control/publish/ ;;
	nchan) url="http://127.0.0.1:$nchan_port/pub?channel=api"; body='hello, subscriber'; type=text/plain ;;
	esac
	local threads=$(($2 < 2 ? 1 : 2))
	for _ in 1 2 3; do  # a refused first connect (seen rarely on this busy machine) is retried
		WRK_BODY=$body WRK_CONTENT_TYPE=$type wrk -t"$threads" -c"$2" -d"${duration}s" -s Benchmarks/publish-post.lua "$url" > "$work/$1-$2-$3.wrk" 2>&1 || true
		grep -q '^unable to connect' "$work/$1-$2-$3.wrk" || break
		echo "  $1 at $2 connections: $(head -1 "$work/$1-$2-$3.wrk"), retrying" >&2; sleep 0.5
	done
	local rate failures
	rate=$(awk '/^Requests\/sec:/ {print $2}' "$work/$1-$2-$3.wrk"); failures=$(awk '/^requests / {print $4 + $6}' "$work/$1-$2-$3.wrk")
	echo "${rate:-0}" > "$work/$1-$2-$3"
	[ "${failures:-0}" = 0 ] || echo "  $1 at $2 connections: $failures failed requests (see $work/$1-$2-$3.wrk)" >&2
	[ -z "${JSON:-}" ] || echo "{\"system\":\"$1\",\"connections\":$2,\"round\":$3,\"requests_per_sec\":${rate:-0},\"items\":$items}" >> "$JSON"
}

read -ra order <<< "$systems"
uptime > "$work/load-before"
for round in $(seq "$rounds"); do
	for system in "${order[@]}"; do
		echo "round $round/$rounds: $system" >&2
		start "$system"
		for c in $connection_counts; do measure "$system" "$c" "$round"; done
		stop "$system"
	done
	order=("${order[@]:1}" "${order[0]}")
done
uptime > "$work/load-after"

median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
read -ra shown <<< "$systems"
mkdir -p Benchmarks/results
{
	echo "publish API: wrk POST, $items item(s) per request, channel without subscribers, ${duration}s per run; medians of $rounds rounds, order rotated"
	echo "pushpind --shards $shards; Nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null) with $shards workers; Pushpin 1.36; $(nproc) cores shared with wrk"
	echo "load average before and after: $(sed 's/.*load average: //' "$work/load-before") | $(sed 's/.*load average: //' "$work/load-after")"
	header=$(printf '%-26s' "requests/s"); for s in "${shown[@]}"; do header+=$(printf ' %10s' "$s"); done
	for s in "${shown[@]}"; do [ "$s" = pushpind ] || header+=$(printf ' %9s' "÷$s"); done
	echo "$header"
	for c in $connection_counts; do
		line=$(printf '%-26s' "$c connection(s)"); declare -A m=()
		for s in "${shown[@]}"; do m[$s]=$(for r in $(seq "$rounds"); do cat "$work/$s-$c-$r"; done | median); line+=$(printf ' %10.0f' "${m[$s]}"); done
		for s in "${shown[@]}"; do
			[ "$s" = pushpind ] && continue
			line+=$(awk -v a="${m[pushpind]:-0}" -v b="${m[$s]}" 'BEGIN { printf " %9s", (b > 0 && a > 0) ? sprintf("%.2fx", a / b) : "-" }')
		done
		echo "$line"
		((items == 1)) || echo "  pushpind items/s at $c connection(s): $(awk -v r="${m[pushpind]:-0}" -v n="$items" 'BEGIN { printf "%.0f", r * n }')"
		echo "  rounds: $(for s in "${shown[@]}"; do printf '%s [%s] ' "$s" "$(for r in $(seq "$rounds"); do printf '%.0f ' "$(cat "$work/$s-$c-$r")"; done | sed 's/ $//')"; done)"
	done
} | tee "Benchmarks/results/$result.txt"
echo "raw output: $work" >&2
