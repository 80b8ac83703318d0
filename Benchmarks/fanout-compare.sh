#!/usr/bin/env bash
# Fan-out, side by side: pushpind, Pushpin 1.36 and Nchan (nginx + libnginx-mod-nchan), measured by
# Benchmarks' io_uring load driver in interleaved rounds (the order rotates every round). Prints one
# table of medians with the ratios of pushpind to each peer and writes it to
# Benchmarks/results/fanout-KIND.txt.
#
#   Benchmarks/fanout-compare.sh [KIND=stream] [SUBSCRIBERS=5000] [MESSAGES=100] [ROUNDS=3] [CHANNELS=10]
#
# KIND is stream (HTTP streaming), response (long-poll) or ws (WebSocket). pushpind and Pushpin
# proxy to the same backend, one nginx worker that answers every subscription with GRIP headers
# (add_header Grip-Hold / Grip-Channel from ?channel=) and every WebSocket OPEN with a
# WebSocket-over-HTTP subscribe; Nchan is its own backend (nchan_subscriber locations, publishes to
# /pub?channel=). Environment:
#   SYSTEMS="pushpind pushpin nchan"  which systems to run
#   CONNECT_RATE=500         paced connects for the fan-out run (Pushpin answers "500 Accept service
#                            unavailable" to part of the subscriptions beyond ~1000/s)
#   CONNECT_CONCURRENCY=200  connects in flight during the flat-out subscribe run
#   SIZE=64 RATE=            payload bytes; publish items/s over all channels (empty: flat out)
#   LATENCY_RATE=100         publish items/s of the latency run (pushpind and Nchan sustain it)
#   LATENCY_MESSAGES=20      messages per channel in the latency run
#   SHARDS=2 THREADS=1       pushpind shards and Nchan workers; driver threads
#   PUSHPIND_BIN=            use this pushpind binary instead of building one
#   RUNS="fanout latency subscribe"  which of the three driver runs below to do, e.g. RUNS=subscribe
#                            for the subscribe rate alone
#   RESULT=fanout-KIND       name of the table written to Benchmarks/results/RESULT.txt
#   PORT_OFFSET=0            added to every port the script listens on (to run next to another run)
#   FROM=                    the raw-output folder of an earlier run: print its table again, run nothing
# Per round, each system is started fresh and runs alone while the driver runs three times:
#   fanout     connects at CONNECT_RATE, publishes MESSAGES per channel at RATE (deliveries/s,
#              latency, loss, memory per held connection from the server's VmRSS);
#   latency    the same subscribers, LATENCY_MESSAGES per channel paced at LATENCY_RATE: flat out,
#              latency is mostly queueing (how long the driver's reader needs for everything a
#              fast server sent at once), paced it is what a message waits inside the server;
#   subscribe  connects flat out, one message per channel (subscribe rate).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-stream}; subscribers=${2:-5000}; messages=${3:-100}; rounds=${4:-3}; channels=${5:-10}
connect_rate=${CONNECT_RATE:-500}; concurrency=${CONNECT_CONCURRENCY:-200}
size=${SIZE:-64}; rate=${RATE:-}; shards=${SHARDS:-2}; threads=${THREADS:-1}
latency_rate=${LATENCY_RATE:-100}; latency_messages=${LATENCY_MESSAGES:-20}
systems=${SYSTEMS:-pushpind pushpin nchan}; result=${RESULT:-fanout-$kind}
runs=${RUNS:-fanout latency subscribe}
for run in $runs; do case "$run" in fanout | latency | subscribe) ;; *) echo "RUNS holds fanout, latency or subscribe" >&2; exit 2 ;; esac; done
ran() { [[ " $runs " == *" $1 "* ]]; }
case "$kind" in stream | response | ws) ;; *) echo "KIND must be stream, response or ws" >&2; exit 2 ;; esac
((channels <= 10)) || { echo "CHANNELS must be at most 10 (the backend's WebSocket answer has a fixed length)" >&2; exit 2; }

port_offset=${PORT_OFFSET:-0}
pushpind_port=$((28990 + port_offset)); pushpind_control=$((28991 + port_offset)); pushpin_port=$((27990 + port_offset))
pushpin_offset=$((40 + port_offset)); pushpin_control=$((5561 + pushpin_offset)); nchan_port=$((26990 + port_offset))
backend_port=$((28995 + port_offset))
work=${FROM:-$(mktemp -d /tmp/pushpind-fanout.XXXXXX)}
if [ -z "${FROM:-}" ]; then  # with FROM=DIR, only the table of that earlier run is printed
chmod 755 "$work"

source Benchmarks/common.sh
packages=()
command -v jq >/dev/null || packages+=(jq)
command -v nginx >/dev/null || packages+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || packages+=(libnginx-mod-nchan)
command -v pushpin >/dev/null || packages+=(pushpin)
install_packages ${packages[@]+"${packages[@]}"}
stage_pushpind "$work"
build_driver

cleanup() {
	stop_pushpind
	stop_pushpin
	stop_nchan
	[ -f "$work/backend.pid" ] && kill "$(cat "$work/backend.pid")" 2>/dev/null
	wait 2>/dev/null || true
}
trap cleanup EXIT

# The GRIP backend. A WebSocket-over-HTTP OPEN request is the only event with a 6-byte body
# ("OPEN\r\n"); it is answered OPEN plus "c:{subscribe}"; every other event gets an empty body.
# The TEXT length is fixed because channel names are bench-0 … bench-9.
nginx_main() {  # NAME WORKERS: the settings both nginx instances share, up to the http block's opening
	cat <<CONF
worker_processes $2;
daemon off;
pid $work/$1.pid;
error_log $work/$1-error.log;
worker_rlimit_nofile 20000;
events { worker_connections 16000; }
http {
  access_log off;
  keepalive_requests 10000000;
CONF
}
{ nginx_main backend 1; cat <<CONF
  map \$http_content_length \$woh_answer {
    6 "OPEN\\r\\nTEXT 2a\\r\\nc:{\\"type\\":\\"subscribe\\",\\"channel\\":\\"\$arg_channel\\"}\\r\\n";
    default "";
  }
  server {
    listen 127.0.0.1:$backend_port backlog=4096;
    location = /stream { add_header Grip-Hold stream; add_header Grip-Channel \$arg_channel; return 200 "subscribed\\n"; }
    location = /response { add_header Grip-Hold response; add_header Grip-Channel \$arg_channel; return 200 "timed out\\n"; }
    location = /ws {
      default_type application/websocket-events;
      add_header Sec-WebSocket-Extensions grip;
      return 200 \$woh_answer;
    }
  }
}
CONF
} > "$work/backend.conf"
nginx -c "$work/backend.conf" 2>> "$work/backend-error.log" &
echo "* 127.0.0.1:$backend_port,over_http" > "$work/routes"
wait_port "$backend_port"

# Nchan: the same URLs, served by nchan itself; channels keep enough messages for a whole run
# and a new subscriber starts at the newest message, so the flat-out run sees only its own.
{ echo "load_module /usr/lib/nginx/modules/ngx_nchan_module.so;"; nginx_main nchan "$shards"; cat <<CONF
  nchan_shared_memory_size 512m;
  server {
    listen 127.0.0.1:$nchan_port;
    nchan_channel_id \$arg_channel;
    nchan_subscriber_first_message newest;
    location = /pub { nchan_publisher; nchan_message_buffer_length 100000; nchan_message_timeout 10m; }
    location = /stream { nchan_subscriber http-raw-stream; }
    location = /response { nchan_subscriber longpoll; }
    location = /ws { nchan_subscriber websocket; }
  }
}
CONF
} > "$work/nchan.conf"

# Each system runs alone and starts fresh every round: RSS deltas of a process whose allocator
# kept the memory of an earlier run would understate the cost of a connection.
start_pushpind() {
	"$work/pushpind" --shards "$shards" --port "127.0.0.1:$pushpind_port" --control-port "$pushpind_control" \
		--routes "$work/routes" --log-level 1 2>> "$work/pushpind.log" &
	pushpind_pid=$!
	wait_port $pushpind_port && wait_port $pushpind_control
}
start_nchan() {
	nginx -c "$work/nchan.conf" 2>> "$work/nchan-error.log" &
	nchan_pid=$!
	wait_port $nchan_port
}
stop_nchan() {
	[ -n "${nchan_pid:-}" ] || return 0
	kill -QUIT "$nchan_pid" 2>/dev/null || true
	wait "$nchan_pid" 2>/dev/null || true
	nchan_pid=
}

pids_of() {  # the processes whose memory counts: pushpind, or the master/runner and every child
	local parent
	case "$1" in
	pushpind) echo "$pushpind_pid"; return ;;
	pushpin) parent=$(cat "$work/pushpin/pushpin.pid") ;;
	nchan) parent=$nchan_pid ;;
	esac
	echo "$parent" $(pgrep -P "$parent") | tr ' ' ,
}

cpu_ticks() {  # PIDS (comma-separated): user + system clock ticks of all their threads so far
	local pid total=0
	for pid in ${1//,/ }; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
	echo "$total"
}

drive() {  # SYSTEM NAME DRIVER-ARGS...: one driver run, its JSON kept as $work/NAME.json, the CPU
	# time its server (and for the proxies the GRIP backend) spent on it as $work/SYSTEM-RUN-cpu-ROUND.json
	local system=$1 name=$2; shift 2
	local pids backend_pid server_before backend_before
	pids=$(pids_of "$system"); backend_pid=$(pgrep -P "$(cat "$work/backend.pid")" | tr '\n' , )
	server_before=$(cpu_ticks "$pids"); backend_before=$(cpu_ticks "$backend_pid")
	local target publish api=grip
	case "$system" in
	pushpind) target=http://127.0.0.1:$pushpind_port; publish=http://127.0.0.1:$pushpind_control/publish/ ;;
	pushpin) target=http://127.0.0.1:$pushpin_port; publish=http://127.0.0.1:$pushpin_control/publish/ ;;
	nchan) target=http://127.0.0.1:$nchan_port; publish=http://127.0.0.1:$nchan_port/pub; api=nchan ;;
	esac
	local args=(fanout --kind "$kind" --target "$target/$kind" --publish "$publish" --api "$api"
		--subscribers "$subscribers" --channels "$channels" --size "$size" --threads "$threads" --pids "$(pids_of "$system")" --json)
	[ -n "$rate" ] && args+=(--rate "$rate")
	"$driver" "${args[@]}" "$@" > "$work/$name.json" 2> "$work/$name.log" || echo '{}' > "$work/$name.json"
	grep -vE '^\[' "$work/$name.log" | sed "s/^/  $name: /" >&2
	sleep 2  # let the server finish closing the last run's connections (their cost counts)
	local server=$(($(cpu_ticks "$pids") - server_before)) backend=$(($(cpu_ticks "$backend_pid") - backend_before))
	[ "$system" = nchan ] && backend=0
	jq -n --argjson subscribed "$(jq '.subscribed // 0' "$work/$name.json")" --argjson server "$server" \
		--argjson backend "$backend" --argjson hz "$(getconf CLK_TCK)" \
		'if $subscribed > 0 then {server_us: ($server * 1e6 / $hz / $subscribed), backend_us: ($backend * 1e6 / $hz / $subscribed)} else {} end' \
		> "$work/${name%-*}-cpu-${name##*-}.json"
}

read -ra order <<< "$systems"
uptime > "$work/load-before"
for round in $(seq "$rounds"); do
	for system in "${order[@]}"; do
		echo "round $round/$rounds: $system" >&2
		"start_$system"
		! ran fanout || drive "$system" "$system-fanout-$round" --messages "$messages" --connect-rate "$connect_rate"
		! ran latency || rate="$latency_rate" drive "$system" "$system-latency-$round" --messages "$latency_messages" --connect-rate "$connect_rate"
		! ran subscribe || drive "$system" "$system-subscribe-$round" --messages 1 --connect-concurrency "$concurrency"
		"stop_$system"
	done
	order=("${order[@]:1}" "${order[0]}")  # rotate: every system gets every position
done
uptime > "$work/load-after"
fi

read -ra shown <<< "$systems"
peers=(); for s in "${shown[@]}"; do [ "$s" = pushpind ] || peers+=("$s"); done
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
values() { for round in $(seq "$rounds"); do [ ! -e "$work/$1-$2-$round.json" ] || jq -r "$3 // empty" "$work/$1-$2-$round.json"; done; }
row() {  # LABEL RUN JQ-EXPRESSION [NOTE]: the median of every system, then pushpind's ratio to each peer
	local line cells=() s
	for s in "${shown[@]}"; do cells+=("$(values "$s" "$2" "$3" | median)"); done
	line=$(printf '%s ' "${cells[@]}")
	awk -v l="$1" -v cells="$line" -v names="${shown[*]}" -v note="${4:-}" '
		function show(v) { return v == "nan" ? "-" : (v >= 100 || v == int(v)) ? sprintf("%.0f", v) : sprintf("%.2f", v) }
		BEGIN {
			n = split(cells, v, " "); split(names, name, " ")
			out = sprintf("%-34s", l); mine = "nan"
			for (i = 1; i <= n; i++) { out = out sprintf(" %11s", show(v[i])); if (name[i] == "pushpind") mine = v[i] }
			for (i = 1; i <= n; i++) if (name[i] != "pushpind")
				out = out sprintf(" %9s", (v[i] + 0 != 0 && mine != "nan" && v[i] != "nan") ? sprintf(mine / v[i] < 0.1 ? "%.3fx" : "%.2fx", mine / v[i]) : "-")
			print out (note == "" ? "" : "  " note) }'
}
rounds_of() {  # LABEL RUN JQ-EXPRESSION: every round's value, rounded
	local line="$1:" s
	for s in "${shown[@]}"; do line+=" $s [$(values "$s" "$2" "$3" | awk '{printf "%s%.0f", (NR > 1 ? " " : ""), $1}')]"; done
	echo "$line"
}

mkdir -p Benchmarks/results
{
	echo "fan-out $kind: $subscribers subscribers, $channels channels, $messages messages per channel, $size B payloads, publish ${rate:-flat out}"
	echo "medians of $rounds rounds, order rotated each round; $(nproc) cores shared by servers, backend and driver"
	echo "pushpind --shards $shards; Pushpin 1.36 (pushpin-reference: message_rate/message_hwm raised, log_level 2); Nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null) with $shards workers"
	echo "GRIP backend: nginx, 1 worker; driver: loaddriver (io_uring, $threads subscriber thread(s) and a publisher thread), 4 loopback source addresses; run of $(date -u -r "$work/routes" +%Y-%m-%dT%H:%MZ)"
	echo "load average before and after: $(sed 's/.*load average: //' "$work/load-before" 2>/dev/null) | $(sed 's/.*load average: //' "$work/load-after" 2>/dev/null)"
	echo "commands: Benchmarks/fanout-compare.sh $kind $subscribers $messages $rounds $channels (SYSTEMS=\"$systems\" RUNS=\"$runs\" SHARDS=$shards CONNECT_RATE=$connect_rate CONNECT_CONCURRENCY=$concurrency SIZE=$size RATE=${rate:-} LATENCY_RATE=$latency_rate LATENCY_MESSAGES=$latency_messages)"
	header=$(printf '%-34s' metric); for s in "${shown[@]}"; do header+=$(printf ' %11s' "$s"); done
	for s in "${peers[@]}"; do header+=$(printf ' %9s' "÷$s"); done
	echo "$header"
	if ran fanout; then
		row "deliveries/s" fanout .deliveries_per_sec
		row "latency p50 ms" fanout .latency_ms_p50 "(lower is better)"
		row "latency p99 ms" fanout .latency_ms_p99 "(lower is better)"
		row "latency max ms" fanout .latency_ms_max "(lower is better)"
	fi
	if ran latency; then
		row "paced $latency_rate/s: latency p50 ms" latency .latency_ms_p50 "(lower is better)"
		row "paced $latency_rate/s: latency p99 ms" latency .latency_ms_p99 "(lower is better)"
		row "paced $latency_rate/s: lost" latency .lost
	fi
	if ran subscribe; then
		row "subscribe rate conn/s (flat out)" subscribe .subscribe_rate "$([[ " $systems " == *" nchan "* ]] && echo "(target: pushpind / nchan >= 1.0)")"
		row "subscriptions refused (flat out)" subscribe .subscribe_failed
		row "server CPU us per subscription" subscribe-cpu .server_us "(lower is better; user + system over the run)"
		row "backend CPU us per subscription" subscribe-cpu .backend_us "(the GRIP backend nginx; Nchan has none)"
	fi
	if ran fanout; then
		row "bytes per held connection (RSS)" fanout .bytes_per_connection "(lower is better)"
		row "held in fan-out run" fanout .subscribed
		row "lost deliveries" fanout .lost
		row "duplicated deliveries" fanout .duplicated
	fi
	echo "per round:"
	! ran fanout || rounds_of "  deliveries/s" fanout .deliveries_per_sec
	! ran fanout || rounds_of "  p99 ms" fanout .latency_ms_p99
	! ran latency || rounds_of "  paced p99 ms" latency .latency_ms_p99
	! ran subscribe || rounds_of "  subscribe/s" subscribe .subscribe_rate
	! ran subscribe || rounds_of "  server CPU us/subscription" subscribe-cpu .server_us
	! ran fanout || rounds_of "  bytes/conn" fanout .bytes_per_connection
} | tee "Benchmarks/results/$result.txt"
echo "raw driver output: $work" >&2
