#!/usr/bin/env bash
# Publish throughput into one channel held by SUBSCRIBERS HTTP-stream subscribers, for pushpind
# and Pushpin 1.36 in the same run, by three ways in: the HTTP control API (one item per POST on
# a keep-alive connection, each answered before the next), a ZeroMQ PUSH into the PULL input
# (`push_in_spec`), and an XPUB into the SUB input (`push_in_sub_specs`, two frames per item).
# Every round starts each system fresh; the order rotates. Prints medians with pushpind/Pushpin
# ratios and writes them to Benchmarks/results/zmq-publish.txt.
#
#   Benchmarks/zmq-publish.sh [SUBSCRIBERS=1000] [MESSAGES=500] [ROUNDS=3]
#
# One Python process (pyzmq, epoll) holds the subscribers and publishes: before measuring it
# publishes probe items until every subscriber saw one (a new subscription, or an XPUB
# subscription, takes a moment to take effect), then MESSAGES items as fast as the way in takes
# them (a subscriber's share, a few kB, fits its socket buffer, so reading waits), and waits until each subscriber has every item (or 10 s pass without progress: the rest
# count as lost). Figures: items/s handed to the publisher socket ("publish"), and items/s until
# the last subscriber had the last item ("delivered", deliveries/s is that times SUBSCRIBERS).
# The reader is Python: for a fast server the delivered rate is partly the reader's.
# Environment: SHARDS=2, PUSHPIND_BIN= (use this binary), PORT_OFFSET=0 (added to every port),
# PUSHPIN_PORT_OFFSET=150+PORT_OFFSET (Pushpin's port_offset), SYSTEMS="pushpind pushpin", WAYS="http push sub".
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-1000}; messages=${2:-500}; rounds=${3:-3}
shards=${SHARDS:-2}; systems=${SYSTEMS:-pushpind pushpin}; ways=${WAYS:-http push sub}
port_offset=${PORT_OFFSET:-0}
pushpind_port=$((29190 + port_offset)); pushpind_control=$((29191 + port_offset))
pushpind_pull=$((29192 + port_offset)); pushpind_sub=$((29193 + port_offset))
pushpin_port=$((29290 + port_offset)); pushpin_offset=${PUSHPIN_PORT_OFFSET:-$((150 + port_offset))}
backend_port=$((29195 + port_offset))
work=$(mktemp -d /tmp/pushpind-zmq-publish.XXXXXX)
chmod 755 "$work"

source Benchmarks/common.sh
packages=()
command -v nginx >/dev/null || packages+=(nginx-light)
command -v pushpin >/dev/null || packages+=(pushpin)
install_packages ${packages[@]+"${packages[@]}"}
stage_pushpind "$work"

cleanup() {
	stop_pushpind
	stop_pushpin
	[ -f "$work/backend.pid" ] && kill "$(cat "$work/backend.pid")" 2>/dev/null
	wait 2>/dev/null || true
}
trap cleanup EXIT

# The GRIP backend: every subscription is a stream on the channel named by ?channel=.
cat > "$work/backend.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/backend.pid;
error_log $work/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$backend_port backlog=4096;
    location = /stream { add_header Grip-Hold stream; add_header Grip-Channel \$arg_channel; return 200 "subscribed\\n"; }
  }
}
CONF
nginx -c "$work/backend.conf" 2>> "$work/backend-error.log" &
echo "* 127.0.0.1:$backend_port" > "$work/routes"
wait_port "$backend_port"

cat > "$work/pushpind.conf" <<CONF
[runner]
http_port=$pushpind_port
[proxy]
routesfile=$work/routes
[handler]
push_in_http_port=$pushpind_control
push_in_spec=tcp://127.0.0.1:$pushpind_pull
push_in_sub_specs=tcp://127.0.0.1:$pushpind_sub
CONF

start_pushpind() {
	"$work/pushpind" --config "$work/pushpind.conf" --shards "$shards" --log-level 1 2>> "$work/pushpind.log" &
	pushpind_pid=$!
	wait_port $pushpind_port && wait_port $pushpind_control
}

# SYSTEM WAY → "client-port endpoint": where subscribers connect and where items go in.
endpoints() {
	case "$1/$2" in
	pushpind/http) echo "$pushpind_port http://127.0.0.1:$pushpind_control/publish/" ;;
	pushpind/push) echo "$pushpind_port tcp://127.0.0.1:$pushpind_pull" ;;
	pushpind/sub) echo "$pushpind_port tcp://127.0.0.1:$pushpind_sub" ;;
	pushpin/http) echo "$pushpin_port http://127.0.0.1:$((5561 + pushpin_offset))/publish/" ;;
	pushpin/push) echo "$pushpin_port tcp://127.0.0.1:$((5560 + pushpin_offset))" ;;
	pushpin/sub) echo "$pushpin_port tcp://127.0.0.1:$((5562 + pushpin_offset))" ;;
	esac
}

cat > "$work/round.py" <<'PY'
import http.client, json, select, socket, sys, time, urllib.parse, zmq
port, way, endpoint, count, messages = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
channel = "zbench"
def item(content):
    return {"channel": channel, "formats": {"http-stream": {"content": content}}}

# Subscribers: raw sockets, counted by marker bytes in what arrives ('p' probes, '#' items).
poller = select.epoll()
socks, probes, items = {}, {}, {}
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /stream?channel=" + channel.encode() + b" HTTP/1.1\r\nHost: bench\r\n\r\n")
    s.setblocking(False)
    socks[s.fileno()] = s
    probes[s.fileno()] = 0
    items[s.fileno()] = 0
    poller.register(s.fileno(), select.EPOLLIN)
def pump(timeout):
    for fd, _ in poller.poll(timeout):
        try:
            data = socks[fd].recv(262144)
        except BlockingIOError:
            continue
        if not data:
            poller.unregister(fd)
            continue
        probes[fd] += data.count(b"p")
        items[fd] += data.count(b"#")

ctx = zmq.Context()
if way == "http":
    url = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    def publish(content):
        conn.request("POST", url.path, json.dumps({"items": [item(content)]}), {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit("publish answered %d" % response.status)
elif way == "push":
    sock = ctx.socket(zmq.PUSH)
    sock.connect(endpoint)
    def publish(content):
        sock.send(b"J" + json.dumps(item(content)).encode())
else:
    sock = ctx.socket(zmq.XPUB)
    sock.connect(endpoint)
    def publish(content):
        sock.send_multipart([channel.encode(), b"J" + json.dumps({"formats": {"http-stream": {"content": content}}}).encode()])

# Probes until every subscriber has one ('subscribed\n' holds no 'p' and no '#').
deadline = time.time() + 60
while min(probes.values()) == 0:
    if time.time() > deadline:
        sys.exit("subscribers not ready: %d of %d have a probe" % (sum(1 for v in probes.values() if v), count))
    publish("p\n")
    pump(50)
settle = time.time() + 0.5
while time.time() < settle:
    pump(50)

start = time.time()
for _ in range(messages):
    publish("#\n")
published = time.time()
last_progress, total = time.time(), sum(items.values())
while total < count * messages and time.time() - last_progress < 10:
    pump(100)
    now_total = sum(items.values())
    if now_total != total:
        total, last_progress = now_total, time.time()
done = time.time()
lost = count * messages - total
print(json.dumps({
    "publish_rate": messages / (published - start),
    "delivered_rate": messages / ((done if lost == 0 else last_progress) - start),
    "lost": lost,
}))
PY

echo "subscribers=$subscribers messages=$messages rounds=$rounds shards=$shards" > "$work/raw.txt"
round=0
for ((round = 0; round < rounds; round++)); do
	order=($systems)
	((round % 2 == 1)) && order=($(printf '%s\n' "${order[@]}" | tac))
	for system in "${order[@]}"; do
		for way in $ways; do
			"start_$system"
			read -r client endpoint < <(endpoints "$system" "$way")
			result=$(python3 "$work/round.py" "$client" "$way" "$endpoint" "$subscribers" "$messages" 2>> "$work/round.log") ||
				result='{"publish_rate":0,"delivered_rate":0,"lost":-1}'
			echo "$system $way $round $result" | tee -a "$work/raw.txt" >&2
			"stop_$system"
		done
	done
done

mkdir -p Benchmarks/results
python3 - "$work/raw.txt" "$systems" "$ways" > Benchmarks/results/zmq-publish.txt <<'PY'
import json, statistics, sys
lines = open(sys.argv[1]).read().splitlines()
figures = {}
for line in lines[1:]:
    system, way, _, result = line.split(" ", 3)
    figures.setdefault((system, way), []).append(json.loads(result))
print(lines[0] + " (medians; items/s into one channel)")
print("%-6s %-9s %12s %12s %6s" % ("way", "system", "publish/s", "delivered/s", "lost"))
for way in sys.argv[3].split():
    medians = {}
    for system in sys.argv[2].split():
        runs = figures.get((system, way), [])
        if not runs:
            continue
        publish = statistics.median(r["publish_rate"] for r in runs)
        delivered = statistics.median(r["delivered_rate"] for r in runs)
        lost = max(r["lost"] for r in runs)
        medians[system] = (publish, delivered)
        print("%-6s %-9s %12.0f %12.0f %6d" % (way, system, publish, delivered, lost))
    if "pushpind" in medians and "pushpin" in medians and medians["pushpin"][1] > 0 and medians["pushpin"][0] > 0:
        print("%-6s %-9s %11.2fx %11.2fx" % (way, "ratio", medians["pushpind"][0] / medians["pushpin"][0],
                                           medians["pushpind"][1] / medians["pushpin"][1]))
PY
{ echo; echo "every round:"; tail -n +2 "$work/raw.txt"; } >> Benchmarks/results/zmq-publish.txt
cat Benchmarks/results/zmq-publish.txt
