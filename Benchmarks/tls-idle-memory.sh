#!/usr/bin/env bash
# Memory per idle TLS client connection against a plain one: pushpind's VmRSS growth while a
# Python client holds N keep-alive connections that each made one request (`GET /` from the
# test handler), first over TLS (https_ports, a P-256 certificate), then in plain HTTP.
# The difference per connection is what TLS costs an idle connection (target: <= 8 KiB).
# HAProxy 2.6 (nbthread 2, answering `GET /` itself with `http-request return`, the same
# certificate) is measured the same way for comparison; HAPROXY=0 skips it.
#
#   Benchmarks/tls-idle-memory.sh [CONNECTIONS=4000] [SHARDS=2]
#
# PUSHPIND_BIN picks the binary (default: a release build). TLS_MAX=1.2 caps the client at
# TLS 1.2 (default 1.3). Writes Benchmarks/results/tls-idle-memory.txt (TLS 1.3) or
# tls-idle-memory-tls12.txt (TLS 1.2); RESULT names another file there.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-4000}; shards=${2:-2}
tls_max=${TLS_MAX:-1.3}
case "$tls_max" in
	1.3) default_result=tls-idle-memory.txt ;;
	1.2) default_result=tls-idle-memory-tls12.txt ;;
	*) echo "TLS_MAX must be 1.2 or 1.3" >&2; exit 2 ;;
esac
result=${RESULT:-$default_result}
port=28990; tls_port=28991; control=28992; haproxy_port=28993; haproxy_tls_port=28994
work=$(mktemp -d /tmp/pushpind-tls-memory.XXXXXX)

source Benchmarks/common.sh
stage_pushpind "$work"
trap 'stop_pushpind_and_driver; [ -n "${haproxy_pid:-}" ] && kill "$haproxy_pid" 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/runner/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench.test \
	-keyout "$work/runner/certs/default_$tls_port.key" -out "$work/runner/certs/default_$tls_port.crt" 2>/dev/null
echo "* test" > "$work/routes"
printf '[runner]\nhttp_port=127.0.0.1:%s\nhttps_ports=127.0.0.1:%s\n[proxy]\nroutesfile=routes\n[handler]\npush_in_http_port=%s\n' \
	"$port" "$tls_port" "$control" > "$work/pushpin.conf"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# Holds N connections (each: connect, [handshake,] GET /, read the answer), prints HELD, waits.
client='
import socket, ssl, sys, time
port, count, use_tls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "tls"
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
if sys.argv[4] == "1.2": ctx.maximum_version = ssl.TLSVersion.TLSv1_2
held = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    if use_tls: s = ctx.wrap_socket(s, server_hostname="bench.test")
    s.sendall(b"GET / HTTP/1.1\r\nHost: bench.test\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data: data += s.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < length: body += s.recv(65536)
    held.append(s)
print("HELD", len(held), flush=True)
time.sleep(600)
'

measure() {  # KIND PORT -> prints the VmRSS growth in KiB
	"$work/pushpind" --config "$work/pushpin.conf" --shards "$shards" --log-level 1 2> "$work/pushpind-$1.log" &
	pushpind_pid=$!
	wait_port "$port" && wait_port "$tls_port"
	sleep 1
	local before; before=$(rss_kib "$pushpind_pid")
	python3 -c "$client" "$2" "$connections" "$1" "$tls_max" > "$work/client-$1.txt" 2>&1 &
	driver_pid=$!
	for _ in $(seq 1200); do grep -q HELD "$work/client-$1.txt" && break; kill -0 "$driver_pid" || break; sleep 0.1; done
	grep -q HELD "$work/client-$1.txt" || { echo "client failed: $(tail -3 "$work/client-$1.txt")" >&2; exit 1; }
	sleep 2
	local after; after=$(rss_kib "$pushpind_pid")
	stop_pushpind_and_driver
	pushpind_pid=; driver_pid=
	echo $((after - before))
}

cat "$work/runner/certs/default_$tls_port.crt" "$work/runner/certs/default_$tls_port.key" > "$work/haproxy.pem"
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 2
  maxconn 9000
defaults
  mode http
  option http-keep-alive
  timeout client 600s
frontend plain
  bind 127.0.0.1:$haproxy_port
  http-request return status 200 content-type text/plain string "hello from haproxy\\n"
frontend tls
  bind 127.0.0.1:$haproxy_tls_port ssl crt $work/haproxy.pem alpn http/1.1
  http-request return status 200 content-type text/plain string "hello from haproxy\\n"
CONF

measure_haproxy() {  # KIND PORT -> prints HAProxy's VmRSS growth in KiB
	haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy-$1.log" 2>&1 &
	haproxy_pid=$!
	wait_port "$haproxy_port" && wait_port "$haproxy_tls_port"
	sleep 1
	local before; before=$(rss_kib "$haproxy_pid")
	python3 -c "$client" "$2" "$connections" "$1" "$tls_max" > "$work/haproxy-client-$1.txt" 2>&1 &
	local holder=$!
	for _ in $(seq 1200); do grep -q HELD "$work/haproxy-client-$1.txt" && break; kill -0 "$holder" || break; sleep 0.1; done
	grep -q HELD "$work/haproxy-client-$1.txt" || { echo "client failed: $(tail -3 "$work/haproxy-client-$1.txt")" >&2; exit 1; }
	sleep 2
	local after; after=$(rss_kib "$haproxy_pid")
	kill "$holder" "$haproxy_pid" 2>/dev/null; wait "$holder" "$haproxy_pid" 2>/dev/null || true
	haproxy_pid=
	echo $((after - before))
}

tls_kib=$(measure tls "$tls_port")
plain_kib=$(measure plain "$port")
if [ "${HAPROXY:-1}" = 1 ]; then
	haproxy_tls_kib=$(measure_haproxy tls "$haproxy_tls_port")
	haproxy_plain_kib=$(measure_haproxy plain "$haproxy_port")
fi
mkdir -p Benchmarks/results
{
	echo "idle keep-alive connections after one GET: $connections (pushpind --shards $shards, test handler; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ))"
	echo "binary: ${PUSHPIND_BIN:-release build}"
	awk -v n="$connections" -v t="$tls_kib" -v p="$plain_kib" -v v="$tls_max" 'BEGIN {
		printf "%-44s %10s\n", "pushpind VmRSS growth per connection", "bytes"
		printf "%-44s %10.0f\n", "TLS (TLS " v ", P-256 certificate)", t * 1024 / n
		printf "%-44s %10.0f\n", "plain HTTP", p * 1024 / n
		printf "%-44s %10.0f\n", "what TLS adds", (t - p) * 1024 / n }'
	[ -n "${haproxy_tls_kib:-}" ] && awk -v n="$connections" -v t="$haproxy_tls_kib" -v p="$haproxy_plain_kib" -v v="$tls_max" 'BEGIN {
		printf "%-44s %10s\n", "HAProxy 2.6 VmRSS growth per connection", "bytes"
		printf "%-44s %10.0f\n", "TLS (TLS " v ", P-256 certificate)", t * 1024 / n
		printf "%-44s %10.0f\n", "plain HTTP", p * 1024 / n
		printf "%-44s %10.0f\n", "what TLS adds", (t - p) * 1024 / n }'
} | tee "Benchmarks/results/$result"
