#!/usr/bin/env bash
# Idle next-link refreshes under load, pushpind against Pushpin 1.36 in the same run: SUBSCRIBERS
# SSE-style streams whose GRIP answer carries `Grip-Link: </next?...>; rel=next; timeout=20`, so
# each proxy fetches an idle stream's next link once per 20 s. The load driver spreads the
# streams over CHANNELS channels and publishes MESSAGES per channel at RATE items/s; the backend
# subscribes only the streams of the first channel (bench-0) to their channel and every other
# stream to a quiet channel nobody publishes to, so most streams sit idle and refresh while the
# live ones receive events. Reported per system (medians of ROUNDS): the backend's next-link
# request rate, the live streams' delivery latency p50/p99/max and lost deliveries
# (django-eventstream#174: Pushpin delays events by seconds in this setting).
#
#   Benchmarks/nextlink-refresh.sh [SUBSCRIBERS=2000] [RATE=100] [MESSAGES=600] [ROUNDS=3] [CHANNELS=10]
#
# Environment: SYSTEMS="pushpind pushpin", SHARDS=2, LINK_TIMEOUT=20, PUSHPIND_BIN= (a binary
# instead of a release build), PORT_OFFSET=0 (added to every port), RESULT=nextlink-refresh.
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-2000}; rate=${2:-100}; messages=${3:-600}; rounds=${4:-3}; channels=${5:-10}
systems=${SYSTEMS:-pushpind pushpin}; shards=${SHARDS:-2}; link_timeout=${LINK_TIMEOUT:-20}
result=${RESULT:-nextlink-refresh}
port_offset=${PORT_OFFSET:-0}
pushpind_port=$((29990 + port_offset)); pushpind_control=$((29991 + port_offset)); backend_port=$((29995 + port_offset))
pushpin_port=$((27890 + port_offset)); pushpin_offset=$((80 + port_offset)); pushpin_control=$((5561 + pushpin_offset))
work=$(mktemp -d /tmp/pushpind-nextlink.XXXXXX)
chmod 755 "$work"

source Benchmarks/common.sh
packages=()
command -v jq >/dev/null || packages+=(jq)
command -v nginx >/dev/null || packages+=(nginx-light)
command -v pushpin >/dev/null || packages+=(pushpin)
install_packages ${packages[@]+"${packages[@]}"}
stage_pushpind "$work"
build_driver

cleanup() {
	[ -n "${pushpind_pid:-}" ] && kill "$pushpind_pid" 2>/dev/null
	PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference stop >/dev/null 2>&1 || true
	[ -f "$work/backend.pid" ] && kill "$(cat "$work/backend.pid")" 2>/dev/null
	wait 2>/dev/null || true
}
trap cleanup EXIT

# The GRIP backend: /stream subscribes (bench-0 to itself, the others to quiet-*), /next is the
# next link (an empty body, so nothing is appended to the stream) and keeps the same hold; every
# /next request is logged with its time. Each answer's link is unique (`s=$request_id`), as
# django-eventstream's are (a signed token per response), so no two streams can share a fetch.
cat > "$work/backend.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/backend.pid;
error_log $work/backend-error.log;
worker_rlimit_nofile 20000;
events { worker_connections 16000; }
http {
  log_format stamp '\$msec';
  access_log off;
  map \$arg_channel \$grip_channel { bench-0 bench-0; default quiet-\$arg_channel; }
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$backend_port backlog=4096;
    location = /stream {
      add_header Grip-Hold stream; add_header Grip-Channel \$grip_channel;
      add_header Grip-Link "</next?channel=\$arg_channel&s=\$request_id>; rel=next; timeout=$link_timeout";
      return 200 "subscribed\\n";
    }
    location = /next {
      access_log $work/next.log stamp;
      add_header Grip-Hold stream; add_header Grip-Channel \$grip_channel;
      add_header Grip-Link "</next?channel=\$arg_channel&s=\$request_id>; rel=next; timeout=$link_timeout";
      return 200 "";
    }
  }
}
CONF
nginx -c "$work/backend.conf" 2>> "$work/backend-error.log" &
echo "* 127.0.0.1:$backend_port" > "$work/routes"
wait_port "$backend_port"

start_pushpind() {
	"$work/pushpind" --shards "$shards" --port "127.0.0.1:$pushpind_port" --control-port "$pushpind_control" \
		--routes "$work/routes" --log-level 1 2>> "$work/pushpind.log" &
	pushpind_pid=$!
	wait_port $pushpind_port && wait_port $pushpind_control
}

drive() {  # SYSTEM NAME: one driver run; its JSON as NAME.json, the next-link requests it caused as NAME-next.json
	local system=$1 name=$2 target publish started ended
	case "$system" in
	pushpind) target=http://127.0.0.1:$pushpind_port; publish=http://127.0.0.1:$pushpind_control/publish/ ;;
	pushpin) target=http://127.0.0.1:$pushpin_port; publish=http://127.0.0.1:$pushpin_control/publish/ ;;
	esac
	: > "$work/next.log"; kill -USR1 "$(cat "$work/backend.pid")"  # reopen the log
	started=$(date +%s.%N)
	"$driver" fanout --kind stream --target "$target/stream" --publish "$publish" --subscribers "$subscribers" \
		--channels "$channels" --messages "$messages" --rate "$rate" --connect-rate 500 --json \
		> "$work/$name.json" 2> "$work/$name.log" || echo '{}' > "$work/$name.json"
	ended=$(date +%s.%N)
	grep -vE '^\[' "$work/$name.log" | sed "s/^/  $name: /" >&2
	# Refreshes start one link timeout after the first subscription: the rate is taken from the
	# first next-link request to the end of the run.
	sort -g "$work/next.log" | awk -v end="$ended" -v start="$started" '
		NR == 1 { first = $1 } END {
			span = end - first
			printf "{\"next_requests\": %d, \"next_per_sec\": %s, \"first_after_s\": %s}\n", NR,
				(NR > 0 && span > 0) ? NR / span : 0, (NR > 0) ? first - start : "null" }' > "$work/$name-next.json"
}

read -ra order <<< "$systems"
uptime > "$work/load-before"
for round in $(seq "$rounds"); do
	for system in "${order[@]}"; do
		echo "round $round/$rounds: $system" >&2
		"start_$system"
		drive "$system" "$system-$round"
		"stop_$system"
	done
	order=("${order[@]:1}" "${order[0]}")
done
uptime > "$work/load-after"

read -ra shown <<< "$systems"
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
values() { for round in $(seq "$rounds"); do jq -r "$3 // empty" "$work/$1-$round$2.json"; done; }
row() {  # LABEL SUFFIX JQ: the median per system, and every round's value
	local line cells="" s
	line=$(printf '%-30s' "$1")
	for s in "${shown[@]}"; do line+=$(printf ' %12s' "$(values "$s" "$2" "$3" | median)"); done
	for s in "${shown[@]}"; do cells+=" $s [$(values "$s" "$2" "$3" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}')]"; done
	echo "$line  rounds:$cells"
}
mkdir -p Benchmarks/results
{
	echo "next-link refresh: $subscribers streams ($((subscribers / channels)) live on bench-0, the rest idle), Grip-Link timeout=$link_timeout s, $channels channels, $messages messages per channel at $rate items/s"
	echo "medians of $rounds rounds, order rotated; $(nproc) cores shared by servers, backend (nginx, 1 worker) and driver; pushpind --shards $shards; Pushpin 1.36 (pushpin-reference)"
	echo "load average before and after: $(sed 's/.*load average: //' "$work/load-before") | $(sed 's/.*load average: //' "$work/load-after")"
	echo "command: Benchmarks/nextlink-refresh.sh $subscribers $rate $messages $rounds $channels (SHARDS=$shards LINK_TIMEOUT=$link_timeout)"
	header=$(printf '%-30s' metric); for s in "${shown[@]}"; do header+=$(printf ' %12s' "$s"); done
	echo "$header"
	row "next-link requests" -next .next_requests
	row "next-link requests/s" -next .next_per_sec
	row "first refresh after s" -next .first_after_s
	row "latency p50 ms" "" .latency_ms_p50
	row "latency p99 ms" "" .latency_ms_p99
	row "latency max ms" "" .latency_ms_max
	row "live deliveries lost" "" "(.expected_deliveries / $channels - .delivered)"
	row "held streams" "" .subscribed
} | tee "Benchmarks/results/$result.txt"
echo "raw output: $work" >&2
