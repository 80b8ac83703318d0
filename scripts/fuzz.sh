#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets (each linked against Wire, compiled once with
# -sanitize=fuzzer,address) and runs each for SECONDS (default 5) on a scratch copy of its seed
# corpus, so the inputs it discovers do not touch the repository. One line per target; exits
# non-zero if any target crashed, failed an invariant, leaked, timed out or ran out of memory.
#
#   scripts/fuzz.sh                 # every target, 5 s each
#   scripts/fuzz.sh JSON 600        # one target, 10 minutes
#   FUZZ_OPT=-O scripts/fuzz.sh     # optimized build: faster, but without the debug bounds
#                                   # checks of unsafe buffers that -Onone keeps
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

only=${1:-all}
seconds=${2:-5}
# libFuzzer reads -max_total_time=0 as "no limit".
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/fuzz.sh [TARGET|all] [SECONDS ≥ 1]" >&2; exit 2; }
opt=${FUZZ_OPT:--Onone}
build=.build/fuzz/${opt#-}
mkdir -p "$build/Wire" "$build/bin" .build/fuzz/artifacts .build/fuzz/logs

targets=()
for file in Fuzz/Targets/*.swift; do
	name=$(basename "$file" .swift)
	[[ $only == all || $only == "$name" ]] && targets+=("$name")
done
((${#targets[@]})) || { echo "fuzz: no target called $only in Fuzz/Targets" >&2; exit 2; }

flags=(-sanitize=fuzzer,address -parse-as-library "$opt" -g -use-ld=lld)
symbolizer="$(dirname "$(command -v swiftc)")/llvm-symbolizer"
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
# Swift's own crash backtracer reads the stack in a way ASan reports; libFuzzer prints the trace.
export SWIFT_BACKTRACE=enable=no

# Wire once, as a static library with a testable module, rebuilt when a source is newer or
# the file list changed.
library=$build/Wire/libWire.a
sources=$(find Sources/Wire -name '*.swift' | sort)
if [ ! -f "$library" ] || [ "$sources" != "$(cat "$build/Wire/sources.txt" 2>/dev/null)" ] ||
	[ -n "$(find Sources/Wire -name '*.swift' -newer "$library" | head -1)" ]; then
	echo "fuzz: building Wire ($opt)"
	# shellcheck disable=SC2086 # one path per line, none with spaces
	swiftc "${flags[@]}" -j"$(nproc)" -enable-testing -module-name Wire -emit-module -emit-module-path "$build/Wire/Wire.swiftmodule" \
		-emit-library -static -o "$library" $sources
	echo "$sources" >"$build/Wire/sources.txt"
fi

# Targets in parallel, one per core; each is its file plus the shared support.
support=(Fuzz/Support/*.swift Tests/SeededRandom/*.swift)
for name in "${targets[@]}"; do
	binary=$build/bin/$name
	if [ -f "$binary" ] && [ -z "$(find "Fuzz/Targets/$name.swift" "${support[@]}" "$library" -newer "$binary" | head -1)" ]; then
		continue
	fi
	rm -f "$binary"
	while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
	swiftc "${flags[@]}" -I "$build/Wire" -L "$build/Wire" -lWire "Fuzz/Targets/$name.swift" "${support[@]}" -o "$binary" &
done
wait
for name in "${targets[@]}"; do
	[ -x "$build/bin/$name" ] || { echo "fuzz: $name did not build" >&2; exit 1; }
done

failures=0
for name in "${targets[@]}"; do
	scratch=$(mktemp -d)
	mkdir -p "$scratch/corpus" ".build/fuzz/artifacts/$name"
	cp -R "Fuzz/corpus/$name/." "$scratch/corpus/" 2>/dev/null || true
	seeds=$(find "$scratch/corpus" -type f | wc -l)
	dict=()
	[ -f "Fuzz/dict/$name.dict" ] && dict=(-dict="Fuzz/dict/$name.dict")
	log=.build/fuzz/logs/$name.log
	status=0
	# libFuzzer stops itself after -max_total_time; `timeout` only guards against a wedged process.
	timeout -k 10 $((seconds + 300)) "$build/bin/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=".build/fuzz/artifacts/$name/" "${dict[@]}" "$scratch/corpus" >"$log" 2>&1 || status=$?
	corpus=$(find "$scratch/corpus" -type f | wc -l)
	rm -rf "$scratch"
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
	if ((status == 0)); then
		printf 'fuzz %-22s ok      %s, corpus %d → %d\n' "$name" "${runs:-?}" "$seeds" "$corpus"
		continue
	fi
	failures=$((failures + 1))
	kind=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z-]+( [a-z-]+)?|Fatal error: .*' "$log" || echo "exit status $status")
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	printf 'fuzz %-22s FAILED  %s\n' "$name" "$kind"
	printf '     input: %s (replay: %s %s)\n     log: %s\n' "${artifact:-none}" "$build/bin/$name" "${artifact:-}" "$log"
done
((failures == 0))
