#!/usr/bin/env bash
# How the cost of a publish grows, drawn: pushpind, Nchan and Pushpin on the same axes, from one
# run. Calls fanout-compare.sh (stream kind, fan-out run only) and publish-api.sh for each point,
# collects every round's figures as JSON lines in Benchmarks/results/publish-sweep.jsonl, and
# draws them with Benchmarks/plot-sweep.py (matplotlib, installed into Benchmarks/.venv on first
# use) as PNG files beside Benchmarks/RESULTS.md:
#   sweep-subscribers.png  deliveries/s and p99 against subscriber count
#   sweep-size.png         deliveries/s and p99 against message size
#   sweep-shards.png       deliveries/s and p99 against shard count (Nchan: workers)
#   sweep-memory.png       RSS growth against held connections
#   sweep-api.png          publish API requests/s against publisher connections
#
#   Benchmarks/publish-sweep.sh [--quick] [--plot-only]
# --quick: one round and fewer points (about 6 minutes); otherwise 3 rounds (about 25 minutes on
# this 2-core machine). --plot-only redraws from the last JSON lines without measuring.
# Environment: SYSTEMS="pushpind nchan pushpin", PUSHPIND_BIN= (a prebuilt binary), PORT_OFFSET=0.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false; plot_only=false
for arg in "$@"; do
	case "$arg" in
	--quick) quick=true ;;
	--plot-only) plot_only=true ;;
	*) echo "usage: $0 [--quick] [--plot-only]" >&2; exit 2 ;;
	esac
done
export SYSTEMS=${SYSTEMS:-pushpind nchan pushpin}
out=Benchmarks/results/publish-sweep.jsonl

if $quick; then
	rounds=1; subscriber_counts="100 1000 5000 18000"; sizes="16 1024 65536"; api_connections="1 4 16"; api_duration=3
else
	rounds=3; subscriber_counts="100 1000 5000 10000 18000"; sizes="16 256 4096 65536"; api_connections="1 2 4 8 16 32"; api_duration=4
fi
messages=20          # per channel, 10 channels: every subscriber gets 20 messages
size_subscribers=1000
shard_subscribers=5000

if ! $plot_only; then
	source Benchmarks/common.sh
	bin_dir=$(mktemp -d /tmp/pushpind-sweep.XXXXXX)
	stage_pushpind "$bin_dir"
	export PUSHPIND_BIN=$bin_dir/pushpind
	mkdir -p Benchmarks/results
	: > "$out"
	started=$(date +%s)

	fanout_point() {  # SERIES X SUBSCRIBERS [ENV...]: one fanout-compare run, its rounds appended to $out
		local series=$1 x=$2 subscribers=$3; shift 3
		local log; log=$(mktemp)
		env "$@" RUNS=fanout RESULT=sweep-last CONNECT_RATE=${CONNECT_RATE:-800} \
			Benchmarks/fanout-compare.sh stream "$subscribers" "$messages" "$rounds" > /dev/null 2> "$log" || true
		local raw; raw=$(sed -n 's/^raw driver output: //p' "$log" | tail -1)
		rm -f "$log"
		[ -n "$raw" ] || { echo "  $series $x: no output" >&2; return 0; }
		for system in $SYSTEMS; do
			for round in $(seq "$rounds"); do
				local file="$raw/$system-fanout-$round.json"
				[ -s "$file" ] || continue
				jq -c --arg series "$series" --argjson x "$x" --arg system "$system" --argjson round "$round" \
					'{series: $series, x: $x, system: $system, round: $round, deliveries_per_sec, latency_ms_p50, latency_ms_p99,
					  bytes_per_connection, subscribed, lost}' "$file" >> "$out"
			done
		done
		rm -rf "$raw"
		echo "  $series $x done ($(($(date +%s) - started)) s)" >&2
	}

	for n in $subscriber_counts; do fanout_point subscribers "$n" "$n"; done
	for s in $sizes; do fanout_point size "$s" "$size_subscribers" SIZE="$s"; done
	for k in 1 2; do fanout_point shards "$k" "$shard_subscribers" SHARDS="$k"; done
	JSON=$out RESULT=sweep-api-last Benchmarks/publish-api.sh "$api_duration" "$rounds" "$api_connections" > /dev/null
	sed -i 's/^{"system"/{"series":"api","system"/' "$out"
	rm -f Benchmarks/results/sweep-last.txt Benchmarks/results/sweep-api-last.txt
	echo "sweep done in $(($(date +%s) - started)) s" >&2
fi

venv=Benchmarks/.venv
if ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet matplotlib >&2
fi
"$venv/bin/python" Benchmarks/plot-sweep.py "$out" Benchmarks
