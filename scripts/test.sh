#!/usr/bin/env bash
# Builds QuietWire and runs the whole test suite:
#   1. a normal build with warnings as errors, the sources checked against .clang-format and
#      the includes against the layers (scripts/check-layers.sh),
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
#   3. every libFuzzer target for FUZZ_SECONDS (default 45) each (build-fuzz/),
# then ctest on the normal build, the Debian packages built and checked (scripts/package.sh;
# QUIETWIRE_PACKAGE_INSTALL=1 also installs and purges them, as CI does on its throwaway
# machine), and ctest on the sanitizer build. QUIETWIRE_QUICK=1 runs only the normal build and
# its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DQUIETWIRE_WERROR=ON
bash scripts/format.sh --check
bash scripts/check-layers.sh
if [ "${QUIETWIRE_QUICK:-0}" = 1 ]; then
    exec ctest --test-dir build --output-on-failure --parallel 2 "$@"
fi
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIETWIRE_SANITIZE=ON -DQUIETWIRE_WERROR=ON \
      -DQUIETWIRE_BUILD_BENCH=OFF
cmake --build build-asan --parallel "$(nproc)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
ctest --test-dir build --output-on-failure --parallel 2 "$@"
if [ "${QUIETWIRE_PACKAGE_INSTALL:-0}" = 1 ]; then
    bash scripts/package.sh --install
else
    bash scripts/package.sh
fi
echo "Under AddressSanitizer and UndefinedBehaviorSanitizer:"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
    ctest --test-dir build-asan --output-on-failure --parallel 2 --timeout 1500 "$@"
