#!/usr/bin/env bash
# TLS termination, pushpind against HAProxy 2.6, measured back to back in one run, both in front
# of the same nginx (plain HTTP, one small static file) with the same ECDSA P-256 certificate:
#   full          full handshakes/s: CLIENTS (6) `openssl s_time -new -www /index.html` at once,
#                 each a new connection, a full handshake (no session offered) and an HTTP/1.0
#                 GET, proxied; s_time runs one connection at a time, hence several
#   resumed       wrk with Connection: close (Benchmarks/connection-close.lua): a new connection
#                 per GET, but wrk keeps each slot's session (SSL_clear) and resumes it with the
#                 ticket the server sent, so these are mostly resumed (TLS 1.3 PSK + ECDHE)
#   keepalive     proxied GETs/s, wrk on kept-alive TLS connections
# pushpind's /metrics counts its full and resumed handshakes over the run, printed with the table.
# HAProxy runs 2 threads in http mode with keep-alive to the backend and no logging, like
# proxy-throughput.sh. The order rotates every round. Next to the rates it gives the proxy's CPU
# time (user + system, from /proc) per request, which a busy machine disturbs far less. Prints a
# table of medians with the ratios and writes it to Benchmarks/results/RESULT.txt. For memory
# per idle TLS connection see tls-idle-memory.sh.
#
#   Benchmarks/tls-throughput.sh [DURATION_S=5] [CONNECTIONS=50] [ROUNDS=3] [SHARDS=2]
# Environment:
#   PUSHPIND_BIN=             use this pushpind binary instead of building one
#   BEFORE_BIN=               a second pushpind (e.g. an older build), measured as "before" in
#                             the same rounds (an A/B of two builds against the same HAProxy)
#   SYSTEMS="pushpind [before] haproxy"  which proxies to measure, in the first round's order
#   TESTS="full resumed keepalive"       which tests to run
#   PERF_DIR=                 profile each proxy during each test with `perf record -g` into
#                             PERF_DIR/SYSTEM-TEST-ROUND.data (perf slows the proxy: rates are then not comparable)
#   CLIENTS=6                 parallel s_time processes for the full handshakes
#   RESULT=tls-throughput     name of the table written to Benchmarks/results/RESULT.txt
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}; connections=${2:-50}; rounds=${3:-3}; shards=${4:-2}
result=${RESULT:-tls-throughput}
systems=${SYSTEMS:-pushpind ${BEFORE_BIN:+before }haproxy}; tests=${TESTS:-full resumed keepalive}
clients=${CLIENTS:-6}  # parallel openssl s_time processes for full handshakes
work=$(mktemp -d /tmp/pushpind-tls-bench.XXXXXX)
nginx_port=18281
declare -A port=([pushpind]=18282 [haproxy]=18285 [before]=18286)
declare -A label=([pushpind]="pushpind" [haproxy]="HAProxy 2.6" [before]="pushpind before")
declare -A test_label=([full]="full handshake + GET (s_time -new)" [resumed]="new connection per GET, wrk (resumes)" [keepalive]="kept-alive GETs/s (wrk)")
pushpind_plain=18283; pushpind_control=18284; before_plain=18287; before_control=18288

source Benchmarks/common.sh
packages=()
command -v nginx >/dev/null || packages+=(nginx-light)
command -v wrk >/dev/null || packages+=(wrk)
command -v haproxy >/dev/null || packages+=(haproxy)
install_packages ${packages[@]+"${packages[@]}"}
stage_pushpind "$work"

cleanup() {
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	[ -n "${pushpind_pid:-}" ] && kill "$pushpind_pid" 2>/dev/null || true
	[ -n "${haproxy_pid:-}" ] && kill "$haproxy_pid" 2>/dev/null || true
	[ -n "${before_pid:-}" ] && kill "$before_pid" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

chmod 755 "$work"
mkdir -p "$work/www" "$work/runner/certs"
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
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" &

# One certificate for both: pushpind finds it as runner/certs/default_<port>, HAProxy wants the
# key and certificate in one file.
cert="$work/runner/certs/default_${port[pushpind]}"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench.test \
	-keyout "$cert.key" -out "$cert.crt" 2>/dev/null
cat "$cert.crt" "$cert.key" > "$work/haproxy.pem"
cp "$cert.crt" "$work/runner/certs/default_${port[before]}.crt"; cp "$cert.key" "$work/runner/certs/default_${port[before]}.key"

echo "* 127.0.0.1:$nginx_port" > "$work/routes"
printf '[runner]\nhttp_port=127.0.0.1:%s\nhttps_ports=127.0.0.1:%s\n[proxy]\nroutesfile=routes\n[handler]\npush_in_http_port=%s\n' \
	"$pushpind_plain" "${port[pushpind]}" "$pushpind_control" > "$work/pushpin.conf"
printf '[runner]\nhttp_port=127.0.0.1:%s\nhttps_ports=127.0.0.1:%s\n[proxy]\nroutesfile=routes\n[handler]\npush_in_http_port=%s\n' \
	"$before_plain" "${port[before]}" "$before_control" > "$work/pushpin-before.conf"
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
  bind 127.0.0.1:${port[haproxy]} ssl crt $work/haproxy.pem alpn http/1.1
  default_backend nginx
backend nginx
  server nginx 127.0.0.1:$nginx_port
CONF

"$work/pushpind" --config "$work/pushpin.conf" --shards "$shards" --log-level 1 2> "$work/pushpind.log" &
pushpind_pid=$!
haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
haproxy_pid=$!
if [[ " $systems " == *" before "* ]]; then
	cp "${BEFORE_BIN:?before needs BEFORE_BIN}" "$work/pushpind-before"
	"$work/pushpind-before" --config "$work/pushpin-before.conf" --shards "$shards" --log-level 1 2> "$work/pushpind-before.log" &
	before_pid=$!
fi
wait_port "$nginx_port"
declare -A negotiated
for system in $systems; do
	wait_port "${port[$system]}"
	curl -fsSk "https://127.0.0.1:${port[$system]}/index.html" >/dev/null || { echo "no answer from $system" >&2; exit 1; }
	# s_time's request: HTTP/1.0, no Host.
	status=$(printf 'GET /index.html HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect "127.0.0.1:${port[$system]}" 2>/dev/null | head -1)
	[[ "$status" == *" 200 "* ]] || { echo "$system answers s_time's request with: $status" >&2; exit 1; }
	# What a client negotiates with each (wrk takes OpenSSL's defaults too), to show they match.
	negotiated[$system]=$(openssl s_client -connect "127.0.0.1:${port[$system]}" -servername bench.test </dev/null 2>/dev/null |
		awk '/^New, / {v = $2 " " $5} /Temp Key:/ {sub(/^.*Temp Key: /, ""); k = $0} END {print v ", " k}')
done

pid_of() { case "$1" in pushpind) echo "$pushpind_pid" ;; haproxy) echo "$haproxy_pid" ;; before) echo "$before_pid" ;; esac; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # PID: user + system clock ticks so far
measure() {  # SYSTEM TEST: prints "requests/s CPU-µs-per-request"; warns when wrk saw errors or non-2xx answers
	local out pid before after script=()
	pid=$(pid_of "$1")
	[ "$2" = resumed ] && script=(-s Benchmarks/connection-close.lua)
	before=$(cpu_ticks "$pid")
	if [ "$2" = full ]; then  # s_time prints "N connections in S real seconds"; the rate is their sum over the duration
		out=$(for _ in $(seq "$clients"); do
			openssl s_time -connect "127.0.0.1:${port[$1]}" -new -www /index.html -time "$duration" 2>&1 &
		done; wait)
		after=$(cpu_ticks "$pid")
		awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v d="$duration" '
			/connections in .* real seconds/ { requests += $1 }
			END { printf "%.1f %.1f\n", requests / d, (requests > 0 ? ticks * 1e6 / hz / requests : 0) }' <<<"$out"
		return
	fi
	local perf_pid=
	if [ -n "${PERF_DIR:-}" ]; then
		mkdir -p "$PERF_DIR"
		perf record -q -g -e cpu-clock -p "$pid" -o "$PERF_DIR/$1-$2-$round.data" -- sleep "$duration" 2>/dev/null &
		perf_pid=$!
	fi
	out=$(wrk -t2 -c"$connections" -d"${duration}s" "${script[@]}" "https://127.0.0.1:${port[$1]}/index.html")
	after=$(cpu_ticks "$pid")
	[ -n "$perf_pid" ] && wait "$perf_pid"
	if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
		echo "warning: errors against $1 ($2):" >&2
		grep -E "Non-2xx|Socket errors" <<<"$out" >&2
	fi
	awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
		/ requests in / { requests = $1 }
		/Requests\/sec/ { rate = $2 }
		END { printf "%s %.1f\n", rate, (requests > 0 ? ticks * 1e6 / hz / requests : 0) }' <<<"$out"
}
handshakes() {  # pushpind's client handshakes so far by kind, from /metrics: "full resumed failed"
	curl -fsS "http://127.0.0.1:$pushpind_control/metrics" | awk '/^pushpind_client_tls_handshakes_total\{shard="total"/ {
		match($0, /kind="[a-z]+"/); n[substr($0, RSTART + 6, RLENGTH - 7)] += $NF }
		END { printf "%d %d %d\n", n["full"], n["resumed"], n["failed"] }'
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

declare -A measured cpu median_of cpu_median
read -ra order <<< "$systems"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
read -r full_before resumed_before failed_before < <(handshakes)
for round in $(seq "$rounds"); do
	echo "round $round/$rounds: ${order[*]}" >&2
	for test in $tests; do
		for system in "${order[@]}"; do
			read -r rate micros < <(measure "$system" "$test")
			measured[$system.$test]+="$rate "; cpu[$system.$test]+="$micros "
		done
	done
	order=("${order[@]:1}" "${order[0]}")  # rotate: every target gets every position
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
read -r full_after resumed_after failed_after < <(handshakes)
for key in "${!measured[@]}"; do
	median_of[$key]=$(tr ' ' '\n' <<<"${measured[$key]}" | grep . | median)
	cpu_median[$key]=$(tr ' ' '\n' <<<"${cpu[$key]}" | grep . | median)
done

mkdir -p Benchmarks/results
{
	echo "TLS termination in front of nginx, wrk -t2 -c$connections -d${duration}s, $clients openssl s_time -new for ${duration}s, median of $rounds rounds, order rotated each round, $(nproc) cores, pushpind --shards $shards, HAProxy $(haproxy -v | awk 'NR == 1 {print $3}') nbthread 2, $(openssl version | cut -d' ' -f1-2)"
	echo "ECDSA P-256 certificate; negotiated: pushpind ${negotiated[pushpind]:-} | HAProxy ${negotiated[haproxy]:-}"
	echo "load average (1/5/15 min) before: $load_before, after: $load_after; run of $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "pushpind's handshakes during the run (/metrics): full $((full_after - full_before)), resumed $((resumed_after - resumed_before)), failed $((failed_after - failed_before))"
	printf '%-40s %-12s %12s %16s\n' "test" "proxy" "requests/s" "CPU µs/request"
	for test in $tests; do
		for system in $systems; do
			printf '%-40s %-12s %12.0f %16.1f\n' "${test_label[$test]}" "${label[$system]}" \
				"${median_of[$system.$test]}" "${cpu_median[$system.$test]}"
		done
	done
	for test in $tests; do
		for system in $systems; do
			[ "$system" = haproxy ] && continue
			awk -v a="${median_of[$system.$test]}" -v b="${median_of[haproxy.$test]}" \
				-v ca="${cpu_median[$system.$test]}" -v cb="${cpu_median[haproxy.$test]}" -v l="$test ${label[$system]} / HAProxy:" \
				'BEGIN { printf "%-41s %6.2fx rate (target >= 1.0), %6.2fx CPU per request\n", l, a / b, ca / cb }'
		done
	done
	for test in $tests; do
		line="rounds $test:"; for system in $systems; do line+=" | $system ${measured[$system.$test]% }"; done
		echo "${line/: | /: }"
		line="CPU µs/request $test:"; for system in $systems; do line+=" | $system ${cpu[$system.$test]% }"; done
		echo "${line/: | /: }"
	done
} | tee "Benchmarks/results/$result.txt"
