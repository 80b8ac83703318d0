#!/usr/bin/env bash
# Plain proxied GET throughput, measured back to back in one run:
#   wrk straight at nginx  |  through pushpind  |  through HAProxy 2.6  |  through Pushpin 1.36
# All of them serve the same small static file from the same nginx. HAProxy runs 2 threads in
# http mode with keep-alive to the backend and no logging. The order rotates every round. Prints
# a table of medians with the ratios and writes it to Benchmarks/results/RESULT.txt. Next to
# requests/s it gives the proxy's CPU time (user + system, from /proc) per request, which a busy
# machine disturbs far less than the rate.
#
#   Benchmarks/proxy-throughput.sh [DURATION_S=10] [CONNECTIONS=100] [ROUNDS=3] [SHARDS=2]
# Environment:
#   SYSTEMS="nginx pushpind haproxy pushpin"  which targets to measure, in the first round's order
#   PUSHPIND_BIN=             use this pushpind binary instead of building one
#   BEFORE_BIN=               a second pushpind (e.g. an older build), measured as "before" in
#                             the same rounds; add "before" to SYSTEMS (the default then has it)
#   RESULT=proxy-throughput   name of the table written to Benchmarks/results/RESULT.txt
#   PORT_OFFSET=0             added to every port the script listens on (to run next to another run)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}; connections=${2:-100}; rounds=${3:-3}; shards=${4:-2}
systems=${SYSTEMS:-nginx pushpind ${BEFORE_BIN:+before }haproxy pushpin}; result=${RESULT:-proxy-throughput}
work=$(mktemp -d /tmp/pushpind-bench.XXXXXX)
o=${PORT_OFFSET:-0}
declare -A port=([nginx]=$((18181 + o)) [pushpind]=$((18182 + o)) [pushpin]=$((18184 + o)) [haproxy]=$((18185 + o)) [before]=$((18186 + o)))
declare -A label=([nginx]="nginx direct" [pushpind]="pushpind -> nginx" [haproxy]="HAProxy 2.6 -> nginx" [pushpin]="Pushpin 1.36 -> nginx"
	[before]="pushpind before -> nginx")
pushpind_control=$((18183 + o)); pushpin_offset=$((30 + o))

source Benchmarks/common.sh
packages=()
command -v nginx >/dev/null || packages+=(nginx-light)
command -v wrk >/dev/null || packages+=(wrk)
command -v pushpin >/dev/null || packages+=(pushpin)
command -v haproxy >/dev/null || packages+=(haproxy)
install_packages ${packages[@]+"${packages[@]}"}
stage_pushpind "$work"

cleanup() {
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	[ -n "${pushpind_pid:-}" ] && kill "$pushpind_pid" 2>/dev/null || true
	[ -n "${haproxy_pid:-}" ] && kill "$haproxy_pid" 2>/dev/null || true
	[ -n "${before_pid:-}" ] && kill "$before_pid" 2>/dev/null || true
	PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference stop >/dev/null 2>&1 || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

chmod 755 "$work"
mkdir -p "$work/www"
printf 'hello from the benchmark backend, a small static body of some sixty bytes\n' > "$work/www/index.html"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  server { listen 127.0.0.1:${port[nginx]}; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" &
echo "* 127.0.0.1:${port[nginx]}" > "$work/routes"
# HAProxy: 2 threads like pushpind's 2 shards; idle backend connections are kept and shared.
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 2
  maxconn 9000  # two descriptors per connection under the 20,000 open-file limit
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend bench
  bind 127.0.0.1:${port[haproxy]}
  default_backend nginx
backend nginx
  server nginx 127.0.0.1:${port[nginx]}
CONF

for system in $systems; do
	case "$system" in
	nginx) ;;
	pushpind)
		"$work/pushpind" --shards "$shards" --port "127.0.0.1:${port[pushpind]}" --control-port "$pushpind_control" \
			--routes "$work/routes" --log-level 1 2> "$work/pushpind.log" &
		pushpind_pid=$! ;;
	before)
		cp "${BEFORE_BIN:?before needs BEFORE_BIN}" "$work/pushpind-before"
		"$work/pushpind-before" --shards "$shards" --port "127.0.0.1:${port[before]}" --control-port $((pushpind_control + 10)) \
			--routes "$work/routes" --log-level 1 2> "$work/pushpind-before.log" &
		before_pid=$! ;;
	haproxy)
		haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
		haproxy_pid=$! ;;
	pushpin) PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference start "$work/routes" "${port[pushpin]}" "$pushpin_offset" >&2 ;;
	*) echo "unknown system $system (nginx, pushpind, before, haproxy, pushpin)" >&2; exit 2 ;;
	esac
done
wait_port "${port[nginx]}"
for system in $systems; do
	wait_port "${port[$system]}"
	curl -fsS "http://127.0.0.1:${port[$system]}/index.html" >/dev/null || { echo "no answer from $system" >&2; exit 1; }
done

pids_of() {  # SYSTEM: the processes that serve it (nginx direct: its worker; Pushpin: every process)
	case "$1" in
	nginx) pgrep -P "$(cat "$work/nginx.pid")" ;;
	pushpind) echo "$pushpind_pid" ;;
	before) echo "$before_pid" ;;
	haproxy) echo "$haproxy_pid" ;;
	pushpin) local runner; runner=$(cat "$work/pushpin/pushpin.pid"); echo "$runner" $(pgrep -P "$runner") ;;
	esac
}
cpu_ticks() {  # PIDS...: user + system clock ticks of all their threads so far
	local pid total=0
	for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
	echo "$total"
}
measure() {  # SYSTEM: prints "requests/s CPU-µs-per-request"; warns when wrk saw errors or non-2xx answers
	local out pids before after
	pids=$(pids_of "$1")
	before=$(cpu_ticks $pids)
	out=$(wrk -t2 -c"$connections" -d"${duration}s" "http://127.0.0.1:${port[$1]}/index.html")
	after=$(cpu_ticks $pids)
	if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
		echo "warning: errors against $1:" >&2
		grep -E "Non-2xx|Socket errors" <<<"$out" >&2
	fi
	awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
		/ requests in / { requests = $1 }
		/Requests\/sec/ { rate = $2 }
		END { printf "%s %.1f\n", rate, (requests > 0 ? ticks * 1e6 / hz / requests : 0) }' <<<"$out"
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

declare -A measured cpu median_of cpu_median
read -ra order <<< "$systems"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
	echo "round $round/$rounds: ${order[*]}" >&2
	for system in "${order[@]}"; do
		read -r rate micros < <(measure "$system")
		measured[$system]+="$rate "; cpu[$system]+="$micros "
	done
	order=("${order[@]:1}" "${order[0]}")  # rotate: every target gets every position
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
for system in $systems; do
	median_of[$system]=$(tr ' ' '\n' <<<"${measured[$system]}" | grep . | median)
	cpu_median[$system]=$(tr ' ' '\n' <<<"${cpu[$system]}" | grep . | median)
done

ratio() {  # NAME-A NAME-B TARGET: A's median over B's, when both ran
	[ -n "${median_of[$1]:-}" ] && [ -n "${median_of[$2]:-}" ] || return 0
	awk -v a="${median_of[$1]}" -v b="${median_of[$2]}" -v l="$1 / $2:" -v t="$3" \
		'BEGIN { printf "%-24s %6.2fx (target >= %s)\n", l, a / b, t }'
}
mkdir -p Benchmarks/results
{
	echo "plain proxied GET, wrk -t2 -c$connections -d${duration}s, median of $rounds rounds, order rotated each round, $(nproc) cores, pushpind --shards $shards, HAProxy $(haproxy -v | awk 'NR == 1 {print $3}') nbthread 2"
	echo "load average (1/5/15 min) before: $load_before, after: $load_after; run of $(date -u +%Y-%m-%dT%H:%MZ)"
	printf '%-28s %12s %16s\n' "target" "requests/s" "CPU µs/request"
	for system in $systems; do printf '%-28s %12.0f %16.1f\n' "${label[$system]}" "${median_of[$system]}" "${cpu_median[$system]}"; done
	ratio pushpind haproxy 1.0
	ratio before haproxy 1.0
	ratio pushpind before 1.0
	ratio pushpind pushpin 3
	ratio pushpind nginx 0.5
	line="rounds:"; for system in $systems; do line+=" | $system ${measured[$system]% }"; done
	echo "${line/: | /: }"
	line="CPU µs/request:"; for system in $systems; do line+=" | $system ${cpu[$system]% }"; done
	echo "${line/: | /: }"
} | tee "Benchmarks/results/$result.txt"
