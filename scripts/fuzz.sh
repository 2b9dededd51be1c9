#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60).
# A crash stops the run with exit code 1 and leaves the input in build-fuzz/artifacts/.
# Longer runs: scripts/fuzz.sh 3600, or one target: scripts/fuzz.sh 600 paths
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
only=${2:-}
bash scripts/deps.sh
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_C_COMPILER=clang -DQUIETWIRE_FUZZ=ON > build-fuzz.log 2>&1 || { cat build-fuzz.log; exit 1; }
cmake --build build-fuzz --parallel "$(nproc)"
mkdir -p build-fuzz/artifacts
status=0
for target in frame_reader handshake cbor paths identity authorized_keys known_servers proxy_header; do
    [ -n "$only" ] && [ "$only" != "$target" ] && continue
    # New inputs go to a working corpus in the build folder; the seeds in the repo stay as they are.
    work=build-fuzz/corpus/$target
    mkdir -p "$work"
    echo "fuzz_$target: ${seconds}s"
    if ! ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "build-fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build-fuzz/artifacts/$target-" -print_final_stats=1 \
        "$work" "fuzz/corpus/$target" > "build-fuzz/$target.log" 2>&1; then
        echo "fuzz_$target FAILED: see build-fuzz/$target.log and build-fuzz/artifacts/"
        tail -40 "build-fuzz/$target.log"
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$target.log" | tr '\n' ' '
        echo
    fi
done
exit $status
