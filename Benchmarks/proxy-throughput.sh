#!/usr/bin/env bash
# Plain proxied GET throughput, measured back to back in one run:
#   wrk straight at nginx  |  wrk through pushpind  |  wrk through Pushpin 1.36
# All three serve the same small static file from the same nginx. Prints a table with the
# ratios and writes it to Benchmarks/results/proxy-throughput.txt.
#
#   Benchmarks/proxy-throughput.sh [DURATION_S=10] [CONNECTIONS=100] [ROUNDS=3] [SHARDS=2]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}; connections=${2:-100}; rounds=${3:-3}; shards=${4:-2}
work=$(mktemp -d /tmp/pushpind-bench.XXXXXX)
nginx_port=18181; pushpind_port=18182; pushpind_control=18183; pushpin_port=18184; pushpin_offset=30

source Benchmarks/common.sh
for tool in nginx wrk pushpin; do
	command -v "$tool" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk pushpin >/dev/null; break; }
done
swift build -c release --product pushpind >&2

cleanup() {
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	[ -n "${pushpind_pid:-}" ] && kill "$pushpind_pid" 2>/dev/null || true
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
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" &
echo "* 127.0.0.1:$nginx_port" > "$work/routes"

.build/release/pushpind --shards "$shards" --port "127.0.0.1:$pushpind_port" --control-port "$pushpind_control" \
	--routes "$work/routes" --log-level 1 2> "$work/pushpind.log" &
pushpind_pid=$!
PUSHPIN_REF_DIR="$work/pushpin" ../shared/tools/pushpin-reference start "$work/routes" "$pushpin_port" "$pushpin_offset" >&2

for port in $nginx_port $pushpind_port $pushpin_port; do wait_port "$port"; done
for port in $nginx_port $pushpind_port $pushpin_port; do
	curl -fsS "http://127.0.0.1:$port/index.html" >/dev/null || { echo "no answer on $port" >&2; exit 1; }
done

measure() {  # prints requests/sec, or 0 when wrk saw errors or non-2xx answers
	local out
	out=$(wrk -t2 -c"$connections" -d"${duration}s" "http://127.0.0.1:$1/index.html")
	if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
		echo "warning: errors against port $1:" >&2
		grep -E "Non-2xx|Socket errors" <<<"$out" >&2
	fi
	awk '/Requests\/sec/ {print $2}' <<<"$out"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

declare -a direct proxied pushpin
for round in $(seq "$rounds"); do
	echo "round $round/$rounds" >&2
	direct+=("$(measure $nginx_port)")
	proxied+=("$(measure $pushpind_port)")
	pushpin+=("$(measure $pushpin_port)")
done
d=$(printf '%s\n' "${direct[@]}" | median)
p=$(printf '%s\n' "${proxied[@]}" | median)
q=$(printf '%s\n' "${pushpin[@]}" | median)

mkdir -p Benchmarks/results
{
	echo "plain proxied GET, wrk -t2 -c$connections -d${duration}s, median of $rounds interleaved rounds, $(nproc) cores, pushpind --shards $shards"
	printf '%-28s %12s\n' "target" "requests/s"
	printf '%-28s %12.0f\n' "nginx direct" "$d" "pushpind -> nginx" "$p" "Pushpin 1.36 -> nginx" "$q"
	awk -v d="$d" -v p="$p" -v q="$q" 'BEGIN {
		printf "pushpind / Pushpin:      %6.2fx (target >= 3)\n", p / q
		printf "pushpind / nginx direct: %6.2fx (target >= 0.5)\n", p / d }'
	echo "rounds: nginx ${direct[*]} | pushpind ${proxied[*]} | pushpin ${pushpin[*]}"
} | tee Benchmarks/results/proxy-throughput.txt
